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
    {"neuron", "", UCL_COL_TEXT, NEURON, offsetof(ucl_net_neuron, name), NULL, NULL, NULL, NULL, "",
     "name"},
    {"type", "", UCL_COL_CELL, NEURON, 0, NULL, type_cell, NULL, NULL, "",
     "`type1`, `type2` or `mott`"},
    {"input", "", UCL_COL_ENUM, NEURON, offsetof(ucl_net_neuron, external), input_name, NULL, NULL,
     NULL, "", "`external` (the stimulus drives it through R_in) or `none`"},
    {"fan_in", "", UCL_COL_LONG, FEATURES, offsetof(ucl_net_neuron_features, fan_in), NULL, NULL,
     NULL, NULL, "", "synapses into the neuron"},
    {"spikes", "", UCL_COL_LONG, FEATURES, offsetof(ucl_net_neuron_features, spikes), NULL, NULL,
     NULL, NULL, "network", "latch events"},
    {"rate_Hz", "Hz", UCL_COL_REAL, FEATURES, offsetof(ucl_net_neuron_features, train.rate_mean_Hz),
     NULL, NULL, NULL, NULL, "spike_train", "spikes / duration"},
    {"rate_first_isi_Hz", "Hz", UCL_COL_REAL, FEATURES,
     offsetof(ucl_net_neuron_features, train.rate_first_isi_Hz), NULL, NULL, NULL, NULL,
     "spike_train", "1 / first ISI"},
    {"rate_steady_Hz", "Hz", UCL_COL_REAL, FEATURES,
     offsetof(ucl_net_neuron_features, train.rate_steady_Hz), NULL, NULL, NULL, NULL, "spike_train",
     "1 / mean of the ISIs that end in the last half of the window"},
    {"latency_s", "s", UCL_COL_REAL, FEATURES, offsetof(ucl_net_neuron_features, train.latency_s),
     NULL, NULL, NULL, NULL, "spike_train", "first spike time"},
    {"isi_mean_s", "s", UCL_COL_REAL, FEATURES, offsetof(ucl_net_neuron_features, train.isi_mean_s),
     NULL, NULL, NULL, NULL, "spike_train", "mean ISI"},
    {"isi_cv", "", UCL_COL_REAL, FEATURES, offsetof(ucl_net_neuron_features, train.isi_cv), NULL,
     NULL, NULL, NULL, "spike_train", "ISI coefficient of variation"},
    {"adapt_index_efel", "", UCL_COL_REAL, FEATURES,
     offsetof(ucl_net_neuron_features, train.adapt_index_efel), NULL, NULL, NULL, NULL,
     "spike_train", "eFEL-style adaptation index (docs/features.md)"},
    {"adapt_index_ipfx", "", UCL_COL_REAL, FEATURES,
     offsetof(ucl_net_neuron_features, train.adapt_index_ipfx), NULL, NULL, NULL, NULL,
     "spike_train", "IPFX-style adaptation index (docs/features.md)"},
    {"tau_adapt_s", "s", UCL_COL_REAL, FEATURES, offsetof(ucl_net_neuron_features, adapt.tau_s),
     NULL, NULL, NULL, NULL, "rate_decay",
     "time constant of the instantaneous-rate decay fit (≥ 5 spikes)"},
    {"rate_adapt_r2", "", UCL_COL_REAL, FEATURES, offsetof(ucl_net_neuron_features, adapt.r2), NULL,
     NULL, NULL, NULL, "rate_decay", "R² of that fit"},
    {"E_in_J", "J", UCL_COL_REAL, RESULT, offsetof(ucl_net_neuron_result, E_in), NULL, NULL, NULL,
     NULL, "network", "energy delivered by the neuron's external source"},
    {"E_vdd_J", "J", UCL_COL_REAL, RESULT, offsetof(ucl_net_neuron_result, E_vdd), NULL, NULL, NULL,
     NULL, "network", "energy delivered by its VDD"},
    {"E_syn_J", "J", UCL_COL_REAL, RESULT, offsetof(ucl_net_neuron_result, E_syn), NULL, NULL, NULL,
     NULL, "network", "energy delivered into it through its synapses (docs/model.md E3)"},
    {"E_per_spike_J", "J", UCL_COL_REAL, FEATURES, offsetof(ucl_net_neuron_features, E_per_spike_J),
     NULL, NULL, NULL, NULL, "network", "(E_in + E_vdd + E_syn) / spikes"},
    {"steps", "", UCL_COL_LONG, RESULT, offsetof(ucl_net_neuron_result, stats.steps), NULL, NULL,
     NULL, NULL, "network", "CVODE steps of its own integration (partitioned; 0 when coupled)"},
    {"status", "", UCL_COL_ENUM, RESULT, offsetof(ucl_net_neuron_result, status), status_name, NULL,
     NULL, NULL, "network", "`ok`, or why its run failed (`solver`, `chattering`, `limit`)"},
    {"reason", "", UCL_COL_TEXT, RESULT, offsetof(ucl_net_neuron_result, reason), NULL, NULL, NULL,
     NULL, "network", "the message; a neuron fed by a failed neuron is not simulated and says so"},
};

static const ucl_column event_cols[] = {
    {"t_s", "s", UCL_COL_REAL, UCL_NET_EVENT_PART_SPIKE, offsetof(ucl_net_spike, t_s), NULL, NULL,
     NULL, NULL, "network", "latch time of the neuron's SCR (root-finding)"},
    {"neuron", "", UCL_COL_TEXT, UCL_NET_EVENT_PART_NEURON, offsetof(ucl_net_neuron, name), NULL,
     NULL, NULL, NULL, "", "its name (`N3`, `L2_17`)"},
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

/* Open 'path' with the columns of table t. */
static ucl_status open_table(const char *path, const ucl_table *t, ucl_csv_writer **w,
                             ucl_diag *diag) {
  const char **names = malloc(t->n * sizeof(char *));
  if (!names) {
    return ucl_diag_set(diag, UCL_ERR_NOMEM, "out of memory");
  }
  ucl_table_names(t, names);
  ucl_status st = ucl_csv_open(path, names, (int)t->n, w, diag);
  free(names);
  return st;
}

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
  ucl_status st = open_table(path, &events_table, w, diag);
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
  st = open_table(path, &neurons_table, w, diag);
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
