/* extract.c — DC solves of the two-transistor SCR in the curve tracer's test circuit and the
 * extraction of its parameters from datasheet quantities (docs/model.md S7).
 *
 * Nested monotone solves (no multidimensional Newton): on the off-branch the gate voltage V_G
 * is the parameter; for a J1 voltage x the anode voltage solves the anode node (the device
 * current grows with V_A), and x solves the internal node N (the PNP base current grows with
 * x). On the on-branch the J2 voltage s = V_G − V_N is the parameter; for a V_G, x solves node N
 * and V_G solves the gate node on its upper (regenerative) root. */
#include "uclif/extract.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "uclif/devices.h"
#include "uclif/numeric.h"
#include "uclif/scr.h"

#define FD_STEP 1e-7   /* V, finite-difference step of the nested derivatives */
#define SCAN_STEP 5e-3 /* V, scan of the branch parameter before refining a fold */
#define GOLDEN 0.6180339887498949
#define IS_DECADES 3.0 /* pnp.IS stays within this many decades of npn.IS */

typedef struct dc {
  ucl_scr_tt d;
  double V_D, R_L, G; /* test circuit: supply, load, external gate-cathode conductance */
  /* the current nested solve */
  double vg, vn, x;
  double vg_hint; /* V, the last on-branch root (a start above it), NAN: none */
  int fail;
} dc;

static void dc_init(dc *c, const ucl_scr_params *scr, double temp_K, const ucl_tracer_circuit *tc) {
  memset(c, 0, sizeof(*c));
  ucl_scr_tt_init(scr, ucl_thermal_voltage(temp_K), &c->d);
  if (tc) {
    c->V_D = tc->V_D;
    c->R_L = tc->R_L;
    c->G = (tc->R_GK > 0.0 && isfinite(tc->R_GK)) ? 1.0 / tc->R_GK : 0.0;
  }
  c->vg_hint = NAN;
}

static void dc_eval(const dc *c, double va, double vn, double vg, ucl_scr_tt_state *s) {
  const double v[4] = {va, vn, vg, 0.0};
  ucl_scr_tt_eval(&c->d, v, s);
}

/* Solve an increasing function with a central-difference slope. */
typedef double (*scalar_fn)(dc *c, double x);
typedef struct fd_ctx {
  dc *c;
  scalar_fn f;
} fd_ctx;

static int fd_residual(void *vctx, double x, double *f, double *dfdx) {
  fd_ctx *k = vctx;
  *f = k->f(k->c, x);
  double fp = k->f(k->c, x + FD_STEP), fm = k->f(k->c, x - FD_STEP);
  *dfdx = (fp - fm) / (2.0 * FD_STEP);
  if (!(*dfdx > 0.0)) {
    *dfdx = 1e-300; /* flat or rounding: the bisection safeguard takes over */
  }
  return isfinite(*f) ? 0 : 1;
}

static int solve_inc(dc *c, scalar_fn f, double lo, double hi, double x0, double *out) {
  fd_ctx k = {c, f};
  ucl_mono_result r;
  if (ucl_solve_increasing(fd_residual, &k, lo, hi, x0, 1e-13, &r) != UCL_OK) {
    c->fail = 1;
    return 1;
  }
  *out = r.x;
  return 0;
}

/* ---- off-branch (gate voltage c->vg given) ---- */

/* Anode node for J1 voltage c->x: device current minus load current, increasing in V_A. */
static double anode_res(dc *c, double va) {
  ucl_scr_tt_state s;
  dc_eval(c, va, va - c->x, c->vg, &s);
  return s.i_a - (c->V_D - va) / c->R_L;
}

static double off_anode(dc *c, double x) {
  c->x = x;
  double va = c->V_D;
  if (solve_inc(c, anode_res, -1.0, c->V_D + 1.0, c->V_D, &va) != 0) {
    return NAN;
  }
  return va;
}

/* Node N as a function of x: −i_n, increasing. */
static double off_node_n(dc *c, double x) {
  double va = off_anode(c, x);
  ucl_scr_tt_state s;
  dc_eval(c, va, va - x, c->vg, &s);
  return -s.i_n;
}

/* The gate current the source must drive at gate voltage vg on the off-branch. */
static double off_gate_current(dc *c, double vg, double *i_a) {
  c->vg = vg;
  double x = 0.0;
  if (solve_inc(c, off_node_n, -1.0, 1.5, 0.3, &x) != 0) {
    return NAN;
  }
  double va = off_anode(c, x);
  ucl_scr_tt_state s;
  dc_eval(c, va, va - x, vg, &s);
  if (i_a) {
    *i_a = s.i_a;
  }
  return s.i_g + vg * c->G;
}

/* ---- on-branch (J2 voltage s given, no gate current) ---- */

static double on_node_n(dc *c, double x) {
  ucl_scr_tt_state s;
  dc_eval(c, c->vn + x, c->vn, c->vg, &s);
  return -s.i_n;
}

/* Gate node residual at gate voltage vg for J2 voltage s (c->x set to node N's solution):
 * −(i_g + vg·G), i.e. what the PNP collector brings minus what the gate drains. */
static double on_gate_res(dc *c, double vg, double s) {
  c->vg = vg;
  c->vn = vg - s;
  double x = 0.0;
  if (solve_inc(c, on_node_n, -1.0, 2.0, 0.6, &x) != 0) {
    return NAN;
  }
  c->x = x;
  ucl_scr_tt_state st;
  dc_eval(c, c->vn + x, c->vn, vg, &st);
  return -(st.i_g + vg * c->G);
}

/* The on-branch point at J2 voltage s: *v_a (V) and *i_a (A). The gate residual is convex and
 * increasing above its minimum (the exponential NPN current overtakes the linear R_GK current),
 * so Newton's method started above the upper root converges to it from the right without
 * crossing it; a step that lands below the root (or where node N has no solution) is replaced
 * by bisection. Returns 0, or 1 when there is no regenerative root. */
static int on_point(dc *c, double s, double *v_a, double *i_a) {
  double hi = isnan(c->vg_hint) ? 2.5 : fmin(c->vg_hint + 0.05, 2.5), lo = NAN;
  c->fail = 0;
  double f = on_gate_res(c, hi, s);
  while (!(f > 0.0) && hi < 2.5) { /* the start must lie above the root */
    hi = fmin(hi + 0.25, 2.5);
    c->fail = 0;
    f = on_gate_res(c, hi, s);
  }
  if (!(f > 0.0)) {
    return 1;
  }
  for (int k = 0; k < 300; k++) {
    double fp = on_gate_res(c, hi + FD_STEP, s), fm = on_gate_res(c, hi - FD_STEP, s);
    double slope = (fp - fm) / (2.0 * FD_STEP);
    double next = slope > 0.0 ? hi - f / slope : NAN;
    if (!isnan(lo) && !(next > lo && next < hi)) {
      next = 0.5 * (lo + hi);
    }
    if (!isfinite(next) || next < hi - 0.5) {
      next = hi - 0.5; /* far from the root: a bounded step */
    }
    c->fail = 0;
    double fn = on_gate_res(c, next, s);
    if (isnan(fn) || fn < 0.0) {
      lo = next;
    } else {
      double step = hi - next;
      hi = next;
      f = fn;
      if (step < 1e-14 * hi || fn == 0.0) {
        break;
      }
    }
    if (!isnan(lo) && hi - lo < 1e-14 * hi) {
      break;
    }
    if (isnan(lo) && next < 0.0) {
      return 1; /* no negative residual anywhere: no regenerative root */
    }
  }
  c->fail = 0;
  (void)on_gate_res(c, hi, s);
  ucl_scr_tt_state st;
  dc_eval(c, c->vn + c->x, c->vn, c->vg, &st);
  *v_a = c->vn + c->x;
  *i_a = st.i_a;
  if (!c->fail) {
    c->vg_hint = hi;
  }
  return c->fail;
}

/* ---- folds ---- */

/* The first local extremum of y(p) over a scan of p from p0 to p1 (sign = +1: maximum, −1:
 * minimum), refined by golden section; *p_out, *y_out. */
typedef double (*branch_fn)(dc *c, double p);

static int first_extremum(dc *c, branch_fn y, double p0, double p1, double step, double sign,
                          double *p_out, double *y_out) {
  double prev2 = NAN, prev = NAN;
  int n = (int)((p1 - p0) / step);
  for (int k = 0; k <= n; k++) {
    double p = p0 + step * k;
    double v = sign * y(c, p);
    c->fail = 0;
    if (isnan(v)) {
      prev2 = prev = NAN;
      continue;
    }
    if (!isnan(prev2) && prev > prev2 && prev >= v) {
      double a = p - 2.0 * step, b = p;
      double x1 = b - GOLDEN * (b - a), x2 = a + GOLDEN * (b - a);
      double f1 = sign * y(c, x1), f2 = sign * y(c, x2);
      for (int i = 0; i < 100 && b - a > 1e-12; i++) {
        if (f1 > f2) {
          b = x2;
          x2 = x1;
          f2 = f1;
          x1 = b - GOLDEN * (b - a);
          f1 = sign * y(c, x1);
        } else {
          a = x1;
          x1 = x2;
          f1 = f2;
          x2 = a + GOLDEN * (b - a);
          f2 = sign * y(c, x2);
        }
      }
      *p_out = 0.5 * (a + b);
      *y_out = sign * y(c, *p_out);
      return isnan(*y_out) ? 1 : 0;
    }
    prev2 = prev;
    prev = v;
  }
  return 1;
}

static double trigger_branch(dc *c, double vg) {
  return off_gate_current(c, vg, NULL);
}

static double holding_branch(dc *c, double s) {
  double va, ia;
  c->fail = 0;
  if (on_point(c, s, &va, &ia) != 0) {
    return NAN;
  }
  return va + c->R_L * ia; /* the supply that holds this point */
}

ucl_status ucl_extract_dc_trigger(const ucl_scr_params *scr, double temp_K,
                                  const ucl_tracer_circuit *tc, double *I_GT, ucl_diag *diag) {
  dc c;
  dc_init(&c, scr, temp_K, tc);
  double vg, ig;
  if (first_extremum(&c, trigger_branch, 0.05, 1.2, SCAN_STEP, 1.0, &vg, &ig) != 0) {
    return ucl_diag_set(diag, UCL_ERR_SOLVER,
                        "no end of the off-branch (gate trigger) found for V_G in 0.05-1.2 V");
  }
  *I_GT = ig;
  return UCL_OK;
}

ucl_status ucl_extract_dc_holding(const ucl_scr_params *scr, double temp_K,
                                  const ucl_tracer_circuit *tc, double *I_H, ucl_diag *diag) {
  dc c;
  dc_init(&c, scr, temp_K, tc);
  double s, vd;
  if (first_extremum(&c, holding_branch, -0.3, 0.8, 4.0 * SCAN_STEP, -1.0, &s, &vd) != 0) {
    return ucl_diag_set(diag, UCL_ERR_SOLVER,
                        "no end of the on-branch (holding point) found for V_J2 in -0.3-0.8 V");
  }
  double va, ia;
  c.fail = 0;
  if (on_point(&c, s, &va, &ia) != 0) {
    return ucl_diag_set(diag, UCL_ERR_SOLVER, "on-branch solve failed at the holding point");
  }
  *I_H = ia;
  return UCL_OK;
}

typedef struct on_current_ctx {
  dc *c;
  double ln_i;
} on_current_ctx;

static int on_current_res(void *vctx, double s, double *f, double *dfdx) {
  on_current_ctx *k = vctx;
  double va, ia, va2, ia2;
  k->c->fail = 0;
  if (on_point(k->c, s, &va, &ia) != 0 || on_point(k->c, s + 1e-6, &va2, &ia2) != 0 ||
      !(ia > 0.0) || !(ia2 > 0.0)) {
    return 1;
  }
  *f = log(ia) - k->ln_i;
  *dfdx = (log(ia2) - log(ia)) / 1e-6;
  if (!(*dfdx > 0.0)) {
    *dfdx = 1e-300;
  }
  return 0;
}

ucl_status ucl_extract_dc_on_voltage(const ucl_scr_params *scr, double temp_K, double i_a,
                                     double *V_AK, ucl_diag *diag) {
  dc c;
  ucl_tracer_circuit open = {0.0, 1.0, INFINITY};
  dc_init(&c, scr, temp_K, &open);
  on_current_ctx k = {&c, log(i_a)};
  ucl_mono_result r;
  if (!(i_a > 0.0) ||
      ucl_solve_increasing(on_current_res, &k, 0.3, 0.9, 0.5, 1e-12, &r) != UCL_OK) {
    return ucl_diag_set(diag, UCL_ERR_SOLVER, "no on-state point carries %g A", i_a);
  }
  double va, ia;
  c.fail = 0;
  if (on_point(&c, r.x, &va, &ia) != 0) {
    return ucl_diag_set(diag, UCL_ERR_SOLVER, "on-state solve failed at %g A", i_a);
  }
  *V_AK = va;
  return UCL_OK;
}

/* ---- extraction ---- */

void ucl_extract_input_default(ucl_extract_input *in) {
  ucl_tracer_opts o;
  ucl_tracer_opts_default(&o);
  memset(in, 0, sizeof(*in));
  in->gt = o.gt;
  in->h = o.h;
}

static double parallel_g(const ucl_tracer_circuit *tc) {
  return (tc->R_GK > 0.0 && isfinite(tc->R_GK)) ? 1.0 / tc->R_GK : 0.0;
}

/* Model I_GT and I_H at (R_GK, pnp.BF) = exp(u). */
static ucl_status model_pair(ucl_scr_params *scr, double temp, const ucl_extract_input *in,
                             const double u[2], double out[2], ucl_diag *diag) {
  scr->R_GK = exp(u[0]);
  scr->pnp.BF = exp(u[1]);
  ucl_status st = ucl_extract_dc_trigger(scr, temp, &in->gt, &out[0], diag);
  if (st == UCL_OK) {
    st = ucl_extract_dc_holding(scr, temp, &in->h, &out[1], diag);
  }
  return st;
}

/* Newton on (ln R_GK, ln BF_p) against (ln I_GT, ln I_H), forward-difference Jacobian, steps
 * halved when a trial point cannot be solved or does not reduce the residual. */
static ucl_status fit_gt_h(ucl_scr_params *scr, double temp, const ucl_extract_input *in,
                           int *iters, ucl_diag *diag) {
  double u[2] = {log(scr->R_GK), log(scr->pnp.BF)};
  const double target[2] = {log(in->I_GT), log(in->I_H)};
  double m[2];
  ucl_status st = model_pair(scr, temp, in, u, m, diag);
  if (st != UCL_OK) {
    return st;
  }
  double F[2] = {log(m[0]) - target[0], log(m[1]) - target[1]};
  for (int it = 0; it < 50; it++) {
    if (fabs(F[0]) < 1e-8 && fabs(F[1]) < 1e-8) {
      scr->R_GK = exp(u[0]);
      scr->pnp.BF = exp(u[1]);
      return UCL_OK;
    }
    (*iters)++;
    double J[2][2];
    for (int j = 0; j < 2; j++) {
      double up[2] = {u[0], u[1]}, mp[2];
      up[j] += 1e-5;
      st = model_pair(scr, temp, in, up, mp, diag);
      if (st != UCL_OK) {
        return st;
      }
      J[0][j] = (log(mp[0]) - target[0] - F[0]) / 1e-5;
      J[1][j] = (log(mp[1]) - target[1] - F[1]) / 1e-5;
    }
    double det = J[0][0] * J[1][1] - J[0][1] * J[1][0];
    if (!(fabs(det) > 0.0) || !isfinite(det)) {
      break;
    }
    double du[2] = {-(J[1][1] * F[0] - J[0][1] * F[1]) / det,
                    -(-J[1][0] * F[0] + J[0][0] * F[1]) / det};
    double big = fmax(fabs(du[0]), fabs(du[1]));
    double lam = big > 0.5 ? 0.5 / big : 1.0;
    double norm = fmax(fabs(F[0]), fabs(F[1]));
    int moved = 0;
    for (int h = 0; h < 30 && !moved; h++, lam *= 0.5) {
      double un[2] = {u[0] + lam * du[0], u[1] + lam * du[1]}, mn[2];
      ucl_diag dd = {{0}};
      if (model_pair(scr, temp, in, un, mn, &dd) != UCL_OK) {
        continue;
      }
      double Fn[2] = {log(mn[0]) - target[0], log(mn[1]) - target[1]};
      if (fmax(fabs(Fn[0]), fabs(Fn[1])) < norm) {
        u[0] = un[0];
        u[1] = un[1];
        F[0] = Fn[0];
        F[1] = Fn[1];
        moved = 1;
      }
    }
    if (!moved) {
      break;
    }
  }
  scr->R_GK = exp(u[0]);
  scr->pnp.BF = exp(u[1]);
  if (fabs(F[0]) < 1e-6 && fabs(F[1]) < 1e-6) {
    return UCL_OK;
  }
  return ucl_diag_set(diag, UCL_ERR_RANGE,
                      "I_GT, I_H: no two-transistor parameters reproduce them (closest: R_GK = "
                      "%g Ohm, pnp.BF = %g give I_GT %+.2g %%, I_H %+.2g %%)",
                      scr->R_GK, scr->pnp.BF, 100.0 * expm1(F[0]), 100.0 * expm1(F[1]));
}

/* pnp.IS from V_TM at I_TM: the on-state voltage falls as the saturation current grows; a
 * bisection in log(IS) within IS_DECADES of npn.IS, clamped at the ends with a warning. */
static ucl_status fit_vtm(ucl_scr_params *scr, double temp, const ucl_extract_input *in,
                          ucl_extract_result *out, ucl_diag *diag) {
  double lo = log(scr->npn.IS) - IS_DECADES * log(10.0);
  double hi = log(scr->npn.IS) + IS_DECADES * log(10.0);
  double v_lo, v_hi;
  scr->pnp.IS = exp(lo);
  ucl_status st = ucl_extract_dc_on_voltage(scr, temp, in->I_TM, &v_lo, diag);
  if (st == UCL_OK) {
    scr->pnp.IS = exp(hi);
    st = ucl_extract_dc_on_voltage(scr, temp, in->I_TM, &v_hi, diag);
  }
  if (st != UCL_OK) {
    return st;
  }
  if (!(in->V_TM < v_lo && in->V_TM > v_hi)) {
    int high = in->V_TM >= v_lo;
    scr->pnp.IS = exp(high ? lo : hi);
    out->is_clamped = 1;
    out->V_TM_V = high ? v_lo : v_hi;
    snprintf(out->warning, sizeof(out->warning),
             "V_TM = %g V at %g A cannot be met: the model has no series resistance (a real "
             "part's V_TM at high current is mostly ohmic), and pnp.IS would leave %g-%g A; "
             "kept pnp.IS = %g A, which gives V_TM = %.4g V",
             in->V_TM, in->I_TM, exp(lo), exp(hi), scr->pnp.IS, out->V_TM_V);
    return UCL_OK;
  }
  for (int k = 0; k < 60 && hi - lo > 1e-7; k++) {
    double mid = 0.5 * (lo + hi), v;
    scr->pnp.IS = exp(mid);
    st = ucl_extract_dc_on_voltage(scr, temp, in->I_TM, &v, diag);
    if (st != UCL_OK) {
      return st;
    }
    if (v > in->V_TM) {
      lo = mid;
    } else {
      hi = mid;
    }
  }
  scr->pnp.IS = exp(0.5 * (lo + hi));
  out->is_clamped = 0;
  out->warning[0] = '\0'; /* an earlier pass's clamp no longer holds */
  return ucl_extract_dc_on_voltage(scr, temp, in->I_TM, &out->V_TM_V, diag);
}

static ucl_status check_input(const ucl_extract_input *in, ucl_diag *diag) {
  const struct {
    const char *name;
    double v;
    int optional;
  } q[] = {{"I_GT", in->I_GT, 0}, {"I_H", in->I_H, 0},     {"V_TM", in->V_TM, 1},
           {"I_TM", in->I_TM, 1}, {"I_DRM", in->I_DRM, 1}, {"V_DRM", in->V_DRM, 1}};
  for (size_t k = 0; k < sizeof(q) / sizeof(q[0]); k++) {
    if (!(q[k].v > 0.0 || (q[k].optional && q[k].v == 0.0)) || !isfinite(q[k].v)) {
      return ucl_diag_set(diag, UCL_ERR_INVAL, "%s must be > 0 (got %g)", q[k].name, q[k].v);
    }
  }
  if ((in->V_TM > 0.0) != (in->I_TM > 0.0)) {
    return ucl_diag_set(diag, UCL_ERR_INVAL, "%s: V_TM and I_TM go together",
                        in->V_TM > 0.0 ? "I_TM" : "V_TM");
  }
  if ((in->I_DRM > 0.0) != (in->V_DRM > 0.0)) {
    return ucl_diag_set(diag, UCL_ERR_INVAL, "%s: I_DRM and V_DRM go together",
                        in->I_DRM > 0.0 ? "V_DRM" : "I_DRM");
  }
  const ucl_tracer_circuit *c[2] = {&in->gt, &in->h};
  for (int k = 0; k < 2; k++) {
    if (!(c[k]->R_L > 0.0) || !isfinite(c[k]->R_L) || !(c[k]->R_GK >= 0.0) ||
        !(c[k]->V_D > 0.0 || k == 1)) {
      return ucl_diag_set(diag, UCL_ERR_INVAL,
                          "%s test circuit: R_L must be > 0, R_GK >= 0 (0 or inf = open)%s",
                          k == 0 ? "I_GT" : "I_H", k == 0 ? ", V_D > 0" : "");
    }
  }
  return UCL_OK;
}

ucl_status ucl_extract_scr(const ucl_params *base, const ucl_extract_input *in,
                           ucl_extract_result *out, ucl_diag *diag) {
  ucl_status st = check_input(in, diag);
  if (st != UCL_OK) {
    return st;
  }
  ucl_extract_result r;
  memset(&r, 0, sizeof(r));
  r.V_TM_V = NAN;
  r.scr = base->circuit.scr;
  r.scr.model = UCL_SCR_TWO_TRANSISTOR;
  /* The datasheet's quantities belong to the temperature at which every value is given (tnom;
   * docs/model.md, Temperature): the extracted parameters are values at tnom. */
  double temp = base->circuit.tnom;
  double ut = ucl_thermal_voltage(temp);
  const ucl_bjt_params *n = &r.scr.npn;

  /* Starting point from the forward-active algebra (docs/model.md S7): I_GT = (V* − U_T)/R_gt
   * with V* = U_T·ln(U_T/(R_gt·k·IS_n)), k = BF_p − 1/BF_n; I_H = (BF_p + 1)·V_H/(R_h·k) with
   * V_H = U_T·ln(I_H/IS_n); R_gt, R_h the internal R_GK in parallel with each test's own. */
  double k = 0.1, r_gt = 0.5 / in->I_GT;
  for (int i = 0; i < 20; i++) {
    double vstar = ut * log(ut / (r_gt * k * n->IS));
    r_gt = (vstar - ut) / in->I_GT;
  }
  double g_int = 1.0 / r_gt - parallel_g(&in->gt);
  if (!(r_gt > 0.0) || !(g_int > 0.0)) {
    return ucl_diag_set(diag, UCL_ERR_RANGE,
                        "I_GT = %g A is below what the I_GT test circuit's own R_GK draws at the "
                        "trigger point: no internal R_GK reproduces it",
                        in->I_GT);
  }
  double r_h = 1.0 / (g_int + parallel_g(&in->h));
  double v_h = ut * log(in->I_H / n->IS);
  double m = in->I_H * r_h / v_h;
  if (!(m > 1.0)) {
    return ucl_diag_set(diag, UCL_ERR_RANGE,
                        "I_H = %g A is below V_GK/R_GK = %.3g A, the current the gate-cathode "
                        "resistance (internal %.3g Ohm with the test's own) draws at the holding "
                        "point: the two-transistor model holds only above it",
                        in->I_H, v_h / r_h, 1.0 / g_int);
  }
  r.scr.R_GK = 1.0 / g_int;
  r.scr.pnp.BF = (1.0 + m / n->BF) / (m - 1.0);
  if (in->I_DRM > 0.0) {
    /* first: the leakage is part of the anode current at the holding point. The transport
     * model's own off-state current (~IS) is far below any datasheet I_DRM. */
    r.scr.R_off = in->V_DRM / in->I_DRM;
  }

  st = fit_gt_h(&r.scr, temp, in, &r.iterations, diag);
  if (st == UCL_OK && in->V_TM > 0.0) {
    /* I_H depends a little on pnp.IS (the saturated branch near the fold): alternate */
    for (int pass = 0; pass < 4 && st == UCL_OK; pass++) {
      double is_before = r.scr.pnp.IS;
      st = fit_vtm(&r.scr, temp, in, &r, diag);
      if (st == UCL_OK) {
        st = fit_gt_h(&r.scr, temp, in, &r.iterations, diag);
      }
      if (fabs(log(r.scr.pnp.IS / is_before)) < 1e-6) {
        break;
      }
    }
    if (st == UCL_OK) { /* the V_TM of the final parameters (the last pass moved BF_p) */
      st = ucl_extract_dc_on_voltage(&r.scr, temp, in->I_TM, &r.V_TM_V, diag);
    }
  }
  if (st == UCL_OK) {
    st = ucl_extract_dc_trigger(&r.scr, temp, &in->gt, &r.I_GT_A, diag);
  }
  if (st == UCL_OK) {
    st = ucl_extract_dc_holding(&r.scr, temp, &in->h, &r.I_H_A, diag);
  }
  if (st != UCL_OK) {
    return st;
  }
  /* S6's event levels scaled with the gate-open holding current (what the SCR in the neuron,
   * its gate shunted only by R2, nearly sees), as the defaults are to 0.2 mA: the latch level
   * 2·I_H,open (above any pre-latch current), the unlatch level I_H,open/4 */
  ucl_tracer_circuit open = in->h;
  open.R_GK = 0.0;
  double i_h_open = NAN;
  st = ucl_extract_dc_holding(&r.scr, temp, &open, &i_h_open, diag);
  if (st != UCL_OK) {
    return st;
  }
  r.scr.I_A_latch = 2.0 * i_h_open;
  r.scr.I_A_unlatch = 0.25 * i_h_open;
  *out = r;
  return UCL_OK;
}
