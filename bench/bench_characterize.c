/* bench_characterize.c — the issue-3 benchmark: a full default characterization of one type I
 * configuration (threshold, DC rheobase, the 33-point f–A curve, tau_leak, tau_ref, energy per
 * spike), repeated; reports wall time and the simulations and steps it took.
 *
 *   bench_characterize [-n REPS] [NAME=VALUE]...
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "uclif/protocols.h"
#include "uclif/spec.h"

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

int main(int argc, char **argv) {
  long reps = 10;
  const char *sets[64] = {0};
  int n_sets = 0;
  for (int i = 1; i < argc; i++) {
    if (strcmp(argv[i], "-n") == 0 && i + 1 < argc) {
      reps = strtol(argv[++i], NULL, 10);
    } else if (n_sets < 64) {
      sets[n_sets++] = argv[i];
    }
  }
  ucl_params p;
  ucl_diag d = {{0}};
  if (ucl_spec_load_config(NULL, sets, n_sets, &p, &d) != UCL_OK) {
    fprintf(stderr, "bench_characterize: %s\n", d.msg);
    return 2;
  }
  ucl_char_opts o;
  ucl_char_opts_default(&o);
  double best = 1e30, total = 0.0;
  ucl_char_result r;
  memset(&r, 0, sizeof(r));
  for (long k = 0; k < reps; k++) {
    ucl_char_result_free(&r);
    double t0 = now();
    if (ucl_characterize(&p, &o, &r, &d) != UCL_OK) {
      fprintf(stderr, "bench_characterize: %s\n", d.msg);
      return 1;
    }
    double dt = now() - t0;
    total += dt;
    best = dt < best ? dt : best;
  }
  printf("characterizations      %ld\n", reps);
  printf("wall per run           %.3f s (mean), %.3f s (best)\n", total / (double)reps, best);
  printf("status                 %s %s\n", ucl_status_name(r.status), r.reason);
  printf("simulations            %ld (threshold %d, rheobase %d)\n", r.sims, r.threshold.sims,
         r.rheobase.sims);
  printf("steps                  %ld\n", r.stats.steps);
  printf("threshold              %.6g V\n", r.threshold.value);
  ucl_char_result_free(&r);
  return 0;
}
