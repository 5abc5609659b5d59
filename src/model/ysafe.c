/* ysafe.c -- YAML within limits, and libyaml's errors in plain words. */
#include "ysafe.h"
#include "../core/xalloc.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- the offending line, with a caret under the column ---------------------- */

/* The length of the line break at p (0: none starts there).  Lines are
 * counted as libyaml counts them: \r\n, \r and \n break a line, and so do
 * the Unicode NEL, LS and PS (a file saved with \r alone is one line to a
 * reader that only looks for \n). */
size_t ysafe_break_len(const char *p, const char *end)
{
    const unsigned char *u = (const unsigned char *)p;
    size_t left = (size_t)(end - p);
    if (u[0] == '\r')
        return left > 1 && u[1] == '\n' ? 2 : 1;
    if (u[0] == '\n')
        return 1;
    if (u[0] == 0xC2 && left > 1 && u[1] == 0x85)
        return 2;
    if (u[0] == 0xE2 && left > 2 && u[1] == 0x80 && (u[2] == 0xA8 || u[2] == 0xA9))
        return 3;
    return 0;
}

/* The start of 0-based line `line` of text, or NULL if it has fewer lines. */
static const char *line_at(const char *text, size_t len, size_t line)
{
    const char *p = text, *end = text + len;
    for (size_t l = 0; l < line;) {
        if (p >= end)
            return NULL;
        size_t b = ysafe_break_len(p, end);
        p += b ? b : 1;
        l += b != 0;
    }
    return p;
}

/* Where the line starting at p ends: its line break, or the end of text. */
static const char *line_end(const char *p, const char *end)
{
    while (p < end && !ysafe_break_len(p, end))
        p++;
    return p;
}

/* "\n   12 | text\n      |    ^" for 0-based line and column (in characters). */
static void show_line(const char *text, size_t len, size_t line, size_t col, char *out, size_t size)
{
    out[0] = 0;
    const char *p = line_at(text, len, line), *end = text + len;
    if (!p)
        return;
    const char *eol = line_end(p, end);
    /* at most 100 characters of it, around the column */
    char buf[512];
    size_t b = 0, c = 0, caret = 0, skip = col > 60 ? col - 40 : 0;
    if (skip)
        b += (size_t)snprintf(buf, sizeof buf, "...");
    for (const char *q = p; q < eol && b + 8 < sizeof buf && c < skip + 100; q++) {
        unsigned char ch = (unsigned char)*q;
        bool lead = (ch & 0xC0) != 0x80; /* a character starts here (UTF-8) */
        if (lead && c == col)
            caret = (skip ? 3 : 0) + (c - skip);
        if (lead)
            c++;
        if (c <= skip)
            continue;
        if (ch == '\t') {
            memcpy(buf + b, "\xe2\x86\x92", 3); /* a tab shows as an arrow, one column wide */
            b += 3;
        } else {
            buf[b++] = (char)ch;
        }
    }
    buf[b] = 0;
    if (col >= c)
        caret = (skip ? 3 : 0) + (col - skip);
    if (caret > 200)
        caret = 200;
    char spaces[256];
    memset(spaces, ' ', caret);
    spaces[caret] = 0;
    snprintf(out, size, "\n %5zu | %s\n       | %s^", line + 1, buf, spaces);
}

/* ---- libyaml's problems, in plain words --------------------------------------- */

static int yaml_error(const yaml_parser_t *P, const char *text, size_t len, const char *file, eddy_error *err)
{
    /* libyaml has no allocation hook: its out of memory arrives here, with
     * no problem text, and must not read as a syntax error. */
    if (P->error == YAML_MEMORY_ERROR)
        return err_set(err, file, 0, 0, "out of memory reading the YAML");
    const char *problem = P->problem ? P->problem : "syntax error";
    const char *context = P->context ? P->context : "";
    size_t line = P->problem_mark.line, col = P->problem_mark.column;
    char words[512];
    const char *at = line_at(text, len, line);
    if (!at)
        at = text + len;
    const char *eol = line_end(at, text + len);
    /* the character libyaml stopped at (eol if it stopped at the line's end) */
    const char *ch = at;
    for (size_t c = 0; c < col && ch < eol; ch++)
        if (((unsigned char)*ch & 0xC0) != 0x80)
            c++;
    bool tab_here = ch < eol && *ch == '\t';
    int cl = (int)P->context_mark.line + 1, cc = (int)P->context_mark.column + 1;

    if (tab_here ||
        (strstr(problem, "cannot start any token") && memchr(at, '\t', (size_t)(ch - at) + (ch < eol))))
        snprintf(words, sizeof words,
                 "a tab character; YAML indents with spaces only. Replace the tab with spaces");
    else if (strstr(problem, "cannot start any token") && ch < eol && (*ch == '@' || *ch == '`'))
        snprintf(words, sizeof words, "'%c' is reserved in YAML and cannot start a value; put the value in quotes",
                 *ch);
    else if (!strcmp(problem, "mapping values are not allowed in this context"))
        snprintf(words, sizeof words,
                 "a ':' here does not fit the indentation: indent this line like the keys beside it, or quote a "
                 "value that holds ': '");
    else if (!strcmp(problem, "did not find expected key") && strstr(context, "block mapping"))
        snprintf(words, sizeof words,
                 "inconsistent indentation: this line is indented differently from the keys of the mapping that "
                 "starts at line %d, column %d",
                 cl, cc);
    else if (strstr(problem, "did not find expected ',' or '}'"))
        snprintf(words, sizeof words,
                 "an unclosed '{': the flow mapping opened at line %d, column %d needs a '}' (or a ',' between its "
                 "entries)",
                 cl, cc);
    else if (strstr(problem, "did not find expected ',' or ']'"))
        snprintf(words, sizeof words,
                 "an unclosed '[': the flow list opened at line %d, column %d needs a ']' (or a ',' between its items)",
                 cl, cc);
    else if (strstr(problem, "block sequence entries are not allowed"))
        snprintf(words, sizeof words,
                 "a list item '- ' here does not fit the indentation: indent it under the key it belongs to");
    else if (strstr(context, "quoted scalar"))
        snprintf(words, sizeof words, "a quoted string that starts at line %d, column %d is not closed", cl, cc);
    else if (strstr(problem, "undefined alias"))
        snprintf(words, sizeof words, "an alias (*name) with no anchor (&name) defined before it");
    else if (strstr(problem, "did not find expected <document start>"))
        snprintf(words, sizeof words, "text after the end of the document");
    else
        snprintf(words, sizeof words, "a syntax error");
    char shown[768];
    show_line(text, len, line, col, shown, sizeof shown);
    return err_set(err, file, (int)line + 1, (int)col + 1, "not valid YAML: %s (libyaml: %s%s%s)%s", words, problem, *context ? " " : "",
                   context, shown);
}

static int limit_error(const char *text, size_t len, const char *file, yaml_mark_t m, eddy_error *err,
                       const char *what)
{
    char shown[768];
    show_line(text, len, m.line, m.column, shown, sizeof shown);
    return err_set(err, file, (int)m.line + 1, (int)m.column + 1, "%s%s", what, shown);
}

/* ---- the event pass ------------------------------------------------------------ */

/* Anchors and the size of what each stands for, in a small hash, so an
 * alias adds its anchor's expanded size in one step. */
typedef struct anchor {
    char *name;
    long size;
} anchor;

typedef struct anchors {
    anchor *v;
    size_t n, cap;
} anchors;

static size_t hash(const char *s)
{
    size_t h = 1469598103934665603u;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211u;
    return h;
}

static anchor *anchor_slot(anchors *A, const char *name, bool add)
{
    if (add && 2 * (A->n + 1) > A->cap) {
        anchors B = {xcalloc(A->cap ? 2 * A->cap : 64, sizeof(anchor)), 0, A->cap ? 2 * A->cap : 64};
        for (size_t i = 0; i < A->cap; i++)
            if (A->v[i].name) {
                size_t j = hash(A->v[i].name) & (B.cap - 1);
                while (B.v[j].name)
                    j = (j + 1) & (B.cap - 1);
                B.v[j] = A->v[i];
                B.n++;
            }
        free(A->v);
        *A = B;
    }
    if (!A->cap)
        return NULL;
    size_t j = hash(name) & (A->cap - 1);
    while (A->v[j].name && strcmp(A->v[j].name, name))
        j = (j + 1) & (A->cap - 1);
    if (!A->v[j].name && add) {
        A->v[j].name = xstrdup(name);
        A->n++;
    }
    return A->v[j].name ? &A->v[j] : NULL;
}

static void anchors_free(anchors *A)
{
    for (size_t i = 0; i < A->cap; i++)
        free(A->v[i].name);
    free(A->v);
}

/* Read every event of text, checking the limits; 0 or -1 with err. */
static int scan(const char *text, size_t len, const char *file, eddy_error *err)
{
    yaml_parser_t P;
    if (!yaml_parser_initialize(&P))
        return err_set(err, file, 0, 0, "out of memory");
    yaml_parser_set_input_string(&P, (const unsigned char *)text, len);
    anchors A = {0};
    struct {
        const char *anchor;
        long start;
    } stack[YSAFE_MAX_DEPTH + 1];
    char *stack_anchor[YSAFE_MAX_DEPTH + 1];
    int depth = 0, docs = 0, rc = 0;
    long nodes = 0;
    for (bool done = false; !done && rc == 0;) {
        yaml_event_t e;
        if (!yaml_parser_parse(&P, &e)) {
            rc = yaml_error(&P, text, len, file, err);
            break;
        }
        char what[512];
        switch (e.type) {
        case YAML_STREAM_END_EVENT:
            done = true;
            break;
        case YAML_DOCUMENT_START_EVENT:
            if (++docs > 1)
                rc = limit_error(text, len, file, e.start_mark, err,
                                 "a second YAML document (after '---'); a model file holds one document, so remove "
                                 "the '---' line and everything after it, or put it in its own file");
            break;
        case YAML_SCALAR_EVENT:
            if (e.data.scalar.length > YSAFE_MAX_SCALAR) {
                snprintf(what, sizeof what, "a value of %zu bytes; the limit is %ld bytes (64 KiB) for one key or value",
                         e.data.scalar.length, YSAFE_MAX_SCALAR);
                rc = limit_error(text, len, file, e.start_mark, err, what);
            }
            nodes++;
            if (rc == 0 && e.data.scalar.anchor)
                anchor_slot(&A, (const char *)e.data.scalar.anchor, true)->size = 1;
            break;
        case YAML_ALIAS_EVENT: {
            /* An alias inside the node its anchor names (`a: &x [*x]`) makes
             * libyaml's tree a cycle, which every walk of it would follow
             * without end (fuzzing found a patch merge stuck in one). */
            for (int d = 0; d < depth && rc == 0; d++)
                if (stack_anchor[d] && !strcmp(stack_anchor[d], (const char *)e.data.alias.anchor)) {
                    snprintf(what, sizeof what,
                             "the alias *%.60s is inside the node its anchor &%.60s names, which would make it "
                             "contain itself without end; refer to the anchor only after its node is closed",
                             (const char *)e.data.alias.anchor, (const char *)e.data.alias.anchor);
                    rc = limit_error(text, len, file, e.start_mark, err, what);
                }
            anchor *a = anchor_slot(&A, (const char *)e.data.alias.anchor, false);
            nodes += a ? a->size : 1; /* an unknown alias: the loader says so */
            break;
        }
        case YAML_SEQUENCE_START_EVENT:
        case YAML_MAPPING_START_EVENT: {
            if (depth == YSAFE_MAX_DEPTH) {
                snprintf(what, sizeof what,
                         "nested more than %d deep (mappings and lists inside each other); a model needs far fewer "
                         "levels, so the file is refused before it is read further",
                         YSAFE_MAX_DEPTH);
                rc = limit_error(text, len, file, e.start_mark, err, what);
                break;
            }
            const yaml_char_t *an = e.type == YAML_SEQUENCE_START_EVENT ? e.data.sequence_start.anchor
                                                                        : e.data.mapping_start.anchor;
            stack_anchor[depth] = an ? xstrdup((const char *)an) : NULL;
            stack[depth].start = nodes;
            depth++;
            nodes++;
            break;
        }
        case YAML_SEQUENCE_END_EVENT:
        case YAML_MAPPING_END_EVENT:
            depth--;
            if (stack_anchor[depth]) {
                anchor_slot(&A, stack_anchor[depth], true)->size = nodes - stack[depth].start;
                free(stack_anchor[depth]);
            }
            break;
        default:
            break;
        }
        if (rc == 0 && nodes > YSAFE_MAX_NODES) {
            snprintf(what, sizeof what,
                     "aliases expand the document to more than %ld nodes (a \"billion laughs\"); use fewer aliases "
                     "(*name) of large anchors",
                     YSAFE_MAX_NODES);
            rc = limit_error(text, len, file, e.start_mark, err, what);
        }
        yaml_event_delete(&e);
    }
    while (depth > 0)
        free(stack_anchor[--depth]);
    anchors_free(&A);
    yaml_parser_delete(&P);
    return rc;
}

int ysafe_load(const char *text, size_t len, const char *file, yaml_document_t *doc, eddy_error *err)
{
    memset(doc, 0, sizeof *doc);
    if (scan(text, len, file, err) < 0)
        return -1;
    yaml_parser_t P;
    if (!yaml_parser_initialize(&P))
        return err_set(err, file, 0, 0, "out of memory");
    yaml_parser_set_input_string(&P, (const unsigned char *)text, len);
    int rc = 0;
    if (!yaml_parser_load(&P, doc)) {
        rc = yaml_error(&P, text, len, file, err);
        memset(doc, 0, sizeof *doc);
    }
    yaml_parser_delete(&P);
    return rc;
}

char *ysafe_read_file(const char *path, size_t *len, eddy_error *err)
{
    FILE *fp = fopen(path, "rb");
    if (!fp) {
        err_set(err, path, 0, 0, "cannot open: %s", strerror(errno));
        return NULL;
    }
    size_t cap = 1 << 16, n = 0;
    char *buf = xmalloc(cap);
    for (;;) {
        n += fread(buf + n, 1, cap - n - 1, fp);
        if (n < cap - 1)
            break;
        if ((long)cap > YSAFE_MAX_BYTES) {
            free(buf);
            fclose(fp);
            err_set(err, path, 0, 0, "the file is larger than %ld MiB, the limit for a model or patch",
                    YSAFE_MAX_BYTES >> 20);
            return NULL;
        }
        cap *= 2;
        buf = xrealloc(buf, cap);
    }
    if (ferror(fp)) {
        free(buf);
        fclose(fp);
        err_set(err, path, 0, 0, "cannot read: %s", strerror(errno));
        return NULL;
    }
    fclose(fp);
    buf[n] = 0;
    *len = n;
    return buf;
}
