/* test_recording.c — bench recordings (recording.h): the [recording.NAME] section (keys, units,
 * defaults, refusals with "spec:line:"), a good file loaded in SI units with gain and offset, the
 * median interval and the noise estimate, and every refused data file with its exact
 * "data.csv:line:" prefix. Fixture files are written into a fresh temporary folder. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "testutil.h"
#include "uclif/ini.h"
#include "uclif/recording.h"
#include "uclif/rng.h"
#include "uclif/sim.h"

static char dir[64];

static int setup(void **state) {
  (void)state;
  snprintf(dir, sizeof(dir), "%s", "/tmp/ucl_rec_XXXXXX");
  return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state) {
  (void)state;
  char p[128];
  snprintf(p, sizeof(p), "%s/spec.ini", dir);
  unlink(p);
  snprintf(p, sizeof(p), "%s/data.csv", dir);
  unlink(p);
  return rmdir(dir);
}

static void write_file(const char *name, const char *text) {
  char p[128];
  snprintf(p, sizeof(p), "%s/%s", dir, name);
  FILE *f = fopen(p, "wb");
  assert_non_null(f);
  fputs(text, f);
  assert_int_equal(fclose(f), 0);
}

/* Read 'spec' (written as DIR/spec.ini) and its section [recording.r]. */
static ucl_status spec_of(const char *spec, ucl_rec_spec *out, ucl_diag *d) {
  write_file("spec.ini", spec);
  char p[128];
  snprintf(p, sizeof(p), "%s/spec.ini", dir);
  ucl_ini *ini = NULL;
  if (ucl_ini_read(p, &ini, d) != UCL_OK) {
    fail_msg("ini: %s", d->msg);
  }
  ucl_status st = ucl_rec_spec_from_ini(p, ini, "r", out, d);
  ucl_ini_destroy(&ini);
  return st;
}

/* Load 'csv' (as DIR/data.csv) under 'spec'; the spec must be good. */
static ucl_status load(const char *spec, const char *csv, ucl_recording *r, ucl_diag *d) {
  ucl_rec_spec s;
  if (spec_of(spec, &s, d) != UCL_OK) {
    fail_msg("spec: %s", d->msg);
  }
  write_file("data.csv", csv);
  return ucl_rec_load(&s, r, d);
}

/* The message starts with "DIR/FILE:LINE: " and contains 'what'. */
static void assert_diag(const ucl_diag *d, const char *file, int line, const char *what) {
  char prefix[160];
  snprintf(prefix, sizeof(prefix), "%s/%s:%d: ", dir, file, line);
  if (strncmp(d->msg, prefix, strlen(prefix)) != 0 || !strstr(d->msg, what)) {
    fail_msg("message '%s'\n expected prefix '%s' and '%s'", d->msg, prefix, what);
  }
}

/* A data file that must be refused: status, line and the words naming the problem; nothing is
 * allocated (the output stays zero). */
static void refused(const char *spec, const char *csv, ucl_status want, int line,
                    const char *what) {
  ucl_recording r;
  memset(&r, 0, sizeof(r));
  ucl_diag d = {{0}};
  ucl_status st = load(spec, csv, &r, &d);
  if (st != want) {
    fail_msg("status %s, expected %s (%s)", ucl_status_name(st), ucl_status_name(want), d.msg);
  }
  assert_diag(&d, "data.csv", line, what);
  assert_null(r.t);
  assert_int_equal(r.n, 0);
}

static void spec_refused(const char *spec, int line, const char *what) {
  ucl_rec_spec s;
  ucl_diag d = {{0}};
  ucl_status st = spec_of(spec, &s, &d);
  if (st != UCL_ERR_INVAL && st != UCL_ERR_PARSE) {
    fail_msg("status %s for a bad spec (%s)", ucl_status_name(st), d.msg);
  }
  assert_diag(&d, "spec.ini", line, what);
}

#define SPEC "[recording.r]\nfile = data.csv\nV_mem_V = Vm\n"
#define SPEC_IN SPEC "input = Vin\n"

/* Every key, with units, gain, offset and a relative path resolved against the spec's folder. */
static void test_good_file(void **state) {
  (void)state;
  const char *spec = "[recording.r]\n"
                     "file = data.csv      ; next to the spec\n"
                     "time = t_ms\n"
                     "time_unit = ms\n"
                     "input = Vin\n"
                     "input.unit = mV\n"
                     "V_mem_V = Vm\n"
                     "V_mem_V.gain = 2\n"
                     "V_mem_V.offset = 100m\n"
                     "V_C2_V = C2\n"
                     "V_C2_V.unit = \xC2\xB5V\n"
                     "V_C2_V.gain_error = 1%\n"
                     "bits = 16\n"
                     "sample_rate = 100k\n"
                     "noise = 5m\n"
                     "duration = 50u\n";
  const char *csv = "\xEF\xBB\xBFt_ms,Vin,Vm,junk,\"C2\"\r\n"
                    "0.00,1000,0.5,x,10\r\n"
                    "0.01,2000,-1.5,,20\r\n"
                    "0.02,3000,2.5,y,30\r\n"
                    "0.03,4000,1,z,40\r\n"
                    "0.04,5000,  1.25 ,w,50"; /* no final line end; blanks around a number */
  ucl_recording r;
  ucl_diag d = {{0}};
  assert_int_equal(load(spec, csv, &r, &d), UCL_OK);
  char want_path[128];
  snprintf(want_path, sizeof(want_path), "%s/data.csv", dir);
  assert_string_equal(r.spec.path, want_path);
  assert_int_equal(r.spec.line, 1);
  assert_int_equal(r.n, 5);
  assert_int_equal(r.spec.n_channels, 2);
  assert_true(r.spec.has_input);
  assert_close(r.spec.resolution, 20.0 / 65536.0, 1e-15, 0);
  assert_close(r.spec.sample_rate, 1e5, 1e-15, 0);
  assert_close(r.spec.duration, 50e-6, 1e-15, 0);
  assert_int_equal(r.spec.duration_line, 16);
  int m = ucl_rec_channel_index(&r, "V_mem_V"), c2 = ucl_rec_channel_index(&r, "V_C2_V");
  assert_int_equal(m, 0);
  assert_int_equal(c2, 1);
  assert_int_equal(ucl_rec_channel_index(&r, "V_out_V"), -1);
  assert_int_equal(r.spec.ch[m].line, 7);
  assert_string_equal(r.spec.ch[c2].unit, "uV");
  assert_close(r.spec.ch[c2].gain_error, 0.01, 1e-15, 0);
  const double vm[] = {0.5, -1.5, 2.5, 1, 1.25};
  for (size_t i = 0; i < 5; i++) {
    assert_close(r.t[i], (double)i * 1e-5, 1e-12, 0);
    assert_close(r.input[i], (double)(i + 1), 1e-12, 0);
    assert_close(r.v[m][i], 2 * vm[i] + 0.1, 1e-12, 0);
    assert_close(r.v[c2][i], (double)(i + 1) * 1e-5, 1e-12, 0);
  }
  assert_close(r.dt, 1e-5, 1e-9, 0);
  assert_close(r.noise, 5e-3, 1e-15, 0); /* given */
  ucl_rec_free(&r);
  assert_null(r.t);
  ucl_rec_free(&r); /* a freed recording again */

  /* Defaults: t_s in s, V, gain 1, range 10, resolution and sample rate unknown. */
  assert_int_equal(load(SPEC, "t_s,Vm\n0,1\n1e-5,2\n\n2e-5,3\n", &r, &d), UCL_OK);
  assert_int_equal(r.n, 3);
  assert_null(r.input);
  assert_close(r.spec.range, 10, 0, 0);
  assert_close(r.spec.resolution, 0, 0, 0);
  assert_close(r.spec.sample_rate, 0, 0, 0);
  assert_close(r.spec.ch[0].gain, 1, 0, 0);
  assert_close(r.v[0][2], 3, 0, 0);
  ucl_rec_free(&r);
}

/* A standard normal deviate from the counter-based generator (Box-Muller). */
static double gauss(uint64_t i) {
  double u1 = 1.0 - ucl_rng_uniform(7, i, 0), u2 = ucl_rng_uniform(7, i, 1);
  return sqrt(-2.0 * log(u1)) * cos(6.283185307179586 * u2);
}

/* White noise of known σ on a ramp (and on a second channel with a step, the noisier one): the
 * estimate is within 10 % of σ; the median interval is the sampling period. */
static void test_noise_estimate(void **state) {
  (void)state;
  const size_t n = 20000;
  const double sigma = 5e-3, fs = 100e3;
  size_t cap = n * 80 + 64, o = 0;
  char *csv = malloc(cap);
  assert_non_null(csv);
  o += (size_t)snprintf(csv + o, cap - o, "t_s,Vm,Vo\n");
  for (size_t i = 0; i < n; i++) {
    double t = (double)i / fs;
    double vm = 1.0 + 20.0 * t + sigma * gauss(i);
    double vo = (i > n / 2 ? 5.0 : 0.0) + 3 * sigma * gauss(i + n);
    o += (size_t)snprintf(csv + o, cap - o, "%.9g,%.6f,%.6f\n", t, vm, vo);
  }
  ucl_recording r;
  ucl_diag d = {{0}};
  assert_int_equal(load(SPEC "V_out_V = Vo\nsample_rate = 100k\n", csv, &r, &d), UCL_OK);
  free(csv);
  assert_int_equal(r.n, n);
  assert_close(r.dt, 1 / fs, 1e-6, 0);
  assert_close(r.noise, sigma, 0.10, 0);
  ucl_rec_free(&r);

  /* A pulse on the input every 10 samples, the membrane jumping 0.3 V at each and decaying: the
   * second differences next to the input's edges are left out, so the estimate stays within
   * 10 % of σ (all of them in: 1.3 σ). */
  csv = malloc(cap);
  assert_non_null(csv);
  o = 0;
  o += (size_t)snprintf(csv + o, cap - o, "t_s,Vin,Vm\n");
  double level = 0.0;
  for (size_t i = 0; i < n; i++) {
    double t = (double)i / fs;
    int on = i % 10 == 0;
    level = on ? level + 0.3 : level * 0.97;
    double vin = (on ? 7.0 : 0.0) + sigma * gauss(i + 2 * n);
    o += (size_t)snprintf(csv + o, cap - o, "%.9g,%.6f,%.6f\n", t, vin,
                          level + sigma * gauss(i + 3 * n));
  }
  assert_int_equal(load(SPEC_IN "sample_rate = 100k\n", csv, &r, &d), UCL_OK);
  free(csv);
  assert_close(r.noise, sigma, 0.10, 0);
  ucl_rec_free(&r);

  /* Noise-free data: the floor, the quantisation noise of one LSB. */
  assert_int_equal(load(SPEC "resolution = 1m\n", "t_s,Vm\n0,1\n1,1\n2,1\n3,1\n", &r, &d), UCL_OK);
  assert_close(r.noise, 1e-3 / sqrt(12.0), 1e-12, 0);
  ucl_rec_free(&r);
}

/* Numbers read as strtod reads them, to the bit (the loader's fast decimal path and its fallback):
 * DAQ-style fixed and exponent forms, the longest %.17g, signs, leading/trailing points, huge and
 * tiny exponents, more digits than a double holds. */
static void test_numbers_exact(void **state) {
  (void)state;
  static const char *const fixed[] = {"0",
                                      "-0",
                                      "+1.5",
                                      ".5",
                                      "5.",
                                      "1E5",
                                      "-1e-5",
                                      "1e22",
                                      "1e23",
                                      "1e-22",
                                      "1e-23",
                                      "1e300",
                                      "-2.5e-300",
                                      "4.9e-324",
                                      "9007199254740993",
                                      "123456789012345678901",
                                      "0.1000000000000000055511151231257827",
                                      "3.0e+00",
                                      "0x1p-2",
                                      "007.250"};
  const size_t n_fixed = sizeof(fixed) / sizeof(fixed[0]);
  const size_t n = n_fixed + 3000;
  char(*texts)[40] = calloc(n, sizeof(*texts));
  size_t cap = n * 64 + 64, o = 0;
  char *csv = malloc(cap);
  assert_non_null(texts);
  assert_non_null(csv);
  o += (size_t)snprintf(csv + o, cap - o, "t_s,Vm\n");
  for (size_t i = 0; i < n; i++) {
    double x =
        (ucl_rng_uniform(3, i, 0) - 0.5) * pow(10.0, floor(ucl_rng_uniform(3, i, 1) * 40 - 20));
    if (i < n_fixed) {
      snprintf(texts[i], sizeof(texts[i]), "%s", fixed[i]);
    } else {
      switch (i % 4) {
      case 0:
        snprintf(texts[i], sizeof(texts[i]), "%.6f", x);
        break;
      case 1:
        snprintf(texts[i], sizeof(texts[i]), "%.9g", x);
        break;
      case 2:
        snprintf(texts[i], sizeof(texts[i]), "%.17g", x);
        break;
      default:
        snprintf(texts[i], sizeof(texts[i]), "%.3e", x);
        break;
      }
    }
    o += (size_t)snprintf(csv + o, cap - o, "%zu,%s\n", i, texts[i]);
  }
  ucl_recording r;
  ucl_diag d = {{0}};
  assert_int_equal(load(SPEC "range = 1e305\n", csv, &r, &d), UCL_OK);
  assert_int_equal(r.n, n);
  for (size_t i = 0; i < n; i++) {
    double want = 1.0 * strtod(texts[i], NULL) + 0.0; /* gain 1, offset 0: -0 becomes 0 */
    if (memcmp(&r.v[0][i], &want, sizeof(want)) != 0) {
      fail_msg("'%s' read as %.17g, strtod gives %.17g", texts[i], r.v[0][i], want);
    }
  }
  ucl_rec_free(&r);
  free(csv);
  free(texts);
}

/* Each bad data file: "data.csv:LINE: what". */
static void test_bad_data(void **state) {
  (void)state;
  refused(SPEC, "t_s,V_m\n0,1\n", UCL_ERR_PARSE, 1,
          "no column 'Vm' (for V_mem_V); the columns are: t_s, V_m");
  refused("[recording.r]\nfile = data.csv\nV_mem_V = Vm\ntime = time\n", "t_s,Vm\n0,1\n",
          UCL_ERR_PARSE, 1, "no column 'time' (for time)");
  refused(SPEC, "t_s,Vm\n0,1\n1e-5,2\n1e-5,3\n", UCL_ERR_PARSE, 4,
          "time 1e-05 equals the previous row's 1e-05");
  refused(SPEC, "t_s,Vm\n0,1\n2e-5,2\n1e-5,3\n", UCL_ERR_PARSE, 4,
          "time 1e-05 is before the previous row's 2e-05");
  refused(SPEC, "t_s,Vm\n0,1\n1e-5,NaN\n", UCL_ERR_PARSE, 3,
          "'NaN' in column 'Vm' (V_mem_V) is not a finite number");
  refused(SPEC, "t_s,Vm\n0,1\n1e-5,2\ninf,3\n", UCL_ERR_PARSE, 4,
          "'inf' in column 't_s' (time) is not a finite number");
  refused(SPEC, "t_s,Vm\r\n0,1\r\n1e-5,\r\n", UCL_ERR_PARSE, 3, "empty field in column 'Vm'");
  refused(SPEC, "t_s,Vm\r0,1\r1e-5,2\r2e-5,1.2.3\r", UCL_ERR_PARSE, 4,
          "'1.2.3' in column 'Vm' (V_mem_V) is not a number");
  refused(SPEC, "t_s,Vm\n0,1\n1e-5,2 V\n", UCL_ERR_PARSE, 3, "'2 V' in column 'Vm'");
  refused(SPEC, "t_s,Vm\n0,1\n\n1e-5\n", UCL_ERR_PARSE, 4, "row has 1 field, the header has 2");
  refused(SPEC, "t_s,Vm\n0,1\n1e-5,2,3\n", UCL_ERR_PARSE, 3, "row has 3 fields, the header has 2");
  refused(SPEC, "t_s,Vm\n0,1\n", UCL_ERR_PARSE, 2, "1 data row; a recording needs at least 2");
  refused(SPEC, "", UCL_ERR_PARSE, 1, "empty file");
  /* mV data declared V: the first line outside the range, the largest value, the hint */
  refused(SPEC, "t_s,Vm\n0,-65\n1e-5,-70\n2e-5,4980\n3e-5,-60\n", UCL_ERR_INVAL, 2,
          "V_mem_V (column 'Vm') is -65 V, outside the range ±10 V (values reach 4980 V with "
          "unit V: is the unit mV?)");
  refused(SPEC "range = 1\n", "t_s,Vm\n0,0.5\n1e-5,2000\n", UCL_ERR_INVAL, 3, "is the unit uV?");
  refused(SPEC, "t_s,Vm\n0,1\n1e-5,21\n", UCL_ERR_INVAL, 3,
          "(values reach 21 V with unit V: is range right?)"); /* just over: not a unit */
  refused(SPEC "V_mem_V.unit = uV\n", "t_s,Vm\n0,0.5\n1e-5,2e9\n", UCL_ERR_INVAL, 3,
          "is range right?");
  /* a header naming a unit that contradicts the declared one */
  refused(SPEC, "t_s,Vm [mV]\n0,1\n1e-5,2\n", UCL_ERR_INVAL, 1,
          "column 'Vm [mV]' names the unit mV but V_mem_V.unit is V");
  refused(SPEC, "t_s,Vm (mV)\n0,1\n1e-5,2\n", UCL_ERR_INVAL, 1, "names the unit mV");
  refused("[recording.r]\nfile = data.csv\nV_mem_V = Vm_mV\n", "t_s,Vm_mV\n0,1\n1e-5,2\n",
          UCL_ERR_INVAL, 1, "column 'Vm_mV' names the unit mV but V_mem_V.unit is V");
  refused("[recording.r]\nfile = data.csv\nV_mem_V = Vm\ntime = t_ms\n", "t_ms,Vm\n0,1\n1e-2,2\n",
          UCL_ERR_INVAL, 1, "column 't_ms' names the unit ms but time_unit is s");
  refused("[recording.r]\nfile = data.csv\nV_mem_V = Vm\ninput = Vin\n",
          "\n\nt_s,Vm,Vin [A]\n0,1,1\n1e-5,2,2\n", UCL_ERR_INVAL, 3,
          "names the unit A but input.unit is V");
  /* ...but agreeing units are fine, and "Vm" finds "Vm [mV]" */
  ucl_recording r;
  ucl_diag d = {{0}};
  assert_int_equal(load(SPEC "V_mem_V.unit = mV\n", "t_s,Vm [mV]\n0,1\n1e-5,2\n", &r, &d), UCL_OK);
  assert_close(r.v[0][1], 2e-3, 1e-15, 0);
  ucl_rec_free(&r);
  /* the time unit against the sample rate: ms data declared s */
  refused(SPEC "sample_rate = 100k\n", "t_s,Vm\n0,1\n0.01,2\n0.02,3\n", UCL_ERR_INVAL, 1,
          "column 't_s': the median sample interval is 0.01 s, 99900.0 % away from 1/sample_rate "
          "= 1e-05 s: is time_unit right? time_unit = ms fits");
  refused(SPEC "sample_rate = 10k\n", "t_s,Vm\n0,1\n1e-4,2\n2.015e-4,3\n4e-4,2\n", UCL_ERR_INVAL, 1,
          "is time_unit right? or sample_rate?");
  /* shorter than the stimulus it claims */
  refused(SPEC "duration = 50m\n", "t_s,Vm\n0.001,1\n0.011,2\n0.021,3\n", UCL_ERR_INVAL, 4,
          "the recording is shorter than its stimulus: the data end at t = 0.021 s (0.02 s after "
          "the first sample); duration = 0.05 s needs data up to t = 0.051 s (spec line 4)");
  assert_int_equal(load(SPEC "duration = 30m\n", "t_s,Vm\n0.001,1\n0.011,2\n0.021,3\n", &r, &d),
                   UCL_OK); /* the last sample covers one interval */
  ucl_rec_free(&r);
  /* a file that cannot be read */
  ucl_rec_spec s;
  assert_int_equal(spec_of(SPEC, &s, &d), UCL_OK);
  snprintf(s.path, sizeof(s.path), "%s/absent.csv", dir);
  memset(&r, 0, sizeof(r));
  assert_int_equal(ucl_rec_load(&s, &r, &d), UCL_ERR_INPUT);
  assert_non_null(strstr(d.msg, "absent.csv: cannot read"));
  assert_null(r.t);
}

/* Each bad section: "spec.ini:LINE: what". */
static void test_bad_spec(void **state) {
  (void)state;
  spec_refused(SPEC "colour = red\n", 4, "unknown key 'colour' in [recording.r]");
  spec_refused(SPEC "V_mem_V.scale = 2\n", 4, "unknown key 'V_mem_V.scale'");
  spec_refused(SPEC "V_mem_V.unit = kV\n", 4, "V_mem_V.unit 'kV' is not V, mV or uV");
  spec_refused(SPEC "time_unit = min\n", 4, "time_unit 'min' is not s, ms or us");
  spec_refused(SPEC "V_mem_V.gain = 0\n", 4, "V_mem_V.gain = 0 must be > 0");
  spec_refused(SPEC "V_mem_V.gain = two\n", 4, "V_mem_V.gain: 'two' is not a number");
  spec_refused(SPEC "V_mem_V.gain_error = 150%\n", 4, "must be a relative error in [0, 1)");
  spec_refused(SPEC "bits = 40\n", 4, "bits:");
  spec_refused(SPEC "bits = 16\nresolution = 1m\n", 5, "give bits (line 4) or resolution");
  spec_refused(SPEC "sample_rate = -1\n", 4, "sample_rate = -1 must be > 0");
  spec_refused(SPEC "noise = 0\n", 4, "noise = 0 must be > 0");
  spec_refused(SPEC "V_in_V = Vin\n", 4, "V_in_V is the input: map it with input = COLUMN");
  spec_refused(SPEC "I_anode_A = Ia\n", 4, "I_anode_A is not a measured voltage");
  spec_refused(SPEC "V_out_V.gain = 2\n", 4, "V_out_V.gain given but V_out_V is not mapped");
  spec_refused(SPEC "V_out_V = Vm\n", 4,
               "column 'Vm' mapped twice: V_out_V here and V_mem_V at "
               "line 3");
  spec_refused(SPEC "input = t_s\n", 4, "column 't_s' mapped twice: input here and time");
  spec_refused("[recording.r]\nV_mem_V = Vm\n", 1, "[recording.r] has no file");
  spec_refused("[other]\n\n[recording.r]\nfile = x.csv\n", 3,
               "maps no measured channel (one of "
               "V_mem_V, V_gate_V");
  ucl_rec_spec s;
  ucl_diag d = {{0}};
  assert_int_equal(spec_of("[recording.q]\nfile = x\nV_mem_V = a\n", &s, &d), UCL_ERR_INVAL);
  assert_non_null(strstr(d.msg, "no section [recording.r]"));
  /* an absolute path is kept as given */
  assert_int_equal(spec_of("[recording.r]\nfile = /data/x.csv\nV_mem_V = a\n", &s, &d), UCL_OK);
  assert_string_equal(s.path, "/data/x.csv");
}

/* The channels a recording may map are the voltage columns of waveform.csv but V_in_V. */
static void test_channels_are_waveform_columns(void **state) {
  (void)state;
  static const char *const names[] = {"V_mem_V", "V_gate_V",  "V_cathode_V",
                                      "V_out_V", "V_clamp_V", "V_C2_V"};
  const ucl_table *t = ucl_sim_waveform_table();
  for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
    long k = ucl_table_find(t, names[i]);
    assert_true(k > 0);
    assert_string_equal(t->cols[k].unit, "V");
    char spec[128];
    snprintf(spec, sizeof(spec), "[recording.r]\nfile = d.csv\n%s = c\n", names[i]);
    ucl_rec_spec s;
    ucl_diag d = {{0}};
    if (spec_of(spec, &s, &d) != UCL_OK) {
      fail_msg("%s: %s", names[i], d.msg);
    }
    assert_string_equal(s.ch[0].model, names[i]);
  }
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_good_file),     cmocka_unit_test(test_noise_estimate),
      cmocka_unit_test(test_numbers_exact), cmocka_unit_test(test_bad_data),
      cmocka_unit_test(test_bad_spec),      cmocka_unit_test(test_channels_are_waveform_columns),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
