/* network.h — networks of UC neurons (docs/spec.md "Networks", docs/model.md N1-N5): neurons
 * with per-neuron parameters, synapses (a resistor, optionally with a series diode) from one
 * neuron's output into another's input, external stimuli, generators for layered feed-forward
 * networks ([layers]) and recurrent ones ([recurrent]: random, ring, all-to-all, autapse), and
 * their integration:
 *  - partitioned: one small CVODE per neuron in topological order; a neuron's synaptic inputs are
 *    its sources' recorded trajectories (Hermite interpolation between their steps, their latch
 *    and unlatch times as breaks). Cost per neuron is independent of the network's size.
 *  - coupled: the whole network as one CVODE system, every SCR a root function, with a dense
 *    Jacobian (the reference the partitioned integration is tested against) or a sparse one
 *    (the network's pattern, coloured finite differences, KLU). Needed for recurrent networks.
 * Outputs drive their synapses as voltage sources (docs/model.md N3). */
#ifndef UCL_NETWORK_H
#define UCL_NETWORK_H

#include <stddef.h>

#include "uclif/params.h"
#include "uclif/status.h"

#define UCL_NET_NAME_MAX 32

typedef enum ucl_net_integration {
  UCL_NET_AUTO = 0,        /* partitioned when the synapses form no cycle, else relaxation */
  UCL_NET_PARTITIONED = 1, /* feed-forward networks only */
  UCL_NET_COUPLED = 2,
  UCL_NET_RELAX = 3 /* waveform relaxation: any network (docs/model.md N4) */
} ucl_net_integration;

/* The Jacobian of a coupled integration ([network] jacobian). */
typedef enum ucl_net_jacobian {
  UCL_NET_JAC_DENSE = 0, /* dense matrix, one right-hand side per state (the reference) */
  UCL_NET_JAC_SPARSE = 1 /* the network's pattern, coloured finite differences, KLU */
} ucl_net_jacobian;

/* Where a coupled integration restarts CVODE ([network] reinit; docs/model.md N4). */
typedef enum ucl_net_reinit {
  UCL_NET_REINIT_ALL = 0,     /* at every stimulus break and every latch or unlatch */
  UCL_NET_REINIT_SWITCHES = 1 /* at latches and unlatches only: CVODE keeps its history at breaks */
} ucl_net_reinit;

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
  int tap_clamp;   /* taken from the source's node after R6 (type II) instead of its output */
} ucl_net_synapse;

/* Waveform relaxation ([network] relax.* keys; docs/model.md N4, docs/spec.md). */
typedef struct ucl_net_relax {
  double window;   /* s, > 0: the windows the network converges by (default 5 us) */
  double tol_V;    /* V, > 0: a re-integrated record whose output moved less counts unchanged
                      (default 1 mV) */
  double tol_t;    /* s, > 0: and whose mode switches moved less (default 10 ns) */
  long max_sweeps; /* >= 1: sweeps of a loop in one window before it fails (default 100) */
} ucl_net_relax;

/* The defaults above. */
ucl_net_relax ucl_net_relax_default(void);

typedef struct ucl_network {
  ucl_params base; /* the [circuit]/[stimulus]/[solver] sections: defaults and the duration */
  int integration; /* ucl_net_integration */
  ucl_net_relax relax;
  int jacobian; /* ucl_net_jacobian (coupled integration only) */
  int reinit;   /* ucl_net_reinit (coupled integration only) */
  size_t n_neurons, n_synapses;
  ucl_net_neuron *neurons;
  ucl_net_synapse *synapses;
} ucl_network;

struct ucl_ini;

/* Whether a parsed spec file describes a network: it has a [network], [layers] or [recurrent]
 * section or a [neuron.NAME] / [synapse.NAME] section. */
int ucl_ini_is_network(const struct ucl_ini *ini);

/* Build a network from a parsed spec file ('path' names it in messages): explicit sections, or
 * one generator ([layers] or [recurrent], docs/spec.md; the generated network is a pure function
 * of the spec and its seed, through the counter-based generator), then the overrides 'sets':
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

/* The integration called 'text' ("auto", "partitioned", "coupled", "relaxation") into *out:
 * 0, or -1 for another word. */
int ucl_net_integration_parse(const char *text, int *out);

/* The name of a ucl_net_integration ("unknown" for another value). */
const char *ucl_net_integration_name(int how);

/* 1 if the synapses form a cycle (a recurrent network). */
int ucl_network_has_cycle(const ucl_network *net);

#endif
