/* test_units.c — SI-suffixed number parsing and engineering formatting. */
#include <math.h>
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

/* Both micro characters and both ohm characters (Unicode: U+00B5 MICRO SIGN and U+03BC GREEK
 * SMALL LETTER MU, U+2126 OHM SIGN and U+03A9 GREEK CAPITAL LETTER OMEGA), spelled as bytes. */
static void test_look_alikes(void **state) {
  (void)state;
  assert_close(parse_ok("10\xC2\xB5", "s"), 10e-6, 1e-15, 0); /* µ U+00B5 */
  assert_close(parse_ok("10\xCE\xBC", "s"), 10e-6, 1e-15, 0); /* μ U+03BC */
  assert_true(parse_ok("10\xCE\xBC", "s") == parse_ok("10u", "s"));
  assert_true(parse_ok("10\xC2\xB5", "s") == parse_ok("10u", "s"));
  assert_close(parse_ok("10\xCE\xBCs", "s"), 10e-6, 1e-15, 0);
  assert_close(parse_ok("2.2\xCE\xBC" /* split: F would extend the hex escape */
                        "F",
                        "F"),
               2.2e-6, 1e-15, 0);
  assert_close(parse_ok("68k\xE2\x84\xA6", "Ohm"), 68e3, 1e-15, 0); /* Ω U+2126 */
  assert_close(parse_ok("68k\xCE\xA9", "Ohm"), 68e3, 1e-15, 0);     /* Ω U+03A9 */
  assert_close(parse_ok("470\xE2\x84\xA6", "Ohm"), 470.0, 1e-15, 0);
}

/* RKM code (IEC 60062): the letter stands for the decimal point; same double as the SI form. */
static void test_rkm(void **state) {
  (void)state;
  assert_close(parse_ok("4k7", "Ohm"), 4.7e3, 1e-15, 0);
  assert_true(parse_ok("4n7", "F") == parse_ok("4.7n", "F"));
  assert_true(parse_ok("4\xCE\xBC"
                       "7",
                       "F") == parse_ok("4.7u", "F"));
  assert_true(parse_ok("4k7", "Ohm") == parse_ok("4.7k", "Ohm"));
  assert_close(parse_ok("4K7", "Ohm"), 4.7e3, 1e-15, 0);
  assert_close(parse_ok("2R2", "Ohm"), 2.2, 1e-15, 0);
  assert_close(parse_ok("R47", "Ohm"), 0.47, 1e-15, 0);
  assert_close(parse_ok("1M5", "Ohm"), 1.5e6, 1e-15, 0);
  assert_close(parse_ok("2G2", "Ohm"), 2.2e9, 1e-15, 0);
  assert_close(parse_ok("68k1", "Ohm"), 68.1e3, 1e-15, 0);
  assert_close(parse_ok("4k7Ohm", "Ohm"), 4.7e3, 1e-15, 0);
  assert_close(parse_ok("4k7\xCE\xA9", "Ohm"), 4.7e3, 1e-15, 0);
  assert_close(parse_ok(" 1k0 ", "Ohm"), 1e3, 1e-15, 0);
  assert_close(parse_ok("4n7", "F"), 4.7e-9, 1e-15, 0);
  assert_close(parse_ok("4n7F", "F"), 4.7e-9, 1e-15, 0);
  assert_close(parse_ok("2p2", "F"), 2.2e-12, 1e-15, 0);
  assert_close(parse_ok("4u7", "F"), 4.7e-6, 1e-15, 0);
  assert_true(parse_ok("4\xC2\xB5"
                       "7",
                       "F") == 4.7e-6);
  assert_true(parse_ok("4\xCE\xBC"
                       "7",
                       "F") == 4.7e-6);
  assert_close(parse_ok("1m5", "H"), 1.5e-3, 1e-15, 0);
  assert_close(parse_ok("n47", "F"), 0.47e-9, 1e-15, 0);
  /* what stays as it was */
  assert_close(parse_ok("1meg", "Ohm"), 1e6, 1e-15, 0);
  assert_close(parse_ok("10k", "Ohm"), 10e3, 1e-15, 0);
  assert_close(parse_ok("22n", "F"), 22e-9, 1e-15, 0);
  assert_close(parse_ok("1m", "s"), 1e-3, 1e-15, 0);
  assert_close(parse_ok("1e-6", "F"), 1e-6, 1e-15, 0);
  assert_close(parse_ok("2R", "Ohm"), 2.0, 1e-15, 0); /* R as the unit */
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

/* The message names the first character not understood (by code point when not ASCII) and
 * lists what is accepted, µ included. */
static void expect_message(const char *text, const char *unit, const char *needle) {
  double v = 7.0;
  ucl_diag d = {{0}};
  if (ucl_units_parse(text, unit, &v, &d) == UCL_OK || !strstr(d.msg, needle)) {
    fail_msg("'%s': message '%s', expected '%s' in it", text, d.msg, needle);
  }
  assert_true(v == 7.0);
}

static void test_messages(void **state) {
  (void)state;
  expect_message("4.7x", "Ohm", "'4.7x' is not a number: 'x' is not understood");
  expect_message("4.7x", "Ohm", "u \xC2\xB5 \xCE\xBC m");
  expect_message("4.7x", "Ohm", "RKM code (4k7, 2R2");
  expect_message("4.7x", "Ohm", "'Ohm' (or ohm, \xCE\xA9, \xE2\x84\xA6, R)");
  expect_message("10\xC2\xBC", "s", "U+00BC '\xC2\xBC' is not understood");
  expect_message("10\xFF", "s", "byte 0xFF is not understood");
  expect_message("abc", "V", "'abc' is not a number: 'a' is not understood");
  expect_message("10 k", "Ohm", "a blank is not understood");
  expect_message("4k7x", "Ohm", "'x' is not understood");
  expect_message("4k7", "s", "'7' is not understood"); /* RKM is for R, C and L only */
  expect_message("4k7", "s", "(f p n u");
  expect_message("2R2", "F", "'R' is not understood"); /* R is the ohm's letter */
  expect_message("10\xE2\x80\x8B", "s", "U+200B (invisible)");
  expect_message("10\xC2\xA0k", "Ohm", "U+00A0 (invisible) is not understood");
  expect_message("1M", "Ohm", "ambiguous");
  expect_message("1K", "Ohm", "write 'k'");
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
  assert_int_equal(ucl_values_parse("4k7, 6k8, e6(1k, 2k2)", "Ohm", 1000, &v, &n, &d),
                   UCL_ERR_PARSE); /* an E-series range is a whole value set */
  assert_int_equal(ucl_values_parse("4k7, 6k8 ,R47", "Ohm", 1000, &v, &n, &d), UCL_OK);
  assert_true(n == 3 && v[0] == 4.7e3 && v[1] == 6.8e3 && v[2] == 0.47);
  free(v);
  v = NULL;
  assert_int_equal(ucl_values_parse("e6(1k, 2k2)", "Ohm", 1000, &v, &n, &d), UCL_OK);
  assert_int_equal(n, 3); /* E6 from 1k to 2k2: 1k 1k5 2k2 */
  assert_close(v[2], 2.2e3, 1e-12, 0);
  free(v);
  v = NULL;
  assert_int_equal(ucl_values_parse("1,,2", "V", 1000, &v, &n, &d), UCL_ERR_PARSE);
  assert_null(v);
}

/* ucl_units_format_eng: engineering prefixes, significant digits, units, rounding across a
 * prefix, and snprintf-like truncation. */
static void expect_eng(double v, const char *unit, int digits, const char *want) {
  char buf[64];
  size_t k = ucl_units_format_eng(v, unit, digits, buf, sizeof(buf));
  if (strcmp(buf, want) != 0 || k != strlen(want)) {
    fail_msg("%.17g '%s' %d: got '%s' (%zu), want '%s'", v, unit ? unit : "(null)", digits, buf, k,
             want);
  }
}

static void test_format_eng(void **state) {
  (void)state;
  expect_eng(4.7e-9, "F", 3, "4.7 nF");
  expect_eng(68000, "Ohm", 3, "68 k\xCE\xA9");
  expect_eng(0.0125, "s", 3, "12.5 ms");
  expect_eng(-3.2, "V", 3, "-3.2 V");
  expect_eng(0, "V", 3, "0 V");
  expect_eng(-0.0, "V", 3, "0 V");
  expect_eng(1e-16, "J", 3, "100 aJ");
  expect_eng(5.369e-17, "J", 4, "53.69 aJ");
  expect_eng(1e-19, "J", 3, "0.1 aJ");
  expect_eng(NAN, "V", 3, "\xE2\x80\x93");
  expect_eng(999.96, "V", 3, "1 kV");
  expect_eng(999.96, NULL, 3, "1k");
  expect_eng(999.94, "", 4, "999.9");
  expect_eng(999.4, "V", 3, "999 V");
  expect_eng(2.2e4, "Ohm", 3, "22 k\xCE\xA9");
  expect_eng(2.2e5, "Ohm", 3, "220 k\xCE\xA9");
  expect_eng(1e-5, "s", 3, "10 \xC2\xB5s");
  expect_eng(1.23456e-6, "A", 3,
             "1.23 \xC2\xB5"
             "A");
  expect_eng(1.23456e-6, "A", 1,
             "1 \xC2\xB5"
             "A");
  expect_eng(0.99996, "V", 4, "1 V");
  expect_eng(1e-3, "s", 3, "1 ms");
  expect_eng(1e-12, "F", 3, "1 pF");
  expect_eng(1e6, "Hz", 3, "1 MHz");
  expect_eng(3.3e9, "Hz", 2, "3.3 GHz");
  expect_eng(5e15, "Ohm", 3, "5000 T\xCE\xA9");
  expect_eng(150, "", 3, "150");
  expect_eng(1.5, NULL, 3, "1.5");
  expect_eng(-47e-9, "F", 3, "-47 nF");
  expect_eng(INFINITY, "V", 3, "\xE2\x88\x9E V");
  expect_eng(-INFINITY, NULL, 3, "-\xE2\x88\x9E");
  expect_eng(0.1, "V", 3, "100 mV");
  expect_eng(4.7e-9, "F", 0, "5 nF"); /* digits clamped to 1 */

  char small[6];
  size_t k = ucl_units_format_eng(68000, "Ohm", 3, small, sizeof(small));
  assert_int_equal(k, strlen("68 k\xCE\xA9"));
  assert_string_equal(small, "68 k"); /* truncated, NUL-terminated */
  assert_int_equal(ucl_units_format_eng(12.5e-3, "s", 3, NULL, 0), strlen("12.5 ms"));
  assert_string_equal(ucl_units_symbol("Ohm"), "\xCE\xA9");
  assert_string_equal(ucl_units_symbol(NULL), "");
  assert_string_equal(ucl_units_symbol("F"), "F");
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_suffixes),   cmocka_unit_test(test_units_after_suffix),
      cmocka_unit_test(test_malformed),  cmocka_unit_test(test_long),
      cmocka_unit_test(test_value_sets), cmocka_unit_test(test_look_alikes),
      cmocka_unit_test(test_rkm),        cmocka_unit_test(test_messages),
      cmocka_unit_test(test_format_eng),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
