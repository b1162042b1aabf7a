/* thermal.c — device values at the device temperature (thermal.h; docs/model.md, Temperature). */
#include "uclif/thermal.h"

#include <math.h>

#include "uclif/devices.h"

/* SPICE's resistor: R·(1 + tc1·ΔT + tc2·ΔT²). */
static double resistor_at(double R, const ucl_resistor_tc *tc, double dT) {
  return R * (1.0 + tc->tc1 * dT + tc->tc2 * dT * dT);
}

static void mos_at(ucl_mos_params *m, double ratio, double dT) {
  m->Vth = m->Vth + m->tcv * dT;
  m->KP = m->KP * pow(ratio, m->bex);
}

/* SPICE's bipolar transistor: IS with EG and XTI (NF = 1), BF and BR with XTB. */
static void bjt_at(ucl_bjt_params *b, const ucl_scr_params *s, double T, double tnom) {
  double gain = pow(T / tnom, s->XTB);
  b->IS = ucl_junction_is_at(b->IS, 1.0, s->EG, s->XTI, T, tnom);
  b->BF *= gain;
  b->BR *= gain;
}

/* A scaled value outside its domain: the first one, by name. */
static ucl_status check(const char *name, double v, int positive, ucl_diag *diag) {
  if (!isfinite(v) || (positive && !(v > 0.0))) {
    return ucl_diag_set(diag, UCL_ERR_RANGE,
                        "%s at the device temperature is %g: outside its domain (check temp, "
                        "tnom and the temperature coefficients)",
                        name, v);
  }
  return UCL_OK;
}

ucl_status ucl_circuit_at_temp(const ucl_circuit_params *in, ucl_circuit_params *out,
                               ucl_diag *diag) {
  ucl_circuit_params c = *in;
  const double T = in->temp, tnom = in->tnom;
  const double dT = T - tnom, ratio = T / tnom;
  c.tnom = T;

  c.R_in = resistor_at(c.R_in, &c.tc.R_in, dT);
  c.R1 = resistor_at(c.R1, &c.tc.R1, dT);
  c.R2 = resistor_at(c.R2, &c.tc.R2, dT);
  c.R3 = resistor_at(c.R3, &c.tc.R3, dT);
  c.R4 = resistor_at(c.R4, &c.tc.R4, dT);
  c.R5 = resistor_at(c.R5, &c.tc.R5, dT);
  c.R6 = resistor_at(c.R6, &c.tc.R6, dT);
  c.R7 = resistor_at(c.R7, &c.tc.R7, dT);

  c.D.Is = ucl_junction_is_at(c.D.Is, c.D.n, c.D.EG, c.D.XTI, T, tnom);
  c.D2.Is = ucl_junction_is_at(c.D2.Is, c.D2.n, c.D2.EG, c.D2.XTI, T, tnom);

  ucl_scr_params *s = &c.scr;
  s->Is_gk = ucl_junction_is_at(s->Is_gk, s->n_gk, s->EG_gk, s->XTI_gk, T, tnom);
  double f_gt = exp(s->tc_I_GT * dT), f_h = exp(s->tc_I_H * dT);
  s->I_GT *= f_gt;
  s->I_H *= f_h;
  s->I_L *= f_h;
  bjt_at(&s->pnp, s, T, tnom);
  bjt_at(&s->npn, s, T, tnom);

  mos_at(&c.T1, ratio, dT);
  mos_at(&c.T2, ratio, dT);
  mos_at(&c.T3, ratio, dT);

  const struct {
    const char *name;
    double v;
    int positive;
  } vals[] = {
      {"R_in", c.R_in, 1},
      {"R1", c.R1, 1},
      {"R2", c.R2, 1},
      {"R3", c.R3, 1},
      {"R4", c.R4, 1},
      {"R5", c.R5, 1},
      {"R6", c.R6, 1},
      {"R7", c.R7, 1},
      {"D.Is", c.D.Is, 1},
      {"D2.Is", c.D2.Is, 1},
      {"scr.Is_gk", s->Is_gk, 1},
      {"scr.I_GT", s->I_GT, 1},
      {"scr.I_H", s->I_H, 1},
      {"scr.I_L", s->I_L, 0},
      {"scr.pnp.IS", s->pnp.IS, 1},
      {"scr.pnp.BF", s->pnp.BF, 1},
      {"scr.pnp.BR", s->pnp.BR, 1},
      {"scr.npn.IS", s->npn.IS, 1},
      {"scr.npn.BF", s->npn.BF, 1},
      {"scr.npn.BR", s->npn.BR, 1},
      {"T1.Vth", c.T1.Vth, 1},
      {"T1.KP", c.T1.KP, 1},
      {"T2.Vth", c.T2.Vth, 1},
      {"T2.KP", c.T2.KP, 1},
      {"T3.Vth", c.T3.Vth, 1},
      {"T3.KP", c.T3.KP, 1},
  };
  for (size_t i = 0; i < sizeof(vals) / sizeof(vals[0]); i++) {
    ucl_status st = check(vals[i].name, vals[i].v, vals[i].positive, diag);
    if (st != UCL_OK) {
      return st;
    }
  }
  *out = c;
  return UCL_OK;
}
