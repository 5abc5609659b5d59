/* eddy_main.c -- the `eddy` program's entry point (eddy-mpi has its own,
 * in src/mpi/). */
#include "cli.h"

int main(int argc, char **argv) { return cli_main(argc, argv); }
