/* yamldoc.c -- errors and type names for libyaml document nodes. */
#include "yamldoc.h"

#include <stdarg.h>

const char *yd_type_name(const yaml_node_t *n)
{
    switch (n->type) {
    case YAML_SCALAR_NODE:
        return "a scalar";
    case YAML_SEQUENCE_NODE:
        return "a list";
    case YAML_MAPPING_NODE:
        return "a mapping";
    default:
        return "nothing";
    }
}

int yd_fail(const yamldoc *y, const yaml_node_t *n, const char *fmt, ...)
{
    const char *file = y->file;
    if (n && y->norigins) {
        int id = (int)(n - y->doc->nodes.start) + 1;
        for (int i = 0; i < y->norigins; i++)
            if (id >= y->origin_first[i])
                file = y->origin_file[i];
    }
    va_list ap;
    va_start(ap, fmt);
    err_vset(y->err, file, n ? yd_line(n) : 0, n ? yd_col(n) : 0, fmt, ap);
    va_end(ap);
    return -1;
}

const char *yd_scalar(const yamldoc *y, const yaml_node_t *n, const char *path, const char *expected)
{
    if (n->type != YAML_SCALAR_NODE) {
        yd_fail(y, n, "%s: expected %s, got %s", path, expected, yd_type_name(n));
        return NULL;
    }
    return yd_text(n);
}
