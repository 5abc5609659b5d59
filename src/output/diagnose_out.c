/* diagnose_out.c -- writing a diagnosis as text and as JSON. */
#include "diagnose_out.h"
#include "json_num.h"

#include <math.h>
#include <string.h>

#include "../analysis/postmortem.h"
#include "../analysis/variant.h"
#include "../loops/graph.h"
#include "loops_out.h"
#include "../model/todo.h"
#include "../model/units.h"

static void loop_line(FILE *fp, const diagnosis *d, int li)
{
    const cld_loop *l = &d->loops->loops[li];
    fprintf(fp, "%s %s: ", l->name, l->type == 'R' ? "reinforcing" : "balancing");
    for (size_t k = 0; k < l->len; k++)
        fprintf(fp, "%s → ", d->graph->vars[l->vars[k]].name);
    fprintf(fp, "%s\n", d->graph->vars[l->vars[0]].name);
}

void diagnose_text(FILE *fp, const diagnosis *d, const char *path)
{
    const model *m = d->m;
    fprintf(fp, "eddy diagnose %s  (%u seed%s from %llu, %zu runs)\n\n", path, d->seeds, d->seeds == 1 ? "" : "s",
            (unsigned long long)d->seed, d->runs);
    if (todo_assumed_line())
        fprintf(fp, "%s\n\n", todo_assumed_line());
    fprintf(fp, "verdict: %s\n", verdict_name(d->verdict));
    fprintf(fp, "coupling: %s\n", d->coupling);
    fprintf(fp, "cynefin: %s: %s\n", d->cynefin, d->cynefin_response);
    if (d->responses)
        fprintf(fp, "note: the model's %zu response%s to conditions (actions with when:) %s left out: this is the "
                    "system before anyone acts; `eddy fix` measures the responses\n",
                d->responses, d->responses == 1 ? "" : "s", d->responses == 1 ? "is" : "are");

    fprintf(fp, "\ngoodput (user requests succeeded per second, all clients, mean over seeds)\n");
    fprintf(fp, "  %-10s %10s %10s %10s\n", "", "before", "during", "after");
    const dg_phases *rows[2] = {&d->baseline, &d->observed};
    for (int i = 0; i < 2; i++) {
        fprintf(fp, "  %-10s", i ? "observed" : "baseline");
        double v[3] = {rows[i]->before, rows[i]->during, rows[i]->after};
        for (int k = 0; k < 3; k++)
            if (isfinite(v[k]))
                fprintf(fp, " %10.1f", v[k]);
            else
                fprintf(fp, " %10s", "-");
        fputc('\n', fp);
    }
    if (variant_has_trigger(m)) {
        char st[32];
        units_format_duration((simtime)llround(d->settle * 1e9), st, sizeof st);
        if (isfinite(d->recovery_time))
            fprintf(fp, "  recovered %.1f s after the trigger ended (on %zu of %u seeds; settle time %s)\n",
                    d->recovery_time, d->recovered_seeds, d->seeds, st);
        else if (d->fault_open_at_end)
            fprintf(fp, "  the trigger is still on when the run ends: recovery cannot be judged\n");
        else
            fprintf(fp, "  not recovered: %.0f%% of baseline goodput after the settle time (%s); recovered on %zu of %u seeds\n",
                    d->after_ratio * 100, st, d->recovered_seeds, d->seeds);
    }

    fprintf(fp, "\nfailure modes:%s\n", d->nmodes ? "" : " none seen");
    for (size_t i = 0; i < d->nmodes; i++)
        fprintf(fp, "  %-20s %s\n", failure_mode_name(d->modes[i].mode), d->modes[i].evidence);

    fprintf(fp, "\nsustaining loop: ");
    if (d->sustaining_loop >= 0) {
        loop_line(fp, d, d->sustaining_loop);
        const cld_loop *l = &d->loops->loops[d->sustaining_loop];
        for (size_t k = 0; k < l->len; k++) {
            const cld_link *lk = &d->graph->links[l->links[k]];
            fprintf(fp, "    %s -(%s%s)-> %s   %s\n", d->graph->vars[lk->from].name, cld_sign_str(lk->sign),
                    lk->delay ? ", delay" : "", d->graph->vars[lk->to].name, lk->origin);
        }
        const cut *c = &d->cuts.v[d->sustaining_cut];
        const loop_group *G = &d->loops->groups[l->group];
        fprintf(fp, "  its group: ");
        loopsout_group_label(fp, d->graph, G);
        fprintf(fp, " (%s%zu loops: %zu R, %zu B; `eddy loops` lists the groups)\n", G->exact ? "" : "at least ",
                G->count, G->nr, G->nb);
        fprintf(fp, "  found by knockout: %s from the end of the trigger", c->label);
        /* the other loops through the same arrow (not the one shown) */
        size_t others = 0;
        for (size_t i = 0; i < c->nloops; i++)
            if ((int)c->loops[i] != d->sustaining_loop)
                fprintf(fp, "%s %s", others++ ? "" : "; it also cuts", d->loops->loops[c->loops[i]].name);
        fputc('\n', fp);
    } else if (d->verdict == VERDICT_METASTABLE) {
        fprintf(fp, "none found: no single loop knockout restored goodput%s\n",
                d->load_drop_recovers ? " (a load drop did)" : "");
    } else if (d->verdict == VERDICT_OSCILLATING) {
        fprintf(fp, "none measured: an oscillation is balancing loops that overshoot, not a reinforcing loop that "
                    "outlives a trigger; `eddy loops` shows the loops%s%s\n",
                d->osc_service[0] ? " through " : "", d->osc_service[0] ? d->osc_service : "");
    } else {
        fprintf(fp, "none: the verdict is %s, so no loop outlives the trigger\n", verdict_name(d->verdict));
    }

    if (d->ncontrol) {
        const dg_control *c0 = &d->control[0];
        fprintf(fp, "\nwhat the oscillation costs (%s's replicas over the run, mean over seeds; client p99):\n",
                d->osc_service);
        for (size_t i = 0; i < d->ncontrol; i++) {
            const dg_control *c = &d->control[i];
            char p99[32] = "-";
            if (isfinite(c->p99))
                units_format_duration((simtime)llround(c->p99 * 1e9), p99, sizeof p99);
            fprintf(fp, "  %-28s %8.0f replica-minutes", c->label, c->replica_minutes);
            if (i)
                fprintf(fp, " (%+.0f)", c->replica_minutes - c0->replica_minutes);
            fprintf(fp, ", p99 %s, %d changes of direction in the second half (replicas %.0f-%.0f)\n", p99,
                    c->reversals, c->lo, c->hi);
        }
    }

    if (d->verdict == VERDICT_METASTABLE) {
        fprintf(fp, "\nknockouts (cut from the end of the trigger; goodput in the last half of the rest of the run):\n");
        for (size_t c = 0; c < d->cuts.n; c++) {
            const dg_knockout *k = &d->knockouts[c];
            fprintf(fp, "  %-54s %3.0f%% of baseline, %s", k->cut->label, k->after_ratio * 100,
                    k->recovers ? "recovers" : "stays down");
            if (isfinite(k->recovery_time))
                fprintf(fp, " (%.0f s after the trigger, %zu/%u seeds)", k->recovery_time, k->recovered, d->seeds);
            fputc('\n', fp);
        }
    }

    if (d->nevidence) {
        fprintf(fp, "\nwhy no single %s (after the trigger ended):\n",
                d->cross_team ? "team could have fixed it" : "component is at fault");
        if (d->cross_team) {
            fprintf(fp, "  %s\n", d->teams);
            const cut *c = d->sustaining_cut >= 0 ? &d->cuts.v[d->sustaining_cut] : NULL;
            const char *who = !c ? NULL
                              : c->client >= 0 ? m->clients[c->client].name
                              : c->service >= 0 ? m->services[c->service].name
                              : c->cache >= 0 ? m->caches[c->cache].name : NULL;
            int t = who ? model_owner(m, who) : -1;
            if (t >= 0)
                fprintf(fp,
                        "  The knockout that ends it (%s) is in %s's hands, but %s sees only its own part of the "
                        "loop, and nothing in that part is broken:\n",
                        c->label, m->teams[t].name, m->teams[t].name);
            else
                fprintf(fp, "  Each team's part does what it is configured to do:\n");
        }
        for (size_t i = 0; i < d->nevidence; i++) {
            if (d->evidence[i].team[0])
                fprintf(fp, "  %s (%s): %s\n", d->evidence[i].entity, d->evidence[i].team, d->evidence[i].text);
            else
                fprintf(fp, "  %s: %s\n", d->evidence[i].entity, d->evidence[i].text);
        }
    }

    if (d->pm_words)
        fprintf(fp, "\npostmortem (%zu words; at most %d):\n  coupling: %s\n  why: %s\n", d->pm_words, PM_MAX_WORDS,
                d->pm_coupling, d->pm_why);

    if (d->ntimeline) {
        fprintf(fp, "\ntimeline (seed %llu):\n", (unsigned long long)d->seed);
        for (size_t i = 0; i < d->ntimeline; i++)
            fprintf(fp, "  %2zu. %8.1f s  %s\n", i + 1, d->timeline[i].t, d->timeline[i].what);
    }
    fprintf(fp, "\nWhat this system does: %s.\n", d->purpose);
}

static json_t *phases_json(const dg_phases *p)
{
    json_t *o = json_object();
    json_object_set_new(o, "before", json_num(p->before));
    json_object_set_new(o, "during", json_num(p->during));
    json_object_set_new(o, "after", json_num(p->after));
    return o;
}

/* The integrity ledger's counts of one run (docs/messaging.md). */
static json_t *writes_json(const dg_writes *w)
{
    json_t *o = json_object();
    json_object_set_new(o, "duplicated", json_integer((json_int_t)w->duplicated));
    json_object_set_new(o, "lost", json_integer((json_int_t)w->lost));
    json_object_set_new(o, "ghost", json_integer((json_int_t)w->ghost));
    return o;
}

static json_t *loop_json(const diagnosis *d, int li)
{
    const cld_loop *l = &d->loops->loops[li];
    json_t *o = json_object();
    json_object_set_new(o, "id", json_string(l->name));
    json_object_set_new(o, "type", json_string(l->type == 'R' ? "reinforcing" : "balancing"));
    json_t *links = json_array();
    for (size_t k = 0; k < l->len; k++) {
        const cld_link *lk = &d->graph->links[l->links[k]];
        json_t *x = json_object();
        json_object_set_new(x, "from", json_string(d->graph->vars[lk->from].name));
        json_object_set_new(x, "to", json_string(d->graph->vars[lk->to].name));
        json_object_set_new(x, "sign", json_string(cld_sign_str(lk->sign)));
        json_object_set_new(x, "delay", json_boolean(lk->delay));
        json_object_set_new(x, "origin", json_string(lk->origin));
        json_array_append_new(links, x);
    }
    json_object_set_new(o, "links", links);
    return o;
}

json_t *diagnose_json(const diagnosis *d, const char *path)
{
    json_t *o = json_object();
    json_object_set_new(o, "model", json_string(path));
    json_object_set_new(o, "verdict", json_string(verdict_name(d->verdict)));
    json_t *modes = json_array();
    for (size_t i = 0; i < d->nmodes; i++) {
        json_t *x = json_object();
        json_object_set_new(x, "mode", json_string(failure_mode_name(d->modes[i].mode)));
        json_object_set_new(x, "evidence", json_string(d->modes[i].evidence));
        json_array_append_new(modes, x);
    }
    json_object_set_new(o, "modes", modes);
    json_object_set_new(o, "sustaining_loop", d->sustaining_loop >= 0 ? loop_json(d, d->sustaining_loop) : json_null());
    json_object_set_new(o, "coupling", json_string(d->coupling));
    if (d->m->nteams) {
        json_t *tn = json_array();
        for (size_t i = 0; i < d->nteam_names; i++)
            json_array_append_new(tn, json_string(d->team_names[i]));
        json_object_set_new(o, "sustaining_loop_teams", tn);
        json_object_set_new(o, "cross_team", json_boolean(d->cross_team));
        json_object_set_new(o, "ownership", d->teams[0] ? json_string(d->teams) : json_null());
    }
    bool writes = false;
    for (size_t s = 0; s < d->m->nservices && !writes; s++)
        writes = model_service_applies(d->m, (int)s);
    if (writes) {
        json_t *w = writes_json(&d->writes);
        json_object_set_new(w, "at", json_string(d->writes_at));
        json_object_set_new(w, "without_faults", writes_json(&d->writes_baseline));
        json_object_set_new(o, "writes", w);
    } else {
        json_object_set_new(o, "writes", json_null());
    }
    json_object_set_new(o, "cynefin", json_string(d->cynefin));
    json_object_set_new(o, "cynefin_response", json_string(d->cynefin_response));
    json_object_set_new(o, "purpose", json_string(d->purpose));
    json_object_set_new(o, "responses_left_out", json_integer((json_int_t)d->responses));
    json_t *tl = json_array();
    for (size_t i = 0; i < d->ntimeline; i++) {
        json_t *x = json_object();
        json_object_set_new(x, "t", json_real(d->timeline[i].t));
        json_object_set_new(x, "event", json_string(d->timeline[i].what));
        json_array_append_new(tl, x);
    }
    json_object_set_new(o, "timeline", tl);
    json_object_set_new(o, "baseline", phases_json(&d->baseline));
    json_object_set_new(o, "observed", phases_json(&d->observed));
    json_object_set_new(o, "recovery_time", json_num(d->recovery_time));
    json_object_set_new(o, "recovered_seeds", json_integer((json_int_t)d->recovered_seeds));
    json_object_set_new(o, "goodput_after_vs_baseline", json_num(d->after_ratio));
    json_object_set_new(o, "goodput_during_vs_baseline", json_num(d->during_ratio));
    json_object_set_new(o, "baseline_success", json_num(d->baseline_success));
    json_object_set_new(o, "load", json_num(d->load));
    json_object_set_new(o, "load_of_peak", json_boolean(d->load_of_peak));
    json_object_set_new(o, "bottleneck", d->bottleneck[0] ? json_string(d->bottleneck) : json_null());
    json_t *tr = json_object();
    json_object_set_new(tr, "start", variant_has_trigger(d->m) ? json_real(d->fault_start) : json_null());
    json_object_set_new(tr, "end", variant_has_trigger(d->m) ? json_real(d->fault_end) : json_null());
    json_object_set_new(tr, "open_at_end", json_boolean(d->fault_open_at_end));
    json_object_set_new(o, "trigger", tr);
    json_t *ev = json_array();
    for (size_t i = 0; i < d->nevidence; i++) {
        json_t *x = json_object();
        json_object_set_new(x, "component", json_string(d->evidence[i].entity));
        if (d->m->nteams)
            json_object_set_new(x, "team", d->evidence[i].team[0] ? json_string(d->evidence[i].team) : json_null());
        json_object_set_new(x, "evidence", json_string(d->evidence[i].text));
        json_array_append_new(ev, x);
    }
    json_object_set_new(o, "why_no_single_component", ev);
    if (d->pm_words) {
        json_t *pm = json_object();
        json_object_set_new(pm, "coupling", json_string(d->pm_coupling));
        json_object_set_new(pm, "why", json_string(d->pm_why));
        json_object_set_new(pm, "words", json_integer((json_int_t)d->pm_words));
        json_object_set_new(o, "postmortem", pm);
    } else {
        json_object_set_new(o, "postmortem", json_null());
    }
    json_t *ko = json_array();
    for (size_t c = 0; c < d->cuts.n; c++) {
        const dg_knockout *k = &d->knockouts[c];
        json_t *x = json_object();
        json_object_set_new(x, "cut", json_string(d->cuts.v[c].label));
        json_t *ls = json_array();
        for (size_t i = 0; i < d->cuts.v[c].nloops; i++)
            json_array_append_new(ls, json_string(d->loops->loops[d->cuts.v[c].loops[i]].name));
        json_object_set_new(x, "loops", ls);
        json_object_set_new(x, "run", json_boolean(d->verdict == VERDICT_METASTABLE));
        json_object_set_new(x, "goodput_vs_baseline", json_num(k->after_ratio));
        json_object_set_new(x, "recovered_seeds", json_integer((json_int_t)k->recovered));
        json_object_set_new(x, "recovery_time", json_num(k->recovery_time));
        json_array_append_new(ko, x);
    }
    json_object_set_new(o, "knockouts", ko);
    json_object_set_new(o, "demand", json_num(d->demand));
    json_t *oc = json_array();
    for (size_t i = 0; i < d->ncontrol; i++) {
        const dg_control *c = &d->control[i];
        json_t *x = json_object();
        json_object_set_new(x, "run", json_string(c->label));
        json_object_set_new(x, "service", json_string(d->osc_service));
        json_object_set_new(x, "replica_minutes", json_num(c->replica_minutes));
        json_object_set_new(x, "p99", json_num(c->p99));
        json_object_set_new(x, "reversals", json_integer(c->reversals));
        json_object_set_new(x, "replicas_min", json_num(c->lo));
        json_object_set_new(x, "replicas_max", json_num(c->hi));
        json_array_append_new(oc, x);
    }
    json_object_set_new(o, "oscillation_cost", oc);
    json_object_set_new(o, "seeds", json_integer(d->seeds));
    json_object_set_new(o, "seed", json_integer((json_int_t)d->seed));
    json_object_set_new(o, "settle", json_real(d->settle));
    json_object_set_new(o, "runs", json_integer((json_int_t)d->runs));
    return o;
}
