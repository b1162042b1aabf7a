/* sched.h — running a sweep over MPI ranks. The only module that includes MPI.
 *
 * Every rank computes (rank 0 too): chunks of point indices come from a counter held in an MPI
 * window on rank 0 (MPI_Fetch_and_op), so fast ranks take more. Each rank writes its finished
 * points to its own shard (store.h), one flushed block per point; at the end rank 0 merges the
 * shards into points.csv and rate_curves.csv and writes the manifest. With 'resume', points
 * already complete in DIR's shards are skipped, and shards of another spec are refused. */
#ifndef UCL_SCHED_H
#define UCL_SCHED_H

#include <mpi.h>

#include "uclif/status.h"
#include "uclif/store.h"
#include "uclif/sweep.h"

typedef struct ucl_sched_opts {
  const char *out_dir;
  int resume;           /* continue the sweep in out_dir */
  long chunk;           /* points per fetch; 0 = automatic */
  double point_timeout; /* s of wall time per point; 0 = none */
  int slices;           /* > 0: compute only slice 'slice' (0-based) of 'slices' equal runs of
                           point indices, with shards in DIR/shards/slice-<slice>-of-<slices>
                           (job arrays) */
  int slice;
  int no_merge; /* leave the merge to `uclif merge DIR` (a job array's last step) */
  /* Called on rank 0 after each of its points and at the end (may be NULL): points done (in
   * all runs), total, seconds since the start, points done when this run started. */
  void (*progress)(void *ctx, long done, long total, double elapsed, long done_at_start);
  void *progress_ctx;
} ucl_sched_opts;

typedef struct ucl_sched_report {
  long points;      /* of the spec */
  long done_before; /* complete before this run (resume) */
  long computed;    /* computed by this run */
  long failed;      /* of those, with a status other than ok */
  int ranks;
  int run; /* number of this run (0 for a fresh sweep) */
  double wall_s;
  double sim_s;   /* summed over ranks: seconds inside the characterization of points */
  double other_s; /* summed over ranks: seconds per point outside it (spec, shard, counters) */
  ucl_merge_stats merge;
} ucl_sched_report;

/* Run the sweep. Collective on comm: every rank returns the same status and message (UCL_OK;
 * UCL_ERR_INVAL when out_dir holds another sweep's results or results without --resume;
 * UCL_ERR_PARSE for foreign shards; UCL_ERR_IO, UCL_ERR_NOMEM; UCL_ERR_MPI... reported as
 * UCL_ERR_IO with MPI's message). A failing point is a row, not an error. 'rep' is filled on
 * rank 0 (zeroed elsewhere). */
UCL_NODISCARD ucl_status ucl_sched_run(MPI_Comm comm, const ucl_sweep *sw, const ucl_sched_opts *o,
                                       ucl_sched_report *rep, ucl_diag *diag);

#endif
