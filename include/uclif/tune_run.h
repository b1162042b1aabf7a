/* tune_run.h — `uclif tune` over MPI ranks: a seeded Nelder–Mead search in log space over the
 * free components (each iteration's candidates evaluated in parallel), the E-series snapping
 * of its optimum (every floor/ceil combination for up to 6 free parts, a coordinate search for
 * more), and the Monte Carlo tolerance analysis of the snapped design. Every evaluation is a
 * pure function of (spec, design, draw), and batches are shared out by index through the
 * scheduler (ucl_sched_batch): the numbers are the same for any number of ranks. Collective over
 * 'comm'; rank 0 writes the files. */
#ifndef UCL_TUNE_RUN_H
#define UCL_TUNE_RUN_H

#include "uclif/sched.h"
#include "uclif/status.h"
#include "uclif/tune.h"

typedef struct ucl_tune_report {
  double cont[UCL_TUNE_MAX_PARTS], snap[UCL_TUNE_MAX_PARTS]; /* part values */
  ucl_tune_eval e_cont, e_snap;
  long evaluations; /* characterizations in the search and the snapping */
  int iterations;
  long draws, met;
  double yield, ci_lo, ci_hi; /* Wilson 95 % interval */
  double f_mean[UCL_TUNE_MAX_TARGETS], f_std[UCL_TUNE_MAX_TARGETS];
  double f_min[UCL_TUNE_MAX_TARGETS], f_max[UCL_TUNE_MAX_TARGETS];
  long target_fail[UCL_TUNE_MAX_TARGETS]; /* draws that miss each target */
  double wall_s, search_s, mc_s;
} ucl_tune_report;

/* Tune and analyse; write DIR/bom.csv, DIR/tune.txt, DIR/draws.csv and DIR/design.cir (rank 0).
 * Returns UCL_OK when the snapped design meets every target, UCL_ERR_UNMET when it does not
 * ('diag' names the targets it misses; the files are written all the same), other errors for
 * I/O, memory and MPI, the same on every rank. Progress lines go through 'progress' (rank 0; may be
 * NULL): tick 0 for a phase that begins ("searching ...", "snapping ...", "Monte Carlo: N
 * draws"), tick 1 after each characterization rank 0 finished ("search, 12 characterizations";
 * "... on rank 0" with several ranks), which a caller paces itself. */
UCL_NODISCARD ucl_status ucl_tune_run(ucl_comm *comm, const ucl_tune *t, const char *out_dir,
                                      void (*progress)(const char *line, int tick, void *ctx),
                                      void *ctx, ucl_tune_report *rep, ucl_diag *diag);

#endif
