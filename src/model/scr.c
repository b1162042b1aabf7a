/* scr.c — the two-transistor SCR (equations in docs/model.md S1-S5). */
#include "uclif/scr.h"

#include <math.h>

void ucl_scr_tt_init(const ucl_scr_params *p, double ut, ucl_scr_tt *out) {
  out->pnp = (ucl_bjt){p->pnp, ut};
  out->npn = (ucl_bjt){p->npn, ut};
  out->R_GK = p->R_GK;
  out->R_off = p->R_off;
}

/* Transport currents and their slopes: I_cc(v_be) and I_ec(v_bc), by the junction model of
 * devices.h (so that a solver's trial point can not overflow). */
typedef struct bjt_out {
  double ic, ib;   /* A, into the collector, into the base (NPN sense) */
  double cbe, cbc; /* F, dQ_be/dv_be, dQ_bc/dv_bc */
} bjt_out;

static void bjt_eval(const ucl_bjt *q, double vbe, double vbc, bjt_out *o) {
  ucl_junction j = {q->p.IS, q->ut};
  double gcc, gec;
  double icc = ucl_junction_current(&j, vbe, &gcc);
  double iec = ucl_junction_current(&j, vbc, &gec);
  o->ic = icc - iec * (1.0 + 1.0 / q->p.BR);
  o->ib = icc / q->p.BF + iec / q->p.BR;
  o->cbe = q->p.CJE + q->p.TF * gcc;
  o->cbc = q->p.CJC + q->p.TR * gec;
}

void ucl_scr_tt_eval(const ucl_scr_tt *d, const double v[4], ucl_scr_tt_state *s) {
  double va = v[0], vn = v[1], vg = v[2], vk = v[3];
  bjt_out p, n;
  /* PNP in the NPN sense with every voltage and current reversed: v_eb = V_A − V_N,
   * v_cb = V_G − V_N; its collector current flows out of the collector into G. */
  bjt_eval(&d->pnp, va - vn, vg - vn, &p);
  bjt_eval(&d->npn, vg - vk, vg - vn, &n);
  double i_ep = p.ic + p.ib; /* PNP emitter current, out of A */
  double i_rgk = (vg - vk) / d->R_GK;
  double i_off = (va - vk) / d->R_off;
  s->i_ep = i_ep;
  s->i_j3 = n.ic + n.ib;
  s->i_a = i_ep + i_off;
  s->i_n = n.ic - p.ib;
  s->i_g = n.ib - p.ic + i_rgk;
  s->i_k = -(n.ic + n.ib + i_rgk + i_off);
  s->c[0] = p.cbe;
  s->c[1] = p.cbc + n.cbc;
  s->c[2] = n.cbe;
}

/* The charge balance of S5 over the first n nodes of A, N, G, K (n = 4, or 3 with K held at
 * 0 V): a symmetric positive definite tridiagonal system (a capacitance matrix with c_a to
 * ground), solved by the Thomas algorithm without pivoting. r holds the right-hand sides and is
 * overwritten; non-zero when a rate is not finite. */
static int charge_balance(const ucl_scr_tt_state *s, double c_a, int n, double *r, double *dv) {
  const double c1 = s->c[0], c2 = s->c[1], c3 = s->c[2];
  double b[4] = {c_a + c1, c1 + c2, c2 + c3, c3};
  const double up[3] = {-c1, -c2, -c3}; /* super- and sub-diagonal */
  for (int k = 1; k < n; k++) {
    double m = up[k - 1] / b[k - 1];
    b[k] -= m * up[k - 1];
    r[k] -= m * r[k - 1];
  }
  dv[n - 1] = r[n - 1] / b[n - 1];
  for (int k = n - 2; k >= 0; k--) {
    dv[k] = (r[k] - up[k] * dv[k + 1]) / b[k];
  }
  for (int k = 0; k < n; k++) {
    if (!isfinite(dv[k])) {
      return 1;
    }
  }
  return 0;
}

int ucl_scr_tt_solve_rates(const ucl_scr_tt_state *s, const double i_ext[3], double c_a,
                           double dv[4]) {
  double r[4] = {i_ext[0] - s->i_a, -s->i_n, i_ext[1] - s->i_g, i_ext[2] - s->i_k};
  return charge_balance(s, c_a, 4, r, dv);
}

int ucl_scr_tt_rates(const ucl_scr_tt *d, const double v[4], const double i_ext[3], double c_a,
                     double dv[4], ucl_scr_tt_state *s) {
  ucl_scr_tt_eval(d, v, s);
  return ucl_scr_tt_solve_rates(s, i_ext, c_a, dv);
}

int ucl_scr_tt_rates_grounded(const ucl_scr_tt *d, const double v[3], const double i_ext[2],
                              double c_a, double dv[3], ucl_scr_tt_state *s) {
  const double v4[4] = {v[0], v[1], v[2], 0.0};
  ucl_scr_tt_eval(d, v4, s);
  double r[3] = {i_ext[0] - s->i_a, -s->i_n, i_ext[1] - s->i_g};
  return charge_balance(s, c_a, 3, r, dv);
}

double ucl_scr_tt_anode_current_rate(const ucl_scr_tt *d, const double v[4], const double dv[4]) {
  /* i_ep = I_cc·(1 + 1/BF) − I_ec of the PNP (v_eb = V_A − V_N, v_cb = V_G − V_N), plus
   * (V_A − V_K)/R_off */
  ucl_junction j = {d->pnp.p.IS, d->pnp.ut};
  double gcc, gec;
  (void)ucl_junction_current(&j, v[0] - v[1], &gcc);
  (void)ucl_junction_current(&j, v[2] - v[1], &gec);
  return (1.0 + 1.0 / d->pnp.p.BF) * gcc * (dv[0] - dv[1]) - gec * (dv[2] - dv[1]) +
         (dv[0] - dv[3]) / d->R_off;
}
