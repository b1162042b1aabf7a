/* store.c — shards, the lock of a shard directory, the kept spec and the streaming merge (format
 * in store.h and docs/outputs.md). */
#include "uclif/store.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

#include "uclif/clock.h"
#include "uclif/csvio.h"
#include "uclif/results.h"

#define SHARD_MAGIC "uclif-shard"
#define SHARD_VERSION 2

/* The block checksum: zlib's crc32 (ISO 3309 / ITU-T V.42) of the block's P and C lines. */
static uint32_t crc_more(uint32_t crc, const char *bytes, size_t n) {
  while (n > 0) {
    uInt piece = n > (size_t)UINT_MAX ? UINT_MAX : (uInt)n;
    crc = (uint32_t)crc32(crc, (const Bytef *)bytes, piece);
    bytes += piece;
    n -= piece;
  }
  return crc;
}

static char *join(const char *a, const char *b) {
  size_t n = strlen(a) + strlen(b) + 2;
  char *p = malloc(n);
  if (p) {
    snprintf(p, n, "%s/%s", a, b);
  }
  return p;
}

/* ---- the lock of a shard directory ---- */

struct ucl_store_lock {
  int fd;
  char *path;
  long prev_run; /* the run the lock file named when taken, or -1 */
};

/* Write 'text' as the lock file's whole contents (one write at offset 0, then the length: a
 * reader sees the old first line or the new one). */
static int lock_write(int fd, const char *text) {
  size_t len = strlen(text);
  return pwrite(fd, text, len, 0) == (ssize_t)len && ftruncate(fd, (off_t)len) == 0 ? 0 : -1;
}

/* "pid 1234 on node7 since 2026-11-30 19:00:01 UTC" */
static void holder_id(char *buf, size_t size) {
  char host[256] = "unknown host";
  if (gethostname(host, sizeof(host)) != 0) {
    snprintf(host, sizeof(host), "unknown host");
  }
  host[sizeof(host) - 1] = '\0';
  time_t now = time(NULL);
  struct tm tm;
  char when[64] = "?";
  if (gmtime_r(&now, &tm)) {
    strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S UTC", &tm);
  }
  snprintf(buf, size, "pid %ld on %s since %s", (long)getpid(), host, when);
}

/* The holder's line of a lock file ("run 3, pid 1234 on node7 since 2026-11-30 19:00:01 UTC"),
 * or "" when it says nothing (yet). Reads at most the first line. */
static void holder_text(const char *path, char *buf, size_t size, long *run) {
  buf[0] = '\0';
  *run = -1;
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    return;
  }
  char text[512];
  ssize_t n = read(fd, text, sizeof(text) - 1);
  close(fd);
  if (n <= 0) {
    return;
  }
  text[n] = '\0';
  text[strcspn(text, "\n")] = '\0';
  if (strncmp(text, "run ", 4) == 0) {
    char *end = NULL;
    long r = strtol(text + 4, &end, 10);
    if (end != text + 4 && r >= 0) {
      *run = r;
    }
  }
  snprintf(buf, size, "%.*s", (int)(size > 1 ? size - 1 : 0), text);
}

ucl_status ucl_store_lock_take(const char *shard_dir, double wait_s,
                               const volatile sig_atomic_t *stop, ucl_store_lock **out,
                               ucl_diag *diag) {
  ucl_store_lock *lk = calloc(1, sizeof(*lk));
  if (!lk || !(lk->path = join(shard_dir, "lock"))) {
    free(lk);
    return ucl_diag_set(diag, UCL_ERR_NOMEM, "out of memory");
  }
  lk->fd = open(lk->path, O_RDWR | O_CREAT | O_CLOEXEC, 0666);
  if (lk->fd < 0) {
    ucl_status st =
        ucl_diag_set(diag, UCL_ERR_IO, "%s: cannot create: %s", lk->path, strerror(errno));
    free(lk->path);
    free(lk);
    return st;
  }
  double t0 = ucl_clock_s();
  for (;;) {
    if (flock(lk->fd, LOCK_EX | LOCK_NB) == 0) {
      /* held: say who holds it at once, with no run, which fences every run's shards (store.h)
       * until ucl_store_lock_claim names this one */
      char who[400], line[420];
      holder_text(lk->path, who, sizeof(who), &lk->prev_run);
      holder_id(who, sizeof(who));
      snprintf(line, sizeof(line), "%s (no run yet)\n", who);
      if (lock_write(lk->fd, line) != 0) {
        ucl_status st =
            ucl_diag_set(diag, UCL_ERR_IO, "%s: write failed: %s", lk->path, strerror(errno));
        ucl_store_lock_release(&lk);
        return st;
      }
      *out = lk;
      return UCL_OK;
    }
    int err = errno;
    if (stop && *stop) {
      close(lk->fd);
      ucl_status st =
          ucl_diag_set(diag, UCL_ERR_STOPPED,
                       "stopped while waiting for another run to let go of %s", shard_dir);
      free(lk->path);
      free(lk);
      return st;
    }
    double waited = ucl_clock_s() - t0;
    if (err != EWOULDBLOCK || (wait_s >= 0.0 && waited >= wait_s)) {
      char who[400];
      long run;
      holder_text(lk->path, who, sizeof(who), &run);
      ucl_status st =
          err != EWOULDBLOCK
              ? ucl_diag_set(diag, UCL_ERR_IO, "%s: cannot lock: %s", lk->path, strerror(err))
              : ucl_diag_set(diag, UCL_ERR_INVAL,
                             "%s is in use by another run (%s)%s; wait for it to end", shard_dir,
                             who[0] ? who : "its holder has not said who it is yet",
                             wait_s > 0.0 ? ", still after the wait" : "");
      close(lk->fd);
      free(lk->path);
      free(lk);
      return st;
    }
    struct timespec nap = {0, 100000000L};
    nanosleep(&nap, NULL);
  }
}

ucl_status ucl_store_lock_claim(ucl_store_lock *lk, int run, ucl_diag *diag) {
  char who[400], line[440];
  holder_id(who, sizeof(who));
  snprintf(line, sizeof(line), "run %d, %s\n", run, who);
  if (lock_write(lk->fd, line) != 0) {
    return ucl_diag_set(diag, UCL_ERR_IO, "%s: write failed: %s", lk->path, strerror(errno));
  }
  return UCL_OK;
}

long ucl_store_lock_prev_run(const ucl_store_lock *lk) {
  return lk->prev_run;
}

void ucl_store_lock_release(ucl_store_lock **lkp) {
  if (!lkp || !*lkp) {
    return;
  }
  ucl_store_lock *lk = *lkp;
  close(lk->fd); /* releases the flock */
  free(lk->path);
  free(lk);
  *lkp = NULL;
}

/* ---- writing ---- */

struct ucl_shard {
  FILE *f;
  char *path;
  char *fence; /* the shard directory's lock file, or NULL: no fencing */
  int run;
};

static char *shard_path(const char *shard_dir, int run, int rank) {
  size_t n = strlen(shard_dir) + 64;
  char *p = malloc(n);
  if (p) {
    snprintf(p, n, "%s/run-%d-rank-%d.txt", shard_dir, run, rank);
  }
  return p;
}

ucl_status ucl_shard_create(const char *shard_dir, int run, int rank, uint64_t hash, long points,
                            ucl_shard **out, ucl_diag *diag) {
  return ucl_shard_create_layout(shard_dir, run, rank, hash, points, NULL, out, diag);
}

ucl_status ucl_shard_create_layout(const char *shard_dir, int run, int rank, uint64_t hash,
                                   long points, const ucl_store_layout *layout, ucl_shard **out,
                                   ucl_diag *diag) {
  if (layout && (layout->n_files < 2 || layout->n_files > UCL_STORE_MAX_FILES)) {
    return ucl_diag_set(diag, UCL_ERR_INVAL, "a shard layout of %d files (2 .. %d)",
                        layout->n_files, UCL_STORE_MAX_FILES);
  }
  ucl_shard *sh = calloc(1, sizeof(*sh));
  if (!sh || !(sh->path = shard_path(shard_dir, run, rank))) {
    free(sh);
    return ucl_diag_set(diag, UCL_ERR_NOMEM, "out of memory");
  }
  sh->run = run;
  sh->f = fopen(sh->path, "wbx"); /* never overwrite a shard */
  if (!sh->f) {
    ucl_status st =
        ucl_diag_set(diag, UCL_ERR_IO, "%s: cannot create: %s", sh->path, strerror(errno));
    free(sh->path);
    free(sh);
    return st;
  }
  /* line 1 counts the layout lines after it and gives their crc32: a damaged layout line makes
   * the whole shard unreadable (its points not done), never a shard of other columns */
  char *lay = NULL;
  size_t lay_len = 0;
  FILE *m = open_memstream(&lay, &lay_len);
  int bad = !m;
  if (m && layout) {
    bad = fprintf(m, "H%s\n", layout->header[0]) < 0;
    for (int k = 1; k < layout->n_files && !bad; k++) {
      bad = fprintf(m, "K%s,%s\n", layout->file[k], layout->header[k]) < 0;
    }
  }
  if (m) {
    bad = fclose(m) != 0 || bad || !lay;
  }
  if (!bad) {
    char head[128];
    int hn = snprintf(head, sizeof(head), "%s %d %016" PRIx64 " %ld %d", SHARD_MAGIC, SHARD_VERSION,
                      hash, points, layout ? layout->n_files : 0);
    uint32_t crc = crc_more(crc_more(0, head, (size_t)hn), lay, lay_len);
    bad = fprintf(sh->f, "%s %08" PRIx32 "\n%s", head, crc, lay) < 0;
  }
  free(lay);
  if (bad || fflush(sh->f) != 0) {
    ucl_status st =
        ucl_diag_set(diag, UCL_ERR_IO, "%s: write failed: %s", sh->path, strerror(errno));
    fclose(sh->f);
    free(sh->path);
    free(sh);
    return st;
  }
  *out = sh;
  return UCL_OK;
}

ucl_status ucl_shard_fence(ucl_shard *sh, const char *shard_dir, ucl_diag *diag) {
  free(sh->fence);
  sh->fence = join(shard_dir, "lock");
  return sh->fence ? UCL_OK : ucl_diag_set(diag, UCL_ERR_NOMEM, "out of memory");
}

/* The point's rows (results.h) appended as one block. */
ucl_status ucl_shard_append(ucl_shard *sh, long id, const ucl_params *p, const ucl_char_result *r,
                            ucl_diag *diag) {
  char *prow = NULL, *crows = NULL;
  size_t plen = 0, clen = 0;
  ucl_status st = ucl_results_rows(id, p, r, &prow, &plen, &crows, &clen, diag);
  if (st == UCL_OK) {
    st = ucl_shard_append_rows(sh, id, prow, plen, crows, clen, diag);
  }
  free(prow);
  free(crows);
  return st;
}

ucl_status ucl_shard_append_rows(ucl_shard *sh, long id, const char *prow, size_t plen,
                                 const char *crows, size_t clen, ucl_diag *diag) {
  ucl_store_rows rows[2] = {{prow, plen}, {crows, clen}};
  return ucl_shard_append_files(sh, id, rows, 2, diag);
}

/* The tag of file k's lines in a block. */
static const char file_tag[UCL_STORE_MAX_FILES] = {'P', 'C', 'Q', 'R'};

ucl_status ucl_shard_append_files(ucl_shard *sh, long id, const ucl_store_rows *rows, int n_files,
                                  ucl_diag *diag) {
  if (n_files < 1 || n_files > UCL_STORE_MAX_FILES) {
    return ucl_diag_set(diag, UCL_ERR_INVAL, "a block of %d files (1 .. %d)", n_files,
                        UCL_STORE_MAX_FILES);
  }
  if (sh->fence) {
    char who[400];
    long run;
    holder_text(sh->fence, who, sizeof(who), &run);
    if (who[0] && run != sh->run) { /* another run, or a holder that has not claimed a run yet */
      return ucl_diag_set(diag, UCL_ERR_STOPPED,
                          "%s: the directory now belongs to another run (%s); this rank of run %d "
                          "stops without writing point %ld",
                          sh->path, who, sh->run, id);
    }
  }
  /* the block: the P row, each further file's rows under its tag, the E line with the length
   * and crc32 of those lines; one write, one flush */
  size_t cap = 96, k = 0;
  for (int f = 0; f < n_files; f++) {
    cap += rows[f].len + 2;
    for (size_t i = 0; i < rows[f].len; i++) {
      cap += rows[f].text[i] == '\n';
    }
  }
  char *block = malloc(cap);
  ucl_status st = UCL_OK;
  if (!block) {
    return ucl_diag_set(diag, UCL_ERR_NOMEM, "out of memory");
  }
  block[k++] = 'P';
  memcpy(block + k, rows[0].text, rows[0].len);
  k += rows[0].len;
  for (int f = 1; f < n_files; f++) {
    const char *text = rows[f].text;
    size_t tlen = rows[f].len;
    for (size_t i = 0; i < tlen;) {
      const char *nl = memchr(text + i, '\n', tlen - i);
      size_t len = nl ? (size_t)(nl - (text + i)) + 1 : tlen - i;
      block[k++] = file_tag[f];
      memcpy(block + k, text + i, len);
      k += len;
      i += len;
    }
  }
  uint32_t crc = crc_more(0, block, k);
  k += (size_t)snprintf(block + k, cap - k, "E %ld %zu %08" PRIx32 "\n", id, k, crc);
  if (fwrite(block, 1, k, sh->f) != k || fflush(sh->f) != 0) {
    st = ucl_diag_set(diag, UCL_ERR_IO, "%s: write failed: %s", sh->path, strerror(errno));
  }
  free(block);
  return st;
}

ucl_status ucl_shard_close(ucl_shard **shp, ucl_diag *diag) {
  if (!shp || !*shp) {
    return UCL_OK;
  }
  ucl_shard *sh = *shp;
  ucl_status st = UCL_OK;
  if (fclose(sh->f) != 0) {
    st = ucl_diag_set(diag, UCL_ERR_IO, "%s: close failed: %s", sh->path, strerror(errno));
  }
  free(sh->path);
  free(sh->fence);
  free(sh);
  *shp = NULL;
  return st;
}

/* ---- reading ---- */

/* What a reader found wrong: byte ranges of a shard that are not merged. */
enum {
  PB_DAMAGED = 0, /* a block that does not verify (length, checksum, its E line) */
  PB_STRAY,       /* lines outside any block */
  PB_ORDER,       /* a verified block after a block of a higher point in the same shard */
  PB_CONFLICT,    /* a verified block of a point merged from another block that differs */
  PB_HEAD         /* the shard's first lines (magic, spec hash, layout) do not verify: all of it */
};

typedef struct problem {
  int shard; /* index in the shard list */
  int kind;
  long id;              /* the point, or -1 */
  long line, last_line; /* lines of the shard */
  long off, end;        /* bytes [off, end) */
  int other_shard;      /* PB_CONFLICT: the copy merged */
  long other_line;
} problem;

typedef struct problems {
  problem *v;
  size_t n, cap;
} problems;

static int add_problem(problems *pr, const problem *p) {
  if (!pr) {
    return 0;
  }
  if (p->kind == PB_STRAY && pr->n > 0) { /* consecutive stray lines: one problem */
    problem *q = &pr->v[pr->n - 1];
    if (q->kind == PB_STRAY && q->shard == p->shard && q->end == p->off) {
      q->end = p->end;
      q->last_line = p->last_line;
      return 0;
    }
  }
  if (pr->n == pr->cap) {
    size_t nc = pr->cap ? 2 * pr->cap : 16;
    problem *v = realloc(pr->v, nc * sizeof(*v));
    if (!v) {
      return -1;
    }
    pr->v = v;
    pr->cap = nc;
  }
  pr->v[pr->n++] = *p;
  return 0;
}

typedef struct reader {
  FILE *f;
  char *path;
  int idx; /* index in the shard list */
  long line_no;
  long pos; /* byte offset of the next line */
  char *line;
  size_t line_cap;
  /* the current complete block */
  long id;
  long block_line;
  long off, end;
  char *buf[UCL_STORE_MAX_FILES]; /* its rows per file (without the tags): the P row, the C rows
                                     concatenated, ... */
  size_t len[UCL_STORE_MAX_FILES], cap[UCL_STORE_MAX_FILES];
  int has;      /* a block is held */
  int no_head;  /* the first line was not complete: a shard with no points (yet) */
  long prev_id; /* the last block returned (ids increase within a shard) */
  char *hdr[UCL_STORE_MAX_FILES]; /* layout lines: the H line's header, then each K line's
                                     "FILE,HEADER"; all NULL for the single-neuron layout */
  int n_hdr;                      /* the layout's files (0: the single-neuron layout) */
  problems *pr;                   /* where problems go (may be NULL) */
} reader;

static int append(char **buf, size_t *len, size_t *cap, const char *s, size_t n) {
  if (*len + n + 1 > *cap) {
    size_t nc = (*cap ? 2 * *cap : 4096);
    while (nc < *len + n + 1) {
      nc *= 2;
    }
    char *p = realloc(*buf, nc);
    if (!p) {
      return -1;
    }
    *buf = p;
    *cap = nc;
  }
  memcpy(*buf + *len, s, n);
  *len += n;
  (*buf)[*len] = '\0';
  return 0;
}

/* Does the E line 'e' (with its tag, ending in '\n') close the block of point 'id' whose P and C
 * lines are 'len' bytes with checksum 'crc'? */
static int e_line_verifies(const char *e, long id, size_t len, uint32_t crc) {
  char *end = NULL;
  errno = 0;
  long eid = strtol(e + 1, &end, 10);
  if (errno || end == e + 1 || *end != ' ' || eid != id || id < 0) {
    return 0;
  }
  const char *s = end + 1;
  unsigned long long elen = strtoull(s, &end, 10);
  if (errno || end == s || *end != ' ' || elen != (unsigned long long)len) {
    return 0;
  }
  s = end + 1;
  unsigned long ecrc = strtoul(s, &end, 16);
  return !errno && end == s + 8 && *end == '\n' && ecrc == (unsigned long)crc;
}

/* Read the next verified block into rd (rd->has = 0 at the end, or when the rest is a block cut
 * short by a killed writer). Blocks that do not verify, lines outside a block and blocks out of
 * order are skipped and go to rd->pr. */
static ucl_status next_block(reader *rd, ucl_diag *diag) {
  rd->has = 0;
  memset(rd->len, 0, sizeof(rd->len));
  if (rd->no_head) {
    return UCL_OK; /* read no further: its writer may be completing the first line now */
  }
  int in_block = 0;
  long id = -1;
  size_t len = 0;
  uint32_t crc = 0;
  for (;;) {
    ssize_t n = getline(&rd->line, &rd->line_cap, rd->f);
    if (n <= 0 || rd->line[n - 1] != '\n') {
      return UCL_OK; /* the end; a last line or block without its end is a cut-short write */
    }
    long start = rd->pos;
    rd->pos += (long)n;
    rd->line_no++;
    char tag = rd->line[0];
    if (!in_block && tag != 'P') {
      problem p = {rd->idx, PB_STRAY, -1, rd->line_no, rd->line_no, start, rd->pos, -1, 0};
      if (add_problem(rd->pr, &p) != 0) {
        return ucl_diag_set(diag, UCL_ERR_NOMEM, "out of memory");
      }
      continue;
    }
    if (!in_block) { /* a P line opens a block */
      in_block = 1;
      char *end = NULL;
      id = strtol(rd->line + 1, &end, 10);
      if (end == rd->line + 1 || *end != ',' || id < 0) {
        id = -1;
      }
      rd->block_line = rd->line_no;
      rd->off = start;
      len = 0;
      crc = 0;
      memset(rd->len, 0, sizeof(rd->len));
    }
    if (tag != 'E') { /* a row of the block (a stray line inside it fails the check) */
      len += (size_t)n;
      crc = crc_more(crc, rd->line, (size_t)n);
      const char *at = memchr(file_tag, tag, sizeof(file_tag));
      int f = at ? (int)(at - file_tag) : 1;
      if (f == 0 && rd->len[0] > 0) { /* a second P line: not this format's (fails the check) */
        f = 1;
      }
      if (append(&rd->buf[f], &rd->len[f], &rd->cap[f], rd->line + 1, (size_t)n - 1) != 0) {
        return ucl_diag_set(diag, UCL_ERR_NOMEM, "out of memory");
      }
      continue;
    }
    in_block = 0;
    problem p = {rd->idx, PB_DAMAGED, id, rd->block_line, rd->line_no, rd->off, rd->pos, -1, 0};
    if (e_line_verifies(rd->line, id, len, crc)) {
      if (id >= rd->prev_id) {
        rd->id = id;
        rd->end = rd->pos;
        rd->prev_id = id;
        rd->has = 1;
        return UCL_OK;
      }
      p.kind = PB_ORDER;
    }
    if (add_problem(rd->pr, &p) != 0) {
      return ucl_diag_set(diag, UCL_ERR_NOMEM, "out of memory");
    }
  }
}

static void reader_close(reader *rd) {
  if (rd->f) {
    fclose(rd->f);
  }
  free(rd->path);
  free(rd->line);
  for (int f = 0; f < UCL_STORE_MAX_FILES; f++) {
    free(rd->buf[f]);
    free(rd->hdr[f]);
  }
  memset(rd, 0, sizeof(*rd));
}

/* Is 'line' the first line of a format 1 shard, "uclif-shard 1 <16 hex digits> <points>"? */
static int v1_head(const char *line) {
  const char *s = line + strlen(SHARD_MAGIC " 1 ");
  if (strncmp(line, SHARD_MAGIC " 1 ", strlen(SHARD_MAGIC " 1 ")) != 0 ||
      strspn(s, "0123456789abcdef") != 16 || s[16] != ' ') {
    return 0;
  }
  s += 17;
  size_t digits = strspn(s, "0123456789");
  return digits > 0 && s[digits] == '\n';
}

/* Open a shard and check its header against (hash, points) (0: take the shard's). */
static ucl_status reader_open(reader *rd, const char *path, int idx, problems *pr, uint64_t *hash,
                              long *points, ucl_diag *diag) {
  memset(rd, 0, sizeof(*rd));
  rd->path = strdup(path);
  rd->idx = idx;
  rd->pr = pr;
  rd->prev_id = -1;
  rd->f = fopen(path, "rb");
  if (!rd->path || !rd->f) {
    ucl_status st = ucl_diag_set(diag, UCL_ERR_INPUT, "%s: cannot open: %s", path, strerror(errno));
    reader_close(rd);
    return st;
  }
  uint64_t h = 0;
  long pts = -1, version = -1, nlay = -1;
  unsigned long crc_given = 0;
  ssize_t n = getline(&rd->line, &rd->line_cap, rd->f);
  rd->line_no = 1;
  rd->pos = n > 0 ? (long)n : 0;
  size_t ml = strlen(SHARD_MAGIC);
  /* A shard being created right now by another run (a job array's task), or cut off by a kill
   * before its first line was complete: no points yet, nothing to check. */
  if (n <= 0 || (rd->line[n - 1] != '\n' &&
                 strncmp(rd->line, SHARD_MAGIC, (size_t)n < ml ? (size_t)n : ml) == 0)) {
    rd->no_head = 1;
    return UCL_OK;
  }
  /* "uclif-shard 2 <hash> <points> <layout lines> <crc32>" */
  const char *crc_at = NULL;
  if (n > (ssize_t)ml && strncmp(rd->line, SHARD_MAGIC " ", ml + 1) == 0) {
    char *end = NULL;
    errno = 0;
    version = strtol(rd->line + ml + 1, &end, 10);
    if (errno == 0 && version == SHARD_VERSION && *end == ' ') {
      h = (uint64_t)strtoull(end + 1, &end, 16);
      if (errno == 0 && *end == ' ') {
        pts = strtol(end + 1, &end, 10);
      }
      if (errno == 0 && pts >= 0 && *end == ' ') {
        nlay = strtol(end + 1, &end, 10);
      }
      if (errno == 0 && (nlay == 0 || (nlay >= 2 && nlay <= UCL_STORE_MAX_FILES)) && *end == ' ') {
        crc_at = end;
        crc_given = strtoul(end + 1, &end, 16);
        if (errno != 0 || end != crc_at + 9 || *end != '\n') {
          crc_at = NULL;
        }
      }
    }
  }
  if (version == 1 && !crc_at && v1_head(rd->line)) {
    reader_close(rd);
    return ucl_diag_set(diag, UCL_ERR_PARSE,
                        "%s: shard format %ld, this uclif reads format %d (blocks with "
                        "checksums); finish or merge that sweep with the uclif that started it",
                        path, version, SHARD_VERSION);
  }
  uint32_t crc = crc_at ? crc_more(0, rd->line, (size_t)(crc_at - rd->line)) : 0;
  /* the layout lines of a shard that is not in the single-neuron layout */
  for (long k = 0; crc_at && k < nlay; k++) {
    n = getline(&rd->line, &rd->line_cap, rd->f);
    if (n <= 0 || rd->line[n - 1] != '\n') {
      rd->no_head = 1; /* being written: no points yet */
      return UCL_OK;
    }
    rd->line_no++;
    rd->pos += (long)n;
    crc = crc_more(crc, rd->line, (size_t)n);
    char **dst = &rd->hdr[k];
    if (rd->line[0] != (k == 0 ? 'H' : 'K')) {
      crc_at = NULL;
      break;
    }
    rd->line[n - 1] = '\0';
    free(*dst);
    *dst = strdup(rd->line + 1);
    if (!*dst) {
      reader_close(rd);
      return ucl_diag_set(diag, UCL_ERR_NOMEM, "out of memory");
    }
  }
  if (!crc_at || crc != (uint32_t)crc_given) {
    /* a damaged head (or not a shard at all): none of its blocks counts, the whole file is set
     * aside by --repair */
    problem p = {rd->idx, PB_HEAD, -1, 1, rd->line_no, 0, LONG_MAX, -1, 0};
    for (int f = 0; f < UCL_STORE_MAX_FILES; f++) {
      free(rd->hdr[f]);
      rd->hdr[f] = NULL;
    }
    rd->no_head = 1;
    if (add_problem(rd->pr, &p) != 0) {
      reader_close(rd);
      return ucl_diag_set(diag, UCL_ERR_NOMEM, "out of memory");
    }
    return UCL_OK;
  }
  rd->n_hdr = (int)nlay;
  if ((*hash && h != *hash) || (*points && pts != *points)) {
    reader_close(rd);
    return ucl_diag_set(diag, UCL_ERR_PARSE,
                        "%s: written for another spec (hash %016" PRIx64 ", %ld points; this "
                        "spec: %016" PRIx64 ", %ld points)",
                        path, h, pts, *hash, *points);
  }
  *hash = h;
  *points = pts;
  return UCL_OK;
}

/* The column names of a header line ("a","b",...: no commas or quotes inside names). */
static char **split_header(const char *line, int *n) {
  int cap = 1;
  for (const char *c = line; *c; c++) {
    cap += *c == ',';
  }
  char **v = calloc((size_t)cap, sizeof(char *));
  char *copy = strdup(line);
  if (!v || !copy) {
    free(v);
    free(copy);
    return NULL;
  }
  int k = 0;
  char *save = NULL;
  for (char *tok = strtok_r(copy, ",", &save); tok && k < cap; tok = strtok_r(NULL, ",", &save)) {
    size_t len = strlen(tok);
    if (len >= 2 && tok[0] == '"' && tok[len - 1] == '"') {
      tok[len - 1] = '\0';
      tok++;
    }
    v[k] = strdup(tok);
    if (!v[k]) {
      break;
    }
    k++;
  }
  free(copy);
  *n = k;
  return v;
}

static void free_names(char **v, int n) {
  for (int i = 0; v && i < n; i++) {
    free(v[i]);
  }
  free(v);
}

/* Shard files, as paths with their run and rank, sorted by (run, rank, path): the order in
 * which copies of one point are taken (the first copy wins; see the merge). */
typedef struct shard_list {
  char **paths;
  int *runs;
  int *ranks;
  int n;
} shard_list;

static void list_free(shard_list *l) {
  for (int i = 0; i < l->n; i++) {
    free(l->paths[i]);
  }
  free(l->paths);
  free(l->runs);
  free(l->ranks);
  memset(l, 0, sizeof(*l));
}

/* Append the shard files of directory 'sd' to l. A missing directory holds none. */
static ucl_status list_shards_in(const char *sd, shard_list *l, ucl_diag *diag) {
  DIR *d = opendir(sd);
  if (!d) {
    return UCL_OK;
  }
  ucl_status st = UCL_OK;
  struct dirent *e;
  while ((e = readdir(d)) != NULL) {
    /* run-<R>-rank-<K>.txt */
    const char *nm = e->d_name;
    char *end = NULL;
    if (strncmp(nm, "run-", 4) != 0) {
      continue;
    }
    long run = strtol(nm + 4, &end, 10);
    if (end == nm + 4 || strncmp(end, "-rank-", 6) != 0 || run < 0 || run > 1000000) {
      continue;
    }
    const char *rk = end + 6;
    long rank = strtol(rk, &end, 10);
    if (end == rk || strcmp(end, ".txt") != 0 || rank < 0 || rank > INT_MAX) {
      continue;
    }
    char **np = realloc(l->paths, (size_t)(l->n + 1) * sizeof(*np));
    if (np) {
      l->paths = np;
    }
    int *nr = np ? realloc(l->runs, (size_t)(l->n + 1) * sizeof(*nr)) : NULL;
    if (nr) {
      l->runs = nr;
    }
    int *nk = nr ? realloc(l->ranks, (size_t)(l->n + 1) * sizeof(*nk)) : NULL;
    if (nk) {
      l->ranks = nk;
    }
    char *path = nk ? join(sd, nm) : NULL;
    if (!path) {
      st = ucl_diag_set(diag, UCL_ERR_NOMEM, "out of memory");
      break;
    }
    l->paths[l->n] = path;
    l->runs[l->n] = (int)run;
    l->ranks[l->n] = (int)rank;
    l->n++;
  }
  closedir(d);
  return st;
}

static void list_sort(shard_list *l) {
  for (int i = 1; i < l->n; i++) { /* insertion sort: shards number in the thousands at most */
    for (int j = i; j > 0; j--) {
      int a = j - 1, b = j;
      int gt = l->runs[a] != l->runs[b]     ? l->runs[a] > l->runs[b]
               : l->ranks[a] != l->ranks[b] ? l->ranks[a] > l->ranks[b]
                                            : strcmp(l->paths[a], l->paths[b]) > 0;
      if (!gt) {
        break;
      }
      char *tp = l->paths[a];
      l->paths[a] = l->paths[b];
      l->paths[b] = tp;
      int t = l->runs[a];
      l->runs[a] = l->runs[b];
      l->runs[b] = t;
      t = l->ranks[a];
      l->ranks[a] = l->ranks[b];
      l->ranks[b] = t;
    }
  }
}

/* The shards of one shard directory. */
static ucl_status list_shards(const char *shard_dir, shard_list *l, ucl_diag *diag) {
  memset(l, 0, sizeof(*l));
  ucl_status st = list_shards_in(shard_dir, l, diag);
  if (st != UCL_OK) {
    list_free(l);
  }
  list_sort(l);
  return st;
}

void ucl_slice_range(long points, int s, int n, long *first, long *last) {
  *first = (long)((double)points * s / n);
  *last = (long)((double)points * (s + 1) / n);
}

/* Can the shard directory named 'name' (below DIR/shards) hold points of [first, last)? Only a
 * "slice-S-of-N" name says which points it holds; with points = 0, every directory can. */
static int may_hold(const char *name, long points, long first, long last) {
  if (points <= 0 || strncmp(name, "slice-", 6) != 0) {
    return 1;
  }
  char *end = NULL;
  errno = 0;
  long s = strtol(name + 6, &end, 10);
  if (errno != 0 || end == name + 6 || strncmp(end, "-of-", 4) != 0) {
    return 1;
  }
  const char *ns = end + 4;
  long n = strtol(ns, &end, 10);
  if (errno != 0 || end == ns || *end != '\0' || s < 0 || n <= 0 || s >= n || n > INT_MAX) {
    return 1;
  }
  long a = 0, b = 0;
  ucl_slice_range(points, (int)s, (int)n, &a, &b); /* 0 <= s < n <= INT_MAX */
  return a < last && b > first;
}

/* The shard directories of an output directory: DIR/shards and those of its slice-*
 * subdirectories that may hold points of [first, last) (all of them when points = 0), each
 * given to 'visit'. */
static ucl_status each_shard_dir(const char *dir, long points, long first, long last,
                                 ucl_status (*visit)(void *ctx, const char *sd, ucl_diag *diag),
                                 void *ctx, ucl_diag *diag) {
  char *sd = join(dir, "shards");
  if (!sd) {
    return ucl_diag_set(diag, UCL_ERR_NOMEM, "out of memory");
  }
  ucl_status st = visit(ctx, sd, diag);
  DIR *d = st == UCL_OK ? opendir(sd) : NULL;
  if (d) {
    struct dirent *e;
    while (st == UCL_OK && (e = readdir(d)) != NULL) {
      if (strncmp(e->d_name, "slice-", 6) == 0 && strlen(e->d_name) < 200 &&
          may_hold(e->d_name, points, first, last)) {
        char *sub = join(sd, e->d_name);
        st = sub ? visit(ctx, sub, diag) : ucl_diag_set(diag, UCL_ERR_NOMEM, "out of memory");
        free(sub);
      }
    }
    closedir(d);
  }
  free(sd);
  return st;
}

static ucl_status visit_list(void *ctx, const char *sd, ucl_diag *diag) {
  return list_shards_in(sd, ctx, diag);
}

static ucl_status list_all_shards(const char *dir, long points, long first, long last,
                                  shard_list *l, ucl_diag *diag) {
  memset(l, 0, sizeof(*l));
  ucl_status st = each_shard_dir(dir, points, first, last, visit_list, l, diag);
  if (st != UCL_OK) {
    list_free(l);
  }
  list_sort(l);
  return st;
}

/* ---- what is wrong, in words ---- */

static const char *problem_what(int kind) {
  switch (kind) {
  case PB_DAMAGED:
    return "does not verify (length or crc32 checksum)";
  case PB_ORDER:
    return "comes after a higher point in the same shard";
  case PB_CONFLICT:
    return "differs from the copy merged";
  default:
    return "";
  }
}

/* Health counts and the first notes from a list of problems. */
static void fill_health(const problems *pr, const shard_list *l, ucl_store_health *h) {
  memset(h, 0, sizeof(*h));
  for (size_t k = 0; pr && k < pr->n; k++) {
    const problem *p = &pr->v[k];
    if (p->kind == PB_STRAY) {
      h->stray++;
    } else if (p->kind == PB_CONFLICT) {
      h->conflicts++;
    } else if (p->kind == PB_HEAD) {
      h->damaged_shards++;
    } else {
      h->damaged++;
    }
    if (h->n_notes == UCL_STORE_NOTES) {
      continue;
    }
    char *note = h->notes[h->n_notes++];
    const char *path = l->paths[p->shard];
    if (p->kind == PB_HEAD) {
      snprintf(note, sizeof(h->notes[0]),
               "%s:1: the shard's first line%s (format, spec hash, columns) do%s not verify: none "
               "of its blocks is merged",
               path, p->last_line > 1 ? "s" : "", p->last_line > 1 ? "" : "es");
    } else if (p->kind == PB_STRAY) {
      if (p->last_line > p->line) {
        snprintf(note, sizeof(h->notes[0]), "%s:%ld-%ld: lines outside any point's block", path,
                 p->line, p->last_line);
      } else {
        snprintf(note, sizeof(h->notes[0]), "%s:%ld: a line outside any point's block", path,
                 p->line);
      }
    } else if (p->kind == PB_CONFLICT) {
      snprintf(note, sizeof(h->notes[0]),
               "%s:%ld: point %ld's block differs from the copy in %s:%ld", path, p->line, p->id,
               l->paths[p->other_shard], p->other_line);
    } else if (p->id >= 0) {
      snprintf(note, sizeof(h->notes[0]), "%s:%ld-%ld: point %ld's block %s", path, p->line,
               p->last_line, p->id, problem_what(p->kind));
    } else {
      snprintf(note, sizeof(h->notes[0]), "%s:%ld-%ld: a block %s", path, p->line, p->last_line,
               problem_what(p->kind));
    }
  }
}

/* ---- scanning ---- */

/* Read every block of the shards in 'l': mark done[id] (when 'done'), count newly marked points,
 * and find the next run number. */
static ucl_status scan_list(const shard_list *l, uint64_t hash, long points, unsigned char *done,
                            int *next_run, long *n_done, ucl_store_health *health, ucl_diag *diag) {
  ucl_status st = UCL_OK;
  int nr = 0;
  long count = 0;
  problems pr = {NULL, 0, 0};
  for (int i = 0; i < l->n && st == UCL_OK; i++) {
    reader rd;
    uint64_t h = hash;
    long pts = points;
    st = reader_open(&rd, l->paths[i], i, &pr, &h, &pts, diag);
    while (st == UCL_OK) {
      st = next_block(&rd, diag);
      if (st != UCL_OK || !rd.has) {
        break;
      }
      if (rd.id >= points) {
        st = ucl_diag_set(diag, UCL_ERR_PARSE, "%s:%ld: point %ld beyond the spec's %ld", rd.path,
                          rd.block_line, rd.id, points);
        break;
      }
      if (done && !done[rd.id]) {
        done[rd.id] = 1;
        count++;
      }
    }
    if (l->runs[i] + 1 > nr) {
      nr = l->runs[i] + 1;
    }
    reader_close(&rd);
  }
  if (st == UCL_OK) {
    *next_run = nr;
    *n_done = count;
    if (health) {
      fill_health(&pr, l, health);
    }
  }
  free(pr.v);
  return st;
}

ucl_status ucl_store_scan(const char *shard_dir, uint64_t hash, long points, unsigned char *done,
                          int *next_run, long *n_done, ucl_diag *diag) {
  shard_list l;
  ucl_status st = list_shards(shard_dir, &l, diag);
  if (st == UCL_OK) {
    st = scan_list(&l, hash, points, done, next_run, n_done, NULL, diag);
    list_free(&l);
  }
  return st;
}

ucl_status ucl_store_next_run(const char *shard_dir, int *next_run, ucl_diag *diag) {
  shard_list l;
  ucl_status st = list_shards(shard_dir, &l, diag);
  if (st == UCL_OK) {
    int nr = 0;
    for (int i = 0; i < l.n; i++) {
      nr = l.runs[i] + 1 > nr ? l.runs[i] + 1 : nr;
    }
    *next_run = nr;
    list_free(&l);
  }
  return st;
}

ucl_status ucl_store_scan_all(const char *dir, uint64_t hash, long points, long first, long last,
                              unsigned char *done, long *n_done, ucl_store_health *health,
                              ucl_diag *diag) {
  shard_list l;
  int nr = 0;
  ucl_status st = list_all_shards(dir, points, first, last, &l, diag);
  if (st == UCL_OK) {
    st = scan_list(&l, hash, points, done, &nr, n_done, health, diag);
    list_free(&l);
  }
  return st;
}

/* ---- merge: a binary heap of readers keyed by (their block's id, shard order) ---- */

static int before(const reader *a, const reader *b) {
  return a->id != b->id ? a->id < b->id : a->idx < b->idx;
}

static void heap_down(reader **h, int n, int i) {
  for (;;) {
    int m = i, a = 2 * i + 1, b = a + 1;
    if (a < n && before(h[a], h[m])) {
      m = a;
    }
    if (b < n && before(h[b], h[m])) {
      m = b;
    }
    if (m == i) {
      return;
    }
    reader *t = h[i];
    h[i] = h[m];
    h[m] = t;
    i = m;
  }
}

static void swap_buf(char **a, size_t *a_len, size_t *a_cap, char **b, size_t *b_len,
                     size_t *b_cap) {
  char *p = *a;
  size_t len = *a_len, cap = *a_cap;
  *a = *b;
  *a_len = *b_len;
  *a_cap = *b_cap;
  *b = p;
  *b_len = len;
  *b_cap = cap;
}

/* Do readers a and b (both with a head) name the same layout? */
static int same_layout(const reader *a, const reader *b) {
  if (a->n_hdr != b->n_hdr) {
    return 0;
  }
  for (int f = 0; f < a->n_hdr; f++) {
    if (!a->hdr[f] || !b->hdr[f] || strcmp(a->hdr[f], b->hdr[f]) != 0) {
      return 0;
    }
  }
  return 1;
}

/* One pass over every shard of DIR in point order. With 'write', the merged files are written
 * (temporary files, renamed at the end); otherwise nothing is written. A verified copy of a
 * point already merged is counted when its rows are the same bytes; when they differ it is an
 * error, or with 'tolerate' a PB_CONFLICT problem (the first copy in shard order is kept). */
static ucl_status merge_pass(const char *dir, const shard_list *l, uint64_t hash, long points,
                             int write, int tolerate, problems *pr, ucl_merge_stats *out,
                             ucl_diag *diag) {
  enum { MF = UCL_STORE_MAX_FILES };
  ucl_merge_stats ms;
  memset(&ms, 0, sizeof(ms));
  ms.first_missing = -1;
  ms.n_files = 2; /* the single-neuron layout: points.csv, rate_curves.csv */
  snprintf(ms.file[0], sizeof(ms.file[0]), "points.csv");
  snprintf(ms.file[1], sizeof(ms.file[1]), "rate_curves.csv");
  ucl_status st = UCL_OK;
  reader *rds = calloc((size_t)(l->n > 0 ? l->n : 1), sizeof(*rds));
  reader **heap = calloc((size_t)(l->n > 0 ? l->n : 1), sizeof(*heap));
  ucl_csv_writer *w[MF] = {NULL};
  char **names[MF] = {NULL};
  int n_names[MF] = {0};
  char *path[MF] = {NULL};
  char *last[MF] = {NULL}; /* the rows of the point merged last */
  size_t last_len[MF] = {0}, last_cap[MF] = {0};
  int last_shard = -1;
  long last_line = 0;
  int nh = 0;
  if (!rds || !heap) {
    st = ucl_diag_set(diag, UCL_ERR_NOMEM, "out of memory");
    goto cleanup;
  }
  for (int i = 0; i < l->n && st == UCL_OK; i++) {
    st = reader_open(&rds[i], l->paths[i], i, pr, &hash, &points, diag);
    if (st == UCL_OK) {
      st = next_block(&rds[i], diag);
    }
    if (st == UCL_OK && rds[i].has) {
      heap[nh++] = &rds[i];
    }
  }
  if (st != UCL_OK) {
    goto cleanup;
  }
  for (int i = nh / 2 - 1; i >= 0; i--) {
    heap_down(heap, nh, i);
  }
  /* the layout: the single-neuron one, or the one the shards name (all must agree) */
  const reader *lay = NULL;
  for (int i = 0; i < l->n; i++) {
    if (rds[i].no_head) {
      continue;
    }
    if (!lay) {
      lay = &rds[i];
    } else if (!same_layout(lay, &rds[i])) {
      st = ucl_diag_set(diag, UCL_ERR_PARSE, "%s and %s hold different columns", lay->path,
                        rds[i].path);
      goto cleanup;
    }
  }
  const char *const *cols[MF];
  int n_cols[MF];
  cols[0] = ucl_results_point_columns(&n_cols[0]);
  cols[1] = ucl_results_curve_columns(&n_cols[1]);
  if (lay && lay->n_hdr > 0) {
    ms.n_files = lay->n_hdr;
    for (int f = 0; f < ms.n_files; f++) {
      const char *h = lay->hdr[f];
      if (f > 0) { /* "FILE,HEADER": a plain file name, not points.csv */
        const char *comma = strchr(h, ',');
        if (!comma || comma == h || (size_t)(comma - h) >= sizeof(ms.file[f]) ||
            strcspn(h, "/") < (size_t)(comma - h)) {
          st = ucl_diag_set(diag, UCL_ERR_PARSE, "%s: bad layout line", lay->path);
          goto cleanup;
        }
        snprintf(ms.file[f], sizeof(ms.file[f]), "%.*s", (int)(comma - h), h);
        for (int g = 0; g < f; g++) {
          if (strcmp(ms.file[g], ms.file[f]) == 0) {
            st = ucl_diag_set(diag, UCL_ERR_PARSE, "%s: bad layout line (%s twice)", lay->path,
                              ms.file[f]);
            goto cleanup;
          }
        }
        h = comma + 1;
      }
      names[f] = split_header(h, &n_names[f]);
      if (!names[f]) {
        st = ucl_diag_set(diag, UCL_ERR_NOMEM, "out of memory");
        goto cleanup;
      }
      cols[f] = (const char *const *)names[f];
      n_cols[f] = n_names[f];
    }
  }
  for (int f = 0; write && f < ms.n_files && st == UCL_OK; f++) {
    path[f] = join(dir, ms.file[f]);
    st = path[f] ? ucl_csv_open(path[f], cols[f], n_cols[f], &w[f], diag)
                 : ucl_diag_set(diag, UCL_ERR_NOMEM, "out of memory");
  }
  long expect = 0;
  while (st == UCL_OK && nh > 0) {
    reader *top = heap[0];
    long id = top->id;
    if (id >= points && points > 0) {
      st = ucl_diag_set(diag, UCL_ERR_PARSE, "%s:%ld: point %ld beyond the spec's %ld", top->path,
                        top->block_line, id, points);
      break;
    }
    if (id < expect) { /* another copy of the point merged last */
      int same = 1;
      for (int f = 0; f < MF && same; f++) {
        same = top->len[f] == last_len[f] &&
               (last_len[f] == 0 || memcmp(top->buf[f], last[f], last_len[f]) == 0);
      }
      if (same) {
        ms.health.duplicates++;
      } else if (tolerate) {
        problem p = {top->idx, PB_CONFLICT, id,         top->block_line, 0,
                     top->off, top->end,    last_shard, last_line};
        p.last_line = top->line_no;
        if (add_problem(pr, &p) != 0) {
          st = ucl_diag_set(diag, UCL_ERR_NOMEM, "out of memory");
          break;
        }
      } else {
        st =
            ucl_diag_set(diag, UCL_ERR_PARSE,
                         "point %ld is complete twice with different rows: %s:%ld and %s:%ld; "
                         "`uclif merge %s --repair` keeps the first and sets the other aside in "
                         "%s/set-aside (nothing is deleted)",
                         id, l->paths[last_shard], last_line, top->path, top->block_line, dir, dir);
        break;
      }
    } else {
      if (id > expect) {
        if (ms.first_missing < 0) {
          ms.first_missing = expect;
        }
        ms.missing += id - expect;
      }
      /* a block's rows of a file the layout does not have (a tag of a later format): not
       * written, a verified block of this layout has none */
      for (int f = 0; write && f < ms.n_files; f++) {
        if (ucl_csv_raw(w[f], top->buf[f], top->len[f]) != UCL_OK) {
          st = ucl_csv_failure(w[f], diag);
          break;
        }
      }
      if (st != UCL_OK) {
        break;
      }
      for (int f = 0; f < ms.n_files; f++) {
        for (size_t i = 0; i < top->len[f]; i++) {
          ms.rows[f] += top->buf[f][i] == '\n';
        }
      }
      /* keep the rows merged last (to compare later copies) by taking the reader's buffers: no
       * copy; the reader fills the old ones with its next block */
      for (int f = 0; f < MF; f++) {
        swap_buf(&last[f], &last_len[f], &last_cap[f], &top->buf[f], &top->len[f], &top->cap[f]);
      }
      last_shard = top->idx;
      last_line = top->block_line;
      ms.merged++;
      expect = id + 1;
    }
    st = next_block(top, diag);
    if (st != UCL_OK) {
      break;
    }
    if (!top->has) {
      heap[0] = heap[--nh];
    }
    heap_down(heap, nh, 0);
  }
  if (st == UCL_OK && expect < points) {
    if (ms.first_missing < 0) {
      ms.first_missing = expect;
    }
    ms.missing += points - expect;
  }
  if (st == UCL_OK && write) {
    st = ucl_csv_commit_all(w, (size_t)ms.n_files, diag);
    memset(w, 0, sizeof(w));
  }
cleanup:
  for (int f = 0; f < MF; f++) {
    ucl_csv_abort(&w[f]);
    free(path[f]);
    free(last[f]);
    free_names(names[f], n_names[f]);
  }
  for (int i = 0; rds && i < l->n; i++) {
    reader_close(&rds[i]);
  }
  free(rds);
  free(heap);
  ms.points = points;
  ms.shards = l->n;
  long dups = ms.health.duplicates;
  fill_health(pr, l, &ms.health);
  ms.health.duplicates = dups;
  *out = ms;
  return st;
}

/* ---- repair: problems set aside ---- */

static int by_shard_offset(const void *a, const void *b) {
  const problem *p = a, *q = b;
  if (p->shard != q->shard) {
    return p->shard < q->shard ? -1 : 1;
  }
  return p->off < q->off ? -1 : p->off > q->off;
}

static int make_dirs(const char *path) {
  char *copy = strdup(path);
  if (!copy) {
    return -1;
  }
  int rc = 0;
  for (char *s = copy + 1; rc == 0; s++) {
    if (*s == '/' || *s == '\0') {
      char keep = *s;
      *s = '\0';
      rc = (mkdir(copy, 0777) == 0 || errno == EEXIST) ? 0 : -1;
      *s = keep;
      if (keep == '\0') {
        break;
      }
    }
  }
  free(copy);
  return rc;
}

/* Rewrite shard 'path' without the byte ranges v[0 .. n) (sorted by offset, not overlapping):
 * the original moves to DIR/set-aside/<its path below DIR/shards> (".1", ".2", ... appended when
 * that name is taken), and a copy without those ranges takes its place. */
static ucl_status set_aside(const char *dir, const char *path, const problem *v, size_t n,
                            ucl_diag *diag) {
  ucl_status st = UCL_OK;
  size_t dl = strlen(dir);
  const char *rel = path + dl + strlen("/shards/");
  size_t cap = strlen(dir) + strlen(path) + 64;
  char *dst = malloc(cap), *tmp = malloc(cap), *sub = malloc(cap);
  FILE *in = NULL, *out = NULL;
  char buf[65536];
  if (!dst || !tmp || !sub) {
    st = ucl_diag_set(diag, UCL_ERR_NOMEM, "out of memory");
    goto cleanup;
  }
  snprintf(tmp, cap, "%s.repair.tmp", path);
  int whole = n == 1 && v[0].off == 0 && v[0].end == LONG_MAX; /* a damaged head: all of it */
  snprintf(sub, cap, "%s/set-aside/%s", dir, rel);
  *strrchr(sub, '/') = '\0';
  if (make_dirs(sub) != 0) {
    st = ucl_diag_set(diag, UCL_ERR_IO, "cannot create %s: %s", sub, strerror(errno));
    goto cleanup;
  }
  snprintf(dst, cap, "%s/set-aside/%s", dir, rel);
  for (int k = 1; access(dst, F_OK) == 0 && k < 10000; k++) {
    snprintf(dst, cap, "%s/set-aside/%s.%d", dir, rel, k);
  }
  if (whole) {
    if (rename(path, dst) != 0) {
      st = ucl_diag_set(diag, UCL_ERR_IO, "%s: cannot set aside to %s: %s", path, dst,
                        strerror(errno));
    }
    goto cleanup;
  }
  in = fopen(path, "rb");
  out = in ? fopen(tmp, "wb") : NULL;
  if (!in || !out) {
    st = ucl_diag_set(diag, UCL_ERR_IO, "%s: cannot open: %s", in ? tmp : path, strerror(errno));
    goto cleanup;
  }
  long pos = 0;
  size_t k = 0;
  for (;;) {
    size_t want = sizeof(buf);
    if (k < n && v[k].off >= pos && (size_t)(v[k].off - pos) < want) {
      want = (size_t)(v[k].off - pos);
    }
    if (k < n && v[k].off == pos) { /* skip the range */
      if (fseek(in, v[k].end, SEEK_SET) != 0) {
        st = ucl_diag_set(diag, UCL_ERR_INPUT, "%s: cannot seek", path);
        goto cleanup;
      }
      pos = v[k].end;
      k++;
      continue;
    }
    size_t got = fread(buf, 1, want, in);
    if (got == 0) {
      break;
    }
    if (fwrite(buf, 1, got, out) != got) {
      st = ucl_diag_set(diag, UCL_ERR_IO, "%s: write failed: %s", tmp, strerror(errno));
      goto cleanup;
    }
    pos += (long)got;
  }
  if (ferror(in)) {
    st = ucl_diag_set(diag, UCL_ERR_INPUT, "%s: read failed", path);
    goto cleanup;
  }
  int bad = fflush(out) != 0 || fsync(fileno(out)) != 0;
  bad = fclose(out) != 0 || bad;
  out = NULL;
  if (bad) {
    st = ucl_diag_set(diag, UCL_ERR_IO, "%s: write failed: %s", tmp, strerror(errno));
    goto cleanup;
  }
  if (rename(path, dst) != 0 || rename(tmp, path) != 0) {
    st = ucl_diag_set(diag, UCL_ERR_IO, "%s: cannot set aside to %s: %s", path, dst,
                      strerror(errno));
  }
cleanup:
  if (in) {
    fclose(in);
  }
  if (out) {
    fclose(out);
  }
  if (st != UCL_OK && tmp) {
    remove(tmp);
  }
  free(dst);
  free(tmp);
  free(sub);
  return st;
}

typedef struct lock_set {
  ucl_store_lock **v;
  int n;
} lock_set;

static ucl_status visit_lock(void *ctx, const char *sd, ucl_diag *diag) {
  lock_set *ls = ctx;
  struct stat sb;
  if (stat(sd, &sb) != 0) {
    return UCL_OK;
  }
  ucl_store_lock **v = realloc(ls->v, (size_t)(ls->n + 1) * sizeof(*v));
  if (!v) {
    return ucl_diag_set(diag, UCL_ERR_NOMEM, "out of memory");
  }
  ls->v = v;
  ucl_status st = ucl_store_lock_take(sd, 0.0, NULL, &ls->v[ls->n], diag);
  ls->n += st == UCL_OK;
  return st;
}

static void locks_release(lock_set *ls) {
  for (int i = 0; i < ls->n; i++) {
    ucl_store_lock_release(&ls->v[i]);
  }
  free(ls->v);
  memset(ls, 0, sizeof(*ls));
}

ucl_status ucl_store_merge(const char *dir, uint64_t hash, long points, int flags,
                           ucl_merge_stats *stats, ucl_diag *diag) {
  ucl_merge_stats ms;
  memset(&ms, 0, sizeof(ms));
  ms.first_missing = -1;
  shard_list l;
  problems pr = {NULL, 0, 0};
  lock_set locks = {NULL, 0};
  long set_aside_n = 0;
  ucl_store_health found; /* what the repair's first pass found */
  memset(&found, 0, sizeof(found));
  ucl_status st = list_all_shards(dir, 0, 0, 0, &l, diag);
  if (st != UCL_OK) {
    return st;
  }
  if (l.n == 0) { /* nothing to merge: write nothing */
    list_free(&l);
    return ucl_diag_set(diag, UCL_ERR_PARSE, "%s/shards holds no shards (not a sweep's output?)",
                        dir);
  }
  /* one merge at a time writes DIR's merged files (their temporary names are fixed) */
  char *mpath = join(dir, "shards/merge.lock");
  int mfd = mpath ? open(mpath, O_RDWR | O_CREAT | O_CLOEXEC, 0666) : -1;
  if (mfd < 0 || flock(mfd, LOCK_EX) != 0) {
    st = mpath ? ucl_diag_set(diag, UCL_ERR_IO, "%s: cannot lock: %s", mpath, strerror(errno))
               : ucl_diag_set(diag, UCL_ERR_NOMEM, "out of memory");
  }
  free(mpath);
  if (st == UCL_OK && (flags & UCL_MERGE_REPAIR)) {
    /* no run may write a shard while it is rewritten */
    st = each_shard_dir(dir, 0, 0, 0, visit_lock, &locks, diag);
    if (st == UCL_ERR_INVAL) {
      ucl_diag_suffix(diag, ": --repair needs the directory to itself");
    }
    if (st == UCL_OK) {
      st = merge_pass(dir, &l, hash, points, 0, 1, &pr, &ms, diag);
      found = ms.health;
    }
    if (st == UCL_OK && pr.n > 0) {
      qsort(pr.v, pr.n, sizeof(*pr.v), by_shard_offset);
      for (size_t a = 0; a < pr.n && st == UCL_OK;) {
        size_t b = a;
        while (b < pr.n && pr.v[b].shard == pr.v[a].shard) {
          b++;
        }
        st = set_aside(dir, l.paths[pr.v[a].shard], &pr.v[a], b - a, diag);
        a = b;
      }
      set_aside_n = (long)pr.n;
      list_free(&l); /* shards moved away whole are gone */
      if (st == UCL_OK) {
        st = list_all_shards(dir, 0, 0, 0, &l, diag);
      }
    }
    pr.n = 0;
  }
  if (st == UCL_OK) {
    st = merge_pass(dir, &l, hash, points, 1, 0, &pr, &ms, diag);
  }
  if (set_aside_n > 0) { /* report what was set aside, and the duplicates left */
    long dups = ms.health.duplicates;
    ms.health = found;
    ms.health.duplicates = dups;
  }
  ms.health.set_aside = set_aside_n;
  locks_release(&locks);
  if (mfd >= 0) {
    close(mfd); /* lets go of the merge lock */
  }
  free(pr.v);
  list_free(&l);
  if (stats) {
    *stats = ms;
  }
  return st;
}

/* ---- the spec a sweep directory keeps ---- */

#define CANON_HEAD "# the canonical expansion of spec.ini (uclif; docs/outputs.md)\n"

/* Write 'text' to 'path' through a temporary file of this process, renamed into place. */
static ucl_status write_file(const char *path, const char *text, ucl_diag *diag) {
  size_t n = strlen(path) + 48;
  char *tmp = malloc(n);
  if (!tmp) {
    return ucl_diag_set(diag, UCL_ERR_NOMEM, "out of memory");
  }
  snprintf(tmp, n, "%s.%ld.tmp", path, (long)getpid());
  FILE *f = fopen(tmp, "wb");
  int err = f ? 0 : errno;
  if (f) {
    size_t len = strlen(text);
    if (fwrite(text, 1, len, f) != len || fflush(f) != 0) {
      err = errno ? errno : EIO;
    }
    if (fclose(f) != 0 && !err) {
      err = errno ? errno : EIO;
    }
  }
  int bad = err != 0;
  ucl_status st = UCL_OK;
  if (bad || rename(tmp, path) != 0) {
    st = ucl_diag_set(diag, UCL_ERR_IO, "%s: cannot write: %s", bad ? tmp : path,
                      strerror(bad ? err : errno));
    remove(tmp);
  }
  free(tmp);
  return st;
}

static ucl_status read_file(const char *path, char **out, ucl_diag *diag) {
  FILE *f = fopen(path, "rb");
  if (!f) {
    return ucl_diag_set(diag, UCL_ERR_INPUT, "%s: cannot open: %s", path, strerror(errno));
  }
  char *text = NULL;
  size_t len = 0, cap = 0;
  char buf[8192];
  size_t got;
  ucl_status st = UCL_OK;
  while ((got = fread(buf, 1, sizeof(buf), f)) > 0) {
    if (append(&text, &len, &cap, buf, got) != 0) {
      st = ucl_diag_set(diag, UCL_ERR_NOMEM, "out of memory");
      break;
    }
  }
  if (st == UCL_OK && ferror(f)) {
    st = ucl_diag_set(diag, UCL_ERR_INPUT, "%s: read failed", path);
  }
  fclose(f);
  if (st == UCL_OK && !text) {
    text = calloc(1, 1);
    st = text ? UCL_OK : ucl_diag_set(diag, UCL_ERR_NOMEM, "out of memory");
  }
  if (st != UCL_OK) {
    free(text);
    return st;
  }
  *out = text;
  return UCL_OK;
}

/* The canonical lines of a kept DIR/spec.canonical (after its '#' lines). */
static const char *canon_body(const char *text) {
  while (*text == '#') {
    const char *nl = strchr(text, '\n');
    if (!nl) {
      return text + strlen(text);
    }
    text = nl + 1;
  }
  return text;
}

/* The key and value of the canonical line at 'l' ("key = value"); "(nothing)" at the end. */
static void canon_line(const char *l, char *key, size_t kn, char *val, size_t vn) {
  size_t n = strcspn(l, "\n");
  if (n == 0) {
    snprintf(key, kn, "(end)");
    snprintf(val, vn, "(nothing)");
    return;
  }
  const char *eq = strstr(l, " = ");
  size_t k = eq && (size_t)(eq - l) < n ? (size_t)(eq - l) : n;
  snprintf(key, kn, "%.*s", (int)k, l);
  snprintf(val, vn, "%.*s", k < n ? (int)(n - k - 3) : 0, k < n ? l + k + 3 : "");
}

ucl_status ucl_store_check_spec(const char *dir, const ucl_sweep *sw, int *kept, ucl_diag *diag) {
  char *path = join(dir, "spec.canonical");
  char *text = NULL;
  *kept = 0;
  if (!path) {
    return ucl_diag_set(diag, UCL_ERR_NOMEM, "out of memory");
  }
  if (access(path, F_OK) != 0) {
    free(path);
    return UCL_OK;
  }
  ucl_status st = read_file(path, &text, diag);
  if (st == UCL_OK) {
    *kept = 1;
    const char *a = canon_body(text), *b = ucl_sweep_canonical(sw);
    long line = 1;
    for (const char *t = text; t < a; t++) {
      line += *t == '\n';
    }
    while (*a && *b) { /* line by line: the first that differs names its key */
      size_t la = strcspn(a, "\n"), lb = strcspn(b, "\n");
      if (la != lb || memcmp(a, b, la) != 0) {
        break;
      }
      a += la + (a[la] == '\n');
      b += lb + (b[lb] == '\n');
      line++;
    }
    if (*a || *b) {
      char key_a[128], key_b[128], was[200], now[200];
      canon_line(a, key_a, sizeof(key_a), was, sizeof(was));
      canon_line(b, key_b, sizeof(key_b), now, sizeof(now));
      st = ucl_diag_set(diag, UCL_ERR_INVAL,
                        "%s:%ld: %s differs from the spec %s was started with (%s then, %s now); "
                        "a changed value alters points already computed: resume with the spec %s "
                        "keeps (`uclif sweep --resume -o %s`), or start another directory",
                        path, line, *b ? key_b : key_a, dir, was, now, dir, dir);
    }
  }
  free(text);
  free(path);
  return st;
}

ucl_status ucl_store_keep_spec(const char *dir, const ucl_sweep *sw, const char *source,
                               ucl_diag *diag) {
  int kept = 0;
  ucl_status st = ucl_store_check_spec(dir, sw, &kept, diag);
  if (st != UCL_OK || kept) {
    return st;
  }
  char *ini = join(dir, "spec.ini"), *canon = join(dir, "spec.canonical");
  char *text = NULL;
  size_t len = 0;
  FILE *f = open_memstream(&text, &len);
  if (!ini || !canon || !f) {
    if (f) {
      fclose(f);
    }
    free(text);
    free(ini);
    free(canon);
    return ucl_diag_set(diag, UCL_ERR_NOMEM, "out of memory");
  }
  fputs(CANON_HEAD, f);
  fprintf(f, "# name = %s\n# source = %s\n", ucl_sweep_name(sw), source ? source : "");
  for (int k = 0; k < ucl_sweep_n_sets(sw); k++) {
    fprintf(f, "# set = %s\n", ucl_sweep_set(sw, k));
  }
  fputs(ucl_sweep_canonical(sw), f);
  if (fclose(f) != 0 || !text) {
    st = ucl_diag_set(diag, UCL_ERR_NOMEM, "out of memory");
  }
  /* spec.ini first: spec.canonical is what says the spec is kept */
  if (st == UCL_OK) {
    st = write_file(ini, ucl_sweep_text(sw), diag);
  }
  if (st == UCL_OK) {
    st = write_file(canon, text, diag);
  }
  free(text);
  free(ini);
  free(canon);
  return st;
}

int ucl_store_keeps_spec(const char *dir) {
  char *canon = join(dir, "spec.canonical");
  int yes = canon && access(canon, F_OK) == 0;
  free(canon);
  return yes;
}

ucl_status ucl_store_load_spec(const char *dir, ucl_sweep **out, ucl_diag *diag) {
  char *ini = join(dir, "spec.ini"), *canon = join(dir, "spec.canonical");
  char *text = NULL;
  char **sets = NULL;
  int n_sets = 0;
  char name[256] = "";
  ucl_sweep *sw = NULL;
  ucl_status st = ini && canon ? UCL_OK : ucl_diag_set(diag, UCL_ERR_NOMEM, "out of memory");
  if (st == UCL_OK && access(canon, F_OK) != 0) {
    st = ucl_diag_set(diag, UCL_ERR_INPUT,
                      "%s keeps no spec (%s: %s); name the spec: uclif sweep SPEC --resume -o %s",
                      dir, canon, strerror(errno), dir);
  }
  if (st == UCL_OK) {
    st = read_file(canon, &text, diag);
  }
  for (const char *t = text; st == UCL_OK && t && *t == '#';) {
    size_t n = strcspn(t, "\n");
    if (strncmp(t, "# name = ", 9) == 0) {
      snprintf(name, sizeof(name), "%.*s", (int)(n - 9), t + 9);
    } else if (strncmp(t, "# set = ", 8) == 0) {
      char **v = realloc(sets, (size_t)(n_sets + 1) * sizeof(*v));
      char *s = v ? strndup(t + 8, n - 8) : NULL;
      if (v) {
        sets = v;
      }
      if (!s) {
        st = ucl_diag_set(diag, UCL_ERR_NOMEM, "out of memory");
        break;
      }
      sets[n_sets++] = s;
    }
    t += n + (t[n] == '\n');
  }
  if (st == UCL_OK) {
    st = ucl_sweep_load_sets(ini, (const char *const *)sets, n_sets, &sw, diag);
  }
  if (st == UCL_OK && name[0]) {
    st = ucl_sweep_rename(sw, name, diag);
  }
  if (st == UCL_OK && strcmp(canon_body(text), ucl_sweep_canonical(sw)) != 0) {
    st = ucl_diag_set(diag, UCL_ERR_PARSE,
                      "%s no longer gives the expansion in %s (edited by hand, or another uclif "
                      "version?); name the spec: uclif sweep SPEC --resume -o %s",
                      ini, canon, dir);
  }
  if (st == UCL_OK) {
    *out = sw;
    sw = NULL;
  }
  ucl_sweep_destroy(&sw);
  for (int k = 0; k < n_sets; k++) {
    free(sets[k]);
  }
  free(sets);
  free(text);
  free(ini);
  free(canon);
  return st;
}

size_t ucl_store_sweep_warnings(const ucl_sweep *sw, ucl_sweep_warning out[UCL_PWARN_COUNT]) {
  size_t kinds = 0;
  for (int c = 0; c < UCL_PWARN_COUNT; c++) {
    out[c].points = 0;
  }
  if (ucl_sweep_is_network(sw)) {
    return 0;
  }
  ucl_param_warning w[UCL_PWARN_COUNT];
  for (long i = 0; i < ucl_sweep_count(sw); i++) {
    ucl_params p;
    ucl_diag d;
    if (ucl_sweep_point(sw, i, &p, &d) != UCL_OK) {
      continue;
    }
    size_t n = ucl_params_warnings(&p, w, UCL_PWARN_COUNT);
    for (size_t j = 0; j < n && j < UCL_PWARN_COUNT; j++) {
      ucl_sweep_warning *o = &out[w[j].code];
      if (o->points++ == 0) {
        o->first = w[j];
        o->first_point = i;
      }
    }
  }
  /* in code order, without gaps */
  for (int c = 0; c < UCL_PWARN_COUNT; c++) {
    if (out[c].points > 0) {
      out[kinds++] = out[c];
    }
  }
  return kinds;
}

void ucl_store_sweep_warning_text(const ucl_sweep *sw, const ucl_sweep_warning *w, char *buf,
                                  size_t size) {
  long n = ucl_sweep_count(sw);
  if (n > 1) {
    snprintf(buf, size, "%s (at %ld of %ld points; first: point %ld)", w->first.msg, w->points, n,
             w->first_point);
  } else {
    snprintf(buf, size, "%s", w->first.msg);
  }
}

ucl_status ucl_store_write_manifest(const char *dir, const ucl_sweep *sw, const ucl_merge_stats *ms,
                                    const char *run_lines, ucl_diag *diag) {
  size_t n = strlen(dir) + 32;
  char *path = malloc(n), *tmp = malloc(n + 8);
  if (!path || !tmp) {
    free(path);
    free(tmp);
    return ucl_diag_set(diag, UCL_ERR_NOMEM, "out of memory");
  }
  snprintf(path, n, "%s/manifest.txt", dir);
  snprintf(tmp, n + 8, "%s.tmp", path);
  static const char *const designs[] = {"grid", "lhs", "random", "montecarlo"};
  FILE *f = fopen(tmp, "wb");
  int bad = !f;
  if (f) {
    fprintf(f, "uclif_version = %s\n", UCL_VERSION_STRING);
    fprintf(f, "spec_name = %s\n", ucl_sweep_name(sw));
    fprintf(f, "spec_hash = %016" PRIx64 "\n", ucl_sweep_hash(sw));
    fprintf(f, "design = %s\n", designs[ucl_sweep_design(sw)]);
    fprintf(f, "seed = %" PRIu64 "\n", ucl_sweep_seed(sw));
    fprintf(f, "swept =");
    for (int k = 0; k < ucl_sweep_n_swept(sw); k++) {
      fprintf(f, "%s %s", k ? "," : "", ucl_sweep_swept_name(sw, k));
    }
    fprintf(f, "\npoints = %ld\n", ucl_sweep_count(sw));
    fprintf(f, "merged = %ld\n", ms->merged);
    fprintf(f, "missing = %ld\n", ms->missing);
    static const struct {
      const char *file, *key;
    } row_keys[] = {{"rate_curves.csv", "rate_curve_rows"},
                    {"neurons.csv", "neuron_rows"},
                    {"probability.csv", "probability_rows"}};
    for (int k = 1; k < ms->n_files; k++) { /* the rows of each further file */
      const char *key = NULL;
      for (size_t j = 0; j < sizeof(row_keys) / sizeof(row_keys[0]) && !key; j++) {
        key = strcmp(ms->file[k], row_keys[j].file) == 0 ? row_keys[j].key : NULL;
      }
      if (key) {
        fprintf(f, "%s = %ld\n", key, ms->rows[k]);
      } else {
        fprintf(f, "%.*s_rows = %ld\n", (int)strcspn(ms->file[k], "."), ms->file[k], ms->rows[k]);
      }
    }
    ucl_sweep_warning w[UCL_PWARN_COUNT];
    size_t nw = ucl_store_sweep_warnings(sw, w);
    for (size_t k = 0; k < nw; k++) {
      char line[512];
      ucl_store_sweep_warning_text(sw, &w[k], line, sizeof(line));
      fprintf(f, "warning = %s\n", line);
    }
    if (run_lines) {
      fputs(run_lines, f);
    }
    bad = ferror(f) || fclose(f) != 0;
  }
  ucl_status st = UCL_OK;
  if (bad || rename(tmp, path) != 0) {
    st = ucl_diag_set(diag, UCL_ERR_IO, "%s: cannot write: %s", path, strerror(errno));
    remove(tmp);
  }
  free(path);
  free(tmp);
  return st;
}
