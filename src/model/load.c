/* load.c -- reading a model file (YAML, through libyaml) into a model.
 *
 * Top-down: the text is parsed within limits (ysafe.c), edits are applied
 * (yedit.c; a patch is first checked against the schema, so a misspelled
 * service in it is named as such), the document is read against the model's
 * schema (schema.c walks the tables of schema_model.c: unknown, duplicate
 * and missing keys, units, ranges, names), and then the checks that need
 * the whole model run: references, replica slots, bulkhead callers, caches,
 * and cycles in the synchronous call graph.  Each error names
 * file:line:col, the key's path (clients.shoppers.retry.attempts) and what
 * was expected. */
#include "model.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "avail_load.h"
#include "cond.h"
#include "hypotheses.h"
#include "schema.h"
#include "platform.h"
#include "teams.h"
#include "todo.h"
#include "yedit.h"
#include "ysafe.h"
#include "../core/xalloc.h"

/* ---- checks on the whole model ----------------------------------------------- */

/* Which services can change their replica count, and the replica slots
 * each needs: the engine allocates that many up front, so memory stays
 * bounded however the controllers act. */
static void set_slots(model *m)
{
    for (size_t i = 0; i < m->nservices; i++) {
        service_spec *s = &m->services[i];
        s->slots = s->replicas;
        s->scaled = s->startup > 0;
    }
    for (size_t i = 0; i < m->nautoscalers; i++) {
        service_spec *s = &m->services[m->autoscalers[i].service];
        s->scaled = true;
        if (m->autoscalers[i].max > s->slots)
            s->slots = m->autoscalers[i].max;
    }
    for (size_t i = 0; i < m->nactions; i++) {
        if (m->actions[i].kind != ACTION_SCALE)
            continue;
        service_spec *s = &m->services[m->actions[i].service];
        s->scaled = true;
        if (m->actions[i].replicas > s->slots)
            s->slots = m->actions[i].replicas;
    }
}

/* A scaled service loses replica slots: at most as many as it has. */
static int check_faults(schema_ctx *S)
{
    const model *m = S->m;
    for (size_t i = 0; i < m->nfaults; i++) {
        const fault_spec *ft = &m->faults[i];
        if (ft->kind == FAULT_LOSE_REPLICAS && ft->replicas > m->services[ft->target].slots)
            return err_set(S->y.err, S->y.file, ft->value_pos.line, ft->value_pos.col,
                           "faults[%zu].lose_replicas: %s has only %ld replicas, cannot lose %ld", i,
                           m->services[ft->target].name, m->services[ft->target].slots, ft->replicas);
    }
    return 0;
}

static bool calls_service(const model *m, int caller_client, int caller_service, int target)
{
    if (caller_client >= 0)
        return m->clients[caller_client].call.to == target;
    for (size_t k = 0; caller_service >= 0 && k < m->services[caller_service].ncalls; k++)
        if (m->services[caller_service].calls[k].to == target)
            return true;
    return false;
}

static bool has_partition(const service_spec *s, const char *caller)
{
    for (size_t j = 0; j < s->nbulkheads; j++)
        if (!strcmp(s->bulkheads[j].caller, caller))
            return true;
    return false;
}

/* A bulkhead names a caller: it must be a client or a service that calls
 * the service, or the partition would never be used (a typo, most likely).
 * Callers without a partition share what is left, so something must be. */
static int check_bulkheads(schema_ctx *S)
{
    const model *m = S->m;
    for (size_t i = 0; i < m->nservices; i++) {
        const service_spec *s = &m->services[i];
        long spare = s->workers;
        for (size_t j = 0; j < s->nbulkheads; j++) {
            const bulkhead_spec *b = &s->bulkheads[j];
            int c = model_find_client(m, b->caller), v = model_find_service(m, b->caller);
            spare -= b->workers;
            if (!calls_service(m, c, c < 0 ? v : -1, (int)i))
                return err_set(S->y.err, S->y.file, b->pos.line, b->pos.col, "services.%s.bulkheads: '%s' %s", s->name,
                               b->caller,
                               c < 0 && v < 0 ? "is neither a client nor a service" : "does not call this service");
        }
        if (!s->nbulkheads || spare != 0)
            continue;
        for (size_t k = 0; k < m->nclients + m->nservices; k++) {
            int c = k < m->nclients ? (int)k : -1, v = k < m->nclients ? -1 : (int)(k - m->nclients);
            const char *name = c >= 0 ? m->clients[c].name : m->services[v].name;
            if (calls_service(m, c, v, (int)i) && !has_partition(s, name))
                return err_set(S->y.err, S->y.file, s->bulkheads[0].pos.line, s->bulkheads[0].pos.col,
                               "services.%s.bulkheads: the partitions take every worker, leaving none for '%s'",
                               s->name, name);
        }
    }
    return 0;
}

/* A cache must be used by a call (else it is a typo), and fronts one
 * origin: every call that uses it calls the same service. */
static int check_caches(schema_ctx *S)
{
    const model *m = S->m;
    for (size_t i = 0; i < m->ncaches; i++) {
        const cache_spec *c = &m->caches[i];
        const call_spec *first = NULL;
        for (size_t k = 0; k < m->nclients + m->nservices; k++) {
            const call_spec *calls = k < m->nclients ? &m->clients[k].call : m->services[k - m->nclients].calls;
            size_t n = k < m->nclients ? 1 : m->services[k - m->nclients].ncalls;
            for (size_t j = 0; j < n; j++) {
                const call_spec *cs = &calls[j];
                if (!cs->has_cache || cs->cache != (int)i)
                    continue;
                if (!first)
                    first = cs;
                else if (cs->to != first->to)
                    return err_set(S->y.err, S->y.file, cs->cache_pos.line, cs->cache_pos.col,
                                   "cache: '%s' already fronts %s; a cache fronts one origin, so every call using it "
                                   "must call the same service (this one calls %s)",
                                   c->name, m->services[first->to].name, m->services[cs->to].name);
            }
        }
        if (!first)
            return err_set(S->y.err, S->y.file, c->pos.line, c->pos.col,
                           "caches.%s: no call uses this cache; add 'cache: %s' to the call it fronts", c->name,
                           c->name);
    }
    return 0;
}

/* Synchronous calls hold the caller's worker, so a cycle would deadlock the
 * simulated system (and the simulator's recursion); reject it and name it.
 * A depth-first search with its own stack: a chain of services thousands
 * deep must not overflow the C stack. */
static int check_calls_acyclic(schema_ctx *S)
{
    const model *m = S->m;
    size_t n = m->nservices;
    int *state = xcalloc(n + 1, sizeof *state);  /* 0 new, 1 on the path, 2 done */
    int *path = xcalloc(n + 1, sizeof *path);    /* the services on the path */
    size_t *next = xcalloc(n + 1, sizeof *next); /* each one's next call to follow */
    int rc = 0;
    for (size_t root = 0; root < n && rc == 0; root++) {
        if (state[root])
            continue;
        size_t depth = 0;
        path[0] = (int)root;
        next[0] = 0;
        state[root] = 1;
        while (rc == 0) {
            const service_spec *sv = &m->services[path[depth]];
            if (next[depth] == sv->ncalls) {
                state[path[depth]] = 2;
                if (depth-- == 0)
                    break;
                continue;
            }
            size_t ci = next[depth]++;
            int t = sv->calls[ci].to;
            if (state[t] == 2)
                continue;
            if (state[t] == 0) {
                state[t] = 1;
                path[++depth] = t;
                next[depth] = 0;
                continue;
            }
            /* t is on the path: the cycle runs from t to here and back */
            size_t from = depth;
            while (path[from] != t)
                from--;
            char chain[1024] = "";
            for (size_t j = from; j <= depth; j++) {
                if (strlen(chain) > 900) {
                    strcat(chain, "... -> ");
                    break;
                }
                strncat(chain, m->services[path[j]].name, sizeof chain - strlen(chain) - 1);
                strncat(chain, " -> ", sizeof chain - strlen(chain) - 1);
            }
            strncat(chain, m->services[t].name, sizeof chain - strlen(chain) - 1);
            rc = err_set(S->y.err, S->y.file, sv->calls[ci].to_pos.line, sv->calls[ci].to_pos.col,
                         "services.%s.calls[%zu].to: the call graph has a cycle (%s); synchronous calls must not "
                         "loop back, because each holds its caller's worker",
                         sv->name, sv->calls[ci].index, chain);
        }
    }
    free(state);
    free(path);
    free(next);
    return rc;
}

/* ---- broker queues and consumer groups ------------------------------------------ */

/* `calls:` entries that publish move to service.publishes, so that every
 * entry of `calls` is a synchronous call to a service (what the call graph,
 * the loops and the reviews walk); publish_at keeps the file's order. */
static void split_publishes(model *m)
{
    for (size_t i = 0; i < m->nservices; i++) {
        service_spec *s = &m->services[i];
        size_t np = 0;
        for (size_t k = 0; k < s->ncalls; k++) {
            s->calls[k].index = k;
            np += s->calls[k].queue >= 0;
        }
        if (!np)
            continue;
        s->publishes = xcalloc(np, sizeof *s->publishes);
        s->publish_at = xcalloc(np, sizeof *s->publish_at);
        size_t nc = 0;
        for (size_t k = 0; k < s->ncalls; k++) {
            if (s->calls[k].queue >= 0) {
                s->publish_at[s->npublishes] = nc;
                s->publishes[s->npublishes++] = s->calls[k];
            } else {
                s->calls[nc++] = s->calls[k];
            }
        }
        s->ncalls = nc;
    }
}

/* One consumer group per queue (a topic has one per subscription); a dlq
 * is another queue; `dedupe` sits on a service that applies writes.  Then
 * each group's call: how its deliveries reach the service. */
static int check_messaging(schema_ctx *S)
{
    model *m = S->m;
    for (size_t i = 0; i < m->nqueues; i++) {
        const bqueue_spec *q = &m->queues[i];
        if (q->dlq == (int)i)
            return err_set(S->y.err, S->y.file, q->dlq_pos.line, q->dlq_pos.col,
                           "queues.%s.dlq: a queue cannot be its own dead-letter queue", q->name);
    }
    for (size_t i = 0; i < m->nconsumers; i++) {
        consumer_spec *c = &m->consumers[i];
        for (size_t j = 0; j < i && !m->queues[c->queue].topic; j++)
            if (m->consumers[j].queue == c->queue)
                return err_set(S->y.err, S->y.file, c->queue_pos.line, c->queue_pos.col,
                               "consumers.%s.queue: '%s' is already drained by consumer group '%s' (line %d); a "
                               "queue has one group: for fan-out, give the queue 'kind: topic'",
                               c->name, m->queues[c->queue].name, m->consumers[j].name, m->consumers[j].pos.line);
        c->call = (call_spec){.to = c->service, .queue = -1, .effect = c->effect, .pos = c->pos,
                              .to_pos = c->service_pos, .effect_pos = c->effect_pos};
        c->call.retry.attempts = 1;
    }
    for (size_t i = 0; i < m->nautoscalers; i++) {
        const autoscaler_spec *a = &m->autoscalers[i];
        bool consumes = false;
        for (size_t g = 0; g < m->nconsumers; g++)
            consumes |= m->consumers[g].service == a->service;
        if (a->metric == METRIC_LAG && !consumes)
            return err_set(S->y.err, S->y.file, a->metric_pos.line, a->metric_pos.col,
                           "autoscalers.%s.metric: lag is the messages waiting for %s's consumer groups, and no "
                           "consumer group runs on %s",
                           a->name, m->services[a->service].name, m->services[a->service].name);
    }
    for (size_t i = 0; i < m->nservices; i++) {
        const service_spec *s = &m->services[i];
        if (s->dedupe.key == DEDUPE_NONE && !s->dedupe.pos.line)
            continue;
        if (!model_service_applies(m, (int)i))
            return err_set(S->y.err, S->y.file, s->dedupe.pos.line, s->dedupe.pos.col,
                           "services.%s.dedupe: no write reaches %s (no call or consumer group with effect: write "
                           "applies one here), so dedupe has nothing to check",
                           s->name, s->name);
    }
    return 0;
}

/* ---- reading ------------------------------------------------------------------- */

/* Edits in order; a patch is checked against the schema first, so its
 * errors are about what the patch says, not about the merged result. */
static int apply_edits(schema_ctx *S, yaml_document_t *doc, const model_edit *e, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        const char *origin = e[i].origin ? e[i].origin : S->y.file;
        if (S->y.norigins < 8) {
            S->y.origin_first[S->y.norigins] = (int)(doc->nodes.top - doc->nodes.start) + 1;
            S->y.origin_file[S->y.norigins++] = origin;
        }
        if (e[i].patch) {
            schema_ctx P = {.y = {.doc = e[i].patch, .file = origin, .err = S->y.err}, .base = doc};
            int rc = schema_check_patch(&P, &schema_model, e[i].patch, e[i].patch_node, 1);
            schema_ctx_free(&P);
            if (rc < 0 || yedit_merge(doc, e[i].patch, e[i].patch_node, e[i].origin, S->y.err) < 0)
                return -1;
        } else if (yedit_set(doc, e[i].set_path, e[i].set_value, e[i].origin, S->y.err) < 0) {
            return -1;
        }
    }
    return 0;
}

static model *load_text(const char *text, size_t len, const char *name, const model_edit *edits, size_t nedits,
                        eddy_error *err)
{
    yaml_document_t doc;
    if (ysafe_load(text, len, name, &doc, err) < 0)
        return NULL;
    model *m = xcalloc(1, sizeof *m);
    m->file = xstrdup(name);
    schema_ctx S = {.y = {.doc = &doc, .file = name, .err = err}, .m = m};
    int rc = apply_edits(&S, &doc, edits, nedits);
    yaml_node_t *root = yaml_document_get_root_node(&doc);
    if (rc == 0 && !root)
        rc = err_set(err, name, 1, 1, "the file is empty; expected a model with duration, clients and services");
    /* an imported model's TODO values: refused, or filled under --assume,
     * which the model's name then carries into every output */
    int filled = 0;
    if (rc == 0) {
        rc = todo_check(&doc, name, &filled, err);
        root = yaml_document_get_root_node(&doc); /* edits may have moved the nodes */
    }
    if (rc == 0 && filled) {
        yaml_node_t *nm = NULL;
        for (yaml_node_pair_t *p = root->type == YAML_MAPPING_NODE ? root->data.mapping.pairs.start : NULL;
             p && p < root->data.mapping.pairs.top; p++) {
            yaml_node_t *k = yaml_document_get_node(&doc, p->key);
            if (k->type == YAML_SCALAR_NODE && !strcmp((const char *)k->data.scalar.value, "name"))
                nm = yaml_document_get_node(&doc, p->value);
        }
        char title[512];
        snprintf(title, sizeof title, "%s - ASSUMED %d TODO value%s, filled by --assume from documented defaults",
                 nm && nm->type == YAML_SCALAR_NODE ? (const char *)nm->data.scalar.value : "model", filled,
                 filled == 1 ? "" : "s");
        rc = yedit_set(&doc, "name", title, "--assume", err);
        root = yaml_document_get_root_node(&doc);
    }
    if (rc == 0)
        rc = schema_read(&S, &schema_model, root, root, "", m);
    if (rc == 0)
        rc = schema_resolve(&S);
    if (rc == 0)
        rc = platform_apply(&S, m);
    if (rc == 0) {
        split_publishes(m);
        set_slots(m);
        /* availability (avail_load.c): what relates its entries */
        if (check_faults(&S) < 0 || check_bulkheads(&S) < 0 || check_caches(&S) < 0 || check_messaging(&S) < 0 ||
            avail_load_check(&S.y, m) < 0 || teams_check(&S, m) < 0 || cond_check_actions(&S, m) < 0 || check_calls_acyclic(&S) < 0)
            rc = -1;
        /* last: a hypothesis names any entity, and its window the faults
         * (hypotheses.c reads each entry against hypothesis_table) */
        yaml_node_t *hyp = sk_get(&S, root, "hypotheses", NULL);
        if (rc == 0 && hyp && hypotheses_read(&S, hyp) < 0)
            rc = -1;
    }
    schema_ctx_free(&S);
    yaml_document_delete(&doc);
    if (rc < 0) {
        model_free(m);
        return NULL;
    }
    return m;
}

model *model_load_string(const char *text, size_t len, const char *name, eddy_error *err)
{
    return load_text(text, len, name, NULL, 0, err);
}

model *model_load_edited(const char *path, const model_edit *edits, size_t nedits, eddy_error *err)
{
    size_t len;
    char *text = ysafe_read_file(path, &len, err);
    if (!text)
        return NULL;
    model *m = load_text(text, len, path, edits, nedits, err);
    free(text);
    return m;
}

model *model_load(const char *path, eddy_error *err) { return model_load_edited(path, NULL, 0, err); }

/* ---- the model's lifetime and look-ups ---------------------------------------- */

void model_free(model *m)
{
    if (!m)
        return;
    for (size_t i = 0; i < m->nclients; i++) {
        free(m->clients[i].name);
        free(m->clients[i].steps);
    }
    for (size_t i = 0; i < m->nservices; i++) {
        free(m->services[i].name);
        free(m->services[i].calls);
        for (size_t j = 0; j < m->services[i].nbulkheads; j++)
            free(m->services[i].bulkheads[j].caller);
        free(m->services[i].bulkheads);
        free(m->services[i].publishes);
        free(m->services[i].publish_at);
        avail_load_free_service(&m->services[i]);
    }
    avail_load_free(m);
    free(m->clients);
    free(m->services);
    free(m->faults);
    for (size_t i = 0; i < m->nactions; i++)
        if (m->actions[i].when) {
            cond_free(m->actions[i].when);
            free(m->actions[i].when);
        }
    free(m->actions);
    for (size_t i = 0; i < m->nautoscalers; i++)
        free(m->autoscalers[i].name);
    free(m->autoscalers);
    for (size_t i = 0; i < m->ncaches; i++)
        free(m->caches[i].name);
    free(m->caches);
    for (size_t i = 0; i < m->nqueues; i++)
        free(m->queues[i].name);
    free(m->queues);
    for (size_t i = 0; i < m->nconsumers; i++)
        free(m->consumers[i].name);
    free(m->consumers);
    hypotheses_free(m);
    teams_free(m);
    free(m->file);
    free(m->name);
    free(m->description);
    free(m);
}

int model_find_service(const model *m, const char *name)
{
    for (size_t i = 0; i < m->nservices; i++)
        if (m->services[i].name && !strcmp(m->services[i].name, name))
            return (int)i;
    return -1;
}

int model_find_client(const model *m, const char *name)
{
    for (size_t i = 0; i < m->nclients; i++)
        if (m->clients[i].name && !strcmp(m->clients[i].name, name))
            return (int)i;
    return -1;
}

int model_find_cache(const model *m, const char *name)
{
    for (size_t i = 0; i < m->ncaches; i++)
        if (m->caches[i].name && !strcmp(m->caches[i].name, name))
            return (int)i;
    return -1;
}

int model_find_queue(const model *m, const char *name)
{
    for (size_t i = 0; i < m->nqueues; i++)
        if (m->queues[i].name && !strcmp(m->queues[i].name, name))
            return (int)i;
    return -1;
}

bool model_service_applies(const model *m, int s)
{
    for (size_t k = 0; k < m->nconsumers; k++)
        if (m->consumers[k].service == s && m->consumers[k].effect == EFFECT_WRITE)
            return true;
    for (size_t k = 0; k < m->nclients; k++)
        if (m->clients[k].call.to == s && m->clients[k].call.effect == EFFECT_WRITE)
            return true;
    for (size_t j = 0; j < m->nservices; j++)
        for (size_t k = 0; k < m->services[j].ncalls; k++)
            if (m->services[j].calls[k].to == s && m->services[j].calls[k].effect == EFFECT_WRITE)
                return true;
    return false;
}

int model_queue_consumer(const model *m, int q)
{
    for (size_t i = 0; i < m->nconsumers; i++)
        if (m->consumers[i].queue == q)
            return (int)i;
    return -1;
}

const char *call_target_name(const model *m, const call_spec *c)
{
    return c->queue >= 0 ? m->queues[c->queue].name : m->services[c->to].name;
}

const char *fault_target_name(const model *m, const fault_spec *f)
{
    return f->kind == FAULT_FLUSH ? m->caches[f->target].name : m->services[f->target].name;
}

const char *backoff_name(backoff_kind k)
{
    static const char *n[] = {"none", "constant", "exponential"};
    return n[k];
}

const char *jitter_name(jitter_kind k)
{
    static const char *n[] = {"none", "full", "equal", "decorrelated"};
    return n[k];
}

const char *scale_metric_name(scale_metric k)
{
    static const char *n[] = {"cpu", "queue", "rps", "lag"};
    return n[k];
}

const char *fault_kind_name(fault_kind k)
{
    static const char *n[] = {"slow", "add_latency", "errors", "down", "lose_replicas", "flush", "restart"};
    return n[k];
}
