/* cache.c -- look-aside caches in front of a call edge's callee (`caches:`).
 *
 * A call on an edge with `cache: NAME` asks for one key, drawn from a Zipf
 * popularity law.  The caller looks the key up first, as an application
 * does with memcached or Redis in front of a database:
 *
 *   fresh entry      a hit: the call succeeds after hit_time, and the origin
 *                    (the edge's callee) never sees it;
 *   expired entry,   with stale_while_revalidate, inside the window: served
 *   inside the SWR   stale at hit cost, and one background refresh goes to
 *   window           the origin if none is in flight for the key;
 *   otherwise        a miss: the call goes to the origin (retries, breaker,
 *                    pool and all), and a successful answer fills the entry.
 *                    With `coalesce`, a miss on a key whose origin call is
 *                    already in flight waits for that call instead of
 *                    making its own (singleflight), and gets its answer.
 *
 * Entries expire lazily: an expired entry stays held (and takes capacity)
 * until it is refilled or evicted, as in memcached.  With a capacity, the
 * least recently used entry is evicted to make room for a fill.
 *
 * Everything here runs only for edges that name a cache: an edge without
 * one pays a single pointer test in call_begin and one in call_end. */
#include <stdlib.h>
#include <string.h>

#include "sim.h"
#include "../core/xalloc.h"

static bool limited(const cache_rt *k) { return k->spec->capacity != MODEL_UNLIMITED; }

/* ---- the LRU list (capacity-limited caches only) -------------------------- */

static void lru_unlink(cache_rt *k, int32_t i)
{
    if (k->prev[i] >= 0)
        k->next[k->prev[i]] = k->next[i];
    else
        k->head = k->next[i];
    if (k->next[i] >= 0)
        k->prev[k->next[i]] = k->prev[i];
    else
        k->tail = k->prev[i];
}

static void lru_push_front(cache_rt *k, int32_t i)
{
    k->prev[i] = -1;
    k->next[i] = k->head;
    if (k->head >= 0)
        k->prev[k->head] = i;
    k->head = i;
    if (k->tail < 0)
        k->tail = i;
}

static void touch(cache_rt *k, uint32_t key)
{
    if (limited(k) && k->head != (int32_t)key) {
        lru_unlink(k, (int32_t)key);
        lru_push_front(k, (int32_t)key);
    }
}

/* Store an entry for `key`, expiring ttl (+ jitter) from now. */
static void store(cache_rt *k, uint32_t key, simtime now)
{
    const cache_spec *sp = k->spec;
    if (k->expires[key] == CACHE_ABSENT) {
        if (limited(k)) {
            if (k->held >= sp->capacity) {
                int32_t victim = k->tail;
                lru_unlink(k, victim);
                k->expires[victim] = CACHE_ABSENT;
                k->held--;
                k->cur.evictions++;
            }
            lru_push_front(k, (int32_t)key);
        }
        k->held++;
    } else {
        touch(k, key);
    }
    if (!sp->ttl) {
        k->expires[key] = T_NEVER;
        return;
    }
    simtime t = now + sp->ttl;
    if (sp->ttl_jitter > 0)
        t += (simtime)(rng_unif(&k->rng_ttl) * (double)sp->ttl_jitter + 0.5);
    k->expires[key] = t;
}

void cache_flush(cache_rt *k)
{
    for (long i = 0; i < k->spec->keys; i++)
        k->expires[i] = CACHE_ABSENT;
    k->held = 0;
    k->head = k->tail = -1;
}

long cache_entries(const cache_rt *k, simtime now)
{
    long n = 0;
    for (long i = 0; i < k->spec->keys; i++)
        n += k->expires[i] != CACHE_ABSENT && k->expires[i] > now;
    return n;
}

void cache_init(sim *s, cache_rt *k, const cache_spec *spec)
{
    size_t n = (size_t)spec->keys;
    k->spec = spec;
    zipf_init(&k->zipf, spec->keys, spec->zipf);
    rng_stream(&k->rng_key, s->seed, spec->name, RNG_CACHE_KEY);
    rng_stream(&k->rng_ttl, s->seed, spec->name, RNG_CACHE_TTL);
    k->expires = xmalloc(n * sizeof *k->expires);
    k->head = k->tail = -1;
    if (limited(k)) {
        k->prev = xmalloc(n * sizeof *k->prev);
        k->next = xmalloc(n * sizeof *k->next);
    }
    k->coalesce = spec->coalesce;
    k->swr = spec->swr;
    /* Flights are needed if coalescing or stale-while-revalidate is ever on,
     * from the start or from an action. */
    bool flights = spec->coalesce || spec->swr;
    for (size_t a = 0; a < s->m->nactions; a++)
        flights |= s->m->actions[a].cache == (int)(spec - s->m->caches) &&
                   (s->m->actions[a].kind == ACTION_COALESCE || s->m->actions[a].kind == ACTION_SWR);
    if (flights) {
        k->flights = xcalloc(n, sizeof *k->flights);
    }
    pool_init(&k->flight_pool, sizeof(flight));
    cache_flush(k);
    /* warm: every key (the most popular `capacity` of them) filled at t = 0,
     * least popular first so that the most popular end up most recent */
    if (spec->warm) {
        long fill = limited(k) && spec->capacity < spec->keys ? spec->capacity : spec->keys;
        for (long i = fill - 1; i >= 0; i--)
            store(k, (uint32_t)i, 0);
    }
}

void cache_free(cache_rt *k)
{
    free(k->expires);
    free(k->prev);
    free(k->next);
    free(k->flights);
    pool_free_all(&k->flight_pool);
}

/* ---- flights: one origin call per key that others may wait on ------------- */

static flight *flight_new(cache_rt *k, uint32_t key)
{
    flight *f = pool_get(&k->flight_pool);
    f->cache = k;
    f->key = key;
    k->flights[key] = f;
    return f;
}

static void flight_free(cache_rt *k, flight *f)
{
    k->flights[f->key] = NULL;
    pool_put(&k->flight_pool, f);
}

static void waiter_add(flight *f, caller *c)
{
    c->wnext = NULL;
    c->wprev = f->wtail;
    if (f->wtail)
        f->wtail->wnext = c;
    else
        f->whead = c;
    f->wtail = c;
}

static void waiter_remove(flight *f, caller *c)
{
    if (c->wprev)
        c->wprev->wnext = c->wnext;
    else
        f->whead = c->wnext;
    if (c->wnext)
        c->wnext->wprev = c->wprev;
    else
        f->wtail = c->wprev;
    c->wprev = c->wnext = NULL;
}

/* A stale hit: refresh the entry in the background, unless an origin call
 * for the key is already in flight. */
static void refresh(sim *s, cache_rt *k, caller *by)
{
    uint32_t key = by->key;
    if (k->flights[key])
        return;
    flight *f = flight_new(k, key);
    caller *c = &f->call;
    c->edge = by->edge;
    c->kind = CALLER_REFRESH;
    c->inst = by->inst; /* made by the same caller instance (its pool, breaker) */
    c->key = key;
    c->cache_role = CACHE_REFRESH;
    f->leader = c;
    k->cur.refreshes++;
    call_start_origin(s, c);
}

/* ---- the lookup ----------------------------------------------------------- */

bool cache_lookup(sim *s, caller *c)
{
    cache_rt *k = c->edge->cache;
    const cache_spec *sp = k->spec;
    uint32_t key = (uint32_t)(zipf_sample(&k->zipf, &k->rng_key) - 1);
    c->key = key;
    c->cache_nofill = 0;
    if (c->edge->client)
        c->edge->client->cur.offered++;
    simtime exp = k->expires[key];
    bool fresh = exp != CACHE_ABSENT && s->now < exp;
    bool stale = !fresh && exp != CACHE_ABSENT && k->swr && (k->swr == CACHE_SWR_FOREVER || s->now - exp < k->swr);
    if (fresh || stale) {
        k->cur.hits++;
        touch(k, key);
        if (stale) {
            k->cur.stale++;
            refresh(s, k, c);
        }
        c->cache_role = CACHE_HIT;
        c->state = CALL_CACHE_HIT;
        if (sp->hit_time > 0) {
            sim_at(s, &c->timer, EV_CACHE_HIT, s->now + sp->hit_time);
        } else {
            cache_on_hit(s, c);
        }
        return true;
    }
    k->cur.misses++;
    if (!k->coalesce) {
        c->cache_role = CACHE_MISS;
        return false;
    }
    flight *f = k->flights[key];
    if (f) {
        k->cur.coalesced++;
        c->cache_role = CACHE_WAITER;
        c->state = CALL_COALESCED;
        waiter_add(f, c);
        return true;
    }
    f = flight_new(k, key);
    f->leader = c;
    c->cache_role = CACHE_LEADER;
    return false;
}

void cache_on_hit(sim *s, caller *c)
{
    c->state = CALL_IDLE;
    c->cache_role = CACHE_NONE;
    call_report(s, c, ST_OK);
}

/* The call that went to the origin is over: fill on success, then answer
 * the owner and every call that waited for the same answer. */
void cache_call_end(sim *s, caller *c, status st)
{
    cache_rt *k = c->edge->cache;
    int role = c->cache_role;
    c->cache_role = CACHE_NONE;
    if (st == ST_OK && !c->cache_nofill) {
        store(k, c->key, s->now);
        k->cur.fills++;
    }
    caller *waiters = NULL;
    flight *f = NULL;
    if (role == CACHE_LEADER || role == CACHE_REFRESH) {
        f = k->flights[c->key];
        waiters = f->whead;
        f->whead = f->wtail = NULL;
        if (role == CACHE_LEADER)
            flight_free(k, f); /* a refresh's flight holds its caller: freed below */
    }
    if (role != CACHE_REFRESH)
        call_report(s, c, st);
    /* The list is detached, so a waiter's owner may start new calls (even
     * on this key) while the rest are answered. */
    while (waiters) {
        caller *w = waiters;
        waiters = w->wnext;
        w->wprev = w->wnext = NULL;
        w->state = CALL_IDLE;
        w->cache_role = CACHE_NONE;
        call_report(s, w, st);
    }
    if (role == CACHE_REFRESH)
        flight_free(k, f);
}

/* The call's owner gave up on it (a deadline, a crashed replica). */
void cache_abandon(sim *s, caller *c)
{
    cache_rt *k = c->edge->cache;
    int role = c->cache_role;
    c->cache_role = CACHE_NONE;
    if (role == CACHE_WAITER) {
        waiter_remove(k->flights[c->key], c);
        return;
    }
    if (role != CACHE_LEADER)
        return;
    /* The leader's origin call is abandoned with it: hand the key to the
     * first waiter, which makes its own origin call, or end the flight. */
    flight *f = k->flights[c->key];
    caller *w = f->whead;
    if (!w) {
        flight_free(k, f);
        return;
    }
    waiter_remove(f, w);
    f->leader = w;
    w->cache_role = CACHE_LEADER;
    /* Its first attempt goes out from an event at this instant, as after a
     * zero backoff: the abandon may come from a crash still tearing down
     * requests, which must not see new work start under it. */
    w->attempt = 0;
    w->prev_sleep = w->edge->spec->retry.base;
    w->state = CALL_BACKOFF;
    sim_at(s, &w->timer, EV_CALL_TIMER, s->now);
}
