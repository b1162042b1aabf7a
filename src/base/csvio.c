/* csvio.c — CSV writing through libcsv with temp-file + rename, and the number formatters. */
#include "uclif/csvio.h"

#include <csv.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Numbers of the current row wait in 'buf' and reach the stream in one fwrite at the end of the
 * row (or when the buffer fills, or before a text field, which libcsv writes to the stream): one
 * stdio call per row instead of one per field. Between rows the stream holds everything, so a
 * caller of ucl_csv_wrap may write to it there. */
#define UCL_CSV_BUF 1024

struct ucl_csv_writer {
  FILE *f;
  char *path, *tmp; /* NULL for a wrapped stream */
  int n_cols, col;
  int failed;    /* a write failed: the file must not be committed */
  int err;       /* errno of the first failed write (0: stdio set none) */
  int malformed; /* a row had the wrong number of fields: must not be committed either */
  int owns;      /* the writer opened f (and renames the file on commit) */
  int is_mem;    /* a memory writer: f writes into mem (open_memstream), mem_len bytes */
  char *mem;
  size_t mem_len;
  size_t len; /* bytes pending in buf */
  char buf[UCL_CSV_BUF];
};

/* Mark w failed, keeping the errno of the first failure for the message. */
static void set_failed(ucl_csv_writer *w) {
  if (!w->failed) {
    w->err = errno;
  }
  w->failed = 1;
}

/* strerror of the first failure, EIO when stdio left no errno. */
static const char *fail_reason(const ucl_csv_writer *w) {
  return strerror(w->err ? w->err : EIO);
}

static int flush_buf(ucl_csv_writer *w) {
  if (w->len > 0 && fwrite(w->buf, 1, w->len, w->f) != w->len) {
    w->len = 0;
    return -1;
  }
  w->len = 0;
  return 0;
}

static int put_sep(ucl_csv_writer *w) {
  if (flush_buf(w) != 0 || (w->col > 0 && fputc(',', w->f) == EOF)) {
    return -1;
  }
  w->col++;
  return 0;
}

/* Room for 'n' more bytes in buf (flushing it if need be): a pointer to them, or NULL after a
 * failed flush. */
static char *reserve(ucl_csv_writer *w, size_t n) {
  if (w->len + n > UCL_CSV_BUF && flush_buf(w) != 0) {
    return NULL;
  }
  return w->buf + w->len;
}

ucl_status ucl_csv_text(ucl_csv_writer *w, const char *s) {
  if (put_sep(w) != 0 || csv_fwrite(w->f, s, strlen(s)) != 0) {
    set_failed(w);
    return UCL_ERR_IO;
  }
  return UCL_OK;
}

/* ---- number formatting ------------------------------------------------------------------
 * Both formatters reduce |v| to an integer mantissa m of P digits (10^(P-1) <= m < 10^P) and a
 * decimal exponent X with |v| ~ m·10^(X-P+1), then lay the digits out as %g does (format_g).
 * %.17g (P = 17) is exact: |v| = M·2^E with a 53-bit M, and M·5^Q·2^(E+Q) is an integer in
 * 128 bits for Q <= 32, shifted right with the remainder kept for round-half-even. %.9g (P = 9)
 * scales in double arithmetic (at most 4 roundings, < 1e-6 of a unit of the 9th digit) and
 * hands the values whose fraction lies within 1e-5 of one half to snprintf, so its rounding is
 * correct too. */

static const char digit_pairs[] = "00010203040506070809101112131415161718192021222324252627282930"
                                  "31323334353637383940414243444546474849505152535455565758596061"
                                  "62636465666768697071727374757677787980818283848586878889909192"
                                  "93949596979899";

/* floor(e·log10(2)) for |e| <= 1100: 1292913986 / 2^32 is log10(2) to 4e-11, and e·log10(2) is
 * never that close to an integer for 0 < |e| <= 1100 (the unit test runs every binary exponent
 * through the formatters against snprintf). The callers would survive an estimate one too small
 * (digits17, digits9) or one too large (digits9). */
static int floor_log10_pow2(int e) {
  long long p = (long long)e * 1292913986LL;
  return (int)(p >= 0 ? p / 4294967296LL : -((-p + 4294967295LL) / 4294967296LL));
}

/* The P digits of m into dig[0..P). */
static void put_digits(char *dig, unsigned long long m, int p) {
  int i = p;
  while (i >= 2) {
    unsigned long long q = m / 100;
    unsigned r = (unsigned)(m - q * 100);
    i -= 2;
    memcpy(dig + i, digit_pairs + 2 * r, 2);
    m = q;
  }
  if (i) {
    dig[0] = (char)('0' + m);
  }
}

/* %.Pg layout of (-1)^neg · m·10^(X-P+1), m of exactly P digits. */
static size_t format_g(char *buf, int neg, unsigned long long m, int x, int p) {
  char dig[20];
  put_digits(dig, m, p);
  int nd = p;
  while (nd > 1 && dig[nd - 1] == '0') {
    nd--;
  }
  char *s = buf;
  if (neg) {
    *s++ = '-';
  }
  if (x >= -4 && x < p) {
    if (x >= 0) {
      int ip = x + 1; /* digits before the point */
      if (nd <= ip) {
        memcpy(s, dig, (size_t)nd);
        memset(s + nd, '0', (size_t)(ip - nd));
        s += ip;
      } else {
        memcpy(s, dig, (size_t)ip);
        s += ip;
        *s++ = '.';
        memcpy(s, dig + ip, (size_t)(nd - ip));
        s += nd - ip;
      }
    } else {
      *s++ = '0';
      *s++ = '.';
      memset(s, '0', (size_t)(-x - 1));
      s += -x - 1;
      memcpy(s, dig, (size_t)nd);
      s += nd;
    }
  } else {
    *s++ = dig[0];
    if (nd > 1) {
      *s++ = '.';
      memcpy(s, dig + 1, (size_t)(nd - 1));
      s += nd - 1;
    }
    *s++ = 'e';
    *s++ = x < 0 ? '-' : '+';
    int ax = x < 0 ? -x : x;
    if (ax >= 100) {
      *s++ = (char)('0' + ax / 100);
      ax %= 100;
    }
    memcpy(s, digit_pairs + 2 * ax, 2);
    s += 2;
  }
  *s = '\0';
  return (size_t)(s - buf);
}

/* NAN, infinities and zeros: 1 with buf filled and *len set, else 0. */
static int format_special(double v, char *buf, size_t *len) {
  const char *t;
  if (isnan(v)) {
    t = "";
  } else if (isinf(v)) {
    t = v < 0 ? "-inf" : "inf";
  } else if (v == 0.0) {
    t = signbit(v) ? "-0" : "0";
  } else {
    return 0;
  }
  *len = strlen(t);
  memcpy(buf, t, *len + 1);
  return 1;
}

/* snprintf, for what the integer paths leave: 'digits' 17 or 9. */
static size_t format_printf(double v, char *buf, int digits) {
  int n = snprintf(buf, UCL_CSV_NUMBER_SIZE, "%.*g", digits, v);
  return n < 0 ? 0 : (size_t)n;
}

#if defined(__SIZEOF_INT128__)
__extension__ typedef unsigned __int128 ucl_u128;

static const unsigned long long pow5[28] = {1ULL,
                                            5ULL,
                                            25ULL,
                                            125ULL,
                                            625ULL,
                                            3125ULL,
                                            15625ULL,
                                            78125ULL,
                                            390625ULL,
                                            1953125ULL,
                                            9765625ULL,
                                            48828125ULL,
                                            244140625ULL,
                                            1220703125ULL,
                                            6103515625ULL,
                                            30517578125ULL,
                                            152587890625ULL,
                                            762939453125ULL,
                                            3814697265625ULL,
                                            19073486328125ULL,
                                            95367431640625ULL,
                                            476837158203125ULL,
                                            2384185791015625ULL,
                                            11920928955078125ULL,
                                            59604644775390625ULL,
                                            298023223876953125ULL,
                                            1490116119384765625ULL,
                                            7450580596923828125ULL};

/* |v| (finite, non-zero) to 17 digits, correctly rounded: 1 with *m, *x set, or 0 outside the
 * exact range. */
static int digits17(double v, unsigned long long *m, int *x) {
  unsigned long long bits;
  memcpy(&bits, &v, sizeof(bits));
  int be = (int)((bits >> 52) & 0x7ff);
  if (be == 0) {
    return 0; /* subnormal */
  }
  unsigned long long mant = (bits & 0xfffffffffffffULL) | (1ULL << 52);
  int e = be - 1075; /* |v| = mant·2^e */
  int xe = floor_log10_pow2(be - 1023);
  for (int tries = 0; tries < 2; tries++, xe++) {
    int q = 16 - xe;
    if (q < 0 || q > 32) {
      return 0;
    }
    ucl_u128 a = (ucl_u128)mant * pow5[q < 27 ? q : 27];
    if (q > 27) {
      a *= pow5[q - 27];
    }
    int sh = -(e + q);
    unsigned long long n;
    if (sh <= 0) {
      n = (unsigned long long)(a << -sh); /* |v|·10^q < 10^18: no bits lost */
    } else {
      if (sh >= 128) {
        return 0;
      }
      n = (unsigned long long)(a >> sh);
      ucl_u128 rem = a & (((ucl_u128)1 << sh) - 1);
      ucl_u128 half = (ucl_u128)1 << (sh - 1);
      n += rem > half || (rem == half && (n & 1));
    }
    if (n < 100000000000000000ULL) {
      *m = n;
      *x = xe;
      return 1;
    }
  }
  return 0;
}
#endif

size_t ucl_csv_format_double(double v, char *buf) {
  size_t len;
  if (format_special(v, buf, &len)) {
    return len;
  }
#if defined(__SIZEOF_INT128__)
  unsigned long long m;
  int x;
  if (digits17(fabs(v), &m, &x)) {
    return format_g(buf, v < 0, m, x, 17);
  }
#endif
  return format_printf(v, buf, 17);
}

/* 10^(16k - 288) for k = 0 ... 36, and 10^k for k = 0 ... 15 (exact). */
static const double pow10_hi[37] = {1e-288, 1e-272, 1e-256, 1e-240, 1e-224, 1e-208, 1e-192, 1e-176,
                                    1e-160, 1e-144, 1e-128, 1e-112, 1e-96,  1e-80,  1e-64,  1e-48,
                                    1e-32,  1e-16,  1e0,    1e16,   1e32,   1e48,   1e64,   1e80,
                                    1e96,   1e112,  1e128,  1e144,  1e160,  1e176,  1e192,  1e208,
                                    1e224,  1e240,  1e256,  1e272,  1e288};
static const double pow10_lo[16] = {1e0, 1e1, 1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                    1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15};

/* |v| (1e-280 <= |v| < 1e280) to 9 digits, correctly rounded: 1 with *m, *x set, or 0 at a
 * near-tie (snprintf decides). */
static int digits9(double a, unsigned long long *m, int *x) {
  unsigned long long bits;
  memcpy(&bits, &a, sizeof(bits));
  int xe = floor_log10_pow2((int)((bits >> 52) & 0x7ff) - 1023); /* X or X - 1 */
  int k = 8 - xe + 288;                                          /* 0 ... 576 */
  double s = a * pow10_hi[k >> 4] * pow10_lo[k & 15];            /* |v|·10^(8 - xe) */
  if (s >= 1e9) {
    s /= 10.0;
    xe++;
  } else if (s < 1e8) { /* only by a rounding just below 10^8 */
    s *= 10.0;
    xe--;
  }
  unsigned long long n = (unsigned long long)s;
  double f = s - (double)n;
  if (f > 0.5 - 1e-5 && f < 0.5 + 1e-5) {
    return 0;
  }
  n += f > 0.5;
  if (n >= 1000000000ULL) {
    n = 100000000ULL;
    xe++;
  }
  *m = n;
  *x = xe;
  return 1;
}

size_t ucl_csv_format_sample(double v, char *buf) {
  size_t len;
  if (format_special(v, buf, &len)) {
    return len;
  }
  double a = fabs(v);
  unsigned long long m;
  int x;
  if (a >= 1e-280 && a < 1e280 && digits9(a, &m, &x)) {
    return format_g(buf, v < 0, m, x, UCL_CSV_SAMPLE_DIGITS);
  }
  return format_printf(v, buf, UCL_CSV_SAMPLE_DIGITS);
}

/* Room in buf for the next numeric field, its separator already written: the pointer to write
 * the number at (UCL_CSV_NUMBER_SIZE bytes), or NULL after a failed flush (w marked failed). */
static char *next_number(ucl_csv_writer *w) {
  char *s = reserve(w, UCL_CSV_NUMBER_SIZE + 1);
  if (!s) {
    set_failed(w);
    return NULL;
  }
  if (w->col++ > 0) {
    *s++ = ',';
    w->len++;
  }
  return s;
}

/* Append a formatted number as the next field (into buf). */
static ucl_status put_number(ucl_csv_writer *w, double v, size_t (*format)(double, char *)) {
  char *s = next_number(w);
  if (!s) {
    return UCL_ERR_IO;
  }
  w->len += format(v, s);
  return UCL_OK;
}

ucl_status ucl_csv_double(ucl_csv_writer *w, double v) {
  return put_number(w, v, ucl_csv_format_double);
}

ucl_status ucl_csv_sample(ucl_csv_writer *w, double v) {
  return put_number(w, v, ucl_csv_format_sample);
}

ucl_status ucl_csv_long(ucl_csv_writer *w, long v) {
  char *s = next_number(w);
  if (!s) {
    return UCL_ERR_IO;
  }
  int n = snprintf(s, UCL_CSV_NUMBER_SIZE, "%ld", v);
  w->len += (size_t)(n > 0 ? n : 0);
  return UCL_OK;
}

ucl_status ucl_csv_end_row(ucl_csv_writer *w, ucl_diag *diag) {
  const char *name = w->tmp ? w->tmp : "stream";
  if (w->failed) { /* an earlier field failed to write: an output error, not a malformed row */
    return ucl_diag_set(diag, UCL_ERR_IO, "%s: write failed: %s", name, fail_reason(w));
  }
  if (w->col != w->n_cols) {
    w->malformed = 1;
    return ucl_diag_set(diag, UCL_ERR_INVAL, "%s: row has %d fields, header has %d",
                        w->path ? w->path : "stream", w->col, w->n_cols);
  }
  w->col = 0;
  char *s = reserve(w, 2);
  if (s) {
    memcpy(s, "\r\n", 2);
    w->len += 2;
  }
  if (!s || flush_buf(w) != 0) {
    set_failed(w);
    return ucl_diag_set(diag, UCL_ERR_IO, "%s: write failed: %s", name, fail_reason(w));
  }
  return UCL_OK;
}

static void writer_free(ucl_csv_writer *w) {
  free(w->path);
  free(w->tmp);
  free(w);
}

ucl_status ucl_csv_open(const char *path, const char *const *cols, int n_cols, ucl_csv_writer **out,
                        ucl_diag *diag) {
  ucl_csv_writer *w = calloc(1, sizeof(*w));
  if (!w) {
    return ucl_diag_set(diag, UCL_ERR_NOMEM, "out of memory");
  }
  size_t n = strlen(path);
  w->path = strdup(path);
  w->tmp = malloc(n + 5);
  if (!w->path || !w->tmp) {
    writer_free(w);
    return ucl_diag_set(diag, UCL_ERR_NOMEM, "out of memory");
  }
  memcpy(w->tmp, path, n);
  memcpy(w->tmp + n, ".tmp", 5);
  w->owns = 1;
  w->f = fopen(w->tmp, "wb");
  if (!w->f) {
    ucl_status st =
        ucl_diag_set(diag, UCL_ERR_IO, "%s: cannot create: %s", w->tmp, strerror(errno));
    writer_free(w);
    return st;
  }
  w->n_cols = n_cols;
  ucl_status st = UCL_OK;
  for (int k = 0; k < n_cols && st == UCL_OK; k++) {
    if (ucl_csv_text(w, cols[k]) != UCL_OK) {
      st =
          ucl_diag_set(diag, UCL_ERR_IO, "%s: cannot write the header: %s", w->tmp, fail_reason(w));
    }
  }
  if (st == UCL_OK) {
    st = ucl_csv_end_row(w, diag);
  }
  if (st != UCL_OK) {
    ucl_csv_abort(&w);
    return st;
  }
  *out = w;
  return UCL_OK;
}

/* Flush and close w's temporary file: 0, or -1 with w->failed and w->err set. */
static int close_tmp(ucl_csv_writer *w) {
  if (flush_buf(w) != 0 || fflush(w->f) != 0 || ferror(w->f)) {
    set_failed(w);
  }
  if (fclose(w->f) != 0) {
    set_failed(w);
  }
  w->f = NULL;
  if (w->malformed && !w->failed) {
    w->failed = 1;
    w->err = EINVAL;
  }
  return w->failed ? -1 : 0;
}

ucl_status ucl_csv_commit_all(ucl_csv_writer **ws, size_t n, ucl_diag *diag) {
  ucl_status st = UCL_OK;
  for (size_t i = 0; i < n; i++) { /* phase 1: every file complete on disk, or none renamed */
    if (ws[i] && close_tmp(ws[i]) != 0 && st == UCL_OK) {
      st = ucl_diag_set(diag, UCL_ERR_IO, "%s: write failed: %s", ws[i]->tmp, fail_reason(ws[i]));
    }
  }
  for (size_t i = 0; i < n; i++) { /* phase 2: rename (or, after a failure, remove) */
    ucl_csv_writer *w = ws[i];
    if (!w) {
      continue;
    }
    if (st != UCL_OK) {
      remove(w->tmp);
    } else if (rename(w->tmp, w->path) != 0) {
      st = ucl_diag_set(diag, UCL_ERR_IO, "%s: cannot rename into place: %s", w->path,
                        strerror(errno));
      remove(w->tmp);
    }
    writer_free(w);
    ws[i] = NULL;
  }
  return st;
}

ucl_status ucl_csv_commit(ucl_csv_writer **wp, ucl_diag *diag) {
  return ucl_csv_commit_all(wp, 1, diag);
}

ucl_status ucl_csv_wrap(FILE *f, int n_cols, ucl_csv_writer **out) {
  ucl_csv_writer *w = calloc(1, sizeof(*w));
  if (!w) {
    return UCL_ERR_NOMEM;
  }
  w->f = f;
  w->n_cols = n_cols;
  *out = w;
  return UCL_OK;
}

ucl_status ucl_csv_mem_open(int n_cols, ucl_csv_writer **out) {
  ucl_csv_writer *w = calloc(1, sizeof(*w));
  if (!w) {
    return UCL_ERR_NOMEM;
  }
  w->f = open_memstream(&w->mem, &w->mem_len);
  if (!w->f) {
    free(w);
    return UCL_ERR_NOMEM;
  }
  w->is_mem = 1;
  w->n_cols = n_cols;
  *out = w;
  return UCL_OK;
}

ucl_status ucl_csv_mem_take(ucl_csv_writer **wp, char **text, size_t *len) {
  ucl_csv_writer *w = *wp;
  if (!w->is_mem) {
    return UCL_ERR_INVAL;
  }
  int bad = flush_buf(w) != 0 || w->failed;
  bad |= fclose(w->f) != 0; /* the memory stream's buffer is final only after fclose */
  w->f = NULL;
  ucl_status st = UCL_OK;
  if (bad || !w->mem) {
    free(w->mem);
    st = UCL_ERR_NOMEM;
  } else {
    *text = w->mem;
    *len = w->mem_len;
  }
  w->mem = NULL;
  writer_free(w);
  *wp = NULL;
  return st;
}

ucl_status ucl_csv_raw(ucl_csv_writer *w, const char *bytes, size_t len) {
  if (w->col != 0 || flush_buf(w) != 0 || (len > 0 && fwrite(bytes, 1, len, w->f) != len)) {
    set_failed(w);
    return UCL_ERR_IO;
  }
  return UCL_OK;
}

ucl_status ucl_csv_failure(const ucl_csv_writer *w, ucl_diag *diag) {
  if (!w || !w->failed) {
    return UCL_OK;
  }
  return ucl_diag_set(diag, UCL_ERR_IO, "%s: write failed: %s", w->tmp ? w->tmp : "stream",
                      fail_reason(w));
}

void ucl_csv_abort(ucl_csv_writer **wp) {
  if (!wp || !*wp) {
    return;
  }
  ucl_csv_writer *w = *wp;
  if (w->f && (w->owns || w->is_mem)) {
    fclose(w->f);
  }
  if (w->f && w->owns) {
    remove(w->tmp);
  }
  free(w->mem);
  writer_free(w);
  *wp = NULL;
}

/* ---- reading whole files ---- */

typedef struct parse_ctx {
  void (*fcb)(void *, size_t, void *);
  void (*rcb)(int, void *);
  void *data;
  long records;
} parse_ctx;

static void parse_field(void *field, size_t len, void *ctx) {
  parse_ctx *c = ctx;
  c->fcb(field, len, c->data);
}

static void parse_record(int term, void *ctx) {
  parse_ctx *c = ctx;
  c->records++;
  c->rcb(term, c->data);
}

ucl_status ucl_csv_parse_file(const char *path, void (*fcb)(void *, size_t, void *),
                              void (*rcb)(int, void *), void *data, ucl_diag *diag) {
  FILE *f = fopen(path, "rb");
  if (!f) {
    return ucl_diag_set(diag, UCL_ERR_INPUT, "%s: cannot read: %s", path, strerror(errno));
  }
  struct csv_parser p;
  if (csv_init(&p, CSV_APPEND_NULL) != 0) {
    fclose(f);
    return ucl_diag_set(diag, UCL_ERR_NOMEM, "out of memory");
  }
  parse_ctx c = {fcb, rcb, data, 0};
  char buf[1 << 16];
  size_t n;
  ucl_status st = UCL_OK;
  while ((n = fread(buf, 1, sizeof(buf), f)) > 0) {
    if (csv_parse(&p, buf, n, parse_field, parse_record, &c) != n) {
      st = ucl_diag_set(diag, UCL_ERR_PARSE, "%s:%ld: %s", path, c.records + 1,
                        csv_strerror(csv_error(&p)));
      break;
    }
  }
  if (st == UCL_OK && ferror(f)) {
    st = ucl_diag_set(diag, UCL_ERR_INPUT, "%s: read failed", path);
  }
  if (st == UCL_OK) {
    csv_fini(&p, parse_field, parse_record, &c);
  }
  csv_free(&p);
  fclose(f);
  return st;
}
