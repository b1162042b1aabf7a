/* system.h — what the integrator needs from a model: a hybrid ODE system with discrete modes.
 * The circuit module implements it for neurons (and later networks); tests implement it for
 * analytic systems. Everything works on plain double arrays: no SUNDIALS types here.
 *
 * Contract (the CVODE rules for discontinuities):
 *  - rhs/quad/roots are smooth functions of (t, y) within a mode and a segment; they never change
 *    the mode. They return 0 on success, > 0 for a recoverable failure (CVODE retries with a
 *    smaller step; e.g. a non-finite intermediate value) and < 0 for a fatal one.
 *  - Root functions are finite and never identically zero over an interval; 'root_dirs' gives the
 *    direction (+1 rising, −1 falling, 0 both) each root is watched in for the current modes.
 *  - Modes change only in 'switch_modes', which the integrator calls at a root return (fired !=
 *    NULL: switch the units whose roots fired) or to settle the modes at the start and after a
 *    break (fired == NULL: switch the units whose switching condition already holds).
 *  - Known discontinuities in time (stimulus edges) are breaks: the integrator stops at
 *    next_break(t) and calls begin_segment(t) before restarting. */
#ifndef UCL_SYSTEM_H
#define UCL_SYSTEM_H

typedef enum ucl_event_kind { UCL_EVENT_LATCH = 0, UCL_EVENT_UNLATCH = 1 } ucl_event_kind;

/* "latch" / "unlatch". */
const char *ucl_event_kind_name(int kind);

typedef struct ucl_event {
  double t; /* s */
  int kind; /* ucl_event_kind */
  int unit; /* which neuron (0 for a single neuron) */
  double v; /* the unit's first state at the event (its membrane voltage, V) */
} ucl_event;

typedef struct ucl_system_ops {
  int (*rhs)(void *ctx, double t, const double *y, double *ydot);
  int (*quad)(void *ctx, double t, const double *y, double *qdot);
  int (*roots)(void *ctx, double t, const double *y, double *g);
  void (*root_dirs)(void *ctx, int *dirs);
  /* Switch modes; write up to 'cap' events (t filled in by the integrator) into 'ev' and return
   * how many, or < 0 on failure. May change y (a state jump). */
  int (*switch_modes)(void *ctx, double t, double *y, const int *fired, ucl_event *ev, int cap);
  void (*begin_segment)(void *ctx, double t);
  double (*next_break)(void *ctx, double t); /* > t, or INFINITY */
  /* Output channels at (t, y) for sampling; returns 0 or non-zero on failure. */
  int (*observe)(void *ctx, double t, const double *y, double *out);
  /* Optional (NULL: the system cannot be checkpointed, ucl_integration_save refuses): write the
   * discrete state that switch_modes changes (latched or not, jitter counters) into buf, at most
   * UCL_SYSTEM_MODES_MAX values, and return how many; restore_modes sets it back from the same
   * values. The segment is not part of it: the integrator calls begin_segment after a restore. */
  int (*save_modes)(void *ctx, double *buf);
  void (*restore_modes)(void *ctx, const double *buf);
} ucl_system_ops;

#define UCL_SYSTEM_MODES_MAX 8

typedef struct ucl_system {
  const ucl_system_ops *ops;
  void *ctx;
  int n_states, n_quads, n_roots, n_channels;
  const double *y0;                 /* initial state, n_states values */
  const char *const *state_names;   /* n_states */
  const char *const *quad_names;    /* n_quads, with units: "E_in_J" */
  const char *const *channel_names; /* n_channels, with units: "V_mem_V" */
  double max_step_hint;             /* s, 0 = none; the solver's max_step replaces it */
  double max_step_cap;              /* s, 0 = none; a bound no setting lifts (noise knots) */
  /* Where the Jacobian d rhs_i / d y_j may be non-zero, in compressed sparse column form: column
   * j's rows are jac_rows[jac_cols[j]] ... jac_rows[jac_cols[j + 1] - 1], ascending, each in
   * [0, n_states). Both NULL: not given (the integrator's sparse option then refuses the
   * system). Borrowed: they outlive every integration of the system. */
  const int *jac_cols; /* n_states + 1 */
  const int *jac_rows; /* jac_cols[n_states] */
} ucl_system;

#endif
