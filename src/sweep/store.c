/* store.c — shards and the streaming merge (format in store.h). */
#include "uclif/store.h"

#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "uclif/csvio.h"
#include "uclif/results.h"

#define SHARD_MAGIC "uclif-shard 1"

struct ucl_shard {
  FILE *f;
  char *path;
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
  ucl_shard *sh = calloc(1, sizeof(*sh));
  if (!sh || !(sh->path = shard_path(shard_dir, run, rank))) {
    free(sh);
    return ucl_diag_set(diag, UCL_ERR_NOMEM, "out of memory");
  }
  sh->f = fopen(sh->path, "wbx"); /* never overwrite a shard */
  if (!sh->f) {
    ucl_status st =
        ucl_diag_set(diag, UCL_ERR_IO, "%s: cannot create: %s", sh->path, strerror(errno));
    free(sh->path);
    free(sh);
    return st;
  }
  int bad = fprintf(sh->f, "%s %016" PRIx64 " %ld\n", SHARD_MAGIC, hash, points) < 0;
  if (!bad && layout) {
    bad = fprintf(sh->f, "H%s\nK%s,%s\n", layout->points_header, layout->curves_file,
                  layout->curves_header) < 0;
  }
  if (bad || fflush(sh->f) != 0) {
    fclose(sh->f);
    ucl_status st = ucl_diag_set(diag, UCL_ERR_IO, "%s: write failed", sh->path);
    free(sh->path);
    free(sh);
    return st;
  }
  *out = sh;
  return UCL_OK;
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
  /* the block: P row, C rows, E line; one write, one flush */
  size_t n_lines = 0;
  for (size_t i = 0; i < clen; i++) {
    n_lines += crows[i] == '\n';
  }
  size_t cap = plen + clen + 64 + 2 * (n_lines + 1), k = 0;
  char *block = malloc(cap);
  ucl_status st = UCL_OK;
  if (!block) {
    return ucl_diag_set(diag, UCL_ERR_NOMEM, "out of memory");
  }
  block[k++] = 'P';
  memcpy(block + k, prow, plen);
  k += plen;
  for (size_t i = 0; i < clen;) {
    const char *nl = memchr(crows + i, '\n', clen - i);
    size_t len = nl ? (size_t)(nl - (crows + i)) + 1 : clen - i;
    block[k++] = 'C';
    memcpy(block + k, crows + i, len);
    k += len;
    i += len;
  }
  k += (size_t)snprintf(block + k, cap - k, "E %ld\n", id);
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
  free(sh);
  *shp = NULL;
  return st;
}

/* ---- reading ---- */

typedef struct reader {
  FILE *f;
  char *path;
  int run;
  long line_no;
  char *line;
  size_t line_cap;
  /* the current complete block */
  long id;
  char *p; /* its P row (without the tag) */
  size_t p_len, p_cap;
  char *c; /* its C rows, concatenated (without tags) */
  size_t c_len, c_cap;
  int has;     /* a block is held */
  int no_head; /* the first line was not complete: a shard with no points (yet) */
  char *hdr_p; /* layout lines (H, K), or NULL for the single-neuron layout */
  char *hdr_c; /* "FILE,HEADER" */
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

/* Read the next complete block into rd (rd->has = 0 at the end or after a cut-short block). */
static ucl_status next_block(reader *rd, ucl_diag *diag) {
  rd->has = 0;
  rd->p_len = rd->c_len = 0;
  if (rd->no_head) {
    return UCL_OK; /* read no further: its writer may be completing the first line now */
  }
  long id = -1;
  for (;;) {
    ssize_t n = getline(&rd->line, &rd->line_cap, rd->f);
    if (n < 0) {
      return UCL_OK; /* end (a block without its E line is a cut-short write) */
    }
    rd->line_no++;
    if (rd->line[n - 1] != '\n') {
      return UCL_OK; /* the last line was cut short */
    }
    char tag = rd->line[0];
    if (tag == 'P' && id < 0) {
      char *end = NULL;
      id = strtol(rd->line + 1, &end, 10);
      if (end == rd->line + 1 || *end != ',' || id < 0) {
        break;
      }
      if (append(&rd->p, &rd->p_len, &rd->p_cap, rd->line + 1, (size_t)n - 1) != 0) {
        return ucl_diag_set(diag, UCL_ERR_NOMEM, "out of memory");
      }
    } else if (tag == 'C' && id >= 0) {
      if (append(&rd->c, &rd->c_len, &rd->c_cap, rd->line + 1, (size_t)n - 1) != 0) {
        return ucl_diag_set(diag, UCL_ERR_NOMEM, "out of memory");
      }
    } else if (tag == 'E' && id >= 0) {
      char *end = NULL;
      long eid = strtol(rd->line + 1, &end, 10);
      if (eid != id || *end != '\n') {
        break;
      }
      rd->id = id;
      rd->has = 1;
      return UCL_OK;
    } else {
      break;
    }
  }
  return ucl_diag_set(diag, UCL_ERR_PARSE, "%s:%ld: not a shard line", rd->path, rd->line_no);
}

static void reader_close(reader *rd) {
  if (rd->f) {
    fclose(rd->f);
  }
  free(rd->path);
  free(rd->line);
  free(rd->p);
  free(rd->c);
  free(rd->hdr_p);
  free(rd->hdr_c);
  memset(rd, 0, sizeof(*rd));
}

/* Open a shard and check its header against (hash, points) (0: take the shard's). */
static ucl_status reader_open(reader *rd, const char *path, int run, uint64_t *hash, long *points,
                              ucl_diag *diag) {
  memset(rd, 0, sizeof(*rd));
  rd->path = strdup(path);
  rd->run = run;
  rd->f = fopen(path, "rb");
  if (!rd->path || !rd->f) {
    ucl_status st = ucl_diag_set(diag, UCL_ERR_INPUT, "%s: cannot open: %s", path, strerror(errno));
    reader_close(rd);
    return st;
  }
  uint64_t h = 0;
  long pts = -1;
  ssize_t n = getline(&rd->line, &rd->line_cap, rd->f);
  rd->line_no = 1;
  size_t ml = strlen(SHARD_MAGIC);
  /* A shard being created right now by another run (a job array's task), or cut off by a kill
   * before its first line was complete: no points yet, nothing to check. */
  if (n <= 0 || (rd->line[n - 1] != '\n' &&
                 strncmp(rd->line, SHARD_MAGIC, (size_t)n < ml ? (size_t)n : ml) == 0)) {
    rd->no_head = 1;
    return UCL_OK;
  }
  if (n > (ssize_t)ml && strncmp(rd->line, SHARD_MAGIC " ", ml + 1) == 0) {
    char *end = NULL;
    errno = 0;
    h = (uint64_t)strtoull(rd->line + ml + 1, &end, 16);
    if (errno == 0 && end && *end == ' ') {
      pts = strtol(end + 1, &end, 10);
      if (!end || *end != '\n') {
        pts = -1;
      }
    }
  }
  if (pts < 0) {
    reader_close(rd);
    return ucl_diag_set(diag, UCL_ERR_PARSE, "%s: not a uclif shard", path);
  }
  if ((*hash && h != *hash) || (*points && pts != *points)) {
    reader_close(rd);
    return ucl_diag_set(diag, UCL_ERR_PARSE,
                        "%s: written for another spec (hash %016" PRIx64 ", %ld points; this "
                        "spec: %016" PRIx64 ", %ld points)",
                        path, h, pts, *hash, *points);
  }
  *hash = h;
  *points = pts;
  /* the layout lines of a shard that is not in the single-neuron layout */
  for (;;) {
    long pos = ftell(rd->f);
    n = getline(&rd->line, &rd->line_cap, rd->f);
    if (n <= 0 || (rd->line[0] != 'H' && rd->line[0] != 'K')) {
      if (pos < 0 || fseek(rd->f, pos, SEEK_SET) != 0) {
        reader_close(rd);
        return ucl_diag_set(diag, UCL_ERR_INPUT, "%s: cannot seek", path);
      }
      break;
    }
    if (rd->line[n - 1] != '\n') {
      rd->no_head = 1; /* being written: no points yet */
      break;
    }
    rd->line_no++;
    rd->line[n - 1] = '\0';
    char **dst = rd->line[0] == 'H' ? &rd->hdr_p : &rd->hdr_c;
    free(*dst);
    *dst = strdup(rd->line + 1);
    if (!*dst) {
      reader_close(rd);
      return ucl_diag_set(diag, UCL_ERR_NOMEM, "out of memory");
    }
  }
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

/* Shard files of DIR/shards, as (run, rank) pairs and paths. */
typedef struct shard_list {
  char **paths;
  int *runs;
  int n;
} shard_list;

static void list_free(shard_list *l) {
  for (int i = 0; i < l->n; i++) {
    free(l->paths[i]);
  }
  free(l->paths);
  free(l->runs);
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
    if (end == rk || strcmp(end, ".txt") != 0 || rank < 0) {
      continue;
    }
    char **np = realloc(l->paths, (size_t)(l->n + 1) * sizeof(*np));
    if (np) {
      l->paths = np;
    }
    int *nr = np ? realloc(l->runs, (size_t)(l->n + 1) * sizeof(*nr)) : NULL;
    size_t pl = strlen(sd) + strlen(nm) + 2;
    char *path = nr ? malloc(pl) : NULL;
    if (!path) {
      if (nr) {
        l->runs = nr;
      }
      st = ucl_diag_set(diag, UCL_ERR_NOMEM, "out of memory");
      break;
    }
    l->runs = nr;
    snprintf(path, pl, "%s/%s", sd, nm);
    l->paths[l->n] = path;
    l->runs[l->n] = (int)run;
    l->n++;
  }
  closedir(d);
  return st;
}

/* The shards of one shard directory. */
static ucl_status list_shards(const char *shard_dir, shard_list *l, ucl_diag *diag) {
  memset(l, 0, sizeof(*l));
  ucl_status st = list_shards_in(shard_dir, l, diag);
  if (st != UCL_OK) {
    list_free(l);
  }
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

/* The shards of an output directory: DIR/shards and those of its slice-* subdirectories that
 * may hold points of [first, last) (all of them when points = 0). */
static ucl_status list_all_shards(const char *dir, long points, long first, long last,
                                  shard_list *l, ucl_diag *diag) {
  memset(l, 0, sizeof(*l));
  size_t n = strlen(dir) + 300;
  char *sd = malloc(n);
  if (!sd) {
    return ucl_diag_set(diag, UCL_ERR_NOMEM, "out of memory");
  }
  snprintf(sd, n, "%s/shards", dir);
  ucl_status st = list_shards_in(sd, l, diag);
  DIR *d = st == UCL_OK ? opendir(sd) : NULL;
  if (d) {
    struct dirent *e;
    while (st == UCL_OK && (e = readdir(d)) != NULL) {
      if (strncmp(e->d_name, "slice-", 6) == 0 && strlen(e->d_name) < 200 &&
          may_hold(e->d_name, points, first, last)) {
        char *sub = malloc(n);
        if (!sub) {
          st = ucl_diag_set(diag, UCL_ERR_NOMEM, "out of memory");
          break;
        }
        snprintf(sub, n, "%s/shards/%s", dir, e->d_name);
        st = list_shards_in(sub, l, diag);
        free(sub);
      }
    }
    closedir(d);
  }
  free(sd);
  if (st != UCL_OK) {
    list_free(l);
  }
  return st;
}

/* Read every block of the shards in 'l': mark done[id] (when 'done'), count newly marked points,
 * and find the next run number. */
static ucl_status scan_list(const shard_list *l, uint64_t hash, long points, unsigned char *done,
                            int *next_run, long *n_done, ucl_diag *diag) {
  ucl_status st = UCL_OK;
  int nr = 0;
  long count = 0;
  for (int i = 0; i < l->n && st == UCL_OK; i++) {
    reader rd;
    uint64_t h = hash;
    long pts = points;
    st = reader_open(&rd, l->paths[i], l->runs[i], &h, &pts, diag);
    while (st == UCL_OK) {
      st = next_block(&rd, diag);
      if (st != UCL_OK || !rd.has) {
        break;
      }
      if (rd.id >= points) {
        st = ucl_diag_set(diag, UCL_ERR_PARSE, "%s: point %ld beyond the spec's %ld", rd.path,
                          rd.id, points);
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
  }
  return st;
}

ucl_status ucl_store_scan(const char *shard_dir, uint64_t hash, long points, unsigned char *done,
                          int *next_run, long *n_done, ucl_diag *diag) {
  shard_list l;
  ucl_status st = list_shards(shard_dir, &l, diag);
  if (st == UCL_OK) {
    st = scan_list(&l, hash, points, done, next_run, n_done, diag);
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
                              unsigned char *done, long *n_done, ucl_diag *diag) {
  shard_list l;
  int nr = 0;
  ucl_status st = list_all_shards(dir, points, first, last, &l, diag);
  if (st == UCL_OK) {
    st = scan_list(&l, hash, points, done, &nr, n_done, diag);
    list_free(&l);
  }
  return st;
}

/* ---- merge: a binary heap of readers keyed by their block's id ---- */

static void heap_down(reader **h, int n, int i) {
  for (;;) {
    int m = i, a = 2 * i + 1, b = a + 1;
    if (a < n && h[a]->id < h[m]->id) {
      m = a;
    }
    if (b < n && h[b]->id < h[m]->id) {
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

ucl_status ucl_store_merge(const char *dir, uint64_t hash, long points, ucl_merge_stats *stats,
                           ucl_diag *diag) {
  ucl_merge_stats ms;
  memset(&ms, 0, sizeof(ms));
  ms.first_missing = -1;
  snprintf(ms.second_file, sizeof(ms.second_file), "rate_curves.csv");
  shard_list l;
  ucl_status st = list_all_shards(dir, 0, 0, 0, &l, diag);
  if (st != UCL_OK) {
    return st;
  }
  if (l.n == 0) { /* nothing to merge: write nothing */
    list_free(&l);
    return ucl_diag_set(diag, UCL_ERR_PARSE, "%s/shards holds no shards (not a sweep's output?)",
                        dir);
  }
  reader *rds = calloc((size_t)l.n, sizeof(*rds));
  reader **heap = calloc((size_t)l.n, sizeof(*heap));
  ucl_csv_writer *wp = NULL, *wc = NULL;
  char **pnames = NULL, **cnames = NULL;
  int npn = 0, ncn = 0;
  char cname[64];
  char *pp = NULL, *cp = NULL;
  int nh = 0;
  if (!rds || !heap) {
    st = ucl_diag_set(diag, UCL_ERR_NOMEM, "out of memory");
    goto cleanup;
  }
  for (int i = 0; i < l.n && st == UCL_OK; i++) {
    st = reader_open(&rds[i], l.paths[i], l.runs[i], &hash, &points, diag);
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
  size_t dl = strlen(dir) + 96;
  pp = malloc(dl);
  cp = malloc(dl);
  if (!pp || !cp) {
    st = ucl_diag_set(diag, UCL_ERR_NOMEM, "out of memory");
    goto cleanup;
  }
  /* the layout: the single-neuron one, or the one the shards name (all must agree) */
  const reader *lay = NULL;
  for (int i = 0; i < l.n; i++) {
    if (rds[i].no_head) {
      continue;
    }
    if (!lay) {
      lay = &rds[i];
    } else if ((lay->hdr_p == NULL) != (rds[i].hdr_p == NULL) ||
               (lay->hdr_p && (strcmp(lay->hdr_p, rds[i].hdr_p) != 0 || !rds[i].hdr_c ||
                               !lay->hdr_c || strcmp(lay->hdr_c, rds[i].hdr_c) != 0))) {
      st = ucl_diag_set(diag, UCL_ERR_PARSE, "%s and %s hold different columns", lay->path,
                        rds[i].path);
      goto cleanup;
    }
  }
  const char *cfile = "rate_curves.csv";
  int npc, ncc;
  const char *const *pcols = ucl_results_point_columns(&npc);
  const char *const *ccols = ucl_results_curve_columns(&ncc);
  if (lay && lay->hdr_p) {
    const char *comma = lay->hdr_c ? strchr(lay->hdr_c, ',') : NULL;
    if (!comma || comma == lay->hdr_c || (size_t)(comma - lay->hdr_c) >= 64 ||
        strcspn(lay->hdr_c, "/") < (size_t)(comma - lay->hdr_c)) {
      st = ucl_diag_set(diag, UCL_ERR_PARSE, "%s: bad layout line", lay->path);
      goto cleanup;
    }
    snprintf(cname, sizeof(cname), "%.*s", (int)(comma - lay->hdr_c), lay->hdr_c);
    cfile = cname;
    snprintf(ms.second_file, sizeof(ms.second_file), "%s", cname);
    pnames = split_header(lay->hdr_p, &npn);
    cnames = split_header(comma + 1, &ncn);
    if (!pnames || !cnames) {
      st = ucl_diag_set(diag, UCL_ERR_NOMEM, "out of memory");
      goto cleanup;
    }
    pcols = (const char *const *)pnames;
    npc = npn;
    ccols = (const char *const *)cnames;
    ncc = ncn;
  }
  snprintf(pp, dl, "%s/points.csv", dir);
  snprintf(cp, dl, "%s/%s", dir, cfile);
  st = ucl_csv_open(pp, pcols, npc, &wp, diag);
  if (st == UCL_OK) {
    st = ucl_csv_open(cp, ccols, ncc, &wc, diag);
  }
  long expect = 0;
  while (st == UCL_OK && nh > 0) {
    reader *top = heap[0];
    long id = top->id;
    if (id < expect) {
      st = ucl_diag_set(diag, UCL_ERR_PARSE, "%s: point %ld is complete in more than one shard",
                        top->path, id);
      break;
    }
    if (id >= points && points > 0) {
      st = ucl_diag_set(diag, UCL_ERR_PARSE, "%s: point %ld beyond the spec's %ld", top->path, id,
                        points);
      break;
    }
    if (id > expect) {
      if (ms.first_missing < 0) {
        ms.first_missing = expect;
      }
      ms.missing += id - expect;
    }
    if (ucl_csv_raw(wp, top->p, top->p_len) != UCL_OK ||
        ucl_csv_raw(wc, top->c, top->c_len) != UCL_OK) {
      st = ucl_diag_set(diag, UCL_ERR_IO, "%s: write failed", dir);
      break;
    }
    for (size_t i = 0; i < top->c_len; i++) {
      ms.curve_rows += top->c[i] == '\n';
    }
    ms.merged++;
    expect = id + 1;
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
  if (st == UCL_OK) {
    st = ucl_csv_commit(&wp, diag);
  }
  if (st == UCL_OK) {
    st = ucl_csv_commit(&wc, diag);
  }
cleanup:
  ucl_csv_abort(&wp);
  ucl_csv_abort(&wc);
  for (int i = 0; rds && i < l.n; i++) {
    reader_close(&rds[i]);
  }
  free(rds);
  free(heap);
  free(pp);
  free(cp);
  free_names(pnames, npn);
  free_names(cnames, ncn);
  ms.points = points;
  ms.shards = l.n;
  list_free(&l);
  if (stats) {
    *stats = ms;
  }
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
  static const char *const designs[] = {"grid", "lhs", "random"};
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
    if (strcmp(ms->second_file, "rate_curves.csv") == 0) {
      fprintf(f, "rate_curve_rows = %ld\n", ms->curve_rows);
    } else {
      fprintf(f, "neuron_rows = %ld\n", ms->curve_rows);
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
