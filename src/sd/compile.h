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

/* Instruction codes (vm.c executes them). */
enum {
    VM_K, VM_LD, VM_ST, VM_STNN, VM_NEG, VM_NOT, VM_ADD, VM_SUB, VM_MUL, VM_DIV, VM_POW,
    VM_MODI, VM_LT, VM_LE, VM_GT, VM_GE, VM_EQ, VM_NE, VM_AND, VM_OR, VM_JZ, VM_JMP,
    VM_CALL, VM_GF, VM_TIME, VM_DT, VM_START, VM_STOP, VM_DELAY,
    /* fused forms of the commonest sequences */
    VM_LDADD, VM_LDSUB, VM_LDMUL, VM_LDDIV, VM_KMUL, VM_KADD
};

#endif
