/* derive.h -- the causal loop diagram implied by a service model.
 *
 * Each mechanism in the model adds signed links (DESIGN.md section 6), and
 * each link's origin names the model element that creates it, e.g.
 * "shoppers.retry (attempts 4, no backoff)" or "checkout→db timeout 2s".
 * Variables are per service ("checkout.latency"), per client
 * ("shoppers.load") and per call edge ("shoppers→checkout.retries"); each
 * belongs to an entity (the client or service that owns it), which is what
 * --boundary works on.  What is derived:
 *
 *   queueing      s.load → s.in_flight → s.latency (+, +) when workers are
 *                 finite and a queue can form
 *   holding       s.held → s.in_flight (+), s.held → s.latency (+): work
 *                 keeps its worker for its whole stay (Little's law)
 *   slowness      d.latency → s.held (+) for each call s→d: a synchronous
 *                 call holds the caller's worker, so slowness climbs
 *   contention    s.in_flight → s.service_time → s.held (+, +) when sigma or
 *                 kappa > 0: the R loop of congestion collapse
 *   queue limit   s.in_flight → s.rejects (+) → s.in_flight (-): the B loop
 *                 of a bounded queue shedding load
 *   timeouts      d.latency → c→d.timeouts (+) when the call has a timeout
 *   retries       c→d.timeouts / d.errors / d.rejects → c→d.retries (+) per
 *                 the policy's `on`, and c→d.retries → d.load (+): the R
 *                 loop of the retry storm, one per retrying edge
 *   failures      a call out of attempts fails the caller: c→d.timeouts,
 *                 d.errors, d.rejects → c.errors (+)
 *   closed loop   d.latency → client.load (-) for users with think time:
 *                 the B loop by which closed-loop load self-throttles
 *
 * Mechanisms the model cannot express yet (caches, breakers, autoscalers,
 * pools, budgets, ...) are listed in the graph's notes as not covered. */
#ifndef EDDY_LOOPS_DERIVE_H
#define EDDY_LOOPS_DERIVE_H

#include "../model/model.h"
#include "graph.h"

/* Build the diagram for m.  Never fails on a valid model. */
cld_graph *derive_graph(const model *m);

/* The sentence listing what derivation does not cover yet. */
extern const char *const derive_not_covered;

#endif
