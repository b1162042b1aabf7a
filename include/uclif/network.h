/* network.h — networks of UC neurons (docs/spec.md "Networks", docs/model.md N1-N4): neurons
 * with per-neuron parameters, synapses (a resistor, optionally with a series diode) from one
 * neuron's output into another's input, external stimuli, a generator for layered feed-forward
 * networks, and their integration:
 *  - partitioned: one small CVODE per neuron in topological order; a neuron's synaptic inputs are
 *    its sources' recorded trajectories (Hermite interpolation between their steps, their latch
 *    and unlatch times as breaks). Cost per neuron is independent of the network's size.
 *  - coupled: the whole network as one CVODE system (dense), every SCR a root function. Needed for
 *    recurrent networks; the reference the partitioned integration is tested against.
 * Outputs drive their synapses as voltage sources (docs/model.md N3). */
#ifndef UCL_NETWORK_H
#define UCL_NETWORK_H

#include <stddef.h>

#include "uclif/params.h"
#include "uclif/status.h"
#include "uclif/trace.h"

#define UCL_NET_NAME_MAX 32

typedef enum ucl_net_integration {
  UCL_NET_AUTO = 0,        /* partitioned when the synapses form no cycle, else coupled */
  UCL_NET_PARTITIONED = 1, /* feed-forward networks only */
  UCL_NET_COUPLED = 2
} ucl_net_integration;

typedef struct ucl_net_neuron {
  char name[UCL_NET_NAME_MAX];
  ucl_params p; /* circuit and stimulus of this neuron (solver keys: the network's) */
  int external; /* its stimulus source is connected */
} ucl_net_neuron;

typedef struct ucl_net_synapse {
  char name[UCL_NET_NAME_MAX];
  size_t from, to; /* neuron indices */
  double R;        /* Ohm */
  int diode;       /* series diode into the target's membrane */
  int tap_axon;    /* taken from the source's node 'ax' (ahead of R6) instead of its output */
} ucl_net_synapse;

typedef struct ucl_network {
  ucl_params base; /* the [circuit]/[stimulus]/[solver] sections: defaults and the duration */
  int integration; /* ucl_net_integration */
  size_t n_neurons, n_synapses;
  ucl_net_neuron *neurons;
  ucl_net_synapse *synapses;
} ucl_network;

struct ucl_ini;

/* Whether a parsed spec file describes a network: it has a [network] or [layers] section or a
 * [neuron.NAME] / [synapse.NAME] section. */
int ucl_ini_is_network(const struct ucl_ini *ini);

/* Build a network from a parsed spec file ('path' names it in messages) and overrides 'sets':
 * "KEY=V" (every neuron, unless its own section sets KEY), "NEURON.KEY=V" (one neuron) and
 * "SYNAPSE.R=V" / "SYNAPSE.diode=V" (one synapse). Errors name file:line or the --set text.
 * Free with ucl_network_destroy. */
UCL_NODISCARD ucl_status ucl_network_from_ini(const char *path, const struct ucl_ini *ini,
                                              const char *const *sets, int n_sets,
                                              ucl_network **out, ucl_diag *diag);

/* Read 'path' and call ucl_network_from_ini. */
UCL_NODISCARD ucl_status ucl_network_load(const char *path, const char *const *sets, int n_sets,
                                          ucl_network **out, ucl_diag *diag);

void ucl_network_destroy(ucl_network **net);

/* Index of the neuron called 'name', or -1. */
long ucl_network_find(const ucl_network *net, const char *name);

/* 1 if the synapses form a cycle (a recurrent network). */
int ucl_network_has_cycle(const ucl_network *net);

typedef struct ucl_net_opts {
  int integration;    /* ucl_net_integration; UCL_NET_AUTO = the network's own choice */
  double sample_dt;   /* s; 0 = no waveforms */
  size_t max_samples; /* bound on waveform rows */
  /* Called with the neurons done so far (partitioned) or the simulated time reached (coupled);
   * may be NULL. */
  void (*progress)(void *ctx, double done, double total);
  void *progress_ctx;
} ucl_net_opts;

typedef struct ucl_net_neuron_result {
  double *spikes; /* latch times (s), sorted */
  size_t n_spikes;
  double E_in, E_vdd, E_syn; /* J: from the external source, VDD, through the synapses */
  double t_reached;          /* s */
  ucl_solver_stats stats;    /* partitioned: this neuron's; coupled: zero */
  ucl_status status;         /* UCL_OK or why this neuron's run failed */
  char reason[512];
} ucl_net_neuron_result;

typedef struct ucl_net_result {
  size_t n;
  ucl_net_neuron_result *neurons;
  int integration;        /* the one used: UCL_NET_PARTITIONED or UCL_NET_COUPLED */
  ucl_solver_stats stats; /* summed over all runs */
  size_t events;          /* latch and unlatch events in all */
  size_t peak_points;     /* partitioned: most trajectory points held at once */
  ucl_trace *waveforms;   /* sample_dt > 0: t_s + NEURON.CHANNEL columns, else NULL */
  char **names;           /* the waveform column names (owned) */
  size_t n_names;
} ucl_net_result;

/* Simulate 'net' for its duration. Returns UCL_OK when every neuron's run completed; a failed
 * neuron (UCL_ERR_SOLVER/EVENTS/LIMIT) has its status and reason in the result, the others go on
 * (in partitioned runs the neurons it feeds are not simulated, and say so), and the call returns
 * the first failure's status with 'diag' naming the neuron. UCL_ERR_INVAL for a recurrent network
 * with integration = partitioned, UCL_ERR_NOMEM for memory: *out is then NULL. */
UCL_NODISCARD ucl_status ucl_network_run(const ucl_network *net, const ucl_net_opts *opts,
                                         ucl_net_result **out, ucl_diag *diag);

void ucl_net_result_destroy(ucl_net_result **r);

/* Write a run's events.csv, neurons.csv and waveform.csv: see netresults.h, where it belongs
 * (the measure layer, src/measure/netresults.c). Declared here as well, for callers that include
 * only this header; the two declarations are checked against each other by netresults.c. */
UCL_NODISCARD ucl_status ucl_net_write_csv(const ucl_network *net, const ucl_net_result *r,
                                           const char *events_path, const char *neurons_path,
                                           const char *waveform_path, ucl_diag *diag);

#endif
