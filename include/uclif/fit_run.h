/* fit_run.h — `uclif fit` over MPI ranks (docs/fit.md "Search"): for each model variant, a
 * global stage (Sobol points over the bounds, evaluated together across the ranks, scored
 * robustly for spiking data), a derivative-free stage (Subplex from the best starts, one start
 * per rank, on the score then on ln χ²) and Levenberg-Marquardt on χ² (each Jacobian's columns
 * evaluated together across the ranks), then the uncertainty at the optimum and the model
 * comparison. Every evaluation is a pure function of (spec, variant, x) shared out by index
 * through the scheduler (ucl_sched_batch), and every rank runs the same deterministic search on
 * the same bits: the results are the same for any number of ranks (fit.txt's line of ranks and
 * wall time aside). GSL's error handler is switched off for the run and restored after it.
 * Collective over 'comm'; rank 0 writes the files. */
#ifndef UCL_FIT_RUN_H
#define UCL_FIT_RUN_H

#include "uclif/fit.h"
#include "uclif/sched.h"
#include "uclif/status.h"

typedef struct ucl_fit_report {
  ucl_fit_result res[UCL_FIT_MAX_VARIANTS];
  int n_variants;
  int best;         /* the preferred variant (smallest AIC) */
  long evaluations; /* all simulations of recordings sets (one evaluation = every recording) */
  double wall_s;
} ucl_fit_report;

/* Fit every variant of 'f' and write DIR's files (ucl_fit_write; rank 0). Progress lines go
 * through 'progress' on rank 0 (may be NULL). UCL_OK, or UCL_ERR_IO / UCL_ERR_NOMEM (and MPI
 * failures as UCL_ERR_IO), the same on every rank; 'rep' is filled on every rank. */
UCL_NODISCARD ucl_status ucl_fit_run(ucl_comm *comm, const ucl_fit *f, const char *out_dir,
                                     void (*progress)(const char *line, void *ctx), void *ctx,
                                     ucl_fit_report *rep, ucl_diag *diag);

#endif
