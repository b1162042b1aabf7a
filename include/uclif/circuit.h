/* circuit.h — the UC neuron as a hybrid ODE system (system.h): type I (Fig. 1b) and type II
 * (Fig. 3) blocks with their input circuit (source, R_in, D) and axon stage (T1, T2, R4-R6, VDD).
 * States are capacitor voltages (V_m; V_f across C2 for type II); resistive nodes are solved
 * inside the right-hand side; the SCR mode (off/on) is the discrete state. Equations and every
 * modelling choice: docs/model.md. */
#ifndef UCL_CIRCUIT_H
#define UCL_CIRCUIT_H

#include "uclif/params.h"
#include "uclif/status.h"
#include "uclif/system.h"

typedef struct ucl_neuron ucl_neuron; /* opaque */

/* Build a neuron from p->circuit and p->stim (copied: p is not retained). On failure *out is
 * untouched and 'diag' says why. Not collective. */
UCL_NODISCARD ucl_status ucl_neuron_create(const ucl_params *p, ucl_neuron **out, ucl_diag *diag);

/* Release *n and set it to NULL. Accepts NULL. */
void ucl_neuron_destroy(ucl_neuron **n);

/* The system view of 'n' for the integrator (owned by n, valid while n lives). */
const ucl_system *ucl_neuron_system(ucl_neuron *n);

/* Current SCR mode: 0 off, 1 on. */
int ucl_neuron_scr_on(const ucl_neuron *n);

/* The operating point of every node at (t, y) in the current mode and segment. */
typedef struct ucl_neuron_point {
  double v_in;  /* V, source */
  double i_in;  /* A, through R_in and D into the membrane */
  double v_m;   /* V, membrane (SCR anode) */
  double v_g;   /* V, SCR gate */
  double v_k;   /* V, SCR cathode (V_R3) */
  double i_g;   /* A, gate-cathode junction current */
  double i_a;   /* A, anode current (leakage when off) */
  double i_t3;  /* A, T3 drain current (type II) */
  double v_n1;  /* V, T1 drain / T2 gate */
  double v_ax;  /* V, T2 drain */
  double v_out; /* V, output */
  double v_f;   /* V, C2 (type II) */
  double i_d2;  /* A, through R6 and D2 into C2 (type II) */
  double i_vdd; /* A, drawn from VDD */
} ucl_neuron_point;

/* Solve all nodes at (t, y); returns non-zero if a node solve fails. */
int ucl_neuron_solve(ucl_neuron *n, double t, const double *y, ucl_neuron_point *pt);

#endif
