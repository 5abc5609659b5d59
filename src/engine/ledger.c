/* ledger.c -- the integrity ledger: how often each write was applied, and
 * what the user was told.
 *
 * Every user request of a model with writes gets a record, carried by its
 * attempts and by the messages published for it, so a write applied long
 * after the user was answered (a redelivery, an abandoned attempt) is still
 * counted against it.  A write site is a call edge with `effect: write`
 * (applied by its callee when it completes an attempt) or a consumer group
 * with `effect: write` (applied per message it handles).  A site becomes
 * owed when an attempt is sent along the edge or a message is stored for
 * the group.  When nothing holds the record any more (the user has been
 * answered, and no attempt or message carrying it is left), each write
 * owed or applied is counted exactly once, at the service that applies it:
 *
 *   applied twice or more          duplicated
 *   applied once, user told ok     exactly_once
 *   applied once, user told error  ghost (an error shown, and charged)
 *   never applied, user told ok    lost
 *   never applied, told error      (a clean failure: not counted)
 *
 * `dedupe:` on the applying service remembers keys for `window`: the user
 * request's (`request`) or the attempt's (`attempt`; for a message, the
 * publish attempt's, so a redelivery repeats it and a retried publish does
 * not).  A repeat within the window is answered without being applied.
 *
 * A batched delivery (batch > 1) makes its downstream calls and publishes
 * once for all its messages, so its attempts carry a batch record: the
 * records of its messages.  Owing, applying or releasing a batch record
 * does so for each member, so a write made for the batch counts once for
 * each message in it (with dedupe by attempt, the key is the attempt's
 * combined with the member's: a bulk write's entries are told apart). */
#include <stddef.h>
#include <stdlib.h>

#include "sim.h"
#include "../core/xalloc.h"

/* A batch record's members live where a request's applied counts would. */
_Static_assert(offsetof(wrec, applied) % _Alignof(wrec *) == 0, "wrec.applied must hold pointers");
static wrec **members(wrec *w) { return (wrec **)(void *)((char *)w + offsetof(wrec, applied)); }

#define APPLIED_MASK 0x7fffu
#define OWED 0x8000u

/* ---- dedupe: keys seen within a window ------------------------------------- */

typedef struct seen {
    uint64_t key;
    simtime t;
} seen;

/* Open addressing with linear probing (0 is empty), and the keys in the
 * order they were first seen, to forget them when the window passes. */
typedef struct dedupe_rt {
    simtime window;
    uint64_t *keys;
    size_t cap, n;
    seen *fifo;
    size_t fhead, flen, fcap;
} dedupe_rt;

static uint64_t mix(uint64_t x)
{
    x ^= x >> 30;
    x *= 0xbf58476d1ce4e5b9ULL;
    x ^= x >> 27;
    x *= 0x94d049bb133111ebULL;
    return x ^ (x >> 31);
}

static size_t slot_of(const dedupe_rt *d, uint64_t key)
{
    size_t mask = d->cap - 1, i = mix(key) & mask;
    while (d->keys[i] && d->keys[i] != key)
        i = (i + 1) & mask;
    return i;
}

static void grow(dedupe_rt *d)
{
    uint64_t *old = d->keys;
    size_t oldcap = d->cap;
    d->cap = d->cap ? 2 * d->cap : 1024;
    d->keys = xcalloc(d->cap, sizeof *d->keys);
    for (size_t i = 0; i < oldcap; i++)
        if (old[i])
            d->keys[slot_of(d, old[i])] = old[i];
    free(old);
}

/* Backward-shift deletion keeps probe chains whole without tombstones. */
static void forget(dedupe_rt *d, uint64_t key)
{
    size_t mask = d->cap - 1, i = slot_of(d, key);
    if (!d->keys[i])
        return;
    d->keys[i] = 0;
    d->n--;
    for (size_t j = (i + 1) & mask; d->keys[j]; j = (j + 1) & mask) {
        size_t h = mix(d->keys[j]) & mask;
        bool stays = i <= j ? (i < h && h <= j) : (i < h || h <= j);
        if (stays)
            continue;
        d->keys[i] = d->keys[j];
        d->keys[j] = 0;
        i = j;
    }
}

/* True if key was seen within the window; else remember it from now. */
static bool dedupe_seen(dedupe_rt *d, uint64_t key, simtime now)
{
    while (d->flen && d->fifo[d->fhead].t + d->window <= now) {
        forget(d, d->fifo[d->fhead].key);
        d->fhead = (d->fhead + 1) % d->fcap;
        d->flen--;
    }
    if (d->cap && d->keys[slot_of(d, key)])
        return true;
    if (2 * (d->n + 1) > d->cap)
        grow(d);
    d->keys[slot_of(d, key)] = key;
    d->n++;
    if (d->flen == d->fcap) {
        size_t cap = d->fcap ? 2 * d->fcap : 1024;
        seen *f = xmalloc(cap * sizeof *f);
        for (size_t i = 0; i < d->flen; i++)
            f[i] = d->fifo[(d->fhead + i) % d->fcap];
        free(d->fifo);
        d->fifo = f;
        d->fhead = 0;
        d->fcap = cap;
    }
    d->fifo[(d->fhead + d->flen++) % d->fcap] = (seen){key, now};
    return false;
}

/* ---- write sites and records --------------------------------------------- */

static int add_site(sim *s, size_t *cap, service_rt *at)
{
    if (s->nsites == *cap) {
        *cap = *cap ? 2 * *cap : 8;
        s->sites = xrealloc(s->sites, *cap * sizeof *s->sites);
    }
    s->sites[s->nsites].at = at;
    at->applies = true;
    return (int)s->nsites++;
}

void ledger_init(sim *s)
{
    size_t cap = 0;
    for (size_t i = 0; i < s->nedges; i++) {
        edge_rt *e = s->edges[i];
        e->site = e->spec->effect == EFFECT_WRITE && e->to ? add_site(s, &cap, e->to) : -1;
    }
    for (size_t i = 0; i < s->m->nconsumers; i++) {
        group_rt *g = &s->groups[i];
        if (g->spec->effect == EFFECT_WRITE)
            g->site = add_site(s, &cap, g->svc);
    }
    pool_init(&s->wrecs, sizeof(wrec) + s->nsites * sizeof(uint16_t));
    long maxbatch = 1;
    for (size_t i = 0; i < s->m->nconsumers; i++)
        if (s->m->consumers[i].batch > maxbatch)
            maxbatch = s->m->consumers[i].batch;
    pool_init(&s->brecs, sizeof(wrec) + (size_t)maxbatch * sizeof(wrec *));
    for (size_t i = 0; i < s->m->nservices; i++) {
        service_rt *v = &s->services[i];
        if (!v->applies || v->spec->dedupe.key == DEDUPE_NONE)
            continue;
        v->dedupe = xcalloc(1, sizeof *v->dedupe);
        v->dedupe->window = v->spec->dedupe.window;
    }
}

void ledger_free(sim *s)
{
    for (size_t i = 0; i < s->m->nservices; i++) {
        dedupe_rt *d = s->services[i].dedupe;
        if (!d)
            continue;
        free(d->keys);
        free(d->fifo);
        free(d);
    }
    free(s->sites);
    pool_free_all(&s->wrecs);
    pool_free_all(&s->brecs);
}

wrec *ledger_new(sim *s)
{
    if (!s->nsites)
        return NULL;
    wrec *w = pool_get(&s->wrecs);
    w->id = ++s->next_wid;
    w->refs = 1;
    return w;
}

wrec *ledger_of(const caller *c)
{
    switch (c->kind) {
    case CALLER_USER:
        return container_of(c, ureq, call)->w;
    case CALLER_JOB:
        return container_of(c, req, down)->w;
    case CALLER_CONSUMER: { /* a batch carries its batch record */
        const delivery *d = container_of(c, delivery, call);
        return d->n == 1 ? d->m[0]->w : d->w;
    }
    default:
        return NULL; /* a cache's background refresh is no user's */
    }
}

wrec *ledger_batch(sim *s, msg *const *m, uint32_t n)
{
    uint32_t k = 0;
    for (uint32_t i = 0; i < n; i++)
        k += m[i]->w != NULL;
    if (!k)
        return NULL;
    wrec *w = pool_get(&s->brecs);
    w->refs = 1;
    w->nmembers = (uint16_t)k;
    wrec **v = members(w);
    for (uint32_t i = 0, j = 0; i < n; i++)
        if (m[i]->w) {
            v[j++] = m[i]->w;
            ledger_ref(m[i]->w);
        }
    return w;
}

void ledger_owe(wrec *w, int site)
{
    if (w->nmembers) {
        for (uint16_t i = 0; i < w->nmembers; i++)
            ledger_owe(members(w)[i], site);
        return;
    }
    w->applied[site] |= OWED;
}

void ledger_told(wrec *w, bool ok) { w->told = ok ? 1 : 2; }

void ledger_apply(sim *s, int site, wrec *w, uint64_t akey)
{
    if (!w)
        return;
    if (w->nmembers) {
        for (uint16_t i = 0; i < w->nmembers; i++) {
            wrec *x = members(w)[i];
            ledger_apply(s, site, x, mix(mix(akey) + x->id)); /* the pair, not the sum: no collisions */
        }
        return;
    }
    service_rt *v = s->sites[site].at;
    if (v->dedupe) {
        uint64_t k = v->spec->dedupe.key == DEDUPE_REQUEST ? w->id : akey;
        k = (k << 16 | (uint64_t)site) + 1; /* never 0, the empty slot */
        if (dedupe_seen(v->dedupe, k, s->now)) {
            v->wcur.deduped++;
            return;
        }
    }
    w->applied[site] |= OWED;
    if ((w->applied[site] & APPLIED_MASK) < APPLIED_MASK)
        w->applied[site]++;
}

void ledger_unref(sim *s, wrec *w)
{
    if (--w->refs)
        return;
    if (w->nmembers) {
        for (uint16_t i = 0; i < w->nmembers; i++)
            ledger_unref(s, members(w)[i]);
        pool_put(&s->brecs, w);
        return;
    }
    for (size_t i = 0; i < s->nsites; i++) {
        unsigned a = w->applied[i];
        if (!a)
            continue;
        ledger_counts *n = &s->sites[i].at->wcur;
        unsigned times = a & APPLIED_MASK;
        if (times >= 2)
            n->duplicated++;
        else if (times == 1 && w->told == 1)
            n->exactly_once++;
        else if (times == 1)
            n->ghost++;
        else if (w->told == 1)
            n->lost++;
    }
    pool_put(&s->wrecs, w);
}
