/* step_profile.c — where a single neuron's CVODE steps go: counts of internal steps by the phase
 * they fall in (inside a spike, the first microseconds after a stimulus edge, the rest of a
 * pulse, the rest of a gap) and by step size, for a pulse stimulus. Used to compare the SCR forms
 * (docs/benchmarks.md, SCR forms). Extra arguments are --set style NAME=VALUE overrides of the
 * defaults (6 V, 10 us / 100 us pulses, 20 ms).
 *
 *   step_profile [NAME=VALUE]...
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "uclif/circuit.h"
#include "uclif/integrator.h"
#include "uclif/params.h"
#include "uclif/spec.h"
#include "uclif/trace.h"

#define EDGE_WINDOW 2e-6 /* s, "just after an edge" */
#define SPIKE_TAIL 5e-6  /* s, after an unlatch still counted as the spike */
#define N_DECADES 9      /* step sizes 1e-13 .. 1e-4 s */
#define N_SINCE 7        /* bins of the time since the last edge */

typedef struct steps {
  double *t;
  size_t n, cap;
} steps;

static int on_step(void *ctx, double t, const double *y) {
  steps *s = ctx;
  (void)y;
  if (s->n == s->cap) {
    size_t cap = s->cap ? 2 * s->cap : 4096;
    double *nt = realloc(s->t, cap * sizeof(*nt));
    if (!nt) {
      return 1;
    }
    s->t = nt;
    s->cap = cap;
  }
  s->t[s->n++] = t;
  return 0;
}

int main(int argc, char **argv) {
  const char *sets[64];
  int n_sets = 0;
  sets[n_sets++] = "amplitude=6";
  sets[n_sets++] = "duration=20m";
  for (int i = 1; i < argc && n_sets < 64; i++) {
    sets[n_sets++] = argv[i];
  }
  int rc = 1;
  ucl_params p;
  ucl_diag diag = {{0}};
  ucl_neuron *n = NULL;
  ucl_trace *tr = NULL;
  steps s = {NULL, 0, 0};
  if (ucl_spec_load_config(NULL, sets, n_sets, &p, &diag) != UCL_OK ||
      ucl_neuron_create(&p, &n, &diag) != UCL_OK) {
    fprintf(stderr, "step_profile: %s\n", diag.msg);
    return 2;
  }
  const ucl_system *sys = ucl_neuron_system(n);
  ucl_integrator_opts io = ucl_integrator_opts_from_params(&p.solver);
  io.on_step = on_step;
  io.on_step_ctx = &s;
  if (ucl_trace_create(sys->n_channels, sys->channel_names, 0, &tr, &diag) != UCL_OK ||
      ucl_integrate(sys, &io, p.stim.duration, tr, &diag) != UCL_OK) {
    fprintf(stderr, "step_profile: %s\n", diag.msg);
    goto cleanup;
  }
  /* classify each step by where it starts */
  size_t n_ev = ucl_trace_n_events(tr);
  double period = p.stim.period, width = p.stim.width, start = p.stim.start;
  long count[4] = {0, 0, 0, 0}, size[N_DECADES + 1] = {0}, since[N_SINCE] = {0};
  static const double since_to[N_SINCE] = {1e-7, 5e-7, 1e-6, 2e-6, 5e-6, 1e-5, INFINITY};
  static const char *const phase[4] = {"spike (latch to unlatch + 5 us)",
                                       "first 2 us after a pulse edge", "rest of a pulse",
                                       "rest of a gap"};
  size_t ev = 0;
  double spike_to = -INFINITY; /* the current spike's end (s) */
  long total = 0;
  for (size_t i = 1; i < s.n; i++) {
    double t0 = s.t[i - 1], t1 = s.t[i], h = t1 - t0;
    if (!(h > 0.0)) {
      continue; /* the hook's calls at events and breaks */
    }
    total++;
    /* the events up to t0: a latch opens a spike, an unlatch closes it SPIKE_TAIL later */
    while (ev < n_ev && ucl_trace_event(tr, ev)->t <= t0) {
      const ucl_event *e = ucl_trace_event(tr, ev++);
      if (e->kind == UCL_EVENT_LATCH) {
        spike_to = INFINITY;
      } else if (e->kind == UCL_EVENT_UNLATCH) {
        spike_to = e->t + SPIKE_TAIL;
      }
    }
    int k;
    double x = period > 0.0 ? fmod(t0 - start, period) : t0 - start;
    if (t0 < spike_to) {
      k = 0;
    } else if ((x >= 0.0 && x < EDGE_WINDOW) || (x >= width && x < width + EDGE_WINDOW)) {
      k = 1;
    } else if (x >= 0.0 && x < width) {
      k = 2;
    } else {
      k = 3;
    }
    count[k]++;
    if (k > 0) {
      double e = x >= width ? x - width : x; /* time since the last edge */
      int b = 0;
      while (b < N_SINCE - 1 && !(e < since_to[b])) {
        b++;
      }
      since[b]++;
    }
    int d = (int)floor(log10(h)) + 13;
    size[d < 0 ? 0 : (d > N_DECADES ? N_DECADES : d)]++;
  }
  const ucl_solver_stats *st = ucl_trace_stats_const(tr);
  printf("steps %ld (CVODE: %ld), error-test failures %ld, newton failures %ld\n", total, st->steps,
         st->err_test_fails, st->nonlin_fails);
  for (int k = 0; k < 4; k++) {
    printf("  %-34s %8ld (%5.1f %%)\n", phase[k], count[k],
           100.0 * (double)count[k] / (double)total);
  }
  printf("steps outside spikes by the time since the last pulse edge:\n");
  for (int b = 0; b < N_SINCE; b++) {
    printf("  %s %-8.3g s %8ld\n",
           b < N_SINCE - 1 ? "<" : ">=", b < N_SINCE - 1 ? since_to[b] : since_to[b - 1], since[b]);
  }
  printf("step sizes:\n");
  for (int d = 0; d <= N_DECADES; d++) {
    if (size[d] > 0) {
      printf("  %s1e%+03d s %8ld\n", d == 0 ? "< " : (d == N_DECADES ? ">= " : ">= "), d - 13,
             size[d]);
    }
  }
  rc = 0;
cleanup:
  free(s.t);
  ucl_trace_destroy(&tr);
  ucl_neuron_destroy(&n);
  return rc;
}
