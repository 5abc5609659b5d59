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
 *   retry budget  c→d.retries → c→d.budget_spent (+) → c→d.retries (-): the
 *                 B loop capping each retry storm's gain; plus what moves the
 *                 budget in each design: failed attempts take gRPC tokens
 *                 (+), requests deposit into Finagle's (-), a slower callee
 *                 and more requests widen Envoy's (-, an R loop through the
 *                 storm), a timeout makes an AWS retry dearer (+)
 *   breaker       the failures it records (c→d.timeouts, d.errors,
 *                 d.rejects, c→d.pool_rejects) and slow calls (d.latency) →
 *                 c→d.breaker_open (+, delay: judged over its window), and
 *                 c→d.breaker_open → d.load (-): the B loop of DESIGN.md 6;
 *                 → c→d.retries (-) (a refused call is not retried), → s.held
 *                 (-) (nor holds a worker), → s.errors (+) without a fallback
 *   pool          d.in_flight → c→d.pool_waiters (+) → d.load (-): the B
 *                 loop by which a pool caps d's concurrency from c, and so
 *                 bounds d's contention loop; c→d.pool_waiters → s.held and
 *                 c→d.timeouts (+); refusals (wait: false, wait_timeout) are
 *                 c→d.pool_rejects, retried on reject and failing the caller.
 *                 A note says when the cap is above d's USL peak N*.
 *
 *   autoscaler   s.load → s.per_replica_load (+) → a.metric (+, delay) →
 *                 a.desired (+, delay) → s.replicas (+, delay with a
 *                 startup) → s.per_replica_load (-): the B loop of each
 *                 autoscaler; two on one service (fighting controllers) are
 *                 named in the notes.
 *
 * Mechanisms the model cannot express yet (caches, hedging, ...) are listed
 * in the graph's notes as not covered. */
#ifndef EDDY_LOOPS_DERIVE_H
#define EDDY_LOOPS_DERIVE_H

#include "../model/model.h"
#include "graph.h"

/* Build the diagram for m.  Never fails on a valid model. */
cld_graph *derive_graph(const model *m);

#endif
