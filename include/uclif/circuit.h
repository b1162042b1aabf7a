/* circuit.h — the UC neuron as a hybrid ODE system (system.h): type I (Fig. 1b) and type II
 * (Fig. 3) blocks with their input circuit (source, R_in, D) and axon stage (T1, T2, R4-R6, VDD).
 * States are capacitor voltages (V_m; V_f across C2 for type II), then, with the two-transistor
 * SCR (scr.model), its nodes N, G, K (docs/model.md S5); resistive nodes are solved inside the
 * right-hand side; the SCR mode (off/on) is the discrete state (with the two-transistor SCR a
 * label only: its equations do not change). Equations and every modelling choice:
 * docs/model.md. */
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

/* Synaptic inputs (networks, docs/model.md N1-N2): a synapse is a resistor R from a source
 * voltage (another neuron's output) into this neuron's input node, or, with 'diode' set, a
 * resistor and its own diode (the neuron's D model) straight into the membrane. */
#define UCL_MAX_FAN_IN 4096

typedef struct ucl_syn_input {
  double R;  /* Ohm */
  int diode; /* 1: series diode into the membrane; 0: into the shared input node */
  double (*source)(void *ctx, double t); /* source voltage at t (V) */
  void *ctx;
} ucl_syn_input;

/* Connect the inputs of 'n': 'external' says whether its stimulus source (through R_in) is
 * connected; 'in' (n_in of them, copied) are its synapses. With synapses the neuron has a third
 * energy integral, E_syn_J (power delivered through them). UCL_ERR_RANGE beyond UCL_MAX_FAN_IN,
 * UCL_ERR_INVAL for a resistance that is not > 0. */
UCL_NODISCARD ucl_status ucl_neuron_set_inputs(ucl_neuron *n, int external, const ucl_syn_input *in,
                                               int n_in, ucl_diag *diag);

/* The output voltage v[0] (T2's drain, the axon node 'ax', for both types) and the node after R6,
 * v[1] (type II: clamped by D2 onto C2 with loop = peak; otherwise equal to v[0]), for state y
 * at time t in SCR mode 'scr_on' (the soma and axon only: the output does not depend on the
 * input; t matters only with noise on). With noise on it evaluates the neuron's noise sources
 * (their cache and values live in *n): not for concurrent calls on one neuron. Returns non-zero
 * if a node solve fails. */
int ucl_neuron_output(const ucl_neuron *n, int scr_on, double t, const double *y, double v[2]);

/* Current SCR mode: 0 off, 1 on. */
int ucl_neuron_scr_on(const ucl_neuron *n);

/* The operating point of every node at (t, y) in the current mode and segment. */
typedef struct ucl_neuron_point {
  double v_in;  /* V, source */
  double i_in;  /* A, through R_in and D into the membrane */
  double v_d;   /* V, the input node: D's anode, after R_in and the synapses without a diode */
  double v_m;   /* V, membrane (SCR anode) */
  double v_g;   /* V, SCR gate */
  double v_k;   /* V, SCR cathode (V_R3) */
  double i_g;   /* A, gate-cathode junction current */
  double i_a;   /* A, anode current (leakage when off) */
  double i_t3;  /* A, T3 drain current (type II) */
  double v_n1;  /* V, T1 drain / T2 gate */
  double v_ax;  /* V, T2 drain */
  double v_out; /* V, output: the axon node (= v_ax, both types) */
  double v_r6;  /* V, type II: the node after R6 (loop = peak: clamped by D2 onto C2) */
  double v_f;   /* V, C2 (type II) */
  double i_fb;  /* A, from the axon node into the adaptation loop (type II; M10a/M10b) */
  double i_vdd; /* A, drawn from VDD */
  double p_in;  /* W, delivered by the external source */
  double p_syn; /* W, delivered through the synapses */
} ucl_neuron_point;

/* Solve all nodes at (t, y); returns non-zero if a node solve fails. */
int ucl_neuron_solve(ucl_neuron *n, double t, const double *y, ucl_neuron_point *pt);

/* FOR TESTS ONLY (tests/unit/test_noise.c checks Kirchhoff's laws with it): replace the thermal
 * noise sources of 'n' by the constant voltages e[0 .. count − 1] (V), numbered as the sources
 * are (docs/model.md, Noise: R_in, R1 … R7, then the synapses in order), each in series with its
 * resistor so that the resistor's current is (V_from − V_to + e)/R. count must be 8 + the
 * synapse count; noise.thermal may be off. The random sources are dropped (jitter is untouched);
 * ucl_neuron_set_inputs rebuilds them, so call this after it. The run-time path is the one noise
 * already takes (the sources' values are read from the same array, no new branch).
 * UCL_ERR_INVAL (count wrong), UCL_ERR_NOMEM. */
UCL_NODISCARD ucl_status ucl_neuron_noise_constant(ucl_neuron *n, const double *e, int count);

#endif
