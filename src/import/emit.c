/* emit.c -- `eddy fix --emit FORMAT DIR`: a measured fix written back in the
 * format the model was imported from.
 *
 * A fix is a list of changes to the model (eddy paths and values).  For
 * each change on a call, the `# from FILE:LINE` comments of the imported
 * model name the files that configured that call (paths relative to the
 * directory the model's header names, so it works from any working
 * directory); the files of the asked format are edited in its own terms
 * (emit_fmt.c) by splicing their text (emit_edit.c).  The changed files
 * and a unified diff against the imported ones are written to DIR, the
 * diff headed by the notes.  A change the format cannot express is named
 * in a note, not dropped. */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "../model/units.h"
#include "../model/ysafe.h"
#include "emit.h"
#include "../core/xalloc.h"

/* ---- notes ------------------------------------------------------------------------- */

void emit_note(emit_result *r, const char *fmt, ...)
{
    char buf[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    for (size_t i = 0; i < r->nnotes; i++)
        if (!strcmp(r->notes[i], buf))
            return;
    char **nv = xrealloc(r->notes, (r->nnotes + 1) * sizeof *nv);
    nv[r->nnotes] = xstrdup(buf);
    r->notes = nv;
    r->nnotes++;
}

void imp_emit_result_free(emit_result *r)
{
    for (size_t i = 0; i < r->nnotes; i++)
        free(r->notes[i]);
    for (size_t i = 0; i < r->nfiles; i++)
        free(r->files[i]);
    free(r->notes);
    free(r->files);
    memset(r, 0, sizeof *r);
}

imp_kind imp_kind_from_name(const char *s)
{
    static const struct {
        const char *name;
        imp_kind k;
    } m[] = {{"istio", IMP_ISTIO}, {"envoy", IMP_ENVOY}, {"grpc", IMP_GRPC}, {"linkerd", IMP_LINKERD},
             {"resilience4j", IMP_R4J}};
    for (size_t i = 0; i < sizeof m / sizeof *m; i++)
        if (!strcmp(s, m[i].name))
            return m[i].k;
    return IMP_UNKNOWN;
}

/* ---- finding what to edit ----------------------------------------------------------- */

/* The "# from" files on lines [l0, l1] of the model text, and for each the
 * lines of it they name (up to EMIT_MAX_LINES). */
static int sources(const char *text, int l0, int l1, char files[][512], int flines[][EMIT_MAX_LINES], int *nlines,
                   int max)
{
    int n = 0, line = 1;
    for (const char *p = text; *p && line <= l1; line++) {
        const char *eol = strchr(p, '\n');
        size_t len = eol ? (size_t)(eol - p) : strlen(p);
        if (line >= l0) {
            const char *c = NULL;
            for (const char *q = p; q + 7 <= p + len; q++)
                if (!strncmp(q, "# from ", 7)) {
                    c = q + 7;
                    break;
                }
            while (c && c < p + len) {
                const char *colon = c;
                while (colon < p + len && *colon != ':' && *colon != ' ' && *colon != ',')
                    colon++;
                if (colon < p + len && *colon == ':') {
                    char f[512];
                    snprintf(f, sizeof f, "%.*s", (int)(colon - c), c);
                    int k = 0;
                    while (k < n && strcmp(files[k], f))
                        k++;
                    if (k == n && n < max) {
                        nlines[n] = 0;
                        snprintf(files[n++], 512, "%s", f);
                    }
                    int fl = atoi(colon + 1);
                    bool seen = false;
                    for (int q = 0; k < n && q < nlines[k]; q++)
                        seen |= flines[k][q] == fl;
                    if (k < n && !seen && nlines[k] < EMIT_MAX_LINES)
                        flines[k][nlines[k]++] = fl;
                }
                const char *comma = colon;
                while (comma < p + len && *comma != ',')
                    comma++;
                c = comma < p + len ? comma + 2 : NULL;
            }
        }
        if (!eol)
            break;
        p = eol + 1;
    }
    return n;
}

/* The kind of the file at path, by content (its first document with a kind). */
static imp_kind file_kind(const char *path)
{
    eddy_error err;
    size_t len;
    char *text = ysafe_read_file(path, &len, &err);
    if (!text)
        return IMP_UNKNOWN;
    imp_kind k = IMP_UNKNOWN;
    if (imp_prom_detect(text))
        k = IMP_PROM;
    else {
        importer im;
        imp_init(&im);
        k = imp_detect_text(&im, text, len, path);
        imp_free(&im);
    }
    free(text);
    return k;
}

/* ---- unified diff ---------------------------------------------------------------------- */

typedef struct lines {
    const char **p;
    size_t *len;
    size_t n;
} lines;

static void split(const char *text, lines *l)
{
    size_t cap = 64;
    l->p = xmalloc(cap * sizeof *l->p);
    l->len = xmalloc(cap * sizeof *l->len);
    l->n = 0;
    for (const char *s = text; *s;) {
        const char *e = strchr(s, '\n');
        size_t n = e ? (size_t)(e - s) + 1 : strlen(s);
        if (l->n == cap) {
            cap *= 2;
            l->p = xrealloc(l->p, cap * sizeof *l->p);
            l->len = xrealloc(l->len, cap * sizeof *l->len);
        }
        l->p[l->n] = s;
        l->len[l->n++] = n;
        s += n;
    }
}

static bool line_eq(const lines *a, size_t i, const lines *b, size_t j)
{
    return a->len[i] == b->len[j] && !memcmp(a->p[i], b->p[j], a->len[i]);
}

static void put_line(FILE *o, char c, const lines *l, size_t i)
{
    fputc(c, o);
    fwrite(l->p[i], 1, l->len[i], o);
    if (l->p[i][l->len[i] - 1] != '\n')
        fputs("\n\\ No newline at end of file\n", o);
}

/* Unified diff of a and b, 3 lines of context, by the longest common
 * subsequence of lines (config files are small). */
static void unified(FILE *o, const char *name, const char *a_text, const char *b_text)
{
    lines a, b;
    split(a_text, &a);
    split(b_text, &b);
    size_t n = a.n, m = b.n;
    unsigned *L = xcalloc((n + 1) * (m + 1), sizeof *L);
#define LCS(i, j) L[(i) * (m + 1) + (j)]
    for (size_t i = n; i-- > 0;)
        for (size_t j = m; j-- > 0;)
            LCS(i, j) = line_eq(&a, i, &b, j) ? LCS(i + 1, j + 1) + 1
                        : LCS(i + 1, j) > LCS(i, j + 1) ? LCS(i + 1, j) : LCS(i, j + 1);
    /* the edit script: ops ' ', '-', '+' with their line indices */
    size_t cap = n + m + 1, k = 0;
    char *op = xmalloc(cap);
    size_t *ai = xmalloc(cap * sizeof *ai), *bi = xmalloc(cap * sizeof *bi);
    size_t i = 0, j = 0;
    while (i < n || j < m) {
        if (i < n && j < m && line_eq(&a, i, &b, j))
            op[k] = ' ', ai[k] = i++, bi[k] = j++;
        else if (i < n && (j == m || LCS(i + 1, j) >= LCS(i, j + 1)))
            op[k] = '-', ai[k] = i++, bi[k] = j;
        else
            op[k] = '+', ai[k] = i, bi[k] = j++;
        k++;
    }
    fprintf(o, "--- a/%s\n+++ b/%s\n", name, name);
    size_t x = 0;
    while (x < k) {
        while (x < k && op[x] == ' ')
            x++;
        if (x == k)
            break;
        size_t start = x >= 3 ? x - 3 : 0, end = x;
        /* extend the hunk while changes come within 6 lines */
        for (size_t y = x; y < k; y++)
            if (op[y] != ' ') {
                end = y;
            } else if (y - end > 6)
                break;
        size_t stop = end + 4 < k ? end + 4 : k;
        size_t na = 0, nb = 0;
        for (size_t y = start; y < stop; y++) {
            na += op[y] != '+';
            nb += op[y] != '-';
        }
        fprintf(o, "@@ -%zu,%zu +%zu,%zu @@\n", ai[start] + (na ? 1 : 0), na, bi[start] + (nb ? 1 : 0), nb);
        for (size_t y = start; y < stop; y++) {
            if (op[y] == '+')
                put_line(o, '+', &b, bi[y]);
            else
                put_line(o, op[y], &a, ai[y]);
        }
        x = stop;
    }
#undef LCS
    free(L);
    free(op);
    free(ai);
    free(bi);
    free(a.p);
    free(a.len);
    free(b.p);
    free(b.len);
}

/* ---- the whole fix -------------------------------------------------------------------- */

static int mkdirs(const char *path)
{
    char buf[1024];
    snprintf(buf, sizeof buf, "%s", path);
    for (char *p = buf + 1; *p; p++)
        if (*p == '/') {
            *p = 0;
            if (mkdir(buf, 0777) < 0 && errno != EEXIST)
                return -1;
            *p = '/';
        }
    return mkdir(buf, 0777) < 0 && errno != EEXIST ? -1 : 0;
}

/* A file name from a fix's name: "retry budget (Finagle, 20%)" -> "retry-budget-finagle-20". */
static void slug(const char *name, char *out, size_t size)
{
    size_t n = 0;
    bool dash = false;
    for (const char *p = name; *p && n + 1 < size; p++) {
        if (isalnum((unsigned char)*p)) {
            if (dash && n)
                out[n++] = '-';
            out[n++] = (char)tolower((unsigned char)*p);
            dash = false;
        } else
            dash = true;
    }
    out[n] = 0;
}

/* A path inside DIR for a source path: no leading '/', no "..". */
static void safe_rel(const char *path, char *out, size_t size)
{
    size_t n = 0;
    for (const char *p = path; *p && n + 1 < size;) {
        if (*p == '/') {
            p++;
            continue;
        }
        if (!strncmp(p, "../", 3) || !strcmp(p, "..")) {
            p += 2;
            continue;
        }
        while (*p && *p != '/' && n + 1 < size)
            out[n++] = *p++;
        if (*p == '/' && n + 1 < size)
            out[n++] = '/';
    }
    while (n && out[n - 1] == '/')
        n--;
    out[n] = 0;
}

/* The header line `eddy import -o` writes: where the `# from` paths are
 * relative to, from the model's directory. */
static const char base_mark[] = "# Paths in `# from` comments are relative to ";

/* Where to read a `# from` path: relative to the directory the model's
 * header names (from the model's own directory), or, for a model without
 * that line (written to stdout), the working directory if the file is
 * there, else the model's directory. */
static void resolve(const char *model_path, const char *mtext, const char *rel, char *out, size_t size)
{
    if (rel[0] == '/') {
        snprintf(out, size, "%s", rel);
        return;
    }
    char dir[1024];
    const char *slash = strrchr(model_path, '/');
    snprintf(dir, sizeof dir, "%.*s", slash ? (int)(slash - model_path) : 1, slash ? model_path : ".");
    const char *b = strstr(mtext, base_mark);
    if (b) {
        b += strlen(base_mark);
        size_t n = strcspn(b, " \n");
        snprintf(out, size, "%s/%.*s/%s", dir, (int)n, b, rel);
        return;
    }
    struct stat st;
    if (stat(rel, &st) == 0)
        snprintf(out, size, "%s", rel);
    else
        snprintf(out, size, "%s/%s", dir, rel);
}

/* The file at `rel`, read once. */
static srcfile *open_src(srcfile *files, size_t *nfiles, const char *rel, const char *path, eddy_error *err)
{
    for (size_t k = 0; k < *nfiles; k++)
        if (!strcmp(files[k].rel, rel))
            return &files[k];
    if (*nfiles == 16)
        return NULL;
    size_t l;
    char *t = ysafe_read_file(path, &l, err);
    if (!t)
        return NULL;
    /* The file is edited line by line, counting '\n'; YAML also breaks
     * lines at a lone '\r' and at the Unicode NEL, LS and PS, so the line
     * numbers read from it would point elsewhere and the edit would land
     * in the wrong place (found by fuzz_emit). */
    int line = 1;
    const char *bol = t;
    for (const char *c = t, *end = t + l; c < end; c++) {
        size_t b = ysafe_break_len(c, end);
        if (!b)
            continue;
        if (c[0] != '\n' && !(c[0] == '\r' && b == 2)) {
            int col = (int)(c - bol) + 1;
            free(t);
            err_set(err, path, line, col,
                    "a line break other than \\n or \\r\\n (a lone carriage return, or Unicode NEL, LS or PS): "
                    "--emit edits the file line by line and needs \\n or \\r\\n");
            return NULL;
        }
        c += b - 1;
        bol = c + 1;
        line++;
    }
    srcfile *f = &files[(*nfiles)++];
    memset(f, 0, sizeof *f);
    f->path = xstrdup(path);
    f->rel = xstrdup(rel);
    f->orig = t;
    f->text = xstrdup(t);
    const char *q = t;
    while (isspace((unsigned char)*q))
        q++;
    f->json = *q == '{' || *q == '[';
    return f;
}

static double scalar_seconds(yaml_node_t *n)
{
    simtime t;
    if (!n || n->type != YAML_SCALAR_NODE || units_duration((char *)n->data.scalar.value, &t) < 0)
        return 0;
    return (double)t / T_SEC;
}

int imp_emit(const char *model_path, imp_kind format, const char *fix_name, const emit_change *ch, size_t nch,
             const char *outdir, emit_result *res, eddy_error *err)
{
    memset(res, 0, sizeof *res);
    size_t mlen;
    char *mtext = ysafe_read_file(model_path, &mlen, err);
    if (!mtext)
        return -1;
    yaml_document_t md;
    if (ysafe_load(mtext, mlen, model_path, &md, err) < 0) {
        free(mtext);
        return -1;
    }
    importer im; /* for service names: the aliases are in the model already */
    imp_init(&im);
    srcfile files[16];
    size_t nfiles = 0;
    int rc = 0;
    yaml_node_t *root = yaml_document_get_root_node(&md);
    char offcall[1024] = "";
    for (size_t i = 0; i < nch && rc == 0; i++) {
        /* the call: clients.X or services.S.calls.I */
        char segs[8][128];
        int ns = 0;
        const char *p = ch[i].path;
        while (*p && ns < 8) {
            size_t l = strcspn(p, ".");
            snprintf(segs[ns++], sizeof segs[0], "%.*s", (int)l, p);
            p += l + (p[l] == '.');
        }
        yaml_node_t *call = NULL;
        int keyfrom = 0;
        const char *caller = NULL;
        if (ns >= 3 && !strcmp(segs[0], "clients")) {
            call = emit_get(&md, emit_get(&md, root, "clients"), segs[1]);
            keyfrom = 2;
            caller = segs[1];
        } else if (ns >= 5 && !strcmp(segs[0], "services") && !strcmp(segs[2], "calls")) {
            call = emit_item(&md, emit_get(&md, emit_get(&md, emit_get(&md, root, "services"), segs[1]), "calls"),
                             atol(segs[3]));
            keyfrom = 4;
            caller = segs[1];
        }
        if (!call) {
            size_t l = strlen(offcall);
            snprintf(offcall + l, sizeof offcall - l, "%s%s: %s", l ? "; " : "", ch[i].path, ch[i].value);
            continue;
        }
        yaml_node_t *to = emit_get(&md, call, keyfrom == 2 ? "call" : "to");
        const char *callee = to && to->type == YAML_SCALAR_NODE ? (char *)to->data.scalar.value : "?";
        char key[256] = "", value[512];
        for (int k = keyfrom; k < ns; k++) {
            size_t l = strlen(key);
            snprintf(key + l, sizeof key - l, "%s%s", l ? "." : "", segs[k]);
        }
        snprintf(value, sizeof value, "%s", ch[i].value);
        /* one key of a breaker, bulkhead or pool: as that mechanism with one key */
        static const char *const whole[] = {"breaker.", "bulkhead.", "pool."};
        for (int w = 0; w < 3; w++)
            if (!strncmp(key, whole[w], strlen(whole[w]))) {
                snprintf(value, sizeof value, "{%s: %s}", key + strlen(whole[w]), ch[i].value);
                key[strlen(whole[w]) - 1] = 0;
            }
        yaml_node_t *at = emit_get(&md, emit_get(&md, call, "retry"), "attempts");
        change c = {.key = key,
                    .value = value,
                    .callee = callee,
                    .total = at && at->type == YAML_SCALAR_NODE ? atol((char *)at->data.scalar.value) : 1,
                    .timeout = scalar_seconds(emit_get(&md, call, "timeout"))};
        /* the files of the asked format among those the call came from */
        char found[16][512];
        int flines[16][EMIT_MAX_LINES], nlines[16];
        int nf = sources(mtext, (int)call->start_mark.line + 1, (int)call->end_mark.line + 1, found, flines, nlines,
                         16);
        srcfile *cand[16];
        int cand_src[16], ncand = 0;
        for (int k = 0; k < nf; k++) {
            char path[1200];
            resolve(model_path, mtext, found[k], path, sizeof path);
            FILE *probe = fopen(path, "r");
            if (!probe) {
                emit_note(res, "cannot read %s, which the model names (looked for %s)", found[k], path);
                continue;
            }
            fclose(probe);
            if (file_kind(path) != format)
                continue;
            srcfile *f = open_src(files, &nfiles, found[k], path, err);
            if (!f && nfiles < 16) {
                rc = -1;
                break;
            }
            if (f) {
                cand_src[ncand] = k;
                cand[ncand++] = f;
            }
        }
        /* first where the format has what the change edits; then (a
         * second pass) where it may add it */
        int got = 1;
        for (int pass = 0; pass < 2 && got == 1 && rc == 0; pass++) {
            c.create = pass == 1;
            for (int k = 0; k < ncand && got == 1; k++) {
                c.lines = flines[cand_src[k]];
                c.nlines = nlines[cand_src[k]];
                got = emit_format(format, cand[k], &im, &c, res, err);
                if (got < 0)
                    rc = -1;
            }
        }
        if (rc == 0 && got == 1)
            emit_note(res, "%s: no %s file configures calls %s -> %s in what %s needs (the model's # from comments "
                           "name none); %s = %s is not written",
                      fix_name, imp_kind_name(format), caller, callee, key, key, value);
    }
    if (*offcall)
        emit_note(res, "not changes to a call's policy, so not %s config: %s", imp_kind_name(format), offcall);
    /* write what changed */
    char sl[160];
    slug(fix_name, sl, sizeof sl);
    FILE *patch = NULL;
    for (size_t k = 0; k < nfiles && rc == 0; k++) {
        if (!strcmp(files[k].orig, files[k].text))
            continue;
        char rel[512], out[1200];
        safe_rel(files[k].rel, rel, sizeof rel);
        snprintf(out, sizeof out, "%s/%s/%s", outdir, sl, rel);
        char *slash = strrchr(out, '/');
        *slash = 0;
        if (mkdirs(out) < 0) {
            rc = err_set(err, out, 0, 0, "cannot make the directory: %s", strerror(errno));
            break;
        }
        *slash = '/';
        FILE *fp = fopen(out, "w");
        if (!fp) {
            rc = err_set(err, out, 0, 0, "cannot write: %s", strerror(errno));
            break;
        }
        fputs(files[k].text, fp);
        fclose(fp);
        if (!patch) {
            char pp[1200];
            snprintf(pp, sizeof pp, "%s/%s.patch", outdir, sl);
            if (mkdirs(outdir) < 0 || !(patch = fopen(pp, "w"))) {
                rc = err_set(err, pp, 0, 0, "cannot write: %s", strerror(errno));
                break;
            }
            /* the notes head the patch: JSON files cannot carry them */
            fprintf(patch, "# eddy fix --emit %s: %s\n", imp_kind_name(format), fix_name);
            for (size_t n = 0; n < res->nnotes; n++)
                fprintf(patch, "# note: %s\n", res->notes[n]);
        }
        unified(patch, rel, files[k].orig, files[k].text);
        char **nv = xrealloc(res->files, (res->nfiles + 1) * sizeof *nv);
        nv[res->nfiles] = xstrdup(out);
        res->files = nv;
        res->nfiles++;
    }
    if (patch)
        fclose(patch);
    for (size_t k = 0; k < nfiles; k++) {
        free(files[k].path);
        free(files[k].rel);
        free(files[k].orig);
        free(files[k].text);
    }
    imp_free(&im);
    yaml_document_delete(&md);
    free(mtext);
    return rc;
}
