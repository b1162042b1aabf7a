/* devices.c — junction and MOSFET models (equations in docs/model.md). */
#include "uclif/devices.h"

#include <math.h>

#include "uclif/numeric.h"

#define UCL_K_OVER_Q 8.617333262e-5 /* V/K, Boltzmann constant / elementary charge (CODATA) */
#define JUNCTION_EXP_CAP 200.0

double ucl_thermal_voltage(double temp_K) {
  return UCL_K_OVER_Q * temp_K;
}

double ucl_junction_is_at(double Is, double n, double EG, double XTI, double T, double tnom) {
  double ratio = T / tnom; /* exactly 1 when T == tnom: both terms below are then 0 */
  double arg = (ratio - 1.0) * EG / (n * ucl_thermal_voltage(T)) + XTI / n * log(ratio);
  return Is * exp(arg);
}

double ucl_junction_current(const ucl_junction *j, double v, double *di_dv) {
  double x = v / j->nut;
  double i, d;
  if (x <= JUNCTION_EXP_CAP) {
    double e = exp(x);
    i = j->Is * (e - 1.0);
    d = j->Is * e / j->nut;
  } else {
    double e = exp(JUNCTION_EXP_CAP);
    i = j->Is * (e * (1.0 + (x - JUNCTION_EXP_CAP)) - 1.0);
    d = j->Is * e / j->nut;
  }
  if (di_dv) {
    *di_dv = d;
  }
  return i;
}

double ucl_junction_voltage(const ucl_junction *j, double i) {
  return j->nut * log1p(i / j->Is);
}

double ucl_junction_series_current(const ucl_junction *j, double R, double v, double *di_dv) {
  if (!(R > 0.0)) {
    return ucl_junction_current(j, v, di_dv);
  }
  /* u = I + Is and w = R·u/nut satisfy w + ln w = (v + Is·R)/nut + ln(Is·R/nut). */
  double a = j->nut;
  double x = (v + j->Is * R) / a + log(j->Is * R / a);
  double w = ucl_wright_omega(x);
  if (di_dv) {
    *di_dv = w / (R * (1.0 + w));
  }
  return a / R * w - j->Is;
}

/* ln(1 + e^y) and the logistic 1/(1 + e^-y) from one exp and one log1p, stable for any y. */
static double softplus_sigmoid(double y, double *sig) {
  if (y > 0.0) {
    double e = exp(-y);
    *sig = 1.0 / (1.0 + e);
    return y + log1p(e);
  }
  double e = exp(y);
  *sig = e / (1.0 + e);
  return log1p(e);
}

double ucl_mos_current(const ucl_mos *m, double vgs, double vds, double *gm, double *gds) {
  /* EKV: I = Ispec·[F(vp/ut) − F((vp − vds)/ut)], F(x) = ln²(1 + e^(x/2)), vp = (vgs − vt0)/n. */
  double vp = (vgs - m->vt0) / m->n;
  double xf = 0.5 * vp / m->ut;
  double xr = 0.5 * (vp - vds) / m->ut;
  double sf, sr;
  double lf = softplus_sigmoid(xf, &sf), lr = softplus_sigmoid(xr, &sr);
  double i = m->ispec * (lf * lf - lr * lr);
  /* dF/dx = ln(1 + e^(x/2))·σ(x/2) */
  double df = lf * sf, dr = lr * sr;
  if (gm) {
    *gm = m->ispec * (df - dr) / (m->n * m->ut);
  }
  if (gds) {
    *gds = m->ispec * dr / m->ut;
  }
  return i;
}

typedef struct vt0_ctx {
  ucl_mos m;
  double vth, ith;
} vt0_ctx;

/* Increasing in vt0: Ith − I(vth, vth; vt0). */
static int vt0_residual(void *ctx, double vt0, double *f, double *dfdx) {
  vt0_ctx *c = ctx;
  c->m.vt0 = vt0;
  double gm;
  double i = ucl_mos_current(&c->m, c->vth, c->vth, &gm, NULL);
  *f = c->ith - i;
  *dfdx = gm; /* dI/dvt0 = −gm */
  return 0;
}

ucl_status ucl_mos_init(const ucl_mos_params *p, double ut, ucl_mos *out, ucl_diag *diag) {
  vt0_ctx c;
  c.m.n = p->n;
  c.m.ut = ut;
  c.m.ispec = 2.0 * p->n * p->KP * ut * ut;
  c.m.vt0 = p->Vth;
  c.vth = p->Vth;
  c.ith = p->Ith;
  ucl_mono_result r;
  ucl_status st =
      ucl_solve_increasing(vt0_residual, &c, p->Vth - 2.0, p->Vth + 2.0, p->Vth, 1e-13, &r);
  if (st != UCL_OK) {
    return ucl_diag_set(diag, UCL_ERR_RANGE,
                        "no MOSFET threshold reproduces Vth = %g V at Ith = %g A with KP = %g",
                        p->Vth, p->Ith, p->KP);
  }
  c.m.vt0 = r.x;
  *out = c.m;
  return UCL_OK;
}
