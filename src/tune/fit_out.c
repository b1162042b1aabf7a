/* fit_out.c — the files of `uclif fit` (docs/fit.md "Outputs"): parameters.csv, comparison.csv,
 * overlay.csv, spikes.csv, fitted.ini and fit.txt, each written whole or not at all. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "uclif/csvio.h"
#include "uclif/fit.h"

#define NAME_MAX_LEN 1200

static void join(char *buf, size_t size, const char *dir, const char *name) {
  snprintf(buf, size, "%s/%s", dir, name);
}

/* parameters.csv (the preferred variant): the uncertainty `uclif tune` draws from. */
static ucl_status write_parameters(const ucl_fit *f, const ucl_fit_result *res, const char *dir,
                                   ucl_diag *diag) {
  const ucl_fit_variant *va = ucl_fit_variant_at(f, res->variant);
  int k = va->n_free;
  enum { FIXED = 11 };
  const char *names[FIXED + UCL_FIT_MAX_FREE];
  char corr[UCL_FIT_MAX_FREE][96];
  const char *fixed[FIXED] = {"parameter", "unit",    "scale",   "value",   "lo",      "hi",
                              "sd",        "ci95_lo", "ci95_hi", "verdict", "pin_with"};
  for (int i = 0; i < FIXED; i++) {
    names[i] = fixed[i];
  }
  for (int j = 0; j < k; j++) {
    snprintf(corr[j], sizeof(corr[j]), "corr.%s", va->free[j].name);
    names[FIXED + j] = corr[j];
  }
  char path[NAME_MAX_LEN];
  join(path, sizeof(path), dir, "parameters.csv");
  ucl_csv_writer *w = NULL;
  ucl_status st = ucl_csv_open(path, names, FIXED + k, &w, diag);
  for (int j = 0; st == UCL_OK && j < k; j++) {
    const ucl_fit_param *p = &va->free[j];
    st = ucl_csv_text(w, p->name);
    st = st ? st : ucl_csv_text(w, p->unit);
    st = st ? st : ucl_csv_text(w, p->scale == UCL_FIT_LOG ? "log" : "lin");
    st = st ? st : ucl_csv_double(w, res->value[j]);
    st = st ? st : ucl_csv_double(w, p->lo);
    st = st ? st : ucl_csv_double(w, p->hi);
    st = st ? st : ucl_csv_double(w, res->sd[j]);
    st = st ? st : ucl_csv_double(w, res->ci_lo[j]);
    st = st ? st : ucl_csv_double(w, res->ci_hi[j]);
    st = st ? st : ucl_csv_text(w, ucl_fit_verdict_name(res->verdict[j]));
    st = st ? st : ucl_csv_text(w, ucl_fit_pin_with(p->name));
    for (int i = 0; st == UCL_OK && i < k; i++) {
      st = ucl_csv_double(w, res->corr[j][i]);
    }
    st = st ? st : ucl_csv_end_row(w, diag);
  }
  if (w) {
    ucl_status cst = ucl_csv_commit(&w, diag);
    st = st ? st : cst;
  }
  return st;
}

/* The smallest AIC of the variants, and each variant's Akaike weight exp(−ΔAIC/2)/Σ into w. */
static double akaike(const ucl_fit_result *res, int nv, double *w) {
  double amin = INFINITY, wsum = 0.0;
  for (int v = 0; v < nv; v++) {
    amin = fmin(amin, res[v].aic);
  }
  for (int v = 0; v < nv; v++) {
    w[v] = exp(-0.5 * (res[v].aic - amin));
    wsum += w[v];
  }
  for (int v = 0; v < nv; v++) {
    w[v] /= wsum;
  }
  return amin;
}

static ucl_status write_comparison(const ucl_fit *f, const ucl_fit_result *res, int nv, int best,
                                   const char *dir, ucl_diag *diag) {
  static const char *const names[] = {"variant",   "overrides",     "k",        "n",
                                      "chi2",      "aic",           "bic",      "delta_aic",
                                      "delta_bic", "akaike_weight", "preferred"};
  double wt[UCL_FIT_MAX_VARIANTS], bmin = INFINITY;
  double amin = akaike(res, nv, wt);
  for (int v = 0; v < nv; v++) {
    bmin = fmin(bmin, res[v].bic);
  }
  char path[NAME_MAX_LEN];
  join(path, sizeof(path), dir, "comparison.csv");
  ucl_csv_writer *w = NULL;
  ucl_status st = ucl_csv_open(path, names, 11, &w, diag);
  for (int v = 0; st == UCL_OK && v < nv; v++) {
    const ucl_fit_variant *va = ucl_fit_variant_at(f, v);
    st = ucl_csv_text(w, va->name);
    st = st ? st : ucl_csv_text(w, va->overrides);
    st = st ? st : ucl_csv_long(w, va->n_free);
    st = st ? st : ucl_csv_long(w, (long)res[v].n);
    st = st ? st : ucl_csv_double(w, res[v].chi2);
    st = st ? st : ucl_csv_double(w, res[v].aic);
    st = st ? st : ucl_csv_double(w, res[v].bic);
    st = st ? st : ucl_csv_double(w, res[v].aic - amin);
    st = st ? st : ucl_csv_double(w, res[v].bic - bmin);
    st = st ? st : ucl_csv_double(w, wt[v]);
    st = st ? st : ucl_csv_long(w, v == best);
    st = st ? st : ucl_csv_end_row(w, diag);
  }
  if (w) {
    ucl_status cst = ucl_csv_commit(&w, diag);
    st = st ? st : cst;
  }
  return st;
}

/* overlay.csv and spikes.csv of the preferred variant at its optimum (one more simulation of
 * every recording). */
static ucl_status write_overlay(const ucl_fit *f, const ucl_fit_result *res, const char *dir,
                                ucl_diag *diag) {
  static const char *const on[] = {"recording",  "channel",  "t_s",
                                   "measured_V", "fitted_V", "residual_V"};
  static const char *const sn[] = {"recording", "source", "t_s"};
  char p1[NAME_MAX_LEN], p2[NAME_MAX_LEN];
  join(p1, sizeof(p1), dir, "overlay.csv");
  join(p2, sizeof(p2), dir, "spikes.csv");
  ucl_csv_writer *ws[2] = {NULL, NULL};
  ucl_status st = ucl_csv_open(p1, on, 6, &ws[0], diag);
  st = st ? st : ucl_csv_open(p2, sn, 3, &ws[1], diag);
  for (int r = 0; st == UCL_OK && r < ucl_fit_n_recordings(f); r++) {
    const ucl_recording *rc = ucl_fit_recording(f, r);
    double *pred = NULL, *sp = NULL;
    size_t nsp = 0;
    st = ucl_fit_predict(f, res->variant, res->x, r, &pred, &sp, &nsp, diag);
    if (st != UCL_OK) {
      break;
    }
    int nch = rc->spec.n_channels;
    size_t stride = rc->n > 5000 ? (rc->n + 4999) / 5000 : 1;
    for (int c = 0; st == UCL_OK && c < nch; c++) {
      for (size_t i = 0; st == UCL_OK && i < rc->n; i += stride) {
        double m = rc->v[c][i], y = pred[i * (size_t)nch + (size_t)c];
        st = ucl_csv_text(ws[0], rc->spec.name);
        st = st ? st : ucl_csv_text(ws[0], rc->spec.ch[c].model);
        st = st ? st : ucl_csv_double(ws[0], rc->t[i]);
        st = st ? st : ucl_csv_double(ws[0], m);
        st = st ? st : ucl_csv_double(ws[0], y);
        st = st ? st : ucl_csv_double(ws[0], m - y);
        st = st ? st : ucl_csv_end_row(ws[0], diag);
      }
    }
    size_t nm = 0;
    const double *ms = ucl_fit_measured_spikes(f, r, &nm);
    for (int src = 0; src < 2 && st == UCL_OK; src++) {
      const double *s = src == 0 ? ms : sp;
      size_t n = src == 0 ? nm : nsp;
      for (size_t i = 0; st == UCL_OK && i < n; i++) {
        st = ucl_csv_text(ws[1], rc->spec.name);
        st = st ? st : ucl_csv_text(ws[1], src == 0 ? "measured" : "fitted");
        st = st ? st : ucl_csv_double(ws[1], s[i]);
        st = st ? st : ucl_csv_end_row(ws[1], diag);
      }
    }
    free(pred);
    free(sp);
  }
  if (st != UCL_OK) { /* nothing half-written */
    ucl_csv_abort(&ws[0]);
    ucl_csv_abort(&ws[1]);
    return st == UCL_ERR_NOMEM ? st : UCL_ERR_IO;
  }
  return ucl_csv_commit_all(ws, 2, diag);
}

/* A whole file through a temporary and a rename. */
static ucl_status write_text(const char *dir, const char *name,
                             void (*body)(FILE *fp, const ucl_fit *f, const ucl_fit_result *res,
                                          int nv, int best, double wall_s, int ranks),
                             const ucl_fit *f, const ucl_fit_result *res, int nv, int best,
                             double wall_s, int ranks, ucl_diag *diag) {
  char path[NAME_MAX_LEN], tmp[NAME_MAX_LEN + 8];
  join(path, sizeof(path), dir, name);
  snprintf(tmp, sizeof(tmp), "%s.tmp", path);
  FILE *fp = fopen(tmp, "w");
  if (!fp) {
    return ucl_diag_set(diag, UCL_ERR_IO, "%s: %s", tmp, strerror(errno));
  }
  body(fp, f, res, nv, best, wall_s, ranks);
  int bad = ferror(fp);
  if (fclose(fp) != 0 || bad) {
    int e = errno;
    remove(tmp);
    return ucl_diag_set(diag, UCL_ERR_IO, "%s: write failed (%s)", tmp, strerror(e));
  }
  if (rename(tmp, path) != 0) {
    int e = errno;
    remove(tmp);
    return ucl_diag_set(diag, UCL_ERR_IO, "%s: %s", path, strerror(e));
  }
  return UCL_OK;
}

/* fitted.ini: every key of the preferred variant at its optimum that differs from the default,
 * by section; the base stimulus (not the replayed recordings). */
static void fitted_body(FILE *fp, const ucl_fit *f, const ucl_fit_result *res, int nv, int best,
                        double wall_s, int ranks) {
  (void)nv;
  (void)best;
  (void)wall_s;
  (void)ranks;
  const ucl_fit_variant *va = ucl_fit_variant_at(f, res->variant);
  ucl_params p, def;
  ucl_fit_params_at(f, res->variant, res->x, &p);
  ucl_params_default(&def);
  fprintf(fp, "; fitted by `uclif fit %s` (variant %s); docs/fit.md\n", ucl_fit_path(f), va->name);
  fprintf(fp, "; the free parameters' 95 %% intervals are in parameters.csv beside this file\n");
  for (int s = UCL_SECTION_CIRCUIT; s <= UCL_SECTION_LAST; s++) {
    /* [noise] only when something in it is set (a fit runs without noise) */
    int header = s != UCL_SECTION_NOISE;
    if (header) {
      fprintf(fp, "\n[%s]\n", ucl_params_section_name((ucl_param_section)s));
    }
    for (size_t i = 0; i < ucl_params_count(); i++) {
      const ucl_param_info *k = ucl_params_info(i);
      double a = 0.0, d = 0.0;
      if ((int)k->section != s || ucl_params_get(&p, k->name, &a) != UCL_OK ||
          ucl_params_get(&def, k->name, &d) != UCL_OK) {
        continue;
      }
      int fitted = 0;
      for (int j = 0; j < va->n_free; j++) {
        fitted |= strcmp(va->free[j].name, k->name) == 0;
      }
      if (a == d && !fitted) {
        continue;
      }
      char buf[64];
      ucl_params_format(&p, k, buf, sizeof(buf));
      if (!header) {
        fprintf(fp, "\n[%s]\n", ucl_params_section_name((ucl_param_section)s));
        header = 1;
      }
      fprintf(fp, "%s = %s%s\n", k->name, buf, fitted ? " ; fitted" : "");
    }
  }
}

static void fmt_value(char *buf, size_t n, double v, const char *unit) {
  snprintf(buf, n, "%.5g%s%s", v, unit[0] ? " " : "", unit);
}

/* χ²/(n − k) above UCL_FIT_POOR. */
static int poor(const ucl_fit_result *r) {
  return r->n > (size_t)r->n_free && r->chi2 / (double)(r->n - (size_t)r->n_free) > UCL_FIT_POOR;
}

static void text_body(FILE *fp, const ucl_fit *f, const ucl_fit_result *res, int nv, int best,
                      double wall_s, int ranks) {
  const ucl_fit_opts *o = ucl_fit_options(f);
  fprintf(fp, "uclif fit %s\n\n", ucl_fit_path(f));
  fprintf(fp, "Recordings:%s\n", ucl_fit_n_recordings(f) == 0 ? " none" : "");
  for (int r = 0; r < ucl_fit_n_recordings(f); r++) {
    const ucl_recording *rc = ucl_fit_recording(f, r);
    size_t ns = 0;
    (void)ucl_fit_measured_spikes(f, r, &ns);
    fprintf(fp, "  %-14s %zu samples, %.6g s at %.6g kS/s, noise %.3g mV RMS%s, %zu spikes%s\n",
            rc->spec.name, rc->n, rc->t[rc->n - 1] - rc->t[0], 1e-3 / rc->dt, 1e3 * rc->noise,
            rc->spec.noise > 0.0 ? " (given)" : " (estimated)", ns,
            rc->input ? ", input replayed" : "");
  }
  if (ucl_fit_n_features(f) > 0) {
    fprintf(fp, "Measured features (value +- SD; the preferred variant's at its optimum, and the "
                "difference in SDs):\n");
    for (int k = 0; k < ucl_fit_n_features(f); k++) {
      const ucl_fit_feature *ft = ucl_fit_feature_at(f, k);
      double m = res[best].feature[k];
      char meas[64];
      snprintf(meas, sizeof(meas), "%.6g +- %.3g", ft->value, ft->sd);
      fprintf(fp, "  %-22s %-26s", ft->name, meas);
      if (isfinite(m)) {
        fprintf(fp, "  fitted %.6g (%+.2f SD)\n", m, (m - ft->value) / ft->sd);
      } else {
        fprintf(fp, "  fitted: not measured at the optimum\n");
      }
    }
  }
  fprintf(fp, "\nModel comparison (AIC = chi2 + 2k, BIC = chi2 + k ln n; Gaussian residuals):\n");
  fprintf(fp, "  %-18s %4s %8s %14s %14s %12s %10s\n", "variant", "k", "n", "chi2", "AIC", "dAIC",
          "weight");
  double wt[UCL_FIT_MAX_VARIANTS];
  double amin = akaike(res, nv, wt);
  for (int v = 0; v < nv; v++) {
    fprintf(fp, "  %-18s %4d %8zu %14.6g %14.6g %12.4g %10.4g%s\n", ucl_fit_variant_at(f, v)->name,
            res[v].n_free, res[v].n, res[v].chi2, res[v].aic, res[v].aic - amin, wt[v],
            v == best ? "  <- preferred" : "");
  }
  if (nv > 1 && poor(&res[best])) {
    fprintf(fp,
            "  The preferred variant's fit is POOR (chi2/(n-k) above %g): an information\n"
            "  criterion between optima the search may have missed says nothing about the\n"
            "  models; do not choose a model from this table.\n",
            UCL_FIT_POOR);
  }
  for (int v = 0; v < nv; v++) {
    const ucl_fit_result *rs = &res[v];
    const ucl_fit_variant *va = ucl_fit_variant_at(f, v);
    fprintf(fp, "\nVariant %s%s%s%s: chi2 %.6g over n = %zu (chi2/(n-k) %.4g), %ld evaluations%s\n",
            va->name, va->overrides[0] ? " (" : "", va->overrides, va->overrides[0] ? ")" : "",
            rs->chi2, rs->n,
            rs->n > (size_t)rs->n_free ? rs->chi2 / (double)(rs->n - (size_t)rs->n_free) : NAN,
            rs->evaluations, rs->ok ? "" : "; SOME SIMULATIONS AT THE OPTIMUM FAILED");
    if (poor(rs)) {
      fprintf(
          fp,
          "  POOR FIT: chi2/(n-k) above %g: the model does not follow these data here; the\n"
          "  intervals below describe this point, not the parameters (docs/fit.md \"Status\")\n",
          UCL_FIT_POOR);
    }
    fprintf(fp, "  %-28s %14s %30s  %-15s %s\n", "parameter", "value", "95 % interval", "verdict",
            "to pin it");
    for (int j = 0; j < rs->n_free; j++) {
      const ucl_fit_param *p = &va->free[j];
      char val[48], lo[48], hi[48], ci[100];
      fmt_value(val, sizeof(val), rs->value[j], p->unit);
      fmt_value(lo, sizeof(lo), rs->ci_lo[j], "");
      fmt_value(hi, sizeof(hi), rs->ci_hi[j], p->unit);
      snprintf(ci, sizeof(ci), "[%s, %s]", lo, hi);
      fprintf(fp, "  %-28s %14s %30s  %-15s %s\n", p->name, val, ci,
              ucl_fit_verdict_name(rs->verdict[j]),
              rs->verdict[j] == UCL_FIT_PINNED ? "" : ucl_fit_pin_with(p->name));
    }
    fprintf(fp, "  correlations (scale space):\n");
    for (int a = 0; a < rs->n_free; a++) {
      fprintf(fp, "    %-26s", va->free[a].name);
      for (int b = 0; b < rs->n_free; b++) {
        if (isnan(rs->corr[a][b])) {
          fprintf(fp, "      -");
        } else {
          fprintf(fp, " %6.2f", rs->corr[a][b]);
        }
      }
      fprintf(fp, "\n");
    }
  }
  size_t spikes = 0; /* stage 0 runs when some recording has a measured spike */
  for (int r = 0; r < ucl_fit_n_recordings(f); r++) {
    size_t ns = 0;
    (void)ucl_fit_measured_spikes(f, r, &ns);
    spikes += ns;
  }
  fprintf(fp, "\nMethod (the preferred variant): %s",
          spikes > 0 ? "Levenberg-Marquardt (GSL) on the part before the first spikes, from the "
                       "best of Sobol points there; "
                     : "");
  fprintf(fp,
          "%ld Sobol points over the bounds%s, scored by the recordings' capped mean square "
          "residual and van Rossum distance (tau %.3g ms) and ln(1 + r^2) of the features and "
          "priors; Subplex (NLopt) from the best %d, on that "
          "score then on ln chi2; Levenberg-Marquardt on everything from the one of least chi2",
          res[best].starts,
          spikes > 0 ? " of what it did not pin (and, if it pinned model parameters, as many "
                       "over all of them and its values with each pin back at the base value)"
                     : "",
          1e3 * o->vr_tau, res[best].local);
  if (o->valley > 0) {
    fprintf(fp,
            ", up to %ld steps along the valley (JtJ's eigen-directions) and up to 3 BOBYQA runs "
            "(NLopt) in whitened coordinates, each followed by Levenberg-Marquardt",
            o->valley);
  }
  fprintf(fp, "; 95 %% intervals from the Jacobian at the optimum (Fisher/Laplace approximation) "
              "scaled by max(1, chi2/(n-k)). docs/fit.md.\n");
  fprintf(fp, "Ranks: %d; wall time %.1f s.\n", ranks, wall_s);
}

ucl_status ucl_fit_write(const ucl_fit *f, const ucl_fit_result *res, int n_variants, int best,
                         const char *dir, double wall_s, int ranks, ucl_diag *diag) {
  const ucl_fit_result *b = &res[best];
  ucl_status st = write_parameters(f, b, dir, diag);
  st = st ? st : write_comparison(f, res, n_variants, best, dir, diag);
  st = st ? st : write_overlay(f, b, dir, diag);
  st = st ? st
          : write_text(dir, "fitted.ini", fitted_body, f, b, n_variants, best, wall_s, ranks, diag);
  st = st ? st
          : write_text(dir, "fit.txt", text_body, f, res, n_variants, best, wall_s, ranks, diag);
  return st;
}
