/* mermaid.c -- reading causal loop diagrams from Mermaid flowcharts.
 *
 * A hand-written scanner over one line at a time (Mermaid statements never
 * span lines), with a cursor so every error can name its column.  Only the
 * subset in mermaid.h is accepted; anything else is an error rather than
 * being skipped, because a silently dropped link is a silently wrong loop
 * count. */
#include "mermaid.h"

#include <ctype.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util.h"

typedef struct mp {
    cld_graph *g;
    const char *file;
    eddy_error *err;
    int line;
    const char *s; /* the current line, NUL-terminated, without "\r\n" */
    bool header;
    bool not_flowchart_ok; /* in Markdown: report other diagram types */
    bool lenient;          /* record unsigned links instead of failing */
    int nsigned, nunsigned;
    eddy_error first_unsigned;
    int sg_line[64], sg_col[64]; /* open subgraphs, for the unclosed error */
    int nsg;
} mp;

#define NOT_FLOWCHART 1

static int fail(mp *P, size_t i, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int fail(mp *P, size_t i, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    err_vset(P->err, P->file, P->line, (int)i + 1, fmt, ap);
    va_end(ap);
    return -1;
}

static bool is_id_char(unsigned char c) { return isalnum(c) || c == '_' || c >= 0x80; }

static void skip_ws(const char *s, size_t *i)
{
    while (s[*i] == ' ' || s[*i] == '\t')
        (*i)++;
}

/* A short excerpt of s at i for "unexpected ..." messages. */
static char *excerpt(const char *s, size_t i)
{
    size_t n = 0;
    while (s[i + n] && n < 24)
        n++;
    return lu_strndup(s + i, n);
}

/* ---- labels ------------------------------------------------------------- */

/* Labels are written for Mermaid's renderer: <br/> breaks lines and #quot;
 * escapes a quote.  Names in eddy's output are single-line plain text. */
static char *clean_label(const char *s, size_t n)
{
    lu_buf b = {0};
    for (size_t i = 0; i < n;) {
        if (s[i] == '<' && (i + 3 <= n) && (s[i + 1] == 'b' || s[i + 1] == 'B') &&
            (s[i + 2] == 'r' || s[i + 2] == 'R')) {
            size_t j = i + 3;
            while (j < n && s[j] != '>')
                j++;
            if (j < n) {
                lu_buf_add(&b, " ");
                i = j + 1;
                continue;
            }
        }
        static const struct {
            const char *code, *text;
        } ent[] = {{"#quot;", "\""}, {"#amp;", "&"}, {"#lt;", "<"}, {"#gt;", ">"}, {"#35;", "#"}};
        bool done = false;
        for (size_t k = 0; k < sizeof ent / sizeof ent[0] && !done; k++) {
            size_t m = strlen(ent[k].code);
            if (i + m <= n && !strncmp(s + i, ent[k].code, m)) {
                lu_buf_add(&b, ent[k].text);
                i += m;
                done = true;
            }
        }
        if (done)
            continue;
        lu_buf_addn(&b, s + i, 1);
        i++;
    }
    /* collapse whitespace and trim */
    char *t = lu_buf_take(&b);
    size_t w = 0;
    bool space = true;
    for (size_t r = 0; t[r]; r++) {
        if (t[r] == ' ' || t[r] == '\t') {
            if (!space)
                t[w++] = ' ';
            space = true;
        } else {
            t[w++] = t[r];
            space = false;
        }
    }
    while (w && t[w - 1] == ' ')
        w--;
    t[w] = 0;
    return t;
}

/* Find the polarity (and delay mark) in a link label.  Returns 1 with
 * *sign set, 0 if the label has no polarity, -1 if it has two that
 * disagree.  *note gets what is left of the label. */
static int parse_polarity(const char *label, int *sign, bool *delay, char **note)
{
    /* Normalise the minus signs people paste from documents. */
    lu_buf b = {0};
    for (const char *p = label; *p;) {
        if (!strncmp(p, "\xe2\x88\x92", 3) || !strncmp(p, "\xe2\x80\x93", 3)) {
            lu_buf_add(&b, "-");
            p += 3;
        } else {
            lu_buf_addn(&b, p, 1);
            p++;
        }
    }
    char *t = lu_buf_take(&b);
    int found = 0;
    *delay = false;
    char *d = strstr(t, "||");
    if (d) {
        *delay = true;
        d[0] = d[1] = ' ';
    }
    /* (+) or (-), possibly with spaces inside the parentheses */
    for (char *p = t; *p; p++) {
        if (*p != '(')
            continue;
        char *q = p + 1;
        while (*q == ' ')
            q++;
        if (*q != '+' && *q != '-')
            continue;
        int sg = *q == '+' ? 1 : -1;
        q++;
        while (*q == ' ')
            q++;
        if (*q != ')')
            continue;
        if (found && sg != *sign) {
            free(t);
            return -1;
        }
        found = 1;
        *sign = sg;
        memset(p, ' ', (size_t)(q - p + 1));
        p = q;
    }
    if (!found) {
        /* a bare + or - as the first or last word */
        char *p = t;
        while (*p == ' ')
            p++;
        if ((*p == '+' || *p == '-') && (p[1] == ' ' || p[1] == 0)) {
            found = 1;
            *sign = *p == '+' ? 1 : -1;
            *p = ' ';
        } else {
            size_t n = strlen(t);
            while (n && t[n - 1] == ' ')
                n--;
            if (n && (t[n - 1] == '+' || t[n - 1] == '-') && (n == 1 || t[n - 2] == ' ')) {
                found = 1;
                *sign = t[n - 1] == '+' ? 1 : -1;
                t[n - 1] = ' ';
            }
        }
    }
    for (char *p = t; *p; p++) {
        if (!strncasecmp(p, "delay", 5) && (p == t || !isalnum((unsigned char)p[-1])))
            *delay = true;
    }
    *note = clean_label(t, strlen(t));
    free(t);
    return found;
}

/* ---- nodes -------------------------------------------------------------- */

static const struct {
    const char *open, *close;
} shapes[] = {
    {"(((", ")))"}, {"((", "))"}, {"([", "])"}, {"[[", "]]"}, {"[(", ")]"}, {"[/", "/]"},
    {"[\\", "\\]"}, {"{{", "}}"}, {"(", ")"},   {"[", "]"},   {"{", "}"},   {">", "]"},
};

/* Parse one variable: an id, an optional shape with a label, an optional
 * :::class.  Returns its index or -1. */
static int parse_node(mp *P, size_t *i)
{
    const char *s = P->s;
    size_t start = *i;
    while (is_id_char((unsigned char)s[*i]))
        (*i)++;
    if (*i == start) {
        char *x = excerpt(s, start);
        int r = *x ? fail(P, start, "expected a variable (an id such as Load, or Load[\"Load\"]); got '%s'", x)
                   : fail(P, start,
                          "expected a variable (an id such as Load, or Load[\"Load\"]); got the end of "
                          "the line");
        free(x);
        return r;
    }
    char *id = lu_strndup(s + start, *i - start);
    char *label = NULL;
    for (size_t k = 0; k < sizeof shapes / sizeof shapes[0]; k++) {
        size_t m = strlen(shapes[k].open);
        if (strncmp(s + *i, shapes[k].open, m))
            continue;
        size_t open_at = *i;
        size_t j = *i + m;
        /* The slanted shapes also close with the other slant. */
        const char *close = shapes[k].close, *alt = NULL;
        if (!strcmp(close, "/]"))
            alt = "\\]";
        else if (!strcmp(close, "\\]"))
            alt = "/]";
        skip_ws(s, &j);
        if (s[j] == '"') {
            const char *q = strchr(s + j + 1, '"');
            if (!q) {
                int r = fail(P, j, "unterminated label of variable %s: expected a closing '\"'", id);
                free(id);
                return r;
            }
            label = clean_label(s + j + 1, (size_t)(q - (s + j + 1)));
            j = (size_t)(q - s) + 1;
            skip_ws(s, &j);
            size_t cm = strlen(close);
            if (!strncmp(s + j, close, cm))
                j += cm;
            else if (alt && !strncmp(s + j, alt, strlen(alt)))
                j += strlen(alt);
            else {
                int r = fail(P, j,
                             "variable %s: expected '%s' after its label \"%s\" (a quote inside a label is "
                             "written #quot;)",
                             id, close, label);
                free(id);
                free(label);
                return r;
            }
        } else {
            const char *q = strstr(s + j, close);
            if (alt) {
                const char *q2 = strstr(s + j, alt);
                if (q2 && (!q || q2 < q))
                    q = q2;
            }
            if (!q) {
                int r = fail(P, open_at, "unterminated label of variable %s: expected '%s'", id, close);
                free(id);
                return r;
            }
            /* A label that swallowed a link or a quote is really a shape
             * left open: say so, not what comes after it. */
            char *raw = lu_strndup(s + j, (size_t)(q - (s + j)));
            bool swallowed = strchr(raw, '"') || strstr(raw, "->") || strstr(raw, "=>");
            free(raw);
            if (swallowed) {
                int r = fail(P, open_at, "unterminated label of variable %s: expected '%s'", id, close);
                free(id);
                return r;
            }
            label = clean_label(s + j, (size_t)(q - (s + j)));
            j = (size_t)(q - s) + strlen(close);
        }
        *i = j;
        break;
    }
    if (!strncmp(s + *i, ":::", 3)) {
        *i += 3;
        while (is_id_char((unsigned char)s[*i]) || s[*i] == '-')
            (*i)++;
    }
    int v = cld_var_add(P->g, id, label, P->line, (int)start + 1);
    free(id);
    free(label);
    return v;
}

/* A group of variables joined by '&'.  Returns how many (into vs). */
static int parse_group(mp *P, size_t *i, int **vs, size_t *cap)
{
    int n = 0;
    for (;;) {
        skip_ws(P->s, i);
        int v = parse_node(P, i);
        if (v < 0)
            return -1;
        lu_reserve((void **)vs, cap, (size_t)n + 1, sizeof **vs);
        (*vs)[n++] = v;
        size_t j = *i;
        skip_ws(P->s, &j);
        if (P->s[j] != '&')
            return n;
        *i = j + 1;
    }
}

/* ---- links -------------------------------------------------------------- */

static bool is_arrow_char(char c) { return c == '-' || c == '=' || c == '.'; }

/* Read a quoted string at s[*i] == '"'. */
static int read_quoted(mp *P, size_t *i, char **out)
{
    const char *q = strchr(P->s + *i + 1, '"');
    if (!q)
        return fail(P, *i, "unterminated string: expected a closing '\"'");
    *out = lu_strndup(P->s + *i + 1, (size_t)(q - (P->s + *i + 1)));
    *i = (size_t)(q - P->s) + 1;
    return 0;
}

/* Parse a link starting at s[*i].  On success *label is its label text
 * (NULL if it has none). */
static int parse_link(mp *P, size_t *i, const char *from_name, char **label)
{
    const char *s = P->s;
    size_t at = *i;
    *label = NULL;
    if (s[at] == '<')
        return fail(P, at, "a two-way link from %s: a causal link has one direction and one polarity; draw two links",
                    from_name);
    size_t j = at;
    while (is_arrow_char(s[j]))
        j++;
    size_t run = j - at;
    if (run == 0) {
        char *x = excerpt(s, at);
        int r =
            fail(P, at,
                 "unexpected '%s' after %s; expected a link such as -- \"(+)\" --> or -->|\"(-)\"|, or the end of the "
                 "statement",
                 x, from_name);
        free(x);
        return r;
    }
    if (s[j] == '>' && run >= 2) {
        j++;
        size_t k = j;
        skip_ws(s, &k);
        if (s[k] == '|') {
            size_t pipe = k;
            k++;
            skip_ws(s, &k);
            if (s[k] == '"') {
                if (read_quoted(P, &k, label) < 0)
                    return -1;
                skip_ws(s, &k);
                if (s[k] != '|') {
                    free(*label);
                    *label = NULL;
                    return fail(P, k, "link label: expected a closing '|' after the quoted label");
                }
                k++;
            } else {
                const char *q = strchr(s + k, '|');
                if (!q)
                    return fail(P, pipe, "unterminated link label: expected a closing '|'");
                *label = lu_strndup(s + k, (size_t)(q - (s + k)));
                k = (size_t)(q - s) + 1;
            }
            j = k;
        }
        *i = j;
        return 0;
    }
    if ((s[j] == 'o' || s[j] == 'x') && run >= 2 && !is_id_char((unsigned char)s[j + 1]))
        return fail(P, at, "link from %s ends in '%c': circle and cross heads are not causal arrows; use -->",
                    from_name, s[j]);
    bool opener = run == 2 && (!strncmp(s + at, "--", 2) || !strncmp(s + at, "==", 2) || !strncmp(s + at, "-.", 2));
    if (opener && (s[j] == ' ' || s[j] == '\t' || s[j] == '"')) {
        /* inline label: -- text -->, -. text .->, == text ==> */
        size_t k = j;
        skip_ws(s, &k);
        size_t text_end;
        if (s[k] == '"') {
            if (read_quoted(P, &k, label) < 0)
                return -1;
            text_end = k;
            skip_ws(s, &k);
        } else {
            size_t m = k;
            for (; s[m]; m++) {
                if (!is_arrow_char(s[m]))
                    continue;
                size_t e = m;
                while (is_arrow_char(s[e]))
                    e++;
                if (s[e] == '>' && e - m >= 2)
                    break;
            }
            if (!s[m]) {
                /* Say what is wrong: an arrow with no head, or no arrow. */
                const char *open = strstr(s + k, "---");
                if (!open)
                    open = strstr(s + k, "===");
                if (open)
                    return fail(P, (size_t)(open - s),
                                "link from %s has no arrow head; a causal link needs a direction (use -->)", from_name);
                return fail(P, at, "link label opened with '%.2s' after %s is not closed by an arrow such as -->",
                            s + at, from_name);
            }
            text_end = m;
            *label = lu_strndup(s + k, m - k);
            k = m;
        }
        (void)text_end;
        size_t e = k;
        while (is_arrow_char(s[e]))
            e++;
        if (s[e] == '>' && e - k >= 2) {
            *i = e + 1;
            return 0;
        }
        free(*label);
        *label = NULL;
        if (e - k >= 2)
            return fail(P, k, "link from %s has no arrow head; a causal link needs a direction (use -->)", from_name);
        return fail(P, k, "link label after %s: expected a closing arrow such as --> after the label", from_name);
    }
    if (run >= 3)
        return fail(P, at, "link from %s has no arrow head; a causal link needs a direction (use -->)", from_name);
    {
        char *x = excerpt(s, at);
        int r = fail(P, at, "unknown link syntax '%s' after %s; expected -- \"(+)\" --> or -->|\"(-)\"|", x, from_name);
        free(x);
        return r;
    }
}

/* ---- statements --------------------------------------------------------- */

static int add_links(mp *P, const int *from, int nfrom, const int *to, int nto, const char *label, size_t at)
{
    int sign = 0;
    bool delay = false;
    char *note = NULL;
    int found = label ? parse_polarity(label, &sign, &delay, &note) : 0;
    const cld_graph *g = P->g;
    if (found < 0) {
        free(note);
        return fail(P, at, "link %s --> %s has both (+) and (-) in its label '%s'; a link has one polarity",
                    g->vars[from[0]].name, g->vars[to[0]].name, label);
    }
    if (found == 0) {
        eddy_error tmp, *e = P->lenient ? &tmp : P->err;
        if (label && *note)
            err_set(
                e, P->file, P->line, (int)at + 1,
                "link %s --> %s is labelled '%s' but has no polarity; label it (+) or (-), as in A -- \"(+)\" --> B",
                g->vars[from[0]].name, g->vars[to[0]].name, note);
        else
            err_set(e, P->file, P->line, (int)at + 1,
                    "link %s --> %s has no polarity; label it (+) or (-), as in A -- \"(+)\" --> B or A -->|\"(-)\"| B",
                    g->vars[from[0]].name, g->vars[to[0]].name);
        free(note);
        if (!P->lenient)
            return -1;
        if (P->nunsigned++ == 0)
            P->first_unsigned = tmp;
        return 0;
    }
    P->nsigned++;
    for (int a = 0; a < nfrom; a++)
        for (int b = 0; b < nto; b++)
            cld_link_add(P->g, from[a], to[b], sign, delay, note, "", P->line, (int)at + 1);
    free(note);
    return 0;
}

static int parse_statement(mp *P, size_t *i)
{
    int *src = NULL, *dst = NULL;
    size_t capsrc = 0, capdst = 0;
    int rc = -1;
    int nsrc = parse_group(P, i, &src, &capsrc);
    if (nsrc < 0)
        goto out;
    for (;;) {
        skip_ws(P->s, i);
        if (!P->s[*i] || P->s[*i] == ';') {
            rc = 0;
            break;
        }
        size_t at = *i;
        char *label = NULL;
        if (parse_link(P, i, P->g->vars[src[nsrc - 1]].name, &label) < 0)
            goto out;
        int ndst = parse_group(P, i, &dst, &capdst);
        if (ndst < 0 || add_links(P, src, nsrc, dst, ndst, label, at) < 0) {
            free(label);
            goto out;
        }
        free(label);
        /* chains: B is the source of the next link in A --> B --> C */
        int *t = src;
        src = dst;
        dst = t;
        size_t tc = capsrc;
        capsrc = capdst;
        capdst = tc;
        nsrc = ndst;
    }
out:
    free(src);
    free(dst);
    return rc;
}

/* The first word of the statement at s[i], if it is an identifier. */
static size_t word_at(const char *s, size_t i, char *w, size_t size)
{
    size_t n = 0;
    while (is_id_char((unsigned char)s[i + n]))
        n++;
    size_t m = n < size - 1 ? n : size - 1;
    memcpy(w, s + i, m);
    w[m] = 0;
    return n;
}

static bool word_ends(const char *s, size_t i) { return !s[i] || s[i] == ' ' || s[i] == '\t' || s[i] == ';'; }

static int parse_header(mp *P, size_t *i)
{
    char w[64];
    size_t n = word_at(P->s, *i, w, sizeof w);
    if (strcmp(w, "flowchart") && strcmp(w, "graph")) {
        static const char *const others[] = {"sequenceDiagram", "classDiagram", "stateDiagram", "stateDiagram-v2",
                                             "erDiagram",       "gantt",        "pie",          "journey",
                                             "gitGraph",        "mindmap",      "timeline",     "quadrantChart",
                                             "xychart-beta",    "sankey-beta",  "block-beta",   NULL};
        for (int k = 0; others[k]; k++)
            if (!strncmp(P->s + *i, others[k], strlen(others[k]))) {
                if (P->not_flowchart_ok)
                    return NOT_FLOWCHART;
                return fail(P, *i,
                            "this is a Mermaid %s, not a flowchart; eddy reads causal loop diagrams drawn as "
                            "'flowchart TD' or 'graph LR'",
                            others[k]);
            }
        char *x = excerpt(P->s, *i);
        int r = fail(P, *i, "expected a flowchart header such as 'flowchart TD' or 'graph LR'; got '%s'", x);
        free(x);
        return r;
    }
    *i += n;
    skip_ws(P->s, i);
    char d[16];
    size_t dn = word_at(P->s, *i, d, sizeof d);
    if (dn) {
        static const char *const dirs[] = {"TD", "TB", "BT", "RL", "LR", NULL};
        bool ok = false;
        for (int k = 0; dirs[k]; k++)
            ok = ok || !strcmp(d, dirs[k]);
        if (!ok)
            return fail(P, *i, "unknown flowchart direction '%s'; expected TD, TB, BT, RL or LR", d);
        *i += dn;
    }
    P->header = true;
    return 0;
}

static int parse_line(mp *P)
{
    const char *s = P->s;
    size_t i = 0;
    skip_ws(s, &i);
    if (!s[i] || !strncmp(s + i, "%%", 2))
        return 0;
    if (!P->header) {
        int r = parse_header(P, &i);
        if (r)
            return r;
    }
    for (;;) {
        skip_ws(s, &i);
        while (s[i] == ';') {
            i++;
            skip_ws(s, &i);
        }
        if (!s[i] || !strncmp(s + i, "%%", 2))
            return 0;
        char w[32];
        size_t n = word_at(s, i, w, sizeof w);
        if (n && word_ends(s, i + n)) {
            if (!strcmp(w, "subgraph")) {
                if (P->nsg == (int)(sizeof P->sg_line / sizeof P->sg_line[0]))
                    return fail(P, i, "subgraphs nested more than 64 deep");
                P->sg_line[P->nsg] = P->line;
                P->sg_col[P->nsg] = (int)i + 1;
                P->nsg++;
                return 0; /* the title is for the renderer */
            }
            if (!strcmp(w, "end")) {
                if (P->nsg == 0)
                    return fail(P, i, "'end' without a matching 'subgraph'");
                P->nsg--;
                i += n;
                continue;
            }
            if (!strcmp(w, "direction")) {
                i += n;
                skip_ws(s, &i);
                i += word_at(s, i, w, sizeof w);
                continue;
            }
            static const char *const ignored[] = {"classDef", "class",    "style", "linkStyle", "click",
                                                  "accTitle", "accDescr", "title", NULL};
            for (int k = 0; ignored[k]; k++)
                if (!strcmp(w, ignored[k]))
                    return 0;
        }
        if (n && (!strcmp(w, "accTitle") || !strcmp(w, "accDescr")))
            return 0;
        if (parse_statement(P, &i) < 0)
            return -1;
    }
}

static int parse_text(mp *P, const char *text, size_t len, int first_line)
{
    lu_buf b = {0};
    size_t pos = 0;
    int rc = 0;
    P->line = first_line - 1;
    while (pos < len && rc == 0) {
        size_t e = pos;
        while (e < len && text[e] != '\n')
            e++;
        size_t n = e - pos;
        if (n && text[pos + n - 1] == '\r')
            n--;
        b.len = 0;
        lu_buf_addn(&b, text + pos, n);
        if (memchr(text + pos, 0, n)) {
            P->line++;
            rc = fail(P, 0, "the file contains a NUL byte; expected text");
            break;
        }
        size_t bad = lu_utf8_bad(text + pos, n);
        if (bad != (size_t)-1) {
            P->line++;
            rc = fail(P, bad, "byte 0x%02X is not valid UTF-8; expected UTF-8 text (names must survive --json)",
                      (unsigned char)text[pos + bad]);
            break;
        }
        P->line++;
        P->s = b.s;
        rc = parse_line(P);
        pos = e + 1;
    }
    lu_buf_free(&b);
    if (rc)
        return rc;
    if (!P->header)
        return err_set(P->err, P->file, first_line, 1,
                       "empty diagram: expected a flowchart header such as 'flowchart TD' followed by links");
    if (P->nsg > 0)
        return err_set(P->err, P->file, P->sg_line[P->nsg - 1], P->sg_col[P->nsg - 1],
                       "subgraph opened here is never closed: expected 'end'");
    return 0;
}

int mermaid_parse(cld_graph *g, const char *text, size_t len, const char *file, int first_line, eddy_error *err)
{
    mp P = {0};
    P.g = g;
    P.file = file;
    P.err = err;
    return parse_text(&P, text, len, first_line) ? -1 : 0;
}

/* ---- Markdown ------------------------------------------------------------- */

/* Is the line at text[pos..e) a code fence?  Sets *lang to whether it
 * opens a mermaid block. */
static bool is_fence(const char *t, size_t pos, size_t e, bool *mermaid)
{
    while (pos < e && (t[pos] == ' ' || t[pos] == '\t'))
        pos++;
    if (e - pos < 3 || !(strncmp(t + pos, "```", 3) == 0 || strncmp(t + pos, "~~~", 3) == 0))
        return false;
    char c = t[pos];
    while (pos < e && t[pos] == c)
        pos++;
    while (pos < e && t[pos] == ' ')
        pos++;
    *mermaid =
        e - pos >= 7 && !strncmp(t + pos, "mermaid", 7) && (e - pos == 7 || !is_id_char((unsigned char)t[pos + 7]));
    return true;
}

int mermaid_parse_markdown(cld_graph *g, const char *text, size_t len, const char *file, int block, eddy_error *err)
{
    size_t pos = 0;
    int line = 0, nblock = 0, used = 0;
    bool in_code = false, in_mermaid = false;
    size_t body = 0;
    int body_line = 0, fence_line = 0;
    while (pos <= len) {
        size_t e = pos;
        while (e < len && text[e] != '\n')
            e++;
        line++;
        bool mer = false;
        bool fence = pos < len && is_fence(text, pos, e, &mer);
        if (!in_code && fence) {
            in_code = true;
            in_mermaid = mer;
            body = e + 1;
            body_line = line + 1;
            fence_line = line;
        } else if (in_code && fence && !mer) {
            if (in_mermaid) {
                nblock++;
                if (block == 0 || block == nblock) {
                    size_t blen = pos > body ? pos - body : 0;
                    /* Decide on a scratch graph first whether this block is
                     * a causal loop diagram at all. */
                    cld_graph *scratch = cld_new(file);
                    mp P = {0};
                    P.g = scratch;
                    P.file = file;
                    P.err = err;
                    P.not_flowchart_ok = block == 0;
                    P.lenient = block == 0;
                    int r = parse_text(&P, text + body, blen, body_line);
                    cld_free(scratch);
                    if (r < 0)
                        return -1;
                    if (r == NOT_FLOWCHART) {
                        cld_note_add(g, "skipped the mermaid block at line %d: it is not a flowchart", fence_line);
                    } else if (P.nsigned == 0 && P.nunsigned > 0) {
                        cld_note_add(g, "skipped the mermaid block at line %d: none of its links has a polarity",
                                     fence_line);
                    } else if (P.nunsigned > 0) {
                        if (err)
                            *err = P.first_unsigned;
                        return -1;
                    } else {
                        if (mermaid_parse(g, text + body, blen, file, body_line, err) < 0)
                            return -1;
                        used++;
                    }
                }
            }
            in_code = in_mermaid = false;
        }
        if (e >= len)
            break;
        pos = e + 1;
    }
    if (in_code && in_mermaid)
        return err_set(err, file, fence_line, 1, "mermaid block opened here is never closed: expected ```");
    if (block > nblock)
        return err_set(err, file, 0, 0, "asked for mermaid block %d, but the file has %d", block, nblock);
    if (used == 0)
        return err_set(err, file, 0, 0,
                       "no causal loop diagram found: expected a ```mermaid block holding a flowchart whose links are "
                       "labelled (+) or (-)");
    return 0;
}
