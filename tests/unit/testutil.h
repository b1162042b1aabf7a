/* testutil.h — shared helpers for the cmocka unit tests. */
#ifndef UCL_TESTUTIL_H
#define UCL_TESTUTIL_H

#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include <cmocka.h>

/* |a - b| <= atol + rtol·|b|, with a readable failure message. */
#define assert_close(a, b, rtol, atol)                                                             \
  do {                                                                                             \
    double a_ = (a), b_ = (b);                                                                     \
    if (!(fabs(a_ - b_) <= (atol) + (rtol)*fabs(b_))) {                                            \
      fail_msg("%s = %.17g, expected %.17g (rtol %g, atol %g, rel err %.3g)", #a, a_, b_,          \
               (double)(rtol), (double)(atol), fabs(a_ - b_) / (fabs(b_) > 0 ? fabs(b_) : 1));     \
    }                                                                                              \
  } while (0)

/* Write 'text' to a new temporary file and return its path (static storage: the next call
 * overwrites it; the caller unlinks the file). Fails the test on error. */
static inline const char *ucl_test_write_temp(const char *text) {
  static char path[64];
  snprintf(path, sizeof(path), "%s", "/tmp/ucl_test_XXXXXX");
  int fd = mkstemp(path);
  assert_true(fd >= 0);
  FILE *f = fdopen(fd, "w");
  assert_non_null(f);
  fputs(text, f);
  assert_int_equal(fclose(f), 0);
  return path;
}

/* A validated configuration from --set style overrides on the defaults (fails the test on error).
 */
#ifdef UCL_SPEC_H
static inline ucl_params ucl_test_config(const char *const *sets, int n) {
  ucl_params p;
  ucl_diag d = {{0}};
  if (ucl_spec_load_config(NULL, sets, n, &p, &d) != UCL_OK) {
    fail_msg("config: %s", d.msg);
  }
  return p;
}
#endif

#endif
