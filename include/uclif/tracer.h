/* tracer.h — a simulated curve tracer: the SCR alone in a datasheet's test circuit (anode supply
 * V_D through R_L, a gate current source I_G(t), an optional external resistor R_GK from gate to
 * cathode, cathode grounded, a small anode capacitance C_A) integrated as a hybrid system, and
 * the three bench measurements made on it: gate trigger current I_GT (a slow gate current ramp),
 * holding current I_H (a latched device, the supply ramped down) and latching current I_L (a
 * gate pulse, bisection over the supply). Works on either SCR form (params.h scr.model).
 * Definitions, rates and defaults: docs/model.md "Curve tracer" and docs/features.md. Not
 * collective; no I/O. */
#ifndef UCL_TRACER_H
#define UCL_TRACER_H

#include "uclif/params.h"
#include "uclif/status.h"
#include "uclif/trace.h"

/* A test circuit. */
typedef struct ucl_tracer_circuit {
  double V_D;  /* V, anode supply (I_H: the start of its ramp; I_L: unused, bisected) */
  double R_L;  /* Ohm, > 0, anode load resistor */
  double R_GK; /* Ohm, external gate-cathode resistor; INFINITY (or 0) = open */
} ucl_tracer_circuit;

typedef struct ucl_tracer_opts {
  ucl_tracer_circuit gt; /* I_GT test: 6 V, 100 Ohm, open (the CR02AM datasheet's I_GT test) */
  double gt_ramp;        /* A/s, gate current ramp (1e-3 A/s = 1 uA/ms) */
  double gt_max;         /* A, end of the ramp: no latch below it is status no_latch (1 mA) */
  ucl_tracer_circuit h;  /* I_H test: 12 V, 10 kOhm, open */
  double h_ramp;         /* V/s, supply ramp-down (10 V/s: 1 uA/ms through 10 kOhm) */
  ucl_tracer_circuit l;  /* I_L test: R_L 10 kOhm, open; V_D bisected in [l_lo, l_hi] */
  double l_lo, l_hi;     /* V, bisection bracket of the supply (1 V, 60 V) */
  double l_tol;          /* relative width of the final bracket (1e-3) */
  double l_hold;         /* s, observation after the gate pulse (2 ms) */
  double pulse_amp;      /* A, gate pulse that latches the device (I_H, I_L): 1 mA */
  double pulse_width;    /* s, its width: 10 us */
  double C_A;            /* F, anode capacitance of the fixture (100 pF) */
  double rtol;           /* relative tolerance of the runs (1e-6) */
  double atol;           /* V, absolute tolerance (1e-9) */
  /* May be NULL (the default): the integrator's progress callback for every run (see
   * ucl_integrator_opts); returning non-zero stops the run with UCL_ERR_LIMIT. */
  int (*progress)(void *ctx, double t, double t_end);
  void *progress_ctx;
} ucl_tracer_opts;

/* The defaults above. Cannot fail. */
void ucl_tracer_opts_default(ucl_tracer_opts *o);

typedef enum ucl_tracer_status {
  UCL_TRACER_OK = 0,
  UCL_TRACER_NO_LATCH = 1,    /* the device never latched (ramp end, gate pulse, top of bracket) */
  UCL_TRACER_NO_UNLATCH = 2,  /* I_H: still on at the end of the supply ramp */
  UCL_TRACER_ON_AT_LOWER = 3, /* I_L: stays on at the bottom of the bracket */
  UCL_TRACER_FAILED = 4,      /* a simulation failed (see the reason) */
  UCL_TRACER_SKIPPED = 5      /* not asked for, or no SCR (the Mott neuron) */
} ucl_tracer_status;

/* "ok", "no_latch", "no_unlatch", "on_at_lower_bound", "failed", "skipped". */
const char *ucl_tracer_status_name(int s);

typedef struct ucl_tracer_result {
  double I_GT_A; /* A, gate current at the latch event of the gate ramp; NAN unless ok */
  double I_H_A;  /* A, smallest anode current of the on-branch (docs/features.md); NAN unless ok */
  double I_L_A;  /* A, smallest steady anode current that stays on after the gate pulse */
  int gt_status, h_status, l_status; /* ucl_tracer_status */
  ucl_status status;                 /* first failed simulation, or UCL_OK */
  char reason[256];                  /* why, when status != UCL_OK */
  long sims;
  ucl_solver_stats stats; /* summed over the runs */
} ucl_tracer_result;

/* Nothing measured: every value NAN, every status skipped. */
void ucl_tracer_result_empty(ucl_tracer_result *r);

/* Measure I_GT, I_H and I_L of the SCR of p->circuit.scr (its form, at p->circuit.temp) with the
 * test circuits of 'o'. A measurement that cannot be made is a status in *out, and a failed
 * simulation also sets out->status and out->reason; the return value is UCL_OK unless the
 * arguments are bad (UCL_ERR_INVAL: a test circuit or rate that is not > 0; 'diag' names it) or
 * a device value leaves its domain at p's temperature (UCL_ERR_RANGE, from ucl_circuit_at_temp).
 * The Mott neuron has no SCR: everything skipped. */
UCL_NODISCARD ucl_status ucl_tracer_measure(const ucl_params *p, const ucl_tracer_opts *o,
                                            ucl_tracer_result *out, ucl_diag *diag);

/* The three measurements one at a time (same contract; only the one field and status set; 'out'
 * must have been set up by ucl_tracer_result_empty: they add to its statistics). */
UCL_NODISCARD ucl_status ucl_tracer_gate_trigger(const ucl_params *p, const ucl_tracer_opts *o,
                                                 ucl_tracer_result *out, ucl_diag *diag);
UCL_NODISCARD ucl_status ucl_tracer_holding(const ucl_params *p, const ucl_tracer_opts *o,
                                            ucl_tracer_result *out, ucl_diag *diag);
UCL_NODISCARD ucl_status ucl_tracer_latching(const ucl_params *p, const ucl_tracer_opts *o,
                                             ucl_tracer_result *out, ucl_diag *diag);

#endif
