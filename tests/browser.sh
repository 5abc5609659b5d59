#!/bin/sh
# browser.sh -- render `eddy report` pages in headless Chromium and check them.
#
#   EDDY=build/eddy sh tests/browser.sh [SCREENSHOT.png]
#
# For examples/retry-storm.yaml's report: no console messages (errors,
# blocked loads, script exceptions); the expected section headings in the
# rendered DOM, with scripts on and off; and a screenshot whose plot area is
# not blank (the plot's line colour, the shaded fault window and the
# highlighted sustaining loop all show up in its pixels).  At a phone's
# width (390 px) and a desktop's (1280 px): no sideways scroll, every table
# reachable in its own scroll box, no text under 11 px.  For a model whose
# name holds <script>: the text shows literally and nothing runs.
#
# Without Chromium it skips, unless REQUIRE_BROWSER=1 (as .ci/run sets).
# Closes with "browser: N passed, N failed".
set -u
EDDY=${EDDY:-./eddy}
shot_out=${1:-}
CHROMIUM=${CHROMIUM:-}
if [ -z "$CHROMIUM" ]; then
    for c in chromium chromium-browser; do
        if command -v "$c" >/dev/null 2>&1; then CHROMIUM=$c; break; fi
    done
fi
if [ -z "$CHROMIUM" ]; then
    if [ "${REQUIRE_BROWSER:-0}" = 1 ]; then
        echo "browser: chromium is not installed (apt-get install chromium)"
        echo "browser: 0 passed, 1 failed"
        exit 1
    fi
    echo "browser: skipped: chromium is not installed (the browser test runs in .ci/run)"
    exit 0
fi

dir=$(mktemp -d /tmp/eddy-browser-XXXXXX)
trap 'rm -rf "$dir"' EXIT
passed=0
failed=0
ok() { passed=$((passed + 1)); echo "  ok    $1"; }
bad() { failed=$((failed + 1)); echo "  FAIL  $1"; }

# Chromium's own flags, as the issue asks; logging to stderr shows the
# page's console as ":CONSOLE" lines.
chrome() {
    timeout 120 "$CHROMIUM" --headless --no-sandbox --disable-gpu --no-first-run --disable-background-networking \
        --enable-logging=stderr --v=0 "$@"
}

echo "browser: $CHROMIUM"
if ! "$EDDY" report -q --seeds 2 examples/retry-storm.yaml -o "$dir/storm.html"; then
    bad "eddy report examples/retry-storm.yaml"
    echo "browser: $passed passed, $failed failed"
    exit 1
fi
ok "eddy report examples/retry-storm.yaml ($(wc -c <"$dir/storm.html") bytes)"

# 1. the DOM, scripts on
chrome --dump-dom "file://$dir/storm.html" >"$dir/dom.html" 2>"$dir/dom.err"
if grep -q ':CONSOLE' "$dir/dom.err"; then
    bad "console messages:"
    grep ':CONSOLE' "$dir/dom.err" | head -5
else
    ok "no console errors"
fi
for h in '<h1>checkout retry storm</h1>' '<h2>Time series</h2>' '<h2>Causal loop diagram</h2>' \
    '<h2>Arrow review</h2>' '<h2>Interventions</h2>' '<h2>Goodput against load</h2>' '<h2>Basin map</h2>' \
    'verdict: metastable'; do
    if grep -qF "$h" "$dir/dom.html"; then ok "DOM has $h"; else bad "DOM lacks $h"; fi
done
n=$(grep -o '<svg' "$dir/dom.html" | wc -l)
if [ "$n" -ge 9 ]; then ok "$n SVG elements rendered"; else bad "only $n SVG elements"; fi

# 2. without JavaScript: headless Chromium's --dump-dom and --screenshot
# need scripts themselves, so the page is loaded with its one <script>
# element taken out, which is what a reader with JavaScript off gets
sed '/^<script>$/,/^<\/script>$/d' "$dir/storm.html" >"$dir/nojs.html"
if grep -q '<script' "$dir/nojs.html"; then
    bad "could not take the script out"
else
    chrome --dump-dom "file://$dir/nojs.html" >"$dir/nojs.dom" 2>"$dir/nojs.err"
    chrome --window-size=1200,2200 --hide-scrollbars --screenshot="$dir/nojs.png" "file://$dir/nojs.html" \
        >/dev/null 2>&1
    px=$(python3 tests/png_pixels.py "$dir/nojs.png" 1f77b4:10 fae5dd:8 2>/dev/null)
    line=$(echo "$px" | awk '$1=="1f77b4"{print $2}')
    band=$(echo "$px" | awk '$1=="fae5dd"{print $2}')
    if grep -qF '<h2>Interventions</h2>' "$dir/nojs.dom" && ! grep -q ':CONSOLE' "$dir/nojs.err" &&
        [ "${line:-0}" -ge 500 ] && [ "${band:-0}" -ge 5000 ]; then
        ok "renders without JavaScript ($line line px, $band fault-window px)"
    else
        bad "does not render without JavaScript (${line:-0} line px, ${band:-0} fault-window px)"
    fi
fi

# 3. the screenshot: the plot area is drawn
chrome --window-size=1200,2200 --hide-scrollbars --screenshot="$dir/shot.png" "file://$dir/storm.html" \
    >/dev/null 2>"$dir/shot.err"
if [ ! -s "$dir/shot.png" ]; then
    bad "no screenshot"
else
    ok "screenshot taken"
    # goodput line (#1f77b4), the shaded fault window (#f4a582 at 30% over
    # the plot background), the red verdict badge (#b2182b)
    px=$(python3 tests/png_pixels.py "$dir/shot.png" 1f77b4:10 fae5dd:8 b2182b:10)
    echo "$px" | sed 's/^/        /'
    line=$(echo "$px" | awk '$1=="1f77b4"{print $2}')
    band=$(echo "$px" | awk '$1=="fae5dd"{print $2}')
    badge=$(echo "$px" | awk '$1=="b2182b"{print $2}')
    if [ "${line:-0}" -ge 500 ]; then ok "plot lines drawn ($line px)"; else bad "plot lines missing (${line:-0} px)"; fi
    if [ "${band:-0}" -ge 5000 ]; then ok "fault windows shaded ($band px)"; else bad "no fault window (${band:-0} px)"; fi
    if [ "${badge:-0}" -ge 300 ]; then ok "verdict badge drawn ($badge px)"; else bad "no verdict badge (${badge:-0} px)"; fi
    [ -n "$shot_out" ] && cp "$dir/shot.png" "$shot_out"
fi

# 3b. the hover read-out: a mouse move over the first plot writes the values
# under the cursor below it (a copy of the page with one more script that
# moves the mouse)
sed 's#</body>#<script>var s=document.querySelector("figure.ts svg"),r=s.getBoundingClientRect();s.dispatchEvent(new MouseEvent("mousemove",{clientX:r.left+r.width*0.3,clientY:r.top+r.height/2,bubbles:true}));</script></body>#' \
    "$dir/storm.html" >"$dir/hover.html"
chrome --dump-dom "file://$dir/hover.html" >"$dir/hover.dom" 2>"$dir/hover.err"
ro=$(grep -o '<div class="readout">t = [^<]*</div>' "$dir/hover.dom" | head -1)
if [ -n "$ro" ] && echo "$ro" | grep -q 'goodput (baseline): ' && ! grep -q ':CONSOLE' "$dir/hover.err"; then
    ok "hover read-out: $(echo "$ro" | sed 's/<[^>]*>//g')"
else
    bad "no hover read-out"
fi
# over checkout's plot, whose busy workers have their own panel: the value
# is read through that panel's mapping (all 40 workers busy in the storm;
# the queue panel's mapping would give hundreds)
sed 's#</body>#<script>var s=document.getElementById("service-1-checkout"),r=s.getBoundingClientRect();s.dispatchEvent(new MouseEvent("mousemove",{clientX:r.left+r.width*0.5,clientY:r.top+r.height/2,bubbles:true}));</script></body>#' \
    "$dir/storm.html" >"$dir/hover2.html"
chrome --dump-dom "file://$dir/hover2.html" >"$dir/hover2.dom" 2>/dev/null
busy=$(grep -o '<div class="readout">t = [^<]*</div>' "$dir/hover2.dom" | head -1 | sed -n 's/.*   busy workers: \([0-9.]*\).*/\1/p')
if [ -n "$busy" ] && awk -v v="$busy" 'BEGIN{exit !(v >= 30 && v <= 40.5)}'; then
    ok "hover read-out in the lower panel: busy workers $busy"
else
    bad "hover read-out in the lower panel: busy workers '${busy}' (want 30 to 40)"
fi

# 4. a phone's width and a desktop's.  Headless Chromium will not make its
# window narrower than 500 px, so the page is loaded in an <iframe> of the
# width wanted: its document's viewport is exactly that wide, as a phone's
# is with the page's width=device-width.  A script added to the copy in the
# frame measures the page and posts the numbers to the frame's parent:
#   scroll  the document's scrollWidth against its clientWidth (the page
#           must not scroll sideways);
#   tables  tables whose parent is not a box that scrolls sideways and fits
#           in the viewport (every table must be reachable);
#   minpx   the smallest rendered size of any visible SVG text: its font
#           size times the scale its SVG is drawn at (getScreenCTM), so a
#           plot shrunk to fit shows up here;
#   htmlpx  the smallest font size of visible HTML text;
#   shown   the plots drawn for a phone (svg.narrow) and for a wide screen
#           (svg.wide) that are visible.
cat >"$dir/measure.js" <<'EOF'
(function(){
var de=document.documentElement,vw=de.clientWidth,o=[];
o.push('width '+innerWidth,'scroll '+de.scrollWidth+' '+vw);
var tb=document.querySelectorAll('table'),bad=0;
for(var i=0;i<tb.length;i++){var p=tb[i].parentElement,cs=getComputedStyle(p),r=p.getBoundingClientRect();
 if(!((cs.overflowX=='auto'||cs.overflowX=='scroll')&&r.left>=-0.5&&r.right<=vw+0.5))bad++;}
o.push('tables '+tb.length+' '+bad);
var tx=document.querySelectorAll('svg text'),min=1e9,n=0,what='';
for(var i=0;i<tx.length;i++){var t=tx[i];if(!t.getClientRects().length)continue;var m=t.getScreenCTM();if(!m)continue;
 var px=parseFloat(getComputedStyle(t).fontSize)*Math.sqrt(Math.abs(m.a*m.d-m.b*m.c));n++;
 if(px<min){min=px;what=t.textContent;}}
o.push('minpx '+min.toFixed(2)+' '+n+' '+JSON.stringify(what));
var el=document.body.querySelectorAll('*'),hmin=1e9;
for(var i=0;i<el.length;i++){var e=el[i];if(e.closest('svg')||!e.getClientRects().length)continue;
 for(var c=e.firstChild;c;c=c.nextSibling)if(c.nodeType==3&&c.textContent.trim()){hmin=Math.min(hmin,parseFloat(getComputedStyle(e).fontSize));break;}}
o.push('htmlpx '+hmin);
function vis(q){var s=document.querySelectorAll(q),k=0;for(var i=0;i<s.length;i++)if(s[i].getClientRects().length)k++;return k;}
o.push('shown '+vis('svg.narrow')+' '+vis('svg.wide'));
parent.postMessage(o.join('\n'),'*');
})();
EOF
awk -v f="$dir/measure.js" '/^<\/body>$/{print "<script>"; while ((getline l < f) > 0) print l; print "</script>"} {print}' \
    "$dir/storm.html" >"$dir/measured.html"
nplots=$(grep -c 'class="plot narrow"' "$dir/storm.html")
for w in 390 1280; do
    cat >"$dir/frame$w.html" <<EOF
<!DOCTYPE html><html><body style="margin:0"><pre id="m"></pre>
<iframe src="measured.html" width="$w" height="900" style="border:0"></iframe>
<script>addEventListener('message',function(e){document.getElementById('m').textContent=e.data;});</script>
</body></html>
EOF
    chrome --window-size=1300,1000 --virtual-time-budget=10000 --dump-dom "file://$dir/frame$w.html" \
        >"$dir/frame$w.dom" 2>"$dir/frame$w.err"
    sed -n '/<pre id="m">/,/<\/pre>/p' "$dir/frame$w.dom" | sed 's/<[^>]*>//g' >"$dir/m$w.txt"
    get() { awk -v k="$1" -v i="$2" '$1==k{print $(i+1)}' "$dir/m$w.txt"; }
    if [ "$(get width 1)" != "$w" ]; then
        bad "$w px: no measurement (viewport $(get width 1))"
        continue
    fi
    sw=$(get scroll 1) cw=$(get scroll 2)
    if [ "$sw" -le "$cw" ]; then ok "$w px: no sideways scroll (scrollWidth $sw <= clientWidth $cw)"
    else bad "$w px: the page scrolls sideways (scrollWidth $sw > clientWidth $cw)"; fi
    nt=$(get tables 1) nb=$(get tables 2)
    if [ "$nt" -ge 2 ] && [ "$nb" -eq 0 ]; then ok "$w px: all $nt tables in a scroll box inside the viewport"
    else bad "$w px: $nb of $nt tables not in a scroll box inside the viewport"; fi
    mp=$(get minpx 1)
    if awk -v v="$mp" 'BEGIN{exit !(v >= 10.995)}'; then ok "$w px: smallest plot text $mp px ($(get minpx 2) labels)"
    else bad "$w px: plot text as small as $mp px ($(awk '$1=="minpx"{$1=$2=$3="";print}' "$dir/m$w.txt"))"; fi
    hp=$(get htmlpx 1)
    if awk -v v="$hp" 'BEGIN{exit !(v >= 11)}'; then ok "$w px: smallest page text $hp px"
    else bad "$w px: page text as small as $hp px"; fi
    sn=$(get shown 1) swd=$(get shown 2)
    if [ "$w" -lt 760 ]; then want_n=$nplots want_w=0; else want_n=0 want_w=$nplots; fi
    if [ "$sn" = "$want_n" ] && [ "$swd" = "$want_w" ]; then ok "$w px: $sn phone and $swd wide plots shown"
    else bad "$w px: $sn phone and $swd wide plots shown (want $want_n and $want_w)"; fi
    if grep -q ':CONSOLE' "$dir/frame$w.err"; then bad "$w px: console messages"; fi
done

# 5. the author's <script> shows as text and runs nothing
cat >"$dir/evil.yaml" <<'EOF'
name: "<script>console.error('INJECTED')</script> & \"q\" <img src=x onerror=console.error('IMG')>"
description: "</p><script>console.error('DESC')</script> a & b"
duration: 20s
seed: 3
sample: 1s
clients:
  users:
    rate: 50/s
    call: api
    timeout: 1s
services:
  api:
    workers: 4
    service_time: {dist: exponential, mean: 10ms}
faults:
  - {at: 5s, for: 5s, target: api, slow: 2}
EOF
if "$EDDY" report -q --seeds 1 --no-fix "$dir/evil.yaml" -o "$dir/evil.html"; then
    chrome --dump-dom "file://$dir/evil.html" >"$dir/evil.dom" 2>"$dir/evil.err"
    if grep -q ':CONSOLE' "$dir/evil.err"; then
        bad "the author's script ran:"
        grep ':CONSOLE' "$dir/evil.err" | head -3
    else
        ok "the author's <script> and onerror did not run"
    fi
    if grep -qF "<h1>&lt;script&gt;console.error('INJECTED')&lt;/script&gt; &amp; \"q\" &lt;img" "$dir/evil.dom"; then
        ok "the author's name shows literally"
    else
        bad "the author's name is not shown literally"
    fi
else
    bad "eddy report evil.yaml"
fi

echo "browser: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
