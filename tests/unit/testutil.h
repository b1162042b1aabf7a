/* testutil.h — shared helpers for the cmocka unit tests. */
#ifndef UCL_TESTUTIL_H
#define UCL_TESTUTIL_H

#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

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
