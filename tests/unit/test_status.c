/* test_status.c — status messages and diagnostic formatting. */
#include <string.h>

#include "testutil.h"
#include "uclif/status.h"

static void test_every_status_has_text(void **state) {
  (void)state;
  for (int s = 0; s < UCL_STATUS_COUNT_; s++) {
    assert_non_null(ucl_status_str((ucl_status)s));
    assert_string_not_equal(ucl_status_str((ucl_status)s), "unknown status");
    assert_string_not_equal(ucl_status_name((ucl_status)s), "unknown");
  }
  assert_string_equal(ucl_status_str(UCL_OK), "success");
  assert_string_equal(ucl_status_name(UCL_ERR_EVENTS), "chattering");
  assert_string_equal(ucl_status_str((ucl_status)999), "unknown status");
}

/* Every status has its own name (CSV status columns), and the codes that tell unreadable input
 * from unwritable output, a failed external tool and missed targets exist apart. */
static void test_names_are_distinct(void **state) {
  (void)state;
  for (int a = 0; a < UCL_STATUS_COUNT_; a++) {
    for (int b = a + 1; b < UCL_STATUS_COUNT_; b++) {
      assert_string_not_equal(ucl_status_name((ucl_status)a), ucl_status_name((ucl_status)b));
      assert_string_not_equal(ucl_status_str((ucl_status)a), ucl_status_str((ucl_status)b));
    }
  }
  assert_string_equal(ucl_status_name(UCL_ERR_INPUT), "input");
  assert_string_equal(ucl_status_name(UCL_ERR_IO), "io");
  assert_string_equal(ucl_status_name(UCL_ERR_TOOL), "tool");
  assert_string_equal(ucl_status_name(UCL_ERR_UNMET), "unmet");
  assert_string_equal(ucl_status_str(UCL_ERR_INPUT), "cannot read input");
  assert_string_equal(ucl_status_str(UCL_ERR_IO), "cannot write output");
}

static void test_diag_set_and_prefix(void **state) {
  (void)state;
  ucl_diag d;
  assert_int_equal(ucl_diag_set(&d, UCL_ERR_PARSE, "bad key '%s'", "R9"), UCL_ERR_PARSE);
  ucl_diag_prefix(&d, "%s:%d: ", "a.ini", 12);
  assert_string_equal(d.msg, "a.ini:12: bad key 'R9'");
  assert_int_equal(ucl_diag_set(NULL, UCL_ERR_IO, "ignored"), UCL_ERR_IO);
  ucl_diag_prefix(NULL, "x");
  ucl_diag_clear(&d);
  assert_string_equal(d.msg, "");
}

static void test_diag_truncates_safely(void **state) {
  (void)state;
  ucl_diag d;
  char big[2000];
  memset(big, 'x', sizeof(big) - 1);
  big[sizeof(big) - 1] = '\0';
  ucl_diag_set(&d, UCL_ERR_PARSE, "%s", big);
  assert_int_equal(strlen(d.msg), sizeof(d.msg) - 1);
  ucl_diag_prefix(&d, "file:1: ");
  assert_int_equal(strlen(d.msg), sizeof(d.msg) - 1);
  assert_memory_equal(d.msg, "file:1: xxx", 11);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_every_status_has_text),
      cmocka_unit_test(test_names_are_distinct),
      cmocka_unit_test(test_diag_set_and_prefix),
      cmocka_unit_test(test_diag_truncates_safely),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
