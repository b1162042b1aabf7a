/* test_plotpage.c — the report pages' axis lines (src/report/plotpage.h, private to src/report):
 * labels with units, log scales and explicit tics labelled with engineering prefixes. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"

#include "../../src/report/plotpage.h"

#define OHM "\xCE\xA9"

static void expect_has(const char *text, const char *needle) {
  if (!strstr(text, needle)) {
    fail_msg("'%s' not in:\n%s", needle, text);
  }
}

/* The number of tics in the "set AXIStics (...)" line of text. */
static size_t count_tics(const char *text) {
  const char *p = strstr(text, "tics (");
  size_t k = 0;
  for (; p && *p && *p != ')'; p++) {
    k += *p == '"';
  }
  return k / 2;
}

static void test_log_eseries(void **state) {
  (void)state;
  char buf[4096] = "set title \"t\"\n";
  ucl_page_gp_axis(buf, sizeof(buf), "x", "R1", "Ohm", 22e3, 220e3, 1);
  expect_has(buf, "set title \"t\"\nset xlabel \"R1 (" OHM ")\" noenhanced\n");
  expect_has(buf, "\nset logscale x\n");
  /* a decade: 1 1.5 2 3 5 7 (1-2-5 gives only 3) */
  expect_has(buf, "set xtics (\"30 k" OHM "\" 30000, \"50 k" OHM "\" 50000, \"70 k" OHM
                  "\" 70000, \"100 k" OHM "\" 100000, \"150 k" OHM "\" 150000, \"200 k" OHM
                  "\" 200000) noenhanced\n");
  expect_has(buf, "set xrange [");
  buf[0] = '\0';
  ucl_page_gp_axis(buf, sizeof(buf), "y", "C", "F", 4.7e-9, 47e-9, 1);
  expect_has(buf, "set ylabel \"C (F)\" noenhanced\n");
  expect_has(buf, "set logscale y\n");
  expect_has(buf, "(\"5 nF\" 5e-09, \"7 nF\" 7e-09, \"10 nF\" 1e-08, \"15 nF\" 1.5e-08, "
                  "\"20 nF\" 2e-08, \"30 nF\" 3e-08)");
  /* two decades: 1-2-5 */
  buf[0] = '\0';
  ucl_page_gp_axis(buf, sizeof(buf), "x", "t", "s", 1e-6, 1e-4, 1);
  expect_has(
      buf, "(\"1 \xC2\xB5s\" 1e-06, \"2 \xC2\xB5s\" 2e-06, \"5 \xC2\xB5s\" 5e-06, \"10 \xC2\xB5s\" "
           "1e-05,");
  /* more than 3.5 decades: decades only */
  buf[0] = '\0';
  ucl_page_gp_axis(buf, sizeof(buf), "x", "t", "s", 1e-9, 1e-3, 1);
  expect_has(buf, "(\"1 ns\" 1e-09, \"10 ns\" 1e-08, \"100 ns\" 1e-07, \"1 \xC2\xB5s\" 1e-06,");
  assert_int_equal(count_tics(buf), 7);
  /* a narrow log range without a 1-2-5 value: linear steps */
  buf[0] = '\0';
  ucl_page_gp_axis(buf, sizeof(buf), "x", "R1", "Ohm", 22e3, 47e3, 1);
  assert_true(count_tics(buf) >= 4 && count_tics(buf) <= 8);
  expect_has(buf, "\"30 k" OHM "\" 30000");
  /* log refused for a range that is not positive */
  buf[0] = '\0';
  ucl_page_gp_axis(buf, sizeof(buf), "x", "v", "V", -1, 1, 1);
  assert_null(strstr(buf, "logscale"));
}

static void test_linear(void **state) {
  (void)state;
  char buf[4096] = "";
  ucl_page_gp_axis(buf, sizeof(buf), "y", "threshold", "V", 0.0, 1.2, 0);
  expect_has(buf, "set ylabel \"threshold (V)\" noenhanced\n");
  assert_null(strstr(buf, "logscale"));
  expect_has(buf, "(\"0 V\" 0, \"200 mV\" 0.2, \"400 mV\" 0.4,");
  expect_has(buf, "\"1.2 V\" 1.2) noenhanced\n");
  /* over many spans and offsets: 3 to 9 tics (4 to 8 where a 1-2-5 step allows) */
  for (int e = -12; e <= 6; e += 3) {
    for (double span = 1.0; span < 10.0; span *= 1.07) {
      for (double off = -3.3; off < 3.0; off += 1.7) {
        double lo = off * span * pow(10.0, e), hi = lo + span * pow(10.0, e);
        buf[0] = '\0';
        ucl_page_gp_axis(buf, sizeof(buf), "x", "q", "A", lo, hi, 0);
        size_t k = count_tics(buf);
        if (k < 3 || k > 9) {
          fail_msg("[%g, %g]: %zu tics:\n%s", lo, hi, k, buf);
        }
      }
    }
  }
  /* no unit: no parentheses, plain numbers */
  buf[0] = '\0';
  ucl_page_gp_axis(buf, sizeof(buf), "y", "count", "", 0, 10, 0);
  expect_has(buf, "set ylabel \"count\" noenhanced\n");
  expect_has(buf, "\"0\" 0, \"2\" 2,");
  /* the colour box: its range exactly [lo, hi] */
  buf[0] = '\0';
  ucl_page_gp_axis(buf, sizeof(buf), "cb", "threshold", "V", 0.5, 1.5, 0);
  expect_has(buf, "set cblabel \"threshold (V)\" noenhanced\nset cbrange [0.5:1.5]\nset cbtics (");
}

static void test_degenerate(void **state) {
  (void)state;
  char buf[4096] = "";
  ucl_page_gp_axis(buf, sizeof(buf), "x", "V1", "V", 5.0, 5.0, 0);
  expect_has(buf, "(\"4.95 V\" 4.95, \"5 V\" 5, \"5.05 V\" 5.05)");
  buf[0] = '\0';
  ucl_page_gp_axis(buf, sizeof(buf), "x", "V1", "V", NAN, 2.0, 0);
  expect_has(buf, "\"2 V\" 2,");
  buf[0] = '\0';
  ucl_page_gp_axis(buf, sizeof(buf), "x", "V1", "V", NAN, INFINITY, 0);
  expect_has(buf, "(\"0 V\" 0, ");
  expect_has(buf, "\"1 V\" 1)");
  buf[0] = '\0';
  ucl_page_gp_axis(buf, sizeof(buf), "x", "R1", "Ohm", NAN, NAN, 1);
  expect_has(buf, "set logscale x\n");
  buf[0] = '\0';
  ucl_page_gp_axis(buf, sizeof(buf), "x", "z", "", 0.0, 0.0, 0);
  expect_has(buf, "(\"-1\" -1, \"0\" 0, \"1\" 1)");
  /* lo > hi is swapped */
  buf[0] = '\0';
  ucl_page_gp_axis(buf, sizeof(buf), "x", "V1", "V", 1.2, 0.0, 0);
  expect_has(buf, "(\"0 V\" 0, \"200 mV\" 0.2,");
}

/* A buffer too small for a line keeps only the lines that fit, each whole; a quote in a label
 * is escaped. */
static void test_small_buffer(void **state) {
  (void)state;
  char buf[56] = "x\n";
  ucl_page_gp_axis(buf, sizeof(buf), "x", "R1", "Ohm", 22e3, 220e3, 1);
  expect_has(buf, "x\nset xlabel \"R1 (" OHM ")\" noenhanced\nset logscale x\n");
  assert_null(strstr(buf, "tics"));
  assert_int_equal(buf[strlen(buf) - 1], '\n');
  char q[4096] = "";
  ucl_page_gp_axis(q, sizeof(q), "x", "a \"b\"", "", 0, 1, 0);
  expect_has(q, "set xlabel \"a \\\"b\\\"\" noenhanced\n");
}

/* Tic labels differ when the tics do: a narrow span far from 0 gets more digits. */
static void test_tic_labels(void **state) {
  (void)state;
  char lab[8][UCL_PAGE_TIC_LABEL];
  /* seven tics 0.5 us apart at 2 ms: 3 digits would write "2 ms" seven times */
  double t[7];
  for (int i = 0; i < 7; i++) {
    t[i] = 2.0005e-3 + 0.5e-6 * i;
  }
  int d = ucl_page_tic_labels(t, 7, "s", lab);
  assert_int_equal(d, 5);
  assert_string_equal(lab[0], "2.0005 ms");
  assert_string_equal(lab[1], "2.001 ms");
  assert_string_equal(lab[6], "2.0035 ms");
  for (int i = 0; i < 7; i++) {
    for (int j = i + 1; j < 7; j++) {
      assert_true(strcmp(lab[i], lab[j]) != 0);
    }
  }
  /* round tics keep 3 digits */
  double r[3] = {0.0, 0.2, 0.4};
  assert_int_equal(ucl_page_tic_labels(r, 3, "V", lab), 3);
  assert_string_equal(lab[1], "200 mV");
  /* thresholds 50 uV apart at 2.89 V */
  double v[3] = {2.89125, 2.8913, 2.89135};
  assert_int_equal(ucl_page_tic_labels(v, 3, "V", lab), 5);
  assert_string_equal(lab[1], "2.8913 V");
  assert_true(strcmp(lab[0], lab[1]) != 0 && strcmp(lab[1], lab[2]) != 0);
  /* the axis line uses them: no two tics of a narrow axis share a label */
  char buf[4096] = "";
  ucl_page_gp_axis(buf, sizeof(buf), "x", "t", "s", 2.0001e-3, 2.0036e-3, 0);
  expect_has(buf, "(\"2.0005 ms\" 0.0020005, \"2.001 ms\" 0.002001, \"2.0015 ms\" 0.0020015,");
  /* equal tics (not expected, but possible) do not make it loop */
  double e[2] = {1.0, 1.0};
  assert_int_equal(ucl_page_tic_labels(e, 2, "V", lab), 3);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_log_eseries), cmocka_unit_test(test_linear),
      cmocka_unit_test(test_degenerate),  cmocka_unit_test(test_small_buffer),
      cmocka_unit_test(test_tic_labels),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
