/* test_sd_examples.c -- the stock-and-flow examples in examples/sd/ do what
 * their opening comments say: each claim there is a trajectory asserted
 * here, with the numbers the comment gives. */
#include "testutil.h"

#include <math.h>

#include "../src/sd/sd.h"

/* A run's saved rows, every column. */
typedef struct series {
    sd_model *m;
    size_t n, cap, ncols;
    double *t;
    double *v; /* n x ncols */
} series;

static void on_row(double t, const double *c, size_t n, void *ud)
{
    series *s = ud;
    if (s->n == s->cap) {
        s->cap = s->cap ? 2 * s->cap : 256;
        s->t = realloc(s->t, s->cap * sizeof *s->t);
        s->v = realloc(s->v, s->cap * n * sizeof *s->v);
        assert_non_null(s->t);
        assert_non_null(s->v);
    }
    s->t[s->n] = t;
    memcpy(s->v + s->n * n, c, n * sizeof *c);
    s->ncols = n;
    s->n++;
}

/* Run examples/sd/FILE with up to 4 "NAME=VALUE" overrides (NULL-ended). */
static series run(const char *file, ...)
{
    sd_override ov[4];
    size_t nov = 0;
    char names[4][64];
    va_list ap;
    va_start(ap, file);
    const char *a;
    while ((a = va_arg(ap, const char *)) && nov < 4) {
        const char *eq = strchr(a, '=');
        assert_non_null(eq);
        snprintf(names[nov], sizeof names[nov], "%.*s", (int)(eq - a), a);
        ov[nov].name = names[nov];
        ov[nov].value = strtod(eq + 1, NULL);
        nov++;
    }
    va_end(ap);
    char path[256];
    snprintf(path, sizeof path, "examples/sd/%s", file);
    eddy_error err;
    series s = {0};
    s.m = sd_load(path, ov, nov, &err);
    if (!s.m)
        fail_msg("%s: %s", path, err.msg);
    if (sd_run(s.m, on_row, &s, NULL, &err))
        fail_msg("%s: %s", path, err.msg);
    return s;
}

static void done(series *s)
{
    sd_free(s->m);
    free(s->t);
    free(s->v);
}

static int col(const series *s, const char *name)
{
    int c = sd_col_find(s->m, name);
    if (c < 0)
        fail_msg("no column %s", name);
    return c;
}

/* The value of NAME at the saved time nearest t. */
static double at(const series *s, const char *name, double t)
{
    int c = col(s, name);
    size_t best = 0;
    for (size_t i = 1; i < s->n; i++)
        if (fabs(s->t[i] - t) < fabs(s->t[best] - t))
            best = i;
    return s->v[best * s->ncols + (size_t)c];
}

/* The largest (sign 1) or smallest (-1) value of NAME for t in [from, to]. */
static double extreme(const series *s, const char *name, double from, double to, int sign)
{
    int c = col(s, name);
    double x = sign > 0 ? -INFINITY : INFINITY;
    for (size_t i = 0; i < s->n; i++)
        if (s->t[i] >= from - 1e-9 && s->t[i] <= to + 1e-9) {
            double y = s->v[i * s->ncols + (size_t)c];
            x = sign > 0 ? fmax(x, y) : fmin(x, y);
        }
    return x;
}

/* The first saved time at or after `from` when NAME is <= limit (below 1)
 * or >= limit (below 0), or NAN if never. */
static double first_time(const series *s, const char *name, double from, double limit, int below)
{
    int c = col(s, name);
    for (size_t i = 0; i < s->n; i++) {
        double y = s->v[i * s->ncols + (size_t)c];
        if (s->t[i] >= from - 1e-9 && (below ? y <= limit : y >= limit))
            return s->t[i];
    }
    return NAN;
}

/* Error budget: the outage exhausts the budget on day 20 and freezes
 * deploys; Pending grows by 10 a day through the freeze; when the outage
 * leaves the window (day 50) the freeze lifts, the batch ships at six
 * times the risk per change, burns the budget within hours and freezes
 * deploys again; every 30 days the pile is bigger. */
static void test_error_budget(void **state)
{
    (void)state;
    series s = run("error-budget.xmile", NULL);
    /* before the outage: sustainable, 16.2 of 43.2 minutes in hand */
    assert_within_rel(at(&s, "budget left", 19), 16.2, 1e-6);
    assert_within_rel(at(&s, "burning", 19), 0.9, 1e-6);
    assert_within_rel(at(&s, "deploying", 19), 10, 1e-6);
    assert_true(extreme(&s, "Frozen", 0, 19.75, 1) == 0);
    /* the outage exhausts the budget and freezes deploys on day 20 */
    double t_exhausted = first_time(&s, "budget left", 0, 0, 1);
    assert_true(t_exhausted >= 20 && t_exhausted <= 20.25);
    assert_true(extreme(&s, "Frozen", 20.25, 49.75, -1) == 1);
    assert_true(extreme(&s, "deploying", 20.25, 49.75, 1) == 0);
    /* the freeze piles up risk: ten changes a day, about 310 at the thaw */
    assert_within_rel(at(&s, "Pending", 49.75) - at(&s, "Pending", 29.75), 200, 1e-3);
    assert_within_rel(at(&s, "Pending", 50), 310, 0.01);
    /* the thaw comes when the outage leaves the window, 30 days on */
    double t_thaw = first_time(&s, "Frozen", 20.25, 0, 1);
    assert_true(t_thaw >= 50 && t_thaw <= 50.5);
    /* the pile waiting for the thaw carries six times the risk per change */
    assert_within_rel(at(&s, "minutes per change", t_thaw - 0.25) / at(&s, "minutes per change", 19), 6, 0.01);
    /* the release burns more than 50 times the normal rate ... */
    assert_true(extreme(&s, "burning", t_thaw, t_thaw + 1, 1) > 50 * 0.9);
    /* ... exhausts the budget again within a day, and deploys freeze */
    double t_again = first_time(&s, "budget left", t_thaw, 0, 1);
    assert_true(t_again - t_thaw < 1);
    assert_true(at(&s, "Frozen", t_thaw + 1) == 1);
    /* and every 30 days it happens again with a bigger pile */
    assert_true(at(&s, "Frozen", 120) == 1);
    assert_true(at(&s, "Pending", 120) > 600);
    assert_true(at(&s, "Pending", 79.75) > at(&s, "Pending", 49.75));
    assert_true(at(&s, "Pending", 109.75) > at(&s, "Pending", 79.75));
    done(&s);
    /* without the outage nothing freezes */
    s = run("error-budget.xmile", "outage_minutes=0", NULL);
    assert_true(extreme(&s, "Frozen", 0, 120, 1) == 0);
    assert_within_rel(at(&s, "Pending", 120), 10, 1e-6);
    done(&s);
}

/* Technical debt: with refactoring time (B loop) the launch's debt is
 * repaid and the backlog drains; without it the R loop takes over and
 * velocity collapses after the launch is over. */
static void test_tech_debt(void **state)
{
    (void)state;
    series b = run("tech-debt.xmile", NULL);               /* refactor share 0.2 */
    series r = run("tech-debt.xmile", "refactor_share=0", NULL);
    /* before the launch both deliver the demand, with no debt */
    assert_within_rel(at(&b, "delivering", 6), 10, 1e-9);
    assert_within_rel(at(&r, "delivering", 6), 10, 1e-9);
    assert_true(at(&b, "Debt", 6) == 0 && at(&r, "Debt", 6) == 0);
    /* the launch's pressure makes shortcuts and debt in both */
    assert_true(at(&b, "shortcut fraction", 24) > 0.2);
    assert_true(at(&r, "Debt", 30) > 5);
    /* B: the debt peaks after the launch and is repaid; the backlog drains */
    double peak = extreme(&b, "Debt", 0, 104, 1);
    assert_true(peak > 10 && peak < 20);
    assert_true(at(&b, "Debt", 70) < 0.1);
    assert_within_rel(at(&b, "Backlog", 104), 10, 1e-3);
    assert_within_rel(at(&b, "delivering", 104), 10, 1e-3);
    assert_within_rel(at(&b, "productivity", 104), 1, 1e-3);
    /* R: debt keeps growing long after the launch; velocity falls below
     * demand and keeps falling; the backlog grows without end */
    assert_true(at(&r, "Debt", 60) > 2 * at(&r, "Debt", 30));
    assert_true(at(&r, "Debt", 104) > at(&r, "Debt", 80));
    assert_true(at(&r, "delivering", 104) < 4);
    assert_true(at(&r, "delivering", 104) < at(&r, "delivering", 60));
    assert_true(at(&r, "Backlog", 104) > 300);
    assert_true(at(&r, "Backlog", 104) > at(&r, "Backlog", 90) + 30);
    /* all hands on features was faster at first */
    assert_true(at(&r, "delivering", 18) > at(&b, "delivering", 18));
    done(&b);
    done(&r);
}

/* On-call fatigue: a trigger of 3 extra incidents a day for 5 days leaves
 * the rota in its bad state for good; 1 a day is absorbed; deduplicating
 * re-pages from day 90 brings it back. */
static void test_oncall_fatigue(void **state)
{
    (void)state;
    series q = run("oncall-fatigue.xmile", "trigger_incidents=0", NULL);
    assert_within_rel(at(&q, "Open incidents", 180), 0.3275, 1e-3);
    assert_within_rel(at(&q, "Sleep debt", 180), 6.366, 1e-3);
    double calm_pages = at(&q, "pages", 180);
    done(&q);

    series s = run("oncall-fatigue.xmile", NULL);
    /* the trigger is over at day 25; the bad state stays to the end */
    assert_true(at(&s, "trigger", 26) == 0);
    assert_true(extreme(&s, "Open incidents", 40, 180, -1) > 2.8);
    assert_true(extreme(&s, "Sleep debt", 40, 180, -1) > 28);
    assert_within_rel(at(&s, "Open incidents", 180), 2.883, 1e-3);
    assert_within_rel(at(&s, "Sleep debt", 180), 28.72, 1e-3);
    assert_true(at(&s, "pages", 180) > 4 * calm_pages);
    /* responses are several times slower than rested */
    assert_true(at(&s, "time to resolve", 180) > 4 * 0.25);
    /* not recovering: still as bad in the last month as a month after the trigger */
    assert_true(fabs(at(&s, "Open incidents", 180) - at(&s, "Open incidents", 60)) < 0.05);
    done(&s);

    s = run("oncall-fatigue.xmile", "trigger_incidents=1", NULL);
    assert_within_rel(at(&s, "Open incidents", 90), 0.3275, 0.01);
    assert_within_rel(at(&s, "Sleep debt", 90), 6.366, 0.01);
    done(&s);

    s = run("oncall-fatigue.xmile", "relief_day=90", NULL);
    assert_true(at(&s, "Open incidents", 89.5) > 2.8);
    double t_back = first_time(&s, "Open incidents", 90, 0.35, 1);
    assert_true(t_back > 90 && t_back < 120);
    assert_true(at(&s, "Sleep debt", 180) < 6.4);
    done(&s);
}

/* Listen queue: with somaxconn 128 the queue is capped at 128 and the
 * burst, and its retransmissions, are dropped; with 4096 nothing is
 * dropped and the queue peaks near 800. */
static void test_listen_queue(void **state)
{
    (void)state;
    series s = run("listen-queue.xmile", NULL);
    assert_within_rel(extreme(&s, "Accept queue", 0, 10, 1), 128, 1e-9);
    assert_true(at(&s, "Dropped", 1.99) == 0);
    double t_full = first_time(&s, "Accept queue", 0, 128 - 1e-9, 0);
    assert_true(t_full > 2.02 && t_full <= 2.04);
    /* more dropped than the burst's 800 excess: the retries are dropped too */
    assert_true(at(&s, "Dropped", 10) > 1000);
    assert_true(extreme(&s, "retries", 2.5, 4, 1) > 400);
    /* the 0.2 s burst keeps the queue full for seconds */
    assert_true(at(&s, "Accept queue", 4) > 127.9);
    /* the application accepts at full speed all along: nothing in its
     * own metrics shows the drops */
    assert_true(extreme(&s, "accepting", 2.05, 4, -1) > 999.9);
    done(&s);

    s = run("listen-queue.xmile", "somaxconn=4096", NULL);
    assert_true(extreme(&s, "Dropped", 0, 10, 1) == 0);
    double peak = extreme(&s, "Accept queue", 0, 10, 1);
    assert_true(peak > 790 && peak < 810);
    /* it drains at 200 a second: empty again (one step's worth) by t = 7 */
    assert_true(at(&s, "Accept queue", 7) < 1);
    done(&s);
}

/* Drift into failure: with a 24-month perception delay the margin crosses
 * zero at month 27.5 while the perceived margin reads 70, correction
 * starts only at 38.5, overshoots and a second accident follows at 108.5;
 * with a 1-month delay the margin holds near 37. */
static void test_drift_into_failure(void **state)
{
    (void)state;
    series s = run("drift-into-failure.xmile", NULL);
    double t_acc = first_time(&s, "Safety margin", 0, 0, 1);
    assert_within_rel(t_acc, 27.5, 0.01);
    assert_true(at(&s, "accident", t_acc) == 1);
    assert_within_rel(at(&s, "perceived margin", t_acc), 70.4, 0.01);
    /* no correction before the accident, none until month 38.5 */
    assert_true(extreme(&s, "restoring", 0, t_acc, 1) == 0);
    double t_fix = first_time(&s, "restoring", 0, 1e-12, 0);
    assert_within_rel(t_fix, 38.5, 0.01);
    /* the overshoot, then a second accident */
    assert_true(extreme(&s, "Safety margin", 50, 80, 1) > 200);
    double t_acc2 = first_time(&s, "Safety margin", 50, 0, 1);
    assert_within_rel(t_acc2, 108.5, 0.01);
    done(&s);

    s = run("drift-into-failure.xmile", "perception_delay=1", NULL);
    assert_true(extreme(&s, "Safety margin", 0, 120, -1) > 36);
    assert_true(extreme(&s, "accident", 0, 120, 1) == 0);
    assert_within_rel(at(&s, "Safety margin", 120), 37.04, 1e-3);
    done(&s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_error_budget),
        cmocka_unit_test(test_tech_debt),
        cmocka_unit_test(test_oncall_fatigue),
        cmocka_unit_test(test_listen_queue),
        cmocka_unit_test(test_drift_into_failure),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
