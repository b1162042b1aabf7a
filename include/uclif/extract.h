/* extract.h — the two-transistor SCR's parameters from datasheet-style quantities (docs/model.md
 * S7): I_GT and I_H, each in its stated test circuit (tracer.h: supply, load, external R_GK),
 * the on-state voltage V_TM at a current I_TM, and the off-state leakage I_DRM at V_DRM. The
 * internal gate-cathode resistance scr.R_GK and the PNP gain scr.pnp.BF come from I_GT and I_H,
 * the PNP saturation current scr.pnp.IS from V_TM, scr.R_off from the leakage; every other
 * parameter keeps its value. The device is solved at DC in the curve tracer's test circuit
 * (folds of its characteristic, so no time integration): what the curve tracer measures
 * (tracer.h) with slow ramps. Not collective; no I/O. */
#ifndef UCL_EXTRACT_H
#define UCL_EXTRACT_H

#include "uclif/params.h"
#include "uclif/status.h"
#include "uclif/tracer.h"

typedef struct ucl_extract_input {
  double I_GT;           /* A, > 0, gate trigger current ... */
  ucl_tracer_circuit gt; /* ... in this test circuit (V_D, R_L, external R_GK) */
  double I_H;            /* A, > 0, holding current ... */
  ucl_tracer_circuit h;  /* ... in this one (R_L and R_GK matter; V_D does not) */
  double V_TM, I_TM;     /* V at A: on-state voltage (gate open); 0 = not given */
  double I_DRM, V_DRM;   /* A at V: off-state leakage (gate open); 0 = not given */
} ucl_extract_input;

/* Test circuits of the curve tracer's defaults (ucl_tracer_opts_default), no quantities. */
void ucl_extract_input_default(ucl_extract_input *in);

typedef struct ucl_extract_result {
  ucl_scr_params scr; /* the base's SCR with model = two_transistor and the extracted values */
  double I_GT_A;      /* A, the result's I_GT at DC in the I_GT test circuit */
  double I_H_A;       /* A, its I_H at DC in the I_H test circuit */
  double V_TM_V;      /* V, its on-state voltage at I_TM (NAN when V_TM was not given) */
  int is_clamped;     /* 1: V_TM needs a saturation current out of range; see 'warning' */
  int iterations;     /* Newton iterations in all */
  char warning[512];  /* empty, or what could not be met and what was done instead */
} ucl_extract_result;

/* Extract from 'in' with the other parameters of base->circuit (its SCR's NPN, transit times,
 * capacitances, event levels; temp). On success *out is filled; a V_TM that cannot be met is a
 * warning in out, not an error. UCL_ERR_INVAL for a quantity that is not > 0 or a bad test
 * circuit, UCL_ERR_RANGE when no two-transistor parameters reproduce I_GT and I_H (for example
 * an I_H below the current the gate-cathode resistance draws at V_GK); 'diag' names the
 * quantity ("I_H", "I_GT", ...) and says why. */
UCL_NODISCARD ucl_status ucl_extract_scr(const ucl_params *base, const ucl_extract_input *in,
                                         ucl_extract_result *out, ucl_diag *diag);

/* DC solves of the two-transistor SCR of 'scr' at temperature temp_K (K) in test circuit c: the
 * gate trigger current (the largest gate current of the off-branch, where it ends), the holding
 * current (the anode current where the on-branch ends as the supply falls: the smallest supply
 * that holds it) and the on-state voltage at anode current i_a (gate open). UCL_ERR_SOLVER when
 * a solve fails or the branch has no such point. */
UCL_NODISCARD ucl_status ucl_extract_dc_trigger(const ucl_scr_params *scr, double temp_K,
                                                const ucl_tracer_circuit *c, double *I_GT,
                                                ucl_diag *diag);
UCL_NODISCARD ucl_status ucl_extract_dc_holding(const ucl_scr_params *scr, double temp_K,
                                                const ucl_tracer_circuit *c, double *I_H,
                                                ucl_diag *diag);
UCL_NODISCARD ucl_status ucl_extract_dc_on_voltage(const ucl_scr_params *scr, double temp_K,
                                                   double i_a, double *V_AK, ucl_diag *diag);

#endif
