/* test_store.c — shards and the merge: blocks written point by point, a block cut short by a
 * kill ignored, the scan of finished points (one shard directory, or all of an output
 * directory's), shards without a complete first line, a k-way merge sorted by point, missing and
 * duplicated points, shards of another spec refused. */
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
  assert_int_equal(ucl_store_merge(dir, hash, 6, &ms, &d), UCL_OK);
  assert_int_equal(ms.merged, 4);
  assert_int_equal(ms.missing, 2);
  assert_int_equal(ms.first_missing, 3);
  assert_int_equal(ms.curve_rows, 8);
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
  assert_int_equal(ucl_store_merge(dir, 0, 0, &ms, &d), UCL_OK); /* hash, points from shards */
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
  assert_int_equal(ucl_store_scan_all(dir, hash, 6, 0, 6, all, &n, &d), UCL_OK);
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
  assert_int_equal(ucl_store_scan_all(dir, hash, 6, 3, 6, all, &n, &d), UCL_OK);
  assert_int_equal(ucl_store_scan_all(dir, hash, 6, 2, 6, all, &n, &d), UCL_ERR_PARSE);
  assert_int_equal(ucl_store_scan_all(dir, hash, 6, 0, 6, all, &n, &d), UCL_ERR_PARSE);
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
  assert_int_equal(ucl_store_scan_all(dir, hash, 6, 0, 6, all, &n, &d), UCL_OK);
  assert_int_equal(n, 6);
  assert_int_equal(ucl_store_scan(slice, hash, 6, NULL, &run, &n, &d), UCL_OK);
  assert_int_equal(run, 2);
  run = -1;
  assert_int_equal(ucl_store_next_run(slice, &run, &d), UCL_OK);
  assert_int_equal(run, 2);
  assert_int_equal(ucl_store_merge(dir, hash, 6, &ms, &d), UCL_OK);
  assert_int_equal(ms.merged, 6);
  assert_int_equal(ms.shards, 5);
  unlink(p1);
  unlink(p2);

  /* the same point complete twice is an error */
  assert_int_equal(ucl_shard_create(sd, 2, 0, hash, 6, &c, &d), UCL_OK);
  add(c, 2);
  assert_int_equal(ucl_shard_close(&c, &d), UCL_OK);
  assert_int_equal(ucl_store_merge(dir, hash, 6, &ms, &d), UCL_ERR_PARSE);
  assert_non_null(strstr(d.msg, "more than one shard"));
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
  assert_int_equal(ucl_store_merge(dir, 0, 0, &ms, &d), UCL_ERR_PARSE);
  assert_non_null(strstr(d.msg, "not a uclif shard"));
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
  ucl_store_layout lay = {"\"point\",\"x\"", "neurons.csv", "\"point\",\"neuron\""};
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
  if (ucl_store_merge(dir, 7, 3, &ms, &d) != UCL_OK) {
    fail_msg("%s", d.msg);
  }
  assert_int_equal(ms.merged, 3);
  assert_int_equal(ms.curve_rows, 3);
  assert_string_equal(ms.second_file, "neurons.csv");
  assert_string_equal(read_all("points.csv"), "\"point\",\"x\"\r\n0,1.5\r\n1,2.5\r\n2,3.5\r\n");
  assert_string_equal(read_all("neurons.csv"),
                      "\"point\",\"neuron\"\r\n0,\"N1\"\r\n0,\"N2\"\r\n1,\"N1\"\r\n");
  /* a shard of another layout in the same directory */
  ucl_store_layout other = {"\"point\",\"y\"", "neurons.csv", "\"point\",\"neuron\""};
  assert_int_equal(ucl_shard_create_layout(sd, 21, 0, 7, 3, &other, &a, &d), UCL_OK);
  assert_int_equal(ucl_shard_close(&a, &d), UCL_OK);
  assert_int_equal(ucl_store_merge(dir, 7, 3, &ms, &d), UCL_ERR_PARSE);
  assert_non_null(strstr(d.msg, "hold different columns"));
  char cmd[256];
  snprintf(cmd, sizeof(cmd), "rm -f %s/shards/* %s/points.csv %s/neurons.csv", dir, dir, dir);
  assert_int_equal(system(cmd), 0);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_layout_merge),
      cmocka_unit_test(test_shards_scan_and_merge),
      cmocka_unit_test(test_not_a_shard),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
