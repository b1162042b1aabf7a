/* bench_simulate.c — the issue-2 benchmark: a 20 ms type I simulation at 6 V with 10 us / 100 us
 * pulses (the defaults), repeated; reports wall time per simulation, CVODE steps per input pulse
 * and right-hand-side evaluations. Extra arguments are --set style NAME=VALUE overrides.
 *
 *   bench_simulate [-n REPS] [NAME=VALUE]...
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "uclif/params.h"
#include "uclif/sim.h"
#include "uclif/spec.h"
#include "uclif/stimulus.h"

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

int main(int argc, char **argv) {
  long reps = 200;
  const char *sets[64];
  int n_sets = 0;
  sets[n_sets++] = "amplitude=6";
  sets[n_sets++] = "duration=20m";
  for (int i = 1; i < argc; i++) {
    if (strcmp(argv[i], "-n") == 0 && i + 1 < argc) {
      reps = strtol(argv[++i], NULL, 10);
    } else if (n_sets < 64) {
      sets[n_sets++] = argv[i];
    }
  }
  ucl_params p;
  ucl_diag diag = {{0}};
  if (ucl_spec_load_config(NULL, sets, n_sets, &p, &diag) != UCL_OK) {
    fprintf(stderr, "bench_simulate: %s\n", diag.msg);
    return 2;
  }
  ucl_stimulus stim;
  if (ucl_stimulus_init(&p.stim, &stim, &diag) != UCL_OK) {
    fprintf(stderr, "bench_simulate: %s\n", diag.msg);
    return 2;
  }
  long pulses = ucl_stimulus_pulse_count(&stim, p.stim.duration);
  ucl_solver_stats last = {0};
  long spikes = 0;
  double best = 1e30, total = 0.0;
  for (long r = 0; r < reps; r++) {
    ucl_trace *tr = NULL;
    double t0 = now();
    ucl_status st = ucl_sim_run(&p, NULL, &tr, &diag);
    double dt = now() - t0;
    if (st != UCL_OK) {
      fprintf(stderr, "bench_simulate: run failed: %s\n", diag.msg);
      ucl_trace_destroy(&tr);
      return 1;
    }
    total += dt;
    best = dt < best ? dt : best;
    last = *ucl_trace_stats_const(tr);
    spikes = ucl_sim_spike_count(tr);
    ucl_trace_destroy(&tr);
  }
  printf("simulations            %ld\n", reps);
  printf("pulses per simulation  %ld\n", pulses);
  printf("spikes per simulation  %ld\n", spikes);
  printf("wall per simulation    %.3f ms (mean), %.3f ms (best)\n", 1e3 * total / (double)reps,
         1e3 * best);
  printf("steps                  %ld (%.2f per input pulse)\n", last.steps,
         pulses ? (double)last.steps / (double)pulses : 0.0);
  printf("rhs evaluations        %ld (%.2f per input pulse)\n", last.rhs_evals,
         pulses ? (double)last.rhs_evals / (double)pulses : 0.0);
  printf("quadrature evaluations %ld\n", last.quad_evals);
  printf("jacobians              %ld\n", last.jac_evals);
  printf("error-test failures    %ld\n", last.err_test_fails);
  printf("newton iterations      %ld\n", last.nonlin_iters);
  printf("restarts               %ld\n", last.reinits);
  return 0;
}
