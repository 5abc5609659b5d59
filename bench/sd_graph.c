/* bench/sd_graph.c -- how long eddy takes to read a stock-and-flow model
 * and build its causal graph, apart from the loop search that follows
 * (bench/sd_graph.sh compiles it against build/libeddy.a).
 *
 *     sd_graph MODEL.xmile
 *
 * prints one line: variables, links, then the CPU seconds of sd_load
 * (reading the XMILE file and compiling its equations) and of sdg_build
 * (the arrows from what each equation reads, their polarities sampled
 * along a run, the hidden variables contracted), and the peak RSS in MB.
 * `eddy loops MODEL.xmile` does exactly these two steps before it looks
 * for loops; the loop search is timed by running eddy itself. */
#include <stdio.h>
#include <sys/resource.h>

#include "loops/sd_graph.h"
#include "sd/sd.h"

static double cpu_now(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return (double)ru.ru_utime.tv_sec + (double)ru.ru_stime.tv_sec +
           1e-6 * (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec);
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: sd_graph MODEL.xmile\n");
        return 2;
    }
    eddy_error err = {0};
    double t0 = cpu_now();
    sd_model *m = sd_load(argv[1], NULL, 0, &err);
    if (!m) {
        fprintf(stderr, "sd_graph: %s\n", err.msg);
        return 2;
    }
    double t1 = cpu_now();
    sd_graph *s = sdg_build(m, &err);
    if (!s) {
        fprintf(stderr, "sd_graph: %s\n", err.msg);
        sd_free(m);
        return 2;
    }
    double t2 = cpu_now();
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    printf("%zu %zu %.3f %.3f %.1f\n", s->g->nvars, s->g->nlinks, t1 - t0, t2 - t1, (double)ru.ru_maxrss / 1024);
    sdg_free(s);
    sd_free(m);
    return 0;
}
