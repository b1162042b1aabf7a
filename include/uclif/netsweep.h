/* netsweep.h — one point of a network sweep as rows (docs/outputs.md, network sweeps): a
 * points.csv row (point, status, reason, the swept values, totals and, for networks of up to
 * UCL_NETSWEEP_WIDE neurons, every neuron's spikes and rate) and its neurons.csv rows (the point,
 * then the columns of a network run's neurons.csv). Not collective. */
#ifndef UCL_NETSWEEP_H
#define UCL_NETSWEEP_H

#include <signal.h>
#include <stddef.h>

#include "uclif/status.h"
#include "uclif/sweep.h"

#define UCL_NETSWEEP_WIDE 64

/* The two header lines ("a","b",... without a line end; malloc'd) of a network sweep. */
UCL_NODISCARD ucl_status ucl_netsweep_layout(const ucl_sweep *sw, char **points_header,
                                             char **neurons_header, ucl_diag *diag);

/* Simulate point i and format its rows (malloc'd, CSV rows with line ends). A point that cannot
 * be built or whose run fails still gives its row (status and reason; *failed = 1), a run past
 * 'deadline' (CLOCK_MONOTONIC s; 0 = none) too, with status limit. Only memory failures return
 * an error, and UCL_ERR_STOPPED when 'cancel' (may be NULL) was set during the run: then no rows
 * (an abandoned point). */
UCL_NODISCARD ucl_status ucl_netsweep_point(const ucl_sweep *sw, long i, double deadline,
                                            const volatile sig_atomic_t *cancel, char **prow,
                                            size_t *plen, char **nrows, size_t *nlen, int *failed,
                                            ucl_diag *diag);

#endif
