/* expr.c -- recursive-descent parser for XMILE equations.
 *
 * Hand-written: the grammar is small, and neither libxml2 nor any Debian
 * library parses XMILE's expression language. */
#include "expr.h"
#include "../core/xalloc.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

enum { T_END, T_NUM, T_ID, T_STR, T_OP };

typedef struct parser {
    const char *s;
    int p;       /* current position */
    int tk;      /* current token */
    int tpos;    /* its start */
    int op;      /* T_OP: the operator */
    double num;
    char *id;    /* T_ID, T_STR */
    int err;
    int errpos;
    char *msg;
    size_t msgsize;
} parser;

ex_node *ex_new(ex_kind kind, int pos)
{
    ex_node *n = xcalloc(1, sizeof *n);
    n->kind = kind;
    n->pos = pos;
    n->slot = -1;
    return n;
}

void ex_add_arg(ex_node *n, ex_node *a)
{
    n->args = xrealloc(n->args, (size_t)(n->nargs + 1) * sizeof *n->args);
    n->args[n->nargs++] = a;
}

void ex_free(ex_node *n)
{
    if (!n)
        return;
    for (int i = 0; i < n->nargs; i++)
        ex_free(n->args[i]);
    free(n->args);
    free(n->name);
    free(n);
}

ex_node *ex_copy(const ex_node *n)
{
    ex_node *c = ex_new(n->kind, n->pos);
    c->op = n->op;
    c->num = n->num;
    c->slot = n->slot;
    if (n->name)
        c->name = xstrdup(n->name);
    for (int i = 0; i < n->nargs; i++)
        ex_add_arg(c, ex_copy(n->args[i]));
    return c;
}

static void px_fail(parser *ps, int pos, const char *fmt, ...)
{
    if (ps->err)
        return;
    ps->err = 1;
    ps->errpos = pos;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(ps->msg, ps->msgsize, fmt, ap);
    va_end(ap);
}

static int px_idchar(int c, int first)
{
    return isalpha(c) || c == '_' || c == '$' || c >= 0x80 || (!first && (isdigit(c) || c == '.'));
}

static void px_next(parser *ps)
{
    const char *s = ps->s;
    free(ps->id);
    ps->id = NULL;
    for (;;) {
        while (isspace((unsigned char)s[ps->p]))
            ps->p++;
        /* {comments} are allowed in XMILE equations */
        if (s[ps->p] == '{') {
            while (s[ps->p] && s[ps->p] != '}')
                ps->p++;
            if (s[ps->p])
                ps->p++;
            continue;
        }
        break;
    }
    ps->tpos = ps->p;
    int c = (unsigned char)s[ps->p];
    if (!c) {
        ps->tk = T_END;
        return;
    }
    if (isdigit(c) || (c == '.' && isdigit((unsigned char)s[ps->p + 1]))) {
        char *e;
        ps->num = strtod(s + ps->p, &e);
        ps->p = (int)(e - s);
        ps->tk = T_NUM;
        return;
    }
    if (c == '"') {
        int q = ++ps->p;
        while (s[ps->p] && s[ps->p] != '"')
            ps->p++;
        if (!s[ps->p]) {
            px_fail(ps, ps->tpos, "unterminated quoted name");
            ps->tk = T_END;
            return;
        }
        ps->id = xstrndup(s + q, (size_t)(ps->p - q));
        ps->p++;
        ps->tk = T_STR;
        return;
    }
    /* ".area": a name in the root model, from inside a module */
    if (px_idchar(c, 1) || (c == '.' && px_idchar((unsigned char)s[ps->p + 1], 1))) {
        int q = ps->p++;
        while (px_idchar((unsigned char)s[ps->p], 0))
            ps->p++;
        ps->id = xstrndup(s + q, (size_t)(ps->p - q));
        ps->tk = T_ID;
        return;
    }
    ps->tk = T_OP;
    ps->p++;
    int d = (unsigned char)s[ps->p];
    ps->op = c;
    if (c == '<' && d == '=')
        ps->op = OP_LE, ps->p++;
    else if (c == '>' && d == '=')
        ps->op = OP_GE, ps->p++;
    else if (c == '<' && d == '>')
        ps->op = OP_NE, ps->p++;
    else if (c == '!' && d == '=')
        ps->op = OP_NE, ps->p++;
    else if (c == '=' && d == '=')
        ps->p++;
    else if (c == '&' && d == '&')
        ps->op = OP_AND, ps->p++;
    else if (c == '|' && d == '|')
        ps->op = OP_OR, ps->p++;
    else if (!strchr("+-*/^()[],;<>=!:@'", c))
        px_fail(ps, ps->tpos, "unexpected character '%c'", c);
}

static int px_kw(parser *ps, const char *kw)
{
    return ps->tk == T_ID && strcasecmp(ps->id, kw) == 0;
}

static int px_is_keyword(const char *id)
{
    static const char *kws[] = {"and", "or", "not", "if", "then", "else", "mod", NULL};
    for (int i = 0; kws[i]; i++)
        if (strcasecmp(id, kws[i]) == 0)
            return 1;
    return 0;
}

static int px_isop(parser *ps, int op)
{
    return ps->tk == T_OP && ps->op == op;
}

static ex_node *px_expr(parser *ps);

static void px_expect(parser *ps, int op, const char *what)
{
    if (!px_isop(ps, op))
        px_fail(ps, ps->tpos, "expected %s", what);
    else
        px_next(ps);
}

/* arguments up to the closing bracket `close` */
static void px_args(parser *ps, ex_node *n, int close)
{
    px_next(ps);
    if (px_isop(ps, close)) {
        px_next(ps);
        return;
    }
    for (;;) {
        if (close == ']' && px_isop(ps, '*')) {
            ex_node *st = ex_new(EX_STAR, ps->tpos);
            px_next(ps);
            ex_add_arg(n, st);
        } else if (close == ']' && px_isop(ps, '@')) {
            /* @n: the equation's n-th dimension (XMILE 1.0 section 3.7.1.1) */
            ex_node *at = ex_new(EX_AT, ps->tpos);
            px_next(ps);
            if (ps->tk != T_NUM || ps->num < 1 || ps->num != (double)(int)ps->num) {
                px_fail(ps, ps->tpos, "expected a dimension position after @ (1, 2, ...)");
                ex_free(at);
                return;
            }
            at->num = ps->num;
            px_next(ps);
            ex_add_arg(n, at);
        } else {
            ex_node *e = px_expr(ps);
            if (close == ']' && !ps->err && px_isop(ps, ':')) {
                /* lo:hi, a range of elements (section 3.7.1.2) */
                ex_node *r = ex_new(EX_RANGE, e->pos);
                ex_add_arg(r, e);
                px_next(ps);
                ex_add_arg(r, px_expr(ps));
                e = r;
            }
            ex_add_arg(n, e);
        }
        if (ps->err)
            return;
        if (px_isop(ps, ','))
            px_next(ps);
        else
            break;
    }
    px_expect(ps, close, close == ')' ? "',' or ')'" : "',' or ']'");
}

static ex_node *px_primary(parser *ps)
{
    int pos = ps->tpos;
    if (ps->err)
        return ex_new(EX_NUM, pos);
    if (ps->tk == T_NUM) {
        ex_node *n = ex_new(EX_NUM, pos);
        n->num = ps->num;
        px_next(ps);
        return n;
    }
    if (px_isop(ps, '(')) {
        px_next(ps);
        ex_node *n = px_expr(ps);
        px_expect(ps, ')', "')'");
        return n;
    }
    if (px_kw(ps, "IF")) {
        px_next(ps);
        /* Vensim's function form IF THEN ELSE(c, a, b) */
        if (px_kw(ps, "THEN")) {
            px_next(ps);
            if (!px_kw(ps, "ELSE")) {
                px_fail(ps, ps->tpos, "expected ELSE in IF THEN ELSE(...)");
                return ex_new(EX_NUM, pos);
            }
            px_next(ps);
            if (!px_isop(ps, '(')) {
                px_fail(ps, ps->tpos, "expected '(' after IF THEN ELSE");
                return ex_new(EX_NUM, pos);
            }
            ex_node *n = ex_new(EX_IF, pos);
            px_args(ps, n, ')');
            if (!ps->err && n->nargs != 3)
                px_fail(ps, pos, "IF THEN ELSE takes 3 arguments, not %d", n->nargs);
            return n;
        }
        ex_node *n = ex_new(EX_IF, pos);
        ex_add_arg(n, px_expr(ps));
        if (!px_kw(ps, "THEN")) {
            px_fail(ps, ps->tpos, "expected THEN");
            return n;
        }
        px_next(ps);
        ex_add_arg(n, px_expr(ps));
        if (!px_kw(ps, "ELSE")) {
            px_fail(ps, ps->tpos, "expected ELSE");
            return n;
        }
        px_next(ps);
        ex_add_arg(n, px_expr(ps));
        return n;
    }
    if ((ps->tk == T_ID && !px_is_keyword(ps->id)) || ps->tk == T_STR) {
        size_t cap = strlen(ps->id) + 1;
        char *name = xstrdup(ps->id);
        int quoted = ps->tk == T_STR;
        px_next(ps);
        /* Words separated by spaces are one name (Vensim exports write
         * "EXPRESSION MACRO(...)"); XMILE treats the space as '_'. */
        while (!quoted && ps->tk == T_ID && !px_is_keyword(ps->id)) {
            cap += strlen(ps->id) + 1;
            name = xrealloc(name, cap);
            strcat(name, " ");
            strcat(name, ps->id);
            px_next(ps);
        }
        ex_node *n;
        if (px_isop(ps, '(')) {
            n = ex_new(EX_CALL, pos);
            n->name = name;
            px_args(ps, n, ')');
        } else {
            n = ex_new(EX_VAR, pos);
            n->name = name;
            if (px_isop(ps, '['))
                px_args(ps, n, ']');
        }
        return n;
    }
    if (ps->tk == T_END)
        px_fail(ps, pos, "expected a value, found the end of the equation");
    else if (ps->tk == T_ID)
        px_fail(ps, pos, "expected a value, found %s", ps->id);
    else
        px_fail(ps, pos, "expected a value");
    return ex_new(EX_NUM, pos);
}

static ex_node *px_bin(int op, ex_node *a, ex_node *b, int pos)
{
    ex_node *n = ex_new(EX_BIN, pos);
    n->op = op;
    ex_add_arg(n, a);
    ex_add_arg(n, b);
    return n;
}

/* ^ binds tighter than unary minus (-2^2 is -4) and associates to the
 * right, as in mathematics: 2^3^2 is 2^9 = 512.  The test-models say so
 * twice: exponentiation's README ("the right-associativity of it") and
 * arithmetics_exp's reference, 30^1.2^1.2 = 68.9244 = 30^(1.2^1.2), where
 * (30^1.2)^1.2 would be 133.985. */
static ex_node *px_unary(parser *ps);

/* A postfix ' transposes an array (XMILE 1.0 section 3.7.1.1: it binds
 * tighter than ^). */
static ex_node *px_transpose(parser *ps)
{
    ex_node *a = px_primary(ps);
    while (!ps->err && px_isop(ps, '\'')) {
        ex_node *n = ex_new(EX_UN, ps->tpos);
        n->op = '\'';
        ex_add_arg(n, a);
        a = n;
        px_next(ps);
    }
    return a;
}

static ex_node *px_power(parser *ps)
{
    ex_node *a = px_transpose(ps);
    if (!ps->err && px_isop(ps, '^')) {
        int pos = ps->tpos;
        px_next(ps);
        /* the exponent may carry its own sign: 2^-1; px_unary climbs back
         * to px_power, so the rest of the chain binds first */
        ex_node *b = px_unary(ps);
        a = px_bin('^', a, b, pos);
    }
    return a;
}

static ex_node *px_unary(parser *ps)
{
    int pos = ps->tpos;
    if (px_isop(ps, '-') || px_isop(ps, '+') || px_isop(ps, '!') || px_kw(ps, "NOT")) {
        int op = ps->tk == T_ID ? '!' : ps->op;
        px_next(ps);
        ex_node *n = ex_new(EX_UN, pos);
        n->op = op;
        ex_add_arg(n, px_unary(ps));
        return n;
    }
    return px_power(ps);
}

static ex_node *px_mul(parser *ps)
{
    ex_node *a = px_unary(ps);
    while (!ps->err && (px_isop(ps, '*') || px_isop(ps, '/') || px_kw(ps, "MOD"))) {
        int op = ps->tk == T_ID ? OP_MOD : ps->op, pos = ps->tpos;
        px_next(ps);
        a = px_bin(op, a, px_unary(ps), pos);
    }
    return a;
}

static ex_node *px_add(parser *ps)
{
    ex_node *a = px_mul(ps);
    while (!ps->err && (px_isop(ps, '+') || px_isop(ps, '-'))) {
        int op = ps->op, pos = ps->tpos;
        px_next(ps);
        a = px_bin(op, a, px_mul(ps), pos);
    }
    return a;
}

static ex_node *px_rel(parser *ps)
{
    ex_node *a = px_add(ps);
    while (!ps->err && (px_isop(ps, '<') || px_isop(ps, '>') || px_isop(ps, OP_LE) || px_isop(ps, OP_GE))) {
        int op = ps->op, pos = ps->tpos;
        px_next(ps);
        a = px_bin(op, a, px_add(ps), pos);
    }
    return a;
}

static ex_node *px_eq(parser *ps)
{
    ex_node *a = px_rel(ps);
    while (!ps->err && (px_isop(ps, '=') || px_isop(ps, OP_NE))) {
        int op = ps->op, pos = ps->tpos;
        px_next(ps);
        a = px_bin(op, a, px_rel(ps), pos);
    }
    return a;
}

/* xmutil's exports write Vensim's `:NOT: x` after its operand, as
 * `x not` (test-models' logicals .stmx: `IF false_input not THEN`).  No
 * XMILE expression has a `not` right after an operand, so reading it as
 * NOT of the comparison before it changes the meaning of nothing else. */
static ex_node *px_postnot(parser *ps)
{
    ex_node *a = px_eq(ps);
    while (!ps->err && px_kw(ps, "NOT")) {
        ex_node *n = ex_new(EX_UN, ps->tpos);
        n->op = '!';
        ex_add_arg(n, a);
        a = n;
        px_next(ps);
    }
    return a;
}

static ex_node *px_and(parser *ps)
{
    ex_node *a = px_postnot(ps);
    while (!ps->err && (px_kw(ps, "AND") || px_isop(ps, OP_AND))) {
        int pos = ps->tpos;
        px_next(ps);
        a = px_bin(OP_AND, a, px_postnot(ps), pos);
    }
    return a;
}

static ex_node *px_expr(parser *ps)
{
    ex_node *a = px_and(ps);
    while (!ps->err && (px_kw(ps, "OR") || px_isop(ps, OP_OR))) {
        int pos = ps->tpos;
        px_next(ps);
        a = px_bin(OP_OR, a, px_and(ps), pos);
    }
    return a;
}

ex_node *ex_parse(const char *text, int *errpos, char *msg, size_t msgsize)
{
    parser ps = {0};
    ps.s = text;
    ps.msg = msg;
    ps.msgsize = msgsize;
    px_next(&ps);
    if (ps.tk == T_END && !ps.err) {
        *errpos = 0;
        snprintf(msg, msgsize, "empty equation");
        return NULL;
    }
    ex_node *n = px_expr(&ps);
    /* a top-level list "0.1, 0.3; 0.4" gives an array its values */
    if (!ps.err && (px_isop(&ps, ',') || px_isop(&ps, ';'))) {
        ex_node *l = ex_new(EX_LIST, 0);
        ex_add_arg(l, n);
        while (!ps.err && (px_isop(&ps, ',') || px_isop(&ps, ';'))) {
            px_next(&ps);
            if (ps.tk == T_END)
                break;
            ex_add_arg(l, px_expr(&ps));
        }
        n = l;
    }
    if (!ps.err && ps.tk != T_END)
        px_fail(&ps, ps.tpos, "unexpected %s after the end of the expression",
                ps.tk == T_ID ? ps.id : "text");
    free(ps.id);
    if (ps.err) {
        ex_free(n);
        *errpos = ps.errpos;
        return NULL;
    }
    return n;
}
