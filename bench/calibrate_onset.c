/* calibrate_onset.c — the calibration of the SCR gate trigger current (docs/model.md): for the
 * default type I neuron with R_in given, find the I_GT whose onset amplitude is the target
 * (5.0 V in the paper for 10 us / 100 us pulses). The onset is the lowest pulse amplitude that
 * gives at least one spike within the stimulus duration (default 20 ms); it rises with I_GT, so
 * both searches are bisections.
 *
 *   calibrate_onset [--target V] [NAME=VALUE]...      e.g. calibrate_onset R_in=10k
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "uclif/params.h"
#include "uclif/sim.h"
#include "uclif/spec.h"

static long sims = 0;

/* Spikes at amplitude a, or -1 on failure. */
static long spikes_at(ucl_params p, double a) {
  ucl_diag d = {{0}};
  ucl_trace *tr = NULL;
  p.stim.amplitude = a;
  ucl_status st = ucl_sim_run(&p, NULL, &tr, &d);
  sims++;
  long n = (st == UCL_OK) ? ucl_sim_spike_count(tr) : -1;
  if (st != UCL_OK) {
    fprintf(stderr, "calibrate_onset: run failed at %g V: %s\n", a, d.msg);
  }
  ucl_trace_destroy(&tr);
  return n;
}

/* Onset amplitude (V) in [lo, hi] to tol; NAN if it never fires or fires at lo. */
static double onset(const ucl_params *p, double lo, double hi, double tol) {
  if (spikes_at(*p, hi) < 1 || spikes_at(*p, lo) > 0) {
    return NAN;
  }
  while (hi - lo > tol) {
    double mid = 0.5 * (lo + hi);
    long n = spikes_at(*p, mid);
    if (n < 0) {
      return NAN;
    }
    if (n > 0) {
      hi = mid;
    } else {
      lo = mid;
    }
  }
  return 0.5 * (lo + hi);
}

int main(int argc, char **argv) {
  double target = 5.0;
  const char *sets[64];
  int n_sets = 0;
  for (int i = 1; i < argc; i++) {
    if (strcmp(argv[i], "--target") == 0 && i + 1 < argc) {
      target = strtod(argv[++i], NULL);
    } else if (n_sets < 64) {
      sets[n_sets++] = argv[i];
    }
  }
  ucl_params p;
  ucl_diag d = {{0}};
  if (ucl_spec_load_config(NULL, sets, n_sets, &p, &d) != UCL_OK) {
    fprintf(stderr, "calibrate_onset: %s\n", d.msg);
    return 2;
  }
  double lo = 1e-6, hi = 100e-6; /* I_GT bracket, A */
  for (int it = 0; it < 30 && hi - lo > 1e-9; it++) {
    p.circuit.scr.I_GT = 0.5 * (lo + hi);
    double a = onset(&p, 0.5, 15.0, 1e-3);
    printf("I_GT = %.4f uA -> onset %.4f V\n", 1e6 * p.circuit.scr.I_GT, a);
    if (isnan(a)) {
      return 1;
    }
    if (a > target) {
      hi = p.circuit.scr.I_GT;
    } else {
      lo = p.circuit.scr.I_GT;
    }
  }
  p.circuit.scr.I_GT = 0.5 * (lo + hi);
  double a = onset(&p, 0.5, 15.0, 1e-4);
  printf("calibrated: R_in = %g Ohm, I_GT = %.4g A (%.3f uA): onset %.4f V at %g s / %g s "
         "pulses over %g s (%ld simulations)\n",
         p.circuit.R_in, p.circuit.scr.I_GT, 1e6 * p.circuit.scr.I_GT, a, p.stim.width,
         p.stim.period, p.stim.duration, sims);
  return 0;
}
