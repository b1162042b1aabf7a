/* test_sim.c — the single neuron's output tables (sim.h): waveform.csv and events.csv written
 * from their tables, read back by column name; every channel of every neuron type documented.
 * (Their blocks in docs/outputs.md are checked with every other table's in test_results.c.) */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "uclif/circuit.h"
#include "uclif/csvio.h"
#include "uclif/sim.h"
#include "uclif/spec.h"
#include "tablecheck.h"
#include "testutil.h"

/* ---- writing through the tables ---- */

/* A trace with channels in an order of its own and a distinct value in every cell. */
static const char *const trace_channels[] = {"I_gate_A", "V_mem_V", "scr_on", "V_C2_V", "V_in_V"};
enum { NCH = 5, NROWS = 4 };

static double cell_value(int row, int ch) {
  return (ch == 2) ? (double)(row & 1) /* scr_on */
                   : (1.0 + 0.1234567891234 * (row + 1)) * pow(10.0, -3 * ch) * (ch % 2 ? -1 : 1);
}

static ucl_trace *filled_trace(void) {
  ucl_trace *tr = NULL;
  assert_int_equal(ucl_trace_create(NCH, trace_channels, 100, &tr, NULL), UCL_OK);
  for (int r = 0; r < NROWS; r++) {
    double v[NCH];
    for (int k = 0; k < NCH; k++) {
      v[k] = cell_value(r, k);
    }
    /* rows 1 and 2 share their time, as the two rows at an event do */
    double t = r < 2 ? r * 1e-6 / 3.0 : (r - 1) * 1e-6 / 3.0;
    assert_int_equal(ucl_trace_add_sample(tr, t, v), UCL_OK);
  }
  ucl_event e1 = {1.0 / 3.0 * 1e-3, UCL_EVENT_LATCH, 0, 2.2343959708752692};
  ucl_event e2 = {0.0011455972639532058, UCL_EVENT_UNLATCH, 3, -1.0 / 7.0};
  assert_int_equal(ucl_trace_add_event(tr, &e1), UCL_OK);
  assert_int_equal(ucl_trace_add_event(tr, &e2), UCL_OK);
  return tr;
}

static void temp_dir(char *dir) {
  snprintf(dir, 32, "/tmp/ucl_sim_XXXXXX");
  assert_non_null(mkdtemp(dir));
}

static void test_write_read_back_by_name(void **state) {
  (void)state;
  char dir[32], wpath[64], epath[64];
  temp_dir(dir);
  snprintf(wpath, sizeof(wpath), "%s/waveform.csv", dir);
  snprintf(epath, sizeof(epath), "%s/events.csv", dir);
  ucl_trace *tr = filled_trace();
  ucl_diag d = {{0}};
  assert_int_equal(ucl_sim_write_csv(tr, wpath, epath, &d), UCL_OK);

  ucl_test_csv t;
  ucl_test_csv_read(wpath, &t);
  assert_int_equal(t.rows, NROWS + 1);
  assert_int_equal(t.n[0], NCH + 1);
  assert_string_equal(t.f[0][0], "t_s"); /* t_s, then the trace's channels in its order */
  for (int k = 0; k < NCH; k++) {
    assert_string_equal(t.f[0][k + 1], trace_channels[k]);
  }
  for (int r = 0; r < NROWS; r++) {
    const double *row = ucl_trace_sample(tr, (size_t)r);
    assert_true(ucl_test_csv_number(&t, (size_t)r + 1, "t_s") == row[0]); /* exact */
    for (int k = 0; k < NCH; k++) {
      const char *text = ucl_test_csv_field(&t, (size_t)r + 1, trace_channels[k]);
      char want[UCL_CSV_NUMBER_SIZE];
      ucl_csv_format_sample(cell_value(r, k), want);
      assert_string_equal(text, want);
      assert_close(strtod(text, NULL), cell_value(r, k), 5e-9, 0.0);
    }
  }
  /* the two rows at an event share their time, to the last bit */
  assert_string_equal(t.f[2][0], t.f[3][0]);
  ucl_test_csv_free(&t);

  ucl_test_csv_read(epath, &t);
  assert_int_equal(t.rows, 3);
  for (size_t i = 0; i < 2; i++) {
    const ucl_event *e = ucl_trace_event(tr, i);
    assert_true(ucl_test_csv_number(&t, i + 1, "t_s") == e->t);
    assert_string_equal(ucl_test_csv_field(&t, i + 1, "kind"), ucl_event_kind_name(e->kind));
    assert_int_equal(strtol(ucl_test_csv_field(&t, i + 1, "unit"), NULL, 10), e->unit);
    assert_true(ucl_test_csv_number(&t, i + 1, "V_mem_V") == e->v);
  }
  /* the file order of events.csv is fixed */
  const char *const ecols[] = {"t_s", "kind", "unit", "V_mem_V"};
  assert_int_equal(t.n[0], 4);
  for (int k = 0; k < 4; k++) {
    assert_string_equal(t.f[0][k], ecols[k]);
  }
  ucl_test_csv_free(&t);
  ucl_trace_destroy(&tr);
  unlink(wpath);
  unlink(epath);
  rmdir(dir);
}

/* A channel without a column is refused, and neither file appears. */
static void test_unknown_channel(void **state) {
  (void)state;
  static const char *const names[] = {"V_mem_V", "V_bogus_V"};
  ucl_trace *tr = NULL;
  assert_int_equal(ucl_trace_create(2, names, 10, &tr, NULL), UCL_OK);
  double v[2] = {1.0, 2.0};
  assert_int_equal(ucl_trace_add_sample(tr, 0.0, v), UCL_OK);
  char dir[32], wpath[64], epath[64];
  temp_dir(dir);
  snprintf(wpath, sizeof(wpath), "%s/waveform.csv", dir);
  snprintf(epath, sizeof(epath), "%s/events.csv", dir);
  ucl_diag d = {{0}};
  assert_int_equal(ucl_sim_write_csv(tr, wpath, epath, &d), UCL_ERR_INVAL);
  assert_non_null(strstr(d.msg, "V_bogus_V"));
  assert_int_equal(access(wpath, F_OK), -1);
  assert_int_equal(access(epath, F_OK), -1);
  ucl_trace_destroy(&tr);
  rmdir(dir);
}

/* Every channel of every neuron type has a column, with the unit its name ends in; the names the
 * measure layer looks up are among them. */
static void test_every_channel_documented(void **state) {
  (void)state;
  const ucl_table *wt = ucl_sim_waveform_table();
  static const char *const types[] = {"neuron=type1", "neuron=type2", "neuron=mott"};
  for (int i = 0; i < 3; i++) {
    ucl_params p = ucl_test_config(&types[i], 1);
    ucl_neuron *n = NULL;
    assert_int_equal(ucl_neuron_create(&p, &n, NULL), UCL_OK);
    const ucl_system *sys = ucl_neuron_system(n);
    for (int k = 0; k < sys->n_channels; k++) {
      long c = ucl_table_find(wt, sys->channel_names[k]);
      if (c < 1) {
        fail_msg("%s: channel %s has no waveform column", types[i], sys->channel_names[k]);
      }
      assert_int_equal(wt->cols[c].kind, UCL_COL_SAMPLE);
    }
    ucl_neuron_destroy(&n);
  }
  for (size_t c = 0; c < wt->n; c++) {
    const ucl_column *col = &wt->cols[c];
    const char *us = strrchr(col->name, '_');
    if (col->unit[0]) {
      assert_non_null(us);
      assert_string_equal(us + 1, col->unit);
    }
    assert_string_equal(col->procedure, "simulate");
  }
  assert_int_equal(wt->cols[0].kind, UCL_COL_REAL); /* t_s at full precision */
  assert_true(ucl_table_find(wt, UCL_TRACE_V_MEM) > 0);
  assert_true(ucl_table_find(wt, UCL_TRACE_V_GATE) > 0);
  assert_true(ucl_table_find(wt, UCL_TRACE_I_GATE) > 0);
  assert_true(ucl_table_find(wt, UCL_TRACE_SCR_ON) > 0);
  /* a sample column's number is the double itself, not its 9-digit text */
  double row[2] = {0.0, 1.0 / 3.0}, x = 0;
  const void *parts[1] = {row};
  ucl_column cols[2] = {wt->cols[0], wt->cols[ucl_table_find(wt, UCL_TRACE_V_MEM)]};
  cols[1].offset = sizeof(double);
  ucl_table one = {"waveform.csv", cols, 2};
  assert_int_equal(ucl_table_number(&one, 1, parts, &x), 1);
  assert_true(x == 1.0 / 3.0);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_write_read_back_by_name),
      cmocka_unit_test(test_unknown_channel),
      cmocka_unit_test(test_every_channel_documented),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
