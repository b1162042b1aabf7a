/* test_csvio.c — CSV writing: quoting through libcsv, full-precision numbers, temp + rename. */
#include <csv.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "testutil.h"
#include "uclif/csvio.h"

typedef struct collect {
  char fields[32][128];
  int n, rows;
} collect;

static void on_field(void *s, size_t len, void *data) {
  collect *c = data;
  if (c->n < 32) {
    size_t k = len < 127 ? len : 127;
    memcpy(c->fields[c->n], s, k);
    c->fields[c->n][k] = '\0';
    c->n++;
  }
}

static void on_row(int ch, void *data) {
  (void)ch;
  ((collect *)data)->rows++;
}

static void read_back(const char *path, collect *c) {
  memset(c, 0, sizeof(*c));
  FILE *f = fopen(path, "rb");
  assert_non_null(f);
  struct csv_parser p;
  assert_int_equal(csv_init(&p, CSV_STRICT), 0);
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof(buf), f)) > 0) {
    assert_int_equal(csv_parse(&p, buf, n, on_field, on_row, c), n);
  }
  csv_fini(&p, on_field, on_row, c);
  csv_free(&p);
  fclose(f);
}

static void test_round_trip(void **state) {
  (void)state;
  char path[] = "/tmp/ucl_csv_XXXXXX";
  int fd = mkstemp(path);
  assert_true(fd >= 0);
  close(fd);
  const char *cols[] = {"t_s", "kind", "unit"};
  ucl_csv_writer *w = NULL;
  ucl_diag d;
  assert_int_equal(ucl_csv_open(path, cols, 3, &w, &d), UCL_OK);
  assert_int_equal(ucl_csv_double(w, 0.1), UCL_OK);
  assert_int_equal(ucl_csv_text(w, "a,\"quoted\" b"), UCL_OK);
  assert_int_equal(ucl_csv_long(w, -7), UCL_OK);
  assert_int_equal(ucl_csv_end_row(w, &d), UCL_OK);
  assert_int_equal(ucl_csv_double(w, NAN), UCL_OK);
  assert_int_equal(ucl_csv_text(w, "x"), UCL_OK);
  assert_int_equal(ucl_csv_end_row(w, &d), UCL_ERR_INVAL); /* 2 fields of 3 */
  ucl_csv_abort(&w);
  assert_null(w);
  assert_int_equal(ucl_csv_open(path, cols, 3, &w, &d), UCL_OK);
  assert_int_equal(ucl_csv_double(w, 1.0 / 3.0), UCL_OK);
  assert_int_equal(ucl_csv_text(w, "a,\"quoted\" b"), UCL_OK);
  assert_int_equal(ucl_csv_long(w, 42), UCL_OK);
  assert_int_equal(ucl_csv_end_row(w, &d), UCL_OK);
  assert_int_equal(ucl_csv_commit(&w, &d), UCL_OK);
  assert_null(w);
  collect c;
  read_back(path, &c);
  assert_int_equal(c.rows, 2);
  assert_int_equal(c.n, 6);
  assert_string_equal(c.fields[0], "t_s");
  assert_true(strtod(c.fields[3], NULL) == 1.0 / 3.0); /* %.17g round-trips exactly */
  assert_string_equal(c.fields[4], "a,\"quoted\" b");
  assert_string_equal(c.fields[5], "42");
  char tmp[64];
  snprintf(tmp, sizeof(tmp), "%s.tmp", path);
  assert_int_equal(access(tmp, F_OK), -1); /* no temporary file left */
  unlink(path);
}

static void test_abort_leaves_target_alone(void **state) {
  (void)state;
  char path[] = "/tmp/ucl_csv_XXXXXX";
  int fd = mkstemp(path);
  assert_true(fd >= 0);
  assert_int_equal(write(fd, "old\n", 4), 4);
  close(fd);
  const char *cols[] = {"a"};
  ucl_csv_writer *w = NULL;
  assert_int_equal(ucl_csv_open(path, cols, 1, &w, NULL), UCL_OK);
  assert_int_equal(ucl_csv_double(w, 1.0), UCL_OK);
  ucl_csv_abort(&w);
  collect c;
  read_back(path, &c);
  assert_string_equal(c.fields[0], "old");
  unlink(path);
  ucl_diag d;
  assert_int_equal(ucl_csv_open("/nonexistent-dir/x.csv", cols, 1, &w, &d), UCL_ERR_IO);
  assert_non_null(strstr(d.msg, "cannot create"));
  ucl_csv_abort(NULL);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_round_trip),
      cmocka_unit_test(test_abort_leaves_target_alone),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
