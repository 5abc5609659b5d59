/* budget.c -- retry budgets and throttling, as the real clients do them.
 *
 * A budget caps the gain of the retry loop (DESIGN.md section 8, leverage
 * 7): however many attempts the policy allows, a retry goes out only if the
 * budget has room.  Four reference designs:
 *
 *   grpc     gRPC retry throttling (A6).  Tokens start at max_tokens; every
 *            failed attempt takes 1, every success adds token_ratio (capped
 *            at max_tokens); a retry is allowed only while tokens >
 *            max_tokens / 2.
 *   finagle  Finagle's RetryBudget.  Over a sliding window of ttl, the
 *            balance is min_per_s * ttl + percent * requests - retries; a
 *            retry withdraws 1 and needs a balance of at least 1.
 *   envoy    Envoy's retry_budget.  Retries in flight may not exceed
 *            max(min_retry_concurrency, budget_percent * attempts in flight).
 *   aws      The AWS SDK's standard mode.  A quota starts at `quota`; a
 *            retry costs `cost` (`timeout_cost` after a timeout) and needs
 *            that much; a successful call refunds the last retry's cost, or
 *            adds no_retry_increment if it needed no retry.  Capped at quota.
 */
#include <stdlib.h>
#include <string.h>

#include "sim.h"
#include "../core/xalloc.h"

/* Finagle's WindowedAdder keeps 10 slices of the ttl. */
#define FINAGLE_SLOTS 10

void budget_init(budget_rt *b, const budget_spec *spec)
{
    memset(b, 0, sizeof *b);
    b->spec = spec;
    switch (spec->kind) {
    case BUDGET_GRPC:
        b->tokens = spec->max_tokens;
        break;
    case BUDGET_AWS:
        b->tokens = (double)spec->quota;
        break;
    case BUDGET_FINAGLE:
        b->dep = xcalloc(FINAGLE_SLOTS, sizeof *b->dep);
        b->wd = xcalloc(FINAGLE_SLOTS, sizeof *b->wd);
        break;
    default:
        break;
    }
}

void budget_free(budget_rt *b)
{
    free(b->dep);
    free(b->wd);
}

/* Finagle: move the window to `now`, clearing the slots that fell out. */
static void finagle_advance(budget_rt *b, simtime now)
{
    simtime slot_len = b->spec->ttl / FINAGLE_SLOTS;
    if (slot_len < 1)
        slot_len = 1;
    int64_t slot = now / slot_len;
    if (slot - b->slot >= FINAGLE_SLOTS) {
        memset(b->dep, 0, FINAGLE_SLOTS * sizeof *b->dep);
        memset(b->wd, 0, FINAGLE_SLOTS * sizeof *b->wd);
    } else {
        for (int64_t k = b->slot + 1; k <= slot; k++) {
            b->dep[k % FINAGLE_SLOTS] = 0;
            b->wd[k % FINAGLE_SLOTS] = 0;
        }
    }
    b->slot = slot;
}

static double finagle_balance(budget_rt *b, simtime now)
{
    finagle_advance(b, now);
    double dep = 0, wd = 0;
    for (int i = 0; i < FINAGLE_SLOTS; i++) {
        dep += b->dep[i];
        wd += b->wd[i];
    }
    return b->spec->min_per_s * t_sec(b->spec->ttl) + b->spec->percent * dep - wd;
}

void budget_on_attempt(budget_rt *b, simtime now, bool first)
{
    switch (b->spec->kind) {
    case BUDGET_FINAGLE:
        if (first) {
            finagle_advance(b, now);
            b->dep[b->slot % FINAGLE_SLOTS] += 1;
        }
        break;
    case BUDGET_ENVOY:
        b->active++;
        if (!first)
            b->active_retries++;
        break;
    default:
        break;
    }
}

void budget_on_attempt_end(budget_rt *b, bool retry)
{
    if (b->spec->kind == BUDGET_ENVOY) {
        b->active--;
        if (retry)
            b->active_retries--;
    }
}

bool budget_allow_retry(budget_rt *b, simtime now, status st, caller *c)
{
    const budget_spec *sp = b->spec;
    switch (sp->kind) {
    case BUDGET_GRPC:
        return b->tokens > sp->max_tokens / 2;
    case BUDGET_FINAGLE:
        if (finagle_balance(b, now) < 1)
            return false;
        b->wd[b->slot % FINAGLE_SLOTS] += 1;
        return true;
    case BUDGET_ENVOY: {
        double cap = sp->budget_percent * (double)b->active;
        if (cap < (double)sp->min_retry_concurrency)
            cap = (double)sp->min_retry_concurrency;
        return (double)b->active_retries < cap;
    }
    case BUDGET_AWS: {
        long cost = st == ST_TIMEOUT ? sp->timeout_cost : sp->cost;
        if (b->tokens < (double)cost)
            return false;
        b->tokens -= (double)cost;
        c->last_cost = (uint8_t)(cost > 255 ? 255 : cost);
        return true;
    }
    default:
        return true;
    }
}

/* An attempt's outcome (gRPC counts every attempt) or, for the AWS quota,
 * the end of a call that succeeded. */
void budget_on_result(budget_rt *b, status st, const caller *c, bool call_done)
{
    const budget_spec *sp = b->spec;
    if (sp->kind == BUDGET_GRPC && !call_done) {
        if (st == ST_OK) {
            b->tokens += sp->token_ratio;
            if (b->tokens > sp->max_tokens)
                b->tokens = sp->max_tokens;
        } else {
            b->tokens -= 1;
            if (b->tokens < 0)
                b->tokens = 0;
        }
    } else if (sp->kind == BUDGET_AWS && call_done && st == ST_OK) {
        b->tokens += c->attempt > 1 ? (double)c->last_cost : (double)sp->no_retry_increment;
        if (b->tokens > (double)sp->quota)
            b->tokens = (double)sp->quota;
    }
}

/* The level reported in the edge's `budget` column: tokens (grpc), quota
 * (aws), balance (finagle), or retries still allowed in flight (envoy). */
double budget_level(budget_rt *b, simtime now)
{
    switch (b->spec->kind) {
    case BUDGET_GRPC:
    case BUDGET_AWS:
        return b->tokens;
    case BUDGET_FINAGLE:
        return finagle_balance(b, now);
    case BUDGET_ENVOY: {
        double cap = b->spec->budget_percent * (double)b->active;
        if (cap < (double)b->spec->min_retry_concurrency)
            cap = (double)b->spec->min_retry_concurrency;
        return cap - (double)b->active_retries;
    }
    default:
        return 0;
    }
}
