/* test_spec.c — configuration from spec files and --set: values land in the right fields, and
 * every kind of bad input names the file and line (or the option) and leaves *out untouched. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "testutil.h"
#include "uclif/spec.h"

static char dir[64];

static int setup(void **state) {
  (void)state;
  snprintf(dir, sizeof(dir), "%s", "/tmp/ucl_spec_XXXXXX");
  return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state) {
  (void)state;
  char cmd[128];
  snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
  return system(cmd) == 0 ? 0 : -1;
}

static const char *write_spec(const char *name, const char *text) {
  static char path[256];
  snprintf(path, sizeof(path), "%s/%s", dir, name);
  FILE *f = fopen(path, "w");
  assert_non_null(f);
  fputs(text, f);
  assert_int_equal(fclose(f), 0);
  return path;
}

static void test_good_spec_and_overrides(void **state) {
  (void)state;
  const char *path = write_spec("good.ini", "; a comment\n"
                                            "[run]\nname = x\n\n"
                                            "[circuit]\nneuron = type2   ; inline comment\n"
                                            "R1 = 47k\nC = 10nF\nscr.I_GT = 30u\n"
                                            "[stimulus]\nkind = pulses\nwidth = 20u\n"
                                            "period = 200us\nduration = 40m\n"
                                            "[sweep]\nR2 = 100k, 200k\n"
                                            "[solver]\nrtol = 1e-6\n");
  const char *sets[] = {"R1=33k", "amplitude=5.5"};
  ucl_params p;
  ucl_diag d = {{0}};
  ucl_status st = ucl_spec_load_config(path, sets, 2, &p, &d);
  if (st != UCL_OK) {
    fail_msg("%s", d.msg);
  }
  assert_int_equal(p.circuit.neuron, UCL_NEURON_TYPE2);
  assert_true(p.circuit.R1 == 33e3); /* --set wins over the file */
  assert_close(p.circuit.C, 10e-9, 1e-15, 0);
  assert_close(p.circuit.scr.I_GT, 30e-6, 1e-15, 0);
  assert_close(p.stim.width, 20e-6, 1e-15, 0);
  assert_close(p.stim.period, 200e-6, 1e-15, 0);
  assert_close(p.stim.duration, 40e-3, 1e-15, 0);
  assert_true(p.stim.amplitude == 5.5);
  assert_true(p.solver.rtol == 1e-6);
  assert_true(p.circuit.R2 == 390e3); /* [sweep] is not read by simulate */
  /* no file at all: defaults plus overrides */
  assert_int_equal(ucl_spec_load_config(NULL, sets, 2, &p, &d), UCL_OK);
  assert_true(p.circuit.R1 == 33e3);
}

/* Write 'n' bytes (which may hold NUL and CR) as a spec file. */
static const char *write_bytes(const char *name, const char *bytes, size_t n) {
  static char path[256];
  snprintf(path, sizeof(path), "%s/%s", dir, name);
  FILE *f = fopen(path, "wb");
  assert_non_null(f);
  assert_int_equal(fwrite(bytes, 1, n, f), n);
  assert_int_equal(fclose(f), 0);
  return path;
}

static ucl_params load_ok(const char *path) {
  ucl_params p;
  ucl_diag d = {{0}};
  if (ucl_spec_load_config(path, NULL, 0, &p, &d) != UCL_OK) {
    fail_msg("%s", d.msg);
  }
  return p;
}

/* Specs as editors save them: classic-Mac CR line ends (the example, read before as one
 * comment line), Windows CR LF, a mix, a UTF-8 byte-order mark; all give the values written. */
static void test_text_as_saved(void **state) {
  (void)state;
  static const char cr[] = "# note\r[circuit]\rR1 = 1k\r[stimulus]\rduration = 1m\r";
  static const char crlf[] = "# note\r\n[circuit]\r\nR1 = 1k\r\n[stimulus]\r\nduration = 1m\r\n";
  static const char mixed[] = "# note\r[circuit]\nR1 = 1k\r\n[stimulus]\rduration = 1m";
  static const char bom[] = "\xEF\xBB\xBF[circuit]\r\nR1 = 1k\r\n[stimulus]\r\nduration = 1m\r\n";
  const char *texts[] = {cr, crlf, mixed, bom};
  const size_t sizes[] = {sizeof(cr) - 1, sizeof(crlf) - 1, sizeof(mixed) - 1, sizeof(bom) - 1};
  ucl_params defaults = load_ok(NULL);
  assert_true(defaults.circuit.R1 != 1e3 && defaults.stim.duration != 1e-3);
  for (size_t i = 0; i < 4; i++) {
    ucl_params p = load_ok(write_bytes("saved.ini", texts[i], sizes[i]));
    if (!(p.circuit.R1 == 1e3 && p.stim.duration == 1e-3)) {
      fail_msg("text %zu: R1 = %g, duration = %g (want 1k, 1m)", i, p.circuit.R1, p.stim.duration);
    }
  }
  /* a line error after CR-only lines names the right line */
  static const char bad[] = "# note\r[circuit]\rR1 = 1k\rR9 = 2\r";
  ucl_params p;
  ucl_diag d = {{0}};
  const char *path = write_bytes("bad-cr.ini", bad, sizeof(bad) - 1);
  assert_int_equal(ucl_spec_load_config(path, NULL, 0, &p, &d), UCL_ERR_INVAL);
  char want[600];
  snprintf(want, sizeof(want), "%s:4: unknown parameter 'R9'", path);
  assert_true(strncmp(d.msg, want, strlen(want)) == 0);
  /* a byte that cannot be read: its line, byte, column and value */
  static const char latin1[] = "[circuit]\r\nC = 10\xB5\r\n";
  path = write_bytes("latin1.ini", latin1, sizeof(latin1) - 1);
  assert_int_equal(ucl_spec_load_config(path, NULL, 0, &p, &d), UCL_ERR_PARSE);
  snprintf(want, sizeof(want), "%s:2: byte 18 (column 7) is 0xB5, which is not UTF-8", path);
  if (strncmp(d.msg, want, strlen(want)) != 0) {
    fail_msg("'%s', expected '%s...'", d.msg, want);
  }
}

/* Values as engineers write them: both micro and both ohm characters, RKM code. */
static void test_values_as_written(void **state) {
  (void)state;
  const char *path = write_spec("micro.ini", "[circuit]\nC = 10\xC2\xB5\nR1 = 4k7\xE2\x84\xA6\n"
                                             "R2 = 2R2\xCE\xA9\nR3 = 1M5\n"
                                             "[stimulus]\nwidth = 10\xCE\xBCs\n");
  ucl_params a = load_ok(path);
  assert_close(a.circuit.C, 10e-6, 1e-15, 0);
  assert_true(a.circuit.R1 == 4.7e3 && a.circuit.R2 == 2.2 && a.circuit.R3 == 1.5e6);
  assert_close(a.stim.width, 10e-6, 1e-15, 0);
  path = write_spec("mu.ini", "[circuit]\nC = 10\xCE\xBC\n[stimulus]\nwidth = 10\xC2\xB5s\n");
  ucl_params b = load_ok(path);
  assert_true(b.circuit.C == a.circuit.C && b.stim.width == a.stim.width); /* µ and μ alike */
  path = write_spec("rkm.ini", "[circuit]\nC = 4n7\n");
  assert_true(load_ok(path).circuit.C ==
              load_ok(write_spec("si.ini", "[circuit]\nC = 4.7n\n")).circuit.C);
}

typedef struct bad_case {
  const char *text;
  ucl_status st;
  int line;
  const char *needle;
} bad_case;

static void test_bad_files(void **state) {
  (void)state;
  const bad_case cases[] = {
      {"[circuit]\nR9 = 1k\n", UCL_ERR_INVAL, 2, "unknown parameter 'R9'"},
      {"[circuit]\nR1 = 1k\nr2 = 1k\n", UCL_ERR_INVAL, 3, "did you mean 'R2'"},
      {"[circuit]\nR1 = 0\n", UCL_ERR_RANGE, 2, "R1 must be > 0"},
      {"[circuit]\n\nC = -15n\n", UCL_ERR_RANGE, 3, "C must be > 0"},
      {"[circuit]\nR2 = 6..5k\n", UCL_ERR_PARSE, 2, "R2: '6..5k'"},
      {"[circuit]\nR2 = 10 k\n", UCL_ERR_PARSE, 2, "R2:"},
      {"[stimulus]\nduration = 0\n", UCL_ERR_RANGE, 2, "duration must be > 0"},
      {"[stimulus]\nduration = -1m\n", UCL_ERR_RANGE, 2, "duration must be > 0"},
      {"[circuit]\nneuron = type3\n", UCL_ERR_PARSE, 2, "type1|type2"},
      {"[stimulus]\nkind = sine\n", UCL_ERR_PARSE, 2, "dc|step|pulses|staircase"},
      {"[circuit]\nwidth = 10u\n", UCL_ERR_INVAL, 2, "belongs in [stimulus]"},
      {"[circut]\nR1 = 1k\n", UCL_ERR_PARSE, 1, "unknown section [circut]"},
      {"R1 = 1k\n", UCL_ERR_PARSE, 1, "before any [section]"},
      {"[circuit]\nR1 1k\n", UCL_ERR_PARSE, 2, "expected 'key = value'"},
      {"[circuit]\nR1 = 1k\nR1 = 2k\n", UCL_ERR_PARSE, 3, "repeated"},
      {"[circuit\n", UCL_ERR_PARSE, 1, "malformed section header"},
      /* cross-field checks point at the line that set the blamed key */
      {"[stimulus]\nperiod = 100u\n\nwidth = 95u\nrise = 10u\n", UCL_ERR_RANGE, 4,
       "does not fit in its period"},
  };
  for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    const char *path = write_spec("bad.ini", cases[i].text);
    ucl_params p;
    memset(&p, 0x5a, sizeof(p));
    ucl_params before = p;
    ucl_diag d = {{0}};
    ucl_status st = ucl_spec_load_config(path, NULL, 0, &p, &d);
    char where[300];
    snprintf(where, sizeof(where), "%s:%d: ", path, cases[i].line);
    if (st != cases[i].st || strncmp(d.msg, where, strlen(where)) != 0 ||
        !strstr(d.msg, cases[i].needle)) {
      fail_msg("case %zu: status %d (want %d), message '%s' (want '%s...%s')", i, st, cases[i].st,
               d.msg, where, cases[i].needle);
    }
    assert_memory_equal(&p, &before, sizeof(p)); /* nothing half-written */
  }
}

static void test_bad_sets_and_files(void **state) {
  (void)state;
  ucl_params p;
  ucl_diag d = {{0}};
  const char *s1[] = {"R1"};
  assert_int_equal(ucl_spec_load_config(NULL, s1, 1, &p, &d), UCL_ERR_PARSE);
  assert_non_null(strstr(d.msg, "--set R1: expected NAME=VALUE"));
  const char *s2[] = {"R3=-1k"};
  assert_int_equal(ucl_spec_load_config(NULL, s2, 1, &p, &d), UCL_ERR_RANGE);
  assert_non_null(strstr(d.msg, "--set R3=-1k: R3 must be > 0"));
  const char *s3[] = {"width=200u"};
  assert_int_equal(ucl_spec_load_config(NULL, s3, 1, &p, &d), UCL_ERR_RANGE);
  assert_non_null(strstr(d.msg, "--set width=200u: "));
  const char *s4[] = {"bogus=1"};
  assert_int_equal(ucl_spec_load_config(NULL, s4, 1, &p, &d), UCL_ERR_INVAL);
  assert_non_null(strstr(d.msg, "--set bogus=1: unknown parameter"));
  char missing[128];
  snprintf(missing, sizeof(missing), "%s/none.ini", dir);
  assert_int_equal(ucl_spec_load_config(missing, NULL, 0, &p, &d), UCL_ERR_INPUT);
  assert_non_null(strstr(d.msg, "none.ini: cannot open"));
}

static void test_characterize_section(void **state) {
  (void)state;
  const char *path = write_spec("char.ini", "[characterize]\nthreshold = 1, 12\n"
                                            "threshold.tol = 0.5m\nrate_curve = lin(4, 8, 5)\n"
                                            "adaptation = on\nadaptation.window = 30m\n"
                                            "rheobase = off\ntau_leak.width = 1m\n"
                                            "energy = off\n");
  ucl_char_config c;
  ucl_diag d = {{0}};
  ucl_status st = ucl_spec_load_char_config(path, &c, &d);
  if (st != UCL_OK) {
    fail_msg("%s", d.msg);
  }
  assert_true(c.opts.thr_lo == 1.0 && c.opts.thr_hi == 12.0);
  assert_close(c.opts.thr_tol, 0.5e-3, 1e-15, 0);
  assert_int_equal(c.opts.n_rate_amps, 5);
  assert_ptr_equal(c.opts.rate_amps, c.rate_amps);
  assert_true(c.rate_amps[4] == 8.0);
  assert_int_equal(c.opts.adaptation, UCL_ON);
  assert_close(c.opts.adapt_window, 30e-3, 1e-15, 0);
  assert_int_equal(c.opts.rheobase, UCL_OFF);
  assert_int_equal(c.opts.energy, UCL_OFF);
  assert_close(c.opts.leak_width, 1e-3, 1e-15, 0);
  ucl_char_config_free(&c);
  /* defaults without a file */
  assert_int_equal(ucl_spec_load_char_config(NULL, &c, &d), UCL_OK);
  assert_true(c.opts.thr_lo == 0.5 && c.opts.thr_hi == 15.0 && c.opts.thr_tol == 1e-3);
  assert_null(c.opts.rate_amps);
  ucl_char_config_free(&c);
  const struct {
    const char *text;
    int line;
    const char *needle;
  } bad[] = {
      {"[characterize]\nthreshold = 5\n", 2, "low, high"},
      {"[characterize]\nthreshold = 6, 2\n", 2, "low < high"},
      {"[characterize]\n\nrate_curve = lin(1, 2)\n", 3, "three arguments"},
      {"[characterize]\nadaptation = maybe\n", 2, "auto, on or off"},
      {"[characterize]\nenergy = auto\n", 2, "on or off"},
      {"[characterize]\nthreshold.tol = -1m\n", 2, "must be > 0"},
      {"[characterize]\nwobble = 1\n", 2, "unknown key 'wobble'"},
  };
  for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
    path = write_spec("badchar.ini", bad[i].text);
    char where[300];
    snprintf(where, sizeof(where), "%s:%d: ", path, bad[i].line);
    st = ucl_spec_load_char_config(path, &c, &d);
    if (st == UCL_OK || strncmp(d.msg, where, strlen(where)) != 0 ||
        !strstr(d.msg, bad[i].needle)) {
      fail_msg("case %zu: '%s'", i, d.msg);
    }
  }
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_good_spec_and_overrides), cmocka_unit_test(test_bad_files),
      cmocka_unit_test(test_bad_sets_and_files),      cmocka_unit_test(test_characterize_section),
      cmocka_unit_test(test_text_as_saved),           cmocka_unit_test(test_values_as_written),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
