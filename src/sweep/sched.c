/* sched.c — MPI sweep execution (sched.h). */
#include "uclif/sched.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "uclif/netsweep.h"
#include "uclif/protocols.h"

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* MPI call wrapper: a failure becomes UCL_ERR_IO with MPI's message. */
#define MPI_TRY(call)                                                                              \
  do {                                                                                             \
    int rc_ = (call);                                                                              \
    if (rc_ != MPI_SUCCESS) {                                                                      \
      char m_[MPI_MAX_ERROR_STRING];                                                               \
      int l_ = 0;                                                                                  \
      MPI_Error_string(rc_, m_, &l_);                                                              \
      st = ucl_diag_set(diag, UCL_ERR_IO, "MPI: %s: %s", #call, m_);                               \
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

/* Rank 0: prepare DIR and find what is done: every point complete in a shard of DIR that can hold
 * this run's points (the top level, its own and overlapping slices: ucl_store_scan_all) is skipped;
 * *n_done counts those in [first, last), this run's points. The run number is the next in this
 * run's shard directory. Without --resume, a run refuses a directory where it would continue
 * something: its own shard directory holds shards, or (unsliced) any point is done. */
static ucl_status prepare(const ucl_sweep *sw, const ucl_sched_opts *o, const char *sd, long first,
                          long last, unsigned char *done, int *run, long *n_done, ucl_diag *diag) {
  size_t n = strlen(o->out_dir) + 32;
  char *top = malloc(n);
  if (!top) {
    return ucl_diag_set(diag, UCL_ERR_NOMEM, "out of memory");
  }
  snprintf(top, n, "%s/shards", o->out_dir);
  ucl_status st = UCL_OK;
  if (make_dir(o->out_dir) != 0 || make_dir(top) != 0 || make_dir(sd) != 0) {
    st = ucl_diag_set(diag, UCL_ERR_IO, "cannot create %s: %s", sd, strerror(errno));
  }
  free(top);
  long all_done = 0;
  if (st == UCL_OK) {
    st = ucl_store_scan_all(o->out_dir, ucl_sweep_hash(sw), ucl_sweep_count(sw), first, last, done,
                            &all_done, diag);
  }
  if (st == UCL_OK) {
    st = ucl_store_next_run(sd, run, diag); /* its shards were read by the scan above */
  }
  if (st == UCL_OK && !o->resume && (*run > 0 || (o->slices == 0 && all_done > 0))) {
    st = ucl_diag_set(diag, UCL_ERR_INVAL,
                      "%s already holds a sweep (%ld of %ld points done); pass --resume to "
                      "continue it, or choose another directory",
                      o->out_dir, all_done, ucl_sweep_count(sw));
  }
  *n_done = 0;
  for (long i = first; i < last; i++) {
    *n_done += done[i];
  }
  return st;
}

/* Collective: everyone ends with rank 0's status and message, or the worst local one. */
static ucl_status agree(MPI_Comm c, int rank, ucl_status local, ucl_diag *diag) {
  int mine = (int)local, worst = 0, who = 0, cand;
  if (MPI_Allreduce(&mine, &worst, 1, MPI_INT, MPI_MAX, c) != MPI_SUCCESS) {
    return ucl_diag_set(diag, UCL_ERR_IO, "MPI_Allreduce failed");
  }
  if (worst == (int)UCL_OK) {
    return UCL_OK;
  }
  cand = (mine == worst) ? rank : INT_MAX;
  MPI_Allreduce(&cand, &who, 1, MPI_INT, MPI_MIN, c);
  char msg[sizeof(diag->msg)];
  memset(msg, 0, sizeof(msg));
  if (rank == who && diag) {
    memcpy(msg, diag->msg, sizeof(msg));
  }
  MPI_Bcast(msg, (int)sizeof(msg), MPI_CHAR, who, c);
  if (diag) {
    memcpy(diag->msg, msg, sizeof(msg));
  }
  return (ucl_status)worst;
}

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

/* Point i of a single-neuron sweep: characterize it (or, for an inconsistent point, a row with
 * its reason) and append its block. */
static ucl_status neuron_point(const ucl_sweep *sw, long i, const ucl_sched_opts *o,
                               ucl_char_opts *copts, ucl_shard *shard, int *failed, double *t_sim,
                               ucl_diag *diag) {
  ucl_params p;
  ucl_char_result res;
  memset(&res, 0, sizeof(res));
  ucl_diag pd = {{0}};
  ucl_status pst = ucl_sweep_point(sw, i, &p, &pd);
  if (pst == UCL_OK) {
    double tb = now();
    copts->deadline = o->point_timeout > 0.0 ? tb + o->point_timeout : 0.0;
    pst = ucl_characterize(&p, copts, &res, &pd);
    *t_sim = now() - tb;
  }
  if (pst != UCL_OK) {
    /* an inconsistent point: a row with its reason, no simulation */
    ucl_char_result_free(&res);
    ucl_char_result_empty(&res);
    res.status = pst;
    snprintf(res.reason, sizeof(res.reason), "point: %s", pd.msg);
  }
  *failed = res.status != UCL_OK;
  ucl_status st = ucl_shard_append(shard, i, &p, &res, diag);
  ucl_char_result_free(&res);
  return st;
}

/* Point i of a network sweep: simulate the network and append its rows. */
static ucl_status network_point(const ucl_sweep *sw, long i, ucl_shard *shard, int *failed,
                                double *t_sim, ucl_diag *diag) {
  char *prow = NULL, *nrows = NULL;
  size_t plen = 0, nlen = 0;
  double ta = now();
  ucl_status st = ucl_netsweep_point(sw, i, &prow, &plen, &nrows, &nlen, failed, diag);
  *t_sim = now() - ta;
  if (st == UCL_OK) {
    st = ucl_shard_append_rows(shard, i, prow, plen, nrows, nlen, diag);
  }
  free(prow);
  free(nrows);
  return st;
}

ucl_status ucl_sched_run(MPI_Comm comm, const ucl_sweep *sw, const ucl_sched_opts *o,
                         ucl_sched_report *rep, ucl_diag *diag) {
  ucl_status st = UCL_OK, local = UCL_OK;
  MPI_Comm c = MPI_COMM_NULL;
  MPI_Win win = MPI_WIN_NULL;
  long *counters = NULL;
  unsigned char *done = NULL;
  char *sdir = NULL;
  ucl_shard *shard = NULL;
  int rank = 0, size = 1;
  long points = ucl_sweep_count(sw);
  ucl_sched_report r;
  memset(&r, 0, sizeof(r));
  double t0 = now();

  MPI_TRY(MPI_Comm_dup(comm, &c));
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
    local = prepare(sw, o, sdir, first, last, done, &run, &n_done, diag);
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

  if (ucl_sweep_is_network(sw)) {
    /* a network sweep: its own columns, written into every shard */
    char *ph = NULL, *nh = NULL;
    local = ucl_netsweep_layout(sw, &ph, &nh, diag);
    if (local == UCL_OK) {
      ucl_store_layout lay = {ph, "neurons.csv", nh};
      local =
          ucl_shard_create_layout(sdir, run, rank, ucl_sweep_hash(sw), points, &lay, &shard, diag);
    }
    free(ph);
    free(nh);
  } else {
    local = ucl_shard_create(sdir, run, rank, ucl_sweep_hash(sw), points, &shard, diag);
  }
  st = agree(c, rank, local, diag);
  if (st != UCL_OK) {
    goto cleanup;
  }
  /* counters[0]: next point to hand out; counters[1]: points finished in this run */
  MPI_TRY(MPI_Win_allocate(rank == 0 ? 2 * (MPI_Aint)sizeof(long) : 0, sizeof(long), MPI_INFO_NULL,
                           c, &counters, &win));
  if (rank == 0) {
    MPI_TRY(MPI_Win_lock(MPI_LOCK_EXCLUSIVE, 0, 0, win));
    counters[0] = first;
    counters[1] = 0;
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
  long computed = 0, failed = 0;
  double t_sim = 0.0, t_other = 0.0;
  ucl_char_opts copts = *ucl_sweep_char_opts(sw);
  while (local == UCL_OK) {
    long from = 0, one = 1;
    MPI_TRY(MPI_Win_lock(MPI_LOCK_SHARED, 0, 0, win));
    MPI_TRY(MPI_Fetch_and_op(&chunk, &from, MPI_LONG, 0, 0, MPI_SUM, win));
    MPI_TRY(MPI_Win_unlock(0, win));
    if (from >= last) {
      break;
    }
    long to = from + chunk < last ? from + chunk : last;
    for (long i = from; i < to && local == UCL_OK; i++) {
      if (done[i]) {
        continue;
      }
      double ta = now();
      int pfail = 0;
      double t_point = 0.0; /* the simulated part of this point */
      local = ucl_sweep_is_network(sw)
                  ? network_point(sw, i, shard, &pfail, &t_point, diag)
                  : neuron_point(sw, i, o, &copts, shard, &pfail, &t_point, diag);
      t_sim += t_point;
      failed += pfail;
      computed++;
      long fin = 0;
      MPI_TRY(MPI_Win_lock(MPI_LOCK_SHARED, 0, 0, win));
      MPI_TRY(MPI_Fetch_and_op(&one, &fin, MPI_LONG, 0, 1, MPI_SUM, win));
      MPI_TRY(MPI_Win_unlock(0, win));
      t_other += now() - ta - t_point;
      if (rank == 0 && o->progress) {
        o->progress(o->progress_ctx, n_done + fin + 1, last - first, now() - t0, n_done);
      }
    }
  }
  ucl_status cst = ucl_shard_close(&shard, diag);
  if (local == UCL_OK) {
    local = cst;
  }
  st = agree(c, rank, local, diag);
  if (st != UCL_OK) {
    goto cleanup;
  }
  long sums[2] = {computed, failed}, tot[2] = {0, 0};
  MPI_TRY(MPI_Reduce(sums, tot, 2, MPI_LONG, MPI_SUM, 0, c));
  r.computed = tot[0];
  r.failed = tot[1];
  double times[2] = {t_sim, t_other}, ttot[2] = {0.0, 0.0};
  MPI_TRY(MPI_Reduce(times, ttot, 2, MPI_DOUBLE, MPI_SUM, 0, c));
  r.sim_s = ttot[0];
  r.other_s = ttot[1];
  if (rank == 0) {
    if (o->progress) {
      o->progress(o->progress_ctx, n_done + r.computed, last - first, now() - t0, n_done);
    }
    if (!o->no_merge) {
      local = ucl_store_merge(o->out_dir, ucl_sweep_hash(sw), points, &r.merge, diag);
    }
    r.wall_s = now() - t0;
    if (local == UCL_OK && !o->no_merge) {
      local = write_manifest(sw, o, &r, diag);
    }
  }
  st = agree(c, rank, local, diag);

cleanup:
  if (shard) {
    (void)!ucl_shard_close(&shard, NULL);
  }
  if (win != MPI_WIN_NULL) {
    MPI_Win_free(&win);
  }
  if (c != MPI_COMM_NULL) {
    MPI_Comm_free(&c);
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
