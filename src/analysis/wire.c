/* wire.c -- a batch job's results as bytes (wire.h).
 *
 * Hand-written rather than, say, JSON through jansson: a result holds a
 * series of thousands of doubles that must come back bit for bit, and raw
 * bytes between two copies of one binary are exact and cheap. */
#include "wire.h"
#include "../core/xalloc.h"

#include <stdlib.h>
#include <string.h>

void wire_put(wire_buf *b, const void *p, size_t n)
{
    if (b->n + n > b->cap) {
        size_t cap = b->cap ? b->cap : 1024;
        while (cap < b->n + n)
            cap *= 2;
        b->p = xrealloc(b->p, cap);
        b->cap = cap;
    }
    if (n)
        memcpy(b->p + b->n, p, n);
    b->n += n;
}

void wire_free(wire_buf *b)
{
    free(b->p);
    memset(b, 0, sizeof *b);
}

int wire_get(wire_rd *r, void *p, size_t n)
{
    if (n > r->n - r->at)
        return -1;
    if (n)
        memcpy(p, r->p + r->at, n);
    r->at += n;
    return 0;
}

static void put_size(wire_buf *b, size_t v)
{
    uint64_t x = v;
    wire_put(b, &x, sizeof x);
}

static int get_size(wire_rd *r, size_t *v, size_t max)
{
    uint64_t x;
    if (wire_get(r, &x, sizeof x) < 0 || x > max)
        return -1;
    *v = (size_t)x;
    return 0;
}

static void put_str(wire_buf *b, const char *s)
{
    size_t n = strlen(s);
    put_size(b, n);
    wire_put(b, s, n);
}

static char *get_str(wire_rd *r)
{
    size_t n;
    if (get_size(r, &n, r->n - r->at) < 0)
        return NULL;
    char *s = xmalloc(n + 1);
    if (wire_get(r, s, n) < 0) {
        free(s);
        return NULL;
    }
    s[n] = 0;
    return s;
}

/* An array of n structs of `size` bytes, allocated as eddy_run does (at
 * least one element, so it is never NULL). */
static void *get_array(wire_rd *r, size_t n, size_t size)
{
    void *a = xcalloc(n ? n : 1, size);
    if (wire_get(r, a, n * size) < 0) {
        free(a);
        return NULL;
    }
    return a;
}

void wire_put_run(wire_buf *b, int rc, const eddy_error *err, const eddy_result *res)
{
    int32_t c = rc;
    wire_put(b, &c, sizeof c);
    if (rc < 0) {
        wire_put(b, err, sizeof *err);
        return;
    }
    const eddy_series *s = &res->series;
    unsigned char has_names = s->names != NULL, has_values = s->values != NULL;
    wire_put(b, &has_names, 1);
    wire_put(b, &has_values, 1);
    put_size(b, s->ncols);
    put_size(b, s->nrows);
    if (has_names)
        for (size_t i = 0; i < s->ncols; i++)
            put_str(b, s->names[i]);
    wire_put(b, s->values, s->values ? s->nrows * s->ncols * sizeof *s->values : 0);
    put_size(b, res->nclients);
    wire_put(b, res->clients, res->nclients * sizeof *res->clients);
    put_size(b, res->nservices);
    wire_put(b, res->services, res->nservices * sizeof *res->services);
    put_size(b, res->nedges);
    wire_put(b, res->edges, res->nedges * sizeof *res->edges);
    for (size_t i = 0; i < res->nedges; i++)
        put_str(b, res->edges[i].name);
    put_size(b, res->ncaches);
    wire_put(b, res->caches, res->ncaches * sizeof *res->caches);
    /* messaging: queues and groups in model order; integrity by service name */
    put_size(b, res->nqueues);
    wire_put(b, res->queues, res->nqueues * sizeof *res->queues);
    put_size(b, res->ngroups);
    wire_put(b, res->groups, res->ngroups * sizeof *res->groups);
    put_size(b, res->nintegrity);
    wire_put(b, res->integrity, res->nintegrity * sizeof *res->integrity);
    for (size_t i = 0; i < res->nintegrity; i++)
        put_str(b, res->integrity[i].service);
    wire_put(b, &res->writes_pending, sizeof res->writes_pending);
    wire_put(b, &res->engine, sizeof res->engine);
    wire_put(b, &res->seed, sizeof res->seed);
    wire_put(b, &res->duration, sizeof res->duration);
}

int wire_get_run(wire_rd *r, const model *m, int *rc, eddy_error *err, eddy_result *res)
{
    int32_t c;
    memset(res, 0, sizeof *res);
    if (wire_get(r, &c, sizeof c) < 0)
        return -1;
    *rc = c;
    if (c < 0)
        return wire_get(r, err, sizeof *err);
    eddy_series *s = &res->series;
    unsigned char has_names, has_values;
    size_t left = r->n - r->at;
    if (wire_get(r, &has_names, 1) < 0 || wire_get(r, &has_values, 1) < 0 || get_size(r, &s->ncols, left) < 0 || get_size(r, &s->nrows, SIZE_MAX))
        goto bad;
    if (has_names) {
        s->names = xcalloc(s->ncols ? s->ncols : 1, sizeof *s->names);
        for (size_t i = 0; i < s->ncols; i++)
            if (!(s->names[i] = get_str(r)))
                goto bad;
    }
    if (has_values) {
        if (!s->ncols || s->nrows > left / s->ncols / sizeof *s->values)
            goto bad;
        s->values = xmalloc(s->nrows ? s->nrows * s->ncols * sizeof *s->values : 1);
        if (wire_get(r, s->values, s->nrows * s->ncols * sizeof *s->values) < 0)
            goto bad;
    }
    if (get_size(r, &res->nclients, m->nclients) < 0 || res->nclients != m->nclients ||
        !(res->clients = get_array(r, res->nclients, sizeof *res->clients)))
        goto bad;
    for (size_t i = 0; i < res->nclients; i++)
        res->clients[i].name = m->clients[i].name;
    if (get_size(r, &res->nservices, m->nservices) < 0 || res->nservices != m->nservices ||
        !(res->services = get_array(r, res->nservices, sizeof *res->services)))
        goto bad;
    for (size_t i = 0; i < res->nservices; i++)
        res->services[i].name = m->services[i].name;
    if (get_size(r, &res->nedges, left / sizeof *res->edges) < 0 ||
        !(res->edges = get_array(r, res->nedges, sizeof *res->edges)))
        goto bad;
    for (size_t i = 0; i < res->nedges; i++)
        res->edges[i].name = NULL;
    for (size_t i = 0; i < res->nedges; i++)
        if (!(res->edges[i].name = get_str(r)))
            goto bad;
    if (get_size(r, &res->ncaches, m->ncaches) < 0 || res->ncaches != m->ncaches ||
        !(res->caches = get_array(r, res->ncaches, sizeof *res->caches)))
        goto bad;
    for (size_t i = 0; i < res->ncaches; i++)
        res->caches[i].name = m->caches[i].name;
    if (get_size(r, &res->nqueues, m->nqueues) < 0 || res->nqueues != m->nqueues ||
        !(res->queues = get_array(r, res->nqueues, sizeof *res->queues)))
        goto bad;
    for (size_t i = 0; i < res->nqueues; i++)
        res->queues[i].name = m->queues[i].name;
    if (get_size(r, &res->ngroups, m->nconsumers) < 0 || res->ngroups != m->nconsumers ||
        !(res->groups = get_array(r, res->ngroups, sizeof *res->groups)))
        goto bad;
    for (size_t i = 0; i < res->ngroups; i++)
        res->groups[i].name = res->groups[i].sub.name = m->consumers[i].name;
    if (get_size(r, &res->nintegrity, m->nservices) < 0 ||
        !(res->integrity = get_array(r, res->nintegrity, sizeof *res->integrity)))
        goto bad;
    for (size_t i = 0; i < res->nintegrity; i++) {
        char *name = get_str(r);
        int si = name ? model_find_service(m, name) : -1;
        free(name);
        if (si < 0)
            goto bad;
        res->integrity[i].service = m->services[si].name;
    }
    if (wire_get(r, &res->writes_pending, sizeof res->writes_pending) < 0)
        goto bad;
    if (wire_get(r, &res->engine, sizeof res->engine) < 0 || wire_get(r, &res->seed, sizeof res->seed) < 0 ||
        wire_get(r, &res->duration, sizeof res->duration) < 0)
        goto bad;
    return 0;
bad:
    if (!s->names)
        s->ncols = 0; /* eddy_result_free frees ncols names */
    if (!res->edges)
        res->nedges = 0; /* and nedges edge names */
    eddy_result_free(res);
    return -1;
}
