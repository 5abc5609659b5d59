/* compile.h -- from the records xmile.h reads to a runnable sd_model.
 *
 * Compiling resolves every name (XMILE's case- and space-insensitive
 * matching), expands arrays element by element, rewrites the stateful
 * builtins into hidden stocks (SMTH1, DELAY3, TREND, ...), orders the
 * equations by dependency (once for the initial values, once for a time
 * step) and emits each ordering as a flat instruction list. */
#ifndef EDDY_SD_COMPILE_H
#define EDDY_SD_COMPILE_H

#include "sdmodel.h"

/* Takes ownership of doc (freed with the model, or on failure). */
sd_model *sd_compile(xm_doc *doc, const sd_override *ov, size_t nov, eddy_error *err);

/* Instruction codes (vm.c executes them).  Three-address: each reads its
 * operands from slots and writes its result to a slot (sdmodel.h). */
enum {
    VM_MOV,    /* dst = a */
    VM_NEG, VM_NOT,
    VM_ADD, VM_SUB, VM_MUL, VM_DIV, VM_POW, VM_MODI,
    VM_LT, VM_LE, VM_GT, VM_GE, VM_EQ, VM_NE, VM_AND, VM_OR,
    VM_MULADD, /* dst = a * b + c, the commonest shape (two roundings, as C does) */
    VM_JZ,     /* if a == 0 go to b */
    VM_JMP,    /* go to b */
    VM_CALL,   /* dst = builtin c of the b values in slots a, a+1, ... */
    VM_GF,     /* dst = table b (negative: variable -1-b's own) at a */
    VM_DELAY,  /* dst = delay c's input, a ago (a+1: the initial value if b) */
    VM_NN,     /* dst = max(dst, 0): a non-negative flow */
    VM_RAND,   /* dst = statistical function call c (rand.h) of the b values in slots a, a+1, ... */
    VM_NOPS
};
/* Set on an instruction whose result is a variable's value: the VM checks
 * it is a finite number, and names the variable if not. */
#define VM_CHECK 0x100
#define VM_OPMASK 0xff

#endif
