/* model.h -- the validated service-graph model.
 *
 * This is what a model file means once it has been read and checked: plain
 * structs in the units the engine uses (nanoseconds, requests per second,
 * fractions in [0,1]).  Every element keeps the line and column it was
 * written at, so later layers (the engine, loop derivation, reviews) can
 * point back at the user's text.  The YAML key, the field name here, the
 * CSV column and the docs use one name for one concept. */
#ifndef EDDY_MODEL_H
#define EDDY_MODEL_H

#include <stdbool.h>
#include <stddef.h>

#include "../core/clock.h"
#include "../core/dist.h"
#include "../core/err.h"

#define MODEL_UNLIMITED (-1L)

typedef struct model_pos {
    int line, col;
} model_pos;

/* ---- retries ---------------------------------------------------------- */

typedef enum backoff_kind { BACKOFF_NONE, BACKOFF_CONSTANT, BACKOFF_EXPONENTIAL } backoff_kind;
typedef enum jitter_kind { JITTER_NONE, JITTER_FULL, JITTER_EQUAL, JITTER_DECORRELATED } jitter_kind;

/* What a caller retries on (bits of retry_policy.on). */
enum {
    RETRY_ON_TIMEOUT = 1, /* the attempt's timeout fired */
    RETRY_ON_ERROR = 2,   /* the callee answered with an error */
    RETRY_ON_REJECT = 4,  /* the callee refused at once: full queue, down */
};

typedef struct retry_policy {
    int attempts; /* counts the first try; 1 means no retries */
    backoff_kind backoff;
    simtime base, max;
    double multiplier;
    jitter_kind jitter;
    unsigned on; /* RETRY_ON_* bits */
    model_pos pos;
} retry_policy;

/* ---- a call edge: a client's call, or a service's downstream call ------ */

typedef struct call_spec {
    int to;          /* index into model.services */
    simtime timeout; /* per attempt; 0 means no timeout */
    retry_policy retry;
    bool has_latency; /* one-way network delay, each way */
    dist latency;
    model_pos pos, to_pos, timeout_pos;
} call_spec;

/* ---- clients ---------------------------------------------------------- */

typedef struct rate_step {
    simtime at;
    double rate; /* user requests per second */
} rate_step;

typedef struct client_spec {
    char *name;
    model_pos pos;
    call_spec call;   /* `call`, `timeout`, `retry`, `latency` */
    simtime deadline; /* for the whole user request; 0 means none */
    bool closed;      /* closed loop: users + think */
    rate_step *steps; /* open loop: the rate, piecewise constant */
    size_t nsteps;
    long users;
    dist think;
} client_spec;

/* ---- services --------------------------------------------------------- */

typedef enum discipline { DISC_FIFO, DISC_LIFO } discipline;

typedef struct service_spec {
    char *name;
    model_pos pos;
    long workers; /* per replica; MODEL_UNLIMITED allowed */
    long queue;   /* per replica; 0 = none, MODEL_UNLIMITED allowed */
    discipline discipline;
    dist service_time;
    double sigma, kappa; /* Universal Scalability Law contention */
    double errors;       /* base error fraction */
    long replicas;
    call_spec *calls; /* made in order, holding the worker */
    size_t ncalls;
} service_spec;

/* ---- faults (windows) and actions (moments) ---------------------------- */

typedef enum fault_kind {
    FAULT_SLOW,          /* service time x factor */
    FAULT_ADD_LATENCY,   /* extra one-way delay on requests into target */
    FAULT_ERRORS,        /* extra error fraction */
    FAULT_DOWN,          /* every replica down: queues and work lost */
    FAULT_LOSE_REPLICAS, /* that many replicas down */
} fault_kind;

typedef struct fault_spec {
    simtime at, dur;
    int target; /* service index */
    fault_kind kind;
    double factor;   /* slow */
    simtime latency; /* add_latency */
    double errors;   /* errors */
    long replicas;   /* lose_replicas */
    model_pos pos, value_pos;
} fault_spec;

typedef enum action_kind { ACTION_RETRY, ACTION_SHED } action_kind;

typedef struct action_spec {
    simtime at;
    int client;
    action_kind kind;
    bool retry_on; /* retry: on|off */
    double shed;   /* fraction of new user requests refused at the client */
    model_pos pos;
} action_spec;

/* ---- the model -------------------------------------------------------- */

typedef struct model {
    char *file; /* the path it was read from */
    char *name, *description;
    simtime duration, sample;
    unsigned long long seed;
    client_spec *clients;
    size_t nclients;
    service_spec *services;
    size_t nservices;
    fault_spec *faults;
    size_t nfaults;
    action_spec *actions;
    size_t nactions;
} model;

/* Read and validate a model file.  On error returns NULL and fills err with
 * the file, line, column, the key, and what was expected. */
model *model_load(const char *path, eddy_error *err);
/* The same, from a string; `name` is used as the file name in errors. */
model *model_load_string(const char *text, size_t len, const char *name, eddy_error *err);
void model_free(model *m);

int model_find_service(const model *m, const char *name);
int model_find_client(const model *m, const char *name);

const char *backoff_name(backoff_kind k);
const char *jitter_name(jitter_kind k);
const char *fault_kind_name(fault_kind k);

#endif
