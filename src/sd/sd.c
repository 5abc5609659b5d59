/* sd.c -- the layer's front door: load, free, and what a run exposes. */
#include "sd.h"

#include <stdlib.h>
#include <string.h>

#include "../core/err.h"
#include "compile.h"
#include "name.h"

sd_model *sd_load(const char *path, const sd_override *ov, size_t nov, eddy_error *err)
{
    xm_doc *d = xm_read(path, err);
    return d ? sd_compile(d, ov, nov, err) : NULL;
}

sd_model *sd_load_string(const char *xml, size_t len, const char *name,
                         const sd_override *ov, size_t nov, eddy_error *err)
{
    xm_doc *d = xm_read_memory(xml, len, name, err);
    return d ? sd_compile(d, ov, nov, err) : NULL;
}

static void sd_prog_free(sd_prog *p)
{
    free(p->code);
    free(p->owner);
}

void sd_free(sd_model *m)
{
    if (!m)
        return;
    for (size_t i = 0; i < m->nvars; i++) {
        free(m->vars[i].name);
        free(m->vars[i].key);
        ex_free(m->vars[i].eqn);
        ex_free(m->vars[i].rate);
        ex_free(m->vars[i].init_eqn);
    }
    for (size_t i = 0; i < m->nrands; i++)
        free(m->rands[i].name);
    free(m->rands);
    free(m->vars);
    st_free(&m->keys);
    free(m->rate_slot);
    free(m->stocks);
    free(m->init_src);
    free(m->init_dst);
    free(m->prev_src);
    free(m->prev_dst);
    for (size_t i = 0; i < m->ndelays; i++) {
        free(m->delays[i].t);
        free(m->delays[i].v);
    }
    free(m->delays);
    free(m->gfs);
    free(m->cols);
    sd_prog_free(&m->init);
    sd_prog_free(&m->step);
    sd_prog_free(&m->rates);
    sd_prog_free(&m->init0);
    free(m->v0);
    free(m->v);
    free(m->consts);
    free(m->nn_stocks);
    free(m->eval_lo);
    free(m->eval_hi);
    free(m->prev_lo);
    free(m->prev_at);
    free(m->file);
    xm_free(m->doc);
    free(m);
}

int sd_set_method(sd_model *m, int method)
{
    if (method != SD_EULER && method != SD_RK2 && method != SD_RK4)
        return -1;
    m->method = method;
    return 0;
}

int sd_set_dt(sd_model *m, double dt, eddy_error *err)
{
    if (!(dt > 0))
        return err_set(err, m->file, 0, 0, "dt must be greater than 0, not %g", dt);
    /* a save step that was "every dt" follows the new dt */
    if (m->save_step == m->dt || m->save_step < dt)
        m->save_step = dt;
    m->dt = dt;
    return 0;
}

void sd_set_seed(sd_model *m, uint64_t seed) { m->seed = seed; }
uint64_t sd_seed(const sd_model *m) { return m->seed; }

double sd_start(const sd_model *m) { return m->start; }
double sd_stop(const sd_model *m) { return m->stop; }
double sd_dt(const sd_model *m) { return m->dt; }
double sd_save_step(const sd_model *m) { return m->save_step; }
int sd_method(const sd_model *m) { return m->method; }
const char *sd_file(const sd_model *m) { return m->file; }
const char *sd_time_units(const sd_model *m) { return m->doc->time_units ? m->doc->time_units : ""; }
size_t sd_ncols(const sd_model *m) { return m->ncols; }
const char *sd_col_name(const sd_model *m, size_t i) { return m->vars[m->cols[i]].name; }
int sd_col_kind(const sd_model *m, size_t i) { return m->vars[m->cols[i]].kind; }

const char *sd_col_units(const sd_model *m, size_t i)
{
    const char *u = m->vars[m->cols[i]].units;
    return u ? u : "";
}

int sd_col_find(const sd_model *m, const char *name)
{
    char *k = sdn_canon(name);
    int v = st_get(&m->keys, k);
    free(k);
    if (v < 0)
        return -1;
    for (size_t i = 0; i < m->ncols; i++)
        if (m->cols[i] == v)
            return (int)i;
    return -1;
}
