/* sched.h — running work over MPI ranks: the communicator handle, a sweep's points (ucl_sched_run)
 * and batches of evaluations (ucl_sched_batch). The only module that sees MPI: no MPI type is
 * exposed here, and src/sweep/sched.c is the only file that includes <mpi.h>.
 *
 * Every MPI call is checked: the communicator is a duplicate of MPI_COMM_WORLD with
 * MPI_ERRORS_RETURN, and an MPI failure becomes UCL_ERR_IO with MPI's error string in the diag.
 * A function marked collective must be called by every rank of the communicator in the same
 * order; it returns the same status and message on every rank for failures it detects itself
 * (bad arguments, a rank's local failure), while a failure of MPI itself is reported on the
 * ranks where MPI reports it.
 *
 * A sweep: every rank computes (rank 0 too): chunks of point indices come from a counter held in
 * an MPI window on rank 0 (MPI_Fetch_and_op), so fast ranks take more. Each rank writes its
 * finished points to its own shard (store.h), one flushed block per point; at the end rank 0
 * merges the shards into points.csv and the kind's other files and writes the manifest. With
 * 'resume', points already complete in DIR's shards are skipped, and shards of another spec are
 * refused. The rows of a point come from its point kind (pointkind.h). */
#ifndef UCL_SCHED_H
#define UCL_SCHED_H

#include <signal.h>

#include "uclif/status.h"
#include "uclif/store.h"
#include "uclif/sweep.h"

/* ---- the communicator ---- */

typedef struct ucl_comm ucl_comm; /* opaque: a duplicate of MPI_COMM_WORLD */

/* Start MPI (unless it is already started) and make *comm a handle on all ranks of the job.
 * argc/argv are passed to MPI_Init (may be NULL). On success *comm owns a new handle, to be
 * released by ucl_comm_finalize; on failure *comm is NULL and 'diag' holds MPI's message.
 * Collective over MPI_COMM_WORLD. */
UCL_NODISCARD ucl_status ucl_comm_init(int *argc, char ***argv, ucl_comm **comm, ucl_diag *diag);

/* Free the handle (and end MPI if ucl_comm_init started it); *comm becomes NULL. Accepts NULL and
 * a NULL *comm. UCL_ERR_IO with MPI's message if freeing or MPI_Finalize fails. Collective. */
UCL_NODISCARD ucl_status ucl_comm_finalize(ucl_comm **comm, ucl_diag *diag);

/* This rank's number (0 .. size-1) and the number of ranks. 'comm' must be a live handle. Not
 * collective. */
int ucl_comm_rank(const ucl_comm *comm);
int ucl_comm_size(const ucl_comm *comm);

/* Broadcast *value from rank 'root' to every rank. UCL_ERR_INVAL for a NULL comm or value;
 * UCL_ERR_IO with MPI's message when MPI refuses (e.g. a root that is not a rank). Collective. */
UCL_NODISCARD ucl_status ucl_comm_bcast_int(ucl_comm *comm, int *value, int root, ucl_diag *diag);

/* Agree on a status: every rank passes its own 'local' status and gets back the worst one (the
 * largest code), with the diag message of the lowest rank that had it. Collective. */
UCL_NODISCARD ucl_status ucl_comm_agree(ucl_comm *comm, ucl_status local, ucl_diag *diag);

/* Element-wise maximum over the ranks of v[0 .. n) (in place). UCL_ERR_INVAL for bad arguments,
 * UCL_ERR_IO when MPI fails. Collective. */
UCL_NODISCARD ucl_status ucl_comm_max_long(ucl_comm *comm, long *v, int n, ucl_diag *diag);

/* All-to-all exchange of bytes: send_bytes[r] bytes of 'send' (the ranks' parts concatenated in
 * rank order) go to rank r; *recv (malloc'd, owned by the caller) receives recv_bytes[r] bytes
 * from each rank r, concatenated in rank order. send_bytes and recv_bytes hold one count per
 * rank. Every message and each rank's total must stay below 2^31 bytes (MPI's int counts):
 * UCL_ERR_NOMEM otherwise, or when out of memory, on every rank. UCL_ERR_IO when MPI fails;
 * *recv is then NULL. Collective. */
UCL_NODISCARD ucl_status ucl_comm_alltoallv(ucl_comm *comm, const void *send,
                                            const size_t *send_bytes, void **recv,
                                            size_t *recv_bytes, ucl_diag *diag);

/* ---- batches of evaluations ---- */

/* One evaluation: write 'width' doubles for index i into out[0 .. width) (zeroed before the
 * call). A status other than UCL_OK stops the batch (its message in 'diag'). Must be a pure
 * function of (ctx, i) for the results not to depend on the number of ranks. */
typedef ucl_status (*ucl_sched_eval_fn)(void *ctx, long i, double *out, int width, ucl_diag *diag);

/* Evaluate indices 0 .. n-1 over the ranks and give every rank every result: rank r evaluates
 * the indices i ≡ r (mod size), the rows are summed over ranks (each row has one contributor,
 * so the sum is exact): results[i*width .. (i+1)*width) are the same bits for any number of ranks.
 * 'results' holds n*width doubles; on failure its contents are unspecified. UCL_ERR_INVAL for
 * n < 0, width < 1 or NULL arguments; otherwise the agreed status of the evaluations
 * (ucl_comm_agree), or UCL_ERR_NOMEM / UCL_ERR_IO (MPI). Collective. */
UCL_NODISCARD ucl_status ucl_sched_batch(ucl_comm *comm, long n, int width, ucl_sched_eval_fn eval,
                                         void *ctx, double *results, ucl_diag *diag);

/* ---- sweeps ---- */

typedef struct ucl_sched_opts {
  const char *out_dir;
  const char *spec_source; /* the spec's path, recorded in DIR/spec.canonical (may be NULL) */
  int resume;              /* continue the sweep in out_dir */
  double lock_wait_s;      /* wait this long for another run to let go of the shard directory
                              (ucl_store_lock_take: 0 refuse at once, < 0 for ever) */
  /* Stopping (may be NULL): a signal handler sets *stop to the signal's number. From then on no
   * rank takes another point; the points in flight finish and are written (within the point's
   * limits), the shards are closed, nothing is merged, and ucl_sched_run returns UCL_ERR_STOPPED
   * with "stopped by SIGTERM after N of M points; ...". */
  const volatile sig_atomic_t *stop;
  /* (may be NULL) once *cancel != 0 (the handler's grace time is over, or a second signal), the
   * points in flight are abandoned: not written, computed again by --resume. */
  const volatile sig_atomic_t *cancel;
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
  int run;    /* number of this run (0 for a fresh sweep) */
  int signal; /* the signal that stopped the run, or 0 */
  double wall_s;
  double sim_s;   /* summed over ranks: seconds inside the computation of points */
  double other_s; /* summed over ranks: seconds per point outside it (spec, shard, counters) */
  ucl_merge_stats merge;
} ucl_sched_report;

/* Run the sweep: each point through the point kind of 'sw' (ucl_point_kind_of). Rank 0 takes the
 * lock of this run's shard directory (store.h; waiting up to o->lock_wait_s) and holds it to the
 * end, makes DIR keep the spec (or checks it against the one DIR keeps: ucl_store_keep_spec),
 * and claims the lock for this run's number, which fences the shards of earlier runs. Collective
 * on comm: every rank returns the same status and message (UCL_OK; UCL_ERR_INVAL when out_dir
 * holds another sweep's results, results without --resume, or is in use by another run;
 * UCL_ERR_PARSE for foreign shards or points that differ between shards; UCL_ERR_STOPPED when
 * stopped (o->stop, a fenced shard); UCL_ERR_IO naming the file and the reason, UCL_ERR_NOMEM; an
 * MPI failure is UCL_ERR_IO with MPI's message). A failing point is a row, not an error. 'rep' is
 * filled on rank 0 (zeroed elsewhere). */
UCL_NODISCARD ucl_status ucl_sched_run(ucl_comm *comm, const ucl_sweep *sw, const ucl_sched_opts *o,
                                       ucl_sched_report *rep, ucl_diag *diag);

#endif
