/* netlist.c — ngspice netlists of uclif configurations (netlist.h). */
#include "uclif/netlist.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "uclif/circuit.h"
#include "uclif/devices.h"
#include "uclif/stimulus.h"
#include "uclif/thermal.h"

#define MAX_PWL 100000

/* EKV drain current as a B-source: ispec·(sp(xf)² − sp(xr)²), sp = stable softplus. */
static void mos_bsource(FILE *f, const char *name, const char *drain, const char *source,
                        const char *vgs, const char *vds, const ucl_mos *m) {
  fprintf(
      f,
      "%s %s %s I = %.10g*(sp(((%s)-(%.10g))/%.10g/(2*%.10g))*sp(((%s)-(%.10g))/%.10g/(2*%.10g))"
      " - sp((((%s)-(%.10g))/%.10g-(%s))/(2*%.10g))*sp((((%s)-(%.10g))/%.10g-(%s))/(2*%.10g)))\n",
      name, drain, source, m->ispec, vgs, m->vt0, m->n, m->ut, vgs, m->vt0, m->n, m->ut, vgs,
      m->vt0, m->n, vds, m->ut, vgs, m->vt0, m->n, vds, m->ut);
}

/* SPICE sources need edges of non-zero length: an ideal (0 s) edge is written as EDGE_S. */
#define EDGE_S 1e-9

/* The pulse train ngspice is given for pulses and staircases: 0 s edges become EDGE_S (or less,
 * see below) as in `simulate --set rise=1n --set fall=1n`. Where the added edges do not fit in
 * the period (rise + width + fall = period, e.g. width = period with ideal edges), they are
 * taken from the flat top, which keeps at least half its width; so a pulse always fits in its
 * period, its edges are > 0 and its width > 0. 's' is a validated configuration. */
static ucl_stimulus_params spice_pulses(const ucl_stimulus_params *s) {
  ucl_stimulus_params q = *s;
  int nz = (s->rise > 0.0 ? 0 : 1) + (s->fall > 0.0 ? 0 : 1);
  double slack = fmax(s->period - s->rise - s->width - s->fall, 0.0);
  if (nz > 0) {
    double e = fmin(EDGE_S, (slack + s->width / 2.0) / nz);
    q.rise = s->rise > 0.0 ? s->rise : e;
    q.fall = s->fall > 0.0 ? s->fall : e;
  }
  if (q.rise + q.width + q.fall > q.period) {
    q.width = q.period - q.rise - q.fall;
    for (int i = 0; i < 4 && q.rise + q.width + q.fall > q.period; i++) {
      q.width = nextafter(q.width, 0.0); /* the sum rounded up: settle below the period */
    }
  }
  return q;
}

/* A PWL source written corner by corner: times strictly increasing as printed (what ngspice
 * reads), corners that print at the same time as the last one merged when their values agree
 * (rounding of break times), refused otherwise. */
typedef struct pwl_writer {
  FILE *f;
  long n;      /* corners written */
  double t, v; /* the last corner as printed */
} pwl_writer;

static ucl_status pwl_corner(pwl_writer *w, double t, double v, ucl_diag *diag) {
  char buf[64];
  snprintf(buf, sizeof buf, "%.15g", t);
  double tp = strtod(buf, NULL);
  if (w->n > 0 && !(tp > w->t)) {
    if (fabs(v - w->v) <= 1e-12 * fmax(1.0, fabs(v))) {
      return UCL_OK;
    }
    return ucl_diag_set(diag, UCL_ERR_RANGE,
                        "the stimulus has two corners at %s s that a SPICE PWL source cannot "
                        "tell apart",
                        buf);
  }
  if (++w->n > MAX_PWL) {
    return ucl_diag_set(diag, UCL_ERR_RANGE,
                        "the stimulus has more than %d corners by t = %g s, more than a SPICE "
                        "PWL source is written with: shorten duration",
                        MAX_PWL, t);
  }
  if (w->f) {
    fprintf(w->f, "%s%s %.15g", w->n == 1 ? "Vin in 0 PWL(" : "\n+ ", buf, v);
  }
  w->t = tp;
  w->v = v;
  return UCL_OK;
}

/* The step: a jump at 'start' (and back at start + width) written as a ramp of EDGE_S, or of
 * half the width when that is shorter; a step at 0 starts at its amplitude, as in uclif. */
static ucl_status write_step(pwl_writer *w, const ucl_stimulus_params *s, ucl_diag *diag) {
  double e = s->width > 0.0 ? fmin(EDGE_S, s->width / 2.0) : EDGE_S;
  ucl_status st = UCL_OK;
  if (s->start > 0.0) {
    st = pwl_corner(w, 0.0, 0.0, diag);
    if (st == UCL_OK) {
      st = pwl_corner(w, s->start, 0.0, diag);
    }
    if (st == UCL_OK) {
      st = pwl_corner(w, s->start + e, s->amplitude, diag);
    }
  } else {
    st = pwl_corner(w, 0.0, s->amplitude, diag);
  }
  if (st == UCL_OK && s->width > 0.0) {
    st = pwl_corner(w, s->start + s->width, s->amplitude, diag);
    if (st == UCL_OK) {
      st = pwl_corner(w, s->start + s->width + e, 0.0, diag);
    }
  }
  return st;
}

/* Write the source Vin to 'f'; with 'f' NULL only check that it can be written (its PWL
 * corners). */
static ucl_status write_source(FILE *f, const ucl_stimulus_params *s, ucl_diag *diag) {
  ucl_status rc = UCL_OK;
  pwl_writer w = {f, 0, 0.0, 0.0};
  ucl_stimulus_params q = *s;
  if (s->kind == UCL_STIM_PULSES || s->kind == UCL_STIM_STAIRCASE) {
    q = spice_pulses(s);
  }
  switch ((ucl_stim_kind)s->kind) {
  case UCL_STIM_REPLAY:
    return ucl_diag_set(diag, UCL_ERR_INVAL,
                        "a replayed recording cannot be exported as a netlist");
  case UCL_STIM_DC:
    if (f) {
      fprintf(f, "Vin in 0 DC %.10g\n", s->amplitude);
    }
    return UCL_OK;
  case UCL_STIM_STEP:
    rc = write_step(&w, s, diag);
    goto done;
  case UCL_STIM_PULSES:
    if (s->burst_on <= 0.0) {
      if (f) {
        fprintf(f, "Vin in 0 PULSE(0 %.10g %.15g %.15g %.15g %.15g %.15g", q.amplitude, q.start,
                q.rise, q.fall, q.width, q.period);
        if (q.count > 0) {
          fprintf(f, " %.0f", q.count);
        }
        fprintf(f, ")\n");
      }
      return UCL_OK;
    }
    break; /* bursts: PWL below */
  case UCL_STIM_STAIRCASE:
    break;
  }
  /* piecewise-linear: every corner of every pulse up to the duration */
  ucl_stimulus st;
  rc = ucl_stimulus_init(&q, &st, diag);
  double t = 0.0;
  if (rc == UCL_OK) {
    rc = pwl_corner(&w, 0.0, ucl_stimulus_value(&st, 0.0), diag);
  }
  while (rc == UCL_OK) {
    ucl_stim_piece pc;
    ucl_stimulus_piece(&st, t, &pc);
    if (!(pc.t1 < s->duration)) {
      break;
    }
    t = pc.t1;
    rc = pwl_corner(&w, t, ucl_stimulus_value(&st, t), diag);
  }
done:
  if (f && rc == UCL_OK) {
    fprintf(f, ")\n");
  }
  return rc;
}

/* A BJT model card with the parameters of the two-transistor SCR (docs/model.md, SPICE netlist):
 * NF = NR = 1, MJE = MJC = 0 (constant capacitances), XTF = 0, ISE = ISC = 0; VAF, IKF, RB, RE,
 * RC and CJS are left at SPICE's defaults, which switch them off. What remains differs from
 * scr.c only by ngspice's GMIN (1e-12 S) across each junction and its cubic reverse-bias
 * current below −3·U_T (both below 1e-11 A here). */
static void bjt_card(FILE *f, const char *name, const char *type, const ucl_bjt_params *q) {
  fprintf(f,
          ".model %s %s(IS=%.10g BF=%.10g BR=%.10g TF=%.10g TR=%.10g CJE=%.10g CJC=%.10g\n"
          "+ NF=1 NR=1 MJE=0 MJC=0 XTF=0 ISE=0 ISC=0)\n",
          name, type, q->IS, q->BF, q->BR, q->TF, q->TR, q->CJE, q->CJC);
}

/* The two-transistor form's initial node voltages N, G, K (V): uclif's own (docs/model.md S8),
 * taken from the neuron's initial state so that both simulators start alike. */
static ucl_status tt_initial(const ucl_params *p, double v[3], ucl_diag *diag) {
  static const char *const names[3] = {"V_nbase_V", "V_gate_V", "V_cathode_V"};
  ucl_neuron *n = NULL;
  ucl_status st = ucl_neuron_create(p, &n, diag);
  if (st != UCL_OK) {
    return st;
  }
  const ucl_system *sys = ucl_neuron_system(n);
  for (int k = 0; k < 3 && st == UCL_OK; k++) {
    int at = -1;
    for (int i = 0; i < sys->n_states; i++) {
      if (strcmp(sys->state_names[i], names[k]) == 0) {
        at = i;
      }
    }
    if (at < 0) {
      st = ucl_diag_set(diag, UCL_ERR_INVAL, "the two-transistor neuron has no state %s", names[k]);
    } else {
      v[k] = sys->y0[at];
    }
  }
  ucl_neuron_destroy(&n);
  return st;
}

/* The length of the well-formed UTF-8 sequence at 'u' (1-4), 0 if there is none. */
static int utf8_length(const unsigned char *u) {
  int n = u[0] >= 0xf0 ? 4 : (u[0] >= 0xe0 ? 3 : (u[0] >= 0xc2 ? 2 : 0));
  if (n == 0 || u[0] > 0xf4) {
    return 0;
  }
  for (int i = 1; i < n; i++) {
    if ((u[i] & 0xc0) != 0x80) {
      return 0;
    }
  }
  unsigned cp = u[0] & (0x7fu >> n);
  for (int i = 1; i < n; i++) {
    cp = (cp << 6) | (u[i] & 0x3fu);
  }
  static const unsigned least[5] = {0, 0, 0x80, 0x800, 0x10000};
  if (cp < least[n] || (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff) {
    return 0;
  }
  return n;
}

ucl_status ucl_netlist_check_data(const char *path, ucl_diag *diag) {
  if (!path || !*path) {
    return ucl_diag_set(diag, UCL_ERR_INVAL, "an empty file name");
  }
  const unsigned char *u = (const unsigned char *)path;
  for (size_t i = 0; u[i];) {
    unsigned char c = u[i];
    const char *why = NULL;
    int n = 1;
    if (c < 0x20 || c == 0x7f) {
      why = "a control character";
    } else if (strchr("'!$;`{", c)) {
      why = "a character ngspice's command line reads as quoting, substitution or a comment";
    } else if (c == ' ' && u[i + 1] == ' ') {
      why = "ngspice reads runs of blanks as one blank";
    } else if (c >= 0x80) {
      n = utf8_length(u + i);
      if (n == 0) {
        return ucl_diag_set(diag, UCL_ERR_INVAL,
                            "'%s': byte %zu (0x%02X) is not UTF-8; ngspice refuses such a line",
                            path, i + 1, c);
      }
      if (c == 0xc2 && u[i + 1] == 0xb5) {
        why = "ngspice reads the micro sign as 'u'";
      }
    }
    if (why && (c < 0x20 || c == 0x7f)) {
      return ucl_diag_set(diag, UCL_ERR_INVAL,
                          "'%s': byte %zu is a control character (0x%02X), which cannot be "
                          "written in an ngspice wrdata file name",
                          path, i + 1, c);
    }
    if (why) {
      return ucl_diag_set(diag, UCL_ERR_INVAL,
                          "'%s': byte %zu ('%.*s') cannot be written in an ngspice wrdata file "
                          "name: %s",
                          path, i + 1, n, path + i, why);
    }
    i += (size_t)n;
  }
  return UCL_OK;
}

/* ngspice's largest step (s): o->tmax, else a tenth of the shortest feature of the stimulus
 * (the flat top and the gap between pulses, a step's length, the duration), at most 1 us and at
 * least duration / 1e5 (ngspice takes ~0.1 ms per step: at most a few seconds of run, and its
 * stored waveforms stay small). Always > 0 for a validated configuration. */
static double spice_tmax(const ucl_stimulus_params *s, const ucl_netlist_opts *o) {
  if (o && o->tmax > 0.0) {
    return o->tmax;
  }
  double shortest = s->duration;
  if (s->kind == UCL_STIM_PULSES || s->kind == UCL_STIM_STAIRCASE) {
    double gap = s->period - s->rise - s->width - s->fall;
    shortest = fmin(shortest, s->width);
    if (gap > 1e-9 * s->period) {
      shortest = fmin(shortest, gap);
    }
  } else if (s->kind == UCL_STIM_STEP && s->width > 0.0) {
    shortest = fmin(shortest, s->width);
  }
  return fmax(fmin(1e-6, shortest / 10.0), s->duration / 1e5);
}

ucl_status ucl_netlist_check(const ucl_params *p, const ucl_netlist_opts *o, const char **bad_key,
                             ucl_diag *diag) {
  const char *bad = NULL;
  ucl_status st = UCL_OK;
  if (o && o->data) {
    st = ucl_netlist_check_data(o->data, diag);
    bad = "data";
  }
  if (st == UCL_OK) {
    st = write_source(NULL, &p->stim, diag);
    bad = "duration";
  }
  if (bad_key) {
    *bad_key = st == UCL_OK ? NULL : bad;
  }
  return st;
}

ucl_status ucl_netlist_write(FILE *f, const ucl_params *p, const ucl_netlist_opts *o,
                             ucl_diag *diag) {
  /* Every value is written at the device temperature and ngspice runs with temp = tnom, so that
   * it does not scale a second time (docs/model.md, SPICE netlist). */
  ucl_circuit_params at;
  ucl_status st = ucl_circuit_at_temp(&p->circuit, &at, diag);
  if (st != UCL_OK) {
    return st;
  }
  const ucl_circuit_params *c = &at;
  const ucl_scr_params *s = &c->scr;
  int type2 = c->neuron == UCL_NEURON_TYPE2;
  double ut = ucl_thermal_voltage(c->temp);
  ucl_mos t1, t2, t3;
  st = ucl_mos_init(&c->T1, ut, &t1, diag);
  if (st == UCL_OK) {
    st = ucl_mos_init(&c->T2, ut, &t2, diag);
  }
  if (st == UCL_OK) {
    st = ucl_mos_init(&c->T3, ut, &t3, diag);
  }
  /* the two-transistor SCR form (not for the Mott soma, which replaces the SCR) */
  int tt = c->neuron != UCL_NEURON_MOTT && s->model == UCL_SCR_TWO_TRANSISTOR;
  double v_tt[3] = {0.0, 0.0, 0.0};
  if (st == UCL_OK && tt) {
    st = tt_initial(p, v_tt, diag);
  }
  if (st != UCL_OK) {
    return st;
  }
  st = ucl_netlist_check(p, o, NULL, diag);
  if (st != UCL_OK) {
    return st;
  }
  double tmax = spice_tmax(&p->stim, o);
  double reltol = o && o->reltol > 0.0 ? o->reltol : 1e-4;
  /* the title on one comment line whatever it holds */
  fputs("* ", f);
  for (const char *ch = o && o->title ? o->title : "uclif netlist"; *ch; ch++) {
    fputc((unsigned char)*ch < 0x20 || *ch == 0x7f ? '?' : *ch, f);
  }
  fputc('\n', f);
  fprintf(f, "* %s neuron%s; written by uclif (docs/model.md, SPICE netlist)\n",
          type2 ? "type II" : (c->neuron == UCL_NEURON_MOTT ? "Mott" : "type I"),
          tt ? ", two-transistor SCR" : "");
  fprintf(f, ".options temp=%.6g tnom=%.6g reltol=%.3g abstol=1e-12 vntol=1e-7 method=gear\n",
          c->temp - 273.15, c->temp - 273.15, reltol);
  fprintf(f, ".func sp(x) = max(x,0) + ln(1 + exp(-abs(x)))\n");
  st = write_source(f, &p->stim, diag);
  if (st != UCL_OK) {
    return st;
  }
  fprintf(f, "* input circuit and soma\n");
  fprintf(f, "Rin in dn %.10g\n", c->R_in);
  fprintf(f, "D dn m DIN\n.model DIN D(IS=%.10g N=%.10g RS=%.10g)\n", c->D.Is, c->D.n, c->D.Rs);
  fprintf(f, "C m 0 %.10g\n", c->C);
  fprintf(f, "R3 k 0 %.10g\n", c->R3);
  if (c->neuron == UCL_NEURON_MOTT) {
    const ucl_mott_params *mt = &c->mott;
    fprintf(f, "* Mott threshold switch between membrane and cathode, state s as for the SCR\n");
    fprintf(f, "Vsa m ma 0\nBa ma k I = v(s)*v(ma,k)/%.10g + (1-v(s))*v(ma,k)/%.10g\n", mt->R_on,
            mt->R_off);
    fprintf(f, "Cs s 0 1p\n");
    fprintf(f,
            "Bs 0 s I = 1e-3*( u(v(s)-0.5)*(1-u(%.10g-i(Vsa))) + (1-u(v(s)-0.5))*u(v(m,k)-%.10g)"
            " - v(s) )\n",
            mt->I_hold, mt->V_th);
    goto axon;
  }
  fprintf(f, "R1 m g %.10g\nR2 g 0 %.10g\n", c->R1, c->R2);
  if (tt) {
    fprintf(f, "* SCR, two-transistor form: PNP (emitter = anode, base = nb, collector = g), NPN\n"
               "* (collector = nb, base = g, emitter = k), R_GK and the leakage R_off; the anode\n"
               "* current (PNP emitter + leakage) is sensed by Vsa\n");
    fprintf(f, "Vsa m ma 0\nQp g nb ma QPSCR\nQn nb g k QNSCR\n");
    fprintf(f, "Rgk g k %.10g\nRoff ma k %.10g\n", s->R_GK, s->R_off);
    bjt_card(f, "QPSCR", "PNP", &s->pnp);
    bjt_card(f, "QNSCR", "NPN", &s->npn);
    goto axon;
  }
  fprintf(f, "* SCR: gate-cathode junction (current sensed by Vsg) and a latching anode path\n");
  fprintf(f, "Vsg g gj 0\nDgk gj k DGK\n.model DGK D(IS=%.10g N=%.10g)\n", s->Is_gk, s->n_gk);
  fprintf(f, "Vsa m ma 0\n");
  fprintf(f, "Ba ma k I = v(s)*(v(ma,k)-%.10g)/%.10g + (1-v(s))*v(ma,k)/%.10g\n", s->V_T0,
          s->R_T > 0 ? s->R_T : 1e-3, s->R_off);
  fprintf(f, "* latch state s: target 1 while latched unless i_A < I_H; 0 while off unless\n"
             "* i_g > I_GT and the on-state current would exceed I_L; 1 ns time constant\n");
  fprintf(f, "Cs s 0 1p\n");
  fprintf(f,
          "Bs 0 s I = 1e-3*( u(v(s)-0.5)*(1-u(%.10g-i(Vsa))) + (1-u(v(s)-0.5))*u(i(Vsg)-%.10g)"
          "*u((v(m)-%.10g-%.10g*i(Vsg))/%.10g-%.10g) - v(s) )\n",
          s->I_H, s->I_GT, s->V_T0, c->R3, c->R3 + s->R_T, s->I_L);
axon:
  fprintf(f, "* axon\nVDD vdd 0 %.10g\nR4 vdd n1 %.10g\n", c->VDD, c->R4);
  mos_bsource(f, "BT1", "n1", "0", "v(k)", "v(n1)", &t1);
  mos_bsource(f, "BT2", "vdd", "ax", "v(vdd)-v(n1)", "v(vdd)-v(ax)", &t2);
  fprintf(f, "R5 ax 0 %.10g\nR6 ax out %.10g\n", c->R5, c->R6);
  if (type2 && c->loop == UCL_LOOP_SERIES) {
    /* M10b: C2 charged and discharged through R7 from the axon node (the output, ax) */
    fprintf(f, "* adaptation loop (loop = series): R7 from the axon node into C2\n");
    fprintf(f, "R7 ax f %.10g\nC2 f 0 %.10g\n", c->R7, c->C2);
    mos_bsource(f, "BT3", "g", "0", "v(f)", "v(g)", &t3);
  } else if (type2) {
    /* M10a: a leaky peak detector after R6; the output is the axon node ax */
    fprintf(f, "* adaptation loop (loop = peak): R6 and D2 into C2, R7 across C2\n");
    fprintf(f, "D2 out f DD2\n.model DD2 D(IS=%.10g N=%.10g RS=%.10g)\n", c->D2.Is, c->D2.n,
            c->D2.Rs);
    fprintf(f, "C2 f 0 %.10g\nR7 f 0 %.10g\n", c->C2, c->R7);
    mos_bsource(f, "BT3", "g", "0", "v(f)", "v(g)", &t3);
  }
  fprintf(f, ".ic v(m)=%.10g", c->V_m0);
  if (tt) {
    fprintf(f, " v(nb)=%.10g v(g)=%.10g v(k)=%.10g", v_tt[0], v_tt[1], v_tt[2]);
  } else {
    fprintf(f, " v(s)=%d", s->start_on ? 1 : 0); /* scr.start: latched (metallic) at t = 0 */
  }
  if (type2) {
    fprintf(f, " v(f)=%.10g", c->V_f0);
  }
  fprintf(f, "\n.tran %.6g %.10g 0 %.6g uic\n", tmax, p->stim.duration, tmax);
  /* the latch: the state s crossing 1/2 (hybrid), the anode current rising through
   * scr.I_A_latch (two-transistor form, S6) */
  if (tt) {
    fprintf(f, ".control\nrun\nmeas tran t_first_latch WHEN i(Vsa)=%.10g RISE=1\n", s->I_A_latch);
  } else {
    fprintf(f, ".control\nrun\nmeas tran t_first_latch WHEN v(s)=0.5 RISE=1\n");
  }
  if (o && o->data) {
    /* type II: v(ax) is the output (uclif's V_out_V), v(out) the node after R6 (V_clamp_V);
     * two-transistor: i(Vsa), the anode current, in place of the latch state v(s) */
    /* the file name in single quotes, which ngspice's command line strips (characters it
     * cannot take were refused by ucl_netlist_check); "./" keeps a leading '~' literal */
    fprintf(f, "wrdata '%s%s' v(in) v(m) v(k) v(out) %s%s\n", o->data[0] == '~' ? "./" : "",
            o->data, tt ? "i(Vsa)" : "v(s)", type2 ? " v(f) v(ax)" : "");
  }
  fprintf(f, ".endc\n.end\n");
  return ferror(f) ? ucl_diag_set(diag, UCL_ERR_IO, "write failed") : UCL_OK;
}
