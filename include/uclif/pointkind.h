/* pointkind.h — what one point of a sweep is, for the scheduler (sched.h): its output files with
 * their columns and how point i becomes rows of them. The scheduler drives a kind through this
 * interface alone; it neither characterizes nor simulates, and it formats no row.
 *
 * Two kinds:
 *   ucl_point_kind_neuron   a single-neuron sweep: ucl_sweep_point + ucl_characterize, one
 *                           points.csv row and the rate_curves.csv rows (results.h), and with
 *                           [characterize] trials > 0 the probability.csv rows;
 *   ucl_point_kind_network  a network sweep: ucl_netsweep_point, one points.csv row and the
 *                           neurons.csv rows (netsweep.h).
 * The rows of point i are a pure function of (spec, i), apart from a point stopped by its
 * wall-time limit. Not collective; no MPI. */
#ifndef UCL_POINTKIND_H
#define UCL_POINTKIND_H

#include <signal.h>
#include <stddef.h>

#include "uclif/status.h"
#include "uclif/store.h"
#include "uclif/sweep.h"

/* The most files of a point: points.csv and up to three more, a shard block's 'P' row and its
 * 'C', 'Q', 'R' rows (store.h). */
#define UCL_POINT_FILES UCL_STORE_MAX_FILES

/* CSV rows, each ending in a line break (malloc'd; the receiver frees 'text'). */
typedef struct ucl_rowbuf {
  char *text;
  size_t len;
} ucl_rowbuf;

/* A kind's files (the table the scheduler and the store follow): n_files of them, file 0
 * points.csv. headers[k] is the header line of file k ("a","b",... without a line end;
 * malloc'd), or all are NULL for the store's own single-neuron columns (points.csv and
 * rate_curves.csv of results.h, whose shards carry no layout lines). Release with
 * ucl_point_layout_free. */
typedef struct ucl_point_layout {
  int n_files;                       /* 2 .. UCL_POINT_FILES */
  const char *file[UCL_POINT_FILES]; /* plain file names (static): "points.csv",
                                        "rate_curves.csv" / "neurons.csv", "probability.csv" */
  char *headers[UCL_POINT_FILES];
} ucl_point_layout;

/* The limits of one point's computation. */
typedef struct ucl_point_limits {
  double timeout_s; /* wall seconds for the point; <= 0: none. Past it, the point is a row with
                       status limit ("the point's wall-time limit was reached ...") */
  const volatile sig_atomic_t *cancel; /* borrowed, may be NULL: once *cancel != 0 (a signal
                       handler), the computation stops at its next check and compute returns
                       UCL_ERR_STOPPED with no rows: the point is abandoned, not a row */
} ucl_point_limits;

typedef struct ucl_point_kind {
  const char *name; /* "neuron", "network" */
  /* Fill *lay for the sweep 'sw' (on failure *lay holds nothing to free). UCL_ERR_NOMEM. */
  ucl_status (*layout)(const ucl_sweep *sw, ucl_point_layout *lay, ucl_diag *diag);
  /* Compute point i (0 <= i < ucl_sweep_count) and give its rows: rows[0] the points.csv row,
   * rows[k] the rows of file k of the layout (possibly none; k < n_files, the others NULL). A point
   * that fails (inconsistent values, a solver failure, its wall-time limit lim->timeout_s) is still
   * a row with its status and reason, and *failed = 1; only formatting and memory failures return
   * an error, and UCL_ERR_STOPPED when lim->cancel was set (then rows hold nothing to free). 'lim'
   * may be NULL (no limits). *compute_s: wall seconds spent characterizing or simulating, for the
   * scheduler's accounting. */
  ucl_status (*compute)(const ucl_sweep *sw, long i, const ucl_point_limits *lim,
                        ucl_rowbuf rows[UCL_POINT_FILES], int *failed, double *compute_s,
                        ucl_diag *diag);
} ucl_point_kind;

/* The points.csv table of a single-neuron sweep with design = montecarlo: results.h's points.csv
 * with mc_seed and mc_draw after "point" (the 4th part of a row: UCL_POINT_PART_MC, a struct of
 * two longs, seed and draw). Static storage, built on first use (not thread-safe then). */
enum { UCL_POINT_PART_MC = 3 };
const struct ucl_table *ucl_point_mc_points_table(void);

extern const ucl_point_kind ucl_point_kind_neuron;
extern const ucl_point_kind ucl_point_kind_network;

/* The kind of the points of 'sw': network for a spec with network sections, else neuron. */
const ucl_point_kind *ucl_point_kind_of(const ucl_sweep *sw);

/* Free the header lines of *lay (accepts NULL) and set them to NULL. */
void ucl_point_layout_free(ucl_point_layout *lay);

#endif
