/* fit_stats.c — uncertainty and identifiability at a fit's optimum (docs/fit.md "Uncertainty"). */
#include <gsl/gsl_linalg.h>
#include <gsl/gsl_matrix.h>
#include <gsl/gsl_vector.h>
#include <math.h>
#include <string.h>

#include "uclif/fit.h"

const char *ucl_fit_verdict_name(int verdict) {
  switch (verdict) {
  case UCL_FIT_PINNED:
    return "pinned";
  case UCL_FIT_PARTLY:
    return "partly";
  default:
    return "not identified";
  }
}

/* What pins each parameter (docs/fit.md "Identifiability"): the recording or measurement in
 * which it changes the data most and alone. Matched on the key's name. */
const char *ucl_fit_pin_with(const char *name) {
  static const struct {
    const char *key, *how;
  } table[] = {
      {"R_in", "a DC step below the onset: the charging time constant and level (V_mem)"},
      {"C", "a pause after a few pulses: the sub-threshold decay tau_leak (V_mem)"},
      {"R1", "a pause after a few pulses: the sub-threshold decay tau_leak (V_mem)"},
      {"R2", "a pause after a few pulses: the sub-threshold decay tau_leak (V_mem)"},
      {"VDD", "a recording of V_out: VDD sets the output pulses' height"},
      {"scr.I_GT", "a slow staircase through the onset (the firing threshold), or the curve "
                   "tracer's I_GT_A as a feature"},
      {"scr.I_H", "a DC input well above the onset: the reset level and the ISI, or the curve "
                  "tracer's I_H_A as a feature"},
      {"scr.R_GK", "a staircase through the onset and a pause (gate shunt: threshold and leak)"},
      {"scr.pnp.BF", "a slow staircase through the onset (the firing threshold)"},
      {"scr.npn.BF", "a DC input above the onset: the reset level and the ISI"},
      {"R7", "a long DC input: the adaptation time constant (type II)"},
      {"C2", "a long DC input: the adaptation time constant; V_C2 if it can be probed"},
      {"daq.gain.", "a calibration of the channel against a reference voltage"},
  };
  for (size_t k = 0; k < sizeof(table) / sizeof(table[0]); k++) {
    size_t l = strlen(table[k].key);
    int prefix = table[k].key[l - 1] == '.';
    if (prefix ? strncmp(name, table[k].key, l) == 0 : strcmp(name, table[k].key) == 0) {
      return table[k].how;
    }
  }
  return "";
}

ucl_status ucl_fit_analyse(const ucl_fit *f, int v, const double *x, const double *J, size_t n_rows,
                           double chi2, ucl_fit_result *res, ucl_diag *diag) {
  const ucl_fit_variant *va = ucl_fit_variant_at(f, v);
  size_t k = (size_t)va->n_free;
  memset(res, 0, sizeof(*res));
  res->variant = v;
  res->n_free = va->n_free;
  res->chi2 = chi2;
  res->n = ucl_fit_n_residuals(f, v);
  /* the SVD needs rows >= columns: zero rows pad a short Jacobian (they change nothing) */
  size_t m = n_rows > k ? n_rows : k;
  gsl_matrix *A = gsl_matrix_calloc(m, k);
  gsl_matrix *V = gsl_matrix_alloc(k, k);
  gsl_vector *S = gsl_vector_alloc(k);
  gsl_vector *work = gsl_vector_alloc(k);
  if (!A || !V || !S || !work) {
    gsl_matrix_free(A);
    gsl_matrix_free(V);
    gsl_vector_free(S);
    gsl_vector_free(work);
    return ucl_diag_set(diag, UCL_ERR_NOMEM, "out of memory");
  }
  for (size_t i = 0; i < n_rows; i++) {
    for (size_t j = 0; j < k; j++) {
      double a = J[i * k + j];
      gsl_matrix_set(A, i, j, isfinite(a) ? a : 0.0);
    }
  }
  int svd = gsl_linalg_SV_decomp(A, V, S, work);
  double smax = svd == 0 ? gsl_vector_get(S, 0) : 0.0;
  double thr = 1e-8 * smax;
  int not_id[UCL_FIT_MAX_FREE] = {0};
  double cov[UCL_FIT_MAX_FREE][UCL_FIT_MAX_FREE];
  memset(cov, 0, sizeof(cov));
  res->rank = 0;
  for (size_t i = 0; i < k; i++) {
    double s = svd == 0 ? gsl_vector_get(S, i) : 0.0;
    if (s > thr && s > 0.0) {
      res->rank++;
      for (size_t a = 0; a < k; a++) {
        for (size_t b = 0; b < k; b++) {
          cov[a][b] += gsl_matrix_get(V, a, i) * gsl_matrix_get(V, b, i) / (s * s);
        }
      }
    } else {
      for (size_t a = 0; a < k; a++) {
        if (svd != 0 || fabs(gsl_matrix_get(V, a, i)) > 0.1) {
          not_id[a] = 1;
        }
      }
    }
  }
  gsl_matrix_free(A);
  gsl_matrix_free(V);
  gsl_vector_free(S);
  gsl_vector_free(work);
  double dof = (double)res->n - (double)k;
  res->scale_cov = dof > 0.0 && chi2 / dof > 1.0 ? chi2 / dof : 1.0;
  for (size_t j = 0; j < k; j++) {
    const ucl_fit_param *p = &va->free[j];
    double lo = ucl_fit_param_x(p, p->lo), hi = ucl_fit_param_x(p, p->hi);
    double xc = fmin(hi, fmax(lo, x[j])); /* LM may end a little past a bound */
    res->x[j] = xc;
    res->value[j] = ucl_fit_param_value(p, xc);
    double sd = not_id[j] ? INFINITY : sqrt(cov[j][j] * res->scale_cov);
    double prior_spread = (hi - lo) / sqrt(12.0);
    double ratio = sd / prior_spread;
    res->verdict[j] =
        ratio < 0.1 ? UCL_FIT_PINNED : (ratio < 0.5 ? UCL_FIT_PARTLY : UCL_FIT_NOT_IDENTIFIED);
    if (res->verdict[j] == UCL_FIT_NOT_IDENTIFIED) {
      res->ci_lo[j] = p->lo;
      res->ci_hi[j] = p->hi;
    } else {
      res->ci_lo[j] = ucl_fit_param_value(p, fmax(lo, xc - 1.96 * sd));
      res->ci_hi[j] = ucl_fit_param_value(p, fmin(hi, xc + 1.96 * sd));
    }
    res->sd[j] = sd;
  }
  for (size_t a = 0; a < k; a++) {
    for (size_t b = 0; b < k; b++) {
      res->corr[a][b] = (not_id[a] || not_id[b] || !(cov[a][a] > 0.0) || !(cov[b][b] > 0.0))
                            ? NAN
                            : cov[a][b] / sqrt(cov[a][a] * cov[b][b]);
    }
  }
  res->aic = chi2 + 2.0 * (double)k;
  res->bic = chi2 + (double)k * log((double)(res->n > 0 ? res->n : 1));
  return UCL_OK;
}
