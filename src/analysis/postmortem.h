/* postmortem.h -- the two artifacts a systems-thinking postmortem owes its
 * readers, from a diagnosis: the coupling statement ("X interacting with Y
 * under Z produced B") and why no single component is at fault, together
 * at most PM_MAX_WORDS words. */
#ifndef EDDY_POSTMORTEM_H
#define EDDY_POSTMORTEM_H

#include <stddef.h>

#include "diagnose.h"

#define PM_MAX_WORDS 120

/* Fill d->pm_coupling, d->pm_why and d->pm_words from the diagnosis (its
 * coupling statement, sustaining loop, knockouts and evidence).  Leaves
 * them empty when there is no sustaining loop (nothing emergent to write
 * up).  The evidence is shortened, then left out, to keep within
 * PM_MAX_WORDS; pm_words says what was reached. */
void postmortem_compose(diagnosis *d);

/* Words in s: runs of characters other than space, tab and newline. */
size_t postmortem_words(const char *s);

#endif
