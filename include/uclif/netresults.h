/* netresults.h — what a network run measures per neuron, and the files it writes
 * (docs/outputs.md, Networks; docs/features.md, Networks): the tables of neurons.csv and
 * events.csv (columns.h), each neuron's spike-train features, rate-decay fit and energy per
 * spike, and the writer of a run's events.csv, neurons.csv and waveform.csv. A new per-neuron
 * quantity is one field of ucl_net_neuron_features (or of the run's ucl_net_neuron_result) and
 * one row of the neurons.csv table. Not collective; no global state beyond the static tables. */
#ifndef UCL_NETRESULTS_H
#define UCL_NETRESULTS_H

#include <stddef.h>

#include "uclif/columns.h"
#include "uclif/csvio.h"
#include "uclif/features.h"
#include "uclif/netrun.h"
#include "uclif/network.h"
#include "uclif/status.h"

/* What is measured on one neuron of a run (beyond the run's own ucl_net_neuron_result). */
typedef struct ucl_net_neuron_features {
  long fan_in;              /* synapses into the neuron */
  long spikes;              /* its latch events over the run (the result's n_spikes) */
  ucl_train_features train; /* spike-train features over [0, duration] (features.h) */
  ucl_rate_fit adapt;       /* rate-decay fit: tau_s and r2 NAN unless it has >= 5 spikes and the
                               fit succeeded (the other fields are not written) */
  double E_per_spike_J;     /* J: (E_in + E_vdd + E_syn) / spikes; NAN without spikes */
} ucl_net_neuron_features;

/* The parts of a neurons.csv row (ucl_table_write_row): a long (a sweep's point index; not read
 * by the table of a run), the neuron (ucl_net_neuron), its run (ucl_net_neuron_result), its
 * features (ucl_net_neuron_features). */
enum {
  UCL_NET_NEURON_PART_ID = 0,
  UCL_NET_NEURON_PART_NEURON = 1,
  UCL_NET_NEURON_PART_RESULT = 2,
  UCL_NET_NEURON_PART_FEATURES = 3,
  UCL_NET_NEURON_PARTS = 4
};

/* One spike of the network: a row of events.csv. */
typedef struct ucl_net_spike {
  double t_s;    /* s: latch time */
  size_t neuron; /* index into the network's neurons */
} ucl_net_spike;

/* The parts of an events.csv row: the spike (ucl_net_spike), its neuron (ucl_net_neuron). */
enum { UCL_NET_EVENT_PART_SPIKE = 0, UCL_NET_EVENT_PART_NEURON = 1, UCL_NET_EVENT_PARTS = 2 };

/* The tables of a network run's neurons.csv and events.csv (static). */
const ucl_table *ucl_net_neurons_table(void);
const ucl_table *ucl_net_events_table(void);

/* The features of neuron i of run r of net, fan_in its synapses in. */
void ucl_net_measure_neuron(const ucl_network *net, const ucl_net_result *r, size_t i,
                            size_t fan_in, ucl_net_neuron_features *out);

/* A run's totals over its neurons: spikes, neurons without a spike, neurons whose run failed (or
 * was not run), and the energy of all of them (E_in + E_vdd + E_syn, J). */
typedef struct ucl_net_totals {
  size_t spikes, silent, failed;
  double E_J;
} ucl_net_totals;

ucl_net_totals ucl_net_total(const ucl_net_result *r);

/* The features of every neuron of run r: on success *out is a malloc'd array of r->n (the
 * caller frees it); UCL_ERR_NOMEM otherwise (*out NULL). */
UCL_NODISCARD ucl_status ucl_net_measure(const ucl_network *net, const ucl_net_result *r,
                                         ucl_net_neuron_features **out, ucl_diag *diag);

/* Fill parts[UCL_NET_NEURON_PARTS] for neuron i (f its features; id the point, may be NULL for
 * a run's own neurons.csv). Everything is borrowed. */
void ucl_net_neuron_parts(const ucl_network *net, const ucl_net_result *r,
                          const ucl_net_neuron_features *f, size_t i, const long *id,
                          const void **parts);

/* Write DIR-style outputs of run r: events (every spike in time order), neurons (one row per
 * neuron, spec order) and, when the result has them, waveforms (t_s and the run's NEURON.CHANNEL
 * columns). Each path may be NULL to skip it; the files appear complete and all together, or
 * none does (ucl_csv_commit_all). UCL_ERR_IO or UCL_ERR_NOMEM with diag naming the file. */
UCL_NODISCARD ucl_status ucl_net_write_csv(const ucl_network *net, const ucl_net_result *r,
                                           const char *events_path, const char *neurons_path,
                                           const char *waveform_path, ucl_diag *diag);

#endif
