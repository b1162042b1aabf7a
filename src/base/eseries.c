/* eseries.c — IEC 60063 E-series tables. */
#include "uclif/eseries.h"

#include <math.h>
#include <stdlib.h>

static const short e24[] = {100, 110, 120, 130, 150, 160, 180, 200, 220, 240, 270, 300,
                            330, 360, 390, 430, 470, 510, 560, 620, 680, 750, 820, 910};
static const short e192[] = {
    100, 101, 102, 104, 105, 106, 107, 109, 110, 111, 113, 114, 115, 117, 118, 120, 121, 123,
    124, 126, 127, 129, 130, 132, 133, 135, 137, 138, 140, 142, 143, 145, 147, 149, 150, 152,
    154, 156, 158, 160, 162, 164, 165, 167, 169, 172, 174, 176, 178, 180, 182, 184, 187, 189,
    191, 193, 196, 198, 200, 203, 205, 208, 210, 213, 215, 218, 221, 223, 226, 229, 232, 234,
    237, 240, 243, 246, 249, 252, 255, 258, 261, 264, 267, 271, 274, 277, 280, 284, 287, 291,
    294, 298, 301, 305, 309, 312, 316, 320, 324, 328, 332, 336, 340, 344, 348, 352, 357, 361,
    365, 370, 374, 379, 383, 388, 392, 397, 402, 407, 412, 417, 422, 427, 432, 437, 442, 448,
    453, 459, 464, 470, 475, 481, 487, 493, 499, 505, 511, 517, 523, 530, 536, 542, 549, 556,
    562, 569, 576, 583, 590, 597, 604, 612, 619, 626, 634, 642, 649, 657, 665, 673, 681, 690,
    698, 706, 715, 723, 732, 741, 750, 759, 768, 777, 787, 796, 806, 816, 825, 835, 845, 856,
    866, 876, 887, 898, 909, 920, 931, 942, 953, 965, 976, 988};

/* E6, E12 take every 4th, 2nd value of E24; E48, E96 every 4th, 2nd of E192. */
static short e6[6], e12[12], e48[48], e96[96];
static int filled = 0;

static void fill(void) {
  if (filled) {
    return;
  }
  for (int i = 0; i < 24; i++) {
    if (i % 2 == 0) {
      e12[i / 2] = e24[i];
    }
    if (i % 4 == 0) {
      e6[i / 4] = e24[i];
    }
  }
  for (int i = 0; i < 192; i++) {
    if (i % 2 == 0) {
      e96[i / 2] = e192[i];
    }
    if (i % 4 == 0) {
      e48[i / 4] = e192[i];
    }
  }
  filled = 1;
}

const short *ucl_eseries_mantissas(int n, size_t *count) {
  fill();
  *count = (size_t)n;
  switch (n) {
  case 6:
    return e6;
  case 12:
    return e12;
  case 24:
    return e24;
  case 48:
    return e48;
  case 96:
    return e96;
  case 192:
    return e192;
  default:
    *count = 0;
    return NULL;
  }
}

ucl_status ucl_eseries_range(int n, double lo, double hi, size_t max_n, double **out, size_t *count,
                             ucl_diag *diag) {
  size_t m;
  const short *man = ucl_eseries_mantissas(n, &m);
  if (!man) {
    return ucl_diag_set(diag, UCL_ERR_INVAL, "unknown E-series E%d (E6 E12 E24 E48 E96 E192)", n);
  }
  if (!(lo > 0.0) || !(hi >= lo) || !isfinite(hi)) {
    return ucl_diag_set(diag, UCL_ERR_INVAL, "e%d(lo, hi) needs 0 < lo <= hi", n);
  }
  int d0 = (int)floor(log10(lo)) - 1, d1 = (int)floor(log10(hi)) + 1;
  size_t cap = (size_t)(d1 - d0 + 1) * m, k = 0;
  if (cap > 100000) {
    return ucl_diag_set(diag, UCL_ERR_RANGE, "e%d(%g, %g) spans too many decades", n, lo, hi);
  }
  double *v = malloc(cap * sizeof(*v));
  if (!v) {
    return ucl_diag_set(diag, UCL_ERR_NOMEM, "out of memory");
  }
  for (int dec = d0; dec <= d1; dec++) {
    for (size_t i = 0; i < m; i++) {
      /* value = mantissa/100 · 10^dec, rounded to the series' significant figures */
      double x = (double)man[i] * pow(10.0, dec - 2);
      if (x >= lo * (1 - 1e-9) && x <= hi * (1 + 1e-9)) {
        v[k++] = x;
      }
    }
  }
  if (k == 0 || k > max_n) {
    free(v);
    return ucl_diag_set(diag, UCL_ERR_RANGE,
                        k == 0 ? "e%d(%g, %g) holds no value" : "e%d(%g, %g) holds too many values",
                        n, lo, hi);
  }
  *out = v;
  *count = k;
  return UCL_OK;
}
