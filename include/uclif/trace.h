/* trace.h — what one simulation produced: sampled waveforms (optional, bounded), the event log
 * (latch/unlatch with exact times), the energy integrals and the solver statistics. */
#ifndef UCL_TRACE_H
#define UCL_TRACE_H

#include <stddef.h>

#include "uclif/status.h"
#include "uclif/system.h"

/* Names of the channels the measure layer looks up (ucl_trace_channel_index): the circuit's
 * channel names, and columns of waveform.csv (ucl_sim_waveform_table uses these macros). */
#define UCL_TRACE_V_MEM "V_mem_V"   /* membrane voltage, V */
#define UCL_TRACE_V_GATE "V_gate_V" /* SCR gate voltage, V (not for the Mott neuron) */
#define UCL_TRACE_I_GATE "I_gate_A" /* SCR gate-cathode junction current, A (not for Mott) */
#define UCL_TRACE_SCR_ON "scr_on"   /* the soma's switch, 1 on, 0 off */

typedef struct ucl_solver_stats {
  long steps;          /* CVODE internal steps */
  long rhs_evals;      /* right-hand side evaluations (incl. finite-difference Jacobians) */
  long quad_evals;     /* quadrature right-hand side evaluations */
  long jac_evals;      /* Jacobian evaluations */
  long lin_setups;     /* linear solver setups */
  long err_test_fails; /* local error test failures */
  long nonlin_iters;   /* Newton iterations */
  long nonlin_fails;   /* Newton convergence failures */
  long root_evals;     /* root function evaluations */
  long reinits;        /* restarts at breaks and events */
  long breaks;         /* stimulus discontinuities crossed */
} ucl_solver_stats;

/* a += b, counter by counter. */
void ucl_solver_stats_add(ucl_solver_stats *a, const ucl_solver_stats *b);

typedef struct ucl_trace ucl_trace; /* opaque */

/* Create an empty trace for samples of 'n_channels' channels named 'names' (borrowed: static
 * storage or longer-lived than the trace). At most 'max_samples' rows are kept (0 = no samples
 * at all); one more gives UCL_ERR_LIMIT. */
UCL_NODISCARD ucl_status ucl_trace_create(int n_channels, const char *const *names,
                                          size_t max_samples, ucl_trace **out, ucl_diag *diag);

/* Release *tr and set it to NULL. Accepts NULL. */
void ucl_trace_destroy(ucl_trace **tr);

/* Append a sample row: time t (s) and n_channels values. */
UCL_NODISCARD ucl_status ucl_trace_add_sample(ucl_trace *tr, double t, const double *values);

/* Append an event. */
UCL_NODISCARD ucl_status ucl_trace_add_event(ucl_trace *tr, const ucl_event *ev);

/* Drop samples, events, energies and statistics (keeps the channel layout and capacity). */
void ucl_trace_reset(ucl_trace *tr);

/* Keep only the first n_samples samples and n_events events (counts above the current ones
 * change nothing). */
void ucl_trace_truncate(ucl_trace *tr, size_t n_samples, size_t n_events);

int ucl_trace_n_channels(const ucl_trace *tr);
const char *ucl_trace_channel_name(const ucl_trace *tr, int k);
/* Index of the channel called 'name', or -1. */
int ucl_trace_channel_index(const ucl_trace *tr, const char *name);
size_t ucl_trace_n_samples(const ucl_trace *tr);
/* Row i: t followed by the channel values (n_channels + 1 doubles). */
const double *ucl_trace_sample(const ucl_trace *tr, size_t i);
size_t ucl_trace_n_events(const ucl_trace *tr);
const ucl_event *ucl_trace_event(const ucl_trace *tr, size_t i);

/* Energy integrals (J), set by the integrator; values are copied, names are borrowed. */
UCL_NODISCARD ucl_status ucl_trace_set_quads(ucl_trace *tr, int n, const char *const *names,
                                             const double *values);
int ucl_trace_n_quads(const ucl_trace *tr);
const char *ucl_trace_quad_name(const ucl_trace *tr, int k);
double ucl_trace_quad(const ucl_trace *tr, int k);

/* Root peaks (integrator option track_root_peaks): for each root function watched rising, the
 * largest value it had at the stimulus breaks and at the end of the run (−INFINITY if never
 * evaluated). For a neuron that never latched this is the latch margin: how far the gate
 * current stayed below triggering (negative, A). Copied from 'values'. */
UCL_NODISCARD ucl_status ucl_trace_set_root_peaks(ucl_trace *tr, int n, const double *values);
int ucl_trace_n_root_peaks(const ucl_trace *tr);
double ucl_trace_root_peak(const ucl_trace *tr, int k);

/* Solver statistics and the time the run reached (s). */
ucl_solver_stats *ucl_trace_stats(ucl_trace *tr);
const ucl_solver_stats *ucl_trace_stats_const(const ucl_trace *tr);
void ucl_trace_set_t_reached(ucl_trace *tr, double t);
double ucl_trace_t_reached(const ucl_trace *tr);

#endif
