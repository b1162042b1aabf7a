/* test_ini.c — the one reader of text inputs (line ends, byte-order mark, bytes that cannot be
 * read, named by position and code point) and the INI reader on top of it. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "testutil.h"
#include "uclif/ini.h"

/* The entries of 'text' as "section.key=value@line;" in one string (for comparisons). */
static void entries_of(const char *text, char *buf, size_t cap) {
  ucl_ini *ini = NULL;
  ucl_diag d = {{0}};
  if (ucl_ini_parse("t.ini", text, &ini, &d) != UCL_OK) {
    fail_msg("parse failed: %s", d.msg);
  }
  size_t o = 0;
  buf[0] = '\0';
  for (size_t i = 0; i < ucl_ini_count(ini); i++) {
    const ucl_ini_entry *e = ucl_ini_entry_at(ini, i);
    int w = snprintf(buf + o, cap - o, "%s.%s=%s@%d;", e->section, e->key, e->value, e->line);
    assert_true(w > 0 && (size_t)w < cap - o);
    o += (size_t)w;
  }
  ucl_ini_destroy(&ini);
}

/* LF, CR LF, CR alone and any mix read the same: the same entries on the same lines. */
static void test_line_ends(void **state) {
  (void)state;
  static const char *const texts[] = {
      "# note\n[circuit]\nR1 = 1k\n\n[stimulus]\nduration = 1m\n",
      "# note\r\n[circuit]\r\nR1 = 1k\r\n\r\n[stimulus]\r\nduration = 1m\r\n",
      "# note\r[circuit]\rR1 = 1k\r\r[stimulus]\rduration = 1m\r",
      "# note\r[circuit]\r\nR1 = 1k\n\r[stimulus]\r\nduration = 1m", /* mixed, no final end */
      "\xEF\xBB\xBF# note\r[circuit]\rR1 = 1k\r\r[stimulus]\rduration = 1m\r",
  };
  const char *want = "circuit.R1=1k@3;stimulus.duration=1m@6;";
  for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
    char got[256];
    entries_of(texts[i], got, sizeof(got));
    if (strcmp(got, want) != 0) {
      fail_msg("text %zu: '%s', expected '%s'", i, got, want);
    }
  }
}

/* A leading UTF-8 BOM is skipped (the example: refused as "got '[circuit]'" before). */
static void test_bom(void **state) {
  (void)state;
  char got[256];
  entries_of("\xEF\xBB\xBF[circuit]\nR1 = 47k\n", got, sizeof(got));
  assert_string_equal(got, "circuit.R1=47k@2;");
  char *text = NULL;
  ucl_diag d = {{0}};
  const char bom_text[] = "\xEF\xBB\xBF"
                          "a\r\nb\rc";
  assert_int_equal(ucl_ini_decode("x", bom_text, sizeof(bom_text) - 1, &text, &d), UCL_OK);
  assert_string_equal(text, "a\nb\nc");
  char *again = NULL; /* decoding is idempotent */
  assert_int_equal(ucl_ini_decode("x", text, strlen(text), &again, &d), UCL_OK);
  assert_string_equal(again, text);
  free(again);
  free(text);
  /* non-ASCII text that is UTF-8 (comments, values) passes through unchanged */
  entries_of("[circuit] ; Schaltung für µ-Tests\nC = 10\xCE\xBC"
             "F\n",
             got, sizeof(got));
  assert_string_equal(got, "circuit.C=10\xCE\xBC"
                           "F@2;");
}

typedef struct bad_bytes {
  const char *bytes;
  size_t n;
  const char *want; /* the whole message */
} bad_bytes;

/* Every byte that cannot be read is refused with its line, byte offset (from 1), column (in
 * characters, from 1) and its value or code point. */
static void test_bad_bytes(void **state) {
  (void)state;
#define B(s) s, sizeof(s) - 1
  const bad_bytes cases[] = {
      {B("[circuit]\nR1 = 4k7\xFF\n"), "x.ini:2: byte 19 (column 9) is 0xFF, which is not UTF-8 "
                                       "(Latin-1 or Windows-1252 text? save it as UTF-8)"},
      {B("[circuit]\nC = 10\xB5\n"), "x.ini:2: byte 17 (column 7) is 0xB5, which is not UTF-8 "
                                     "(Latin-1 or Windows-1252 text? save it as UTF-8)"},
      {B("[circuit]\r\nR1 = 1k\r\n\x01"),
       "x.ini:3: byte 21 (column 1) is 0x01, a control character"},
      {B("[circuit]\rR1 = 1k\x00\r"),
       "x.ini:2: byte 18 (column 8) is 0x00 (NUL), which text does not hold (UTF-16? save it as "
       "UTF-8)"},
      {B("; \xC2\xB5\xC2\xB5 \x07\n"), "x.ini:1: byte 8 (column 6) is 0x07, a control character"},
      {B("a\x7F"), "x.ini:1: byte 2 (column 2) is 0x7F, a control character"},
      {B("a\fb"), "x.ini:1: byte 2 (column 2) is 0x0C, a control character"},
      {B("[c]\nk = \xC2\x85\n"), "x.ini:2: byte 9 (column 5) is U+0085, a control character"},
      {B("[c]\nk = \xEF\xBB\xBFv\n"),
       "x.ini:2: byte 9 (column 5) is U+FEFF, a byte-order mark after the start of the text"},
      {B("\xFF\xFE[\x00"), "x.ini:1: byte 1 (column 1) is 0xFF: the text starts with a UTF-16 "
                           "byte-order mark; save it as UTF-8"},
      {B("\xFE\xFF\x00["), "x.ini:1: byte 1 (column 1) is 0xFE: the text starts with a UTF-16 "
                           "byte-order mark; save it as UTF-8"},
      /* not well-formed UTF-8: overlong, surrogate, above U+10FFFF, cut short, stray follower */
      {B("ab\xC0\x80"), "x.ini:1: byte 3 (column 3) is 0xC0, which is not UTF-8 (Latin-1 or "
                        "Windows-1252 text? save it as UTF-8)"},
      {B("\n\nab\xED\xA0\x80"), "x.ini:3: byte 5 (column 3) is 0xED, which is not UTF-8 (Latin-1 "
                                "or Windows-1252 text? save it as UTF-8)"},
      {B("\xF4\x90\x80\x80"), "x.ini:1: byte 1 (column 1) is 0xF4, which is not UTF-8 (Latin-1 "
                              "or Windows-1252 text? save it as UTF-8)"},
      {B("ab\xE2\x84"), "x.ini:1: byte 3 (column 3) is 0xE2, which is not UTF-8 (Latin-1 or "
                        "Windows-1252 text? save it as UTF-8)"},
      {B("\xCE\xBC\x80"), "x.ini:1: byte 3 (column 2) is 0x80, which is not UTF-8 (Latin-1 or "
                          "Windows-1252 text? save it as UTF-8)"},
  };
#undef B
  for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    char *text = (char *)0x1;
    ucl_diag d = {{0}};
    ucl_status st = ucl_ini_decode("x.ini", cases[i].bytes, cases[i].n, &text, &d);
    if (st != UCL_ERR_PARSE || strcmp(d.msg, cases[i].want) != 0) {
      fail_msg("case %zu: status %d, message '%s', expected '%s'", i, st, d.msg, cases[i].want);
    }
    assert_ptr_equal(text, (char *)0x1); /* untouched on failure */
  }
  /* through the INI parser and the file reader too */
  ucl_ini *ini = NULL;
  ucl_diag d = {{0}};
  assert_int_equal(ucl_ini_parse("y.ini", "[c]\r\rk = \x1b[0m\r", &ini, &d), UCL_ERR_PARSE);
  assert_string_equal(d.msg, "y.ini:3: byte 10 (column 5) is 0x1B, a control character");
  assert_null(ini);
  const char *path = ucl_test_write_temp("");
  FILE *f = fopen(path, "wb");
  assert_non_null(f);
  assert_int_equal(fwrite("[c]\r\nk = 1\x00\r\n", 1, 13, f), 13);
  assert_int_equal(fclose(f), 0);
  char *text = NULL;
  assert_int_equal(ucl_read_text_file(path, &text, &d), UCL_ERR_PARSE);
  char want[128];
  snprintf(want, sizeof(want), "%s:2: byte 11 (column 6) is 0x00 (NUL)", path);
  assert_true(strncmp(d.msg, want, strlen(want)) == 0);
  f = fopen(path, "wb");
  assert_non_null(f);
  const char with_bom[] = "\xEF\xBB\xBF[c]\rk = 1\r";
  assert_int_equal(fwrite(with_bom, 1, sizeof(with_bom) - 1, f), sizeof(with_bom) - 1);
  assert_int_equal(fclose(f), 0);
  assert_int_equal(ucl_read_text_file(path, &text, &d), UCL_OK);
  assert_string_equal(text, "[c]\nk = 1\n");
  free(text);
  unlink(path);
}

/* One line from the command line (--set): the same rules, a line break is refused too. */
static void test_check_line(void **state) {
  (void)state;
  ucl_diag d = {{0}};
  assert_int_equal(ucl_ini_check_line("R1=4k7", &d), UCL_OK);
  assert_int_equal(ucl_ini_check_line("C=4\xCE\xBC"
                                      "7\t",
                                      &d),
                   UCL_OK);
  assert_int_equal(ucl_ini_check_line("R1=4k7\r", &d), UCL_ERR_PARSE);
  assert_string_equal(d.msg, "byte 7 (column 7) is 0x0D, a line break");
  assert_int_equal(ucl_ini_check_line("C=\xCE\xBC\xB5", &d), UCL_ERR_PARSE);
  assert_string_equal(d.msg, "byte 5 (column 4) is 0xB5, which is not UTF-8 (Latin-1 or "
                             "Windows-1252 text? save it as UTF-8)");
  assert_int_equal(ucl_ini_check_line("\xEF\xBB\xBFR1=1", &d), UCL_ERR_PARSE);
  assert_non_null(strstr(d.msg, "U+FEFF"));
}

static void test_utf8_next(void **state) {
  (void)state;
  uint32_t cp = 0;
  assert_int_equal(ucl_ini_utf8_next("A", 1, &cp), 1);
  assert_int_equal(cp, 0x41);
  assert_int_equal(ucl_ini_utf8_next("\xC2\xB5", 2, &cp), 2);
  assert_int_equal(cp, 0xB5);
  assert_int_equal(ucl_ini_utf8_next("\xCE\xBC", 2, &cp), 2);
  assert_int_equal(cp, 0x3BC);
  assert_int_equal(ucl_ini_utf8_next("\xE2\x84\xA6", 3, &cp), 3);
  assert_int_equal(cp, 0x2126);
  assert_int_equal(ucl_ini_utf8_next("\xF0\x9F\x98\x80", 4, &cp), 4);
  assert_int_equal(cp, 0x1F600);
  assert_int_equal(ucl_ini_utf8_next("\xF4\x8F\xBF\xBF", 4, &cp), 4);
  assert_int_equal(cp, 0x10FFFF);
  assert_int_equal(ucl_ini_utf8_next("\xE2\x84\xA6", 2, &cp), 0); /* cut short */
  assert_int_equal(ucl_ini_utf8_next("\xE0\x80\x80", 3, &cp), 0); /* overlong */
  assert_int_equal(ucl_ini_utf8_next("\xC1\xBF", 2, &cp), 0);     /* overlong */
  assert_int_equal(ucl_ini_utf8_next("\xED\xBF\xBF", 3, &cp), 0); /* surrogate */
  assert_int_equal(ucl_ini_utf8_next("\xF4\x90\x80\x80", 4, &cp), 0);
  assert_int_equal(ucl_ini_utf8_next("\xF5\x80\x80\x80", 4, &cp), 0);
  assert_int_equal(ucl_ini_utf8_next("\xBF", 1, &cp), 0);
  assert_int_equal(ucl_ini_utf8_next("", 0, &cp), 0);
}

/* Many sections (the index grows several times): each section's entries are its own range, a
 * key may repeat across sections but not within one, and a repeated section is named with the
 * line of its first header, however many sections lie between. */
static void test_many_sections(void **state) {
  (void)state;
  size_t cap = 64 * 1024, len = 0;
  char *text = malloc(cap);
  assert_non_null(text);
  for (int k = 0; k < 300; k++) { /* section k on line 1 + 2k (an empty one every 10th) */
    len += (size_t)snprintf(text + len, cap - len, "[s.%d]\n%s", k, k % 10 ? "R = 1k\n" : "\n");
  }
  ucl_ini *ini = NULL;
  ucl_diag d = {{0}};
  assert_int_equal(ucl_ini_parse("t.ini", text, &ini, &d), UCL_OK);
  assert_int_equal(ucl_ini_n_sections(ini), 300);
  size_t first = 0, n_total = 0;
  for (size_t k = 0; k < 300; k++) {
    size_t n = ucl_ini_section_entries(ini, k, &first);
    assert_int_equal(n, k % 10 ? 1 : 0);
    for (size_t i = first; i < first + n; i++) {
      assert_string_equal(ucl_ini_entry_at(ini, i)->section, ucl_ini_section(ini, k, NULL));
      assert_int_equal(ucl_ini_entry_at(ini, i)->line, 2 * (int)k + 2);
    }
    n_total += n;
  }
  assert_int_equal(n_total, ucl_ini_count(ini));
  assert_int_equal(ucl_ini_section_entries(ini, 300, &first), 0);
  ucl_ini_destroy(&ini);
  len += (size_t)snprintf(text + len, cap - len, "[s.7]\nR = 2k\n"); /* line 601 */
  assert_int_equal(ucl_ini_parse("t.ini", text, &ini, &d), UCL_ERR_PARSE);
  assert_string_equal(d.msg, "t.ini:601: section [s.7] repeated (first at line 15)");
  assert_null(ini);
  assert_int_equal(ucl_ini_parse("t.ini", "[a]\nR = 1\n[b]\nR = 2\nC = 3\nR = 4\n", &ini, &d),
                   UCL_ERR_PARSE);
  assert_string_equal(d.msg, "t.ini:6: key 'R' repeated in [b] (first at line 4)");
  assert_int_equal(ucl_ini_parse("t.ini", "[a]\n[b]\n[a]\n", &ini, &d), UCL_ERR_PARSE);
  assert_string_equal(d.msg, "t.ini:3: section [a] repeated (first at line 1)");
  free(text);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_line_ends), cmocka_unit_test(test_bom),
      cmocka_unit_test(test_bad_bytes), cmocka_unit_test(test_check_line),
      cmocka_unit_test(test_utf8_next), cmocka_unit_test(test_many_sections),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
