/* describe.c -- wording model elements for origins and reviews. */
#include "describe.h"

#include <stdio.h>
#include <string.h>

#include "../model/units.h"

void desc_duration(simtime t, char *buf, int size) { units_format_duration(t, buf, size); }

void desc_retry(const retry_policy *r, char *buf, int size)
{
    if (r->attempts <= 1) {
        snprintf(buf, size, "no retries");
        return;
    }
    char base[32], max[32], jitter[32] = "";
    desc_duration(r->base, base, sizeof base);
    desc_duration(r->max, max, sizeof max);
    if (r->jitter != JITTER_NONE)
        snprintf(jitter, sizeof jitter, ", %s jitter", jitter_name(r->jitter));
    switch (r->backoff) {
    case BACKOFF_NONE:
        snprintf(buf, size, "attempts %d, no backoff", r->attempts);
        break;
    case BACKOFF_CONSTANT:
        snprintf(buf, size, "attempts %d, constant backoff %s%s", r->attempts, base, jitter);
        break;
    case BACKOFF_EXPONENTIAL:
        snprintf(buf, size, "attempts %d, exponential backoff %s..%s x%g%s", r->attempts, base, max, r->multiplier,
                 jitter);
        break;
    }
}

void desc_retry_on(unsigned on, char *buf, int size)
{
    buf[0] = 0;
    static const struct {
        unsigned bit;
        const char *name;
    } w[] = {{RETRY_ON_TIMEOUT, "timeout"}, {RETRY_ON_ERROR, "error"}, {RETRY_ON_REJECT, "reject"}};
    for (size_t i = 0; i < 3; i++)
        if (on & w[i].bit) {
            size_t n = strlen(buf);
            snprintf(buf + n, size - (int)n, "%s%s", n ? ", " : "", w[i].name);
        }
    if (!buf[0])
        snprintf(buf, size, "nothing");
}

void desc_edge(const model *m, int client, int service, int call, char *buf, int size)
{
    if (client >= 0)
        snprintf(buf, size, "%s\xe2\x86\x92%s", m->clients[client].name, m->services[m->clients[client].call.to].name);
    else
        snprintf(buf, size, "%s\xe2\x86\x92%s", m->services[service].name,
                 m->services[m->services[service].calls[call].to].name);
}
