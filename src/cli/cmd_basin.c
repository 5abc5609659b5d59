#include "cli.h"
int cmd_basin(int argc, char **argv) { (void)argc; (void)argv; return 2; }
