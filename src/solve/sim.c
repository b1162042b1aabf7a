/* sim.c — one simulation end to end, and its CSV output (the tables of waveform.csv and
 * events.csv). */
#include "uclif/sim.h"

#include <stddef.h>
#include <stdlib.h>

#include "uclif/circuit.h"
#include "uclif/columns.h"
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
    io.sample_t0 = opts->sample_t0;
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

/* ---- waveform.csv and events.csv ----------------------------------------------------------
 * A waveform row is one sample of the trace: the doubles t, channel 0, channel 1, ... A column
 * reads that row (part 0) at offset (1 + k)·sizeof(double) for channel k: an offset into an
 * array rather than a struct field, because the channels a neuron has depend on its type. The
 * static table lists every channel of every neuron type; the table a trace is written with is
 * built from it by the trace's channel names, in the trace's order (waveform_table_of). */

/* A channel's column: a waveform sample (offset set per trace by waveform_table_of). */
#define CHANNEL(name, unit, text)                                                                  \
  { name, unit, UCL_COL_SAMPLE, 0, 0, .procedure = "simulate", .meaning = text }

static const ucl_column waveform_cols[] = {
    {"t_s", "s", UCL_COL_REAL, 0, 0, NULL, NULL, NULL, NULL, "simulate",
     "time, at full precision: k·DT, or an event or stimulus edge (two rows, before and after, "
     "share it; an event's equals its `t_s` in events.csv)"},
    CHANNEL("V_in_V", "V", "input source voltage"),
    CHANNEL(UCL_TRACE_V_MEM, "V", "membrane (capacitor C, SCR anode)"),
    CHANNEL(UCL_TRACE_V_GATE, "V", "SCR gate (type I and II; not for `neuron = mott`)"),
    CHANNEL("V_cathode_V", "V", "SCR cathode = V_R3, drives T1"),
    CHANNEL("V_out_V", "V", "neuron output: T2's drain, the axon node `ax` (type I and II)"),
    CHANNEL("V_clamp_V", "V",
            "type II only: the node after R6 (`loop = peak`: clamped by D2 onto C2; "
            "`loop = series`: unloaded, equal to `V_out_V`)"),
    CHANNEL("V_C2_V", "V", "adaptation capacitor C2 (type II only)"),
    CHANNEL("I_anode_A", "A",
            "SCR anode current (off-state leakage when off); for `mott`, the switch's current"),
    CHANNEL(UCL_TRACE_I_GATE, "A",
            "current through the SCR gate-cathode junction (type I and II; not for `mott`)"),
    CHANNEL("I_in_A", "A", "current from the input source through R_in and D into the membrane"),
    CHANNEL("I_vdd_A", "A", "current drawn from VDD"),
    CHANNEL(UCL_TRACE_SCR_ON, "",
            "the soma's switch: 1 on (SCR latched, Mott device metallic), 0 off"),
};

static const ucl_table waveform_table = {"waveform.csv", waveform_cols,
                                         sizeof(waveform_cols) / sizeof(waveform_cols[0])};

const ucl_table *ucl_sim_waveform_table(void) {
  return &waveform_table;
}

static const char *event_kind_name(int kind) {
  return ucl_event_kind_name(kind);
}

static const ucl_column event_cols[] = {
    UCL_FIELD(REAL, "t_s", "s", 0, ucl_event, t, "simulate",
              "event time located by root-finding (a latch is a spike time)"),
    UCL_FIELD_ENUM("kind", 0, ucl_event, kind, event_kind_name, "simulate", "`latch` or `unlatch`"),
    UCL_FIELD(INT, "unit", "", 0, ucl_event, unit, "simulate",
              "which neuron (always 0 for a single neuron; networks write their own files, below)"),
    UCL_FIELD(REAL, "V_mem_V", "V", 0, ucl_event, v, "simulate",
              "membrane voltage at the event (at a latch: the firing threshold of the membrane)"),
};

static const ucl_table event_table = {"events.csv", event_cols,
                                      sizeof(event_cols) / sizeof(event_cols[0])};

const ucl_table *ucl_sim_events_table(void) {
  return &event_table;
}

/* The waveform table of 'tr' into cols[0..1 + n_channels): t_s, then the column of each channel
 * by name, reading the sample row at the channel's place. A channel the static table lacks is
 * UCL_ERR_INVAL (every output column is documented). */
static ucl_status waveform_table_of(const ucl_trace *tr, ucl_column *cols, ucl_table *t,
                                    ucl_diag *diag) {
  int nc = ucl_trace_n_channels(tr);
  if (nc > UCL_SIM_MAX_CHANNELS) {
    return ucl_diag_set(diag, UCL_ERR_INVAL, "waveform.csv: %d channels, at most %d", nc,
                        UCL_SIM_MAX_CHANNELS);
  }
  cols[0] = waveform_cols[0];
  for (int k = 0; k < nc; k++) {
    const char *name = ucl_trace_channel_name(tr, k);
    long i = ucl_table_find(&waveform_table, name);
    if (i <= 0) {
      return ucl_diag_set(diag, UCL_ERR_INVAL, "waveform.csv: channel '%s' has no column", name);
    }
    cols[k + 1] = waveform_cols[i];
    cols[k + 1].offset = (size_t)(k + 1) * sizeof(double);
  }
  t->file = waveform_table.file;
  t->cols = cols;
  t->n = (size_t)nc + 1;
  return UCL_OK;
}

/* Open 'path' with the header of 't' and write one row per part (part(tr, i) for i < n, each
 * the only part of its row). The file is left open in *w for the caller to commit. */
static ucl_status write_table(const ucl_table *t, const char *path,
                              const void *(*part)(const ucl_trace *, size_t), const ucl_trace *tr,
                              size_t n, ucl_csv_writer **w, ucl_diag *diag) {
  ucl_status st = ucl_table_open(t, path, w, diag);
  for (size_t i = 0; st == UCL_OK && i < n; i++) {
    const void *parts[1] = {part(tr, i)};
    st = ucl_table_write_row(t, parts, *w, diag);
  }
  return st;
}

static const void *sample_part(const ucl_trace *tr, size_t i) {
  return ucl_trace_sample(tr, i);
}

static const void *event_part(const ucl_trace *tr, size_t i) {
  return ucl_trace_event(tr, i);
}

ucl_status ucl_sim_write_csv(const ucl_trace *tr, const char *waveform_path,
                             const char *events_path, ucl_diag *diag) {
  ucl_csv_writer *ww = NULL, *we = NULL;
  ucl_status st = UCL_OK;
  if (waveform_path) {
    ucl_column cols[UCL_SIM_MAX_CHANNELS + 1];
    ucl_table t;
    st = waveform_table_of(tr, cols, &t, diag);
    if (st == UCL_OK) {
      st = write_table(&t, waveform_path, sample_part, tr, ucl_trace_n_samples(tr), &ww, diag);
    }
  }
  if (st == UCL_OK && events_path) {
    st = write_table(&event_table, events_path, event_part, tr, ucl_trace_n_events(tr), &we, diag);
  }
  if (st == UCL_OK) { /* both files appear, or neither */
    ucl_csv_writer *ws[2] = {ww, we};
    ww = we = NULL;
    st = ucl_csv_commit_all(ws, 2, diag);
  }
  ucl_csv_abort(&ww);
  ucl_csv_abort(&we);
  return st;
}
