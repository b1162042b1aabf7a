/* integrator.h — CVODE(S) time integration of a hybrid system (system.h) with root-finding for
 * mode switches (SCR latch/unlatch) and stop-and-restart at known discontinuities. The only
 * module that sees SUNDIALS; each call runs serially (no MPI). */
#ifndef UCL_INTEGRATOR_H
#define UCL_INTEGRATOR_H

#include <stddef.h>

#include "uclif/params.h"
#include "uclif/status.h"
#include "uclif/system.h"
#include "uclif/trace.h"

typedef struct ucl_integrator_opts {
  double rtol;             /* relative tolerance (states and energy integrals) */
  double atol;             /* absolute tolerance of the states (their units, V) */
  double atol_quad;        /* absolute tolerance of the quadratures (J) */
  double max_step;         /* s; 0 = the system's hint */
  long max_steps;          /* steps in all; beyond: UCL_ERR_LIMIT */
  int chatter_events;      /* this many events ... */
  double chatter_window;   /* ... within this many seconds: UCL_ERR_EVENTS */
  double sample_dt;        /* s; 0 = no periodic samples */
  double sample_t0;        /* s, >= 0: periodic samples at sample_t0 + k·sample_dt (k >= 0) */
  int sample_edges;        /* also sample just before and after every event and break */
  int track_root_peaks;    /* record root peaks in the trace (ucl_trace_root_peak) */
  long stop_after_latches; /* > 0: end the run (UCL_OK) at this many latch events */
  /* 1: the Newton matrix is sparse and solved by KLU; its Jacobian is computed by coloured
   * finite differences on the system's pattern (jac_cols/jac_rows): columns that share no row
   * get one colour (greedy colouring in column order), and each colour costs one right-hand side
   * (Curtis, Powell & Reid, J. Inst. Math. Appl. 13:117, 1974), with CVODE's difference
   * increments. Those right-hand sides are counted in the statistics' rhs_evals. UCL_ERR_INVAL
   * when the system gives no pattern. 0 (default): dense matrix, CVODE's dense difference
   * quotients (n_states right-hand sides per Jacobian). */
  int sparse_jacobian;
  /* 1: after a stimulus break CVODE goes on with its history instead of a restart (CVodeReInit:
   * order 1, a new Jacobian); CVODE still stops exactly at each break (its stop time), so its
   * state is the state at the break. The right-hand side jumps there, so the first steps fail
   * CVODE's error test until it has cut the step and the order (after three failures it reloads
   * its history from f at order 1 itself): the accuracy stays CVODE's error control. Not offered
   * at mode switches: at a root return CVODE has already stepped past the root with the old
   * mode (the root is interpolated), so going on without a restart would switch at the end of
   * that step, an error of up to one step that no tolerance controls (measured: energies 0.27 %
   * off at rtol 1e-7, docs/model.md N4). */
  int keep_history_at_breaks;
  /* Called with the simulated time reached (s) after every restart (every stimulus edge and
   * event), at least every 2000 CVODE steps and every 256 samples or one-step steps, so that the
   * work between two calls is bounded; may be NULL. Returning non-zero stops the run with
   * UCL_ERR_LIMIT ("stopped by the caller at t=... s"; the caller knows why). A wall-time limit
   * or a cancel flag is checked here. */
  int (*progress)(void *ctx, double t, double t_end);
  void *progress_ctx;
  /* Called with every internal step's (t, y) (CVODE then runs in one-step mode), and at every
   * event and break both before and after the mode switch or segment change, at t = 0 and at
   * the end; may be NULL. Returning non-zero stops the run with UCL_ERR_NOMEM. Networks record
   * their source neurons' trajectories with it. */
  int (*on_step)(void *ctx, double t, const double *y);
  void *on_step_ctx;
  /* Called after on_step at every accepted CVODE step of one-step mode that is not an event, a
   * break or a pause (ucl_integration_advance's t_until): a point the run can restart from as
   * it stands, so ucl_integration_save may be called on the running integration from it. May
   * be NULL. Returning non-zero stops the run with UCL_ERR_NOMEM. The relaxation keeps a
   * window's checkpoints with it (netrun.c). */
  int (*on_restart_point)(void *ctx, double t);
  void *on_restart_point_ctx;
} ucl_integrator_opts;

/* Defaults from the solver section of the parameters; no sampling. Cannot fail. */
ucl_integrator_opts ucl_integrator_opts_from_params(const ucl_solver_params *s);

/* Integrate 'sys' from t = 0 (state sys->y0, which is not modified) to t_end (s), appending
 * samples and events to 'trace' and setting its energies, statistics and reached time.
 * 'sys' is borrowed for the call; its modes and segment are changed by it.
 *
 * Returns UCL_OK, or on a failed run UCL_ERR_SOLVER (CVODE error; 'diag' carries CVODE's flag
 * name and message and the time), UCL_ERR_EVENTS (chattering), UCL_ERR_LIMIT (max_steps or
 * the trace's sample bound); the trace then holds everything up to the failure.
 * UCL_ERR_INVAL / UCL_ERR_NOMEM for bad options or memory. Never prints. Not collective. */
UCL_NODISCARD ucl_status ucl_integrate(const ucl_system *sys, const ucl_integrator_opts *opts,
                                       double t_end, ucl_trace *trace, ucl_diag *diag);

/* ---- stepping: one integration advanced in pieces, with checkpoints (networks) ----
 *
 * ucl_integrate is begin + advance(t_end) + end. A network integrated by waveform relaxation
 * (netrun.c) keeps one integration per neuron, advances each window by window (t_until is a
 * stop time of CVODE, not a restart: the solver's history carries over), and re-integrates a
 * window from a checkpoint taken at its start when the neuron's inputs changed. */
typedef struct ucl_integration ucl_integration;
typedef struct ucl_integration_ckpt ucl_integration_ckpt;

/* Start an integration of 'sys' to t_end at t = 0 into 'trace' (as ucl_integrate; 'sys', 'opts'
 * and 'trace' are borrowed until ucl_integration_end). *out is NULL only for bad arguments
 * (UCL_ERR_INVAL) or memory; otherwise it is set even when starting failed (the status says so)
 * and must be ended with ucl_integration_end. */
UCL_NODISCARD ucl_status ucl_integration_begin(const ucl_system *sys,
                                               const ucl_integrator_opts *opts, double t_end,
                                               ucl_trace *trace, ucl_integration **out,
                                               ucl_diag *diag);

/* Integrate on to t_until (s; clipped to t_end), handling events and breaks on the way (a break
 * at t_until included). The statuses are ucl_integrate's; after a failure every later call
 * returns it. */
UCL_NODISCARD ucl_status ucl_integration_advance(ucl_integration *ig, double t_until,
                                                 ucl_diag *diag);

/* As ucl_integration_advance, but t_until is not a stop of CVODE: in one-step mode (an on_step
 * hook) the integration takes its steps as its error control chooses and returns after the first
 * that reaches t_until or beyond (ucl_integration_t), so a pause costs no step; otherwise it is
 * ucl_integration_advance. The relaxation's members of cycles advance so (netrun.c). */
UCL_NODISCARD ucl_status ucl_integration_advance_past(ucl_integration *ig, double t_until,
                                                      ucl_diag *diag);

/* The time reached (s). */
double ucl_integration_t(const ucl_integration *ig);

/* Finish (the last sample and step hook, when no step failed), store the energies, statistics
 * and reached time in the trace, free the integration and set *ig to NULL. Returns the status of
 * the run (its failure, or finishing's). NULL *ig: UCL_OK. */
ucl_status ucl_integration_end(ucl_integration **ig, ucl_diag *diag);

/* A checkpoint for 'ig' (owned; free with ucl_integration_ckpt_destroy). UCL_ERR_INVAL when the
 * system has no save_modes/restore_modes (system.h) or root peaks are tracked. */
UCL_NODISCARD ucl_status ucl_integration_ckpt_create(const ucl_integration *ig,
                                                     ucl_integration_ckpt **out, ucl_diag *diag);
void ucl_integration_ckpt_destroy(ucl_integration_ckpt **ck);

/* Save the integration's position: time, state, energies, the system's modes, the event and
 * sample counts of its trace and the chattering test's window. Cannot fail. */
void ucl_integration_save(const ucl_integration *ig, ucl_integration_ckpt *ck);

/* Go back to a checkpoint of this integration: the position as saved, the trace cut back to
 * its samples and events then (solver statistics keep counting), the segment begun again at
 * the checkpoint's time and CVODE restarted there (CVodeReInit: the work of a restart). The
 * status of the restart; UCL_ERR_INVAL for a checkpoint of another system. */
UCL_NODISCARD ucl_status ucl_integration_restore(ucl_integration *ig,
                                                 const ucl_integration_ckpt *ck, ucl_diag *diag);

#endif
