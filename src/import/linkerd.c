/* linkerd.c -- placeholder */
#include "imp.h"
int imp_linkerd(importer *im, const yamldoc *y, yaml_node_t *root) { (void)im; (void)y; (void)root; return 0; }
