/* circuit.c — UC neuron blocks (type I / type II) as a hybrid system. See docs/model.md for the
 * equations; the comments here name them (M1, M2, ...). */
#include "uclif/circuit.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "uclif/devices.h"
#include "uclif/noise.h"
#include "uclif/numeric.h"
#include "uclif/scr.h"
#include "uclif/stimulus.h"
#include "uclif/thermal.h"

#define SOLVE_XTOL 1e-13
#define DEFAULT_MAX_STEP 50e-6

enum {
  CH_V_IN,
  CH_V_MEM,
  CH_V_GATE,
  CH_V_CATHODE,
  CH_V_OUT,
  CH_V_CLAMP,
  CH_V_C2,
  CH_I_ANODE,
  CH_I_GATE,
  CH_I_IN,
  CH_I_VDD,
  CH_SCR_ON,
  CH_COUNT
};

static const char *const channel_names_t1[] = {"V_in_V",  "V_mem_V",   "V_gate_V", "V_cathode_V",
                                               "V_out_V", "I_anode_A", "I_gate_A", "I_in_A",
                                               "I_vdd_A", "scr_on"};
static const char *const channel_names_t2[] = {"V_in_V",   "V_mem_V",   "V_gate_V", "V_cathode_V",
                                               "V_out_V",  "V_clamp_V", "V_C2_V",   "I_anode_A",
                                               "I_gate_A", "I_in_A",    "I_vdd_A",  "scr_on"};
static const char *const channel_names_mott[] = {"V_in_V",    "V_mem_V", "V_cathode_V", "V_out_V",
                                                 "I_anode_A", "I_in_A",  "I_vdd_A",     "scr_on"};
static const char *const state_names_t1[] = {"V_mem_V"};
static const char *const state_names_t2[] = {"V_mem_V", "V_C2_V"};
static const char *const state_names_tt1[] = {"V_mem_V", "V_nbase_V", "V_gate_V", "V_cathode_V"};
static const char *const state_names_tt2[] = {"V_mem_V", "V_C2_V", "V_nbase_V", "V_gate_V",
                                              "V_cathode_V"};
static const char *const quad_names[] = {"E_in_J", "E_vdd_J", "E_syn_J"};

/* The Johnson–Nyquist sources (docs/model.md, Noise), in the order of their streams: every
 * neuron has all eight (a type I neuron's R7, a Mott soma's R1 and R2 unused), then one per
 * synapse. Each is a voltage e in series with its resistor, oriented so that the resistor's
 * current is (V_from − V_to + e)/R for the direction named. */
enum {
  NS_RIN, /* source → input node */
  NS_R1,  /* membrane → gate */
  NS_R2,  /* gate → ground */
  NS_R3,  /* cathode → ground */
  NS_R4,  /* VDD → T1 drain */
  NS_R5,  /* axon node → ground */
  NS_R6,  /* axon node → D2 (type II, loop = peak) */
  NS_R7,  /* C2 → ground (peak), axon node → C2 (series) */
  NS_COUNT
};

struct ucl_neuron {
  ucl_circuit_params c;
  ucl_stimulus stim;
  ucl_stim_piece piece;
  int type2;
  int mott;   /* a Mott switch between membrane and cathode replaces SCR, R1 and R2 */
  int scr_on; /* the soma's switch: the SCR latched, or the Mott device metallic */
  int tt;     /* two-transistor SCR: its nodes N, G, K are states y[tt_at..tt_at+2] (S5) */
  int tt_at;
  ucl_scr_tt scr_tt;
  ucl_junction j_d, j_d2, j_gk;
  ucl_mos t1, t2, t3;
  int external;          /* the stimulus source is connected (through R_in) */
  ucl_syn_input *inputs; /* synapses into this neuron (networks) */
  int n_inputs;
  double y0[5];
  ucl_system sys;
  /* noise (noise.h): NULL with noise.thermal off; e holds the sources' values at the time the
   * last entry point was called with (noise_at), so that every solve of that call sees them */
  ucl_noise *noise;
  double *e;
  ucl_noise_params np;
  double f_on, f_off; /* jitter: the factors of the next switch-on / switch-off threshold */
  long n_on, n_off;   /* switchings so far, each kind */
};

/* Source k's voltage at the time of the current call (0 without noise). */
static double nz(const ucl_neuron *n, int k) {
  return n->e ? n->e[k] : 0.0;
}

/* Evaluate the noise sources at t for the solves that follow. */
static void noise_at(const ucl_neuron *n, double t) {
  if (n->noise) {
    ucl_noise_eval(n->noise, t, n->e);
  }
}

const char *ucl_event_kind_name(int kind) {
  switch (kind) {
  case UCL_EVENT_LATCH:
    return "latch";
  case UCL_EVENT_UNLATCH:
    return "unlatch";
  default:
    return "unknown";
  }
}

/* ---- soma: SCR gate/cathode nodes (M3-M6) ---- */

/* Cathode voltage as an affine function of the gate junction current: v_k = a + b·i_g. */
static void cathode_affine(const ucl_neuron *n, int on, double v_m, double *a, double *b) {
  const ucl_circuit_params *c = &n->c;
  double e3 = nz(n, NS_R3);
  if (on) {
    double r = c->R3 + c->scr.R_T;
    *a = (c->R3 * (v_m - c->scr.V_T0) - c->scr.R_T * e3) / r;
    *b = c->R3 * c->scr.R_T / r;
  } else {
    double r = c->scr.R_off + c->R3;
    *a = (c->R3 * v_m - c->scr.R_off * e3) / r;
    *b = c->R3 * c->scr.R_off / r;
  }
}

typedef struct gate_ctx {
  const ucl_neuron *n;
  double i_src, v_f, a, b, g12; /* i_src: the Norton current of R1 and R2 into the gate */
} gate_ctx;

/* Type II gate KCL in the junction voltage v (increasing in v). */
static int gate_residual(void *vctx, double v, double *f, double *dfdv) {
  const gate_ctx *g = vctx;
  double dig;
  double ig = ucl_junction_current(&g->n->j_gk, v, &dig);
  double vg = g->a + g->b * ig + v;
  double gds;
  double it3 = ucl_mos_current(&g->n->t3, g->v_f, vg, NULL, &gds);
  *f = ig + g->g12 * vg + it3 - g->i_src;
  *dfdv = dig + (g->g12 + gds) * (g->b * dig + 1.0);
  return isfinite(*f) ? 0 : 1;
}

/* The two-transistor soma at state y (S1-S5): node voltages from the state, currents from the
 * device; 'dev' (may be NULL) receives the device's state. i_g is the current across J3, the
 * gate-cathode junction (the NPN's emitter current), as in the hybrid form. */
static int solve_soma_tt(const ucl_neuron *n, const double *y, ucl_neuron_point *pt,
                         ucl_scr_tt_state *dev) {
  double v[4] = {y[0], y[n->tt_at], y[n->tt_at + 1], y[n->tt_at + 2]};
  ucl_scr_tt_state s;
  ucl_scr_tt_eval(&n->scr_tt, v, &s);
  double v_f = n->type2 ? y[1] : 0.0;
  double it3 = n->type2 ? ucl_mos_current(&n->t3, v_f, v[2], NULL, NULL) : 0.0;
  pt->v_m = v[0];
  pt->v_g = v[2];
  pt->v_k = v[3];
  pt->i_g = s.i_j3;
  pt->i_a = s.i_a;
  pt->i_t3 = it3;
  pt->v_f = v_f;
  if (dev) {
    *dev = s;
  }
  return isfinite(s.i_a) && isfinite(pt->i_g) ? 0 : 1;
}

/* Solve the soma at state y (membrane voltage y[0], C2 voltage y[1] for type II) in mode 'on'. */
static int solve_soma(const ucl_neuron *n, int on, const double *y, ucl_neuron_point *pt) {
  const ucl_circuit_params *c = &n->c;
  if (n->tt) {
    return solve_soma_tt(n, y, pt, NULL); /* the mode is a label: the equations do not change */
  }
  double v_m = y[0], v_f = n->type2 ? y[1] : 0.0;
  if (n->mott) {
    /* MT1: the switch (R_on or R_off) in series with R3 */
    double r = on ? c->mott.R_on : c->mott.R_off;
    double e3 = nz(n, NS_R3);
    double ia = (v_m + e3) / (r + c->R3);
    pt->v_m = v_m;
    pt->v_k = c->R3 * ia - e3;
    pt->v_g = pt->i_g = pt->i_t3 = pt->v_f = 0.0;
    pt->i_a = ia;
    return isfinite(ia) ? 0 : 1;
  }
  double a, b;
  cathode_affine(n, on, v_m, &a, &b);
  double g12 = 1.0 / c->R1 + 1.0 / c->R2;
  /* Without T3 the gate is a junction in series with R_eff under V_eff (M5). */
  double r_eff = b + 1.0 / g12;
  /* with the noise of R1 and R2 (their Norton current into the gate), written so that without
   * noise every operation is the one it was before noise existed (the same bytes) */
  double i_noise = nz(n, NS_R1) / c->R1 - nz(n, NS_R2) / c->R2;
  double i_src = v_m / c->R1 + i_noise;
  double v_eff = v_m * c->R2 / (c->R1 + c->R2) + i_noise / g12 - a;
  double ig = ucl_junction_series_current(&n->j_gk, r_eff, v_eff, NULL);
  double vj = v_eff - r_eff * ig;
  double it3 = 0.0;
  if (n->type2) {
    gate_ctx g = {n, i_src, v_f, a, b, g12};
    ucl_mono_result r;
    if (ucl_solve_increasing(gate_residual, &g, vj - 1.0, vj + 1e-9, vj, SOLVE_XTOL, &r) !=
        UCL_OK) {
      return 1;
    }
    vj = r.x;
    ig = ucl_junction_current(&n->j_gk, vj, NULL);
  }
  double vk = a + b * ig;
  double vg = vk + vj;
  if (n->type2) {
    it3 = ucl_mos_current(&n->t3, v_f, vg, NULL, NULL);
  }
  double ia;
  if (on) {
    ia = (v_m - c->scr.V_T0 - c->R3 * ig + nz(n, NS_R3)) / (c->R3 + c->scr.R_T);
  } else {
    ia = (v_m - vk) / c->scr.R_off;
  }
  pt->v_m = v_m;
  pt->v_g = vg;
  pt->v_k = vk;
  pt->i_g = ig;
  pt->i_a = ia;
  pt->i_t3 = it3;
  pt->v_f = v_f;
  return isfinite(vg) && isfinite(ia) ? 0 : 1;
}

/* ---- axon: T1, R4, T2, R5, R6 (+ D2 into C2 for type II) (M7-M9) ---- */

typedef struct n1_ctx {
  const ucl_neuron *n;
  double v_k;
} n1_ctx;

static int n1_residual(void *vctx, double v, double *f, double *dfdv) {
  const n1_ctx *x = vctx;
  double gds;
  double i = ucl_mos_current(&x->n->t1, x->v_k, v, NULL, &gds);
  *f = i - (x->n->c.VDD - v + nz(x->n, NS_R4)) / x->n->c.R4;
  *dfdv = gds + 1.0 / x->n->c.R4;
  return isfinite(*f) ? 0 : 1;
}

typedef struct ax_ctx {
  const ucl_neuron *n;
  double vsg, v_f;
} ax_ctx;

/* Current drawn from the axon node into the adaptation loop (M8): type I: none (its output is
 * unloaded); type II, loop = peak: through R6 and D2 into C2 (M10a); loop = series: through R7
 * into C2, either way (M10b). *di = its derivative in v_ax (A/V). */
static double loop_current(const ucl_neuron *n, double v_ax, double v_f, double *di) {
  if (!n->type2) {
    if (di) {
      *di = 0.0;
    }
    return 0.0;
  }
  if (n->c.loop == UCL_LOOP_SERIES) {
    if (di) {
      *di = 1.0 / n->c.R7;
    }
    return (v_ax - v_f + nz(n, NS_R7)) / n->c.R7;
  }
  return ucl_junction_series_current(&n->j_d2, n->c.R6 + n->c.D2.Rs, v_ax - v_f + nz(n, NS_R6), di);
}

static int ax_residual(void *vctx, double v, double *f, double *dfdv) {
  const ax_ctx *x = vctx;
  double gds, dil;
  double i2 = ucl_mos_current(&x->n->t2, x->vsg, x->n->c.VDD - v, NULL, &gds);
  double il = loop_current(x->n, v, x->v_f, &dil);
  *f = (v + nz(x->n, NS_R5)) / x->n->c.R5 + il - i2;
  *dfdv = 1.0 / x->n->c.R5 + dil + gds;
  return isfinite(*f) ? 0 : 1;
}

static int solve_axon(const ucl_neuron *n, ucl_neuron_point *pt) {
  const ucl_circuit_params *c = &n->c;
  n1_ctx x1 = {n, pt->v_k};
  double guess = c->VDD - c->R4 * ucl_mos_current(&n->t1, pt->v_k, c->VDD, NULL, NULL);
  ucl_mono_result r;
  if (ucl_solve_increasing(n1_residual, &x1, 0.0, c->VDD, guess, SOLVE_XTOL, &r) != UCL_OK) {
    return 1;
  }
  double v_n1 = r.x;
  double vsg = c->VDD - v_n1;
  ax_ctx x2 = {n, vsg, pt->v_f};
  double lo = n->type2 ? fmin(0.0, pt->v_f) - 1.0 : 0.0;
  guess = c->R5 * ucl_mos_current(&n->t2, vsg, c->VDD, NULL, NULL);
  if (ucl_solve_increasing(ax_residual, &x2, lo, c->VDD, guess, SOLVE_XTOL, &r) != UCL_OK) {
    return 1;
  }
  double v_ax = r.x;
  double i2 = ucl_mos_current(&n->t2, vsg, c->VDD - v_ax, NULL, NULL);
  double il = loop_current(n, v_ax, pt->v_f, NULL);
  pt->v_n1 = v_n1;
  pt->v_ax = v_ax;
  pt->i_fb = il;
  /* the output is the axon node for both types; type II's node after R6 (clamped by D2 onto C2
   * with loop = peak; unloaded with loop = series) is a channel of its own */
  pt->v_out = v_ax;
  pt->v_r6 = n->type2 && n->c.loop == UCL_LOOP_PEAK ? v_ax + nz(n, NS_R6) - c->R6 * il : v_ax;
  pt->i_vdd = (c->VDD - v_n1 + nz(n, NS_R4)) / c->R4 + i2;
  return 0;
}

/* ---- input: source, R_in, D (M2); synapses in networks (N1, N2) ---- */
static void solve_input(const ucl_neuron *n, double t, double v_m, ucl_neuron_point *pt) {
  pt->v_in = n->external ? ucl_stim_piece_value(&n->piece, t) : 0.0;
  double e_in = nz(n, NS_RIN); /* R_in's noise: the source drives v_in + e_in through R_in */
  if (n->n_inputs == 0) {
    pt->i_in =
        ucl_junction_series_current(&n->j_d, n->c.R_in + n->c.D.Rs, pt->v_in + e_in - v_m, NULL);
    pt->v_d = pt->v_in + e_in - n->c.R_in * pt->i_in;
    pt->p_in = pt->v_in * pt->i_in;
    return;
  }
  /* N1: the external source (through R_in) and the synapses without a diode meet at the input
   * node, which feeds the neuron's diode D: their Thevenin equivalent drives D. */
  double g = 0.0, gv = 0.0, r_one = 0.0, v_one = 0.0;
  int n_lin = 0;
  if (n->external) {
    g += 1.0 / n->c.R_in;
    gv += (pt->v_in + e_in) / n->c.R_in;
    r_one = n->c.R_in;
    v_one = pt->v_in + e_in;
    n_lin++;
  }
  double vs[UCL_MAX_FAN_IN];
  for (int k = 0; k < n->n_inputs; k++) {
    const ucl_syn_input *s = &n->inputs[k];
    vs[k] = s->source(s->ctx, t);
    double e_k = nz(n, NS_COUNT + k);
    if (!s->diode) {
      g += 1.0 / s->R;
      gv += (vs[k] + e_k) / s->R;
      r_one = s->R;
      v_one = vs[k] + e_k;
      n_lin++;
    }
  }
  double i_d = 0.0, v_node = 0.0;
  if (n_lin > 0) {
    double r_th = n_lin == 1 ? r_one : 1.0 / g;
    double v_th = n_lin == 1 ? v_one : gv / g;
    i_d = ucl_junction_series_current(&n->j_d, r_th + n->c.D.Rs, v_th - v_m, NULL);
    v_node = v_th - r_th * i_d;
  }
  pt->i_in = i_d;
  pt->v_d = v_node;
  pt->p_in = n->external ? pt->v_in * (pt->v_in + e_in - v_node) / n->c.R_in : 0.0;
  pt->p_syn = 0.0;
  for (int k = 0; k < n->n_inputs; k++) {
    const ucl_syn_input *s = &n->inputs[k];
    double i;
    double e_k = nz(n, NS_COUNT + k);
    if (s->diode) {
      /* N2: a synapse with its own series diode feeds the membrane directly */
      i = ucl_junction_series_current(&n->j_d, s->R + n->c.D.Rs, vs[k] + e_k - v_m, NULL);
      pt->i_in += i;
    } else {
      i = (vs[k] + e_k - v_node) / s->R;
    }
    pt->p_syn += vs[k] * i;
  }
}

int ucl_neuron_solve(ucl_neuron *n, double t, const double *y, ucl_neuron_point *pt) {
  memset(pt, 0, sizeof(*pt));
  noise_at(n, t);
  solve_input(n, t, y[0], pt);
  if (solve_soma(n, n->scr_on, y, pt) != 0) {
    return 1;
  }
  return solve_axon(n, pt);
}

int ucl_neuron_output(const ucl_neuron *n, int scr_on, double t, const double *y, double v[2]) {
  ucl_neuron_point pt;
  memset(&pt, 0, sizeof(pt));
  noise_at(n, t);
  if (solve_soma(n, scr_on, y, &pt) != 0 || solve_axon(n, &pt) != 0) {
    return 1;
  }
  v[0] = pt.v_out;
  v[1] = pt.v_r6;
  return 0;
}

/* ---- system ops ---- */

static int op_rhs(void *ctx, double t, const double *y, double *ydot) {
  ucl_neuron *n = ctx;
  ucl_neuron_point pt;
  memset(&pt, 0, sizeof(pt));
  noise_at(n, t);
  solve_input(n, t, y[0], &pt);
  if (n->tt) {
    /* S5: the charge balance of the membrane and the SCR's nodes; the external circuit drives
     * i_in − i_R1 into A, the gate current i_g into G and −V_k/R3 into K. */
    ucl_scr_tt_state s;
    if (solve_soma_tt(n, y, &pt, &s) != 0) {
      return 1;
    }
    double i_r1 = (y[0] - pt.v_g + nz(n, NS_R1)) / n->c.R1;
    double i_ext[3] = {pt.i_in - i_r1, i_r1 - (pt.v_g + nz(n, NS_R2)) / n->c.R2 - pt.i_t3,
                       -(pt.v_k + nz(n, NS_R3)) / n->c.R3};
    double dv[4];
    if (ucl_scr_tt_solve_rates(&s, i_ext, n->c.C, dv) != 0) {
      return 1;
    }
    ydot[0] = dv[0];
    for (int k = 0; k < 3; k++) {
      ydot[n->tt_at + k] = dv[k + 1];
    }
  } else {
    if (solve_soma(n, n->scr_on, y, &pt) != 0) {
      return 1;
    }
    /* M1: C·dV_m/dt = i_in − i_R1 − i_A (Mott soma, MT2: i_in − i_A) */
    double i_r1 = n->mott ? 0.0 : (y[0] - pt.v_g + nz(n, NS_R1)) / n->c.R1;
    ydot[0] = (pt.i_in - i_r1 - pt.i_a) / n->c.C;
  }
  if (n->type2) {
    if (solve_axon(n, &pt) != 0) {
      return 1;
    }
    /* M10a (peak): C2·dV_f/dt = i_D2 − V_f/R7; M10b (series): C2·dV_f/dt = (V_ax − V_f)/R7 */
    double i_r7 = n->c.loop == UCL_LOOP_SERIES ? 0.0 : (y[1] + nz(n, NS_R7)) / n->c.R7;
    ydot[1] = (pt.i_fb - i_r7) / n->c.C2;
  }
  return isfinite(ydot[0]) && (!n->type2 || isfinite(ydot[1])) ? 0 : 1;
}

static int op_quad(void *ctx, double t, const double *y, double *qdot) {
  ucl_neuron *n = ctx;
  ucl_neuron_point pt;
  if (ucl_neuron_solve(n, t, y, &pt) != 0) {
    return 1;
  }
  qdot[0] = pt.p_in;             /* E1: power delivered by the input source */
  qdot[1] = n->c.VDD * pt.i_vdd; /* E2: power delivered by VDD */
  if (n->n_inputs > 0) {
    qdot[2] = pt.p_syn; /* E3: power delivered through the synapses */
  }
  return 0;
}

/* Latch function (OFF): min(i_g − I_GT, I_A,on − I_L), rising. Unlatch (ON): i_A − I_H,
 * falling (M11, M12). */
static double switch_function(const ucl_neuron *n, const ucl_neuron_point *pt) {
  const ucl_scr_params *s = &n->c.scr;
  if (n->mott) {
    /* MT3: on when the voltage across the switch rises through V_th; off when its current
     * falls through I_hold */
    return n->scr_on ? pt->i_a - n->c.mott.I_hold * n->f_off
                     : (pt->v_m - pt->v_k) - n->c.mott.V_th * n->f_on;
  }
  if (n->tt) {
    /* S6: the anode current through two levels (a hysteresis) */
    return n->scr_on ? pt->i_a - s->I_A_unlatch : pt->i_a - s->I_A_latch;
  }
  if (n->scr_on) {
    return pt->i_a - s->I_H * n->f_off;
  }
  double ia_on = (pt->v_m - s->V_T0 - n->c.R3 * pt->i_g + nz(n, NS_R3)) / (n->c.R3 + s->R_T);
  return fmin(pt->i_g - s->I_GT * n->f_on, ia_on - s->I_L * n->f_off);
}

static int op_roots(void *ctx, double t, const double *y, double *g) {
  ucl_neuron *n = ctx;
  ucl_neuron_point pt;
  noise_at(n, t);
  if (solve_soma(n, n->scr_on, y, &pt) != 0) {
    return -1;
  }
  g[0] = switch_function(n, &pt);
  return isfinite(g[0]) ? 0 : -1;
}

static void op_root_dirs(void *ctx, int *dirs) {
  const ucl_neuron *n = ctx;
  dirs[0] = n->scr_on ? -1 : 1;
}

/* Jitter (docs/model.md, Noise): after a switching, the factor of the next threshold of the same
 * kind; the k-th switch-on uses draw k of kind 0, the k-th switch-off draw k of kind 1. */
static double jitter_factor(const ucl_neuron *n, int which, long event) {
  double sigma = n->mott ? (which ? n->np.jitter_I_hold : n->np.jitter_V_th)
                         : (which ? n->np.jitter_I_H : n->np.jitter_I_GT);
  if (n->tt) {
    sigma = 0.0; /* the two-transistor SCR switches by regeneration: no thresholds to move */
  }
  return ucl_noise_jitter((uint64_t)n->np.seed, n->np.stream, n->np.unit, n->np.trial, which, event,
                          sigma);
}

static void jitter_next(ucl_neuron *n) {
  if (n->scr_on) {
    n->f_on = jitter_factor(n, 0, ++n->n_on);
  } else {
    n->f_off = jitter_factor(n, 1, ++n->n_off);
  }
}

static int op_switch_modes(void *ctx, double t, double *y, const int *fired, ucl_event *ev,
                           int cap) {
  ucl_neuron *n = ctx;
  if (cap < 1) {
    return -1;
  }
  noise_at(n, t);
  if (!fired) {
    ucl_neuron_point pt;
    if (solve_soma(n, n->scr_on, y, &pt) != 0) {
      return -1;
    }
    double g = switch_function(n, &pt);
    int due = n->scr_on ? (g < 0.0) : (g > 0.0);
    if (!due) {
      return 0;
    }
  } else if (fired[0] == 0) {
    return 0;
  }
  n->scr_on = !n->scr_on;
  jitter_next(n);
  ev[0].kind = n->scr_on ? UCL_EVENT_LATCH : UCL_EVENT_UNLATCH;
  ev[0].unit = 0;
  ev[0].v = y[0];
  return 1;
}

static void op_begin_segment(void *ctx, double t) {
  ucl_neuron *n = ctx;
  ucl_stimulus_piece(&n->stim, t, &n->piece);
}

static double op_next_break(void *ctx, double t) {
  ucl_neuron *n = ctx;
  if (!n->external) {
    return INFINITY; /* the source is disconnected: its edges are no breaks */
  }
  ucl_stim_piece pc;
  ucl_stimulus_piece(&n->stim, t, &pc);
  return pc.t1;
}

static int op_observe(void *ctx, double t, const double *y, double *out) {
  ucl_neuron *n = ctx;
  ucl_neuron_point pt;
  if (ucl_neuron_solve(n, t, y, &pt) != 0) {
    return 1;
  }
  int k = 0;
  out[k++] = pt.v_in;
  out[k++] = pt.v_m;
  if (!n->mott) {
    out[k++] = pt.v_g;
  }
  out[k++] = pt.v_k;
  out[k++] = pt.v_out;
  if (n->type2) {
    out[k++] = pt.v_r6;
    out[k++] = pt.v_f;
  }
  out[k++] = pt.i_a;
  if (!n->mott) {
    out[k++] = pt.i_g;
  }
  out[k++] = pt.i_in;
  out[k++] = pt.i_vdd;
  out[k++] = n->scr_on ? 1.0 : 0.0;
  return 0;
}

/* The modes: the switch's state and the jitter's factors and counts (exact as doubles below
 * 2^53 switchings). */
static int op_save_modes(void *ctx, double *buf) {
  const ucl_neuron *n = ctx;
  buf[0] = n->scr_on;
  buf[1] = n->f_on;
  buf[2] = n->f_off;
  buf[3] = (double)n->n_on;
  buf[4] = (double)n->n_off;
  return 5;
}

static void op_restore_modes(void *ctx, const double *buf) {
  ucl_neuron *n = ctx;
  n->scr_on = buf[0] != 0.0;
  n->f_on = buf[1];
  n->f_off = buf[2];
  n->n_on = (long)buf[3];
  n->n_off = (long)buf[4];
}

static const ucl_system_ops neuron_ops = {
    op_rhs,           op_quad,       op_roots,   op_root_dirs,  op_switch_modes,
    op_begin_segment, op_next_break, op_observe, op_save_modes, op_restore_modes};

/* (Re)build the noise sources for n_in synapses: the eight resistors of NS_*, then one per
 * synapse (docs/model.md, Noise); nothing with noise.thermal off. Caps the step at the knot
 * spacing. */
static ucl_status noise_build(ucl_neuron *n, int n_in, ucl_diag *diag) {
  ucl_noise_destroy(&n->noise);
  free(n->e);
  n->e = NULL;
  n->sys.max_step_cap = 0.0;
  if (!n->np.thermal) {
    return UCL_OK;
  }
  int cap = NS_COUNT + n_in;
  ucl_status st = ucl_noise_create(n->np.bandwidth, (uint64_t)n->np.seed, n->np.stream, n->np.unit,
                                   n->np.trial, cap, &n->noise);
  if (st != UCL_OK) {
    return ucl_diag_set(diag, st, "noise: cannot make %d sources at noise.bandwidth = %g Hz", cap,
                        n->np.bandwidth);
  }
  if (!(n->e = calloc((size_t)cap, sizeof(double)))) {
    ucl_noise_destroy(&n->noise);
    return ucl_diag_set(diag, UCL_ERR_NOMEM, "out of memory for the noise sources");
  }
  const ucl_circuit_params *c = &n->c;
  const double r[NS_COUNT] = {c->R_in, c->R1, c->R2, c->R3, c->R4, c->R5, c->R6, c->R7};
  /* source k must be resistor k: a source that could not be added would shift the rest */
  for (int k = 0; k < cap; k++) {
    double R = k < NS_COUNT ? r[k] : n->inputs[k - NS_COUNT].R;
    if (ucl_noise_add_resistor(n->noise, R, c->temp) != k) {
      ucl_noise_destroy(&n->noise);
      free(n->e);
      n->e = NULL;
      return ucl_diag_set(diag, UCL_ERR_RANGE,
                          "noise: source %d (R = %g Ohm at %g K) cannot be added", k, R, c->temp);
    }
  }
  n->sys.max_step_cap = ucl_noise_knot_spacing(n->noise);
  return UCL_OK;
}

ucl_status ucl_neuron_create(const ucl_params *p, ucl_neuron **out, ucl_diag *diag) {
  const char *bad = NULL;
  ucl_status st = ucl_params_validate(p, &bad, diag);
  if (st != UCL_OK) {
    return st;
  }
  ucl_neuron *n = calloc(1, sizeof(*n));
  if (!n) {
    return ucl_diag_set(diag, UCL_ERR_NOMEM, "out of memory creating a neuron");
  }
  st = ucl_circuit_at_temp(&p->circuit, &n->c, diag); /* device values at temp */
  if (st != UCL_OK) {
    goto fail;
  }
  n->type2 = (p->circuit.neuron == UCL_NEURON_TYPE2);
  n->mott = (p->circuit.neuron == UCL_NEURON_MOTT);
  st = ucl_stimulus_init(&p->stim, &n->stim, diag);
  if (st != UCL_OK) {
    goto fail;
  }
  double ut = ucl_thermal_voltage(n->c.temp);
  n->j_d = (ucl_junction){n->c.D.Is, n->c.D.n * ut};
  n->j_d2 = (ucl_junction){n->c.D2.Is, n->c.D2.n * ut};
  n->j_gk = (ucl_junction){n->c.scr.Is_gk, n->c.scr.n_gk * ut};
  st = ucl_mos_init(&n->c.T1, ut, &n->t1, diag);
  if (st == UCL_OK) {
    st = ucl_mos_init(&n->c.T2, ut, &n->t2, diag);
  }
  if (st == UCL_OK) {
    st = ucl_mos_init(&n->c.T3, ut, &n->t3, diag);
  }
  if (st != UCL_OK) {
    goto fail;
  }
  n->external = 1;
  n->y0[0] = n->c.V_m0;
  n->y0[1] = n->c.V_f0;
  n->scr_on = 0;
  n->tt = !n->mott && n->c.scr.model == UCL_SCR_TWO_TRANSISTOR;
  if (n->tt) {
    ucl_scr_tt_init(&n->c.scr, ut, &n->scr_tt);
    n->tt_at = n->type2 ? 2 : 1;
    /* S8, off: N at the anode (J1 unbiased), the gate at the divider's off-state value (at most
     * 0.4 V, below conduction), the cathode from R_GK and R3. */
    double rp = 1.0 / (1.0 / n->c.R2 + 1.0 / (n->c.scr.R_GK + n->c.R3));
    double vg = fmin(n->c.V_m0 * rp / (n->c.R1 + rp), 0.4);
    double vk = vg * n->c.R3 / (n->c.scr.R_GK + n->c.R3);
    double vn = n->c.V_m0;
    if (n->c.scr.start_on) {
      /* S8, conducting: every junction forward (0.65 V for J1 and J3, J2 in saturation), the
       * cathode at the rest of the anode voltage; the latch is settled as an event at t = 0 */
      vk = fmax(n->c.V_m0 - 0.75, 0.0);
      vg = vk + 0.65;
      vn = fmax(n->c.V_m0 - 0.65, vg - 0.55); /* J2 forward by at most 0.55 V (saturation) */
    }
    n->y0[n->tt_at] = vn;
    n->y0[n->tt_at + 1] = vg;
    n->y0[n->tt_at + 2] = vk;
  } else {
    n->scr_on = n->c.scr.start_on;
  }
  ucl_stimulus_piece(&n->stim, 0.0, &n->piece);
  n->sys.ops = &neuron_ops;
  n->sys.ctx = n;
  n->sys.n_states = (n->type2 ? 2 : 1) + (n->tt ? 3 : 0);
  n->sys.n_quads = 2;
  n->sys.n_roots = 1;
  n->sys.n_channels = n->type2 ? CH_COUNT : (n->mott ? CH_COUNT - 4 : CH_COUNT - 2);
  n->sys.y0 = n->y0;
  n->sys.state_names = n->tt ? (n->type2 ? state_names_tt2 : state_names_tt1)
                             : (n->type2 ? state_names_t2 : state_names_t1);
  n->sys.quad_names = quad_names;
  n->sys.channel_names =
      n->type2 ? channel_names_t2 : (n->mott ? channel_names_mott : channel_names_t1);
  n->sys.max_step_hint = DEFAULT_MAX_STEP;
  n->np = p->noise;
  n->f_on = jitter_factor(n, 0, 0);
  n->f_off = jitter_factor(n, 1, 0);
  st = noise_build(n, 0, diag);
  if (st != UCL_OK) {
    goto fail;
  }
  *out = n;
  return UCL_OK;
fail:
  free(n);
  return st;
}

ucl_status ucl_neuron_set_inputs(ucl_neuron *n, int external, const ucl_syn_input *in, int n_in,
                                 ucl_diag *diag) {
  if (n_in < 0 || n_in > UCL_MAX_FAN_IN) {
    return ucl_diag_set(diag, UCL_ERR_RANGE, "a neuron takes at most %d synapses (got %d)",
                        UCL_MAX_FAN_IN, n_in);
  }
  for (int k = 0; k < n_in; k++) {
    if (!(in[k].R > 0.0) || !isfinite(in[k].R) || !in[k].source) {
      return ucl_diag_set(diag, UCL_ERR_INVAL, "synapse %d: resistance must be > 0 (got %g Ohm)", k,
                          in[k].R);
    }
  }
  ucl_syn_input *copy = NULL;
  if (n_in > 0) {
    copy = malloc((size_t)n_in * sizeof(*copy));
    if (!copy) {
      return ucl_diag_set(diag, UCL_ERR_NOMEM, "out of memory connecting synapses");
    }
    memcpy(copy, in, (size_t)n_in * sizeof(*copy));
  }
  free(n->inputs);
  n->inputs = copy;
  n->n_inputs = n_in;
  n->external = external;
  n->sys.n_quads = n_in > 0 ? 3 : 2;
  return noise_build(n, n_in, diag);
}

void ucl_neuron_destroy(ucl_neuron **n) {
  if (n && *n) {
    free((*n)->inputs);
    ucl_noise_destroy(&(*n)->noise);
    free((*n)->e);
    free(*n);
    *n = NULL;
  }
}

ucl_status ucl_neuron_noise_constant(ucl_neuron *n, const double *e, int count) {
  if (count != NS_COUNT + n->n_inputs) {
    return UCL_ERR_INVAL;
  }
  double *copy = malloc((size_t)count * sizeof(double));
  if (!copy) {
    return UCL_ERR_NOMEM;
  }
  memcpy(copy, e, (size_t)count * sizeof(double));
  /* without a generator noise_at leaves e alone and nz reads the constants */
  ucl_noise_destroy(&n->noise);
  free(n->e);
  n->e = copy;
  n->sys.max_step_cap = 0.0;
  return UCL_OK;
}

const ucl_system *ucl_neuron_system(ucl_neuron *n) {
  return &n->sys;
}

int ucl_neuron_scr_on(const ucl_neuron *n) {
  return n->scr_on;
}
