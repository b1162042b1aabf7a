/* devices.h — pure device models: junction diodes (Shockley, with or without series resistance)
 * and MOSFETs with subthreshold conduction (EKV interpolation). The SCR is a hybrid device whose
 * algebra lives with the circuit (circuit.h, docs/model.md); its gate-cathode junction is a diode
 * from here. No state, no allocation; every function is safe for any finite input. */
#ifndef UCL_DEVICES_H
#define UCL_DEVICES_H

#include "uclif/params.h"
#include "uclif/status.h"

/* Thermal voltage kT/q in volts at temperature 'temp_K'. */
double ucl_thermal_voltage(double temp_K);

/* Saturation current at temperature T (K) of a junction whose saturation current is Is (A) at
 * tnom (K), with emission coefficient n, activation energy EG (eV) and temperature exponent XTI,
 * as SPICE's diode scales it (ngspice diotemp.c):
 *   Is(T) = Is·(T/tnom)^(XTI/n)·exp((T/tnom − 1)·EG/(n·U_T(T))).
 * A bipolar transistor's IS is the same with n = 1. Returns Is exactly when T == tnom. Pure;
 * T, tnom, n > 0. */
double ucl_junction_is_at(double Is, double n, double EG, double XTI, double T, double tnom);

/* A junction: I = Is·(exp(v/nut) − 1), nut = n·U_T. */
typedef struct ucl_junction {
  double Is;  /* A */
  double nut; /* V */
} ucl_junction;

/* Junction current at junction voltage v, and dI/dv (either pointer may be NULL). The exponent
 * is capped at 200 (beyond that the value grows linearly) so that a solver's trial point can not
 * overflow; physical operating points are far below the cap. */
double ucl_junction_current(const ucl_junction *j, double v, double *di_dv);

/* Junction voltage that carries current i (> −Is). */
double ucl_junction_voltage(const ucl_junction *j, double i);

/* Current through a junction in series with resistance R >= 0 under total voltage v, and dI/dv.
 * Closed form through the Wright omega function when R > 0. */
double ucl_junction_series_current(const ucl_junction *j, double R, double v, double *di_dv);

/* EKV MOSFET, source and bulk tied (discrete device): derived constants. */
typedef struct ucl_mos {
  double ispec; /* A, specific current 2·n·KP·U_T² */
  double vt0;   /* V, EKV threshold derived from the datasheet (Vth, Ith) pair */
  double n;     /* slope factor */
  double ut;    /* V, thermal voltage */
} ucl_mos;

/* Build the model from datasheet-style parameters at thermal voltage 'ut'. Fails (UCL_ERR_RANGE)
 * when no V_T0 reproduces (Vth, Ith). */
UCL_NODISCARD ucl_status ucl_mos_init(const ucl_mos_params *p, double ut, ucl_mos *out,
                                      ucl_diag *diag);

/* Drain current for gate-source voltage vgs and drain-source voltage vds (magnitudes for a
 * p-channel device), with gm = dI/dvgs and gds = dI/dvds (either may be NULL). Increasing in
 * both vgs and vds; odd in vds about 0 at fixed gate-source and gate-drain symmetry. */
double ucl_mos_current(const ucl_mos *m, double vgs, double vds, double *gm, double *gds);

#endif
