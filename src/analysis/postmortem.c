/* postmortem.c -- the coupling statement and "why no single component is
 * at fault", kept to PM_MAX_WORDS words together (postmortem.h).  A
 * postmortem that blames one box for an emergent failure leaves the loop
 * in place; these two artifacts name the interaction and show every part
 * behaved as configured. */
#include "postmortem.h"

#include <stdio.h>
#include <string.h>

size_t postmortem_words(const char *s)
{
    size_t n = 0;
    bool in = false;
    for (; *s; s++) {
        bool sp = *s == ' ' || *s == '\t' || *s == '\n';
        if (!sp && !in)
            n++;
        in = !sp;
    }
    return n;
}

/* Appends to buf (NUL-terminated, size bytes), truncating. */
static void add(char *buf, size_t size, const char *s)
{
    size_t len = strlen(buf);
    if (len + 1 < size)
        snprintf(buf + len, size - len, "%s", s);
}

/* "after the trigger, a (..), b (..) and c (..) each did what it is
 * configured to do", with each part's brief evidence when brief. */
static void parts(const diagnosis *d, bool brief, char *buf, size_t size)
{
    add(buf, size, "after the trigger, ");
    for (size_t i = 0; i < d->nevidence; i++) {
        const dg_evidence *e = &d->evidence[i];
        if (i)
            add(buf, size, i + 1 == d->nevidence ? " and " : ", ");
        add(buf, size, e->entity);
        if (brief && (e->brief[0] || e->team[0])) {
            add(buf, size, " (");
            add(buf, size, e->team);
            if (e->team[0] && e->brief[0])
                add(buf, size, ": ");
            add(buf, size, e->brief);
            add(buf, size, ")");
        }
    }
    add(buf, size, d->nevidence == 1 ? " did what it is configured to do" : " each did what it is configured to do");
}

static void why(const diagnosis *d, bool brief, char *buf, size_t size)
{
    const cld_loop *l = &d->loops->loops[d->sustaining_loop];
    buf[0] = 0;
    if (d->cross_team && d->nteam_names >= 2) {
        add(buf, size, "No single team could have fixed it: loop ");
        add(buf, size, l->name);
        add(buf, size, " crosses ");
        for (size_t i = 0; i < d->nteam_names; i++) {
            if (i)
                add(buf, size, i + 1 == d->nteam_names ? " and " : ", ");
            add(buf, size, d->team_names[i]);
        }
        add(buf, size, ", and each sees only its part; ");
    } else {
        add(buf, size, "No single component is at fault: ");
    }
    parts(d, brief, buf, size);
    add(buf, size, ". Loop ");
    add(buf, size, l->name);
    add(buf, size, " through them sustained the outage: the fault is in the interaction.");
}

void postmortem_compose(diagnosis *d)
{
    d->pm_coupling[0] = d->pm_why[0] = 0;
    d->pm_words = 0;
    if (d->sustaining_loop < 0 || !d->nevidence)
        return;
    /* the coupling statement without the teams sentence appended to it
     * (the why paragraph names the teams) */
    snprintf(d->pm_coupling, sizeof d->pm_coupling, "%s", d->coupling);
    size_t n = strlen(d->pm_coupling), t = strlen(d->teams);
    if (t && n >= t + 2 && !strcmp(d->pm_coupling + n - t, d->teams))
        d->pm_coupling[n - t - 2] = 0;
    add(d->pm_coupling, sizeof d->pm_coupling, ".");
    size_t cw = postmortem_words(d->pm_coupling);
    why(d, true, d->pm_why, sizeof d->pm_why);
    if (cw + postmortem_words(d->pm_why) > PM_MAX_WORDS)
        why(d, false, d->pm_why, sizeof d->pm_why);
    d->pm_words = cw + postmortem_words(d->pm_why);
}
