/* test_store.c — shards and the merge: blocks written point by point, a block cut short by a
 * kill ignored, the scan of finished points (one shard directory, or all of an output
 * directory's), shards without a complete first line, a k-way merge sorted by point, missing and
 * duplicated points, shards of another spec refused. */
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "testutil.h"
#include "uclif/store.h"

static char dir[64];

static int setup(void **state) {
  (void)state;
  snprintf(dir, sizeof(dir), "%s", "/tmp/ucl_store_XXXXXX");
  if (!mkdtemp(dir)) {
    return -1;
  }
  char sd[96];
  snprintf(sd, sizeof(sd), "%s/shards", dir);
  return mkdir(sd, 0777);
}

static int teardown(void **state) {
  (void)state;
  char cmd[128];
  snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
  return system(cmd) == 0 ? 0 : -1;
}

/* A result whose numbers identify the point. */
static void fake(long id, ucl_char_result *r, ucl_rate_point *curve) {
  memset(r, 0, sizeof(*r));
  r->status = UCL_OK;
  r->threshold.value = 1.0 + (double)id;
  r->curve = curve;
  r->n_curve = 2;
  for (int k = 0; k < 2; k++) {
    memset(&curve[k], 0, sizeof(curve[k]));
    curve[k].amplitude = (double)(10 * id + k);
  }
}

static void add(ucl_shard *sh, long id) {
  ucl_params p;
  ucl_params_default(&p);
  ucl_char_result r;
  ucl_rate_point c[2];
  fake(id, &r, c);
  ucl_diag d;
  assert_int_equal(ucl_shard_append(sh, id, &p, &r, &d), UCL_OK);
}

static long count_lines(const char *name) {
  char path[128];
  snprintf(path, sizeof(path), "%s/%s", dir, name);
  FILE *f = fopen(path, "r");
  assert_non_null(f);
  long n = 0;
  int ch;
  while ((ch = fgetc(f)) != EOF) {
    n += ch == '\n';
  }
  fclose(f);
  return n;
}

static void test_shards_scan_and_merge(void **state) {
  (void)state;
  const uint64_t hash = 0x1234;
  ucl_shard *a = NULL, *b = NULL;
  ucl_diag d = {{0}};
  char sd[96];
  snprintf(sd, sizeof(sd), "%s/shards", dir);
  assert_int_equal(ucl_shard_create(sd, 0, 0, hash, 6, &a, &d), UCL_OK);
  assert_int_equal(ucl_shard_create(sd, 0, 1, hash, 6, &b, &d), UCL_OK);
  assert_int_equal(ucl_shard_create(sd, 0, 1, hash, 6, &b, &d), UCL_ERR_IO); /* never overwrite */
  add(a, 0);
  add(b, 1);
  add(a, 2);
  add(b, 4);
  assert_int_equal(ucl_shard_close(&a, &d), UCL_OK);
  /* a block cut short by a kill: no E line */
  char path[128];
  snprintf(path, sizeof(path), "%s/shards/run-0-rank-1.txt", dir);
  assert_int_equal(ucl_shard_close(&b, &d), UCL_OK);
  FILE *f = fopen(path, "a");
  fputs("P5,\"ok\",\"\",1,2\nC5,3", f);
  fclose(f);

  unsigned char done[6] = {0};
  int run = -1;
  long n = -1;
  assert_int_equal(ucl_store_scan(sd, hash, 6, done, &run, &n, &d), UCL_OK);
  assert_int_equal(run, 1);
  assert_int_equal(n, 4);
  assert_true(done[0] && done[1] && done[2] && !done[3] && done[4] && !done[5]);
  /* another spec's hash is refused */
  assert_int_equal(ucl_store_scan(sd, 0x9999, 6, done, &run, &n, &d), UCL_ERR_PARSE);
  assert_non_null(strstr(d.msg, "another spec"));

  ucl_merge_stats ms;
  assert_int_equal(ucl_store_merge(dir, hash, 6, 0, &ms, &d), UCL_OK);
  assert_int_equal(ms.merged, 4);
  assert_int_equal(ms.missing, 2);
  assert_int_equal(ms.first_missing, 3);
  assert_int_equal(ms.n_files, 2);
  assert_string_equal(ms.file[1], "rate_curves.csv");
  assert_int_equal(ms.rows[0], 4);
  assert_int_equal(ms.rows[1], 8);
  assert_int_equal(ms.shards, 2);
  assert_int_equal(count_lines("points.csv"), 5);
  assert_int_equal(count_lines("rate_curves.csv"), 9);

  /* a second run, in a slice directory, computes the rest; the merge is complete and sorted */
  ucl_shard *c = NULL;
  char slice[128];
  snprintf(slice, sizeof(slice), "%s/shards/slice-1", dir);
  assert_int_equal(mkdir(slice, 0777), 0);
  assert_int_equal(ucl_shard_create(slice, 0, 0, hash, 6, &c, &d), UCL_OK);
  add(c, 3);
  add(c, 5);
  assert_int_equal(ucl_shard_close(&c, &d), UCL_OK);
  assert_int_equal(ucl_store_merge(dir, 0, 0, 0, &ms, &d), UCL_OK); /* hash, points from shards */
  assert_int_equal(ms.merged, 6);
  assert_int_equal(ms.missing, 0);
  assert_int_equal(ms.points, 6);
  char pp[128];
  snprintf(pp, sizeof(pp), "%s/points.csv", dir);
  f = fopen(pp, "r");
  char line[4096];
  assert_non_null(fgets(line, sizeof(line), f)); /* header */
  for (long id = 0; id < 6; id++) {
    assert_non_null(fgets(line, sizeof(line), f));
    assert_int_equal(strtol(line, NULL, 10), id);
  }
  fclose(f);

  /* the whole output directory: points done at the top level and in any slice */
  unsigned char all[6] = {0};
  assert_int_equal(ucl_store_scan_all(dir, hash, 6, 0, 6, all, &n, NULL, &d), UCL_OK);
  assert_int_equal(n, 6);
  assert_int_equal(ucl_store_scan(sd, hash, 6, NULL, &run, &n, &d), UCL_OK);
  assert_int_equal(run, 1); /* the top level's runs only */

  /* a task of a job array reads only the slice directories that can hold its points: a
   * slice-0-of-2 directory (points 0-2 of 6) is not read for points 3-5 */
  char other[160], junk[200];
  snprintf(other, sizeof(other), "%s/shards/slice-0-of-2", dir);
  assert_int_equal(mkdir(other, 0777), 0);
  snprintf(junk, sizeof(junk), "%s/run-0-rank-0.txt", other);
  f = fopen(junk, "w");
  fputs("not read unless the range overlaps\n", f);
  fclose(f);
  ucl_store_health h;
  assert_int_equal(ucl_store_scan_all(dir, hash, 6, 3, 6, all, &n, &h, &d), UCL_OK);
  assert_int_equal(h.damaged_shards, 0); /* not read */
  assert_int_equal(ucl_store_scan_all(dir, hash, 6, 2, 6, all, &n, &h, &d), UCL_OK);
  assert_int_equal(h.damaged_shards, 1); /* read: not a shard's head */
  assert_int_equal(ucl_store_scan_all(dir, hash, 6, 0, 6, all, &n, &h, &d), UCL_OK);
  assert_int_equal(h.damaged_shards, 1);
  unlink(junk);
  rmdir(other);
  long s_first = -1, s_last = -1;
  ucl_slice_range(6, 1, 4, &s_first, &s_last);
  assert_int_equal(s_first, 1);
  assert_int_equal(s_last, 3);

  /* shards that another task is creating right now (or a kill cut off before their first line
   * was complete) hold no points and are no error, for the scan and for the merge */
  char p1[160], p2[160];
  snprintf(p1, sizeof(p1), "%s/run-1-rank-0.txt", slice);
  snprintf(p2, sizeof(p2), "%s/run-1-rank-1.txt", slice);
  f = fopen(p1, "w");
  fclose(f);
  f = fopen(p2, "w");
  fputs("uclif-sh", f);
  fclose(f);
  memset(all, 0, sizeof(all));
  assert_int_equal(ucl_store_scan_all(dir, hash, 6, 0, 6, all, &n, NULL, &d), UCL_OK);
  assert_int_equal(n, 6);
  assert_int_equal(ucl_store_scan(slice, hash, 6, NULL, &run, &n, &d), UCL_OK);
  assert_int_equal(run, 2);
  run = -1;
  assert_int_equal(ucl_store_next_run(slice, &run, &d), UCL_OK);
  assert_int_equal(run, 2);
  assert_int_equal(ucl_store_merge(dir, hash, 6, 0, &ms, &d), UCL_OK);
  assert_int_equal(ms.merged, 6);
  assert_int_equal(ms.shards, 5);
  unlink(p1);
  unlink(p2);

  /* the same point complete twice with the same bytes (two runs overlapping) is counted */
  assert_int_equal(ucl_shard_create(sd, 2, 0, hash, 6, &c, &d), UCL_OK);
  add(c, 2);
  assert_int_equal(ucl_shard_close(&c, &d), UCL_OK);
  assert_int_equal(ucl_store_merge(dir, hash, 6, 0, &ms, &d), UCL_OK);
  assert_int_equal(ms.merged, 6);
  assert_int_equal(ms.health.duplicates, 1);
}

static void test_not_a_shard(void **state) {
  (void)state;
  char path[128];
  snprintf(path, sizeof(path), "%s/shards/run-9-rank-0.txt", dir);
  FILE *f = fopen(path, "w");
  fputs("hello\n", f);
  fclose(f);
  ucl_merge_stats ms;
  ucl_diag d;
  /* a file named like a shard whose first line is not a shard's: damaged, named, not merged */
  assert_int_equal(ucl_store_merge(dir, 0, 0, 0, &ms, &d), UCL_OK);
  assert_int_equal(ms.health.damaged_shards, 1);
  assert_non_null(strstr(ms.health.notes[0], "run-9-rank-0.txt:1: the shard's first line"));
  /* a shard of the old format is refused by name */
  f = fopen(path, "w");
  fputs("uclif-shard 1 0000000000001234 6\n", f);
  fclose(f);
  assert_int_equal(ucl_store_merge(dir, 0, 0, 0, &ms, &d), UCL_ERR_PARSE);
  assert_non_null(strstr(d.msg, "shard format 1"));
  unlink(path);
}

static char *read_all(const char *name) {
  char path[128];
  snprintf(path, sizeof(path), "%s/%s", dir, name);
  FILE *f = fopen(path, "rb");
  assert_non_null(f);
  static char buf[4096];
  size_t n = fread(buf, 1, sizeof(buf) - 1, f);
  buf[n] = '\0';
  fclose(f);
  return buf;
}

/* Shards in a layout of their own (network sweeps): the merge takes the columns and the second
 * file's name from them; shards of different layouts are refused. */
static void test_layout_merge(void **state) {
  (void)state;
  char sd[128];
  snprintf(sd, sizeof(sd), "%s/shards", dir);
  ucl_store_layout lay = {
      2, {"points.csv", "neurons.csv"}, {"\"point\",\"x\"", "\"point\",\"neuron\""}};
  ucl_shard *a = NULL, *b = NULL;
  ucl_diag d;
  assert_int_equal(ucl_shard_create_layout(sd, 20, 0, 7, 3, &lay, &a, &d), UCL_OK);
  assert_int_equal(ucl_shard_create_layout(sd, 20, 1, 7, 3, &lay, &b, &d), UCL_OK);
  const char *rows[][2] = {
      {"0,1.5\r\n", "0,\"N1\"\r\n0,\"N2\"\r\n"}, {"1,2.5\r\n", "1,\"N1\"\r\n"}, {"2,3.5\r\n", ""}};
  for (long i = 0; i < 3; i++) {
    assert_int_equal(ucl_shard_append_rows(i == 1 ? b : a, i, rows[i][0], strlen(rows[i][0]),
                                           rows[i][1], strlen(rows[i][1]), &d),
                     UCL_OK);
  }
  assert_int_equal(ucl_shard_close(&a, &d), UCL_OK);
  assert_int_equal(ucl_shard_close(&b, &d), UCL_OK);
  unsigned char done[3] = {0, 0, 0};
  long n_done = 0;
  int next = 0;
  if (ucl_store_scan(sd, 7, 3, done, &next, &n_done, &d) != UCL_OK) {
    fail_msg("%s", d.msg);
  }
  assert_int_equal(n_done, 3);
  ucl_merge_stats ms;
  if (ucl_store_merge(dir, 7, 3, 0, &ms, &d) != UCL_OK) {
    fail_msg("%s", d.msg);
  }
  assert_int_equal(ms.merged, 3);
  assert_int_equal(ms.rows[1], 3);
  assert_int_equal(ms.n_files, 2);
  assert_string_equal(ms.file[1], "neurons.csv");
  assert_string_equal(read_all("points.csv"), "\"point\",\"x\"\r\n0,1.5\r\n1,2.5\r\n2,3.5\r\n");
  assert_string_equal(read_all("neurons.csv"),
                      "\"point\",\"neuron\"\r\n0,\"N1\"\r\n0,\"N2\"\r\n1,\"N1\"\r\n");
  /* a shard of another layout in the same directory */
  ucl_store_layout other = {
      2, {"points.csv", "neurons.csv"}, {"\"point\",\"y\"", "\"point\",\"neuron\""}};
  assert_int_equal(ucl_shard_create_layout(sd, 21, 0, 7, 3, &other, &a, &d), UCL_OK);
  assert_int_equal(ucl_shard_close(&a, &d), UCL_OK);
  assert_int_equal(ucl_store_merge(dir, 7, 3, 0, &ms, &d), UCL_ERR_PARSE);
  assert_non_null(strstr(d.msg, "hold different columns"));
  /* and one of the same columns and one file more */
  char other_path[256];
  snprintf(other_path, sizeof(other_path), "%s/run-21-rank-0.txt", sd);
  assert_int_equal(unlink(other_path), 0);
  ucl_store_layout more = {3,
                           {"points.csv", "neurons.csv", "probability.csv"},
                           {"\"point\",\"x\"", "\"point\",\"neuron\"", "\"point\",\"p\""}};
  assert_int_equal(ucl_shard_create_layout(sd, 22, 0, 7, 3, &more, &a, &d), UCL_OK);
  assert_int_equal(ucl_shard_close(&a, &d), UCL_OK);
  assert_int_equal(ucl_store_merge(dir, 7, 3, 0, &ms, &d), UCL_ERR_PARSE);
  assert_non_null(strstr(d.msg, "hold different columns"));
  char cmd[256];
  snprintf(cmd, sizeof(cmd), "rm -f %s/shards/* %s/points.csv %s/neurons.csv", dir, dir, dir);
  assert_int_equal(system(cmd), 0);
}

/* A layout of three files (a single neuron with trials: + probability.csv): each block's rows
 * of every file land in their own file, in point order; the manifest counts each file's rows; a
 * copy of a point that differs only in its third file is a conflict, the same bytes a duplicate;
 * a layout of more files than the store has is refused. */
static void test_layout_three_files(void **state) {
  (void)state;
  char sd[128];
  snprintf(sd, sizeof(sd), "%s/shards", dir);
  ucl_store_layout lay = {3,
                          {"points.csv", "rate_curves.csv", "probability.csv"},
                          {"\"point\",\"x\"", "\"point\",\"a\"", "\"point\",\"p\""}};
  ucl_shard *a = NULL, *b = NULL;
  ucl_diag d;
  assert_int_equal(ucl_shard_create_layout(sd, 30, 0, 7, 3, &lay, &a, &d), UCL_OK);
  assert_int_equal(ucl_shard_create_layout(sd, 30, 1, 7, 3, &lay, &b, &d), UCL_OK);
  static const char *const rows[3][3] = {{"0,1\r\n", "0,5\r\n", "0,0.25\r\n0,0.5\r\n"},
                                         {"1,2\r\n", "", "1,0.75\r\n"},
                                         {"2,3\r\n", "2,6\r\n2,7\r\n", ""}};
  for (long i = 0; i < 3; i++) {
    ucl_store_rows r[3];
    for (int k = 0; k < 3; k++) {
      r[k] = (ucl_store_rows){rows[i][k], strlen(rows[i][k])};
    }
    assert_int_equal(ucl_shard_append_files(i == 1 ? b : a, i, r, 3, &d), UCL_OK);
  }
  assert_int_equal(ucl_shard_close(&b, &d), UCL_OK);
  /* point 1 again in a shard of a later run, the same bytes: a duplicate */
  ucl_store_rows r1[3] = {
      {rows[1][0], strlen(rows[1][0])}, {"", 0}, {rows[1][2], strlen(rows[1][2])}};
  assert_int_equal(ucl_shard_create_layout(sd, 31, 0, 7, 3, &lay, &b, &d), UCL_OK);
  assert_int_equal(ucl_shard_append_files(b, 1, r1, 3, &d), UCL_OK);
  assert_int_equal(ucl_shard_close(&b, &d), UCL_OK);
  assert_int_equal(ucl_shard_close(&a, &d), UCL_OK);
  ucl_merge_stats ms;
  if (ucl_store_merge(dir, 7, 3, 0, &ms, &d) != UCL_OK) {
    fail_msg("%s", d.msg);
  }
  assert_int_equal(ms.merged, 3);
  assert_int_equal(ms.health.duplicates, 1);
  assert_int_equal(ms.n_files, 3);
  assert_string_equal(ms.file[2], "probability.csv");
  assert_int_equal(ms.rows[1], 3);
  assert_int_equal(ms.rows[2], 3);
  assert_string_equal(read_all("points.csv"), "\"point\",\"x\"\r\n0,1\r\n1,2\r\n2,3\r\n");
  assert_string_equal(read_all("rate_curves.csv"), "\"point\",\"a\"\r\n0,5\r\n2,6\r\n2,7\r\n");
  assert_string_equal(read_all("probability.csv"),
                      "\"point\",\"p\"\r\n0,0.25\r\n0,0.5\r\n1,0.75\r\n");
  /* a copy of point 1 that differs in its probability.csv row only: refused */
  ucl_store_rows r2[3] = {{rows[1][0], strlen(rows[1][0])}, {"", 0}, {"1,0.8\r\n", 7}};
  assert_int_equal(ucl_shard_create_layout(sd, 32, 0, 7, 3, &lay, &b, &d), UCL_OK);
  assert_int_equal(ucl_shard_append_files(b, 1, r2, 3, &d), UCL_OK);
  assert_int_equal(ucl_shard_close(&b, &d), UCL_OK);
  assert_int_equal(ucl_store_merge(dir, 7, 3, 0, &ms, &d), UCL_ERR_PARSE);
  assert_non_null(strstr(d.msg, "point 1 is complete twice with different rows"));
  /* too many files */
  ucl_store_layout big = lay;
  big.n_files = UCL_STORE_MAX_FILES + 1;
  assert_int_equal(ucl_shard_create_layout(sd, 33, 0, 7, 3, &big, &b, &d), UCL_ERR_INVAL);
  char cmd[512];
  snprintf(cmd, sizeof(cmd),
           "rm -f %s/shards/* %s/points.csv %s/rate_curves.csv %s/probability.csv", dir, dir, dir,
           dir);
  assert_int_equal(system(cmd), 0);
}

/* ---- damage: every kind is found with its place, never merged, and mended ---- */

static const ucl_store_layout small = {
    2, {"points.csv", "neurons.csv"}, {"\"point\",\"x\"", "\"point\",\"n\""}};

/* Point i's rows: "i,<10 i>" and two second-file rows. */
static void small_block(ucl_shard *sh, long i) {
  char p[64], c[64];
  snprintf(p, sizeof(p), "%ld,%ld\r\n", i, 10 * i);
  snprintf(c, sizeof(c), "%ld,\"a\"\r\n%ld,\"b\"\r\n", i, i);
  ucl_diag d;
  assert_int_equal(ucl_shard_append_rows(sh, i, p, strlen(p), c, strlen(c), &d), UCL_OK);
}

static void small_shard(int run, const long *ids, int n) {
  char sd[128];
  snprintf(sd, sizeof(sd), "%s/shards", dir);
  ucl_shard *sh = NULL;
  ucl_diag d;
  assert_int_equal(ucl_shard_create_layout(sd, run, 0, 7, 5, &small, &sh, &d), UCL_OK);
  for (int k = 0; k < n; k++) {
    small_block(sh, ids[k]);
  }
  assert_int_equal(ucl_shard_close(&sh, &d), UCL_OK);
}

static char *slurp(const char *path) {
  FILE *f = fopen(path, "rb");
  assert_non_null(f);
  char *buf = calloc(1, 65536);
  size_t n = fread(buf, 1, 65535, f);
  buf[n] = '\0';
  fclose(f);
  return buf;
}

static void spit(const char *path, const char *text) {
  FILE *f = fopen(path, "wb");
  assert_non_null(f);
  fputs(text, f);
  fclose(f);
}

/* Replace the first occurrence of 'from' in file 'path' by 'to'. */
static void tamper(const char *path, const char *from, const char *to) {
  char *t = slurp(path);
  char *at = strstr(t, from);
  assert_non_null(at);
  char *out = calloc(1, strlen(t) + strlen(to) + 1);
  memcpy(out, t, (size_t)(at - t));
  strcat(out, to);
  strcat(out, at + strlen(from));
  spit(path, out);
  free(out);
  free(t);
}

static void test_damage(void **state) {
  (void)state;
  char cmd[512], sd[128], s0[160], s1[160];
  snprintf(sd, sizeof(sd), "%s/shards", dir);
  snprintf(s0, sizeof(s0), "%s/run-0-rank-0.txt", sd);
  snprintf(s1, sizeof(s1), "%s/run-1-rank-0.txt", sd);
  const long all[5] = {0, 1, 2, 3, 4};
  /* the reference: five clean points */
  small_shard(0, all, 5);
  ucl_merge_stats ms;
  ucl_diag d;
  assert_int_equal(ucl_store_merge(dir, 7, 5, 0, &ms, &d), UCL_OK);
  char pp[128], np[128];
  snprintf(pp, sizeof(pp), "%s/points.csv", dir);
  snprintf(np, sizeof(np), "%s/neurons.csv", dir);
  char *ref_p = slurp(pp), *ref_n = slurp(np);
  /* each damage: {what is replaced, by what, the point hit, the first line of the note} */
  const struct {
    const char *from, *to;
    long point;
    const char *where;
  } cases[] = {
      {"P2,20\r\n", "P2,2\r\n", 2, ":12-15: point 2's block does not verify"}, /* a cut row */
      {"C3,\"b\"\r\n", "C3,\"b\"\r\nP9,90\r\n", 3, ":16-20: point 3's block"}, /* a stray row */
      {"P1,10", "P1,11", 1, ":8-11"},                                          /* a flipped byte */
      {"E 4 ", "E 5 ", 4, ":20-23"}, /* its E line damaged */
  };
  for (size_t k = 0; k < sizeof(cases) / sizeof(cases[0]); k++) {
    snprintf(cmd, sizeof(cmd), "rm -rf %s/shards/* %s/set-aside", dir, dir);
    assert_int_equal(system(cmd), 0);
    small_shard(0, all, 5);
    tamper(s0, cases[k].from, cases[k].to);
    /* the scan does not count it done, and says where */
    unsigned char done[5] = {0};
    long n = 0;
    ucl_store_health h;
    assert_int_equal(ucl_store_scan_all(dir, 7, 5, 0, 5, done, &n, &h, &d), UCL_OK);
    assert_int_equal(n, 4);
    assert_false(done[cases[k].point]);
    assert_int_equal(h.damaged, 1);
    assert_int_equal(h.n_notes, 1);
    if (!strstr(h.notes[0], cases[k].where) || !strstr(h.notes[0], "run-0-rank-0.txt")) {
      fail_msg("case %zu: note '%s' lacks '%s'", k, h.notes[0], cases[k].where);
    }
    /* the merge leaves it out and says where */
    assert_int_equal(ucl_store_merge(dir, 7, 5, 0, &ms, &d), UCL_OK);
    assert_int_equal(ms.merged, 4);
    assert_int_equal(ms.missing, 1);
    assert_int_equal(ms.first_missing, cases[k].point);
    assert_int_equal(ms.health.damaged, 1);
    /* a resume computes the point again: the merge is the reference's bytes */
    small_shard(1, &cases[k].point, 1);
    assert_int_equal(ucl_store_merge(dir, 7, 5, 0, &ms, &d), UCL_OK);
    assert_int_equal(ms.missing, 0);
    assert_int_equal(ms.health.damaged, 1); /* still there, still named */
    char *got = slurp(pp);
    assert_string_equal(got, ref_p);
    free(got);
    got = slurp(np);
    assert_string_equal(got, ref_n);
    free(got);
    /* --repair sets the damaged block aside: the original whole, in DIR/set-aside */
    assert_int_equal(ucl_store_merge(dir, 7, 5, UCL_MERGE_REPAIR, &ms, &d), UCL_OK);
    assert_int_equal(ms.health.set_aside, 1);
    assert_int_equal(ms.health.damaged, 1); /* what was set aside */
    snprintf(cmd, sizeof(cmd), "%s/set-aside/run-0-rank-0.txt", dir);
    char *aside = slurp(cmd);
    assert_non_null(strstr(aside, cases[k].to));
    free(aside);
    assert_int_equal(ucl_store_merge(dir, 7, 5, 0, &ms, &d), UCL_OK);
    assert_int_equal(ms.health.damaged + ms.health.stray + ms.health.set_aside, 0);
    got = slurp(pp);
    assert_string_equal(got, ref_p);
    free(got);
  }

  /* a block duplicated inside one shard: next to itself (counted), or at the end (out of order:
   * not merged, named; the point keeps its first copy) */
  snprintf(cmd, sizeof(cmd), "rm -rf %s/shards/* %s/set-aside", dir, dir);
  assert_int_equal(system(cmd), 0);
  const long twice[6] = {0, 1, 2, 2, 3, 4};
  small_shard(0, twice, 6);
  assert_int_equal(ucl_store_merge(dir, 7, 5, 0, &ms, &d), UCL_OK);
  assert_int_equal(ms.health.duplicates, 1);
  assert_int_equal(ms.health.damaged, 0);
  char *got = slurp(pp);
  assert_string_equal(got, ref_p);
  free(got);
  assert_int_equal(system(cmd), 0);
  const long late[6] = {0, 1, 2, 3, 4, 2};
  small_shard(0, late, 6);
  assert_int_equal(ucl_store_merge(dir, 7, 5, 0, &ms, &d), UCL_OK);
  assert_int_equal(ms.health.damaged, 1);
  assert_non_null(strstr(ms.health.notes[0], "point 2's block comes after a higher point"));
  got = slurp(pp);
  assert_string_equal(got, ref_p);
  free(got);

  /* lines outside any block, between two blocks */
  assert_int_equal(system(cmd), 0);
  small_shard(0, all, 5);
  tamper(s0, "E 1 ", "junk\nmore junk\nE 1 ");
  assert_int_equal(ucl_store_merge(dir, 7, 5, 0, &ms, &d), UCL_OK);
  assert_int_equal(ms.health.damaged, 1); /* the junk sits inside point 1's block */
  assert_int_equal(system(cmd), 0);
  small_shard(0, all, 5);
  tamper(s0, "P2,", "junk\nmore junk\nP2,");
  assert_int_equal(ucl_store_merge(dir, 7, 5, 0, &ms, &d), UCL_OK);
  assert_int_equal(ms.merged, 5);
  assert_int_equal(ms.health.stray, 1);
  assert_non_null(strstr(ms.health.notes[0], ":12-13: lines outside any point's block"));

  /* a damaged head (a byte of the layout lines): the whole shard counts as damaged, whatever
   * its blocks; --repair moves it aside whole */
  assert_int_equal(system(cmd), 0);
  small_shard(0, all, 5);
  tamper(s0, "\"point\",\"x\"", "\"point\",\"y\"");
  {
    unsigned char done[5] = {0};
    long n = 0;
    ucl_store_health h;
    assert_int_equal(ucl_store_scan_all(dir, 7, 5, 0, 5, done, &n, &h, &d), UCL_OK);
    assert_int_equal(n, 0);
    assert_int_equal(h.damaged_shards, 1);
    assert_non_null(strstr(h.notes[0], "run-0-rank-0.txt:1: the shard's first lines"));
  }
  assert_int_equal(ucl_store_merge(dir, 7, 5, 0, &ms, &d), UCL_OK);
  assert_int_equal(ms.merged, 0);
  assert_int_equal(ms.missing, 5);
  assert_int_equal(ms.health.damaged_shards, 1);
  small_shard(1, all, 5); /* the resume */
  assert_int_equal(ucl_store_merge(dir, 7, 5, 0, &ms, &d), UCL_OK);
  got = slurp(pp);
  assert_string_equal(got, ref_p);
  free(got);
  assert_int_equal(ucl_store_merge(dir, 7, 5, UCL_MERGE_REPAIR, &ms, &d), UCL_OK);
  assert_int_equal(ms.health.set_aside, 1);
  assert_int_equal(access(s0, F_OK), -1); /* moved, not rewritten */

  /* copies of a point that differ: an error naming both places, until --repair keeps the first */
  assert_int_equal(system(cmd), 0);
  small_shard(0, all, 5);
  small_shard(1, &all[3], 1);
  {
    /* run 1's copy of point 3, written through the writer: it verifies, and differs */
    unlink(s1);
    ucl_shard *sh = NULL;
    assert_int_equal(ucl_shard_create_layout(sd, 1, 0, 7, 5, &small, &sh, &d), UCL_OK);
    const char *p3 = "3,31\r\n", *c3 = "3,\"a\"\r\n3,\"b\"\r\n";
    assert_int_equal(ucl_shard_append_rows(sh, 3, p3, strlen(p3), c3, strlen(c3), &d), UCL_OK);
    assert_int_equal(ucl_shard_close(&sh, &d), UCL_OK);
  }
  assert_int_equal(ucl_store_merge(dir, 7, 5, 0, &ms, &d), UCL_ERR_PARSE);
  assert_non_null(strstr(d.msg, "run-0-rank-0.txt:16"));
  assert_non_null(strstr(d.msg, "run-1-rank-0.txt:4"));
  assert_non_null(strstr(d.msg, "--repair"));
  assert_int_equal(ucl_store_merge(dir, 7, 5, UCL_MERGE_REPAIR, &ms, &d), UCL_OK);
  assert_int_equal(ms.health.conflicts, 1);
  assert_int_equal(ms.health.set_aside, 1);
  got = slurp(pp);
  assert_string_equal(got, ref_p);
  free(got);
  snprintf(cmd, sizeof(cmd), "%s/set-aside/run-1-rank-0.txt", dir);
  got = slurp(cmd);
  assert_non_null(strstr(got, "P3,31"));
  free(got);
  snprintf(cmd, sizeof(cmd), "rm -rf %s/shards/* %s/set-aside %s/*.csv", dir, dir, dir);
  assert_int_equal(system(cmd), 0);
  free(ref_p);
  free(ref_n);
}

/* The lock: a second holder is refused with the first one's line; a fenced shard stops writing
 * once another run claims the directory. */
static void test_lock_and_fence(void **state) {
  (void)state;
  char sd[128];
  snprintf(sd, sizeof(sd), "%s/shards", dir);
  ucl_store_lock *a = NULL, *b = NULL;
  ucl_diag d;
  assert_int_equal(ucl_store_lock_take(sd, 0.0, NULL, &a, &d), UCL_OK);
  assert_int_equal(ucl_store_lock_claim(a, 4, &d), UCL_OK);
  /* flock is per open file: a second open in this process conflicts like another process */
  assert_int_equal(ucl_store_lock_take(sd, 0.2, NULL, &b, &d), UCL_ERR_INVAL);
  assert_non_null(strstr(d.msg, "in use by another run (run 4, pid"));
  volatile sig_atomic_t stop = SIGTERM; /* a signal while waiting: no wait for the 10 s */
  assert_int_equal(ucl_store_lock_take(sd, 10.0, &stop, &b, &d), UCL_ERR_STOPPED);
  ucl_shard *sh = NULL;
  assert_int_equal(ucl_shard_create_layout(sd, 4, 0, 7, 5, &small, &sh, &d), UCL_OK);
  assert_int_equal(ucl_shard_fence(sh, sd, &d), UCL_OK);
  small_block(sh, 0); /* run 4 holds the directory: written */
  ucl_merge_stats ms;
  assert_int_equal(ucl_store_merge(dir, 7, 5, UCL_MERGE_REPAIR, &ms, &d), UCL_ERR_INVAL);
  assert_non_null(strstr(d.msg, "in use by another run"));          /* --repair waits for no run */
  assert_int_equal(ucl_store_merge(dir, 7, 5, 0, &ms, &d), UCL_OK); /* a plain merge reads */
  assert_int_equal(ms.merged, 1);
  ucl_store_lock_release(&a);
  /* a new holder fences every run at once, before it claims a number of its own */
  assert_int_equal(ucl_store_lock_take(sd, 0.0, NULL, &b, &d), UCL_OK);
  assert_int_equal(ucl_store_lock_prev_run(b), 4); /* its run will be 5 or more */
  const char *p = "1,10\r\n";
  assert_int_equal(ucl_shard_append_rows(sh, 1, p, strlen(p), "", 0, &d), UCL_ERR_STOPPED);
  assert_non_null(strstr(d.msg, "(no run yet)"));
  assert_int_equal(ucl_store_lock_claim(b, 5, &d), UCL_OK);
  assert_int_equal(ucl_shard_append_rows(sh, 1, p, strlen(p), "", 0, &d), UCL_ERR_STOPPED);
  assert_non_null(strstr(d.msg, "another run (run 5"));
  assert_int_equal(ucl_shard_close(&sh, &d), UCL_OK);
  ucl_store_lock_release(&b);
  unsigned char done[5] = {0};
  long n = 0;
  assert_int_equal(ucl_store_scan_all(dir, 7, 5, 0, 5, done, &n, NULL, &d), UCL_OK);
  assert_int_equal(n, 1); /* point 1 was never written */
  char cmd[256];
  snprintf(cmd, sizeof(cmd), "rm -rf %s/shards/*", dir);
  assert_int_equal(system(cmd), 0);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_damage),
      cmocka_unit_test(test_lock_and_fence),
      cmocka_unit_test(test_layout_merge),
      cmocka_unit_test(test_layout_three_files),
      cmocka_unit_test(test_shards_scan_and_merge),
      cmocka_unit_test(test_not_a_shard),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
