/* units.c — SI-suffixed and RKM-coded number parsing (strtod with end pointer; never
 * atof/sscanf). */
#include "uclif/units.h"

#include "uclif/eseries.h"
#include "uclif/ini.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MICRO_SIGN "\xC2\xB5"   /* U+00B5 MICRO SIGN */
#define GREEK_MU "\xCE\xBC"     /* U+03BC GREEK SMALL LETTER MU (Unicode's preferred micro) */
#define OHM_SIGN "\xE2\x84\xA6" /* U+2126 OHM SIGN */
#define GREEK_OMEGA "\xCE\xA9"  /* U+03A9 GREEK CAPITAL LETTER OMEGA (Unicode's preferred ohm) */

static const char *skip_blanks(const char *s) {
  while (*s && isspace((unsigned char)*s)) {
    s++;
  }
  return s;
}

/* Length of 's' without trailing blanks. */
static size_t trimmed_len(const char *s) {
  size_t n = strlen(s);
  while (n > 0 && isspace((unsigned char)s[n - 1])) {
    n--;
  }
  return n;
}

/* Does the remaining text (length n) equal the unit, or an accepted spelling of it? */
static int is_unit(const char *s, size_t n, const char *unit) {
  if (n == 0) {
    return 1;
  }
  if (!unit || !unit[0]) {
    return 0;
  }
  if (strlen(unit) == n && strncmp(s, unit, n) == 0) {
    return 1;
  }
  if (strcmp(unit, "Ohm") == 0) {
    static const char *const ohm[] = {"ohm", GREEK_OMEGA, OHM_SIGN, "R"};
    for (size_t i = 0; i < sizeof(ohm) / sizeof(ohm[0]); i++) {
      if (strlen(ohm[i]) == n && strncmp(s, ohm[i], n) == 0) {
        return 1;
      }
    }
  }
  return 0;
}

/* Is 'unit' one of a resistance, a capacitance or an inductance (the values RKM code is for)? */
static int rkm_unit(const char *unit) {
  return unit && (strcmp(unit, "Ohm") == 0 || strcmp(unit, "F") == 0 || strcmp(unit, "H") == 0);
}

/* The RKM letter at 's' (n bytes): its length, and its scale in *scale; 0 if none. R (x1) only
 * for resistances. */
static size_t rkm_letter(const char *s, size_t n, const char *unit, double *scale) {
  static const struct {
    const char *letter;
    double scale;
  } rkm[] = {{"p", 1e-12},     {"n", 1e-9}, {"u", 1e-6}, {MICRO_SIGN, 1e-6},
             {GREEK_MU, 1e-6}, {"m", 1e-3}, {"k", 1e3},  {"K", 1e3},
             {"M", 1e6},       {"G", 1e9},  {"T", 1e12}};
  if (n >= 1 && s[0] == 'R' && strcmp(unit, "Ohm") == 0) {
    *scale = 1.0;
    return 1;
  }
  for (size_t i = 0; i < sizeof(rkm) / sizeof(rkm[0]); i++) {
    size_t k = strlen(rkm[i].letter);
    if (n >= k && strncmp(s, rkm[i].letter, k) == 0) {
      *scale = rkm[i].scale;
      return k;
    }
  }
  return 0;
}

/* RKM code (IEC 60062): digits, a letter in place of the decimal point, digits ("4k7", "2R2",
 * "R47", "4n7"), then the unit if any. Returns 1 and *v when 's' (len bytes) is one; 0 when it
 * does not have that form; -1 when it has the form but text follows that is not the unit
 * (*bad = where). */
static int parse_rkm(const char *s, size_t len, const char *unit, double *v, const char **bad) {
  if (!rkm_unit(unit) || len >= 64) {
    return 0;
  }
  size_t na = 0;
  while (na < len && isdigit((unsigned char)s[na])) {
    na++;
  }
  double scale = 1.0;
  size_t k = rkm_letter(s + na, len - na, unit, &scale);
  size_t nb = 0;
  while (k > 0 && na + k + nb < len && isdigit((unsigned char)s[na + k + nb])) {
    nb++;
  }
  if (k == 0 || nb == 0) {
    return 0;
  }
  const char *rest = s + na + k + nb;
  size_t nrest = len - (na + k + nb);
  if (!is_unit(rest, nrest, unit)) {
    *bad = rest;
    return -1;
  }
  char num[72];
  snprintf(num, sizeof(num), "%.*s.%.*s", (int)na, s, (int)nb, s + na + k);
  *v = strtod(num, NULL) * scale;
  return 1;
}

/* Name the character at 'p' (n bytes left) for a message: 'x', U+03BC 'μ', byte 0xFF. */
static void name_char(const char *p, size_t n, char *buf, size_t cap) {
  unsigned char c = (unsigned char)p[0];
  uint32_t cp = 0;
  size_t k = ucl_ini_utf8_next(p, n, &cp);
  if (c > 0x20 && c < 0x7F) {
    snprintf(buf, cap, "'%c'", c);
  } else if (c == ' ' || c == '\t') {
    snprintf(buf, cap, "a blank");
  } else if (k == 0 || cp < 0xA0) {
    snprintf(buf, cap, "byte 0x%02X", c);
  } else if (cp == 0xA0 || cp == 0xFEFF || (cp >= 0x2000 && cp <= 0x200F) ||
             (cp >= 0x2028 && cp <= 0x202F)) {
    snprintf(buf, cap, "U+%04X (invisible)", (unsigned)cp);
  } else {
    snprintf(buf, cap, "U+%04X '%.*s'", (unsigned)cp, (int)k, p);
  }
}

/* "'TEXT' is not a number: X is not understood; accepted: ..." with what 'unit' accepts. */
static ucl_status not_understood(const char *s, size_t len, const char *at, const char *unit,
                                 ucl_diag *diag) {
  char what[48];
  name_char(at, len - (size_t)(at - s), what, sizeof(what));
  const char *rkm = rkm_unit(unit)
                        ? (strcmp(unit, "Ohm") == 0 ? ", or RKM code (4k7, 2R2, R47, 1M5)"
                                                    : ", or RKM code (4n7, 2p2, 4u7)")
                        : "";
  char unit_part[96] = "";
  if (unit && strcmp(unit, "Ohm") == 0) {
    snprintf(unit_part, sizeof(unit_part),
             ", then optionally the unit 'Ohm' (or ohm, " GREEK_OMEGA ", " OHM_SIGN ", R)");
  } else if (unit && unit[0]) {
    snprintf(unit_part, sizeof(unit_part), ", then optionally the unit '%s'", unit);
  }
  return ucl_diag_set(diag, UCL_ERR_PARSE,
                      "'%.*s' is not a number: %s is not understood; accepted: a decimal (2.2, "
                      "1e-6) with an optional SI suffix (f p n u " MICRO_SIGN " " GREEK_MU
                      " m k meg G T)%s%s",
                      (int)len, s, what, rkm, unit_part);
}

ucl_status ucl_units_parse(const char *text, const char *unit, double *out, ucl_diag *diag) {
  if (!text || !out) {
    return ucl_diag_set(diag, UCL_ERR_INVAL, "no value given");
  }
  const char *s = skip_blanks(text);
  size_t len = trimmed_len(s);
  if (len == 0) {
    return ucl_diag_set(diag, UCL_ERR_PARSE, "empty value");
  }
  double v = 0.0;
  const char *bad = NULL;
  int rkm = parse_rkm(s, len, unit, &v, &bad);
  if (rkm < 0) {
    return not_understood(s, len, bad, unit, diag);
  }
  if (rkm > 0) {
    if (!isfinite(v)) {
      return ucl_diag_set(diag, UCL_ERR_RANGE, "'%.*s' is out of range", (int)len, s);
    }
    *out = v;
    return UCL_OK;
  }
  char *end = NULL;
  errno = 0;
  v = strtod(s, &end);
  if (end == s) {
    return not_understood(s, len, s, unit, diag);
  }
  /* strtod accepts "inf"/"nan"/hex floats: refuse anything but plain decimals. */
  for (const char *p = s; p < end; p++) {
    if (!(isdigit((unsigned char)*p) || *p == '.' || *p == '-' || *p == '+' || *p == 'e' ||
          *p == 'E')) {
      return ucl_diag_set(diag, UCL_ERR_PARSE, "'%.*s' is not a plain decimal number", (int)len, s);
    }
  }
  if (errno == ERANGE || !isfinite(v)) {
    return ucl_diag_set(diag, UCL_ERR_RANGE, "'%.*s' is out of range", (int)len, s);
  }
  const char *rest = end;
  size_t nrest = len - (size_t)(end - s);
  double scale = 1.0;
  static const struct {
    const char *sfx;
    double scale;
  } sfx[] = {{"meg", 1e6}, {MICRO_SIGN, 1e-6}, {GREEK_MU, 1e-6}, {"f", 1e-15},
             {"p", 1e-12}, {"n", 1e-9},        {"u", 1e-6},      {"m", 1e-3},
             {"k", 1e3},   {"G", 1e9},         {"T", 1e12}};
  if (nrest > 0) {
    if (rest[0] == 'M' && !(nrest >= 3 && strncmp(rest, "Meg", 3) == 0) &&
        !(nrest >= 3 && strncmp(rest, "MEG", 3) == 0)) {
      return ucl_diag_set(diag, UCL_ERR_PARSE,
                          "'%.*s': suffix 'M' is ambiguous; write 'meg' for 1e6 or 'm' for 1e-3",
                          (int)len, s);
    }
    if (rest[0] == 'K' && !is_unit(rest, nrest, unit)) {
      return ucl_diag_set(diag, UCL_ERR_PARSE, "'%.*s': write 'k' (lower case) for 1e3", (int)len,
                          s);
    }
    /* A trailing unit alone ("10V", "1s") must win over a suffix reading ("1m" vs unit "m"). */
    if (!is_unit(rest, nrest, unit)) {
      for (size_t i = 0; i < sizeof(sfx) / sizeof(sfx[0]); i++) {
        size_t k = strlen(sfx[i].sfx);
        int upper_meg = (i == 0 && nrest >= 3 &&
                         (strncmp(rest, "Meg", 3) == 0 || strncmp(rest, "MEG", 3) == 0));
        if ((nrest >= k && strncmp(rest, sfx[i].sfx, k) == 0) || upper_meg) {
          scale = sfx[i].scale;
          rest += k;
          nrest -= k;
          break;
        }
      }
      if (!is_unit(rest, nrest, unit)) {
        return not_understood(s, len, rest, unit, diag);
      }
    }
  }
  double value = v * scale;
  if (!isfinite(value)) {
    return ucl_diag_set(diag, UCL_ERR_RANGE, "'%.*s' is out of range", (int)len, s);
  }
  *out = value;
  return UCL_OK;
}

ucl_status ucl_units_parse_long(const char *text, long lo, long hi, long *out, ucl_diag *diag) {
  if (!text || !out) {
    return ucl_diag_set(diag, UCL_ERR_INVAL, "no value given");
  }
  const char *s = skip_blanks(text);
  size_t len = trimmed_len(s);
  char *end = NULL;
  errno = 0;
  long v = strtol(s, &end, 10);
  if (len == 0 || end == s || (size_t)(end - s) != len) {
    return ucl_diag_set(diag, UCL_ERR_PARSE, "'%.*s' is not a whole number", (int)len, s);
  }
  if (errno == ERANGE || v < lo || v > hi) {
    return ucl_diag_set(diag, UCL_ERR_RANGE, "'%.*s' is outside [%ld, %ld]", (int)len, s, lo, hi);
  }
  *out = v;
  return UCL_OK;
}

/* Split "a, b, n" inside a function call into its three arguments. */
static ucl_status parse_triple(const char *args, size_t len, const char *unit, double *a, double *b,
                               long *n, ucl_diag *diag) {
  char buf[256];
  if (len >= sizeof(buf)) {
    return ucl_diag_set(diag, UCL_ERR_PARSE, "arguments too long");
  }
  memcpy(buf, args, len);
  buf[len] = '\0';
  char *c1 = strchr(buf, ',');
  char *c2 = c1 ? strchr(c1 + 1, ',') : NULL;
  if (!c1 || !c2 || strchr(c2 + 1, ',')) {
    return ucl_diag_set(diag, UCL_ERR_PARSE, "expected three arguments (from, to, count)");
  }
  *c1 = *c2 = '\0';
  ucl_status st = ucl_units_parse(buf, unit, a, diag);
  if (st == UCL_OK) {
    st = ucl_units_parse(c1 + 1, unit, b, diag);
  }
  if (st == UCL_OK) {
    st = ucl_units_parse_long(c2 + 1, 1, 100000000L, n, diag);
  }
  return st;
}

ucl_status ucl_values_parse(const char *text, const char *unit, size_t max_n, double **out,
                            size_t *n_out, ucl_diag *diag) {
  const char *s = skip_blanks(text);
  size_t len = trimmed_len(s);
  if (len == 0) {
    return ucl_diag_set(diag, UCL_ERR_PARSE, "empty value set");
  }
  /* E-series ranges: e6 e12 e24 e48 e96 e192 (lo, hi) */
  if (len > 3 && s[0] == 'e' && s[len - 1] == ')') {
    char *end = NULL;
    long series = strtol(s + 1, &end, 10);
    if (end && *end == '(') {
      char buf[256];
      size_t il = (size_t)(s + len - 1 - (end + 1));
      if (il >= sizeof(buf)) {
        return ucl_diag_set(diag, UCL_ERR_PARSE, "arguments too long");
      }
      memcpy(buf, end + 1, il);
      buf[il] = '\0';
      char *comma = strchr(buf, ',');
      if (!comma || strchr(comma + 1, ',')) {
        return ucl_diag_set(diag, UCL_ERR_PARSE, "e%ld(): expected two arguments (lo, hi)", series);
      }
      *comma = '\0';
      double lo, hi;
      ucl_status st = ucl_units_parse(buf, unit, &lo, diag);
      if (st == UCL_OK) {
        st = ucl_units_parse(comma + 1, unit, &hi, diag);
      }
      if (st != UCL_OK) {
        ucl_diag_prefix(diag, "e%ld(): ", series);
        return st;
      }
      return ucl_eseries_range((int)series, lo, hi, max_n, out, n_out, diag);
    }
  }
  int is_lin = len > 4 && strncmp(s, "lin(", 4) == 0;
  int is_log = len > 4 && strncmp(s, "log(", 4) == 0;
  double *v = NULL;
  size_t n = 0;
  if (is_lin || is_log) {
    if (s[len - 1] != ')') {
      return ucl_diag_set(diag, UCL_ERR_PARSE, "'%.*s': missing ')'", (int)len, s);
    }
    double a, b;
    long cnt;
    ucl_status st = parse_triple(s + 4, len - 5, unit, &a, &b, &cnt, diag);
    if (st != UCL_OK) {
      ucl_diag_prefix(diag, "%.3s(): ", s);
      return st;
    }
    if (is_log && !(a > 0.0 && b > 0.0)) {
      return ucl_diag_set(diag, UCL_ERR_RANGE, "log(): both ends must be > 0");
    }
    if (cnt == 1 && a != b) {
      return ucl_diag_set(diag, UCL_ERR_RANGE, "%.3s(): one value but two different ends", s);
    }
    if ((size_t)cnt > max_n) {
      return ucl_diag_set(diag, UCL_ERR_RANGE, "%ld values; at most %zu allowed", cnt, max_n);
    }
    n = (size_t)cnt;
    v = malloc(n * sizeof(*v));
    if (!v) {
      return ucl_diag_set(diag, UCL_ERR_NOMEM, "out of memory");
    }
    for (size_t k = 0; k < n; k++) {
      double f = n > 1 ? (double)k / (double)(n - 1) : 0.0;
      v[k] = is_lin ? a + f * (b - a) : exp(log(a) + f * (log(b) - log(a)));
    }
    if (n > 1) {
      v[n - 1] = b; /* the end exactly, whatever the rounding */
    }
  } else {
    size_t cap = 1;
    for (size_t i = 0; i < len; i++) {
      cap += (s[i] == ',');
    }
    if (cap > max_n) {
      return ucl_diag_set(diag, UCL_ERR_RANGE, "%zu values; at most %zu allowed", cap, max_n);
    }
    v = malloc(cap * sizeof(*v));
    if (!v) {
      return ucl_diag_set(diag, UCL_ERR_NOMEM, "out of memory");
    }
    const char *p = s;
    const char *end = s + len;
    while (p <= end) {
      const char *comma = memchr(p, ',', (size_t)(end - p));
      const char *stop = comma ? comma : end;
      char item[128];
      size_t il = (size_t)(stop - p);
      if (il >= sizeof(item)) {
        free(v);
        return ucl_diag_set(diag, UCL_ERR_PARSE, "value %zu is too long", n + 1);
      }
      memcpy(item, p, il);
      item[il] = '\0';
      ucl_status st = ucl_units_parse(item, unit, &v[n], diag);
      if (st != UCL_OK) {
        free(v);
        ucl_diag_prefix(diag, "value %zu: ", n + 1);
        return st;
      }
      n++;
      if (!comma) {
        break;
      }
      p = comma + 1;
    }
  }
  *out = v;
  *n_out = n;
  return UCL_OK;
}

const char *ucl_units_symbol(const char *unit) {
  if (!unit) {
    return "";
  }
  return strcmp(unit, "Ohm") == 0 ? GREEK_OMEGA : unit;
}

/* m (|m| < 1e4 or so) with 'digits' significant digits, trailing zeros and a bare point
 * trimmed, into num (cap bytes). */
static void format_sig(double m, int digits, char *num, size_t cap) {
  int mag = m != 0.0 ? (int)floor(log10(fabs(m))) : 0;
  int decimals = digits - 1 - mag;
  if (decimals < 0) {
    decimals = 0;
  }
  if (decimals > 30) {
    decimals = 30;
  }
  snprintf(num, cap, "%.*f", decimals, m);
  if (strchr(num, '.')) {
    size_t k = strlen(num);
    while (k > 0 && num[k - 1] == '0') {
      num[--k] = '\0';
    }
    if (k > 0 && num[k - 1] == '.') {
      num[--k] = '\0';
    }
  }
  if (strcmp(num, "-0") == 0) {
    snprintf(num, cap, "0");
  }
}

/* The length snprintf returned (w) as a size_t; when the text was truncated, a UTF-8 sequence
 * cut in two at the end of buf is removed whole (a reader's page must not get a broken Ω). */
static size_t eng_done(char *buf, size_t n, int w) {
  if (w < 0) {
    if (n > 0) {
      buf[0] = '\0';
    }
    return 0;
  }
  if ((size_t)w >= n && n > 0) {
    size_t k = n - 1; /* bytes kept */
    size_t start = k;
    while (start > 0 && ((unsigned char)buf[start - 1] & 0xC0) == 0x80) {
      start--; /* continuation bytes */
    }
    if (start > 0 && ((unsigned char)buf[start - 1] & 0xC0) == 0xC0) {
      unsigned char lead = (unsigned char)buf[start - 1];
      size_t need = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : 2;
      if (k - (start - 1) < need) {
        buf[start - 1] = '\0';
      }
    }
  }
  return (size_t)w;
}

size_t ucl_units_format_eng(double v, const char *unit, int digits, char *buf, size_t n) {
  static const char *const prefix[] = {"a", "f", "p", "n", MICRO_SIGN, "m", "", "k", "M", "G", "T"};
  enum { LOWEST = -18, HIGHEST = 12 };
  const char *sym = ucl_units_symbol(unit);
  const char *sep = sym[0] ? " " : "";
  int w;
  if (digits < 1) {
    digits = 1;
  }
  if (digits > 17) {
    digits = 17;
  }
  if (isnan(v)) {
    w = snprintf(buf, n, "\xE2\x80\x93"); /* U+2013 EN DASH */
    return eng_done(buf, n, w);
  }
  if (isinf(v)) {
    w = snprintf(buf, n, "%s\xE2\x88\x9E%s%s", v < 0 ? "-" : "", sep, sym); /* U+221E */
    return eng_done(buf, n, w);
  }
  char num[64];
  int e3 = 0;
  if (v != 0.0) {
    e3 = 3 * (int)floor(floor(log10(fabs(v))) / 3.0);
    if (e3 < LOWEST) {
      e3 = LOWEST;
    }
    if (e3 > HIGHEST) {
      e3 = HIGHEST;
    }
  }
  for (;;) {
    format_sig(v / pow(10.0, e3), digits, num, sizeof(num));
    if (e3 >= HIGHEST || fabs(strtod(num, NULL)) < 1000.0) {
      break;
    }
    e3 += 3; /* rounded up to 1000 of this prefix: the next one */
  }
  w = snprintf(buf, n, "%s%s%s%s", num, sep, strcmp(num, "0") == 0 ? "" : prefix[(e3 - LOWEST) / 3],
               sym);
  return eng_done(buf, n, w);
}
