/* test_csvio.c — CSV writing: quoting through libcsv, full-precision numbers, temp + rename; the
 * number formatters, byte for byte against snprintf("%.17g") and ("%.9g"), with the precision
 * they promise. */
#include <float.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "tablecheck.h"
#include "testutil.h"
#include "uclif/csvio.h"
#include "uclif/rng.h"

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
  ucl_test_csv c;
  ucl_test_csv_read(path, &c);
  assert_int_equal(c.rows, 2);
  assert_int_equal(c.n[0], 3);
  assert_int_equal(c.n[1], 3);
  assert_string_equal(c.f[0][0], "t_s");
  assert_true(ucl_test_csv_number(&c, 1, "t_s") == 1.0 / 3.0); /* %.17g round-trips exactly */
  assert_string_equal(ucl_test_csv_field(&c, 1, "kind"), "a,\"quoted\" b");
  assert_string_equal(ucl_test_csv_field(&c, 1, "unit"), "42");
  ucl_test_csv_free(&c);
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
  ucl_test_csv c;
  ucl_test_csv_read(path, &c);
  assert_string_equal(c.f[0][0], "old");
  ucl_test_csv_free(&c);
  unlink(path);
  ucl_diag d;
  assert_int_equal(ucl_csv_open("/nonexistent-dir/x.csv", cols, 1, &w, &d), UCL_ERR_IO);
  assert_non_null(strstr(d.msg, "cannot create"));
  ucl_csv_abort(NULL);
}

/* ---- the formatters ---- */

static unsigned long long n_checked;

/* v through both formatters: the bytes snprintf writes; %.17g reads back exactly; %.9g within
 * half a unit of its 9th digit. */
static void check_value(double v) {
  char got[UCL_CSV_NUMBER_SIZE], want[64];
  size_t len = ucl_csv_format_double(v, got);
  if (isnan(v)) {
    assert_int_equal(len, 0);
    assert_string_equal(got, "");
  } else {
    snprintf(want, sizeof(want), "%.17g", v);
    if (strcmp(got, want) != 0) {
      fail_msg("%%.17g of %a: got '%s', snprintf '%s'", v, got, want);
    }
    assert_int_equal(len, strlen(want));
    double back = strtod(got, NULL);
    assert_true(back == v || (v == 0 && back == 0));
  }
  len = ucl_csv_format_sample(v, got);
  if (isnan(v)) {
    assert_int_equal(len, 0);
    assert_string_equal(got, "");
    return;
  }
  snprintf(want, sizeof(want), "%.9g", v);
  if (strcmp(got, want) != 0) {
    fail_msg("%%.9g of %a (%.17g): got '%s', snprintf '%s'", v, v, got, want);
  }
  assert_int_equal(len, strlen(want));
  if (isfinite(v) && v != 0 && fabs(v) < DBL_MAX / 2) {
    double back = strtod(got, NULL);
    /* |back - v| <= 0.5·10^(X-8) <= 5e-9·|v|, X the decimal exponent of v, plus the rounding
     * of the decimal text to a double (strtod) */
    double ulp9 = pow(10.0, floor(log10(fabs(v))) - 8.0);
    double slack = 2 * DBL_EPSILON * fabs(v) + DBL_TRUE_MIN;
    if (!(fabs(back - v) <= 0.5 * ulp9 + slack)) {
      fail_msg("%.17g written %s: error %.3g > half a unit %.3g", v, got, fabs(back - v),
               0.5 * ulp9);
    }
    assert_true(fabs(back - v) <= 5e-9 * fabs(v) + slack);
  }
  n_checked++;
}

static double from_bits(uint64_t bits) {
  double v;
  memcpy(&v, &bits, sizeof(v));
  return v;
}

static uint64_t rng_bits(uint64_t a, uint64_t b) {
  uint64_t hi = (uint64_t)(ucl_rng_uniform(20261130, a, 2 * b) * 4294967296.0);
  uint64_t lo = (uint64_t)(ucl_rng_uniform(20261130, a, 2 * b + 1) * 4294967296.0);
  return hi << 32 | lo;
}

static void test_format_edge_cases(void **state) {
  (void)state;
  static const double fixed[] = {0.0,
                                 -0.0,
                                 1.0,
                                 -1.0,
                                 6.0,
                                 0.1,
                                 1.0 / 3.0,
                                 0.5,
                                 1.5,
                                 2.5,
                                 100000000.5, /* exact ties at the 9th digit: to even */
                                 100000001.5,
                                 1234567885.0,
                                 1234567895.0,
                                 999999999.5, /* carries into a new decade */
                                 9.9999999949999999,
                                 9.999999995,
                                 99999.99999,
                                 1e-4,
                                 9.99999999e-5, /* fixed vs exponent notation boundaries */
                                 0.00010000000050000001,
                                 123456789.0,
                                 999999999.0,
                                 1e9,
                                 1e16,
                                 1e17,
                                 9.9999999999999998e16,
                                 12345678901234567.0,
                                 1e-16,
                                 9.9999999999999998e-17,
                                 1e-280,
                                 1e280,
                                 0.9999999999999999,
                                 9007199254740993.0,
                                 4.9406564584124654e-324, /* smallest subnormal */
                                 2.2250738585072009e-308, /* largest subnormal */
                                 2.2250738585072014e-308, /* smallest normal */
                                 DBL_MAX,
                                 -DBL_MAX,
                                 INFINITY,
                                 -INFINITY,
                                 NAN,
                                 9.9999999999999995e-07, /* a sample time, 1e-6 */
                                 0.0011087275028990923,  /* an event time */
                                 2.0238831241379090e-22,
                                 -1.735493991486226e-29,
                                 2.6032405967432493e-36};
  for (size_t i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++) {
    check_value(fixed[i]);
    check_value(-fixed[i]);
  }
  char buf[UCL_CSV_NUMBER_SIZE];
  ucl_csv_format_sample(1234567885.0, buf);
  assert_string_equal(buf, "1.23456788e+09"); /* the tie went to even */
  ucl_csv_format_sample(999999999.5, buf);
  assert_string_equal(buf, "1e+09");
  ucl_csv_format_sample(0.036164968382821572, buf);
  assert_string_equal(buf, "0.0361649684");
  ucl_csv_format_sample(-0.0, buf);
  assert_string_equal(buf, "-0");
  ucl_csv_format_double(-INFINITY, buf);
  assert_string_equal(buf, "-inf");
  /* every binary exponent, at its ends and inside: the decimal exponent estimate is right for
   * each */
  for (int be = 0; be < 2047; be++) {
    uint64_t e = (uint64_t)be << 52;
    check_value(from_bits(e));
    check_value(from_bits(e | 1));
    check_value(from_bits(e | 0xfffffffffffffULL));
    check_value(from_bits(e | 0x8000000000000ULL));
    for (uint64_t k = 0; k < 8; k++) {
      check_value(from_bits(e | (rng_bits((uint64_t)be, k) & 0xfffffffffffffULL)));
    }
  }
  /* decimal numbers near the rounding boundaries of 9 digits: k·10^j ± 1 and ± a half unit */
  for (int j = -40; j <= 40; j++) {
    for (uint64_t k = 0; k < 50; k++) {
      double m = floor(1e8 + 9e8 * ucl_rng_uniform(7, (uint64_t)(j + 40), k));
      double v = (m + 0.5) * pow(10.0, j);
      check_value(v);
      check_value(nextafter(v, 0));
      check_value(nextafter(v, INFINITY));
    }
  }
}

static void test_format_random(void **state) {
  (void)state;
  n_checked = 0;
  for (uint64_t i = 0; i < 100000; i++) {
    check_value(from_bits(rng_bits(1, i))); /* any bit pattern */
    /* waveform-like: a uniform mantissa over 1e-40 ... 1e3, either sign */
    double u = ucl_rng_uniform(2, i, 0), e = ucl_rng_uniform(2, i, 1);
    double v = (1.0 + 9.0 * u) * pow(10.0, floor(-40.0 + 43.0 * e));
    check_value(ucl_rng_uniform(2, i, 2) < 0.5 ? -v : v);
    /* sample times k·DT */
    check_value((double)i * 1e-6);
    check_value((double)(i * 7919 % 100000) * 5e-9);
  }
  assert_true(n_checked > 390000);
}

static void test_writer_numbers(void **state) {
  (void)state;
  char path[] = "/tmp/ucl_csv_XXXXXX";
  int fd = mkstemp(path);
  assert_true(fd >= 0);
  close(fd);
  /* a row longer than the writer's buffer, numbers of every kind, and text between them */
  enum { N = 120 };
  const char *cols[N];
  for (int k = 0; k < N; k++) {
    cols[k] = "c";
  }
  ucl_csv_writer *w = NULL;
  ucl_diag d;
  assert_int_equal(ucl_csv_open(path, cols, N, &w, &d), UCL_OK);
  for (int r = 0; r < 3; r++) {
    for (int k = 0; k < N; k++) {
      double v = (1.0 + k) / 7.0 * pow(10.0, k % 40 - 20) * (r + 1);
      ucl_status st = k % 4 == 0   ? ucl_csv_double(w, v)
                      : k % 4 == 1 ? ucl_csv_sample(w, v)
                      : k % 4 == 2 ? ucl_csv_long(w, -1000L * k - r)
                                   : ucl_csv_text(w, k == 3 ? "a,b" : "t");
      assert_int_equal(st, UCL_OK);
    }
    assert_int_equal(ucl_csv_end_row(w, &d), UCL_OK);
  }
  assert_int_equal(ucl_csv_commit(&w, &d), UCL_OK);
  FILE *f = fopen(path, "rb");
  assert_non_null(f);
  char line[8192];
  assert_non_null(fgets(line, sizeof(line), f)); /* header */
  for (int r = 0; r < 3; r++) {
    assert_non_null(fgets(line, sizeof(line), f));
    char want[8192];
    size_t n = 0;
    for (int k = 0; k < N; k++) {
      double v = (1.0 + k) / 7.0 * pow(10.0, k % 40 - 20) * (r + 1);
      const char *sep = k ? "," : "";
      int m = k % 4 == 0   ? snprintf(want + n, sizeof(want) - n, "%s%.17g", sep, v)
              : k % 4 == 1 ? snprintf(want + n, sizeof(want) - n, "%s%.9g", sep, v)
              : k % 4 == 2
                  ? snprintf(want + n, sizeof(want) - n, "%s%ld", sep, -1000L * k - r)
                  : snprintf(want + n, sizeof(want) - n, "%s%s", sep, k == 3 ? "\"a,b\"" : "\"t\"");
      n += (size_t)m;
    }
    snprintf(want + n, sizeof(want) - n, "\r\n");
    assert_string_equal(line, want);
  }
  assert_null(fgets(line, sizeof(line), f));
  fclose(f);
  unlink(path);
}

/* A wrapped stream holds every ended row: its owner may write between rows. */
static void test_wrap_rows_reach_stream(void **state) {
  (void)state;
  char *buf = NULL;
  size_t len = 0;
  FILE *m = open_memstream(&buf, &len);
  assert_non_null(m);
  ucl_csv_writer *w = NULL;
  assert_int_equal(ucl_csv_wrap(m, 2, &w), UCL_OK);
  assert_int_equal(ucl_csv_sample(w, 0.1), UCL_OK);
  assert_int_equal(ucl_csv_double(w, NAN), UCL_OK);
  assert_int_equal(ucl_csv_end_row(w, NULL), UCL_OK);
  assert_true(fputs("raw\r\n", m) >= 0);
  assert_int_equal(ucl_csv_long(w, 7), UCL_OK);
  assert_int_equal(ucl_csv_sample(w, -2.5e-300), UCL_OK);
  assert_int_equal(ucl_csv_end_row(w, NULL), UCL_OK);
  ucl_csv_abort(&w);
  fclose(m);
  assert_int_equal(len, strlen(buf));
  assert_string_equal(buf, "0.1,\r\nraw\r\n7,-2.5e-300\r\n");
  free(buf);
}

/* A field cut short by a failed write is an output error (UCL_ERR_IO, exit 1), not a malformed
 * row (UCL_ERR_INVAL, exit 2): /dev/full fails every write with ENOSPC. */
static void test_failed_write_is_io_error(void **state) {
  (void)state;
  FILE *f = fopen("/dev/full", "w");
  assert_non_null(f);
  char sbuf[8];
  assert_int_equal(setvbuf(f, sbuf, _IOFBF, sizeof(sbuf)), 0);
  ucl_csv_writer *w = NULL;
  assert_int_equal(ucl_csv_wrap(f, 3, &w), UCL_OK);
  assert_int_equal(ucl_csv_text(w, "a field longer than the stream's buffer"), UCL_ERR_IO);
  ucl_diag d = {{0}};
  assert_int_equal(ucl_csv_end_row(w, &d), UCL_ERR_IO); /* 1 field of 3, but the write failed */
  assert_non_null(strstr(d.msg, "write failed"));
  ucl_csv_abort(&w);
  fclose(f);
}

/* Limit the size of files this process writes to 'bytes' (SIGXFSZ ignored: writes beyond fail
 * with EFBIG, as on a full disk); returns the previous limit for limit_restore. */
static struct rlimit limit_file_size(rlim_t bytes) {
  struct rlimit old, lim;
  assert_int_equal(getrlimit(RLIMIT_FSIZE, &old), 0);
  signal(SIGXFSZ, SIG_IGN);
  lim = old;
  lim.rlim_cur = bytes;
  assert_int_equal(setrlimit(RLIMIT_FSIZE, &lim), 0);
  return old;
}

static void limit_restore(struct rlimit old) {
  assert_int_equal(setrlimit(RLIMIT_FSIZE, &old), 0);
  signal(SIGXFSZ, SIG_DFL);
}

static void make_old(char *path) {
  int fd = mkstemp(path);
  assert_true(fd >= 0);
  assert_int_equal(write(fd, "old\n", 4), 4);
  close(fd);
}

static void assert_old_and_no_tmp(const char *path) {
  ucl_test_csv c;
  ucl_test_csv_read(path, &c);
  assert_string_equal(c.f[0][0], "old");
  ucl_test_csv_free(&c);
  char tmp[64];
  snprintf(tmp, sizeof(tmp), "%s.tmp", path);
  assert_int_equal(access(tmp, F_OK), -1);
}

/* A header that cannot be written fails the open with UCL_ERR_IO naming the file, and leaves no
 * temporary file. */
static void test_open_header_write_fails(void **state) {
  (void)state;
  char path[] = "/tmp/ucl_csv_XXXXXX";
  make_old(path);
  static char names[64][200];
  const char *cols[64];
  for (int k = 0; k < 64; k++) { /* 64 x 200 bytes: more than stdio buffers */
    memset(names[k], 'a' + k % 26, sizeof(names[k]) - 1);
    names[k][sizeof(names[k]) - 1] = '\0';
    cols[k] = names[k];
  }
  ucl_csv_writer *w = NULL;
  ucl_diag d = {{0}};
  struct rlimit old = limit_file_size(1000);
  ucl_status st = ucl_csv_open(path, cols, 64, &w, &d);
  limit_restore(old);
  assert_int_equal(st, UCL_ERR_IO);
  assert_null(w);
  assert_non_null(strstr(d.msg, path));
  assert_non_null(strstr(d.msg, "header"));
  assert_old_and_no_tmp(path);
  unlink(path);
}

/* ucl_csv_commit_all: when one file cannot be completed, no file is renamed (each target keeps
 * its old content) and no temporary file is left; when all can, all are renamed. */
static void test_commit_all(void **state) {
  (void)state;
  char pa[] = "/tmp/ucl_csv_XXXXXX", pb[] = "/tmp/ucl_csv_XXXXXX";
  make_old(pa);
  make_old(pb);
  const char *cols[] = {"x"};
  static char big[3000];
  memset(big, 'b', sizeof(big) - 1);
  for (int pass = 0; pass < 2; pass++) {
    ucl_csv_writer *ws[3] = {NULL, NULL, NULL}; /* a NULL entry is skipped */
    ucl_diag d = {{0}};
    assert_int_equal(ucl_csv_open(pa, cols, 1, &ws[0], &d), UCL_OK);
    assert_int_equal(ucl_csv_open(pb, cols, 1, &ws[2], &d), UCL_OK);
    assert_int_equal(ucl_csv_long(ws[0], 1), UCL_OK);
    assert_int_equal(ucl_csv_end_row(ws[0], &d), UCL_OK);
    assert_int_equal(ucl_csv_text(ws[2], big), UCL_OK); /* held in stdio's buffer */
    assert_int_equal(ucl_csv_end_row(ws[2], &d), UCL_OK);
    if (pass == 0) { /* the second file's flush fails at commit */
      struct rlimit old = limit_file_size(1000);
      ucl_status st = ucl_csv_commit_all(ws, 3, &d);
      limit_restore(old);
      assert_int_equal(st, UCL_ERR_IO);
      assert_non_null(strstr(d.msg, pb));
      assert_old_and_no_tmp(pa);
      assert_old_and_no_tmp(pb);
    } else {
      assert_int_equal(ucl_csv_commit_all(ws, 3, &d), UCL_OK);
      ucl_test_csv c;
      ucl_test_csv_read(pa, &c);
      assert_string_equal(ucl_test_csv_field(&c, 1, "x"), "1");
      ucl_test_csv_free(&c);
      ucl_test_csv_read(pb, &c);
      assert_string_equal(ucl_test_csv_field(&c, 1, "x"), big);
      ucl_test_csv_free(&c);
    }
    for (int k = 0; k < 3; k++) {
      assert_null(ws[k]);
    }
  }
  unlink(pa);
  unlink(pb);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_round_trip),
      cmocka_unit_test(test_abort_leaves_target_alone),
      cmocka_unit_test(test_format_edge_cases),
      cmocka_unit_test(test_format_random),
      cmocka_unit_test(test_writer_numbers),
      cmocka_unit_test(test_wrap_rows_reach_stream),
      cmocka_unit_test(test_failed_write_is_io_error),
      cmocka_unit_test(test_open_header_write_fails),
      cmocka_unit_test(test_commit_all),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
