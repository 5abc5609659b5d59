/* mef.c -- writing the Open-PSA MEF (mef.h).
 *
 * Written with stdio rather than libxml2's writer: the document is a fixed
 * shape and only labels need escaping.  Probabilities are printed with 17
 * significant digits, so a tool reading the file computes on the same
 * numbers eddy did. */
#include "mef.h"
#include "xml_text.h"

#include <stdlib.h>
#include <string.h>

static void mef_label(FILE *f, const char *indent, const char *what)
{
    fprintf(f, "%s<label>", indent);
    xml_text(f, what);
    fputs("</label>\n", f);
}

static void mef_ref(FILE *f, const fault_tree *t, int a)
{
    if (FT_IS_GATE(a))
        fprintf(f, "<gate name=\"%s\"/>", t->gates[FT_GATE_INDEX(a)].name);
    else
        fprintf(f, "<basic-event name=\"%s\"/>", t->events[a].name);
}

int mef_write(FILE *f, const fault_tree *t, const char *name)
{
    fputs("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n", f);
    fputs("<!-- Written by eddy avail: the fault tree derived from a service model. -->\n", f);
    fputs("<opsa-mef>\n", f);
    /* The tree's name must be an identifier too ("eddy" if nothing is left). */
    char *id = ft_mef_id(name && *name ? name : "eddy");
    fprintf(f, "  <define-fault-tree name=\"%s\">\n", id);
    free(id);
    for (size_t g = 0; g < t->ngates; g++) {
        const ft_gate *G = &t->gates[g];
        fprintf(f, "    <define-gate name=\"%s\">\n", G->name);
        mef_label(f, "      ", G->what);
        /* The MEF wants two or more arguments for and/or/atleast; a gate
         * of one input is that input. */
        if (G->nargs == 1) {
            fputs("      ", f);
            mef_ref(f, t, G->args[0]);
            fputs("\n", f);
        } else {
            if (G->kind == FT_ATLEAST)
                fprintf(f, "      <atleast min=\"%d\">\n", G->k);
            else
                fprintf(f, "      <%s>\n", G->kind == FT_AND ? "and" : "or");
            for (size_t i = 0; i < G->nargs; i++) {
                fputs("        ", f);
                mef_ref(f, t, G->args[i]);
                fputs("\n", f);
            }
            fprintf(f, "      </%s>\n", G->kind == FT_ATLEAST ? "atleast" : G->kind == FT_AND ? "and" : "or");
        }
        fputs("    </define-gate>\n", f);
    }
    fputs("  </define-fault-tree>\n", f);
    fputs("  <model-data>\n", f);
    for (size_t i = 0; i < t->nevents; i++) {
        const ft_event *e = &t->events[i];
        if (e->ccf >= 0)
            continue; /* defined by its group */
        fprintf(f, "    <define-basic-event name=\"%s\">\n", e->name);
        mef_label(f, "      ", e->what);
        fprintf(f, "      <float value=\"%.17g\"/>\n", e->q);
        fputs("    </define-basic-event>\n", f);
    }
    fputs("  </model-data>\n", f);
    for (size_t c = 0; c < t->nccfs; c++) {
        const ft_ccf *C = &t->ccfs[c];
        fprintf(f, "  <define-CCF-group name=\"%s\" model=\"beta-factor\">\n", C->name);
        mef_label(f, "    ", C->what);
        fputs("    <members>\n", f);
        for (size_t i = 0; i < C->nmembers; i++)
            fprintf(f, "      <basic-event name=\"%s\"/>\n", t->events[C->members[i]].name);
        fputs("    </members>\n", f);
        fprintf(f, "    <distribution><float value=\"%.17g\"/></distribution>\n", t->events[C->members[0]].q);
        fprintf(f, "    <factor level=\"%zu\"><float value=\"%.17g\"/></factor>\n", C->nmembers, C->beta);
        fputs("  </define-CCF-group>\n", f);
    }
    fputs("</opsa-mef>\n", f);
    return ferror(f) ? -1 : 0;
}
