/* sim.c — one simulation end to end, and its CSV output. */
#include "uclif/sim.h"

#include <stdlib.h>

#include "uclif/circuit.h"
#include "uclif/csvio.h"
#include "uclif/integrator.h"

ucl_status ucl_sim_run(const ucl_params *p, const ucl_sim_opts *opts, ucl_trace **trace_out,
                       ucl_diag *diag) {
  *trace_out = NULL;
  ucl_neuron *n = NULL;
  ucl_trace *tr = NULL;
  ucl_status st = ucl_neuron_create(p, &n, diag);
  if (st != UCL_OK) {
    return st;
  }
  const ucl_system *sys = ucl_neuron_system(n);
  size_t max_samples = 0;
  ucl_integrator_opts io = ucl_integrator_opts_from_params(&p->solver);
  if (opts) {
    io.sample_dt = opts->sample_dt;
    io.sample_edges = opts->sample_edges;
    max_samples = opts->max_samples;
    io.progress = opts->progress;
    io.progress_ctx = opts->progress_ctx;
    io.track_root_peaks = opts->track_root_peaks;
    io.stop_after_latches = opts->stop_after_latches;
  }
  st = ucl_trace_create(sys->n_channels, sys->channel_names, max_samples, &tr, diag);
  if (st != UCL_OK) {
    goto cleanup;
  }
  st = ucl_integrate(sys, &io, p->stim.duration, tr, diag);
  if (st == UCL_OK || st == UCL_ERR_SOLVER || st == UCL_ERR_EVENTS || st == UCL_ERR_LIMIT) {
    *trace_out = tr;
    tr = NULL;
  }
cleanup:
  ucl_trace_destroy(&tr);
  ucl_neuron_destroy(&n);
  return st;
}

long ucl_sim_spike_count(const ucl_trace *tr) {
  long n = 0;
  for (size_t i = 0; i < ucl_trace_n_events(tr); i++) {
    n += (ucl_trace_event(tr, i)->kind == UCL_EVENT_LATCH);
  }
  return n;
}

ucl_status ucl_sim_spike_times(const ucl_trace *tr, double **times, size_t *n) {
  size_t m = (size_t)ucl_sim_spike_count(tr);
  *times = NULL;
  *n = 0;
  if (m == 0) {
    return UCL_OK;
  }
  double *t = malloc(m * sizeof(*t));
  if (!t) {
    return UCL_ERR_NOMEM;
  }
  size_t k = 0;
  for (size_t i = 0; i < ucl_trace_n_events(tr); i++) {
    const ucl_event *e = ucl_trace_event(tr, i);
    if (e->kind == UCL_EVENT_LATCH) {
      t[k++] = e->t;
    }
  }
  *times = t;
  *n = k;
  return UCL_OK;
}

static ucl_status write_waveform(const ucl_trace *tr, ucl_csv_writer *w, ucl_diag *diag) {
  int nc = ucl_trace_n_channels(tr);
  for (size_t i = 0; i < ucl_trace_n_samples(tr); i++) {
    const double *row = ucl_trace_sample(tr, i);
    for (int k = 0; k <= nc; k++) {
      if (ucl_csv_double(w, row[k]) != UCL_OK) {
        break;
      }
    }
    ucl_status st = ucl_csv_end_row(w, diag);
    if (st != UCL_OK) {
      return st;
    }
  }
  return UCL_OK;
}

static ucl_status write_events(const ucl_trace *tr, ucl_csv_writer *w, ucl_diag *diag) {
  for (size_t i = 0; i < ucl_trace_n_events(tr); i++) {
    const ucl_event *e = ucl_trace_event(tr, i);
    if (ucl_csv_double(w, e->t) == UCL_OK &&
        ucl_csv_text(w, ucl_event_kind_name(e->kind)) == UCL_OK &&
        ucl_csv_long(w, e->unit) == UCL_OK) {
      (void)!ucl_csv_double(w, e->v);
    }
    ucl_status st = ucl_csv_end_row(w, diag);
    if (st != UCL_OK) {
      return st;
    }
  }
  return UCL_OK;
}

ucl_status ucl_sim_write_csv(const ucl_trace *tr, const char *waveform_path,
                             const char *events_path, ucl_diag *diag) {
  ucl_csv_writer *ww = NULL, *we = NULL;
  ucl_status st = UCL_OK;
  if (waveform_path) {
    int nc = ucl_trace_n_channels(tr);
    const char *cols[64];
    if (nc + 1 > 64) {
      return ucl_diag_set(diag, UCL_ERR_INVAL, "too many channels");
    }
    cols[0] = "t_s";
    for (int k = 0; k < nc; k++) {
      cols[k + 1] = ucl_trace_channel_name(tr, k);
    }
    st = ucl_csv_open(waveform_path, cols, nc + 1, &ww, diag);
    if (st == UCL_OK) {
      st = write_waveform(tr, ww, diag);
    }
  }
  if (st == UCL_OK && events_path) {
    static const char *const ecols[] = {"t_s", "kind", "unit", "V_mem_V"};
    st = ucl_csv_open(events_path, ecols, 4, &we, diag);
    if (st == UCL_OK) {
      st = write_events(tr, we, diag);
    }
  }
  if (st == UCL_OK && ww) {
    st = ucl_csv_commit(&ww, diag);
  }
  if (st == UCL_OK && we) {
    st = ucl_csv_commit(&we, diag);
  }
  ucl_csv_abort(&ww);
  ucl_csv_abort(&we);
  return st;
}
