/* test_units.c — SI-suffixed number parsing. */
#include <stdlib.h>
#include <string.h>

#include "testutil.h"
#include "uclif/units.h"

static double parse_ok(const char *text, const char *unit) {
  double v = -12345.0;
  ucl_diag d = {{0}};
  ucl_status st = ucl_units_parse(text, unit, &v, &d);
  if (st != UCL_OK) {
    fail_msg("'%s' failed: %s", text, d.msg);
  }
  return v;
}

static void test_suffixes(void **state) {
  (void)state;
  assert_close(parse_ok("68k", "Ohm"), 68e3, 1e-15, 0);
  assert_close(parse_ok("15n", "F"), 15e-9, 1e-15, 0);
  assert_close(parse_ok("10u", "s"), 10e-6, 1e-15, 0);
  assert_close(parse_ok("10µ", "s"), 10e-6, 1e-15, 0);
  assert_close(parse_ok("1meg", "Ohm"), 1e6, 1e-15, 0);
  assert_close(parse_ok("1Meg", "Ohm"), 1e6, 1e-15, 0);
  assert_close(parse_ok("2.2p", "F"), 2.2e-12, 1e-15, 0);
  assert_close(parse_ok("3f", "A"), 3e-15, 1e-15, 0);
  assert_close(parse_ok("4G", "Ohm"), 4e9, 1e-15, 0);
  assert_close(parse_ok("1T", "Ohm"), 1e12, 1e-15, 0);
  assert_close(parse_ok("40m", "s"), 40e-3, 1e-15, 0);
  assert_close(parse_ok("4.7e-9", "F"), 4.7e-9, 1e-15, 0);
  assert_close(parse_ok("  -2.5  ", "V"), -2.5, 0, 0);
  assert_close(parse_ok("1e3", NULL), 1e3, 0, 0);
}

static void test_units_after_suffix(void **state) {
  (void)state;
  assert_close(parse_ok("15nF", "F"), 15e-9, 1e-15, 0);
  assert_close(parse_ok("10us", "s"), 10e-6, 1e-15, 0);
  assert_close(parse_ok("68kOhm", "Ohm"), 68e3, 1e-15, 0);
  assert_close(parse_ok("68kΩ", "Ohm"), 68e3, 1e-15, 0);
  assert_close(parse_ok("5V", "V"), 5.0, 0, 0);
  assert_close(parse_ok("1s", "s"), 1.0, 0, 0);
  assert_close(parse_ok("300K", "K"), 300.0, 0, 0); /* kelvin, not kilo */
}

static void expect_error(const char *text, const char *unit, ucl_status want) {
  double v = 7.0;
  ucl_diag d = {{0}};
  ucl_status st = ucl_units_parse(text, unit, &v, &d);
  if (st != want) {
    fail_msg("'%s': status %d, expected %d (%s)", text, st, want, d.msg);
  }
  assert_true(v == 7.0);         /* output untouched on failure */
  assert_true(d.msg[0] != '\0'); /* and a message */
}

static void test_malformed(void **state) {
  (void)state;
  expect_error("", "V", UCL_ERR_PARSE);
  expect_error("abc", "V", UCL_ERR_PARSE);
  expect_error("6..5", "V", UCL_ERR_PARSE);
  expect_error("10x", "V", UCL_ERR_PARSE);
  expect_error("10kF", "Ohm", UCL_ERR_PARSE); /* wrong unit */
  expect_error("1M", "Ohm", UCL_ERR_PARSE);   /* ambiguous */
  expect_error("1K", "Ohm", UCL_ERR_PARSE);   /* write k */
  expect_error("inf", "V", UCL_ERR_PARSE);
  expect_error("nan", "V", UCL_ERR_PARSE);
  expect_error("0x10", "V", UCL_ERR_PARSE);
  expect_error("1e999", "V", UCL_ERR_RANGE);
  expect_error("1e300T", "V", UCL_ERR_RANGE);
}

static void test_long(void **state) {
  (void)state;
  long v = 0;
  ucl_diag d;
  assert_int_equal(ucl_units_parse_long(" 42 ", 0, 100, &v, &d), UCL_OK);
  assert_int_equal(v, 42);
  assert_int_equal(ucl_units_parse_long("4.2", 0, 100, &v, &d), UCL_ERR_PARSE);
  assert_int_equal(ucl_units_parse_long("101", 0, 100, &v, &d), UCL_ERR_RANGE);
  assert_int_equal(v, 42);
}

static void test_value_sets(void **state) {
  (void)state;
  double *v = NULL;
  size_t n = 0;
  ucl_diag d = {{0}};
  assert_int_equal(ucl_values_parse("lin(2, 10, 33)", "V", 1000, &v, &n, &d), UCL_OK);
  assert_int_equal(n, 33);
  assert_true(v[0] == 2.0 && v[32] == 10.0);
  assert_true(v[8] == 2.0 + 8.0 * (8.0 / 32.0)); /* a + k·(b − a)/(n − 1), no accumulation */
  free(v);
  assert_int_equal(ucl_values_parse("log(1k, 1meg, 4)", "Ohm", 1000, &v, &n, &d), UCL_OK);
  assert_int_equal(n, 4);
  assert_close(v[1], 1e4, 1e-14, 0);
  assert_true(v[3] == 1e6);
  free(v);
  assert_int_equal(ucl_values_parse(" 47k, 68k ,100kOhm ", "Ohm", 1000, &v, &n, &d), UCL_OK);
  assert_int_equal(n, 3);
  assert_true(v[0] == 47e3 && v[1] == 68e3 && v[2] == 100e3);
  free(v);
  assert_int_equal(ucl_values_parse("e12(4.7n, 47n)", "F", 1000, &v, &n, &d), UCL_OK);
  assert_int_equal(n, 13); /* 4.7 5.6 6.8 8.2 10 12 15 18 22 27 33 39 47 */
  assert_close(v[0], 4.7e-9, 1e-12, 0);
  assert_close(v[4], 10e-9, 1e-12, 0);
  assert_close(v[12], 47e-9, 1e-12, 0);
  free(v);
  assert_int_equal(ucl_values_parse("e96(100, 200)", "Ohm", 1000, &v, &n, &d), UCL_OK);
  assert_int_equal(n, 30); /* 100 102 105 ... 196 200 */
  assert_close(v[29], 200.0, 1e-12, 0);
  free(v);
  assert_int_equal(ucl_values_parse("e192(900, 1k)", "Ohm", 1000, &v, &n, &d), UCL_OK);
  assert_int_equal(n, 9); /* 909 920 931 942 953 965 976 988 1000 */
  assert_close(v[1], 920.0, 1e-12, 0);
  free(v);
  assert_int_equal(ucl_values_parse("e7(1, 10)", "V", 1000, &v, &n, &d), UCL_ERR_INVAL);
  assert_int_equal(ucl_values_parse("e12(50, 51)", "V", 1000, &v, &n, &d), UCL_ERR_RANGE);
  assert_int_equal(ucl_values_parse("e12(5)", "V", 1000, &v, &n, &d), UCL_ERR_PARSE);
  assert_int_equal(ucl_values_parse("5", "V", 1000, &v, &n, &d), UCL_OK);
  assert_int_equal(n, 1);
  free(v);
  v = NULL;
  assert_int_equal(ucl_values_parse("lin(1, 2)", "V", 1000, &v, &n, &d), UCL_ERR_PARSE);
  assert_non_null(strstr(d.msg, "three arguments"));
  assert_int_equal(ucl_values_parse("lin(1, 2, 3", "V", 1000, &v, &n, &d), UCL_ERR_PARSE);
  assert_int_equal(ucl_values_parse("log(0, 2, 3)", "V", 1000, &v, &n, &d), UCL_ERR_RANGE);
  assert_int_equal(ucl_values_parse("1, x, 3", "V", 1000, &v, &n, &d), UCL_ERR_PARSE);
  assert_non_null(strstr(d.msg, "value 2"));
  assert_int_equal(ucl_values_parse("lin(1, 2, 5000)", "V", 1000, &v, &n, &d), UCL_ERR_RANGE);
  assert_int_equal(ucl_values_parse("1,,2", "V", 1000, &v, &n, &d), UCL_ERR_PARSE);
  assert_null(v);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_suffixes),   cmocka_unit_test(test_units_after_suffix),
      cmocka_unit_test(test_malformed),  cmocka_unit_test(test_long),
      cmocka_unit_test(test_value_sets),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
