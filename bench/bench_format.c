/* bench_format.c — the number formatters of csvio.h against snprintf, for instruction counts
 * per value under callgrind (bench/waveform_bench.sh subtracts the 'none' run).
 *
 *   bench_format MODE N [CSV]
 *
 * MODE: none (values only), snprintf17 (snprintf "%.17g", what waveform.csv used to cost),
 * snprintf9 (snprintf "%.9g"), double (ucl_csv_format_double, %.17g), sample
 * (ucl_csv_format_sample, %.9g). N values are formatted: the numeric fields of CSV (a
 * waveform.csv) cycled, or without CSV waveform-like values (mantissa uniform, decimal exponent
 * uniform over -36 ... 1, either sign) from the counter-based generator. Prints a checksum of
 * the text so no formatting is optimised away. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "uclif/csvio.h"
#include "uclif/rng.h"

/* The numeric fields of a CSV file (header skipped, quoted fields skipped) into a malloc'd
 * array; *n of them. */
static double *read_values(const char *path, size_t *n) {
  FILE *f = fopen(path, "rb");
  if (!f) {
    return NULL;
  }
  size_t cap = 1 << 16, len = 0;
  double *v = malloc(cap * sizeof(*v));
  char line[8192];
  int header = 1;
  while (v && fgets(line, sizeof(line), f)) {
    if (header) {
      header = 0;
      continue;
    }
    char *s = line;
    while (*s && *s != '\r' && *s != '\n') {
      char *end;
      errno = 0;
      double x = strtod(s, &end);
      if (end != s && errno == 0) {
        if (len == cap) {
          double *g = realloc(v, 2 * cap * sizeof(*v));
          if (!g) {
            free(v);
            v = NULL;
            break;
          }
          v = g;
          cap *= 2;
        }
        v[len++] = x;
        s = end;
      }
      while (*s && *s != ',' && *s != '\r' && *s != '\n') {
        s++;
      }
      if (*s == ',') {
        s++;
      }
    }
  }
  fclose(f);
  *n = len;
  return v;
}

int main(int argc, char **argv) {
  if (argc < 3) {
    fprintf(stderr, "usage: bench_format none|snprintf17|snprintf9|double|sample N [CSV]\n");
    return 2;
  }
  const char *mode = argv[1];
  long n = strtol(argv[2], NULL, 10);
  size_t nv = 0;
  double *vals = NULL;
  if (argc > 3) {
    vals = read_values(argv[3], &nv);
    if (!vals || nv == 0) {
      fprintf(stderr, "bench_format: no numbers in %s\n", argv[3]);
      free(vals);
      return 2;
    }
  } else {
    nv = (size_t)(n > 0 ? n : 1);
    vals = malloc(nv * sizeof(*vals));
    if (!vals) {
      return 1;
    }
    for (size_t i = 0; i < nv; i++) {
      double u = ucl_rng_uniform(1, i, 0), e = ucl_rng_uniform(1, i, 1);
      double v = (1.0 + 9.0 * u) * pow(10.0, floor(-36.0 + 38.0 * e));
      vals[i] = ucl_rng_uniform(1, i, 2) < 0.5 ? -v : v;
    }
  }
  int m = strcmp(mode, "none") == 0         ? 0
          : strcmp(mode, "snprintf17") == 0 ? 1
          : strcmp(mode, "snprintf9") == 0  ? 2
          : strcmp(mode, "double") == 0     ? 3
          : strcmp(mode, "sample") == 0     ? 4
                                            : -1;
  if (m < 0) {
    fprintf(stderr, "bench_format: unknown mode '%s'\n", mode);
    free(vals);
    return 2;
  }
  unsigned long sum = 0;
  char buf[UCL_CSV_NUMBER_SIZE];
  for (long i = 0; i < n; i++) {
    double v = vals[(size_t)i % nv];
    size_t len = 0;
    buf[0] = '\0';
    switch (m) {
    case 1:
      len = (size_t)snprintf(buf, sizeof(buf), "%.17g", v);
      break;
    case 2:
      len = (size_t)snprintf(buf, sizeof(buf), "%.9g", v);
      break;
    case 3:
      len = ucl_csv_format_double(v, buf);
      break;
    case 4:
      len = ucl_csv_format_sample(v, buf);
      break;
    default:
      len = v > 0;
      break;
    }
    sum += len * 31u + (unsigned char)buf[0];
  }
  printf("%s %ld values (%zu distinct) checksum %lu\n", mode, n, nv, sum);
  free(vals);
  return 0;
}
