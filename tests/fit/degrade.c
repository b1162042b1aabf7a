/* degrade.c — turn a simulated waveform into a realistic acquisition (fits/example/README.md,
 * "Synthesized recordings"): resampled at a DAQ's rate, started a trigger offset after the
 * stimulus' time 0, each channel scaled by a gain error, white Gaussian noise added, quantized
 * by an ADC of N bits over ±range and clipped to its codes.
 *
 *   degrade IN.csv OUT.csv [--rate 100k] [--bits 16] [--range 10] [--noise 5m]
 *           [--trigger-offset 3u] [--gain COLUMN=1.01 ...] [--columns t_s,V_in_V,...]
 *           [--rename OLD=NEW ...] [--t-end T] [--seed N]
 *
 * IN is a waveform.csv of `uclif simulate` (docs/outputs.md): the time t_s (s) first, then the
 * channels; times non-decreasing (an event's two rows share a time). Output sample k is taken
 * at t_k = k/rate for 0 <= t_k <= t_end (default: IN's last time); t_s is written as k/rate
 * (%.17g). Each channel c (its index in IN's header, so selecting columns does not change
 * another channel's noise) reads
 *
 *   y = quantize(gain_c · x_c(t_k + trigger_offset) + noise · z(seed, c, k))
 *
 * with x_c IN's linear interpolation (right-continuous at an event: the row after it; before
 * IN's first time the first value, after its last time the last value), z a standard normal
 * deviate (Box-Muller on ucl_rng_uniform(seed, c, 2k) and (seed, c, 2k + 1)), and quantize the
 * ADC: LSB = 2·range/2^bits, code = round(v/LSB) (to nearest, ties away from zero) clipped to
 * [−2^(bits−1), 2^(bits−1) − 1], y = code·LSB, i.e. within [−range, range − LSB]. Values are
 * written to 9 significant digits (ucl_csv_sample).
 *
 * Numbers take SI suffixes (the project's unit parser: 100k, 5m, 3u). --gain and --rename name
 * an IN column (--gain also accepts a name given by --rename); --columns lists IN columns to
 * keep, in order (t_s, if listed, must be first; it is always written first).
 * Exit status: 0 written; 1 the output cannot be written; 2 bad usage or bad input (the option
 * or file:line is named; nothing is written). */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "uclif/csvio.h"
#include "uclif/rng.h"
#include "uclif/units.h"

#define MAX_COLS 64
#define NAME_SIZE 64
#define TWO_PI 6.283185307179586476925286766559

/* A column's input data and its output settings. */
typedef struct column {
  char name[NAME_SIZE]; /* header text in IN */
  char out[NAME_SIZE];  /* header text in OUT (after --rename) */
  double gain;          /* dimensionless, default 1 */
  double *x;            /* IN's values, n_rows of them (owned) */
} column;

typedef struct wave {
  int n_cols; /* columns of IN, the time first */
  column col[MAX_COLS];
  size_t n_rows, cap;
} wave;

typedef struct settings {
  double rate;         /* Hz */
  long bits;           /* ADC bits, 1..32 */
  double range;        /* V, full scale ±range */
  double noise;        /* V RMS, >= 0 */
  double offset;       /* s, the acquisition's start after the stimulus' time 0 */
  double t_end;        /* s; NAN = IN's last time */
  uint64_t seed;       /* noise key */
  const char *columns; /* comma-separated IN columns, or NULL for all */
} settings;

/* One NAME=VALUE pair of a repeatable option, kept until IN's header is known. */
typedef struct pair {
  const char *opt; /* "--gain" or "--rename" */
  char name[NAME_SIZE];
  const char *value;
} pair;

static void usage(FILE *f) {
  fputs("usage: degrade IN.csv OUT.csv [--rate 100k] [--bits 16] [--range 10] [--noise 5m]\n"
        "               [--trigger-offset 3u] [--gain COLUMN=1.01 ...] [--columns t_s,V_in_V,...]\n"
        "               [--rename OLD=NEW ...] [--t-end T] [--seed N]\n"
        "Resample a uclif waveform.csv like a DAQ: rate, trigger offset, per-channel gain,\n"
        "white Gaussian noise (V RMS), quantization over +-range with BITS bits.\n"
        "Defaults: --rate 100k --bits 16 --range 10 --noise 0 --trigger-offset 0 --seed 1,\n"
        "every column, --t-end the end of IN.\n",
        f);
}

static void wave_free(wave *w) {
  for (int c = 0; c < w->n_cols; c++) {
    free(w->col[c].x);
    w->col[c].x = NULL;
  }
}

/* Split one CSV line (RFC 4180: quoted fields with "" escapes; CR/LF stripped) into at most
 * MAX_COLS fields, in place. Returns the field count, or -1 when there are too many fields or a
 * quote is not closed. */
static int split_csv(char *line, char **fields) {
  int n = 0;
  char *r = line, *w = line;
  for (;;) {
    if (n == MAX_COLS) {
      return -1;
    }
    fields[n++] = w;
    if (*r == '"') {
      r++;
      for (;;) {
        if (*r == '\0') {
          return -1;
        }
        if (*r == '"' && r[1] == '"') {
          *w++ = '"';
          r += 2;
        } else if (*r == '"') {
          r++;
          break;
        } else {
          *w++ = *r++;
        }
      }
    }
    while (*r != '\0' && *r != ',' && *r != '\r' && *r != '\n') {
      *w++ = *r++;
    }
    if (*r == ',') {
      *w++ = '\0';
      r++;
      continue;
    }
    *w = '\0';
    return n;
  }
}

/* Read IN into *w. Returns 0, or 2 with a message "path:line: what". */
static int read_wave(const char *path, wave *w) {
  FILE *f = fopen(path, "rb");
  if (!f) {
    fprintf(stderr, "degrade: %s: cannot open: %s\n", path, strerror(errno));
    return 2;
  }
  char *line = NULL;
  size_t line_cap = 0;
  char *fields[MAX_COLS];
  long lineno = 0;
  int rc = 2;
  ssize_t len;
  while ((len = getline(&line, &line_cap, f)) >= 0) {
    lineno++;
    if (lineno > 1 && (line[0] == '\n' || line[0] == '\r' || line[0] == '\0')) {
      continue; /* a blank line, e.g. at the end */
    }
    int n = split_csv(line, fields);
    if (n < 0) {
      fprintf(stderr, "degrade: %s:%ld: more than %d fields or an unclosed quote\n", path, lineno,
              MAX_COLS);
      goto cleanup;
    }
    if (lineno == 1) {
      if (n < 2) {
        fprintf(stderr, "degrade: %s:1: a header with a time and at least one channel expected\n",
                path);
        goto cleanup;
      }
      for (int c = 0; c < n; c++) {
        if (strlen(fields[c]) >= NAME_SIZE || fields[c][0] == '\0') {
          fprintf(stderr, "degrade: %s:1: column %d: empty or longer than %d characters\n", path,
                  c + 1, NAME_SIZE - 1);
          goto cleanup;
        }
        for (int d = 0; d < c; d++) {
          if (strcmp(fields[c], w->col[d].name) == 0) {
            fprintf(stderr, "degrade: %s:1: column '%s' appears twice\n", path, fields[c]);
            goto cleanup;
          }
        }
        memcpy(w->col[c].name, fields[c], strlen(fields[c]) + 1);
        memcpy(w->col[c].out, fields[c], strlen(fields[c]) + 1);
        w->col[c].gain = 1.0;
      }
      w->n_cols = n;
      continue;
    }
    if (n != w->n_cols) {
      fprintf(stderr, "degrade: %s:%ld: %d fields, the header has %d\n", path, lineno, n,
              w->n_cols);
      goto cleanup;
    }
    if (w->n_rows == w->cap) {
      size_t cap = w->cap ? 2 * w->cap : 4096;
      for (int c = 0; c < w->n_cols; c++) {
        double *x = realloc(w->col[c].x, cap * sizeof(*x));
        if (!x) {
          fprintf(stderr, "degrade: out of memory\n");
          goto cleanup;
        }
        w->col[c].x = x;
      }
      w->cap = cap;
    }
    for (int c = 0; c < n; c++) {
      char *end;
      errno = 0;
      double v = strtod(fields[c], &end);
      if (end == fields[c] || *end != '\0' || errno == ERANGE || !isfinite(v)) {
        fprintf(stderr, "degrade: %s:%ld: column '%s': '%s' is not a finite number\n", path, lineno,
                w->col[c].name, fields[c]);
        goto cleanup;
      }
      w->col[c].x[w->n_rows] = v;
    }
    if (w->n_rows > 0 && w->col[0].x[w->n_rows] < w->col[0].x[w->n_rows - 1]) {
      fprintf(stderr, "degrade: %s:%ld: time goes backwards\n", path, lineno);
      goto cleanup;
    }
    w->n_rows++;
  }
  if (lineno == 0) {
    fprintf(stderr, "degrade: %s: empty file\n", path);
    goto cleanup;
  }
  if (w->n_rows == 0) {
    fprintf(stderr, "degrade: %s:%ld: no samples\n", path, lineno);
    goto cleanup;
  }
  rc = 0;
cleanup:
  if (ferror(f)) {
    fprintf(stderr, "degrade: %s: read error\n", path);
    rc = 2;
  }
  fclose(f); /* read only: nothing to lose */
  free(line);
  return rc;
}

/* IN's column c at time t: linear interpolation on the last row i with t_i <= t and the next
 * (right-continuous at an event's two rows), held constant outside IN's time span. '*hint' is
 * the row found for the previous (smaller or equal) t: the search walks forward from it. */
static double interp(const wave *w, int c, double t, size_t *hint) {
  const double *ts = w->col[0].x, *x = w->col[c].x;
  size_t n = w->n_rows;
  if (t < ts[0]) {
    return x[0];
  }
  size_t i = *hint;
  while (i + 1 < n && ts[i + 1] <= t) {
    i++;
  }
  *hint = i;
  if (i + 1 >= n) {
    return x[n - 1];
  }
  double a = (t - ts[i]) / (ts[i + 1] - ts[i]); /* ts[i + 1] > t >= ts[i] */
  return x[i] + a * (x[i + 1] - x[i]);
}

/* A standard normal deviate keyed by (seed, channel, k): Box-Muller's cosine branch. */
static double normal(uint64_t seed, uint64_t channel, uint64_t k) {
  double u1 = ucl_rng_uniform(seed, channel, 2 * k);
  double u2 = ucl_rng_uniform(seed, channel, 2 * k + 1);
  return sqrt(-2.0 * log1p(-u1)) * cos(TWO_PI * u2); /* 1 - u1 in (0, 1] */
}

/* The ADC: v rounded to the nearest code, clipped to the codes of 'bits' bits. */
static double quantize(double v, double lsb, long bits) {
  double code = round(v / lsb);
  double lo = -ldexp(1.0, (int)bits - 1), hi = ldexp(1.0, (int)bits - 1) - 1.0;
  code = code < lo ? lo : (code > hi ? hi : code);
  return code * lsb;
}

/* Parse an option's number with 'unit' into *out, or print "degrade: OPT: why" and return 2. */
static int parse_num(const char *opt, const char *text, const char *unit, double *out) {
  ucl_diag d = {{0}};
  if (ucl_units_parse(text, unit, out, &d) != UCL_OK) {
    fprintf(stderr, "degrade: %s: %s\n", opt, d.msg);
    return 2;
  }
  return 0;
}

/* As parse_num, and the value must be > lo (or >= lo when 'closed'). */
static int parse_min(const char *opt, const char *text, const char *unit, double lo, int closed,
                     double *out) {
  double v;
  if (parse_num(opt, text, unit, &v) != 0) {
    return 2;
  }
  if (closed ? !(v >= lo) : !(v > lo)) {
    fprintf(stderr, "degrade: %s: '%s' must be %s %g\n", opt, text, closed ? ">=" : ">", lo);
    return 2;
  }
  *out = v;
  return 0;
}

/* Split "NAME=VALUE" of option 'opt' into p, or print why and return 2. */
static int parse_pair(const char *opt, const char *arg, pair *p) {
  const char *eq = strchr(arg, '=');
  if (!eq || eq == arg || eq[1] == '\0' || (size_t)(eq - arg) >= NAME_SIZE) {
    fprintf(stderr, "degrade: %s: '%s' is not NAME=VALUE\n", opt, arg);
    return 2;
  }
  p->opt = opt;
  memcpy(p->name, arg, (size_t)(eq - arg));
  p->name[eq - arg] = '\0';
  p->value = eq + 1;
  return 0;
}

static int find_col(const wave *w, const char *name, int by_out) {
  for (int c = 0; c < w->n_cols; c++) {
    if (strcmp(w->col[c].name, name) == 0 || (by_out && strcmp(w->col[c].out, name) == 0)) {
      return c;
    }
  }
  return -1;
}

/* Apply --rename then --gain to w. Returns 0, or 2 with the option named. */
static int apply_pairs(wave *w, const pair *pairs, int n_pairs, const char *in_path) {
  for (int pass = 0; pass < 2; pass++) {
    for (int i = 0; i < n_pairs; i++) {
      const pair *p = &pairs[i];
      int is_rename = strcmp(p->opt, "--rename") == 0;
      if (is_rename != (pass == 0)) {
        continue;
      }
      int c = find_col(w, p->name, !is_rename);
      if (c < 0) {
        fprintf(stderr, "degrade: %s: no column '%s' in %s\n", p->opt, p->name, in_path);
        return 2;
      }
      if (is_rename) {
        if (strlen(p->value) >= NAME_SIZE) {
          fprintf(stderr, "degrade: --rename: '%s' is longer than %d characters\n", p->value,
                  NAME_SIZE - 1);
          return 2;
        }
        for (int d = 0; d < w->n_cols; d++) {
          if (d != c && strcmp(w->col[d].out, p->value) == 0) {
            fprintf(stderr, "degrade: --rename: '%s' is already a column's name\n", p->value);
            return 2;
          }
        }
        memcpy(w->col[c].out, p->value, strlen(p->value) + 1);
      } else {
        if (c == 0) {
          fprintf(stderr, "degrade: --gain: '%s' is the time column\n", p->name);
          return 2;
        }
        if (parse_min("--gain", p->value, "", 0.0, 0, &w->col[c].gain) != 0) {
          return 2;
        }
      }
    }
  }
  return 0;
}

/* The IN columns to write, time first, into sel[]; *n_sel of them. Returns 0 or 2. */
static int select_columns(const wave *w, const char *list, int *sel, int *n_sel,
                          const char *in_path) {
  int n = 0;
  sel[n++] = 0;
  if (!list) {
    for (int c = 1; c < w->n_cols; c++) {
      sel[n++] = c;
    }
    *n_sel = n;
    return 0;
  }
  const char *s = list;
  for (int k = 0;; k++) {
    const char *e = strchr(s, ',');
    size_t len = e ? (size_t)(e - s) : strlen(s);
    char name[NAME_SIZE];
    if (len == 0 || len >= NAME_SIZE) {
      fprintf(stderr, "degrade: --columns: empty or overlong name in '%s'\n", list);
      return 2;
    }
    memcpy(name, s, len);
    name[len] = '\0';
    int c = find_col(w, name, 0);
    if (c < 0) {
      fprintf(stderr, "degrade: --columns: no column '%s' in %s\n", name, in_path);
      return 2;
    }
    if (c == 0 && k != 0) {
      fprintf(stderr, "degrade: --columns: the time column '%s' must come first\n", name);
      return 2;
    }
    for (int j = 0; j < n; j++) {
      if (c != 0 && sel[j] == c) {
        fprintf(stderr, "degrade: --columns: '%s' is listed twice\n", name);
        return 2;
      }
    }
    if (c != 0) {
      sel[n++] = c;
    }
    if (!e) {
      break;
    }
    s = e + 1;
  }
  if (n < 2) {
    fprintf(stderr, "degrade: --columns: no channel in '%s'\n", list);
    return 2;
  }
  *n_sel = n;
  return 0;
}

/* Write the acquisition. Returns 0, or 1 when the output cannot be written. */
static int write_out(const char *path, const wave *w, const int *sel, int n_sel,
                     const settings *s) {
  const char *names[MAX_COLS];
  size_t hint[MAX_COLS] = {0};
  for (int j = 0; j < n_sel; j++) {
    names[j] = w->col[sel[j]].out;
  }
  ucl_diag d = {{0}};
  ucl_csv_writer *cw = NULL;
  if (ucl_csv_open(path, names, n_sel, &cw, &d) != UCL_OK) {
    fprintf(stderr, "degrade: %s\n", d.msg);
    return 1;
  }
  double lsb = 2.0 * s->range / ldexp(1.0, (int)s->bits);
  double t_end = isnan(s->t_end) ? w->col[0].x[w->n_rows - 1] : s->t_end;
  for (uint64_t k = 0;; k++) {
    double t = (double)k / s->rate;
    if (t > t_end) {
      break;
    }
    ucl_status st = ucl_csv_double(cw, t);
    for (int j = 1; j < n_sel && st == UCL_OK; j++) {
      int c = sel[j];
      double v = w->col[c].gain * interp(w, c, t + s->offset, &hint[j]);
      if (s->noise > 0) {
        v += s->noise * normal(s->seed, (uint64_t)c, k);
      }
      st = ucl_csv_sample(cw, quantize(v, lsb, s->bits));
    }
    if (st == UCL_OK) {
      st = ucl_csv_end_row(cw, &d);
    }
    if (st != UCL_OK) {
      fprintf(stderr, "degrade: %s: %s\n", path, d.msg[0] ? d.msg : ucl_status_str(st));
      ucl_csv_abort(&cw);
      return 1;
    }
  }
  if (ucl_csv_commit(&cw, &d) != UCL_OK) {
    fprintf(stderr, "degrade: %s\n", d.msg);
    return 1;
  }
  return 0;
}

int main(int argc, char **argv) {
  enum {
    O_RATE = 256,
    O_BITS,
    O_RANGE,
    O_NOISE,
    O_OFFSET,
    O_GAIN,
    O_COLUMNS,
    O_RENAME,
    O_TEND,
    O_SEED
  };
  static const struct option opts[] = {
      {"rate", required_argument, NULL, O_RATE},
      {"bits", required_argument, NULL, O_BITS},
      {"range", required_argument, NULL, O_RANGE},
      {"noise", required_argument, NULL, O_NOISE},
      {"trigger-offset", required_argument, NULL, O_OFFSET},
      {"gain", required_argument, NULL, O_GAIN},
      {"columns", required_argument, NULL, O_COLUMNS},
      {"rename", required_argument, NULL, O_RENAME},
      {"t-end", required_argument, NULL, O_TEND},
      {"seed", required_argument, NULL, O_SEED},
      {"help", no_argument, NULL, 'h'},
      {NULL, 0, NULL, 0},
  };
  settings s = {.rate = 100e3,
                .bits = 16,
                .range = 10.0,
                .noise = 0.0,
                .offset = 0.0,
                .t_end = NAN,
                .seed = 1,
                .columns = NULL};
  pair pairs[2 * MAX_COLS];
  int n_pairs = 0;
  wave w;
  memset(&w, 0, sizeof(w));
  int sel[MAX_COLS], n_sel = 0;
  ucl_diag d = {{0}};
  long seed = 1;
  int rc = 2, r;
  opterr = 0;
  while ((r = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
    const char *arg = optarg;
    int bad = 0;
    switch (r) {
    case O_RATE:
      bad = parse_min("--rate", arg, "Hz", 0.0, 0, &s.rate);
      break;
    case O_BITS:
      if (ucl_units_parse_long(arg, 1, 32, &s.bits, &d) != UCL_OK) {
        fprintf(stderr, "degrade: --bits: %s\n", d.msg);
        bad = 1;
      }
      break;
    case O_RANGE:
      bad = parse_min("--range", arg, "V", 0.0, 0, &s.range);
      break;
    case O_NOISE:
      bad = parse_min("--noise", arg, "V", 0.0, 1, &s.noise);
      break;
    case O_OFFSET:
      bad = parse_num("--trigger-offset", arg, "s", &s.offset);
      break;
    case O_TEND:
      bad = parse_min("--t-end", arg, "s", 0.0, 1, &s.t_end);
      break;
    case O_SEED:
      if (ucl_units_parse_long(arg, 0, LONG_MAX, &seed, &d) != UCL_OK) {
        fprintf(stderr, "degrade: --seed: %s\n", d.msg);
        bad = 1;
      }
      s.seed = (uint64_t)seed;
      break;
    case O_COLUMNS:
      s.columns = arg;
      break;
    case O_GAIN:
    case O_RENAME:
      if (n_pairs == 2 * MAX_COLS) {
        fprintf(stderr, "degrade: too many --gain/--rename options\n");
        bad = 1;
      } else {
        bad = parse_pair(r == O_GAIN ? "--gain" : "--rename", arg, &pairs[n_pairs++]);
      }
      break;
    case 'h':
      usage(stdout);
      return 0;
    case ':':
      fprintf(stderr, "degrade: %s: a value is required\n", argv[optind - 1]);
      bad = 1;
      break;
    default:
      fprintf(stderr, "degrade: %s: unknown option\n", argv[optind - 1]);
      bad = 1;
      break;
    }
    if (bad) {
      usage(stderr);
      return 2;
    }
  }
  if (argc - optind != 2) {
    fprintf(stderr, "degrade: IN.csv and OUT.csv expected\n");
    usage(stderr);
    return 2;
  }
  const char *in_path = argv[optind], *out_path = argv[optind + 1];
  if (read_wave(in_path, &w) != 0 || apply_pairs(&w, pairs, n_pairs, in_path) != 0 ||
      select_columns(&w, s.columns, sel, &n_sel, in_path) != 0) {
    goto cleanup;
  }
  rc = write_out(out_path, &w, sel, n_sel, &s);
cleanup:
  wave_free(&w);
  return rc;
}
