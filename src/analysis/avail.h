/* avail.h -- availability from the correlation structure: the fault tree a
 * model implies (docs/avail.md).
 *
 * A client's user request can succeed when its service has at least k
 * replicas up (k: the replicas needed to carry the load at no more than
 * 100% utilisation, from the model's rates, service times and workers),
 * every synchronous callee on its path is up, recursively, unless a cache
 * with stale serving or a fallback covers the call, every infra dependency
 * of those services is up or within its stale grace, and each replica's
 * zone is up.  avail_derive() writes that as a fault tree with one top
 * event per client ("the client's requests fail"), whose basic events are
 * replicas, infra entries and common-cause groups. */
#ifndef EDDY_AVAIL_H
#define EDDY_AVAIL_H

#include <stdbool.h>
#include <stddef.h>

#include "../model/model.h"
#include "ftree.h"
#include "ftree_exact.h"

/* What a basic event of the derived tree stands for. */
typedef enum avail_origin_kind { ORIGIN_REPLICA, ORIGIN_INFRA, ORIGIN_BEYOND } avail_origin_kind;

typedef struct avail_origin {
    avail_origin_kind kind;
    int service, replica; /* ORIGIN_REPLICA */
    int infra;            /* ORIGIN_INFRA, ORIGIN_BEYOND */
} avail_origin;

typedef struct avail_service {
    double load;     /* requests per second from every client, retries not counted */
    double capacity; /* requests per second one replica serves at 100% (0: unlimited) */
    long needed;     /* k: replicas needed to carry the load */
    bool overloaded; /* even every replica up is not enough */
    int gate;        /* "the service cannot serve", or -1 if nothing in the model can fail it */
} avail_service;

typedef struct avail_model {
    const model *m;
    fault_tree *t;
    avail_origin *origin; /* per event of t */
    avail_service *services;
    int *client_top;      /* per client: index into t->tops, or -1 if nothing can fail it */
    double *paper;        /* per client: the box diagram's availability */
} avail_model;

/* NULL with a message in err if the model cannot be analysed. */
avail_model *avail_derive(const model *m, char *err, size_t errlen);
void avail_free(avail_model *a);

/* A cut set's order as people count it: "config down longer than 10m" is
 * one failure, though the tree holds it as two events. */
size_t avail_cutset_order(const avail_model *a, const ft_cutset *c);
/* A cut set in words: its events joined with " + ", or, for a single point
 * of failure, the coupling it is: "api's 3 replicas fail together when
 * config is down: config is a cut set of order 1". */
void avail_cutset_words(const avail_model *a, const ft_cutset *c, char *out, size_t n);

/* Minutes in a year (365.25 days). */
#define AVAIL_MINUTES_PER_YEAR 525960.0
#define AVAIL_SECONDS_PER_YEAR 31557600.0

#endif
