/* netresults.c — a network run's per-neuron features and its CSV files (netresults.h): the
 * tables of neurons.csv and events.csv, and the writer of events.csv, neurons.csv and
 * waveform.csv. */
#include "uclif/netresults.h"

#include <math.h>
#include <stddef.h>
#include <stdlib.h>

/* ---- the tables ---- */

/* The neuron kind's name as the spec writes it (type1, type2, mott). */
static ucl_status type_cell(ucl_csv_writer *w, const void *part, const ucl_column *c) {
  (void)c;
  const ucl_net_neuron *nn = part;
  char type[16];
  ucl_params_format(&nn->p, ucl_params_find("neuron"), type, sizeof(type));
  return ucl_csv_text(w, type);
}

static const char *input_name(int external) {
  return external ? "external" : "none";
}

static const char *status_name(int s) {
  return ucl_status_name((ucl_status)s);
}

static ucl_status spike_cell(ucl_csv_writer *w, const void *part, const ucl_column *c) {
  (void)part;
  (void)c;
  return ucl_csv_text(w, "spike");
}

#define NEURON UCL_NET_NEURON_PART_NEURON
#define RESULT UCL_NET_NEURON_PART_RESULT
#define FEATURES UCL_NET_NEURON_PART_FEATURES

static const ucl_column neuron_cols[] = {
    UCL_FIELD(TEXT, "neuron", "", NEURON, ucl_net_neuron, name, "", "name"),
    {"type", "", UCL_COL_CELL, NEURON, 0, NULL, type_cell, NULL, NULL, "",
     "`type1`, `type2` or `mott`"},
    UCL_FIELD_ENUM("input", NEURON, ucl_net_neuron, external, input_name, "",
                   "`external` (the stimulus drives it through R_in) or `none`"),
    UCL_FIELD(LONG, "fan_in", "", FEATURES, ucl_net_neuron_features, fan_in, "",
              "synapses into the neuron"),
    UCL_FIELD(LONG, "spikes", "", FEATURES, ucl_net_neuron_features, spikes, "network",
              "latch events"),
    UCL_FIELD(REAL, "rate_Hz", "Hz", FEATURES, ucl_net_neuron_features, train.rate_mean_Hz,
              "spike_train", "spikes / duration"),
    UCL_FIELD(REAL, "rate_first_isi_Hz", "Hz", FEATURES, ucl_net_neuron_features,
              train.rate_first_isi_Hz, "spike_train", "1 / first ISI"),
    UCL_FIELD(REAL, "rate_steady_Hz", "Hz", FEATURES, ucl_net_neuron_features, train.rate_steady_Hz,
              "spike_train", "1 / mean of the ISIs that end in the last half of the window"),
    UCL_FIELD(REAL, "latency_s", "s", FEATURES, ucl_net_neuron_features, train.latency_s,
              "spike_train", "first spike time"),
    UCL_FIELD(REAL, "isi_mean_s", "s", FEATURES, ucl_net_neuron_features, train.isi_mean_s,
              "spike_train", "mean ISI"),
    UCL_FIELD(REAL, "isi_cv", "", FEATURES, ucl_net_neuron_features, train.isi_cv, "spike_train",
              "ISI coefficient of variation"),
    UCL_FIELD(REAL, "adapt_index_efel", "", FEATURES, ucl_net_neuron_features,
              train.adapt_index_efel, "spike_train",
              "eFEL-style adaptation index (docs/features.md)"),
    UCL_FIELD(REAL, "adapt_index_ipfx", "", FEATURES, ucl_net_neuron_features,
              train.adapt_index_ipfx, "spike_train",
              "IPFX-style adaptation index (docs/features.md)"),
    UCL_FIELD(REAL, "tau_adapt_s", "s", FEATURES, ucl_net_neuron_features, adapt.tau_s,
              "rate_decay", "time constant of the instantaneous-rate decay fit (≥ 5 spikes)"),
    UCL_FIELD(REAL, "rate_adapt_r2", "", FEATURES, ucl_net_neuron_features, adapt.r2, "rate_decay",
              "R² of that fit"),
    UCL_FIELD(REAL, "E_in_J", "J", RESULT, ucl_net_neuron_result, E_in, "network",
              "energy delivered by the neuron's external source"),
    UCL_FIELD(REAL, "E_vdd_J", "J", RESULT, ucl_net_neuron_result, E_vdd, "network",
              "energy delivered by its VDD"),
    UCL_FIELD(REAL, "E_syn_J", "J", RESULT, ucl_net_neuron_result, E_syn, "network",
              "energy delivered into it through its synapses (docs/model.md E3)"),
    UCL_FIELD(REAL, "E_per_spike_J", "J", FEATURES, ucl_net_neuron_features, E_per_spike_J,
              "network", "(E_in + E_vdd + E_syn) / spikes"),
    UCL_FIELD(LONG, "steps", "", RESULT, ucl_net_neuron_result, stats.steps, "network",
              "CVODE steps of its own integration (partitioned, relaxation: every sweep; 0 when coupled)"),
    UCL_FIELD_ENUM("status", RESULT, ucl_net_neuron_result, status, status_name, "network",
                   "`ok`, or why its run failed (`solver`, `chattering`, `limit`)"),
    UCL_FIELD(TEXT, "reason", "", RESULT, ucl_net_neuron_result, reason, "network",
              "the message; a neuron fed by a failed neuron is not simulated and says so"),
};

static const ucl_column event_cols[] = {
    UCL_FIELD(REAL, "t_s", "s", UCL_NET_EVENT_PART_SPIKE, ucl_net_spike, t_s, "network",
              "latch time of the neuron's SCR (root-finding)"),
    UCL_FIELD(TEXT, "neuron", "", UCL_NET_EVENT_PART_NEURON, ucl_net_neuron, name, "",
              "its name (`N3`, `L2_17`)"),
    {"kind", "", UCL_COL_CELL, UCL_NET_EVENT_PART_SPIKE, 0, NULL, spike_cell, NULL, NULL, "network",
     "`spike`"},
};

static const ucl_table neurons_table = {"neurons.csv", neuron_cols,
                                        sizeof(neuron_cols) / sizeof(neuron_cols[0])};
static const ucl_table events_table = {"events.csv", event_cols,
                                       sizeof(event_cols) / sizeof(event_cols[0])};

const ucl_table *ucl_net_neurons_table(void) {
  return &neurons_table;
}

const ucl_table *ucl_net_events_table(void) {
  return &events_table;
}

/* ---- per-neuron features ---- */

void ucl_net_measure_neuron(const ucl_network *net, const ucl_net_result *r, size_t i,
                            size_t fan_in, ucl_net_neuron_features *out) {
  const ucl_net_neuron_result *nr = &r->neurons[i];
  out->fan_in = (long)fan_in;
  out->spikes = (long)nr->n_spikes;
  ucl_features_train(nr->spikes, nr->n_spikes, 0.0, net->base.stim.duration, &out->train);
  out->adapt = (ucl_rate_fit){NAN, NAN, NAN, NAN, 0};
  if (nr->n_spikes >= 5 && ucl_fit_rate_decay(nr->spikes, nr->n_spikes, &out->adapt) != UCL_OK) {
    out->adapt.tau_s = out->adapt.r2 = NAN;
  }
  double E = nr->E_in + nr->E_vdd + nr->E_syn;
  out->E_per_spike_J = nr->n_spikes ? E / (double)nr->n_spikes : NAN;
}

ucl_net_totals ucl_net_total(const ucl_net_result *r) {
  ucl_net_totals t = {0, 0, 0, 0.0};
  for (size_t k = 0; k < r->n; k++) {
    const ucl_net_neuron_result *nr = &r->neurons[k];
    t.spikes += nr->n_spikes;
    t.silent += nr->n_spikes == 0;
    t.failed += nr->status != UCL_OK;
    t.E_J += nr->E_in + nr->E_vdd + nr->E_syn;
  }
  return t;
}

ucl_status ucl_net_measure(const ucl_network *net, const ucl_net_result *r,
                           ucl_net_neuron_features **out, ucl_diag *diag) {
  *out = NULL;
  size_t *fan_in = calloc(r->n ? r->n : 1, sizeof(size_t));
  ucl_net_neuron_features *f = malloc((r->n ? r->n : 1) * sizeof(*f));
  if (!fan_in || !f) {
    free(fan_in);
    free(f);
    return ucl_diag_set(diag, UCL_ERR_NOMEM, "out of memory measuring the neurons");
  }
  for (size_t s = 0; s < net->n_synapses; s++) {
    fan_in[net->synapses[s].to]++;
  }
  for (size_t i = 0; i < r->n; i++) {
    ucl_net_measure_neuron(net, r, i, fan_in[i], &f[i]);
  }
  free(fan_in);
  *out = f;
  return UCL_OK;
}

void ucl_net_neuron_parts(const ucl_network *net, const ucl_net_result *r,
                          const ucl_net_neuron_features *f, size_t i, const long *id,
                          const void **parts) {
  parts[UCL_NET_NEURON_PART_ID] = id;
  parts[UCL_NET_NEURON_PART_NEURON] = &net->neurons[i];
  parts[UCL_NET_NEURON_PART_RESULT] = &r->neurons[i];
  parts[UCL_NET_NEURON_PART_FEATURES] = f;
}

/* ---- the files ---- */

/* Keep the file open in *w for the caller to commit when st is UCL_OK, else drop it; st. */
static ucl_status finish(ucl_csv_writer **w, ucl_status st) {
  if (st != UCL_OK) {
    ucl_csv_abort(w);
  }
  return st;
}

static int spike_cmp(const void *a, const void *b) {
  const ucl_net_spike *x = a, *y = b;
  if (x->t_s != y->t_s) {
    return x->t_s < y->t_s ? -1 : 1;
  }
  return x->neuron < y->neuron ? -1 : (x->neuron > y->neuron);
}

/* events.csv: every neuron's spikes, by time (then neuron index). */
static ucl_status write_events(const ucl_network *net, const ucl_net_result *r, const char *path,
                               ucl_csv_writer **w, ucl_diag *diag) {
  size_t n = 0;
  for (size_t i = 0; i < r->n; i++) {
    n += r->neurons[i].n_spikes;
  }
  ucl_net_spike *ev = malloc((n ? n : 1) * sizeof(*ev));
  if (!ev) {
    return ucl_diag_set(diag, UCL_ERR_NOMEM, "out of memory");
  }
  size_t k = 0;
  for (size_t i = 0; i < r->n; i++) {
    for (size_t j = 0; j < r->neurons[i].n_spikes; j++) {
      ev[k++] = (ucl_net_spike){r->neurons[i].spikes[j], i};
    }
  }
  qsort(ev, n, sizeof(*ev), spike_cmp);
  ucl_status st = ucl_table_open(&events_table, path, w, diag);
  for (size_t i = 0; st == UCL_OK && i < n; i++) {
    const void *parts[UCL_NET_EVENT_PARTS];
    parts[UCL_NET_EVENT_PART_SPIKE] = &ev[i];
    parts[UCL_NET_EVENT_PART_NEURON] = &net->neurons[ev[i].neuron];
    st = ucl_table_write_row(&events_table, parts, *w, diag);
  }
  free(ev);
  return finish(w, st);
}

/* neurons.csv: one row per neuron, in spec order. */
static ucl_status write_neurons(const ucl_network *net, const ucl_net_result *r, const char *path,
                                ucl_csv_writer **w, ucl_diag *diag) {
  ucl_net_neuron_features *f = NULL;
  ucl_status st = ucl_net_measure(net, r, &f, diag);
  if (st != UCL_OK) {
    return st;
  }
  st = ucl_table_open(&neurons_table, path, w, diag);
  for (size_t i = 0; st == UCL_OK && i < r->n; i++) {
    const void *parts[UCL_NET_NEURON_PARTS];
    ucl_net_neuron_parts(net, r, &f[i], i, NULL, parts);
    st = ucl_table_write_row(&neurons_table, parts, *w, diag);
  }
  free(f);
  return finish(w, st);
}

/* waveform.csv: t_s and the run's NEURON.CHANNEL columns, a row per sample. */
static ucl_status write_waveforms(const ucl_trace *tr, const char *path, ucl_csv_writer **w,
                                  ucl_diag *diag) {
  int nc = ucl_trace_n_channels(tr);
  const char **cols = malloc((size_t)(nc + 1) * sizeof(char *));
  if (!cols) {
    return ucl_diag_set(diag, UCL_ERR_NOMEM, "out of memory");
  }
  cols[0] = "t_s";
  for (int k = 0; k < nc; k++) {
    cols[k + 1] = ucl_trace_channel_name(tr, k);
  }
  ucl_status st = ucl_csv_open(path, cols, nc + 1, w, diag);
  free(cols);
  for (size_t i = 0; st == UCL_OK && i < ucl_trace_n_samples(tr); i++) {
    const double *row = ucl_trace_sample(tr, i);
    for (int k = 0; k <= nc && st == UCL_OK; k++) {
      if (ucl_csv_double(*w, row[k]) != UCL_OK) {
        st = ucl_diag_set(diag, UCL_ERR_IO, "writing %s failed", path);
      }
    }
    if (st == UCL_OK) {
      st = ucl_csv_end_row(*w, diag);
    }
  }
  return finish(w, st);
}

ucl_status ucl_net_write_csv(const ucl_network *net, const ucl_net_result *r,
                             const char *events_path, const char *neurons_path,
                             const char *waveform_path, ucl_diag *diag) {
  ucl_csv_writer *ws[3] = {NULL, NULL, NULL}; /* committed together: all files appear, or none */
  ucl_status st = UCL_OK;
  if (events_path) {
    st = write_events(net, r, events_path, &ws[0], diag);
  }
  if (st == UCL_OK && neurons_path) {
    st = write_neurons(net, r, neurons_path, &ws[1], diag);
  }
  if (st == UCL_OK && waveform_path && r->waveforms) {
    st = write_waveforms(r->waveforms, waveform_path, &ws[2], diag);
  }
  if (st == UCL_OK) {
    return ucl_csv_commit_all(ws, 3, diag);
  }
  for (int i = 0; i < 3; i++) {
    ucl_csv_abort(&ws[i]);
  }
  return st;
}
