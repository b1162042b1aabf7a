/* datasheet.c — the datasheet of one characterized configuration (datasheet.h,
 * docs/outputs.md "The datasheet"): gnuplot data files and one script, gnuplot run once, then
 * index.html through a temporary file. The numbers come from the output tables (results.h), so
 * the page shows what the CSVs hold. */
#include "uclif/datasheet.h"

#include <errno.h>
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "plotpage.h"
#include "published.h"
#include "uclif/numeric.h"
#include "uclif/results.h"
#include "uclif/units.h"

#define MAX_PLOTS 8
#define MAX_DIR 1000        /* bytes of DIR: its paths go into gnuplot commands of bounded length */
#define FIT_PLOT_POINTS 400 /* samples of a fit drawn (every k-th); fits.csv holds them all */
#define THR_SPAN_TOLS 10    /* the threshold axis spans at least this many threshold.tol */

typedef struct ds_plot {
  char name[48];
  char title[200];
  char caption[400];
  char note[300]; /* why it was left out, or empty */
} ds_plot;

typedef struct ds {
  const char *rdir; /* DIR/datasheet */
  FILE *gp;
  ds_plot plots[MAX_PLOTS];
  int n_plots;
  ucl_status io; /* the first failed write of a data file */
  ucl_diag io_diag;
  const ucl_params *p;
  const ucl_char_opts *o;
  const ucl_char_result *r;
  const ucl_datasheet_opts *opts;
  const void *parts[3]; /* a points.csv row's parts (results.h) */
  long id;
} ds;

static ds_plot *new_plot(ds *d, const char *name, const char *title) {
  ds_plot *pl = &d->plots[d->n_plots++];
  memset(pl, 0, sizeof(*pl));
  snprintf(pl->name, sizeof(pl->name), "%s", name);
  snprintf(pl->title, sizeof(pl->title), "%s", title);
  return pl;
}

/* Open the data file 'name' (its path into path, n bytes); a failure is the datasheet's
 * (UCL_ERR_IO in d->io) and gives NULL. */
static FILE *data_file(ds *d, const char *name, char *path, size_t n) {
  snprintf(path, n, "%s/data/%s.dat", d->rdir, name);
  FILE *f = fopen(path, "w");
  if (!f && d->io == UCL_OK) {
    d->io = ucl_diag_set(&d->io_diag, UCL_ERR_IO, "%s: cannot write: %s", path, strerror(errno));
  }
  return f;
}

/* ---- numbers: every one tagged with the CSV cell it shows ---- */

/* The significant digits a number is shown with: 4; a given value (a parameter or a setting:
 * 'given') that %.Ng writes exactly with N of 5 or 6 digits, N (300.15 K, not "300.1 K"). */
static int given_digits(double v, int given) {
  for (int d = 5; given && isfinite(v) && d <= 6; d++) {
    char t[40];
    snprintf(t, sizeof(t), "%.*g", d - 1, v);
    if (strtod(t, NULL) == v) {
      return 4; /* 4 or fewer already write it exactly */
    }
    snprintf(t, sizeof(t), "%.*g", d, v);
    if (strtod(t, NULL) == v) {
      return d;
    }
  }
  return 4;
}

/* The text of a number (docs/outputs.md, "The datasheet"): with a unit in engineering notation
 * (ucl_units_format_eng, given_digits digits); a dimensionless one as a whole number when it is
 * one (a count), else as %.Ng with N from given_digits on and more while the text would be a
 * whole number (an R² of 0.9999985 is "0.999998"/"0.999999", never "1"); "–" for NAN. */
static void fmt(double v, const char *unit, int given, char *buf, size_t n) {
  int digits = given_digits(v, given);
  if (unit && unit[0]) {
    ucl_units_format_eng(v, unit, digits, buf, n);
  } else if (isfinite(v) && v == floor(v) && fabs(v) < 1e15) {
    snprintf(buf, n, "%.0f", v);
  } else if (isfinite(v)) {
    for (;; digits++) {
      snprintf(buf, n, "%.*g", digits, v);
      double shown = strtod(buf, NULL);
      if (shown != floor(shown) || digits == 17) {
        break;
      }
    }
  } else {
    snprintf(buf, n, "–");
  }
}

/* 1 when column 'col' of 'csv' is a parameter (a given value, shown with its digits). */
static int is_given(const char *csv, const char *col) {
  if (strcmp(csv, "points.csv") != 0) {
    return 0;
  }
  const ucl_table *t = ucl_results_points_table();
  long c = ucl_table_find(t, col);
  return c >= 0 && t->cols[c].part == UCL_POINT_PART_PARAMS;
}

/* A number of file 'csv', data row 'row', column 'col': the value as the CSV writes it in
 * data-value, shown in engineering notation with 'unit'. NAN (an empty CSV field) shows "–". */
static void num(FILE *h, const char *csv, long row, const char *col, double v, const char *unit) {
  char text[64];
  fmt(v, unit, is_given(csv, col), text, sizeof(text));
  fprintf(h, "<span class=\"v\" data-csv=\"%s\" data-row=\"%ld\" data-column=\"%s\" data-value=\"",
          csv, row, col);
  if (isfinite(v)) {
    fprintf(h, "%.17g", v);
  }
  fprintf(h, "\">%s</span>", text);
}

/* The points.csv column 'name' of this configuration, as num(); nothing when there is no such
 * column (a programming error the datasheet test catches: the cell is missing). */
static void pnum(FILE *h, const ds *d, const char *name) {
  const ucl_table *t = ucl_results_points_table();
  long col = ucl_table_find(t, name);
  double v = NAN;
  if (col < 0 || !ucl_table_number(t, (size_t)col, d->parts, &v)) {
    fprintf(h, "<span class=\"note\">(no number %s)</span>", name);
    return;
  }
  num(h, "points.csv", 0, name, v, t->cols[col].unit);
}

/* The value of points.csv column c as a number (NAN when not measured); 0 when it has none. */
static int col_value(const ds *d, size_t c, double *v) {
  return ucl_table_number(ucl_results_points_table(), c, d->parts, v);
}

/* A setting of the characterization (from the spec, not a measured number): shown the same
 * way, tagged with its [characterize] key instead of a CSV cell. */
static void setting(FILE *h, const char *key, double v, const char *unit) {
  char text[64];
  fmt(v, unit, 1, text, sizeof(text));
  fprintf(h, "<span class=\"setting\" data-spec=\"characterize.%s\" data-value=\"%.17g\">%s</span>",
          key, v, text);
}

/* ---- plots ---- */

static void emit(ds *d, const ds_plot *pl, const char *setup, const char *body, int height) {
  ucl_page_gp_emit(d->gp, NULL, pl->name, pl->title, setup, body, 760, height);
}

/* The f–A curve: the three rates against the amplitude, with the threshold marked. */
static void plot_fa(ds *d) {
  const ucl_char_result *r = d->r;
  ds_plot *pl = new_plot(d, "fa_curve", "f-A curve: firing rate against pulse amplitude");
  char path[1100];
  FILE *f = data_file(d, "fa_curve", path, sizeof(path));
  if (!f) {
    return; /* the datasheet fails (d->io) */
  }
  long n = 0, n_failed = 0;
  double lo = INFINITY, hi = -INFINITY, top = 0.0;
  char failed[200] = "";
  size_t kf = 0;
  int last_failed = -1;
  for (size_t i = 0; i < r->n_curve; i++) {
    const ucl_rate_point *c = &r->curve[i];
    if (c->simulated && c->status != UCL_OK) { /* a failed run: marked on the axis, not a rate */
      char a[32];
      ucl_units_format_eng(c->amplitude, "V", 4, a, sizeof(a));
      if (n_failed++ < 6 && kf < sizeof(failed)) { /* "chattering at 3 V, 3.25 V, ..." */
        int same = last_failed >= 0 && last_failed == c->status;
        kf +=
            (size_t)snprintf(failed + kf, sizeof(failed) - kf, "%s%s%s%s", n_failed > 1 ? ", " : "",
                             same ? "" : ucl_status_name(c->status), same ? "" : " at ", a);
      }
      last_failed = c->status;
      lo = fmin(lo, c->amplitude);
      hi = fmax(hi, c->amplitude);
      continue;
    }
    if (c->status != UCL_OK || !isfinite(c->f.rate_mean_Hz)) {
      continue;
    }
    fprintf(f, "%.9g %.9g %.9g %.9g\n", c->amplitude, c->f.rate_mean_Hz, c->f.rate_first_isi_Hz,
            c->f.rate_steady_Hz);
    lo = fmin(lo, c->amplitude);
    hi = fmax(hi, c->amplitude);
    top = fmax(top, fmax(c->f.rate_mean_Hz,
                         isfinite(c->f.rate_first_isi_Hz) ? c->f.rate_first_isi_Hz : 0.0));
    n++;
  }
  ucl_page_close_data(f, path, &d->io, &d->io_diag);
  if (n < 2) {
    snprintf(pl->note, sizeof(pl->note), "needs at least two amplitudes of the f-A curve that ran");
    return;
  }
  char fpath[1100] = "";
  if (n_failed > 0) {
    FILE *ff = data_file(d, "fa_failed", fpath, sizeof(fpath));
    if (!ff) {
      return; /* the datasheet fails (d->io) */
    }
    for (size_t i = 0; i < r->n_curve; i++) {
      if (r->curve[i].simulated && r->curve[i].status != UCL_OK) {
        fprintf(ff, "%.9g 0\n", r->curve[i].amplitude);
      }
    }
    ucl_page_close_data(ff, fpath, &d->io, &d->io_diag);
  }
  char w[32], per[32];
  ucl_units_format_eng(d->p->stim.width, "s", 3, w, sizeof(w));
  ucl_units_format_eng(d->p->stim.period, "s", 3, per, sizeof(per));
  int kc = snprintf(pl->caption, sizeof(pl->caption),
                    "rate_curves.csv: rate_mean_Hz (spikes / window), rate_first_isi_Hz (1 / first "
                    "ISI) and rate_steady_Hz at each amplitude, pulses %s wide every %s over %g s; "
                    "the dashed line marks the threshold.",
                    w, per, d->p->stim.duration);
  if (n_failed > 0 && kc > 0 && (size_t)kc < sizeof(pl->caption)) {
    int kx = snprintf(pl->caption + kc, sizeof(pl->caption) - (size_t)kc,
                      " Crosses on the axis mark the runs that failed (no rate; their status in "
                      "rate_curves.csv): %s%s.",
                      failed, n_failed > 6 ? ", ..." : "");
    if (kx < 0) { /* (a list too long for the caption is cut there) */
      pl->caption[kc] = '\0';
    }
  }
  char setup[4096] = "set key top left\n", body[2048];
  ucl_page_gp_axis(setup, sizeof(setup), "x", "pulse amplitude", "V", lo, hi, 0);
  ucl_page_gp_axis(setup, sizeof(setup), "y", "firing rate", "Hz", 0.0, top > 0.0 ? top : 1.0, 0);
  size_t k = strlen(setup);
  snprintf(setup + k, sizeof(setup) - k, "set yrange [0:*]\n");
  if (r->threshold.status == UCL_SEARCH_OK) {
    k = strlen(setup);
    snprintf(setup + k, sizeof(setup) - k,
             "set arrow from %.9g, graph 0 to %.9g, graph 1 nohead dt 2 lc rgb '#d62728'\n",
             r->threshold.value, r->threshold.value);
  }
  int kb = snprintf(
      body, sizeof(body),
      "plot '%s' using 1:2 with linespoints pt 7 ps 0.6 lc rgb '#1f77b4' title 'mean rate', "
      "'' using 1:3 with linespoints pt 5 ps 0.5 lc rgb '#ff7f0e' title '1 / first ISI', "
      "'' using 1:4 with linespoints pt 9 ps 0.5 lc rgb '#2ca02c' title 'steady rate'",
      ucl_page_rel(d->rdir, path));
  if (n_failed > 0 && kb > 0 && (size_t)kb < sizeof(body)) {
    snprintf(body + kb, sizeof(body) - (size_t)kb,
             ", '%s' using 1:2 with points pt 2 ps 1.5 lw 2 lc rgb '#d62728' title 'failed run'",
             ucl_page_rel(d->rdir, fpath));
  }
  emit(d, pl, setup, body, 440);
}

/* The pulse-train threshold against the pulse period. */
static void plot_thr_period(ds *d) {
  const ucl_char_result *r = d->r;
  ds_plot *pl = new_plot(d, "threshold_period", "Firing threshold against pulse period");
  if (r->n_thr_period == 0) {
    snprintf(pl->note, sizeof(pl->note),
             "not measured (`--periods off`, or no period the pulse fits in)");
    return;
  }
  char path[1100];
  FILE *f = data_file(d, "threshold_period", path, sizeof(path));
  if (!f) {
    return; /* the datasheet fails (d->io) */
  }
  long n = 0;
  double lo = INFINITY, hi = -INFINITY, vlo = INFINITY, vhi = -INFINITY;
  for (size_t i = 0; i < r->n_thr_period; i++) {
    const ucl_period_threshold *t = &r->thr_period[i];
    if (t->thr.status == UCL_SEARCH_OK) {
      fprintf(f, "%.9g %.9g\n", t->period_s, t->thr.value);
      lo = fmin(lo, t->period_s);
      hi = fmax(hi, t->period_s);
      vlo = fmin(vlo, t->thr.value);
      vhi = fmax(vhi, t->thr.value);
      n++;
    }
  }
  ucl_page_close_data(f, path, &d->io, &d->io_diag);
  if (n < 2) {
    snprintf(pl->note, sizeof(pl->note), "fewer than two periods with a threshold (see the table)");
    return;
  }
  char w[32], tol[32];
  ucl_units_format_eng(d->p->stim.width, "s", 3, w, sizeof(w));
  ucl_units_format_eng(d->o->thr_tol, "V", 3, tol, sizeof(tol));
  snprintf(pl->caption, sizeof(pl->caption),
           "threshold_period.csv: the threshold search at each period, pulses %s wide (the paper: "
           "the onset falls as the input frequency rises); the search resolves %s "
           "(threshold.tol), and the threshold axis spans at least %d times that.",
           w, tol, THR_SPAN_TOLS);
  char setup[4096] = "set key off\n", body[1400];
  ucl_page_gp_axis(setup, sizeof(setup), "x", "pulse period", "s", lo, hi, hi / lo > 3.0);
  /* never finer than the search's resolution: noise in its last digit is not structure */
  double span = THR_SPAN_TOLS * d->o->thr_tol;
  if (vhi - vlo < span) {
    double mid = 0.5 * (vlo + vhi);
    vlo = mid - 0.5 * span;
    vhi = mid + 0.5 * span;
  }
  ucl_page_gp_axis(setup, sizeof(setup), "y", "firing threshold", "V", vlo, vhi, 0);
  snprintf(body, sizeof(body),
           "plot '%s' using 1:2 with linespoints pt 7 ps 0.8 lw 2 lc rgb '#1f77b4' notitle",
           ucl_page_rel(d->rdir, path));
  emit(d, pl, setup, body, 400);
}

/* 1 when the firing probability was measured (probability.csv is written: its rows exist). */
static int has_prob(const ucl_char_result *r) {
  return r->prob_trials > 0 && r->n_prob > 0;
}

/* The firing probability against the amplitude (probability.csv): p_fire with its Wilson
 * interval as error bars, the probit fit Φ((A − A50)/w) of points.csv when it was made, and
 * the noise-free threshold as a vertical line. Only when has_prob(): no plot otherwise. */
static void plot_prob(ds *d) {
  const ucl_char_result *r = d->r;
  if (!has_prob(r)) {
    return;
  }
  ds_plot *pl = new_plot(d, "probability", "Firing probability against pulse amplitude");
  char path[1100];
  FILE *f = data_file(d, "probability", path, sizeof(path));
  if (!f) {
    return; /* the datasheet fails (d->io) */
  }
  long n = 0;
  double lo = INFINITY, hi = -INFINITY;
  for (size_t i = 0; i < r->n_prob; i++) {
    const ucl_prob_point *q = &r->prob[i];
    if (q->trials <= 0 || !isfinite(q->p_fire)) {
      continue;
    }
    fprintf(f, "%.9g %.9g %.9g %.9g\n", q->amplitude, q->p_fire, q->p_lo, q->p_hi);
    lo = fmin(lo, q->amplitude);
    hi = fmax(hi, q->amplitude);
    n++;
  }
  ucl_page_close_data(f, path, &d->io, &d->io_diag);
  if (n < 1) {
    snprintf(pl->note, sizeof(pl->note), "no amplitude of probability.csv has trials");
    return;
  }
  double a0 = r->thr_noiseless.value;
  int has_a0 = r->thr_noiseless.status == UCL_SEARCH_OK && isfinite(a0);
  int has_fit = isfinite(r->p50_V) && isfinite(r->p50_width_V) && r->p50_width_V > 0.0;
  if (has_a0) {
    lo = fmin(lo, a0);
    hi = fmax(hi, a0);
  }
  char w[32], per[32];
  ucl_units_format_eng(d->p->stim.width, "s", 3, w, sizeof(w));
  ucl_units_format_eng(d->p->stim.period, "s", 3, per, sizeof(per));
  int kc = snprintf(pl->caption, sizeof(pl->caption),
                    "probability.csv: p_fire, the fraction of %ld noise trials with a spike in "
                    "the window (pulses %s wide every %s over %g s), with its Wilson 95 %% "
                    "interval (p_lo, p_hi) as error bars",
                    r->prob_trials, w, per, d->p->stim.duration);
  if (kc > 0 && (size_t)kc < sizeof(pl->caption)) {
    snprintf(pl->caption + kc, sizeof(pl->caption) - (size_t)kc, "%s%s.",
             has_fit ? "; the line is the probit fit Phi((A - A50)/w) of points.csv"
                     : "; no probit fit was made (see points.csv)",
             has_a0 ? "; the dashed line marks the noise-free threshold" : "");
  }
  char setup[4096] = "set key top left noenhanced\nset samples 400\n", body[2048];
  ucl_page_gp_axis(setup, sizeof(setup), "x", "pulse amplitude", "V", lo, hi, 0);
  ucl_page_gp_axis(setup, sizeof(setup), "y", "firing probability", NULL, 0.0, 1.0, 0);
  size_t ks = strlen(setup); /* a probability's tics as fractions (0.2), not "200m" */
  snprintf(setup + ks, sizeof(setup) - ks, "set ytics 0, 0.2, 1\nset format y '%%g'\n");
  if (has_a0) {
    size_t k = strlen(setup);
    snprintf(setup + k, sizeof(setup) - k,
             "set arrow from %.9g, graph 0 to %.9g, graph 1 nohead dt 2 lc rgb '#d62728'\n", a0,
             a0);
  }
  int kb = snprintf(body, sizeof(body),
                    "plot '%s' using 1:2:3:4 with yerrorbars pt 7 ps 0.7 lc rgb '#1f77b4' "
                    "title 'p_fire (Wilson 95 %%)'",
                    ucl_page_rel(d->rdir, path));
  if (has_fit && kb > 0 && (size_t)kb < sizeof(body)) {
    snprintf(body + kb, sizeof(body) - (size_t)kb,
             ", norm((x - %.17g) / %.17g) with lines lw 2 lc rgb '#222222' title 'probit fit'",
             r->p50_V, r->p50_width_V);
  }
  emit(d, pl, setup, body, 420);
}

/* A fit and its residuals: two plots of fits.csv's rows of the fits in 'which' (n_which). */
static void plot_fit(ds *d, const char *name, const char *title, const int *which, int n_which,
                     const char *what) {
  const ucl_char_result *r = d->r;
  char rname[48], rtitle[200];
  snprintf(rname, sizeof(rname), "%s_residuals", name);
  snprintf(rtitle, sizeof(rtitle), "%s: residuals", title);
  ds_plot *pl = new_plot(d, name, title), *pr = new_plot(d, rname, rtitle);
  size_t total = 0;
  double tlo = INFINITY, thi = -INFINITY, vlo = INFINITY, vhi = -INFINITY, rmax = 0.0;
  for (int w = 0; w < n_which; w++) {
    const ucl_fit_samples *s = &r->fits[which[w]];
    for (size_t i = 0; i < s->n; i++) {
      ucl_fit_row row;
      ucl_results_fit_row(r, which[w], i, &row);
      tlo = fmin(tlo, row.t_s);
      thi = fmax(thi, row.t_s);
      vlo = fmin(vlo, fmin(row.v_mem_V, row.v_fit_V));
      vhi = fmax(vhi, fmax(row.v_mem_V, row.v_fit_V));
      rmax = fmax(rmax, fabs(row.residual_V));
    }
    total += s->n;
  }
  if (total == 0) {
    snprintf(pl->note, sizeof(pl->note), "no fit was made (%s)", what);
    snprintf(pr->note, sizeof(pr->note), "no fit was made");
    return;
  }
  char body[4096], rbody[4096];
  int kb = snprintf(body, sizeof(body), "plot "), kr = snprintf(rbody, sizeof(rbody), "plot ");
  static const char *const colour[UCL_N_FITS] = {"#1f77b4", "#ff7f0e", "#2ca02c"};
  static const char *const label[UCL_N_FITS] = {"junction off", "junction on", "latched"};
  /* a Mott soma has no gate junction: its leak is one regime (switch off), its discharge the
   * switch on (metallic) */
  static const char *const mott_label[UCL_N_FITS] = {"switch off", "switch off", "switch on"};
  const char *const *lab = d->p->circuit.neuron == UCL_NEURON_MOTT ? mott_label : label;
  for (int w = 0; w < n_which; w++) {
    const ucl_fit_samples *s = &r->fits[which[w]];
    if (s->n == 0) {
      continue;
    }
    char path[1100], dname[64];
    snprintf(dname, sizeof(dname), "%s_%d", name, w);
    FILE *f = data_file(d, dname, path, sizeof(path));
    if (!f) {
      return; /* the datasheet fails (d->io) */
    }
    size_t step = s->n > FIT_PLOT_POINTS ? (s->n + FIT_PLOT_POINTS - 1) / FIT_PLOT_POINTS : 1;
    for (size_t i = 0; i < s->n; i += step) {
      ucl_fit_row row;
      ucl_results_fit_row(r, which[w], i, &row);
      fprintf(f, "%.9g %.9g %.9g %.9g\n", row.t_s, row.v_mem_V, row.v_fit_V, row.residual_V);
    }
    ucl_page_close_data(f, path, &d->io, &d->io_diag);
    char tau[32];
    ucl_units_format_eng(s->fit.tau, "s", 4, tau, sizeof(tau));
    const char *c = colour[which[w]];
    kb += snprintf(body + kb, sizeof(body) - (size_t)kb,
                   "%s'%s' using 1:2 with points pt 7 ps 0.4 lc rgb '%s' title 'V_mem, %s', '' "
                   "using 1:3 with lines lw 2 lc rgb '#222222' dt %d title 'fit, tau = %s'",
                   kb > 5 ? ", " : "", ucl_page_rel(d->rdir, path), c, lab[which[w]], w + 1, tau);
    kr += snprintf(rbody + kr, sizeof(rbody) - (size_t)kr,
                   "%s'%s' using 1:4 with points pt 7 ps 0.4 lc rgb '%s' title '%s'",
                   kr > 5 ? ", " : "", ucl_page_rel(d->rdir, path), c, lab[which[w]]);
  }
  snprintf(pl->caption, sizeof(pl->caption),
           "fits.csv: the membrane voltage samples the fit used (every one up to %d, then "
           "every k-th) and the fitted exponential offset + amp·exp(−(t − t₀)/tau); %s.",
           FIT_PLOT_POINTS, what);
  char setup[4096] = "set key top right noenhanced\n";
  ucl_page_gp_axis(setup, sizeof(setup), "x", "time from the start of the run", "s", tlo, thi, 0);
  ucl_page_gp_axis(setup, sizeof(setup), "y", "membrane voltage V_mem", "V", vlo, vhi, 0);
  emit(d, pl, setup, body, 400);
  char rm[32];
  ucl_units_format_eng(rmax, "V", 3, rm, sizeof(rm));
  snprintf(pr->caption, sizeof(pr->caption),
           "fits.csv residual_V = V_mem_V − V_fit_V (largest magnitude %s): structure here is what "
           "one exponential does not describe.",
           rm);
  char rsetup[4096] = "set key top right noenhanced\n";
  ucl_page_gp_axis(rsetup, sizeof(rsetup), "x", "time from the start of the run", "s", tlo, thi, 0);
  ucl_page_gp_axis(rsetup, sizeof(rsetup), "y", "residual", "V", -rmax, rmax, 0);
  emit(d, pr, rsetup, rbody, 260);
}

/* ---- the page ---- */

static void doc_link(FILE *h, const ds *d, const char *anchor, const char *text) {
  if (d->opts && d->opts->docs_base) {
    fprintf(h, "<a href=\"");
    ucl_page_html_escape(h, d->opts->docs_base);
    fprintf(h, "features.md#%s\">%s</a>", anchor, text);
  } else {
    fprintf(h, "%s", text);
  }
}

static const char *switch_name(int sw) {
  return sw == UCL_ON ? "on" : sw == UCL_OFF ? "off" : "auto";
}

/* The [characterize] settings of o that differ from the defaults, as "key = value" items. */
static void write_char_settings(FILE *h, const ucl_char_opts *o) {
  ucl_char_opts def;
  ucl_char_opts_default(&def);
  static const struct {
    const char *key;
    size_t off;
    const char *unit; /* NULL: a switch (int) */
  } keys[] = {
      {"adaptation", offsetof(ucl_char_opts, adaptation), NULL},
      {"adaptation.amplitude", offsetof(ucl_char_opts, adapt_amplitude), "V"},
      {"adaptation.window", offsetof(ucl_char_opts, adapt_window), "s"},
      {"rheobase", offsetof(ucl_char_opts, rheobase), NULL},
      {"tau_leak", offsetof(ucl_char_opts, tau_leak), NULL},
      {"tau_leak.amplitude", offsetof(ucl_char_opts, leak_amplitude), "V"},
      {"tau_leak.width", offsetof(ucl_char_opts, leak_width), "s"},
      {"tau_leak.window", offsetof(ucl_char_opts, leak_window), "s"},
      {"tau_ref", offsetof(ucl_char_opts, tau_ref), NULL},
      {"tau_ref.window", offsetof(ucl_char_opts, ref_window), "s"},
      {"energy", offsetof(ucl_char_opts, energy), NULL},
      {"curve_tracer", offsetof(ucl_char_opts, curve_tracer), NULL},
      {"tempco", offsetof(ucl_char_opts, tempco_dT), "K"},
  };
  int n = 0;
  for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
    const char *a = (const char *)o + keys[i].off, *b = (const char *)&def + keys[i].off;
    int differs = keys[i].unit ? *(const double *)a != *(const double *)b
                               : *(const int *)a != *(const int *)b;
    if (!differs) {
      continue;
    }
    fprintf(h, "%s<code>%s</code> = ", n++ ? ", " : "; not at their defaults: ", keys[i].key);
    if (keys[i].unit) {
      fprintf(h, "<span class=\"setting\" data-spec=\"characterize.%s\" data-value=\"%.17g\">",
              keys[i].key, *(const double *)a);
      char text[64];
      fmt(*(const double *)a, keys[i].unit, 1, text, sizeof(text));
      fprintf(h, "%s</span>", text);
    } else {
      fprintf(h, "%s", switch_name(*(const int *)a));
    }
  }
}

/* 1 when a key table "applies" list ("" = always, else names separated by '|') holds 'name'. */
static int applies_to(const char *applies, const char *name) {
  if (!applies || !applies[0]) {
    return 1;
  }
  size_t n = strlen(name);
  for (const char *a = applies; a; a = strchr(a, '|') ? strchr(a, '|') + 1 : NULL) {
    if (strncmp(a, name, n) == 0 && (a[n] == '|' || a[n] == '\0')) {
      return 1;
    }
  }
  return 0;
}

/* The components the neuron is built from, default or not: each a points.csv cell (every
 * parameter is a column of it), the ones the neuron form has (the key table's "applies"). */
static void write_components(FILE *h, const ds *d) {
  static const char *const keys[] = {
      "R_in",     "R1",        "R2",          "R3",         "R4",       "R5",      "R6",
      "R7",       "C",         "C2",          "VDD",        "scr.I_GT", "scr.I_H", "scr.I_L",
      "scr.V_T0", "mott.V_th", "mott.I_hold", "mott.R_off", "mott.R_on"};
  char neuron[32];
  ucl_params_format(d->p, ucl_params_find("neuron"), neuron, sizeof(neuron));
  const ucl_table *t = ucl_results_points_table();
  fprintf(h, "<table id=\"components\"><tr><th>component</th>");
  size_t shown[sizeof(keys) / sizeof(keys[0])], n = 0;
  for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
    const ucl_param_info *in = ucl_params_find(keys[i]);
    if (in && applies_to(in->applies, neuron)) {
      shown[n++] = i;
      fprintf(h, "<th><code>%s</code></th>", keys[i]);
    }
  }
  fprintf(h, "</tr>\n<tr><th>value</th>");
  for (size_t k = 0; k < n; k++) {
    const ucl_param_info *in = ucl_params_find(keys[shown[k]]);
    double v = NAN;
    fprintf(h, "<td>");
    if (ucl_params_get(d->p, in->name, &v) == UCL_OK && ucl_table_find(t, in->name) >= 0) {
      num(h, "points.csv", 0, in->name, v, in->unit);
    } else {
      char text[64];
      ucl_params_format(d->p, in, text, sizeof(text));
      ucl_page_html_escape(h, text);
    }
    fprintf(h, "</td>");
  }
  fprintf(h,
          "</tr>\n</table>\n<p>The components the %s neuron is built from, default or not "
          "(<code>uclif params</code> says what each is).</p>\n",
          neuron);
}

/* The conditions: the neuron form, every parameter not at its default, the stimulus, the solver
 * tolerances and the procedures' settings. Returns the count of non-default parameters. */
static int write_conditions(FILE *h, const ds *d) {
  const ucl_params *p = d->p;
  ucl_params def;
  ucl_params_default(&def);
  char neuron[32], form[32];
  ucl_params_format(p, ucl_params_find("neuron"), neuron, sizeof(neuron));
  ucl_params_format(p, ucl_params_find("scr.model"), form, sizeof(form));
  fprintf(h, "<h2>Conditions</h2>\n<p>Neuron <b>%s</b>", neuron);
  if (p->circuit.neuron != UCL_NEURON_MOTT) {
    fprintf(h, ", SCR form <b>%s</b> (docs/model.md)", form);
  } else {
    fprintf(h, " (a Mott threshold switch in place of the SCR, R1 and R2; docs/model.md)");
  }
  fprintf(h, ", at ");
  pnum(h, d, "temp");
  fprintf(h, ".</p>\n");
  const ucl_table *t = ucl_results_points_table();
  int n = 0;
  for (size_t i = 0; i < ucl_params_count(); i++) {
    const ucl_param_info *in = ucl_params_info(i);
    char a[64], b[64];
    ucl_params_format(p, in, a, sizeof(a));
    ucl_params_format(&def, in, b, sizeof(b));
    double va = 0.0, vb = 0.0;
    int same = strcmp(a, b) == 0;
    if (in->kind != UCL_PARAM_CHOICE && ucl_params_get(p, in->name, &va) == UCL_OK &&
        ucl_params_get(&def, in->name, &vb) == UCL_OK) {
      /* within rounding: "10u" parses to 9.9999999999999991e-06, the default is 1e-05 */
      same = ucl_le_tol(va, vb) && ucl_le_tol(vb, va);
    }
    if (same) {
      continue;
    }
    if (n++ == 0) {
      fprintf(h, "<table id=\"nondefault\"><tr><th>parameter</th><th>value</th><th>default</th>"
                 "<th>what it is</th></tr>\n");
    }
    fprintf(h, "<tr><td><code>%s</code></td><td>", in->name);
    if (in->kind == UCL_PARAM_CHOICE) {
      fprintf(h, "%s", a);
    } else {
      long col = ucl_table_find(t, in->name);
      num(h, "points.csv", 0, col >= 0 ? in->name : "?", va, in->unit);
    }
    fprintf(h, "</td><td>");
    if (in->kind == UCL_PARAM_CHOICE) {
      fprintf(h, "%s", b);
    } else {
      char text[64];
      fmt(vb, in->unit, 1, text, sizeof(text));
      fprintf(h, "<span class=\"default\" data-value=\"%.17g\">%s</span>", vb, text);
    }
    fprintf(h, "</td><td>");
    ucl_page_html_escape(h, in->desc);
    fprintf(h, "</td></tr>\n");
  }
  if (n == 0) {
    fprintf(h, "<p id=\"nondefault\">Every parameter is at its default (<code>uclif "
               "params</code> lists them).</p>\n");
  } else {
    fprintf(h, "</table>\n<p>Every other parameter is at its default (<code>uclif "
               "params</code>).</p>\n");
  }
  write_components(h, d);
  char kind[32];
  ucl_params_format(p, ucl_params_find("kind"), kind, sizeof(kind));
  fprintf(h, "<table id=\"stimulus\"><tr><th>stimulus</th><td>%s", kind);
  /* the fields this kind uses (the key table's "applies"), then the window */
  static const char *const stim_keys[] = {"amplitude", "width",    "period",
                                          "amp_start", "amp_stop", "amp_step"};
  for (size_t i = 0; i < sizeof(stim_keys) / sizeof(stim_keys[0]); i++) {
    const ucl_param_info *in = ucl_params_find(stim_keys[i]);
    if (in && applies_to(in->applies, kind)) {
      fprintf(h, ", %s ", stim_keys[i]);
      pnum(h, d, stim_keys[i]);
    }
  }
  fprintf(h, ", window ");
  pnum(h, d, "duration");
  fprintf(h, "</td></tr>\n<tr><th>solver</th><td>CVODE BDF, rtol ");
  pnum(h, d, "rtol");
  fprintf(h, ", atol ");
  pnum(h, d, "atol");
  fprintf(h, " (docs/model.md)</td></tr>\n<tr><th>procedures</th><td>threshold searched in [");
  setting(h, "threshold", d->o->thr_lo, "V");
  fprintf(h, ", ");
  setting(h, "threshold", d->o->thr_hi, "V");
  fprintf(h, "] to ");
  setting(h, "threshold.tol", d->o->thr_tol, "V");
  double def_amps[UCL_RATE_AMPS_DEFAULT_N];
  const double *amps = NULL;
  size_t na = ucl_char_rate_amps(d->o, def_amps, &amps);
  if (na > 0) {
    fprintf(h, "; f-A curve at %zu amplitudes from ", na);
    setting(h, "rate_curve", amps[0], "V");
    fprintf(h, " to ");
    setting(h, "rate_curve", amps[na - 1], "V");
  }
  write_char_settings(h, d->o);
  if (p->stim.kind == UCL_STIM_PULSES) {
    fprintf(h, " (docs/spec.md, [characterize]). The threshold, f-A, adaptation and energy runs "
               "drive the spec's pulse train (its width and period) whatever the stimulus kind; "
               "the rheobase a DC source, tau_leak a step, tau_ref none (docs/features.md)."
               "</td></tr>\n</table>\n");
  } else {
    fprintf(h, " (docs/spec.md, [characterize]). The threshold, f-A, adaptation and energy runs "
               "drive a pulse train whatever the stimulus kind: pulses ");
    pnum(h, d, "width");
    fprintf(h, " wide every ");
    pnum(h, d, "period");
    fprintf(h, " (the spec's width and period); the rheobase a DC source, tau_leak a step, "
               "tau_ref none (docs/features.md).</td></tr>\n</table>\n");
  }
  return n;
}

/* The maximum rate of the f–A curve: its row (rate_curves.csv data row), or -1. */
static long max_rate_row(const ucl_char_result *r) {
  long best = -1;
  for (size_t i = 0; i < r->n_curve; i++) {
    const ucl_rate_point *c = &r->curve[i];
    if (c->status == UCL_OK && isfinite(c->f.rate_mean_Hz) &&
        (best < 0 || c->f.rate_mean_Hz > r->curve[best].f.rate_mean_Hz)) {
      best = (long)i;
    }
  }
  return best;
}

/* A row of a two-column table: 'label' and the points.csv column 'col'; with col NULL, 'text'
 * in the second cell, or a heading row (label in bold) when text is NULL too. */
typedef struct ds_row {
  const char *label, *col, *text;
} ds_row;

static void write_rows(FILE *h, const ds *d, const ds_row *rows, size_t n) {
  for (size_t i = 0; i < n; i++) {
    const ds_row *w = &rows[i];
    if (!w->col && !w->text) {
      fprintf(h, "<tr><th>%s</th><th></th></tr>\n", w->label);
      continue;
    }
    fprintf(h, "<tr><td>%s</td><td>", w->label);
    if (w->col) {
      pnum(h, d, w->col);
    } else {
      fprintf(h, "%s", w->text);
    }
    fprintf(h, "</td></tr>\n");
  }
}

static void write_key_figures(FILE *h, const ds *d) {
  static const ds_row first[] = {
      {"DC rheobase", "rheobase_V", NULL},
      {"leak time constant (tau_leak_off)", "tau_leak_off_s", NULL},
      {"refractory (discharge) time constant", "tau_ref_s", NULL},
  };
  static const ds_row last[] = {
      {"latency to the first spike at the stimulus amplitude", "ref_latency_s", NULL},
      {"energy per spike (supply and input)", "energy_per_spike_J", NULL},
      {"standby power at rest", "P_standby_W", NULL},
  };
  static const ds_row adapt[] = {
      {"adaptation time constant (tau_adapt)", "tau_adapt_s", NULL},
  };
  static const ds_row tracer[] = {
      {"gate trigger current I_GT (curve tracer)", "I_GT_A", NULL},
      {"holding current I_H (curve tracer)", "I_H_A", NULL},
  };
  const ucl_char_result *r = d->r;
  fprintf(h, "<h2>Key figures</h2>\n<table id=\"key\">\n<tr><td>firing threshold (pulse train)");
  if (ucl_params_noise_on(d->p)) { /* the search ran with the noise on: one draw of it */
    fprintf(h, has_prob(r)
                   ? " (one noise realisation: see the <a href=\"#firing_probability\">firing "
                     "probability</a>)"
                   : " (one noise realisation)");
  }
  fprintf(h, "</td><td>");
  pnum(h, d, "threshold_V");
  fprintf(h, "</td></tr>\n");
  if (has_prob(r)) {
    fprintf(h, "<tr><td>50 %% firing amplitude A50 (probit fit) with its 95 %% interval</td><td>");
    pnum(h, d, "threshold_p50_V");
    fprintf(h, " (");
    pnum(h, d, "threshold_p50_lo_V");
    fprintf(h, " … ");
    pnum(h, d, "threshold_p50_hi_V");
    fprintf(h, ")</td></tr>\n<tr><td>probit width w (P(A50 ± w) = 84 %% / 16 %%)</td><td>");
    pnum(h, d, "threshold_width_V");
    fprintf(h, "</td></tr>\n<tr><td>noise-free threshold (noise and jitter off)</td><td>");
    pnum(h, d, "threshold_noiseless_V");
    fprintf(h, "</td></tr>\n<tr><td>spike-time jitter and ISI CV near A50</td><td>");
    pnum(h, d, "p50_jitter_s");
    fprintf(h, ", ISI CV ");
    pnum(h, d, "p50_isi_cv");
    fprintf(h, " at ");
    pnum(h, d, "p50_amplitude_V");
    fprintf(h, " (p_fire ");
    pnum(h, d, "p50_p_fire");
    fprintf(h, ")</td></tr>\n");
  }
  write_rows(h, d, first, sizeof(first) / sizeof(first[0]));
  fprintf(h, "<tr><td>maximum rate (f-A curve)</td><td>");
  long m = max_rate_row(r);
  if (m >= 0) {
    num(h, "rate_curves.csv", m, "rate_mean_Hz", r->curve[m].f.rate_mean_Hz, "Hz");
    fprintf(h, " at ");
    num(h, "rate_curves.csv", m, "amplitude_V", r->curve[m].amplitude, "V");
    fprintf(h, "; latency there ");
    num(h, "rate_curves.csv", m, "latency_s", r->curve[m].f.latency_s, "s");
  } else {
    fprintf(h, "– (no amplitude of the f-A curve ran)");
  }
  fprintf(h, "</td></tr>\n");
  write_rows(h, d, last, sizeof(last) / sizeof(last[0]));
  if (d->p->circuit.neuron == UCL_NEURON_TYPE2) {
    write_rows(h, d, adapt, 1);
  }
  if (r->tracer.gt_status != UCL_TRACER_SKIPPED) {
    write_rows(h, d, tracer, 2);
  }
  fprintf(h, "</table>\n");
}

static void write_energy(FILE *h, const ds *d) {
  static const ds_row rows[] = {
      {"by source", NULL, NULL},
      {"input source", "energy_in_per_spike_J", NULL},
      {"supply (VDD)", "energy_vdd_per_spike_J", NULL},
      {"synapses", NULL,
       "none: a single neuron has no synapses (a network's synapse energy is in its "
       "neurons.csv)"},
      {"<b>total</b>", "energy_per_spike_J", NULL},
      {"by part", NULL, NULL},
      {"static: what the neuron draws at rest over the same window, per spike",
       "energy_static_per_spike_J", NULL},
      {"dynamic: what the spikes cost", "energy_dynamic_per_spike_J", NULL},
      {"standby power at rest (input at 0 V)", "P_standby_W", NULL},
      {"estimates", NULL, NULL},
      {"the seed paper's C·A²/2 (A the stimulus amplitude)", "energy_paper_J", NULL},
      {"C·V²/2 on the membrane when it fires", "energy_stored_J", NULL},
  };
  fprintf(h, "<h2 id=\"energy\">Energy per spike</h2>\n<p>At the stimulus amplitude ");
  pnum(h, d, "ref_amplitude_V");
  fprintf(h, " over the window: ");
  pnum(h, d, "ref_spikes");
  fprintf(h, " spikes (mean rate ");
  pnum(h, d, "ref_rate_mean_Hz");
  fprintf(h, "). Energy is what the sources deliver (");
  doc_link(h, d, "procedures-uclif-characterize-ucl_characterize", "docs/features.md, energy");
  fprintf(h, ").</p>\n<table id=\"energy_split\">\n");
  write_rows(h, d, rows, sizeof(rows) / sizeof(rows[0]));
  fprintf(h, "</table>\n");
}

static void write_comparison(FILE *h, const ds *d) {
  fprintf(h, "<h2 id=\"comparison\">Comparison with published figures</h2>\n<p>Energy per "
             "spike is quoted in incompatible ways (the membrane's C·V²/2, energy from the "
             "supply, with or without standby power); each row says what it counts. Sources and "
             "how each was found: docs/published-neurons.md.</p>\n<table id=\"published\">"
             "<tr><th>work</th><th>quantity</th><th>energy</th><th>as published</th><th>counts"
             "</th><th>how measured</th><th>source</th></tr>\n");
  fprintf(h, "<tr><td><b>this configuration</b></td><td>energy per spike</td><td>");
  pnum(h, d, "energy_per_spike_J");
  fprintf(h, "</td><td>–</td><td>energy from the supply and the input, static part included"
             "</td><td>simulated (uclif)</td><td>points.csv</td></tr>\n"
             "<tr><td><b>this configuration</b></td><td>dynamic energy per spike</td><td>");
  pnum(h, d, "energy_dynamic_per_spike_J");
  fprintf(h, "</td><td>–</td><td>the same without what it draws at rest</td><td>simulated "
             "(uclif)</td><td>points.csv</td></tr>\n"
             "<tr><td><b>this configuration</b></td><td>C·A²/2</td><td>");
  pnum(h, d, "energy_paper_J");
  fprintf(h, "</td><td>–</td><td>the membrane capacitor charged to the pulse amplitude (the "
             "seed paper's way)</td><td>estimate</td><td>points.csv</td></tr>\n");
  size_t n = 0;
  const ucl_published *pub = ucl_published_figures(&n);
  for (size_t i = 0; i < n; i++) {
    char text[64];
    ucl_units_format_eng(pub[i].value_J, "J", 3, text, sizeof(text));
    fprintf(h, "<tr class=\"published\"><td>");
    ucl_page_html_escape(h, pub[i].work);
    fprintf(h, "</td><td>");
    ucl_page_html_escape(h, pub[i].quantity);
    fprintf(h, "</td><td><span class=\"published\" data-value=\"%.17g\">%s</span></td><td>",
            pub[i].value_J, isfinite(pub[i].value_J) ? text : "–");
    ucl_page_html_escape(h, pub[i].as_published);
    fprintf(h, "</td><td>");
    ucl_page_html_escape(h, pub[i].counts);
    fprintf(h, "</td><td>");
    ucl_page_html_escape(h, pub[i].how);
    fprintf(h, "</td><td>");
    ucl_page_html_escape(h, pub[i].citation);
    fprintf(h, "</td></tr>\n");
  }
  fprintf(h, "</table>\n");
}

/* Every measured quantity of points.csv, by procedure: value, unit, definition. */
static void write_quantities(FILE *h, const ds *d) {
  const ucl_table *t = ucl_results_points_table();
  fprintf(h, "<h2 id=\"quantities\">Every measured quantity</h2>\n<p>The features of "
             "points.csv (definitions: ");
  doc_link(h, d, "procedures-uclif-characterize-ucl_characterize", "docs/features.md");
  fprintf(h, "; columns: docs/outputs.md).</p>\n<table id=\"all\"><tr><th>column</th><th>value"
             "</th><th>procedure</th><th>what it is</th></tr>\n");
  char missing[4096] = "";
  size_t km = 0;
  for (size_t c = 0; c < t->n; c++) {
    const ucl_column *col = &t->cols[c];
    if (col->part != UCL_POINT_PART_RESULT || !col->procedure[0]) {
      continue; /* the head and the parameters */
    }
    double v = NAN;
    int is_num = col_value(d, c, &v);
    if (is_num && !isfinite(v)) {
      km += (size_t)snprintf(missing + km, km < sizeof(missing) ? sizeof(missing) - km : 0, "%s%s",
                             km ? ", " : "", col->name);
      continue;
    }
    fprintf(h, "<tr><td><code>%s</code></td><td>", col->name);
    if (is_num) {
      num(h, "points.csv", 0, col->name, v, col->unit);
    } else if (col->kind == UCL_COL_ENUM) {
      int e = *(const int *)((const char *)d->parts[col->part] + col->offset);
      fprintf(h, "%s", col->enum_name(e));
    }
    fprintf(h, "</td><td>");
    doc_link(h, d, "procedures-uclif-characterize-ucl_characterize", col->procedure);
    fprintf(h, "</td><td>");
    /* the column's meaning names the SCR's gate junction; a Mott soma has its switch instead */
    int mott = d->p->circuit.neuron == UCL_NEURON_MOTT && strcmp(col->name, "tau_leak_off_s") == 0;
    ucl_page_html_escape(h, mott ? "leak time constant while the Mott switch is off (insulating)"
                                 : col->meaning);
    fprintf(h, "</td></tr>\n");
  }
  fprintf(h, "</table>\n");
  if (km) {
    fprintf(h, "<p>Not measured here (empty in points.csv): ");
    ucl_page_html_escape(h, missing);
    fprintf(h, ".</p>\n");
  }
}

static void write_periods(FILE *h, const ds *d) {
  const ucl_char_result *r = d->r;
  if (r->n_thr_period == 0) {
    return;
  }
  fprintf(h, "<table id=\"periods\"><tr><th>period</th><th>frequency</th><th>threshold</th>"
             "<th>search</th></tr>\n");
  for (size_t i = 0; i < r->n_thr_period; i++) {
    const ucl_period_threshold *t = &r->thr_period[i];
    fprintf(h, "<tr><td>");
    num(h, "threshold_period.csv", (long)i, "period_s", t->period_s, "s");
    fprintf(h, "</td><td>");
    num(h, "threshold_period.csv", (long)i, "frequency_Hz", 1.0 / t->period_s, "Hz");
    fprintf(h, "</td><td>");
    num(h, "threshold_period.csv", (long)i, "threshold_V", t->thr.value, "V");
    fprintf(h, "</td><td>%s</td></tr>\n", ucl_search_status_name(t->thr.status));
  }
  fprintf(h, "</table>\n");
}

static void write_figure(FILE *h, const ds_plot *pl);
static const ds_plot *find_plot(const ds *d, const char *name);

/* The firing probability (has_prob()): what was run, the probit fit, and the plot. */
static void write_prob(FILE *h, const ds *d) {
  const ucl_char_result *r = d->r;
  if (!has_prob(r)) {
    return;
  }
  fprintf(h, "<h2 id=\"firing_probability\">Firing probability</h2>\n<p>");
  pnum(h, d, "probability_trials");
  fprintf(h,
          " noise trials at each of %zu amplitudes (probability.csv; trial r has the same "
          "noise at every amplitude); the probit fit P(A) = Φ((A − A50)/w) by maximum "
          "likelihood gives A50 ",
          r->n_prob);
  pnum(h, d, "threshold_p50_V");
  fprintf(h, " (95 %%: ");
  pnum(h, d, "threshold_p50_lo_V");
  fprintf(h, " … ");
  pnum(h, d, "threshold_p50_hi_V");
  fprintf(h, ") and w ");
  pnum(h, d, "threshold_width_V");
  fprintf(h, "; the noise-free threshold is ");
  pnum(h, d, "threshold_noiseless_V");
  fprintf(h, " (");
  doc_link(h, d, "firing-probability-characterize-trials--n-probability-off-by-default",
           "docs/features.md, Firing probability");
  fprintf(h, ").</p>\n");
  write_figure(h, find_plot(d, "probability"));
}

static void write_figure(FILE *h, const ds_plot *pl) {
  if (!pl) {
    return;
  }
  if (!pl->note[0]) {
    ucl_page_html_figure(h, pl->name, pl->title, pl->caption[0] ? pl->caption : NULL);
    return;
  }
  ucl_page_html_figure_note(h, pl->name, pl->title, "left out", pl->note);
}

static const ds_plot *find_plot(const ds *d, const char *name) {
  for (int k = 0; k < d->n_plots; k++) {
    if (strcmp(d->plots[k].name, name) == 0) {
      return &d->plots[k];
    }
  }
  return NULL;
}

static ucl_status write_page(const ds *d, const char *ipath, int *nondefault, ucl_diag *diag) {
  ucl_page_file pf;
  ucl_status st = ucl_page_open(&pf, ipath, diag);
  if (st != UCL_OK) {
    return st;
  }
  FILE *h = pf.f;
  const ucl_char_result *r = d->r;
  char neuron[32];
  ucl_params_format(d->p, ucl_params_find("neuron"), neuron, sizeof(neuron));
  ucl_page_html_head(h, "uclif datasheet: ", d->opts && d->opts->spec ? d->opts->spec : neuron,
                     ".v,.setting{white-space:nowrap}#key td:first-child{width:24em}"
                     ".bad{background:#fdd;padding:4px}");
  fprintf(h, "<h1>Neuron datasheet: %s</h1>\n<p>Configuration <code>", neuron);
  ucl_page_html_escape(h, d->opts && d->opts->spec ? d->opts->spec : "(no spec: the defaults)");
  for (int k = 0; d->opts && d->opts->sets && k < d->opts->n_sets; k++) {
    fprintf(h, " --set ");
    ucl_page_html_escape(h, d->opts->sets[k]);
  }
  fprintf(h, "</code>, characterized by <code>uclif characterize</code>; every number below is "
             "a cell of the CSVs beside this page (<a href=\"../points.csv\">points.csv</a>, "
             "<a href=\"../rate_curves.csv\">rate_curves.csv</a>");
  if (r->n_thr_period > 0) {
    fprintf(h, ", <a href=\"../threshold_period.csv\">threshold_period.csv</a>");
  }
  if (r->fits[0].n + r->fits[1].n + r->fits[2].n > 0) {
    fprintf(h, ", <a href=\"../fits.csv\">fits.csv</a>");
  }
  if (has_prob(r)) {
    fprintf(h, ", <a href=\"../probability.csv\">probability.csv</a>");
  }
  fprintf(h, ").</p>\n");
  if (r->status != UCL_OK) {
    fprintf(h, "<p class=\"bad\">Status <b>%s</b>: ", ucl_status_name(r->status));
    ucl_page_html_escape(h, r->reason);
    fprintf(h, "</p>\n");
  }
  ucl_page_html_loaded(h);
  *nondefault = write_conditions(h, d);
  write_key_figures(h, d);
  fprintf(h, "<h2>Firing</h2>\n");
  write_figure(h, find_plot(d, "fa_curve"));
  write_figure(h, find_plot(d, "threshold_period"));
  write_periods(h, d);
  write_prob(h, d);
  int mott = d->p->circuit.neuron == UCL_NEURON_MOTT;
  fprintf(h, "<h2>Time constants</h2>\n<p>Leak: ");
  pnum(h, d, "tau_leak_off_s");
  fprintf(h, mott ? " with the Mott switch off (R² " : " with the gate junction off (R² ");
  pnum(h, d, "tau_leak_off_r2");
  if (mott) {
    fprintf(h, "; the switch stays insulating below V_th, so one regime)");
  } else {
    fprintf(h, "), ");
    pnum(h, d, "tau_leak_on_s");
    fprintf(h, " while it clamps the gate (R² ");
    pnum(h, d, "tau_leak_on_r2");
    fprintf(h, ")");
  }
  fprintf(h, ", after a step of ");
  pnum(h, d, "leak_amplitude_V");
  fprintf(h, ". Refractory discharge: ");
  pnum(h, d, "tau_ref_s");
  fprintf(h, " (R² ");
  pnum(h, d, "tau_ref_r2");
  fprintf(h, "), spike duration ");
  pnum(h, d, "spike_duration_s");
  fprintf(h, ", reset to ");
  pnum(h, d, "V_reset_V");
  fprintf(h, ".</p>\n");
  static const char *const fit_plots[] = {"leak_fit", "leak_fit_residuals", "ref_fit",
                                          "ref_fit_residuals"};
  for (size_t k = 0; k < sizeof(fit_plots) / sizeof(fit_plots[0]); k++) {
    write_figure(h, find_plot(d, fit_plots[k]));
  }
  write_energy(h, d);
  write_comparison(h, d);
  write_quantities(h, d);
  fprintf(h, "<h2>Simulation</h2>\n<p>");
  pnum(h, d, "sims");
  fprintf(h, " simulations, ");
  pnum(h, d, "steps");
  fprintf(h, " CVODE steps, ");
  pnum(h, d, "err_test_fails");
  fprintf(h, " error-test failures, ");
  pnum(h, d, "nonlin_fails");
  fprintf(h, " Newton failures.</p>\n");
  ucl_page_html_foot(h);
  return ucl_page_commit(&pf, diag);
}

/* The files ucl_datasheet_build may write in DIR/datasheet (NAME.svg and NAME.png of each
 * plot) and in DIR/datasheet/data (NAME.dat): what ucl_datasheet_clear removes. */
static const char *const plot_names[] = {"fa_curve",         "threshold_period",   "probability",
                                         "leak_fit",         "leak_fit_residuals", "ref_fit",
                                         "ref_fit_residuals"};
static const char *const data_names[] = {"fa_curve",    "fa_failed",  "threshold_period",
                                         "probability", "leak_fit_0", "leak_fit_1",
                                         "ref_fit_0"};
static const char *const page_files[] = {"index.html", "index.html.tmp", "plots.gp", "gnuplot.log"};

/* unlink DIR/SUB/NAMEEXT (not a directory: unlink refuses one); 1 when a file was removed. */
static int unlink_one(const char *dir, const char *sub, const char *name, const char *ext) {
  size_t n = strlen(dir) + strlen(sub) + strlen(name) + strlen(ext) + 4;
  char *path = malloc(n);
  int gone = 0;
  if (path) {
    snprintf(path, n, "%s/%s%s%s", dir, sub, name, ext);
    gone = unlink(path) == 0;
    free(path);
  }
  return gone;
}

ucl_datasheet_cleared ucl_datasheet_clear(const char *dir) {
  size_t n = strlen(dir) + 32;
  char *rdir = malloc(n), *ddir = malloc(n);
  ucl_datasheet_cleared res = UCL_DATASHEET_NONE;
  struct stat sb;
  if (!rdir || !ddir) {
    goto done;
  }
  snprintf(rdir, n, "%s/datasheet", dir);
  snprintf(ddir, n, "%s/datasheet/data", dir);
  if (stat(rdir, &sb) != 0 || !S_ISDIR(sb.st_mode)) {
    goto done;
  }
  for (size_t i = 0; i < sizeof(page_files) / sizeof(page_files[0]); i++) {
    unlink_one(rdir, "", page_files[i], "");
  }
  for (size_t i = 0; i < sizeof(plot_names) / sizeof(plot_names[0]); i++) {
    unlink_one(rdir, "", plot_names[i], ".svg");
    unlink_one(rdir, "", plot_names[i], ".png");
  }
  for (size_t i = 0; i < sizeof(data_names) / sizeof(data_names[0]); i++) {
    unlink_one(rdir, "data/", data_names[i], ".dat");
  }
  rmdir(ddir); /* only when empty: a file uclif did not write stays, and so does the folder */
  res = rmdir(rdir) == 0 ? UCL_DATASHEET_REMOVED : UCL_DATASHEET_LEFT;
done:
  free(rdir);
  free(ddir);
  return res;
}

ucl_status ucl_datasheet_check_dir(const char *dir, ucl_diag *diag) {
  if (strlen(dir) > MAX_DIR) {
    return ucl_diag_set(diag, UCL_ERR_INVAL,
                        "%.60s...: a directory name of more than %d bytes cannot hold the "
                        "datasheet's plots (`--no-datasheet` writes the CSVs only)",
                        dir, MAX_DIR);
  }
  return ucl_page_gp_dir_ok(dir, diag);
}

ucl_status ucl_datasheet_build(const char *dir, const ucl_params *p, const ucl_char_opts *o,
                               const ucl_char_result *r, const ucl_datasheet_opts *opts,
                               ucl_datasheet_summary *out, ucl_diag *diag) {
  ds d;
  memset(&d, 0, sizeof(d));
  d.p = p;
  d.o = o;
  d.r = r;
  d.opts = opts;
  d.parts[UCL_POINT_PART_ID] = &d.id;
  d.parts[UCL_POINT_PART_RESULT] = r;
  d.parts[UCL_POINT_PART_PARAMS] = p;
  ucl_status st = ucl_datasheet_check_dir(dir, diag);
  if (st != UCL_OK) {
    return st;
  }
  size_t dl = strlen(dir) + 32;
  char *rdir = malloc(dl), *ddir = malloc(dl + 8);
  char gp_path[1100], log_path[1100], ipath[1100];
  if (!rdir || !ddir) {
    st = ucl_diag_set(diag, UCL_ERR_NOMEM, "out of memory");
    goto done;
  }
  snprintf(rdir, dl, "%s/datasheet", dir);
  snprintf(ddir, dl + 8, "%s/datasheet/data", dir);
  (void)ucl_datasheet_clear(dir); /* the folder holds only what this run writes */
  if ((mkdir(rdir, 0777) != 0 && errno != EEXIST) || (mkdir(ddir, 0777) != 0 && errno != EEXIST)) {
    st = ucl_diag_set(diag, UCL_ERR_IO, "%s: cannot create: %s", ddir, strerror(errno));
    goto done;
  }
  d.rdir = rdir;
  snprintf(gp_path, sizeof(gp_path), "%s/plots.gp", rdir);
  snprintf(log_path, sizeof(log_path), "%s/gnuplot.log", rdir);
  snprintf(ipath, sizeof(ipath), "%s/index.html", rdir);
  d.gp = fopen(gp_path, "w");
  if (!d.gp) {
    st = ucl_diag_set(diag, UCL_ERR_IO, "%s: cannot write: %s", gp_path, strerror(errno));
    goto done;
  }
  plot_fa(&d);
  plot_thr_period(&d);
  plot_prob(&d);
  static const int leak[] = {UCL_FIT_LEAK_OFF, UCL_FIT_LEAK_ON}, ref[] = {UCL_FIT_REF};
  int mott = p->circuit.neuron == UCL_NEURON_MOTT;
  plot_fit(&d, "leak_fit",
           mott ? "Leak: the decay after a charging step (switch off), and its fit"
                : "Leak: the decay after a charging step, and its fits",
           leak, 2, mott ? "tau_leak_off_s" : "tau_leak_off_s and tau_leak_on_s");
  plot_fit(&d, "ref_fit",
           mott ? "Refractory: the discharge while the switch is on, and its fit"
                : "Refractory: the discharge while latched, and its fit",
           ref, 1, "tau_ref_s");
  int drawn = 0;
  for (int k = 0; k < d.n_plots; k++) {
    drawn += d.plots[k].note[0] == '\0';
  }
  st = ucl_page_gp_finish(&d.gp, gp_path, rdir, d.io, &d.io_diag, drawn,
                          opts ? opts->gnuplot : NULL, log_path, diag);
  if (st != UCL_OK) {
    goto done;
  }
  int nondefault = 0;
  st = write_page(&d, ipath, &nondefault, diag);
  if (st == UCL_OK && out) {
    memset(out, 0, sizeof(*out));
    out->plots = drawn;
    out->skipped = d.n_plots - drawn;
    out->nondefault = nondefault;
    snprintf(out->index, sizeof(out->index), "%.500s", ipath);
  }
done:
  if (d.gp) {
    fclose(d.gp);
  }
  free(rdir);
  free(ddir);
  return st;
}
