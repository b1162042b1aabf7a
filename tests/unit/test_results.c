/* test_results.c — the output tables (columns.h) of points.csv, rate_curves.csv, bom.csv and
 * draws.csv. Every field a column reads is set to a distinct value through an oracle list
 * written here by hand (name -> field), independent of the tables, so a column that reads the
 * wrong field (a swapped offset) fails; the row is written to memory, parsed back with libcsv
 * and read by name; every column must be in the oracle. And docs/outputs.md lists exactly the
 * columns of every output table (these four, and waveform.csv, events.csv, neurons.csv and the
 * network's events.csv): the blocks between "<!-- columns: NAME -->" and "<!-- /columns -->",
 * each checked against its table here, and no block without a table. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tablecheck.h"
#include "testutil.h"
#include "uclif/columns.h"
#include "uclif/netresults.h"
#include "uclif/pointkind.h"
#include "uclif/results.h"
#include "uclif/sim.h"
#include "uclif/tune.h"

/* A memory stream with a writer for table t, its header written. */
typedef struct memcsv {
  char *buf;
  size_t len;
  FILE *f;
  ucl_csv_writer *w;
} memcsv;

static void mem_open(memcsv *m, const ucl_table *t) {
  memset(m, 0, sizeof(*m));
  m->f = open_memstream(&m->buf, &m->len);
  assert_non_null(m->f);
  assert_int_equal(ucl_csv_wrap(m->f, (int)t->n, &m->w), UCL_OK);
  ucl_diag d = {{0}};
  for (size_t i = 0; i < t->n; i++) {
    assert_int_equal(ucl_csv_text(m->w, t->cols[i].name), UCL_OK);
  }
  assert_int_equal(ucl_csv_end_row(m->w, &d), UCL_OK);
}

static void mem_close(memcsv *m, ucl_test_csv *p) {
  ucl_csv_abort(&m->w);
  assert_int_equal(fclose(m->f), 0);
  ucl_test_csv_parse(m->buf, m->len, p);
  free(m->buf);
}

/* ---- oracles: a column name and the field it must read ---- */

typedef enum okind { O_REAL, O_INT, O_LONG } okind;

typedef struct oracle {
  const char *name;
  okind kind;
  void *field;
} oracle;

typedef struct text_oracle {
  const char *name;
  const char *text; /* what the column must read */
} text_oracle;

/* Set every oracle field to a distinct value (base + its index; reals not whole). */
static void fill(const oracle *o, size_t n, double base) {
  for (size_t i = 0; i < n; i++) {
    double v = base + (double)i;
    switch (o[i].kind) {
    case O_REAL:
      *(double *)o[i].field = v + 0.25;
      break;
    case O_INT:
      *(int *)o[i].field = (int)v;
      break;
    case O_LONG:
      *(long *)o[i].field = (long)v;
      break;
    }
  }
}

static double expected(const oracle *o) {
  switch (o->kind) {
  case O_REAL:
    return *(const double *)o->field;
  case O_INT:
    return *(const int *)o->field;
  case O_LONG:
    return (double)*(const long *)o->field;
  }
  return NAN;
}

/* Every numeric oracle reads back under its name in data row 'row'. */
static void check_oracles(const ucl_test_csv *p, size_t row, const oracle *o, size_t n) {
  for (size_t i = 0; i < n; i++) {
    double got = ucl_test_csv_number(p, row, o[i].name), want = expected(&o[i]);
    if (got != want) {
      fail_msg("column %s reads %.17g, its field holds %.17g", o[i].name, got, want);
    }
  }
}

static void check_texts(const ucl_test_csv *p, size_t row, const text_oracle *o, size_t n) {
  for (size_t i = 0; i < n; i++) {
    const char *got = ucl_test_csv_field(p, row, o[i].name);
    if (strcmp(got, o[i].text) != 0) {
      fail_msg("column %s reads '%s', expected '%s'", o[i].name, got, o[i].text);
    }
  }
}

static int in_oracles(const char *name, const oracle *o, size_t n, const text_oracle *to,
                      size_t nt) {
  for (size_t i = 0; i < n; i++) {
    if (strcmp(o[i].name, name) == 0) {
      return 1;
    }
  }
  for (size_t i = 0; i < nt; i++) {
    if (strcmp(to[i].name, name) == 0) {
      return 1;
    }
  }
  return 0;
}

#define N_OF(a) (sizeof(a) / sizeof((a)[0]))

/* ---- points.csv ---- */

static void test_points_columns(void **state) {
  (void)state;
  static ucl_char_result r;
  memset(&r, 0, sizeof(r));
  const oracle o[] = {
      {"threshold_V", O_REAL, &r.threshold.value},
      {"threshold_lo_V", O_REAL, &r.threshold.lo},
      {"threshold_hi_V", O_REAL, &r.threshold.hi},
      {"threshold_sims", O_INT, &r.threshold.sims},
      {"V_mem_threshold_V", O_REAL, &r.threshold.v_latch},
      {"rheobase_V", O_REAL, &r.rheobase.value},
      {"rheobase_lo_V", O_REAL, &r.rheobase.lo},
      {"rheobase_hi_V", O_REAL, &r.rheobase.hi},
      {"rheobase_sims", O_INT, &r.rheobase.sims},
      {"tau_leak_off_s", O_REAL, &r.tau_leak_off_s},
      {"tau_leak_off_r2", O_REAL, &r.tau_leak_off_r2},
      {"tau_leak_on_s", O_REAL, &r.tau_leak_on_s},
      {"tau_leak_on_r2", O_REAL, &r.tau_leak_on_r2},
      {"leak_amplitude_V", O_REAL, &r.leak_amplitude},
      {"tau_ref_s", O_REAL, &r.tau_ref_s},
      {"tau_ref_r2", O_REAL, &r.tau_ref_r2},
      {"spike_duration_s", O_REAL, &r.spike_duration_s},
      {"V_reset_V", O_REAL, &r.v_reset},
      {"adapt_amplitude_V", O_REAL, &r.adapt_amplitude},
      {"adapt_window_s", O_REAL, &r.adapt_window},
      {"adapt_spikes", O_LONG, &r.adapt_spikes},
      {"tau_adapt_s", O_REAL, &r.adapt.tau_s},
      {"adapt_r0_Hz", O_REAL, &r.adapt.r0_Hz},
      {"adapt_rinf_Hz", O_REAL, &r.adapt.rinf_Hz},
      {"adapt_r2", O_REAL, &r.adapt.r2},
      {"adapt_index_efel", O_REAL, &r.adapt_index_efel},
      {"adapt_index_ipfx", O_REAL, &r.adapt_index_ipfx},
      {"ref_amplitude_V", O_REAL, &r.ref_amplitude},
      {"ref_spikes", O_LONG, &r.ref.spikes},
      {"ref_rate_mean_Hz", O_REAL, &r.ref.rate_mean_Hz},
      {"ref_rate_first_isi_Hz", O_REAL, &r.ref.rate_first_isi_Hz},
      {"ref_rate_steady_Hz", O_REAL, &r.ref.rate_steady_Hz},
      {"ref_latency_s", O_REAL, &r.ref.latency_s},
      {"ref_isi_cv", O_REAL, &r.ref.isi_cv},
      {"E_in_J", O_REAL, &r.e_in_J},
      {"E_vdd_J", O_REAL, &r.e_vdd_J},
      {"energy_per_spike_J", O_REAL, &r.e_per_spike_J},
      {"energy_in_per_spike_J", O_REAL, &r.e_in_per_spike_J},
      {"energy_vdd_per_spike_J", O_REAL, &r.e_vdd_per_spike_J},
      {"energy_paper_J", O_REAL, &r.e_paper_J},
      {"energy_stored_J", O_REAL, &r.e_stored_J},
      {"E_rest_J", O_REAL, &r.e_rest_J},
      {"P_standby_W", O_REAL, &r.p_standby_W},
      {"energy_static_per_spike_J", O_REAL, &r.e_static_per_spike_J},
      {"energy_dynamic_per_spike_J", O_REAL, &r.e_dynamic_per_spike_J},
      {"I_GT_A", O_REAL, &r.tracer.I_GT_A},
      {"I_H_A", O_REAL, &r.tracer.I_H_A},
      {"I_L_A", O_REAL, &r.tracer.I_L_A},
      {"tempco_dT_K", O_REAL, &r.tempco_dT_K},
      {"dthreshold_dT_V_per_K", O_REAL, &r.dthreshold_dT_V_per_K},
      {"drheobase_dT_V_per_K", O_REAL, &r.drheobase_dT_V_per_K},
      {"dtau_leak_off_dT_s_per_K", O_REAL, &r.dtau_leak_off_dT_s_per_K},
      {"dtau_leak_on_dT_s_per_K", O_REAL, &r.dtau_leak_on_dT_s_per_K},
      {"dref_rate_dT_Hz_per_K", O_REAL, &r.dref_rate_dT_Hz_per_K},
      {"threshold_noiseless_V", O_REAL, &r.thr_noiseless.value},
      {"probability_trials", O_LONG, &r.prob_trials},
      {"threshold_p50_V", O_REAL, &r.p50_V},
      {"threshold_p50_lo_V", O_REAL, &r.p50_lo_V},
      {"threshold_p50_hi_V", O_REAL, &r.p50_hi_V},
      {"threshold_width_V", O_REAL, &r.p50_width_V},
      {"p50_amplitude_V", O_REAL, &r.p50_near_V},
      {"p50_p_fire", O_REAL, &r.p50_p_fire},
      {"p50_jitter_s", O_REAL, &r.p50_jitter_s},
      {"p50_isi_cv", O_REAL, &r.p50_isi_cv},
      {"sims", O_LONG, &r.sims},
      {"steps", O_LONG, &r.stats.steps},
      {"rhs_evals", O_LONG, &r.stats.rhs_evals},
      {"jac_evals", O_LONG, &r.stats.jac_evals},
      {"err_test_fails", O_LONG, &r.stats.err_test_fails},
      {"nonlin_fails", O_LONG, &r.stats.nonlin_fails},
      {"restarts", O_LONG, &r.stats.reinits},
  };
  fill(o, N_OF(o), 100.0);
  r.status = UCL_ERR_SOLVER;
  snprintf(r.reason, sizeof(r.reason), "%s", "tau_ref: the solver\nfailed, at \"t\"");
  r.threshold.status = UCL_SEARCH_NEVER_FIRES;
  r.rheobase.status = UCL_SEARCH_FIRES_AT_LOWER;
  r.tracer.gt_status = UCL_TRACER_NO_LATCH;
  r.tracer.h_status = UCL_TRACER_NO_UNLATCH;
  r.tracer.l_status = UCL_TRACER_ON_AT_LOWER;
  const long id = 4242;
  const text_oracle to[] = {
      {"point", "4242"},
      {"status", "solver"},
      {"reason", "tau_ref: the solver failed, at \"t\""}, /* on one line */
      {"threshold_status", "never_fires"},
      {"rheobase_status", "fires_at_lower_bound"},
      {"I_GT_status", "no_latch"},
      {"I_H_status", "no_unlatch"},
      {"I_L_status", "on_at_lower_bound"},
  };
  /* the parameters, read by name through params.h: each a distinct value */
  ucl_params p;
  ucl_params_default(&p);
  for (size_t i = 0; i < ucl_params_count(); i++) {
    const ucl_param_info *in = ucl_params_info(i);
    double v = in->kind == UCL_PARAM_CHOICE  ? (strchr(in->choices, '|') ? 1.0 : 0.0)
               : in->kind == UCL_PARAM_COUNT ? (double)(1 + i)
                                             : 1.5 + (double)i;
    ucl_diag d = {{0}};
    if (ucl_params_set_value(&p, in->name, v, &d) != UCL_OK) {
      fail_msg("%s = %g: %s", in->name, v, d.msg);
    }
  }

  const ucl_table *t = ucl_results_points_table();
  /* every column is in an oracle (a new column needs its entry here) */
  for (size_t i = 0; i < t->n; i++) {
    const ucl_column *c = &t->cols[i];
    int param = c->part == UCL_POINT_PART_PARAMS && ucl_params_find(c->name) != NULL;
    if (!param && !in_oracles(c->name, o, N_OF(o), to, N_OF(to))) {
      fail_msg("points.csv column %s has no oracle entry in test_results.c", c->name);
    }
  }
  memcsv m;
  ucl_test_csv ps;
  ucl_diag d = {{0}};
  mem_open(&m, t);
  assert_int_equal(ucl_results_write_point(m.w, id, &p, &r, &d), UCL_OK);
  mem_close(&m, &ps);
  assert_int_equal(ps.rows, 2);
  assert_int_equal(ps.n[1], (int)t->n);
  check_oracles(&ps, 1, o, N_OF(o));
  check_texts(&ps, 1, to, N_OF(to));
  for (size_t i = 0; i < ucl_params_count(); i++) {
    const ucl_param_info *in = ucl_params_info(i);
    char want[64];
    ucl_params_format(&p, in, want, sizeof(want));
    if (in->kind == UCL_PARAM_CHOICE) {
      assert_string_equal(ucl_test_csv_field(&ps, 1, in->name), want);
    } else {
      double v = 0.0;
      assert_int_equal(ucl_params_get(&p, in->name, &v), UCL_OK);
      assert_true(ucl_test_csv_number(&ps, 1, in->name) == v);
    }
  }
  /* tune's lookup: the same numbers by column, none for text */
  for (size_t i = 0; i < N_OF(o); i++) {
    double v = NAN;
    assert_int_equal(ucl_results_point_number(ucl_table_find(t, o[i].name), &p, &r, &v), 1);
    if (v != expected(&o[i])) {
      fail_msg("ucl_results_point_number(%s) = %.17g, its field holds %.17g", o[i].name, v,
               expected(&o[i]));
    }
  }
  for (size_t i = 1; i < N_OF(to); i++) { /* the point index has no number here */
    double v = 0.0;
    assert_int_equal(ucl_results_point_number(ucl_table_find(t, to[i].name), &p, &r, &v), 0);
  }
  double v = 0.0;
  assert_int_equal(ucl_results_point_number(ucl_table_find(t, "R1"), &p, &r, &v), 1);
  assert_true(v == p.circuit.R1);
  assert_int_equal(ucl_results_point_number(-1, &p, &r, &v), 0);
  /* the names list is the table's */
  int n = 0;
  const char *const *names = ucl_results_point_columns(&n);
  assert_int_equal(n, (int)t->n);
  for (int k = 0; k < n; k++) {
    assert_string_equal(names[k], t->cols[k].name);
  }
  ucl_test_csv_free(&ps);
}

/* ---- rate_curves.csv ---- */

static void test_curve_columns(void **state) {
  (void)state;
  ucl_rate_point pts[2];
  memset(pts, 0, sizeof(pts));
  static ucl_char_result r;
  memset(&r, 0, sizeof(r));
  r.curve = pts;
  r.n_curve = 2;
  for (int k = 0; k < 2; k++) {
    ucl_rate_point *pt = &pts[k];
    const oracle o[] = {
        {"amplitude_V", O_REAL, &pt->amplitude},
        {"simulated", O_INT, &pt->simulated},
        {"spikes", O_LONG, &pt->f.spikes},
        {"rate_mean_Hz", O_REAL, &pt->f.rate_mean_Hz},
        {"rate_first_isi_Hz", O_REAL, &pt->f.rate_first_isi_Hz},
        {"rate_steady_Hz", O_REAL, &pt->f.rate_steady_Hz},
        {"latency_s", O_REAL, &pt->f.latency_s},
        {"isi_mean_s", O_REAL, &pt->f.isi_mean_s},
        {"isi_cv", O_REAL, &pt->f.isi_cv},
        {"adapt_index_efel", O_REAL, &pt->f.adapt_index_efel},
        {"adapt_index_ipfx", O_REAL, &pt->f.adapt_index_ipfx},
        {"E_in_J", O_REAL, &pt->e_in},
        {"E_vdd_J", O_REAL, &pt->e_vdd},
        {"energy_per_spike_J", O_REAL, &pt->e_per_spike},
    };
    const text_oracle to[] = {
        {"point", "77"},
        {"status", k == 0 ? "ok" : "chattering"},
    };
    fill(o, N_OF(o), 10.0 + 100.0 * k);
    pt->status = k == 0 ? UCL_OK : UCL_ERR_EVENTS;
    if (k == 1) {
      const ucl_table *t = ucl_results_curves_table();
      for (size_t i = 0; i < t->n; i++) {
        if (!in_oracles(t->cols[i].name, o, N_OF(o), to, N_OF(to))) {
          fail_msg("rate_curves.csv column %s has no oracle entry in test_results.c",
                   t->cols[i].name);
        }
      }
      memcsv m;
      ucl_test_csv ps;
      ucl_diag d = {{0}};
      mem_open(&m, t);
      assert_int_equal(ucl_results_write_curve(m.w, 77, &r, &d), UCL_OK);
      mem_close(&m, &ps);
      assert_int_equal(ps.rows, 3);
      check_oracles(&ps, 2, o, N_OF(o));
      check_texts(&ps, 2, to, N_OF(to));
      /* row 1 is point 0's: the oracle of k = 0 holds 100 less */
      for (size_t i = 0; i < N_OF(o); i++) {
        assert_true(ucl_test_csv_number(&ps, 1, o[i].name) == expected(&o[i]) - 100.0);
      }
      assert_string_equal(ucl_test_csv_field(&ps, 1, "status"), "ok");
      int n = 0;
      const char *const *names = ucl_results_curve_columns(&n);
      assert_int_equal(n, (int)t->n);
      for (int j = 0; j < n; j++) {
        assert_string_equal(names[j], t->cols[j].name);
      }
      ucl_test_csv_free(&ps);
    }
  }
}

/* ---- threshold_period.csv and fits.csv ---- */

static void test_period_columns(void **state) {
  (void)state;
  ucl_period_threshold pt[2];
  memset(pt, 0, sizeof(pt));
  static ucl_char_result r;
  memset(&r, 0, sizeof(r));
  r.thr_period = pt;
  r.n_thr_period = 2;
  const ucl_table *t = ucl_results_period_table();
  for (int k = 0; k < 2; k++) {
    const oracle o[] = {
        {"period_s", O_REAL, &pt[k].period_s},
        {"threshold_V", O_REAL, &pt[k].thr.value},
        {"threshold_lo_V", O_REAL, &pt[k].thr.lo},
        {"threshold_hi_V", O_REAL, &pt[k].thr.hi},
        {"threshold_sims", O_INT, &pt[k].thr.sims},
        {"V_mem_threshold_V", O_REAL, &pt[k].thr.v_latch},
    };
    fill(o, N_OF(o), 10.0 + 100.0 * k);
    pt[k].thr.status = k ? UCL_SEARCH_NEVER_FIRES : UCL_SEARCH_OK;
    char f[32];
    snprintf(f, sizeof(f), "%.17g", 1.0 / pt[k].period_s);
    const text_oracle to[] = {{"frequency_Hz", f}, {"threshold_status", k ? "never_fires" : "ok"}};
    for (size_t i = 0; k == 0 && i < t->n; i++) {
      if (!in_oracles(t->cols[i].name, o, N_OF(o), to, N_OF(to))) {
        fail_msg("threshold_period.csv column %s has no oracle entry", t->cols[i].name);
      }
    }
    memcsv m;
    ucl_test_csv ps;
    ucl_diag d = {{0}};
    mem_open(&m, t);
    assert_int_equal(ucl_results_write_periods(m.w, &r, &d), UCL_OK);
    mem_close(&m, &ps);
    assert_int_equal(ps.rows, 3);
    check_oracles(&ps, (size_t)k + 1, o, N_OF(o));
    check_texts(&ps, (size_t)k + 1, to, N_OF(to));
    ucl_test_csv_free(&ps);
  }
}

/* probability.csv: one row per amplitude, every column by name. */
static void test_prob_columns(void **state) {
  (void)state;
  ucl_prob_point pt[2];
  memset(pt, 0, sizeof(pt));
  static ucl_char_result r;
  memset(&r, 0, sizeof(r));
  r.prob = pt;
  r.n_prob = 2;
  const ucl_table *t = ucl_results_prob_table();
  for (int k = 0; k < 2; k++) {
    const oracle o[] = {
        {"amplitude_V", O_REAL, &pt[k].amplitude},
        {"trials", O_LONG, &pt[k].trials},
        {"fired", O_LONG, &pt[k].fired},
        {"p_fire", O_REAL, &pt[k].p_fire},
        {"p_lo", O_REAL, &pt[k].p_lo},
        {"p_hi", O_REAL, &pt[k].p_hi},
        {"latency_mean_s", O_REAL, &pt[k].latency_s},
        {"jitter_s", O_REAL, &pt[k].jitter_s},
        {"isis", O_LONG, &pt[k].isis},
        {"isi_mean_s", O_REAL, &pt[k].isi_mean_s},
        {"isi_cv", O_REAL, &pt[k].isi_cv},
    };
    fill(o, N_OF(o), 10.0 + 100.0 * k);
    pt[k].status = k ? UCL_ERR_LIMIT : UCL_OK;
    const text_oracle to[] = {{"status", k ? "limit" : "ok"}};
    for (size_t i = 0; k == 0 && i < t->n; i++) {
      if (!in_oracles(t->cols[i].name, o, N_OF(o), to, N_OF(to))) {
        fail_msg("probability.csv column %s has no oracle entry", t->cols[i].name);
      }
    }
    memcsv m;
    ucl_test_csv ps;
    ucl_diag d = {{0}};
    mem_open(&m, t);
    assert_int_equal(ucl_results_write_prob(m.w, &r, &d), UCL_OK);
    mem_close(&m, &ps);
    assert_int_equal(ps.rows, 3);
    check_oracles(&ps, (size_t)k + 1, o, N_OF(o));
    check_texts(&ps, (size_t)k + 1, to, N_OF(to));
    ucl_test_csv_free(&ps);
    /* a sweep's probability.csv: the point's index, then the same columns in the same order */
    const ucl_table *st = ucl_results_sweep_prob_table();
    assert_int_equal(st->n, t->n + 1);
    assert_string_equal(st->cols[0].name, "point");
    for (size_t i = 0; i < t->n; i++) {
      assert_string_equal(st->cols[i + 1].name, t->cols[i].name);
    }
    long pid = 7;
    const oracle op[] = {{"point", O_LONG, &pid}};
    mem_open(&m, st);
    assert_int_equal(ucl_results_write_sweep_prob(m.w, pid, &r, &d), UCL_OK);
    mem_close(&m, &ps);
    assert_int_equal(ps.rows, 3);
    check_oracles(&ps, (size_t)k + 1, o, N_OF(o));
    check_oracles(&ps, (size_t)k + 1, op, N_OF(op));
    check_texts(&ps, (size_t)k + 1, to, N_OF(to));
    ucl_test_csv_free(&ps);
  }
}

/* fits.csv: the samples and the curve of each fit, by name, in fit order; the residual is the
 * difference. */
static void test_fit_columns(void **state) {
  (void)state;
  static ucl_char_result r;
  memset(&r, 0, sizeof(r));
  double buf[UCL_N_FITS][8];
  for (int k = 0; k < UCL_N_FITS; k++) {
    r.fits[k].t = buf[k];
    r.fits[k].y = buf[k] + 4;
    r.fits[k].n = k == 1 ? 0 : 4; /* a fit that was not made has no rows */
    r.fits[k].fit = (ucl_exp_fit){0.5 + k, 1e-3 * (k + 1), 0.1 * k, 0.99, 0};
    for (int i = 0; i < 4; i++) {
      buf[k][i] = 1e-3 * i + k;
      buf[k][4 + i] = 2.0 - 0.1 * i - k;
    }
  }
  const ucl_table *t = ucl_results_fits_table();
  memcsv m;
  ucl_test_csv ps;
  ucl_diag d = {{0}};
  mem_open(&m, t);
  assert_int_equal(ucl_results_write_fits(m.w, &r, &d), UCL_OK);
  mem_close(&m, &ps);
  assert_int_equal(ps.rows, 9); /* the header and 4 + 0 + 4 samples */
  static const char *const names[] = {"tau_leak_off", "tau_ref"};
  static const int fits[] = {UCL_FIT_LEAK_OFF, UCL_FIT_REF};
  for (int j = 0; j < 2; j++) {
    const ucl_fit_samples *s = &r.fits[fits[j]];
    for (int i = 0; i < 4; i++) {
      size_t row = 1 + 4 * (size_t)j + (size_t)i;
      double fit = s->fit.offset + s->fit.amp * exp(-(s->t[i] - s->t[0]) / s->fit.tau);
      assert_string_equal(ucl_test_csv_field(&ps, row, "fit"), names[j]);
      assert_true(ucl_test_csv_number(&ps, row, "t_s") == s->t[i]);
      assert_true(ucl_test_csv_number(&ps, row, "V_mem_V") == s->y[i]);
      assert_true(ucl_test_csv_number(&ps, row, "V_fit_V") == fit);
      assert_true(ucl_test_csv_number(&ps, row, "residual_V") == s->y[i] - fit);
    }
  }
  ucl_test_csv_free(&ps);
}

/* ---- bom.csv and draws.csv ---- */

static ucl_tune *load_tune(void) {
  const char *path =
      ucl_test_write_temp("[free]\nC = 4.7n, 47n, e24\n[targets]\nthreshold_V = 5 +- 2%\n"
                          "tau_leak_off_s = 6m +- 3%\n[tolerance]\nR2 = 2%\n");
  ucl_tune *t = NULL;
  ucl_diag d = {{0}};
  ucl_status st = ucl_tune_load(path, &t, &d);
  unlink(path);
  if (st != UCL_OK) {
    fail_msg("%s", d.msg);
  }
  return t;
}

static void test_bom_columns(void **state) {
  (void)state;
  ucl_tune_bom_row row;
  memset(&row, 0, sizeof(row));
  const oracle o[] = {
      {"value", O_REAL, &row.value},
      {"tolerance_pct", O_REAL, &row.tolerance_pct},
  };
  fill(o, N_OF(o), 10.0);
  row.designator = "R9";
  snprintf(row.nominal, sizeof(row.nominal), "%s", "4k7");
  row.part_number = "1N4148";
  row.unit = "Ohm";
  snprintf(row.series, sizeof(row.series), "%s", "E96");
  row.role = "tuned";
  row.description = "a description, with \"quotes\"";
  const text_oracle to[] = {
      {"designator", "R9"},
      {"nominal", "4k7"},
      {"part_number", "1N4148"},
      {"unit", "Ohm"},
      {"series", "E96"},
      {"role", "tuned"},
      {"description", "a description, with \"quotes\""},
  };
  const ucl_table *t = ucl_tune_bom_table();
  for (size_t i = 0; i < t->n; i++) {
    if (!in_oracles(t->cols[i].name, o, N_OF(o), to, N_OF(to))) {
      fail_msg("bom.csv column %s has no oracle entry in test_results.c", t->cols[i].name);
    }
  }
  memcsv m;
  ucl_test_csv ps;
  ucl_diag d = {{0}};
  mem_open(&m, t);
  const void *parts[1] = {&row};
  assert_int_equal(ucl_table_write_row(t, parts, m.w, &d), UCL_OK);
  mem_close(&m, &ps);
  assert_int_equal(ps.rows, 2);
  check_oracles(&ps, 1, o, N_OF(o));
  check_texts(&ps, 1, to, N_OF(to));
  ucl_test_csv_free(&ps);

  /* the row of a part: C tuned (E24, 10 % by default), R2 fixed at 2 % */
  ucl_tune *tu = load_tune();
  assert_string_equal(ucl_tune_part_at(tu, 0)->name, "C");
  ucl_tune_bom_row_of(tu, 0, 15e-9, &row);
  assert_string_equal(row.designator, "C");
  assert_string_equal(row.nominal, "15n");
  assert_string_equal(row.part_number, "");
  assert_true(row.value == 15e-9);
  assert_string_equal(row.unit, "F");
  assert_string_equal(row.series, "E24");
  assert_true(row.tolerance_pct == 10.0);
  assert_string_equal(row.role, "tuned");
  assert_string_equal(row.description, ucl_params_find("C")->desc);
  for (int k = 0; k < ucl_tune_n_parts(tu); k++) {
    if (strcmp(ucl_tune_part_at(tu, k)->name, "R2") == 0) {
      ucl_tune_bom_row_of(tu, k, 1e5, &row);
      assert_string_equal(row.unit, "Ohm");
      assert_string_equal(row.series, "");
      assert_true(row.tolerance_pct == 2.0);
      assert_string_equal(row.role, "fixed");
    }
  }
  ucl_tune_destroy(&tu);
}

/* The RKM code of IEC 60062 as bom.csv writes it, and the parts outside the tolerance analysis. */
static void test_bom_rkm_and_other_parts(void **state) {
  (void)state;
  const struct {
    double v;
    const char *unit, *want;
  } cases[] = {
      {68e3, "Ohm", "68k"},       {4.7e3, "Ohm", "4k7"},
      {1.8e-8, "F", "18n"},       {1.7999999999999999e-08, "F", "18n"},
      {15e-9, "F", "15n"},        {4.7e-9, "F", "4n7"},
      {2.2, "Ohm", "2R2"},        {470.0, "Ohm", "470R"},
      {1.5e6, "Ohm", "1M5"},      {10e9, "Ohm", "10G"},
      {22e-6, "F", "22u"},        {4.87e3, "Ohm", "4k87"},
      {1.5, "F", "1F5"},          {999.96, "Ohm", "1k"},
      {100e-12, "F", "100p"},     {390e3, "Ohm", "390k"},
      {12.345e3, "Ohm", "12k35"}, {0.0, "Ohm", "0"},
  };
  for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    char b[16];
    ucl_tune_rkm(cases[i].v, cases[i].unit, b, sizeof(b));
    if (strcmp(b, cases[i].want) != 0) {
      fail_msg("rkm(%.17g %s) = '%s', want '%s'", cases[i].v, cases[i].unit, b, cases[i].want);
    }
  }
  /* type I, hybrid SCR: R_in, D, SCR, T1, T2 */
  ucl_tune *tu = load_tune();
  const char *want[][2] = {
      {"R_in", ""}, {"D", "1N4148"}, {"SCR", "CR02AM"}, {"T1", "IRLML6246"}, {"T2", "ZVP3310A"}};
  assert_int_equal(ucl_tune_bom_n_other(tu), 5);
  for (int k = 0; k < 5; k++) {
    ucl_tune_bom_row row;
    ucl_tune_bom_other_row(tu, k, &row);
    assert_string_equal(row.designator, want[k][0]);
    assert_string_equal(row.part_number, want[k][1]);
    assert_string_equal(row.role, "not drawn");
    if (k == 0) {
      assert_string_equal(row.nominal, "10k");
      assert_true(row.value == 10e3);
      assert_string_equal(row.unit, "Ohm");
      assert_true(row.tolerance_pct == 1.0); /* the resistors' default */
    } else {
      assert_string_equal(row.nominal, "");
      assert_true(isnan(row.value) && isnan(row.tolerance_pct));
    }
  }
  ucl_tune_destroy(&tu);
  /* type II with the peak loop adds T3 and D2; the Mott soma has no SCR */
  const struct {
    const char *spec;
    int n;
    const char *last;
  } kinds[] = {
      {"[circuit]\nneuron = type2\n", 7, "D2"},
      {"[circuit]\nneuron = type2\nloop = series\n", 6, "T3"},
      {"[circuit]\nneuron = mott\n", 5, "T2"},
  };
  for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
    char text[256];
    snprintf(text, sizeof(text), "%s[targets]\nthreshold_V = 5 +- 2%%\n", kinds[i].spec);
    const char *path = ucl_test_write_temp(text);
    ucl_diag d = {{0}};
    ucl_status st = ucl_tune_load(path, &tu, &d);
    unlink(path);
    if (st != UCL_OK) {
      fail_msg("%s", d.msg);
    }
    assert_int_equal(ucl_tune_bom_n_other(tu), kinds[i].n);
    ucl_tune_bom_row row;
    ucl_tune_bom_other_row(tu, kinds[i].n - 1, &row);
    assert_string_equal(row.designator, kinds[i].last);
    int has_scr = 0;
    for (int k = 0; k < kinds[i].n; k++) {
      ucl_tune_bom_other_row(tu, k, &row);
      has_scr |= strcmp(row.designator, "SCR") == 0;
    }
    assert_int_equal(has_scr, i < 2);
    ucl_tune_destroy(&tu);
  }
}

static void test_draws_columns(void **state) {
  (void)state;
  ucl_tune *tu = load_tune();
  int nt = ucl_tune_n_targets(tu), np = ucl_tune_n_parts(tu);
  assert_int_equal(nt, 2);
  assert_int_equal(np, 7); /* type I: R1 ... R6, C */
  ucl_tune_eval e;
  memset(&e, 0, sizeof(e));
  double vals[UCL_TUNE_MAX_PARTS];
  long id = 31;
  oracle o[3 + UCL_TUNE_MAX_TARGETS + UCL_TUNE_MAX_PARTS];
  size_t n = 0;
  o[n++] = (oracle){"draw", O_LONG, &id};
  o[n++] = (oracle){"met", O_INT, &e.met};
  o[n++] = (oracle){"cost", O_REAL, &e.cost};
  for (int k = 0; k < nt; k++) {
    o[n++] = (oracle){ucl_tune_target_at(tu, k)->name, O_REAL, &e.f[k]};
  }
  for (int k = 0; k < np; k++) {
    o[n++] = (oracle){ucl_tune_part_at(tu, k)->name, O_REAL, &vals[k]};
  }
  fill(o, n, 50.0);
  const ucl_table *t = ucl_tune_draws_table(tu);
  assert_int_equal(t->n, n); /* names in the oracle, in file order */
  for (size_t i = 0; i < n; i++) {
    assert_string_equal(t->cols[i].name, o[i].name);
  }
  memcsv m;
  ucl_test_csv ps;
  ucl_diag d = {{0}};
  mem_open(&m, t);
  const void *parts[3];
  parts[UCL_DRAW_PART_ID] = &id;
  parts[UCL_DRAW_PART_EVAL] = &e;
  parts[UCL_DRAW_PART_VALUES] = vals;
  assert_int_equal(ucl_table_write_row(t, parts, m.w, &d), UCL_OK);
  mem_close(&m, &ps);
  check_oracles(&ps, 1, o, n);
  ucl_test_csv_free(&ps);
  /* units and procedures: the feature's points.csv column's, the parameter's */
  const ucl_column *c = &t->cols[ucl_table_find(t, "threshold_V")];
  assert_string_equal(c->unit, "V");
  assert_string_equal(c->procedure, "threshold");
  c = &t->cols[ucl_table_find(t, "tau_leak_off_s")];
  assert_string_equal(c->unit, "s");
  assert_string_equal(c->procedure, "tau_leak");
  assert_string_equal(t->cols[ucl_table_find(t, "R1")].unit, "Ohm");
  assert_string_equal(t->cols[ucl_table_find(t, "C")].unit, "F");
  ucl_tune_destroy(&tu);
}

/* ---- docs/outputs.md lists exactly the tables' columns: every output table, here ---- */

#define OUTPUTS_MD UCL_SOURCE_DIR "/docs/outputs.md"

static const char *points_collapse(const ucl_column *c) {
  return c->part == UCL_POINT_PART_PARAMS
             ? "| every parameter | its unit (`uclif params`) | – | the configuration, one column "
               "per parameter, named as in `uclif params` |"
             : NULL;
}

static const char *draws_collapse(const ucl_column *c) {
  if (c->part == UCL_DRAW_PART_EVAL && c->offset >= offsetof(ucl_tune_eval, f) &&
      c->offset < offsetof(ucl_tune_eval, f) + sizeof(((ucl_tune_eval *)0)->f)) {
    return "| each target's feature, named as its points.csv column | its column's | its "
           "column's | the feature in this draw (empty when not measured) |";
  }
  if (c->part == UCL_DRAW_PART_VALUES) {
    return "| each part, named as its parameter | its unit | – | the part's drawn value |";
  }
  return NULL;
}

static const char *mc_points_collapse(const ucl_column *c) {
  return c->part == UCL_POINT_PART_MC || c->part == UCL_POINT_PART_ID
             ? NULL
             : "| `status`, `reason`, every parameter, every feature | as above | as above | "
               "the columns of points.csv above, in its order |";
}

static const char *sweep_prob_collapse(const ucl_column *c) {
  return c->part == UCL_CURVE_PART_ID ? NULL
                                      : "| `amplitude_V`, `trials`, …, `status` | as above | "
                                        "probability | the columns of probability.csv above, in "
                                        "its order |";
}

/* Every table with a block in docs/outputs.md, under the block's marker: one call per table. */
static void test_docs_list_the_columns(void **state) {
  (void)state;
  ucl_tune *tu = load_tune();
  const struct {
    const char *marker;
    const ucl_table *t;
    ucl_test_collapse_fn collapse;
  } blocks[] = {
      {"waveform.csv", ucl_sim_waveform_table(), NULL},
      {"events.csv", ucl_sim_events_table(), NULL},
      {"network events.csv", ucl_net_events_table(), NULL},
      {"neurons.csv", ucl_net_neurons_table(), NULL},
      {"points.csv", ucl_results_points_table(), points_collapse},
      {"montecarlo points.csv", ucl_point_mc_points_table(), mc_points_collapse},
      {"rate_curves.csv", ucl_results_curves_table(), NULL},
      {"threshold_period.csv", ucl_results_period_table(), NULL},
      {"fits.csv", ucl_results_fits_table(), NULL},
      {"probability.csv", ucl_results_prob_table(), NULL},
      {"sweep probability.csv", ucl_results_sweep_prob_table(), sweep_prob_collapse},
      {"bom.csv", ucl_tune_bom_table(), NULL},
      {"draws.csv", ucl_tune_draws_table(tu), draws_collapse},
  };
  int bad = 0;
  for (size_t i = 0; i < N_OF(blocks); i++) {
    bad += ucl_test_doc_block(OUTPUTS_MD, blocks[i].marker, blocks[i].t, blocks[i].collapse);
  }
  ucl_tune_destroy(&tu);
  /* and no block in the doc goes unchecked */
  char *doc = ucl_test_read_file(OUTPUTS_MD, NULL);
  static const char open[] = "<!-- columns: ";
  for (const char *a = strstr(doc, open); a; a = strstr(a + 1, open)) {
    const char *m = a + strlen(open), *e = strstr(m, " -->");
    assert_non_null(e);
    size_t i = 0;
    while (i < N_OF(blocks) && !(strlen(blocks[i].marker) == (size_t)(e - m) &&
                                 strncmp(blocks[i].marker, m, (size_t)(e - m)) == 0)) {
      i++;
    }
    if (i == N_OF(blocks)) {
      fprintf(stderr, "docs/outputs.md: block '%.*s' is checked against no table\n", (int)(e - m),
              m);
      bad++;
    }
  }
  free(doc);
  if (bad) {
    fail_msg("%d block(s) of docs/outputs.md differ from the tables (expected blocks above)", bad);
  }
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_points_columns), cmocka_unit_test(test_curve_columns),
      cmocka_unit_test(test_bom_columns),    cmocka_unit_test(test_bom_rkm_and_other_parts),
      cmocka_unit_test(test_draws_columns),  cmocka_unit_test(test_docs_list_the_columns),
      cmocka_unit_test(test_period_columns), cmocka_unit_test(test_fit_columns),
      cmocka_unit_test(test_prob_columns),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
