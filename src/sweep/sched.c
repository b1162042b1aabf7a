/* sched.c — the communicator, batches and sweeps over MPI ranks (sched.h). The only file of
 * uclif that includes MPI: every MPI call is checked here (MPI_TRY or mpi_status). */
#include "uclif/sched.h"

#include <errno.h>
#include <limits.h>
#include <mpi.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "uclif/pointkind.h"
#include "uclif/clock.h"

struct ucl_comm {
  MPI_Comm c; /* a duplicate of MPI_COMM_WORLD, with MPI_ERRORS_RETURN */
  int rank, size;
  int started; /* ucl_comm_init called MPI_Init: ucl_comm_finalize calls MPI_Finalize */
};

/* The status of an MPI call's return code 'rc': UCL_OK, or UCL_ERR_IO with MPI's message. */
static ucl_status mpi_status(int rc, const char *what, ucl_diag *diag) {
  if (rc == MPI_SUCCESS) {
    return UCL_OK;
  }
  char m[MPI_MAX_ERROR_STRING];
  int len = 0;
  if (MPI_Error_string(rc, m, &len) != MPI_SUCCESS) {
    snprintf(m, sizeof(m), "error code %d", rc);
  }
  return ucl_diag_set(diag, UCL_ERR_IO, "MPI: %s: %s", what, m);
}

/* MPI call wrapper for functions with a ucl_status 'st', a 'diag' and a cleanup label. */
#define MPI_TRY(call)                                                                              \
  do {                                                                                             \
    st = mpi_status((call), #call, diag);                                                          \
    if (st != UCL_OK) {                                                                            \
      goto cleanup;                                                                                \
    }                                                                                              \
  } while (0)

static int make_dir(const char *path) {
  return (mkdir(path, 0777) == 0 || errno == EEXIST) ? 0 : -1;
}

/* The directory this run's shards go to: DIR/shards, or DIR/shards/slice-S-of-N. */
static char *shard_dir(const ucl_sched_opts *o) {
  size_t n = strlen(o->out_dir) + 48;
  char *sd = malloc(n);
  if (sd && o->slices > 0) {
    snprintf(sd, n, "%s/shards/slice-%d-of-%d", o->out_dir, o->slice, o->slices);
  } else if (sd) {
    snprintf(sd, n, "%s/shards", o->out_dir);
  }
  return sd;
}

/* Rank 0: prepare DIR and find what is done. It takes the lock of this run's shard directory
 * (held until the run ends: *lock) and claims the run's number (the next after both the shards'
 * names and the last run the lock named), which fences the shards of every other run; makes DIR
 * keep the spec or checks it against the kept one; then finds every point complete in a shard of
 * DIR that can hold this run's points (the top level, its own and overlapping slices:
 * ucl_store_scan_all); *n_done counts those in [first, last), this run's points. Without
 * --resume, a run refuses a directory where it would continue something: its own shard directory
 * holds shards, or (unsliced) any point is done. */
static ucl_status prepare(const ucl_sweep *sw, const ucl_sched_opts *o, const char *sd, long first,
                          long last, unsigned char *done, int *run, long *n_done,
                          ucl_store_lock **lock, ucl_diag *diag) {
  char *top = malloc(strlen(o->out_dir) + 32);
  if (!top) {
    return ucl_diag_set(diag, UCL_ERR_NOMEM, "out of memory");
  }
  snprintf(top, strlen(o->out_dir) + 32, "%s/shards", o->out_dir);
  ucl_status st = UCL_OK;
  if (make_dir(o->out_dir) != 0 || make_dir(top) != 0 || make_dir(sd) != 0) {
    st = ucl_diag_set(diag, UCL_ERR_IO, "cannot create %s: %s", sd, strerror(errno));
  }
  free(top);
  if (st == UCL_OK) {
    st = ucl_store_lock_take(sd, o->lock_wait_s, o->stop, lock, diag);
    if (st == UCL_ERR_INVAL && o->lock_wait_s == 0.0) {
      ucl_diag_suffix(diag, " (`uclif sweep --wait SECONDS` waits for it)");
    }
  }
  /* the run's number, claimed before anything is read: from then on the shards of any other run
   * are fenced, so the scan below sees all that they will ever hold */
  int names_run = 0;
  if (st == UCL_OK) {
    st = ucl_store_next_run(sd, &names_run, diag);
  }
  if (st == UCL_OK) {
    long prev = ucl_store_lock_prev_run(*lock);
    *run = prev + 1 > names_run && prev < INT_MAX ? (int)(prev + 1) : names_run;
    st = ucl_store_lock_claim(*lock, *run, diag);
  }
  if (st == UCL_OK) {
    st = ucl_store_keep_spec(o->out_dir, sw, o->spec_source, diag);
  }
  long all_done = 0;
  if (st == UCL_OK) {
    st = ucl_store_scan_all(o->out_dir, ucl_sweep_hash(sw), ucl_sweep_count(sw), first, last, done,
                            &all_done, NULL, diag);
  }
  if (st == UCL_OK && !o->resume && (names_run > 0 || (o->slices == 0 && all_done > 0))) {
    st = ucl_diag_set(diag, UCL_ERR_INVAL,
                      "%s already holds a sweep (%ld of %ld points done); pass --resume to "
                      "continue it, or choose another directory",
                      o->out_dir, all_done, ucl_sweep_count(sw));
  }
  if (st == UCL_ERR_IO) { /* nothing computed yet */
    ucl_diag_suffix(diag, "; nothing was computed: free space (or fix the cause) and run the same "
                          "command again");
  }
  *n_done = 0;
  for (long i = first; i < last; i++) {
    *n_done += done[i];
  }
  return st;
}

static const char *signal_name(int sig) {
  switch (sig) {
  case SIGTERM:
    return "SIGTERM";
  case SIGINT:
    return "SIGINT";
  case SIGUSR1:
    return "SIGUSR1";
  case SIGHUP:
    return "SIGHUP";
  default:
    return "a signal";
  }
}

/* Collective: everyone ends with the worst status and the message of the lowest rank that had
 * it. An MPI failure here is reported where MPI reports it. */
static ucl_status agree(MPI_Comm c, int rank, ucl_status local, ucl_diag *diag) {
  ucl_status st = UCL_OK;
  int mine = (int)local, worst = 0, who = 0, cand;
  MPI_TRY(MPI_Allreduce(&mine, &worst, 1, MPI_INT, MPI_MAX, c));
  if (worst == (int)UCL_OK) {
    return UCL_OK;
  }
  cand = (mine == worst) ? rank : INT_MAX;
  MPI_TRY(MPI_Allreduce(&cand, &who, 1, MPI_INT, MPI_MIN, c));
  char msg[sizeof(diag->msg)];
  memset(msg, 0, sizeof(msg));
  if (rank == who && diag) {
    memcpy(msg, diag->msg, sizeof(msg));
  }
  MPI_TRY(MPI_Bcast(msg, (int)sizeof(msg), MPI_CHAR, who, c));
  if (diag) {
    memcpy(diag->msg, msg, sizeof(msg));
  }
  st = (ucl_status)worst;
cleanup:
  return st;
}

/* ---- the communicator ---- */

ucl_status ucl_comm_init(int *argc, char ***argv, ucl_comm **comm, ucl_diag *diag) {
  ucl_status st = UCL_OK;
  ucl_comm *cm = NULL;
  int running = 0, started = 0;
  if (!comm) {
    return ucl_diag_set(diag, UCL_ERR_INVAL, "ucl_comm_init: no handle to fill");
  }
  *comm = NULL;
  MPI_TRY(MPI_Initialized(&running));
  if (!running) {
    MPI_TRY(MPI_Init(argc, argv));
    started = 1;
    /* errors outside our communicator (MPI_Comm_dup of the world) return, too */
    MPI_TRY(MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN));
  }
  cm = calloc(1, sizeof(*cm));
  if (!cm) {
    st = ucl_diag_set(diag, UCL_ERR_NOMEM, "out of memory");
    goto cleanup;
  }
  cm->c = MPI_COMM_NULL;
  cm->started = started;
  MPI_TRY(MPI_Comm_dup(MPI_COMM_WORLD, &cm->c));
  MPI_TRY(MPI_Comm_set_errhandler(cm->c, MPI_ERRORS_RETURN));
  MPI_TRY(MPI_Comm_rank(cm->c, &cm->rank));
  MPI_TRY(MPI_Comm_size(cm->c, &cm->size));
  *comm = cm;
  return UCL_OK;
cleanup:
  if (cm && cm->c != MPI_COMM_NULL) {
    (void)MPI_Comm_free(&cm->c); /* already failing: its own failure adds nothing */
  }
  free(cm);
  if (started) {
    (void)MPI_Finalize();
  }
  return st;
}

ucl_status ucl_comm_finalize(ucl_comm **comm, ucl_diag *diag) {
  if (!comm || !*comm) {
    return UCL_OK;
  }
  ucl_comm *cm = *comm;
  *comm = NULL;
  ucl_status st = mpi_status(MPI_Comm_free(&cm->c), "MPI_Comm_free", diag);
  if (cm->started) {
    ucl_status fst = mpi_status(MPI_Finalize(), "MPI_Finalize", st == UCL_OK ? diag : NULL);
    st = st == UCL_OK ? fst : st;
  }
  free(cm);
  return st;
}

int ucl_comm_rank(const ucl_comm *comm) {
  return comm->rank;
}

int ucl_comm_size(const ucl_comm *comm) {
  return comm->size;
}

ucl_status ucl_comm_bcast_int(ucl_comm *comm, int *value, int root, ucl_diag *diag) {
  if (!comm || !value) {
    return ucl_diag_set(diag, UCL_ERR_INVAL, "ucl_comm_bcast_int: NULL argument");
  }
  return mpi_status(MPI_Bcast(value, 1, MPI_INT, root, comm->c), "MPI_Bcast", diag);
}

ucl_status ucl_comm_agree(ucl_comm *comm, ucl_status local, ucl_diag *diag) {
  if (!comm) {
    return ucl_diag_set(diag, UCL_ERR_INVAL, "ucl_comm_agree: NULL communicator");
  }
  return agree(comm->c, comm->rank, local, diag);
}

ucl_status ucl_comm_max_long(ucl_comm *comm, long *v, int n, ucl_diag *diag) {
  if (!comm || (!v && n > 0) || n < 0) {
    return ucl_diag_set(diag, UCL_ERR_INVAL, "ucl_comm_max_long: bad arguments");
  }
  return mpi_status(MPI_Allreduce(MPI_IN_PLACE, v, n, MPI_LONG, MPI_MAX, comm->c), "MPI_Allreduce",
                    diag);
}

ucl_status ucl_comm_alltoallv(ucl_comm *comm, const void *send, const size_t *send_bytes,
                              void **recv, size_t *recv_bytes, ucl_diag *diag) {
  if (!comm || !send_bytes || !recv || !recv_bytes) {
    return ucl_diag_set(diag, UCL_ERR_INVAL, "ucl_comm_alltoallv: bad arguments");
  }
  *recv = NULL;
  ucl_status st = UCL_OK, local = UCL_OK;
  int P = comm->size;
  int *sc = calloc((size_t)P, sizeof(int)), *rc = calloc((size_t)P, sizeof(int));
  int *sd = calloc((size_t)P, sizeof(int)), *rd = calloc((size_t)P, sizeof(int));
  size_t total_s = 0;
  if (!sc || !rc || !sd || !rd) {
    local = ucl_diag_set(diag, UCL_ERR_NOMEM, "out of memory for an exchange");
  }
  for (int r = 0; local == UCL_OK && r < P; r++) {
    if (send_bytes[r] > (size_t)INT_MAX || total_s + send_bytes[r] > (size_t)INT_MAX) {
      local = ucl_diag_set(diag, UCL_ERR_NOMEM, "an exchange of more than %d bytes", INT_MAX);
      break;
    }
    sd[r] = (int)total_s;
    sc[r] = (int)send_bytes[r];
    total_s += send_bytes[r];
  }
  st = agree(comm->c, comm->rank, local, diag);
  if (st != UCL_OK) {
    goto cleanup;
  }
  MPI_TRY(MPI_Alltoall(sc, 1, MPI_INT, rc, 1, MPI_INT, comm->c));
  size_t total_r = 0;
  for (int r = 0; r < P; r++) {
    rd[r] = (int)total_r;
    recv_bytes[r] = (size_t)rc[r];
    total_r += (size_t)rc[r];
  }
  local = UCL_OK;
  if (total_r > (size_t)INT_MAX) {
    local = ucl_diag_set(diag, UCL_ERR_NOMEM, "an exchange of more than %d bytes", INT_MAX);
  } else if (!(*recv = malloc(total_r ? total_r : 1))) {
    local = ucl_diag_set(diag, UCL_ERR_NOMEM, "out of memory for an exchange");
  }
  st = agree(comm->c, comm->rank, local, diag);
  if (st != UCL_OK) {
    goto cleanup;
  }
  MPI_TRY(MPI_Alltoallv(send, sc, sd, MPI_BYTE, *recv, rc, rd, MPI_BYTE, comm->c));
cleanup:
  if (st != UCL_OK) {
    free(*recv);
    *recv = NULL;
  }
  free(sc);
  free(rc);
  free(sd);
  free(rd);
  return st;
}

/* ---- batches ---- */

/* MPI counts are ints: reduce in pieces of at most this many doubles. */
#define BATCH_PIECE (1L << 28)

ucl_status ucl_sched_batch(ucl_comm *comm, long n, int width, ucl_sched_eval_fn eval, void *ctx,
                           double *results, ucl_diag *diag) {
  if (!comm || !eval || n < 0 || width < 1) {
    return ucl_diag_set(diag, UCL_ERR_INVAL, "ucl_sched_batch: bad arguments (n %ld, width %d)", n,
                        width);
  }
  ucl_status st = UCL_OK, local = UCL_OK;
  double *buf = NULL;
  size_t total = (size_t)n * (size_t)width;
  if ((size_t)n > SIZE_MAX / sizeof(double) / (size_t)width) {
    local = ucl_diag_set(diag, UCL_ERR_NOMEM, "a batch of %ld x %d values is too large", n, width);
  } else if (!results || !(buf = calloc(total ? total : 1, sizeof(double)))) {
    local = ucl_diag_set(diag, UCL_ERR_NOMEM, "out of memory for a batch of %ld", n);
  }
  /* static cyclic split: rank r takes i = r, r + size, ...; every other row stays zero */
  for (long i = comm->rank; local == UCL_OK && i < n; i += comm->size) {
    local = eval(ctx, i, buf + (size_t)i * (size_t)width, width, diag);
  }
  st = agree(comm->c, comm->rank, local, diag);
  if (st != UCL_OK) {
    goto cleanup;
  }
  /* each value has one nonzero contributor: the sum is that value, bit for bit */
  for (size_t off = 0; off < total; off += (size_t)BATCH_PIECE) {
    size_t len = total - off < (size_t)BATCH_PIECE ? total - off : (size_t)BATCH_PIECE;
    MPI_TRY(MPI_Allreduce(buf + off, results + off, (int)len, MPI_DOUBLE, MPI_SUM, comm->c));
  }
cleanup:
  free(buf);
  return st;
}

/* ---- sweeps ---- */

/* DIR/manifest.txt: the spec's and the merge's keys (ucl_store_write_manifest), then this run's. */
static ucl_status write_manifest(const ucl_sweep *sw, const ucl_sched_opts *o,
                                 const ucl_sched_report *rep, ucl_diag *diag) {
  char lines[512];
  snprintf(lines, sizeof(lines),
           "run = %d\nranks = %d\ndone_before_run = %ld\ncomputed_in_run = %ld\n"
           "failed_in_run = %ld\nwall_s = %.3f\nrank_s_characterizing = %.3f\n"
           "rank_s_per_point_overhead = %.6f\noverhead_fraction = %.6f\n",
           rep->run, rep->ranks, rep->done_before, rep->computed, rep->failed, rep->wall_s,
           rep->sim_s, rep->other_s,
           rep->sim_s + rep->other_s > 0 ? rep->other_s / (rep->sim_s + rep->other_s) : 0.0);
  return ucl_store_write_manifest(o->out_dir, sw, &rep->merge, lines, diag);
}

ucl_status ucl_sched_run(ucl_comm *comm, const ucl_sweep *sw, const ucl_sched_opts *o,
                         ucl_sched_report *rep, ucl_diag *diag) {
  ucl_status st = UCL_OK, local = UCL_OK;
  MPI_Comm c = MPI_COMM_NULL;
  MPI_Win win = MPI_WIN_NULL;
  long *counters = NULL;
  unsigned char *done = NULL;
  char *sdir = NULL;
  ucl_shard *shard = NULL;
  ucl_store_lock *lock = NULL;
  int rank = 0, size = 1;
  long points = ucl_sweep_count(sw);
  const ucl_point_kind *kind = ucl_point_kind_of(sw);
  ucl_sched_report r;
  memset(&r, 0, sizeof(r));
  double t0 = ucl_clock_s();

  if (!comm) {
    st = ucl_diag_set(diag, UCL_ERR_INVAL, "ucl_sched_run: NULL communicator");
    goto cleanup;
  }
  /* a communicator of its own: the window and the counters' traffic stay apart from the caller's */
  MPI_TRY(MPI_Comm_dup(comm->c, &c));
  MPI_TRY(MPI_Comm_set_errhandler(c, MPI_ERRORS_RETURN));
  MPI_TRY(MPI_Comm_rank(c, &rank));
  MPI_TRY(MPI_Comm_size(c, &size));
  r.points = points;
  r.ranks = size;

  /* this run's points: all, or one slice */
  long first = 0, last = points;
  if (o->slices > 0) {
    if (o->slice < 0 || o->slice >= o->slices) {
      local =
          ucl_diag_set(diag, UCL_ERR_INVAL, "slice %d of %d does not exist", o->slice, o->slices);
    }
    ucl_slice_range(points, o->slice, o->slices, &first, &last);
  }
  done = calloc((size_t)points, 1);
  sdir = shard_dir(o);
  if (local == UCL_OK && (!done || !sdir)) {
    local = ucl_diag_set(diag, UCL_ERR_NOMEM, "out of memory for %ld points", points);
  }
  int run = 0;
  long n_done = 0;
  if (rank == 0 && local == UCL_OK) {
    local = prepare(sw, o, sdir, first, last, done, &run, &n_done, &lock, diag);
  }
  st = agree(c, rank, local, diag);
  if (st != UCL_OK) {
    goto cleanup;
  }
  /* share what is done (in pieces below INT_MAX bytes) and the run number */
  for (long off = 0; off < points; off += 1L << 30) {
    long len = points - off < (1L << 30) ? points - off : (1L << 30);
    MPI_TRY(MPI_Bcast(done + off, (int)len, MPI_UNSIGNED_CHAR, 0, c));
  }
  MPI_TRY(MPI_Bcast(&run, 1, MPI_INT, 0, c));
  MPI_TRY(MPI_Bcast(&n_done, 1, MPI_LONG, 0, c));
  r.run = run;
  r.done_before = n_done;

  /* the kind's columns, written into every shard (none for the store's own single-neuron ones) */
  ucl_point_layout lay;
  int n_files = 2;
  local = kind->layout(sw, &lay, diag);
  if (local == UCL_OK) {
    ucl_store_layout sl = {lay.n_files, {NULL}, {NULL}};
    for (int k = 0; k < lay.n_files; k++) {
      sl.file[k] = lay.file[k];
      sl.header[k] = lay.headers[k];
    }
    n_files = lay.n_files;
    local = ucl_shard_create_layout(sdir, run, rank, ucl_sweep_hash(sw), points,
                                    lay.headers[0] ? &sl : NULL, &shard, diag);
    ucl_point_layout_free(&lay);
  }
  if (local == UCL_OK) {
    local = ucl_shard_fence(shard, sdir, diag);
  }
  st = agree(c, rank, local, diag);
  if (st != UCL_OK) {
    goto cleanup;
  }
  /* counters[0]: next point to hand out; counters[1]: points finished in this run;
   * counters[2]: the signal that stops the run (0: none), set by the rank that got it */
  MPI_TRY(MPI_Win_allocate(rank == 0 ? 3 * (MPI_Aint)sizeof(long) : 0, sizeof(long), MPI_INFO_NULL,
                           c, &counters, &win));
  MPI_TRY(MPI_Win_set_errhandler(win, MPI_ERRORS_RETURN)); /* a window's default is fatal */
  if (rank == 0) {
    MPI_TRY(MPI_Win_lock(MPI_LOCK_EXCLUSIVE, 0, 0, win));
    counters[0] = first;
    counters[1] = 0;
    counters[2] = 0;
    MPI_TRY(MPI_Win_unlock(0, win));
  }
  MPI_TRY(MPI_Barrier(c));

  long chunk = o->chunk > 0 ? o->chunk : (last - first) / ((long)size * 64);
  if (chunk < 1) {
    chunk = 1;
  }
  if (chunk > 16 && o->chunk <= 0) {
    chunk = 16;
  }
  long computed = 0, failed = 0, sig = 0, abandoned = 0;
  double t_sim = 0.0, t_other = 0.0;
  while (local == UCL_OK && sig == 0) {
    long from = 0, one = 1, none = 0;
    if (o->stop && *o->stop) { /* tell the others, and take no more points */
      sig = (long)*o->stop;
      MPI_TRY(MPI_Win_lock(MPI_LOCK_SHARED, 0, 0, win));
      MPI_TRY(MPI_Accumulate(&sig, 1, MPI_LONG, 0, 2, 1, MPI_LONG, MPI_REPLACE, win));
      MPI_TRY(MPI_Win_unlock(0, win));
      break;
    }
    MPI_TRY(MPI_Win_lock(MPI_LOCK_SHARED, 0, 0, win));
    MPI_TRY(MPI_Fetch_and_op(&none, &sig, MPI_LONG, 0, 2, MPI_NO_OP, win));
    MPI_TRY(MPI_Fetch_and_op(&chunk, &from, MPI_LONG, 0, 0, MPI_SUM, win));
    MPI_TRY(MPI_Win_unlock(0, win));
    if (from >= last || sig != 0) {
      break;
    }
    long to = from + chunk < last ? from + chunk : last;
    for (long i = from; i < to && local == UCL_OK && sig == 0; i++) {
      if (done[i]) {
        continue;
      }
      if (o->stop && *o->stop) {
        break; /* the rest of the chunk stays undone; the loop above tells the others */
      }
      double ta = ucl_clock_s();
      int pfail = 0;
      double t_point = 0.0; /* the simulated part of this point */
      ucl_rowbuf rows[UCL_POINT_FILES] = {{NULL, 0}};
      ucl_point_limits lim = {o->point_timeout, o->cancel};
      local = kind->compute(sw, i, &lim, rows, &pfail, &t_point, diag);
      if (local == UCL_OK) {
        ucl_store_rows out[UCL_POINT_FILES];
        for (int k = 0; k < n_files; k++) {
          out[k] = (ucl_store_rows){rows[k].text ? rows[k].text : "", rows[k].len};
        }
        local = ucl_shard_append_files(shard, i, out, n_files, diag);
        if (local == UCL_ERR_IO) {
          ucl_diag_suffix(diag,
                          "; the shards hold every point finished before: free space (or "
                          "fix the cause) and run `uclif sweep --resume -o %s`",
                          o->out_dir);
        }
      }
      for (int k = 0; k < UCL_POINT_FILES; k++) {
        free(rows[k].text);
      }
      t_sim += t_point;
      if (local == UCL_ERR_STOPPED && o->stop && *o->stop) {
        local = UCL_OK; /* abandoned at the end of the grace time: not written, not counted */
        abandoned++;
        sig = (long)*o->stop;
      }
      if (local != UCL_OK || sig != 0) {
        break;
      }
      failed += pfail;
      computed++;
      long fin = 0;
      MPI_TRY(MPI_Win_lock(MPI_LOCK_SHARED, 0, 0, win));
      MPI_TRY(MPI_Fetch_and_op(&one, &fin, MPI_LONG, 0, 1, MPI_SUM, win));
      MPI_TRY(MPI_Fetch_and_op(&none, &sig, MPI_LONG, 0, 2, MPI_NO_OP, win));
      MPI_TRY(MPI_Win_unlock(0, win));
      t_other += ucl_clock_s() - ta - t_point;
      if (rank == 0 && o->progress) {
        o->progress(o->progress_ctx, n_done + fin + 1, last - first, ucl_clock_s() - t0, n_done);
      }
    }
  }
  if (local == UCL_OK && sig == 0 && o->stop && *o->stop) {
    sig = (long)*o->stop; /* arrived after this rank's last point */
  }
  ucl_status cst = ucl_shard_close(&shard, diag);
  if (local == UCL_OK) {
    local = cst;
  }
  st = agree(c, rank, local, diag);
  if (st != UCL_OK) {
    goto cleanup;
  }
  long sums[3] = {computed, failed, abandoned}, tot[3] = {0, 0, 0}, any_sig = 0;
  MPI_TRY(MPI_Reduce(sums, tot, 3, MPI_LONG, MPI_SUM, 0, c));
  MPI_TRY(MPI_Allreduce(&sig, &any_sig, 1, MPI_LONG, MPI_MAX, c));
  r.computed = tot[0];
  r.failed = tot[1];
  r.signal = (int)any_sig;
  double times[2] = {t_sim, t_other}, ttot[2] = {0.0, 0.0};
  MPI_TRY(MPI_Reduce(times, ttot, 2, MPI_DOUBLE, MPI_SUM, 0, c));
  r.sim_s = ttot[0];
  r.other_s = ttot[1];
  if (rank == 0) {
    if (o->progress) {
      o->progress(o->progress_ctx, n_done + r.computed, last - first, ucl_clock_s() - t0, n_done);
    }
    if (r.signal) {
      char gave_up[96] = "";
      if (tot[2] > 0) {
        snprintf(gave_up, sizeof(gave_up), ", %ld in flight abandoned after the grace time",
                 tot[2]);
      }
      local = ucl_diag_set(diag, UCL_ERR_STOPPED,
                           "stopped by %s after %ld of %ld points (%ld in this run%s); the shards "
                           "hold every finished point: resume with `uclif sweep --resume -o %s%s`",
                           signal_name(r.signal), n_done + r.computed, last - first, r.computed,
                           gave_up, o->out_dir, o->slices > 0 ? " --slice I/N" : "");
    } else if (!o->no_merge) {
      local = ucl_store_merge(o->out_dir, ucl_sweep_hash(sw), points, 0, &r.merge, diag);
      if (local == UCL_ERR_IO) {
        ucl_diag_suffix(diag,
                        "; the shards are complete: free space (or fix the cause) and run "
                        "`uclif merge %s`",
                        o->out_dir);
      }
    }
    r.wall_s = ucl_clock_s() - t0;
    if (local == UCL_OK && !o->no_merge && !r.signal) {
      local = write_manifest(sw, o, &r, diag);
      if (local == UCL_ERR_IO) {
        ucl_diag_suffix(diag, "; the merged files are complete: run `uclif merge %s` to write it",
                        o->out_dir);
      }
    }
  }
  st = agree(c, rank, local, diag);

cleanup:
  if (shard) {
    (void)!ucl_shard_close(&shard, NULL);
  }
  ucl_store_lock_release(&lock);
  /* collective frees; on a path that already failed their own failure adds nothing */
  if (win != MPI_WIN_NULL) {
    ucl_status fst = mpi_status(MPI_Win_free(&win), "MPI_Win_free", st == UCL_OK ? diag : NULL);
    st = st == UCL_OK ? fst : st;
  }
  if (c != MPI_COMM_NULL) {
    ucl_status fst = mpi_status(MPI_Comm_free(&c), "MPI_Comm_free", st == UCL_OK ? diag : NULL);
    st = st == UCL_OK ? fst : st;
  }
  free(done);
  free(sdir);
  if (rep) {
    if (rank == 0) {
      *rep = r;
    } else {
      memset(rep, 0, sizeof(*rep));
    }
  }
  return st;
}
