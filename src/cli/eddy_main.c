/* eddy_main.c -- the `eddy` program's entry point (eddy-mpi has its own,
 * in src/mpi/). */
#include "../core/xalloc.h"
#include "cli.h"

int main(int argc, char **argv)
{
    xalloc_libraries(); /* jansson and libxml2 run out of memory as eddy does */
    return cli_main(argc, argv);
}
