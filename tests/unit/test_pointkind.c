/* test_pointkind.c — the two point kinds of the scheduler: which kind a sweep has, their layouts,
 * and their rows: the single neuron's are the bytes the store writes for a characterized point
 * (ucl_shard_append), a failing point included; the network's are ucl_netsweep_point's. */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "testutil.h"
#include "uclif/netsweep.h"
#include "uclif/pointkind.h"
#include "uclif/store.h"

/* point 0 is consistent; point 1 has a 150 us pulse in a 100 us period (a row with its reason) */
static const char *const neuron_spec =
    "[stimulus]\nduration = 3m\n[sweep]\nwidth = 10u, 150u\n[characterize]\nrate_curve = 3\n";
static const char *const network_spec =
    "[stimulus]\nkind = pulses\namplitude = 7\nduration = 2m\n[neuron.A]\nneuron = type2\n"
    "[neuron.B]\n[synapse.S]\nfrom = A\nto = B\ntap = axon\n[sweep]\nS.R = 2.2k, 1meg\n";

static ucl_sweep *parse(const char *text) {
  ucl_sweep *s = NULL;
  ucl_diag d = {{0}};
  if (ucl_sweep_parse("t.ini", text, &s, &d) != UCL_OK) {
    fail_msg("spec: %s", d.msg);
  }
  return s;
}

static char *slurp(const char *path, size_t *len) {
  FILE *f = fopen(path, "rb");
  assert_non_null(f);
  char *buf = malloc(1 << 20);
  assert_non_null(buf);
  *len = fread(buf, 1, 1 << 20, f);
  fclose(f);
  return buf;
}

static void test_kind_of_and_layouts(void **state) {
  (void)state;
  ucl_sweep *n = parse(neuron_spec), *w = parse(network_spec);
  assert_ptr_equal(ucl_point_kind_of(n), &ucl_point_kind_neuron);
  assert_ptr_equal(ucl_point_kind_of(w), &ucl_point_kind_network);
  ucl_point_layout lay;
  ucl_diag d = {{0}};
  assert_int_equal(ucl_point_kind_neuron.layout(n, &lay, &d), UCL_OK);
  assert_null(lay.headers[0]); /* the store's own columns: no layout lines in the shards */
  assert_null(lay.headers[1]);
  assert_int_equal(lay.n_files, 2); /* no trials: no probability.csv */
  assert_string_equal(lay.file[0], "points.csv");
  assert_string_equal(lay.file[1], "rate_curves.csv");
  assert_int_equal(ucl_point_kind_network.layout(w, &lay, &d), UCL_OK);
  char *ph = NULL, *nh = NULL;
  assert_int_equal(ucl_netsweep_layout(w, &ph, &nh, &d), UCL_OK);
  assert_int_equal(lay.n_files, 2);
  assert_string_equal(lay.file[1], "neurons.csv");
  assert_string_equal(lay.headers[0], ph);
  assert_string_equal(lay.headers[1], nh);
  ucl_point_layout_free(&lay);
  assert_null(lay.headers[0]);
  ucl_point_layout_free(NULL);
  free(ph);
  free(nh);
  ucl_sweep_destroy(&n);
  ucl_sweep_destroy(&w);
}

/* The neuron kind's rows, appended to a shard, are the bytes ucl_shard_append writes for the same
 * point characterized here by hand: a computed point and an inconsistent one. Both format their
 * rows through ucl_results_rows (the columns themselves are unit_results' to check); what this
 * checks is the kind's part: the point built and characterized, the failing point's row. */
static void test_neuron_rows_are_the_store_rows(void **state) {
  (void)state;
  char dir[64];
  snprintf(dir, sizeof(dir), "%s", "/tmp/ucl_pointkind_XXXXXX");
  assert_non_null(mkdtemp(dir));
  ucl_sweep *sw = parse(neuron_spec);
  ucl_shard *a = NULL, *b = NULL;
  ucl_diag d = {{0}};
  assert_int_equal(ucl_shard_create(dir, 0, 0, 1, 2, &a, &d), UCL_OK);
  assert_int_equal(ucl_shard_create(dir, 0, 1, 1, 2, &b, &d), UCL_OK);
  for (long i = 0; i < 2; i++) {
    ucl_rowbuf rows[UCL_POINT_FILES] = {{NULL, 0}, {NULL, 0}};
    int failed = -1;
    double secs = -1.0;
    assert_int_equal(ucl_point_kind_neuron.compute(sw, i, NULL, rows, &failed, &secs, &d), UCL_OK);
    assert_int_equal(failed, i == 1);
    assert_true(secs >= 0.0);
    assert_int_equal(
        ucl_shard_append_rows(a, i, rows[0].text, rows[0].len, rows[1].text, rows[1].len, &d),
        UCL_OK);
    free(rows[0].text);
    free(rows[1].text);
    /* the reference: the same point characterized and appended by the store */
    ucl_params p;
    ucl_char_result r;
    ucl_diag pd = {{0}};
    memset(&r, 0, sizeof(r));
    ucl_status pst = ucl_sweep_point(sw, i, &p, &pd);
    if (pst == UCL_OK) {
      pst = ucl_characterize(&p, ucl_sweep_char_opts(sw), &r, &pd);
    }
    if (pst != UCL_OK) {
      ucl_char_result_free(&r);
      ucl_char_result_empty(&r);
      r.status = pst;
      snprintf(r.reason, sizeof(r.reason), "point: %s", pd.msg);
    }
    assert_int_equal(ucl_shard_append(b, i, &p, &r, &d), UCL_OK);
    ucl_char_result_free(&r);
  }
  assert_int_equal(ucl_shard_close(&a, &d), UCL_OK);
  assert_int_equal(ucl_shard_close(&b, &d), UCL_OK);
  char pa[96], pb[96];
  snprintf(pa, sizeof(pa), "%s/run-0-rank-0.txt", dir);
  snprintf(pb, sizeof(pb), "%s/run-0-rank-1.txt", dir);
  size_t la = 0, lb = 0;
  char *ta = slurp(pa, &la), *tb = slurp(pb, &lb);
  assert_true(la > 100);
  assert_int_equal(la, lb);
  assert_memory_equal(ta, tb, la);
  assert_non_null(strstr(ta, "\nP1,\"range\",\"point: ")); /* the inconsistent point's row */
  assert_non_null(strstr(ta, "\nC0,"));                    /* the rate curve of point 0 */
  free(ta);
  free(tb);
  remove(pa);
  remove(pb);
  rmdir(dir);
  ucl_sweep_destroy(&sw);
}

static void test_network_rows(void **state) {
  (void)state;
  ucl_sweep *sw = parse(network_spec);
  ucl_diag d = {{0}};
  const ucl_point_limits lim = {60.0, NULL}; /* far above the run's time, sanitizers included */
  for (long i = 0; i < 2; i++) {
    ucl_rowbuf rows[UCL_POINT_FILES] = {{NULL, 0}, {NULL, 0}};
    int failed = -1, failed2 = -1;
    double secs = -1.0;
    assert_int_equal(ucl_point_kind_network.compute(sw, i, &lim, rows, &failed, &secs, &d), UCL_OK);
    char *p = NULL, *n = NULL;
    size_t pl = 0, nl = 0;
    assert_int_equal(ucl_netsweep_point(sw, i, 0.0, NULL, &p, &pl, &n, &nl, &failed2, &d), UCL_OK);
    assert_int_equal(failed, 0);
    assert_int_equal(failed2, 0);
    assert_true(secs >= 0.0);
    assert_int_equal(rows[0].len, pl);
    assert_int_equal(rows[1].len, nl);
    assert_memory_equal(rows[0].text, p, pl);
    assert_memory_equal(rows[1].text, n, nl);
    free(p);
    free(n);
    free(rows[0].text);
    free(rows[1].text);
  }
  ucl_sweep_destroy(&sw);
}

/* The limits of both kinds: a point whose cancel flag is already set is abandoned (UCL_ERR_STOPPED,
 * no rows); a point whose wall-time limit has passed before its first check is a row with status
 * limit and the reason. */
static void test_limits(void **state) {
  (void)state;
  ucl_sweep *sws[2] = {parse(neuron_spec), parse(network_spec)};
  const ucl_point_kind *kinds[2] = {&ucl_point_kind_neuron, &ucl_point_kind_network};
  for (int k = 0; k < 2; k++) {
    ucl_diag d = {{0}};
    volatile sig_atomic_t cancel = 1;
    ucl_point_limits stop = {0.0, &cancel};
    ucl_rowbuf rows[UCL_POINT_FILES] = {{NULL, 0}, {NULL, 0}};
    int failed = -1;
    double secs = -1.0;
    assert_int_equal(kinds[k]->compute(sws[k], 0, &stop, rows, &failed, &secs, &d),
                     UCL_ERR_STOPPED);
    assert_null(rows[0].text);
    assert_null(rows[1].text);
    assert_non_null(strstr(d.msg, "stopped by a signal"));
    /* the flag not set: no effect (point 0 is ok) */
    cancel = 0;
    assert_int_equal(kinds[k]->compute(sws[k], 0, &stop, rows, &failed, &secs, &d), UCL_OK);
    assert_int_equal(failed, 0);
    free(rows[0].text);
    free(rows[1].text);
    /* a limit of a nanosecond has passed before the first check */
    ucl_point_limits late = {1e-9, NULL};
    rows[0].text = rows[1].text = NULL;
    assert_int_equal(kinds[k]->compute(sws[k], 0, &late, rows, &failed, &secs, &d), UCL_OK);
    assert_int_equal(failed, 1);
    assert_non_null(rows[0].text);
    assert_true(strncmp(rows[0].text, "0,\"limit\",\"", 11) == 0);
    assert_non_null(strstr(rows[0].text, "wall-time limit was reached"));
    free(rows[0].text);
    free(rows[1].text);
    ucl_sweep_destroy(&sws[k]);
  }
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_kind_of_and_layouts),
      cmocka_unit_test(test_neuron_rows_are_the_store_rows),
      cmocka_unit_test(test_network_rows),
      cmocka_unit_test(test_limits),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
