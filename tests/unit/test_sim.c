/* test_sim.c — the single neuron's output tables (sim.h): waveform.csv and events.csv written
 * from their tables, read back by column name; every channel of every neuron type documented;
 * docs/outputs.md's column lists generated from the tables. */
#include <csv.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "uclif/circuit.h"
#include "uclif/csvio.h"
#include "uclif/sim.h"
#include "uclif/spec.h"
#include "testutil.h"

/* ---- reading a CSV back: fields by row and column ---- */

enum { MAX_ROWS = 16, MAX_COLS = 16 };

typedef struct table_in {
  char cell[MAX_ROWS][MAX_COLS][64];
  int rows, col;
} table_in;

static void on_field(void *s, size_t len, void *data) {
  table_in *t = data;
  if (t->rows < MAX_ROWS && t->col < MAX_COLS) {
    size_t k = len < 63 ? len : 63;
    memcpy(t->cell[t->rows][t->col], s, k);
    t->cell[t->rows][t->col][k] = '\0';
  }
  t->col++;
}

static void on_row(int ch, void *data) {
  (void)ch;
  table_in *t = data;
  t->rows++;
  t->col = 0;
}

static void read_csv(const char *path, table_in *t) {
  memset(t, 0, sizeof(*t));
  FILE *f = fopen(path, "rb");
  assert_non_null(f);
  struct csv_parser p;
  assert_int_equal(csv_init(&p, CSV_STRICT), 0);
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof(buf), f)) > 0) {
    assert_int_equal(csv_parse(&p, buf, n, on_field, on_row, t), n);
  }
  csv_fini(&p, on_field, on_row, t);
  csv_free(&p);
  fclose(f);
}

/* Column of the header row called 'name', or a test failure. */
static int col_of(const table_in *t, const char *name) {
  for (int k = 0; k < MAX_COLS; k++) {
    if (strcmp(t->cell[0][k], name) == 0) {
      return k;
    }
  }
  fail_msg("no column %s", name);
  return -1;
}

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

  table_in t;
  read_csv(wpath, &t);
  assert_int_equal(t.rows, NROWS + 1);
  assert_string_equal(t.cell[0][0], "t_s"); /* t_s, then the trace's channels in its order */
  for (int k = 0; k < NCH; k++) {
    assert_string_equal(t.cell[0][k + 1], trace_channels[k]);
  }
  for (int r = 0; r < NROWS; r++) {
    const double *row = ucl_trace_sample(tr, (size_t)r);
    assert_true(strtod(t.cell[r + 1][col_of(&t, "t_s")], NULL) == row[0]); /* exact */
    for (int k = 0; k < NCH; k++) {
      const char *text = t.cell[r + 1][col_of(&t, trace_channels[k])];
      char want[UCL_CSV_NUMBER_SIZE];
      ucl_csv_format_sample(cell_value(r, k), want);
      assert_string_equal(text, want);
      assert_close(strtod(text, NULL), cell_value(r, k), 5e-9, 0.0);
    }
  }
  /* the two rows at an event share their time, to the last bit */
  assert_string_equal(t.cell[2][0], t.cell[3][0]);

  read_csv(epath, &t);
  assert_int_equal(t.rows, 3);
  for (size_t i = 0; i < 2; i++) {
    const ucl_event *e = ucl_trace_event(tr, i);
    assert_true(strtod(t.cell[i + 1][col_of(&t, "t_s")], NULL) == e->t);
    assert_string_equal(t.cell[i + 1][col_of(&t, "kind")], ucl_event_kind_name(e->kind));
    assert_int_equal(strtol(t.cell[i + 1][col_of(&t, "unit")], NULL, 10), e->unit);
    assert_true(strtod(t.cell[i + 1][col_of(&t, "V_mem_V")], NULL) == e->v);
  }
  /* the file order of events.csv is fixed */
  const char *const ecols[] = {"t_s", "kind", "unit", "V_mem_V"};
  for (int k = 0; k < 4; k++) {
    assert_string_equal(t.cell[0][k], ecols[k]);
  }
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

/* ---- docs/outputs.md ---- */

/* The lines between "<!-- columns: FILE -->" (its first occurrence) and "<!-- /columns -->" must
 * be the table's markdown; on a difference the expected block is printed to paste in. */
static void check_doc_block(const char *doc, const ucl_table *t) {
  char begin[96];
  snprintf(begin, sizeof(begin), "<!-- columns: %s -->\n", t->file);
  const char *b = strstr(doc, begin);
  if (!b) {
    fail_msg("docs/outputs.md has no '%.*s'", (int)strlen(begin) - 1, begin);
  }
  b += strlen(begin);
  const char *e = strstr(b, "<!-- /columns -->");
  assert_non_null(e);
  size_t cap = 256 + 512 * t->n, n = 0;
  char *want = malloc(cap);
  assert_non_null(want);
  n += (size_t)snprintf(want, cap, "| column | unit | procedure | meaning |\n|---|---|---|---|\n");
  for (size_t i = 0; i < t->n; i++) {
    n += ucl_column_markdown(&t->cols[i], want + n, cap - n);
    want[n++] = '\n';
  }
  want[n] = '\0';
  if ((size_t)(e - b) != n || memcmp(b, want, n) != 0) {
    fprintf(stderr, "docs/outputs.md, %s: expected\n%s", t->file, want);
    free(want);
    fail_msg("docs/outputs.md: the %s columns differ from its table", t->file);
  }
  free(want);
}

static void test_docs_generated_from_tables(void **state) {
  (void)state;
  FILE *f = fopen(UCL_SOURCE_DIR "/docs/outputs.md", "rb");
  assert_non_null(f);
  static char doc[1 << 17];
  size_t n = fread(doc, 1, sizeof(doc) - 1, f);
  fclose(f);
  doc[n] = '\0';
  check_doc_block(doc, ucl_sim_waveform_table());
  check_doc_block(doc, ucl_sim_events_table());
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_write_read_back_by_name),
      cmocka_unit_test(test_unknown_channel),
      cmocka_unit_test(test_every_channel_documented),
      cmocka_unit_test(test_docs_generated_from_tables),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
