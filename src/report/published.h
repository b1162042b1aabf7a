/* published.h — (private to src/report) the published neuron figures the datasheet compares the
 * simulated neuron with: energy per spike (or, for TrueNorth, per synaptic event) in J, each with
 * what it counts, how it was obtained and its citation. The rows are those of the table in
 * docs/published-neurons.md, in its order (tests/unit/test_published.c checks this); the sources
 * where each figure was found are listed there, not here. */
#ifndef UCL_REPORT_PUBLISHED_H
#define UCL_REPORT_PUBLISHED_H

#include <stddef.h>

/* One published figure. Every string is static and never NULL. */
typedef struct ucl_published {
  const char *work;         /* "TrueNorth (IBM), 28 nm CMOS" */
  const char *quantity;     /* "energy per synaptic event" */
  double value_J;           /* the figure in J */
  const char *as_published; /* "26 pJ" */
  const char *counts;       /* what it counts: supply energy or C·V²/2, static power or not */
  const char *how;          /* "measured on fabricated silicon" / "estimate C·V²/2" / ... */
  const char *citation;     /* "P. A. Merolla et al., Science 345, 668 (2014)" */
} ucl_published;

/* The published figures of docs/published-neurons.md, in its order; *n set to their count.
 * The table is static: the caller neither frees nor modifies it. */
const ucl_published *ucl_published_figures(size_t *n);

#endif
