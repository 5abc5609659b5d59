/* expr.h -- the XMILE expression language: lexer and parser to a tree.
 *
 * The tree is only an intermediate form: the compiler (compile.h) turns it
 * into a flat instruction list once, and runs never walk it.  Precedence
 * is XMILE 1.0's (section 3.3.1): ^ binds tighter than unary minus, so
 * -2^2 is -4; then * / MOD, + -, comparisons, =/<>, AND, OR.  Keywords
 * (IF THEN ELSE, AND, OR, NOT, MOD) are case-insensitive.  Inside
 * [subscripts] a subscript may also be `*`, a range `lo:hi` or a dimension
 * position `@n`; a postfix ' transposes (section 3.7.1.1), above ^. */
#ifndef EDDY_SD_EXPR_H
#define EDDY_SD_EXPR_H

#include <stddef.h>

typedef enum {
    EX_NUM,  /* num */
    EX_VAR,  /* name, with subscripts in args (nargs 0: none) */
    EX_CALL, /* name(args) */
    EX_UN,   /* op args[0]: '-', '+', '!', '\'' (transpose) */
    EX_BIN,  /* args[0] op args[1] */
    EX_IF,   /* IF args[0] THEN args[1] ELSE args[2] */
    EX_LIST, /* a,b,c at the top of an array's equation (Vensim's constant lists) */
    EX_STAR, /* '*' as a subscript: every element */
    EX_RANGE, /* lo:hi as a subscript (args[0], args[1]): a slice */
    EX_AT,    /* @n as a subscript: the element of the equation's n-th dimension (num) */
    EX_SLOT  /* made by the compiler: a reference to a resolved variable */
} ex_kind;

/* Binary operators that are not single characters. */
enum { OP_LE = 256, OP_GE, OP_NE, OP_AND, OP_OR, OP_MOD };

typedef struct ex_node {
    ex_kind kind;
    int op;
    double num;
    char *name;
    struct ex_node **args;
    int nargs;
    int slot;  /* EX_SLOT */
    int pos;   /* byte offset in the equation text */
} ex_node;

/* Parse text; on error return NULL with *errpos (byte offset) and msg set. */
ex_node *ex_parse(const char *text, int *errpos, char *msg, size_t msgsize);
void ex_free(ex_node *n);
ex_node *ex_new(ex_kind kind, int pos);
ex_node *ex_copy(const ex_node *n);
void ex_add_arg(ex_node *n, ex_node *a);

#endif
