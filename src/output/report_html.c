/* report_html.c -- the HTML page of `eddy report` (report_html.h).
 *
 * Everything from the model (names, descriptions, notes, and the analyses'
 * sentences, which quote the model's names) goes through report_html_escape:
 * a name such as `<script>` shows as text and runs nothing. */
#include "report_html.h"
#include "xml_text.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "../loops/graph.h"
#include "../model/patchfile.h"
#include "../model/units.h"
#include "cld_svg.h"
#include "fix_out.h"
#include "loops_out.h"
#include "review_out.h"
#include "svg.h"
#include "ts_plots.h"
#include "../core/xalloc.h"

void report_html_escape(FILE *f, const char *s) { xml_text(f, s); }

#define E(s) report_html_escape(f, (s))

/* The plots that span the page are written twice: WIDE_W px wide for a
 * screen that has room for them, NARROW_W px for a phone, and the style
 * sheet shows one.  Scaling one drawing down to a phone would shrink its
 * 11 px labels to 5 px; this way no label is drawn below SVG_MIN_FONT px
 * at any width (a screen narrower than NARROW_W scrolls the figure, never
 * the page).  Pictures that cannot be redrawn (the loop diagram) are
 * shrunk no further than keeps their smallest text at SVG_MIN_FONT px,
 * and their box scrolls; so do tables. */
#define WIDE_W 720
#define NARROW_W 360
#define MULTIPLE_W 340 /* three to a row on a wide screen, one on a phone */
#define STR_(x) #x
#define STR(x) STR_(x)

static const char css[] =
    "body{font:14px/1.45 -apple-system,'Segoe UI',Helvetica,Arial,sans-serif;color:#222;margin:0 auto;"
    "max-width:1100px;padding:0 20px 40px;overflow-wrap:break-word}\n"
    "h1{font-size:24px;margin:24px 0 4px}h2{font-size:19px;margin:34px 0 8px;border-bottom:1px solid #ddd;"
    "padding-bottom:4px}h3{font-size:15px;margin:18px 0 6px}\n"
    ".desc{color:#444;margin:4px 0 12px}.meta{color:#777;font-size:12px}\n"
    ".verdict{display:inline-block;padding:3px 10px;border-radius:4px;font-weight:bold;color:#fff;background:#777}\n"
    ".v-metastable{background:#b2182b}.v-component{background:#e08214}.v-healthy{background:#1a9850}.v-oscillating{background:#8c510a}"
    ".v-collapsed{background:#4d4d4d}\n"
    ".coupling{font-size:15px;margin:10px 0;padding:8px 12px;background:#f7f7f7;border-left:4px solid #b2182b}\n"
    "nav{margin:14px 0;font-size:13px}nav a{margin-right:14px;color:#1f5fa8;display:inline-block}\n"
    "figure{margin:10px 0 18px;overflow-x:auto}figcaption{color:#555;font-size:12.5px;max-width:720px}\n"
    "svg.plot{display:block;height:auto}\n"
    "svg.wide{width:" STR(WIDE_W) "px}svg.narrow{display:none;width:100%;min-width:" STR(NARROW_W) "px;max-width:"
    "540px}\n"
    /* WIDE_W and the body's padding */
    "@media (max-width:759.98px){body{padding:0 12px 32px}svg.wide{display:none}"
    "svg.narrow{display:block}}\n"
    ".cld{overflow-x:auto;border:1px solid #eee;padding:6px}.cld svg{max-width:100%;height:auto}\n"
    ".scroll{overflow-x:auto;margin:8px 0}\n"
    "table{border-collapse:collapse;font-size:12.5px;overflow-wrap:normal}th,td{border:1px solid #ddd;"
    "padding:4px 7px;text-align:left;vertical-align:top}th{background:#f3f3f3}td.num{text-align:right;"
    "white-space:nowrap}\n"
    "tr.ok td.rec{color:#1a7f37;font-weight:bold}tr.no td.rec{color:#b2182b}\n"
    ".multiples{display:flex;flex-wrap:wrap;gap:6px;overflow-x:auto}.multiples svg{width:" STR(NARROW_W) "px;"
    "height:auto;flex:none}\n"
    ".flag{font-family:monospace;color:#b2182b}.note{color:#666;font-style:italic}\n"
    ".readout{font:12px monospace;color:#333;min-height:1.3em}\n"
    "ul.timeline{list-style:none;padding-left:0}ul.timeline li{margin:2px 0}"
    "ul.timeline .t{display:inline-block;width:60px;text-align:right;margin-right:10px;color:#555;"
    "font-family:monospace}\n";

/* Hover read-outs only: the page is complete without it.  It reads the
 * data-to-pixel mapping each plot's area carries (svg.h) and the points of
 * each line, and writes the values under the cursor below the plot. */
static const char script[] =
    "(function(){\n"
    "function num(e,a){return parseFloat(e.getAttribute(a));}\n"
    "function hover(svg,out){\n"
    " var ar=svg.querySelectorAll('rect.area'),A=[];\n"
    " for(var k=0;k<ar.length;k++)A.push({X:num(ar[k],'x'),Y:num(ar[k],'y'),W:num(ar[k],'width'),"
    "H:num(ar[k],'height'),x0:num(ar[k],'data-xmin'),x1:num(ar[k],'data-xmax'),y0:num(ar[k],'data-ymin'),"
    "y1:num(ar[k],'data-ymax')});\n"
    " if(!A.length)return;\n"
    " var a0=A[0],lines=[],pl=svg.querySelectorAll('polyline.series,polyline.baseline');\n"
    " for(var k=0;k<pl.length;k++){var pts=pl[k].getAttribute('points').split(' ').map(function(p){"
    "var c=p.split(',');return [parseFloat(c[0]),parseFloat(c[1])];});"
    "lines.push({label:pl[k].getAttribute('data-label'),a:A[pl[k].getAttribute('data-panel')==='1'&&A[1]?1:0],"
    "pts:pts});}\n"
    " svg.addEventListener('mousemove',function(ev){\n"
    "  var r=svg.getBoundingClientRect(),vb=svg.viewBox.baseVal,px=(ev.clientX-r.left)*vb.width/r.width;\n"
    "  if(px<a0.X||px>a0.X+a0.W){out.textContent='';return;}\n"
    "  var t=a0.x0+(px-a0.X)/a0.W*(a0.x1-a0.x0),s='t = '+t.toFixed(1)+' s';\n"
    "  lines.forEach(function(l){var best=null;l.pts.forEach(function(p){"
    "if(best===null||Math.abs(p[0]-px)<Math.abs(best[0]-px))best=p;});\n"
    "   if(best&&Math.abs(best[0]-px)<=4){var a=l.a,v=a.y0+(a.Y+a.H-best[1])/a.H*(a.y1-a.y0);s+='   '+l.label+': '+"
    "(Math.abs(v)>=100?v.toFixed(0):v.toPrecision(3));}});\n"
    "  out.textContent=s;});\n"
    " svg.addEventListener('mouseleave',function(){out.textContent='';});\n"
    "}\n"
    "var plots=document.querySelectorAll('figure.ts');\n"
    "for(var i=0;i<plots.length;i++){var out=plots[i].querySelector('.readout'),sv=plots[i].querySelectorAll('svg');\n"
    " for(var j=0;out&&j<sv.length;j++)hover(sv[j],out);}\n"
    "})();\n";

/* ---- header ------------------------------------------------------------------------ */

static void loop_text(FILE *f, const diagnosis *d, int li)
{
    const cld_loop *l = &d->loops->loops[li];
    fprintf(f, "%s %s: ", l->name, l->type == 'R' ? "reinforcing" : "balancing");
    for (size_t k = 0; k < l->len; k++) {
        E(d->graph->vars[l->vars[k]].name);
        fputs(" &#8594; ", f);
    }
    E(d->graph->vars[l->vars[0]].name);
}

static void header(FILE *f, const report_input *in)
{
    const diagnosis *d = in->d;
    const model *m = d->m;
    fputs("<header>\n<h1>", f);
    E(m->name && m->name[0] ? m->name : in->path);
    fputs("</h1>\n", f);
    if (m->description && m->description[0]) {
        fputs("<p class=\"desc\">", f);
        E(m->description);
        fputs("</p>\n", f);
    }
    fprintf(f, "<p><span class=\"verdict v-%s\">verdict: %s</span></p>\n", verdict_name(d->verdict),
            verdict_name(d->verdict));
    fputs("<p class=\"coupling\">", f);
    E(d->coupling);
    fputs("</p>\n", f);
    if (d->nmodes) {
        fputs("<h3>Failure modes</h3>\n<ul class=\"modes\">\n", f);
        for (size_t i = 0; i < d->nmodes; i++) {
            fprintf(f, "<li><b>%s</b>: ", failure_mode_name(d->modes[i].mode));
            E(d->modes[i].evidence);
            fputs("</li>\n", f);
        }
        fputs("</ul>\n", f);
    }
    if (d->sustaining_loop >= 0) {
        fputs("<p><b>Sustaining loop</b> (found by knockout): ", f);
        loop_text(f, d, d->sustaining_loop);
        fputs("</p>\n", f);
    }
    if (d->ntimeline) {
        fputs("<h3>Timeline</h3>\n<ul class=\"timeline\">\n", f);
        for (size_t i = 0; i < d->ntimeline; i++) {
            fprintf(f, "<li><span class=\"t\">%.0f s</span>", d->timeline[i].t);
            E(d->timeline[i].what);
            fputs("</li>\n", f);
        }
        fputs("</ul>\n", f);
    }
    fputs("<p class=\"meta\">", f);
    E(in->path);
    fprintf(f, " &#183; diagnosed on %u seed%s from %llu (%zu runs) &#183; eddy %s</p>\n</header>\n", d->seeds,
            d->seeds == 1 ? "" : "s", (unsigned long long)d->seed, d->runs, EDDY_VERSION);
}

static void nav(FILE *f, const report_input *in)
{
    fputs("<nav>", f);
    if (in->plots)
        fputs("<a href=\"#timeseries\">Time series</a>", f);
    if (in->loops)
        fputs("<a href=\"#loops\">Causal loop diagram</a>", f);
    if (in->rv)
        fputs("<a href=\"#review\">Arrow review</a>", f);
    if (in->fx || in->fix_skipped)
        fputs("<a href=\"#interventions\">Interventions</a>", f);
    if (in->sw || in->sweep_skipped)
        fputs("<a href=\"#sweep\">Goodput against load</a>", f);
    if (in->bs || in->basin_skipped)
        fputs("<a href=\"#basin\">Basin map</a>", f);
    fputs("</nav>\n", f);
}

/* ---- time series ---------------------------------------------------------------------- */

/* A plot that spans the page: once WIDE_W px wide, once NARROW_W px for a
 * phone (the style sheet shows one), the narrow one's id suffixed. */
static void plot_both(FILE *f, const svg_plot *p)
{
    svg_plot q = *p;
    q.width = WIDE_W;
    q.cls = "wide";
    svg_plot_write(f, &q);
    char id[160];
    if (p->id) {
        snprintf(id, sizeof id, "%s-narrow", p->id);
        q.id = id;
    }
    q.width = NARROW_W;
    q.cls = "narrow";
    svg_plot_write(f, &q);
}

static void timeseries(FILE *f, const report_input *in)
{
    const diagnosis *d = in->d;
    fputs("<section id=\"timeseries\">\n<h2>Time series</h2>\n", f);
    fputs("<p>Replication 0 of the diagnosis (seed ", f);
    fprintf(f, "%llu). Shaded: the fault windows. Dashed vertical lines: operator actions, and faults of an instant (a cache flush, a restart). Faint lines: the baseline, "
               "the same model and seed without its faults, i.e. what should have happened.</p>\n",
            (unsigned long long)d->seed);
    ts_plots P;
    if (!d->observed_run || ts_plots_build(&P, d->m, d->observed_run, d->baseline_run) < 0) {
        fputs("<p class=\"note\">No series to plot.</p>\n</section>\n", f);
        return;
    }
    for (size_t i = 0; i < P.n; i++) {
        fputs("<figure class=\"ts\">\n", f);
        plot_both(f, &P.v[i].p);
        fputs("<div class=\"readout\"></div><figcaption>", f);
        E(P.v[i].caption);
        fputs("</figcaption>\n</figure>\n", f);
    }
    ts_plots_free(&P);
    fputs("</section>\n", f);
}

/* ---- loops ------------------------------------------------------------------------------ */

static void loops(FILE *f, const report_input *in)
{
    const diagnosis *d = in->d;
    fputs("<section id=\"loops\">\n<h2>Causal loop diagram</h2>\n", f);
    bool exact = true;
    for (size_t k = 0; k < d->loops->ngroups; k++)
        exact = exact && d->loops->groups[k].exact;
    fprintf(f, "<p>Derived from the model by <code>eddy loops</code>: %zu variables, %zu links, %s%zu loops (%zu "
               "reinforcing, %zu balancing) in %zu groups by the arrow that cuts them. Solid arrows: + (same "
               "direction); dashed: &#8722; (opposite); ||: a delay.",
            d->graph->nvars, d->graph->nlinks, exact ? "" : "at least ", d->loops->nr + d->loops->nb, d->loops->nr,
            d->loops->nb, d->loops->ngroups);
    if (!(d->loops->complete && d->loops->n <= 12))
        fputs(" Drawn: only the loops that matter, the sustaining loop and the strongest loop of the three groups "
              "that matter most.",
              f);
    if (d->sustaining_loop >= 0) {
        fputs(" In red: the sustaining loop, ", f);
        loop_text(f, d, d->sustaining_loop);
        fputs(".", f);
    } else {
        fputs(" No loop sustains the incident (the verdict is not metastable, or no single cut restored goodput), "
              "so none is highlighted.",
              f);
    }
    fputs("</p>\n<div class=\"cld\">\n", f);
    cld_layout lay = cld_svg_write(f, d->loops, d->sustaining_loop, in->try_dot);
    fprintf(f, "</div>\n<p class=\"meta\">layout: %s</p>\n",
            lay == CLD_LAYOUT_DOT ? "Graphviz dot" : "eddy's plain circular layout (Graphviz not used)");
    const loop_analysis *a = d->loops;
    if (a->ngroups) {
        /* one line per group, as `eddy loops` prints them: the sustaining
         * loop's group first, then the groups that matter most */
        fputs("<h3>Loops, by the arrow that cuts them</h3>\n<ul class=\"loops\">\n", f);
        size_t sg = d->sustaining_loop >= 0 ? a->loops[d->sustaining_loop].group : (size_t)-1;
        size_t shown = 0;
        for (size_t r = 0; r <= a->ngroups && shown < 20; r++) {
            size_t k = r == 0 ? sg : a->order[r - 1];
            if (k == (size_t)-1 || (r > 0 && k == sg))
                continue;
            const loop_group *G = &a->groups[k];
            char *lab = NULL;
            size_t n = 0;
            FILE *m = xopen_memstream(&lab, &n);
            loopsout_group_label(m, d->graph, G);
            fclose(m);
            fputs(k == sg ? "<li><b>" : "<li>", f);
            E(lab);
            free(lab);
            if (k == sg)
                fputs("</b>", f);
            fprintf(f, ": %s%zu loop%s (%zu R, %zu B), gain %gx; %s: ", G->exact ? "" : "at least ", G->count,
                    G->count == 1 ? "" : "s", G->nr, G->nb, G->gain, k == sg ? "the sustaining loop" : "shortest");
            loop_text(f, d, (int)(k == sg ? (size_t)d->sustaining_loop : G->shortest));
            fputs("</li>\n", f);
            shown++;
        }
        if (a->ngroups > shown)
            fprintf(f, "<li>and %zu more groups (<code>eddy loops --json</code> lists them all)</li>\n",
                    a->ngroups - shown);
        fputs("</ul>\n", f);
    }
    fputs("</section>\n", f);
}

/* ---- review --------------------------------------------------------------------------- */

static void review_section(FILE *f, const report_input *in)
{
    const review *r = in->rv;
    fputs("<section id=\"review\">\n<h2>Arrow review</h2>\n", f);
    fprintf(f, "<p>Every call edge, read from the model without running it (<code>eddy review</code>). Worst-case "
               "amplification: %gx.</p>\n<div class=\"scroll\"><table class=\"review\">\n<tr>",
            r->worst_amp);
    for (int k = 0; k < REVIEWOUT_NCOL; k++) {
        fputs("<th>", f);
        E(reviewout_head(k));
        fputs("</th>", f);
    }
    fputs("</tr>\n", f);
    char(*c)[REVIEWOUT_CELL] = xmalloc(REVIEWOUT_NCOL * sizeof *c);
    for (size_t i = 0; i < r->nedges; i++) {
        reviewout_cells(r, i, c);
        fputs("<tr>", f);
        for (int k = 0; k < REVIEWOUT_NCOL; k++) {
            fputs("<td>", f);
            E(c[k]);
            fputs("</td>", f);
        }
        fputs("</tr>\n", f);
    }
    free(c);
    fputs("</table></div>\n", f);
    if (r->nflags) {
        fputs("<h3>Flags</h3>\n<ul class=\"flags\">\n", f);
        for (size_t i = 0; i < r->nflags; i++) {
            fputs("<li><span class=\"flag\">", f);
            E(review_severity_name(r->flags[i].severity));
            fputs(": ", f);
            E(r->flags[i].code);
            fputs("</span> ", f);
            E(r->flags[i].msg);
            fputs("</li>\n", f);
        }
        fputs("</ul>\n", f);
    }
    fputs("</section>\n", f);
}

/* ---- interventions ---------------------------------------------------------------------------- */

static void ci_cell(FILE *f, ci c, double scale, int prec, const char *unit)
{
    fputs("<td class=\"num\">", f);
    if (!isfinite(c.mean))
        fputs("&#8211;", f);
    else if (!isfinite(c.half))
        fprintf(f, "%.*f%s", prec, c.mean * scale, unit);
    else
        fprintf(f, "%.*f &#177; %.*f%s", prec, c.mean * scale, prec, c.half * scale, unit);
    fputs("</td>", f);
}

static void fix_row(FILE *f, const fix_report *r, int level, const char *name, const char *change,
                    const fix_outcome *o, bool as_written)
{
    bool ok = fix_recovers(r, o);
    fprintf(f, "<tr class=\"%s\">", ok ? "ok" : "no");
    if (level > 0)
        fprintf(f, "<td class=\"num\">%d</td><td>", level);
    else
        fputs("<td class=\"num\">&#8211;</td><td>", f);
    E(name);
    fputs("</td><td>", f);
    E(change);
    fprintf(f, "</td><td class=\"num rec\">%zu/%u</td>", o->recovered, r->seeds);
    ci_cell(f, o->recovery_time, 1, 1, " s");
    ci_cell(f, o->goodput_lost, 100, 1, "%");
    char cap[64];
    fix_capacity_str(cap, sizeof cap, r, o, as_written);
    if (as_written) {
        fprintf(f, "<td class=\"num\">p99 %.0f ms, %s</td>", r->baseline_p99.mean * 1e3, cap);
    } else {
        double dp = (o->steady_p99.mean - r->baseline_p99.mean) * 1e3;
        double shed = (1 - o->steady_goodput.mean) * 100;
        fprintf(f, "<td class=\"num\">p99 %+.0f ms, goodput %+.1f%%, workers: %s</td>", isfinite(dp) ? dp : 0,
                isfinite(shed) ? -shed : 0, cap);
    }
    fputs("</tr>\n", f);
}

/* One small plot of goodput: run v of the fix report, the baseline faint. */
static void multiple(FILE *f, const fix_report *r, size_t v, const char *title, double ymax, const ts_plots *ev)
{
    size_t rows = r->goodput_rows;
    svg_series s[2] = {{0}};
    s[0].label = "baseline";
    s[0].x = r->goodput_t;
    s[0].y = r->goodput + rows;
    s[0].n = rows;
    s[0].color = "#1f77b4";
    s[0].faint = true;
    s[1].label = "goodput";
    s[1].x = r->goodput_t;
    s[1].y = r->goodput + v * rows;
    s[1].n = rows;
    s[1].color = v == 0 ? "#b2182b" : "#1f77b4";
    svg_plot p = svg_plot_init();
    p.title = title;
    p.xlabel = "time (s)";
    p.ylabel = "goodput (req/s)";
    p.width = MULTIPLE_W;
    p.height = 210;
    p.series = s;
    p.nseries = 2;
    p.xmin = 0;
    p.xmax = r->end;
    p.ymin = 0;
    p.ymax = ymax;
    if (ev) {
        ts_plots_events(ev, &p);
        /* the faults of an instant come first; the actions after them are
         * left out, since break-glass actions differ per intervention and
         * the table says what each does */
        size_t timed = 0; /* responses to conditions are not marked */
        for (size_t i = 0; i < r->m->nactions; i++)
            timed += !r->m->actions[i].when;
        p.nmarks = ev->nmarks - timed;
    }
    svg_plot_write(f, &p);
}

static void interventions(FILE *f, const report_input *in)
{
    fputs("<section id=\"interventions\">\n<h2>Interventions</h2>\n", f);
    const fix_report *r = in->fx;
    if (!r) {
        fputs("<p class=\"note\">", f);
        E(in->fix_skipped ? in->fix_skipped : "not measured");
        fputs("</p>\n</section>\n", f);
        return;
    }
    fprintf(f, "<p>Each intervention is measured by <code>eddy fix</code> on the same %u seeds as the model as "
               "written: with the faults (recovered, time to recover after the trigger ends, goodput lost from the "
               "trigger on, against the baseline) and without them (the steady-state cost). &#177;: 95%% confidence "
               "interval over seeds. Level: Donella Meadows' leverage point (12 weakest, 5 strongest).</p>\n",
            r->seeds);
    fputs("<div class=\"scroll\"><table class=\"interventions\">\n<tr><th>level</th><th>intervention</th><th>what it changes</th>"
          "<th>recovered</th><th>time to recover</th><th>goodput lost</th><th>steady-state cost</th></tr>\n",
          f);
    fix_row(f, r, 0, "(as written)", "", &r->as_written, true);
    for (size_t i = 0; i < r->n; i++) {
        char name[256];
        snprintf(name, sizeof name, "%s", r->v[i].name);
        char change[1200];
        snprintf(change, sizeof change, "[%s] %s", leverage_name(r->v[i].level), r->v[i].change);
        fix_row(f, r, r->v[i].level, name, change, &r->out[i], false);
    }
    fputs("</table></div>\n<p>", f);
    E(r->summary);
    fputs("</p>\n", f);
    if (r->goodput && r->goodput_rows) {
        /* one y scale for all, so the small multiples compare at a glance */
        double top = 0;
        for (size_t i = 0; i < (2 + r->n) * r->goodput_rows; i++)
            if (isfinite(r->goodput[i]) && r->goodput[i] > top)
                top = r->goodput[i];
        double t[16];
        size_t nt = svg_ticks(0, top > 0 ? top : 1, 4, t, 16);
        double step = nt > 1 ? t[1] - t[0] : 1;
        double ymax = ceil((top > 0 ? top : 1) / step - 1e-9) * step;
        ts_plots P;
        const ts_plots *ev = NULL;
        if (in->d->observed_run && ts_plots_build(&P, r->m, in->d->observed_run, NULL) == 0)
            ev = &P;
        fprintf(f, "<h3>Goodput under each intervention</h3>\n<p>Goodput (user requests succeeded per second, every "
                   "client) in replication 0 (seed %llu), on one scale; faint: the baseline without faults; shaded: "
                   "the fault windows.</p>\n<div class=\"multiples\">\n",
                (unsigned long long)r->seed);
        multiple(f, r, 0, "as written", ymax, ev);
        for (size_t i = 0; i < r->n; i++) {
            char title[200];
            snprintf(title, sizeof title, "L%d %s %s", r->v[i].level, r->v[i].name,
                     fix_recovers(r, &r->out[i]) ? "\xe2\x9c\x93" : "\xe2\x9c\x97");
            multiple(f, r, 2 + i, title, ymax, ev);
        }
        fputs("</div>\n", f);
        if (ev)
            ts_plots_free(&P);
    }
    fputs("</section>\n", f);
}

/* ---- sweep ------------------------------------------------------------------------------------- */

static void skipped(FILE *f, const char *why)
{
    fputs("<p class=\"note\">", f);
    E(why ? why : "not measured");
    fputs("</p>\n", f);
}

static void sweep_section(FILE *f, const report_input *in)
{
    fputs("<section id=\"sweep\">\n<h2>Goodput against load</h2>\n", f);
    const sweep_result *r = in->sw;
    if (!r || !r->npoints) {
        skipped(f, in->sweep_skipped);
        fputs("</section>\n", f);
        return;
    }
    size_t n = r->npoints;
    double *x = xcalloc(n, sizeof *x), *dem = xcalloc(n, sizeof *dem), *thr = xcalloc(n, sizeof *thr),
           *good = xcalloc(n, sizeof *good), *lo = xcalloc(n, sizeof *lo), *hi = xcalloc(n, sizeof *hi);
    for (size_t i = 0; i < n; i++) {
        const sweep_point *p = &r->points[i];
        x[i] = p->load;
        dem[i] = p->demand.mean;
        thr[i] = p->throughput.mean;
        good[i] = p->goodput.mean;
        lo[i] = p->goodput.mean - p->goodput.sd;
        hi[i] = p->goodput.mean + p->goodput.sd;
    }
    fprintf(f, "<p class=\"curve\">Curve: %s.</p>\n", sweep_curve_label(r));
    fprintf(f, "<p>The model run at %zu load multiples from %gx to %gx (every client's rate scaled), %u seeds each%s "
               "(<code>eddy sweep</code>). Goodput that rises with load and then falls as load keeps rising is "
               "congestion collapse: past the peak, more offered work means less useful work.</p>\n",
            n, r->opts.lo, r->opts.hi, r->opts.seeds, r->opts.with_faults && (r->nfaults || r->nbursts) ? ", faults included" : ", without the faults");
    svg_series s[5] = {
        {.label = "offered", .x = x, .y = dem, .n = n, .color = "#7f7f7f", .dashed = true},
        {.label = "throughput (entry services)", .x = x, .y = thr, .n = n, .color = "#2ca02c"},
        {.label = "goodput \xc2\xb1 1 sd", .x = x, .y = lo, .n = n, .color = "#1f77b4", .faint = true},
        {.label = "goodput + sd", .x = x, .y = hi, .n = n, .color = "#1f77b4", .faint = true},
        {.label = "goodput", .x = x, .y = good, .n = n, .color = "#1f77b4"},
    };
    s[3].label = NULL; /* one legend entry for the two sd lines */
    svg_mark mk[2];
    size_t nm = 0;
    char pk[96], cl[96];
    if (r->peak >= 0 && (size_t)r->peak < n) {
        snprintf(pk, sizeof pk, "peak %.4g/s at %gx", good[r->peak], x[r->peak]);
        mk[nm++] = (svg_mark){x[r->peak], pk};
    }
    if (r->collapse >= 0 && (size_t)r->collapse < n) {
        snprintf(cl, sizeof cl, "collapse from %gx", x[r->collapse]);
        mk[nm++] = (svg_mark){x[r->collapse], cl};
    }
    svg_plot p = svg_plot_init();
    p.id = "sweep-plot";
    p.title = "Goodput against offered load";
    p.xlabel = "offered load (x the model's rates)";
    p.ylabel = "requests/s";
    p.series = s;
    p.nseries = 5;
    p.marks = mk;
    p.nmarks = nm;
    p.xmin = x[0];
    p.xmax = x[n - 1];
    p.legend = true;
    fputs("<figure class=\"ts\">\n", f);
    plot_both(f, &p);
    fputs("<div class=\"readout\"></div><figcaption>Means over seeds; the faint lines are goodput one standard "
          "deviation either side. The x axis here is load, not time.</figcaption>\n</figure>\n",
          f);
    if (r->collapse >= 0)
        fprintf(f, "<p><b>Congestion collapse</b>: goodput peaks at %.4g/s at %gx load, and from %gx on it stays "
                   "below the peak (%.4g/s at %gx).</p>\n",
                good[r->peak], x[r->peak], x[r->collapse], good[n - 1], x[n - 1]);
    else
        fprintf(f, "<p>No congestion collapse in this range: goodput peaks at %.4g/s at %gx load and does not fall "
                   "back past it.</p>\n",
                good[r->peak], x[r->peak]);
    free(x);
    free(dem);
    free(thr);
    free(good);
    free(lo);
    free(hi);
    fputs("</section>\n", f);
}

/* ---- basin ---------------------------------------------------------------------------------------- */

static int by_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* The middle of two axis values: geometric on a log axis. */
static double mid(double a, double b, bool lg) { return lg ? sqrt(a * b) : (a + b) / 2; }

static void axis_label(const basin_axis *a, char *buf, size_t size)
{
    if (a->load)
        snprintf(buf, size, "offered load (x the model's rates)");
    else if (a->unit[0])
        snprintf(buf, size, "%s (%s)", a->path, a->unit);
    else
        snprintf(buf, size, "%s", a->path);
}

static void basin_section(FILE *f, const report_input *in)
{
    fputs("<section id=\"basin\">\n<h2>Basin map</h2>\n", f);
    const basin_result *r = in->bs;
    if (!r || !r->npoints || !r->nrows) {
        skipped(f, in->basin_skipped);
        fputs("</section>\n", f);
        return;
    }
    const basin_axis *ax = &r->opts.x, *ay = &r->opts.y;
    bool lg = basin_geometric(ax);
    /* Each row (a y value) spans half-way to its neighbours; within a row,
     * each point tried spans half-way to the next x tried in that row.  The
     * bisection tries x densely near the boundary, so cells are narrow
     * where it matters. */
    size_t nr = r->nrows;
    double *ys = xcalloc(nr, sizeof *ys);
    svg_cell *cells = xcalloc(r->npoints, sizeof *cells);
    char **tips = xcalloc(r->npoints, sizeof *tips);
    double *bx = xcalloc(nr, sizeof *bx), *by = xcalloc(nr, sizeof *by);
    double *xs = xcalloc(r->npoints, sizeof *xs);
    for (size_t i = 0; i < nr; i++)
        ys[i] = r->rows[i].y;
    qsort(ys, nr, sizeof *ys, by_double);
    size_t nc = 0;
    for (size_t i = 0; i < nr; i++) {
        double y = ys[i];
        double y0 = i ? (ys[i - 1] + y) / 2 : ay->lo, y1 = i + 1 < nr ? (y + ys[i + 1]) / 2 : ay->hi;
        if (nr == 1)
            y0 = ay->lo, y1 = ay->hi;
        size_t k = 0;
        for (size_t j = 0; j < r->npoints; j++)
            if (r->points[j].y == y)
                xs[k++] = r->points[j].x;
        qsort(xs, k, sizeof *xs, by_double);
        for (size_t q = 0; q < k; q++) {
            if (q && xs[q] == xs[q - 1])
                continue;
            const basin_point *bp = NULL;
            for (size_t j = 0; j < r->npoints && !bp; j++)
                if (r->points[j].y == y && r->points[j].x == xs[q])
                    bp = &r->points[j];
            size_t qn = q + 1;
            while (qn < k && xs[qn] == xs[q])
                qn++;
            double x0 = q ? mid(xs[q - 1], xs[q], lg) : ax->lo, x1 = qn < k ? mid(xs[q], xs[qn], lg) : ax->hi;
            char vx[48], vy[48], tip[200];
            basin_format_value(ax, bp->x, vx, sizeof vx);
            basin_format_value(ay, bp->y, vy, sizeof vy);
            snprintf(tip, sizeof tip, "%s = %s, %s = %s: P(metastable) = %u/%u", ax->path, vx, ay->path, vy,
                     bp->metastable, bp->n);
            tips[nc] = xstrdup(tip);
            cells[nc] = (svg_cell){x0, x1, y0, y1, bp->p, tips[nc]};
            nc++;
        }
    }
    /* the boundary: where P crosses 1/2, row by row (rows where it does not
     * cross break the line) */
    size_t nb = 0;
    for (size_t i = 0; i < nr; i++) {
        const basin_row *row = NULL;
        for (size_t j = 0; j < r->nrows && !row; j++)
            if (r->rows[j].y == ys[i])
                row = &r->rows[j];
        bx[nb] = row && row->status == BASIN_CROSSES ? row->critical : NAN;
        by[nb] = ys[i];
        nb++;
    }
    char xl[300], yl[300], sum[512];
    axis_label(ax, xl, sizeof xl);
    axis_label(ay, yl, sizeof yl);
    basin_summary(r, sum, sizeof sum);
    fprintf(f, "<p>How big a shock the model absorbs before it slides into a failure that outlives its trigger "
               "(<code>eddy basin</code>, %u runs, %u seeds per point). Each cell is a point tried, coloured by the "
               "share of seeds on which the failure outlived the trigger: white never, dark red always. The black "
               "line is the boundary, where that share crosses 1/2: on its dark side the system does not come back "
               "by itself.</p>\n",
            r->runs, r->opts.seeds);
    svg_heatmap h = {.id = "basin-map", .title = "Basin map: P(metastable)", .xlabel = xl, .ylabel = yl,
                     .vlabel = "P(metastable)", .cells = cells, .ncells = nc, .bx = bx, .by = by, .nb = nb,
                     .blabel = "boundary: P = 1/2", .xmin = ax->lo, .xmax = ax->hi, .ymin = ay->lo, .ymax = ay->hi,
                     .xlog = lg};
    fputs("<figure>\n", f);
    h.width = WIDE_W;
    h.cls = "wide";
    svg_heatmap_write(f, &h);
    h.id = "basin-map-narrow";
    h.width = NARROW_W;
    h.cls = "narrow";
    h.height = 300;
    svg_heatmap_write(f, &h);
    fputs("<figcaption>", f);
    E(sum);
    fputs(".</figcaption>\n</figure>\n", f);
    for (size_t i = 0; i < nc; i++)
        free(tips[i]);
    free(tips);
    free(cells);
    free(ys);
    free(xs);
    free(bx);
    free(by);
    fputs("</section>\n", f);
}

/* ---- the page -------------------------------------------------------------------------------------- */

int report_html_write(FILE *f, const report_input *in)
{
    const model *m = in->d->m;
    fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
          "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; "
          "script-src 'unsafe-inline'; img-src data:\">\n"
          "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>eddy report: ",
          f);
    E(m->name && m->name[0] ? m->name : in->path);
    fprintf(f, "</title>\n<meta name=\"generator\" content=\"eddy %s\">\n<style>\n%s</style>\n</head>\n<body>\n",
            EDDY_VERSION, css);
    header(f, in);
    nav(f, in);
    if (in->plots)
        timeseries(f, in);
    if (in->loops)
        loops(f, in);
    if (in->rv)
        review_section(f, in);
    if (in->fx || in->fix_skipped)
        interventions(f, in);
    if (in->sw || in->sweep_skipped)
        sweep_section(f, in);
    if (in->bs || in->basin_skipped)
        basin_section(f, in);
    fprintf(f, "<footer class=\"meta\"><p>Written by eddy %s. This page is self-contained: it loads nothing, "
               "and reads the same with JavaScript off (the script only adds hover read-outs).</p></footer>\n",
            EDDY_VERSION);
    fprintf(f, "<script>\n%s</script>\n</body>\n</html>\n", script);
    return ferror(f) ? -1 : 0;
}
