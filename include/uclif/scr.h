/* scr.h — the two-transistor SCR as a device: a PNP (emitter = anode A, base = internal node N,
 * collector = gate G) and an NPN (collector = N, base = G, emitter = cathode K) with an internal
 * gate-cathode resistance R_GK and a leakage resistance R_off from A to K. Each transistor is the
 * SPICE Gummel-Poon model reduced to its transport core (docs/model.md S1-S4): currents
 *   I_cc = IS·(exp(v_be/U_T) − 1),  I_ec = IS·(exp(v_bc/U_T) − 1),
 *   I_C = I_cc − I_ec·(1 + 1/BR),   I_B = I_cc/BF + I_ec/BR,
 * charges Q_be = CJE·v_be + TF·I_cc and Q_bc = CJC·v_bc + TR·I_ec (the SPICE model with
 * NF = NR = 1, VAF = IKF = RB = RE = RC = 0, MJE = MJC = 0, XTF = 0). Both base-collector
 * junctions lie between N and G, so the device has three junctions: J1 (A-N), J2 (G-N) and J3
 * (G-K). No state, no allocation; the hybrid form's algebra lives with the circuit. */
#ifndef UCL_SCR_H
#define UCL_SCR_H

#include "uclif/devices.h"
#include "uclif/params.h"

/* A transistor's constants at one temperature. */
typedef struct ucl_bjt {
  ucl_bjt_params p;
  double ut; /* V, thermal voltage */
} ucl_bjt;

/* The two-transistor SCR at one temperature (values copied from params, already at temperature). */
typedef struct ucl_scr_tt {
  ucl_bjt pnp, npn;
  double R_GK;  /* Ohm */
  double R_off; /* Ohm */
} ucl_scr_tt;

/* Build from the parameters at thermal voltage 'ut' (V). Cannot fail: the key table's domains
 * (all values > 0 or >= 0) are what the equations need. */
void ucl_scr_tt_init(const ucl_scr_params *p, double ut, ucl_scr_tt *out);

/* The device at node voltages v = {V_A, V_N, V_G, V_K} (V). Conduction currents are the
 * currents the device draws from each node (A: out of the anode into the device, so positive
 * when it conducts; K: negative when it conducts). c[] are the incremental capacitances
 * dQ/dv of J1, J2, J3 (F, > 0 for any voltages). */
typedef struct ucl_scr_tt_state {
  double i_a;  /* A, drawn from A: PNP emitter current + leakage through R_off */
  double i_n;  /* A, drawn from N: NPN collector current − PNP base current */
  double i_g;  /* A, drawn from G: NPN base current − PNP collector current + R_GK current */
  double i_k;  /* A, drawn from K: −(NPN emitter current + R_GK current + leakage) */
  double i_ep; /* A, PNP emitter current alone (the anode current of the event levels) */
  double i_j3; /* A, NPN emitter current: the current across J3, the gate-cathode junction */
  double c[3]; /* F, J1 (A-N), J2 (G-N), J3 (G-K) */
} ucl_scr_tt_state;

void ucl_scr_tt_eval(const ucl_scr_tt *d, const double v[4], ucl_scr_tt_state *s);

/* Node voltage rates of A, N, G, K given the currents 'i_ext' = {into A, into G, into K} (A)
 * that the rest of the circuit drives into the device's nodes and the capacitance 'c_a' (F, > 0)
 * from A to ground. Solves the tridiagonal charge balance (docs/model.md S5):
 *   (c_a + C1)·A' − C1·N'            = i_ext[0] − i_a
 *   −C1·A' + (C1 + C2)·N' − C2·G'    = −i_n
 *   −C2·N' + (C2 + C3)·G' − C3·K'    = i_ext[1] − i_g
 *   −C3·G' + C3·K'                   = i_ext[2] − i_k
 * and fills 's' with the device's state. Returns 0, or non-zero when a value is not finite. */
int ucl_scr_tt_rates(const ucl_scr_tt *d, const double v[4], const double i_ext[3], double c_a,
                     double dv[4], ucl_scr_tt_state *s);

/* The same charge balance for a device state 's' already evaluated (ucl_scr_tt_eval at the same
 * node voltages): no second evaluation. */
int ucl_scr_tt_solve_rates(const ucl_scr_tt_state *s, const double i_ext[3], double c_a,
                           double dv[4]);

/* The same charge balance with the cathode held at 0 V (a grounded-cathode fixture such as the
 * curve tracer's, tracer.h): v = {V_A, V_N, V_G} (V), 'i_ext' = {into A, into G} (A), c_a (F,
 * > 0) from A to ground; the three rates of the first three rows of ucl_scr_tt_rates with K' = 0:
 *   (c_a + C1)·A' − C1·N'            = i_ext[0] − i_a
 *   −C1·A' + (C1 + C2)·N' − C2·G'    = −i_n
 *   −C2·N' + (C2 + C3)·G'            = i_ext[1] − i_g
 * Fills 's' (at V_K = 0). Returns 0, or non-zero when a value is not finite. */
int ucl_scr_tt_rates_grounded(const ucl_scr_tt *d, const double v[3], const double i_ext[2],
                              double c_a, double dv[3], ucl_scr_tt_state *s);

/* d(i_a)/dt, the rate of the anode current drawn from A (PNP emitter current plus leakage), at
 * node voltages v = {V_A, V_N, V_G, V_K} moving at rates dv (V/s). A/s. */
double ucl_scr_tt_anode_current_rate(const ucl_scr_tt *d, const double v[4], const double dv[4]);

#endif
