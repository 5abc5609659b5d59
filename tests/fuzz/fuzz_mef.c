/* fuzz_mef.c -- the Open-PSA MEF round trip of `eddy avail --mef`: a model
 * (its infra, failures, zones and ccf) is loaded, its fault tree derived
 * (src/analysis/avail.c) and written (src/output/mef.c), and the file read
 * back with libxml2 the way SCRAM reads it: well-formed XML, every name an
 * MEF identifier defined once, every reference defined, every probability
 * a finite number in [0, 1].  eddy has no MEF reader of its own; SCRAM is
 * too slow to start once per input, so tests/test_avail.c checks the
 * numbers against it and this harness checks the file's shape. */
#include "fuzz.h"

#include <ctype.h>
#include <math.h>
#include <string.h>

#include <libxml/parser.h>
#include <libxml/tree.h>

#include "analysis/avail.h"
#include "model/model.h"
#include "output/mef.h"

/* An MEF identifier: letters, digits, '_' and single '-', starting with a
 * letter or '_' (the schema's pattern, as SCRAM checks it). */
static int mef_identifier(const char *s)
{
    if (!*s || !(isalpha((unsigned char)*s) || *s == '_'))
        return 0;
    for (const char *p = s; *p; p++) {
        if (!(isalnum((unsigned char)*p) || *p == '_' || *p == '-'))
            return 0;
        if (*p == '-' && (p[1] == '-' || !p[1]))
            return 0;
    }
    return 1;
}

typedef struct names {
    char **v;
    size_t n, cap;
} names;

static int names_has(const names *N, const char *s)
{
    for (size_t i = 0; i < N->n; i++)
        if (!strcmp(N->v[i], s))
            return 1;
    return 0;
}

static void names_add(names *N, const char *s)
{
    if (N->n == N->cap) {
        N->cap = N->cap ? 2 * N->cap : 64;
        N->v = realloc(N->v, N->cap * sizeof *N->v);
        if (!N->v)
            abort();
    }
    N->v[N->n++] = (char *)s;
}

typedef struct walk {
    names gates, events, groups, gate_refs, event_refs;
} walk;

/* in_members: inside a CCF group's <members>, where <basic-event> defines
 * the event rather than referring to it. */
static void visit(walk *W, xmlNode *n, int in_members)
{
    for (; n; n = n->next) {
        if (n->type != XML_ELEMENT_NODE)
            continue;
        const char *tag = (const char *)n->name;
        xmlChar *name = xmlGetProp(n, (const xmlChar *)"name");
        xmlChar *value = xmlGetProp(n, (const xmlChar *)"value");
        if (name) {
            FUZZ_ASSERT(mef_identifier((char *)name), "<%s name=\"%s\"> is not an MEF identifier", tag, name);
            names *defs = !strcmp(tag, "define-gate")                                    ? &W->gates
                          : !strcmp(tag, "define-basic-event")                           ? &W->events
                          : !strcmp(tag, "basic-event") && in_members                    ? &W->events
                          : !strcmp(tag, "define-CCF-group")                             ? &W->groups
                          : NULL;
            if (defs) {
                FUZZ_ASSERT(!names_has(defs, (char *)name), "<%s name=\"%s\"> defined twice", tag, name);
                names_add(defs, (char *)xmlStrdup(name));
            } else if (!strcmp(tag, "gate")) {
                names_add(&W->gate_refs, (char *)xmlStrdup(name));
            } else if (!strcmp(tag, "basic-event")) {
                names_add(&W->event_refs, (char *)xmlStrdup(name));
            }
        }
        if (value && !strcmp(tag, "float")) {
            char *end;
            double v = strtod((char *)value, &end);
            FUZZ_ASSERT(!*end && isfinite(v) && v >= 0 && v <= 1, "<float value=\"%s\">", value);
        }
        xmlFree(name);
        xmlFree(value);
        visit(W, n->children, !strcmp(tag, "members"));
    }
}

static void names_free(names *N)
{
    for (size_t i = 0; i < N->n; i++)
        xmlFree(N->v[i]);
    free(N->v);
}

static void no_errors(void *ctx, const char *msg, ...)
{
    (void)ctx;
    (void)msg;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    xmlSetGenericErrorFunc(NULL, no_errors);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    eddy_error err;
    model *m = model_load_string((const char *)data, size, "fuzz.yaml", &err);
    if (!m)
        return 0;
    char why[512] = "";
    avail_model *a = avail_derive(m, why, sizeof why);
    if (!a) {
        FUZZ_ASSERT(why[0], "avail refused the model without a reason");
        model_free(m);
        return 0;
    }
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    FUZZ_ASSERT(f, "open_memstream");
    FUZZ_ASSERT(mef_write(f, a->t, m->name ? m->name : "eddy") == 0, "mef_write failed");
    fclose(f);
    xmlDoc *doc = xmlReadMemory(buf, (int)len, "fuzz.xml", NULL, XML_PARSE_NONET);
    FUZZ_ASSERT(doc, "the MEF eddy wrote is not well-formed XML");
    xmlNode *root = xmlDocGetRootElement(doc);
    FUZZ_ASSERT(root && !strcmp((const char *)root->name, "opsa-mef"), "no <opsa-mef> root");
    walk W = {0};
    visit(&W, root, 0);
    for (size_t i = 0; i < W.gate_refs.n; i++)
        FUZZ_ASSERT(names_has(&W.gates, W.gate_refs.v[i]), "gate %s referenced, not defined", W.gate_refs.v[i]);
    for (size_t i = 0; i < W.event_refs.n; i++)
        FUZZ_ASSERT(names_has(&W.events, W.event_refs.v[i]),
                    "basic event %s referenced, not defined", W.event_refs.v[i]);
    FUZZ_ASSERT(W.gates.n == a->t->ngates, "%zu gates written, %zu in the tree", W.gates.n, a->t->ngates);
    names_free(&W.gates);
    names_free(&W.events);
    names_free(&W.groups);
    names_free(&W.gate_refs);
    names_free(&W.event_refs);
    xmlFreeDoc(doc);
    free(buf);
    avail_free(a);
    model_free(m);
    return 0;
}
