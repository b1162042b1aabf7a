/* calibrate_onset.c — the calibration of the onset (docs/model.md, Calibration): for the
 * default type I neuron with any overrides, find the value of one key (default scr.I_GT, the
 * hybrid SCR's gate trigger current; the two-transistor form calibrates scr.R_GK) whose onset
 * amplitude is the target (5.0 V in the paper for 10 us / 100 us pulses). The onset is the
 * lowest pulse amplitude that gives at least one spike within the stimulus duration (default
 * 20 ms); it is monotone in the key, so both searches are bisections (the outer one on a
 * logarithmic scale, its direction taken from the bracket's ends).
 *
 *   calibrate_onset [--target V] [--key NAME --lo X --hi X] [NAME=VALUE]...
 *   e.g. calibrate_onset R_in=10k
 *        calibrate_onset --key scr.R_GK --lo 10k --hi 10meg scr.model=two_transistor
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "uclif/params.h"
#include "uclif/sim.h"
#include "uclif/spec.h"
#include "uclif/units.h"

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

/* Set 'key' to x; non-zero (with a message) when the key is unknown or x out of its domain. */
static int set_key(ucl_params *p, const char *key, double x) {
  ucl_diag d = {{0}};
  if (ucl_params_set_value(p, key, x, &d) != UCL_OK) {
    fprintf(stderr, "calibrate_onset: %s\n", d.msg);
    return 1;
  }
  return 0;
}

int main(int argc, char **argv) {
  double target = 5.0;
  const char *key = "scr.I_GT";
  double klo = 10e-6, khi = 50e-6; /* I_GT bracket, A */
  const char *sets[64];
  int n_sets = 0;
  for (int i = 1; i < argc; i++) {
    if (strcmp(argv[i], "--target") == 0 && i + 1 < argc) {
      target = strtod(argv[++i], NULL);
    } else if (strcmp(argv[i], "--key") == 0 && i + 1 < argc) {
      key = argv[++i];
    } else if ((strcmp(argv[i], "--lo") == 0 || strcmp(argv[i], "--hi") == 0) && i + 1 < argc) {
      double v;
      if (ucl_units_parse(argv[i + 1], "", &v, NULL) != UCL_OK || !(v > 0.0)) {
        fprintf(stderr, "calibrate_onset: %s: expected a value > 0, got '%s'\n", argv[i],
                argv[i + 1]);
        return 2;
      }
      *(argv[i][2] == 'l' ? &klo : &khi) = v;
      i++;
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
  double lo = log(klo), hi = log(khi);
  /* onset at the bracket's ends: which way it runs */
  double a_lo = NAN, a_hi = NAN;
  if (set_key(&p, key, klo) || set_key(&p, key, khi)) {
    return 2;
  }
  set_key(&p, key, klo);
  a_lo = onset(&p, 0.5, 15.0, 1e-3);
  set_key(&p, key, khi);
  a_hi = onset(&p, 0.5, 15.0, 1e-3);
  printf("%s = %g -> onset %.4f V; %s = %g -> onset %.4f V\n", key, klo, a_lo, key, khi, a_hi);
  if (isnan(a_lo) || isnan(a_hi) || (a_lo - target) * (a_hi - target) > 0.0) {
    fprintf(stderr, "calibrate_onset: the bracket does not contain the target onset %g V\n",
            target);
    return 1;
  }
  int rising = a_hi > a_lo;
  double x = NAN;
  for (int it = 0; it < 40 && hi - lo > 1e-5; it++) {
    x = exp(0.5 * (lo + hi));
    set_key(&p, key, x);
    double a = onset(&p, 0.5, 15.0, 1e-3);
    printf("%s = %.6g -> onset %.4f V\n", key, x, a);
    if (isnan(a)) {
      return 1;
    }
    if ((a > target) == rising) {
      hi = log(x);
    } else {
      lo = log(x);
    }
  }
  x = exp(0.5 * (lo + hi));
  set_key(&p, key, x);
  double a = onset(&p, 0.5, 15.0, 1e-4);
  printf("calibrated: R_in = %g Ohm, %s = %.4g: onset %.4f V at %g s / %g s pulses over %g s "
         "(%ld simulations)\n",
         p.circuit.R_in, key, x, a, p.stim.width, p.stim.period, p.stim.duration, sims);
  return 0;
}
