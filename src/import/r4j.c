/* r4j.c -- placeholder */
#include "imp.h"
int imp_r4j(importer *im, const yamldoc *y, yaml_node_t *root) { (void)im; (void)y; (void)root; return 0; }
