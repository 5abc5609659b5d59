/* avail_load.c -- the availability checks that need the whole model
 * (avail_load.h).  The keys are read by the schema walker (schema_model.c,
 * "availability"); here a dependency listed twice, the members of
 * common-cause groups and their failure probabilities.  The errors follow
 * the loader's: file:line:col, the key's path, what was expected. */
#include "avail_load.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "schema.h"
#include "../core/xalloc.h"

#define AL_PATH 256

/* A ccf member: a service or an infra entry, with a "did you mean". */
static int al_member(const yamldoc *y, const model *m, size_t c, size_t j, ccf_member *r)
{
    r->service = model_find_service(m, r->name);
    r->infra = -1;
    for (size_t i = 0; r->service < 0 && i < m->ninfra; i++)
        if (!strcmp(m->infra[i].name, r->name))
            r->infra = (int)i;
    if (r->service >= 0 || r->infra >= 0)
        return 0;
    const char **names = xcalloc(m->nservices + m->ninfra + 1, sizeof *names);
    size_t n = 0;
    for (size_t i = 0; i < m->nservices; i++)
        names[n++] = m->services[i].name;
    for (size_t i = 0; i < m->ninfra; i++)
        names[n++] = m->infra[i].name;
    const char *near = schema_suggest(r->name, names, n);
    char hint[128] = "";
    if (near)
        snprintf(hint, sizeof hint, " (did you mean '%s'?)", near);
    free(names);
    return err_set(y->err, y->file, r->pos.line, r->pos.col,
                   "ccf[%zu].members[%zu]: '%s' is neither a service nor an infra entry%s", c, j, r->name, hint);
}

/* The probability a member is down, for the beta-factor check. */
static double al_q(const failures_spec *f)
{
    double mr = repair_mean(&f->mttr);
    return mr / (f->mtbf + mr);
}

int avail_load_check(const yamldoc *y, model *m)
{
    for (size_t s = 0; s < m->nservices; s++) {
        service_spec *S = &m->services[s];
        char what[AL_PATH];
        for (size_t i = 0; i < S->ndepends; i++) {
            snprintf(what, sizeof what, "services.%s.depends_on[%zu]", S->name, i);
            for (size_t j = 0; j < i; j++)
                if (S->depends_on[j].on.infra == S->depends_on[i].on.infra)
                    return err_set(y->err, y->file, S->depends_on[i].on.pos.line, S->depends_on[i].on.pos.col,
                                   "%s: %s is listed twice", what, S->depends_on[i].on.name);
        }
    }
    for (size_t c = 0; c < m->nccf; c++) {
        ccf_spec *C = &m->ccf[c];
        if (!C->name) {
            char def[32];
            snprintf(def, sizeof def, "ccf-%zu", c + 1);
            C->name = xstrdup(def);
        }
        double q0 = -1;
        const char *first = NULL;
        for (size_t j = 0; j < C->nmembers; j++) {
            ccf_member *r = &C->members[j];
            if (al_member(y, m, c, j, r) < 0)
                return -1;
            const failures_spec *f =
                r->service >= 0 ? &m->services[r->service].failures : &m->infra[r->infra].failures;
            if (!f->on)
                return err_set(y->err, y->file, r->pos.line, r->pos.col,
                               "ccf[%zu].members[%zu]: %s has no failures: {mtbf, mttr} to share", c, j, r->name);
            for (size_t i = 0; i < c; i++)
                for (size_t k = 0; k < m->ccf[i].nmembers; k++)
                    if (!strcmp(m->ccf[i].members[k].name, r->name))
                        return err_set(y->err, y->file, r->pos.line, r->pos.col,
                                       "ccf[%zu].members[%zu]: %s is already in %s", c, j, r->name, m->ccf[i].name);
            double q = al_q(f);
            if (q0 < 0) {
                q0 = q;
                first = r->name;
            } else if (fabs(q - q0) > 1e-9 * q0) {
                return err_set(y->err, y->file, r->pos.line, r->pos.col,
                               "ccf[%zu].members[%zu]: the beta-factor model gives a group one failure probability, "
                               "but %s is down %.4g%% of the time and %s %.4g%%",
                               c, j, first, 100 * q0, r->name, 100 * q);
            }
            if (r->infra >= 0)
                for (size_t s = 0; s < m->nservices; s++)
                    for (size_t d = 0; d < m->services[s].ndepends; d++)
                        if (m->services[s].depends_on[d].on.infra == r->infra && m->services[s].depends_on[d].stale)
                            return err_set(y->err, y->file, r->pos.line, r->pos.col,
                                           "ccf[%zu].members[%zu]: %s has a stale grace period (services.%s."
                                           "depends_on); eddy cannot yet time a grace over a common-cause group",
                                           c, j, r->name, m->services[s].name);
        }
        size_t units = 0;
        for (size_t j = 0; j < C->nmembers; j++)
            units += C->members[j].service >= 0 ? (size_t)m->services[C->members[j].service].replicas : 1;
        if (units < 2)
            return err_set(y->err, y->file, C->pos.line, C->pos.col,
                           "ccf[%zu]: a common-cause group needs at least two members (replicas count)", c);
    }
    return 0;
}

void avail_load_free_service(service_spec *s)
{
    for (size_t i = 0; i < s->nzones; i++)
        free(s->zones[i].name);
    free(s->zones);
    for (size_t i = 0; i < s->ndepends; i++)
        free(s->depends_on[i].on.name);
    free(s->depends_on);
}

void avail_load_free(model *m)
{
    for (size_t i = 0; i < m->ninfra; i++)
        free(m->infra[i].name);
    free(m->infra);
    for (size_t c = 0; c < m->nccf; c++) {
        for (size_t j = 0; j < m->ccf[c].nmembers; j++)
            free(m->ccf[c].members[j].name);
        free(m->ccf[c].members);
        free(m->ccf[c].name);
    }
    free(m->ccf);
}
