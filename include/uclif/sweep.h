/* sweep.h — a sweep specification: the base configuration, the characterization options and
 * the swept axes of a spec file ([run], [circuit], [stimulus], [solver], [sweep],
 * [characterize]; docs/spec.md). Immutable once loaded; the parameters of point i are a pure
 * function of (spec, i): no accumulation, randomness from a counter-based generator keyed by
 * (seed, point, axis). Not collective. */
#ifndef UCL_SWEEP_H
#define UCL_SWEEP_H

#include <stdint.h>

#include "uclif/montecarlo.h"
#include "uclif/params.h"
#include "uclif/protocols.h"
#include "uclif/status.h"

typedef struct ucl_sweep ucl_sweep; /* opaque */

typedef enum ucl_design {
  UCL_DESIGN_GRID = 0,
  UCL_DESIGN_LHS = 1,
  UCL_DESIGN_RANDOM = 2,
  UCL_DESIGN_MONTECARLO = 3 /* point i = draw i of the Monte Carlo sampler (montecarlo.h) */
} ucl_design;

/* Load and check 'path' completely. Every problem is 'path:line: message' with UCL_ERR_PARSE,
 * UCL_ERR_INVAL or UCL_ERR_RANGE (UCL_ERR_INPUT for an unreadable file); *out is untouched then. */
UCL_NODISCARD ucl_status ucl_sweep_load(const char *path, ucl_sweep **out, ucl_diag *diag);

/* Parse spec text held in memory ('name' is used in messages and as the default run name). */
UCL_NODISCARD ucl_status ucl_sweep_parse(const char *name, const char *text, ucl_sweep **out,
                                         ucl_diag *diag);

/* The same with overrides of the base configuration ("NAME=VALUE", as `--set`; for a network
 * sweep also "NEURON.KEY=VALUE" and "SYNAPSE.R=VALUE"), applied after the spec's sections and
 * before the swept values. A swept key cannot be overridden (UCL_ERR_INVAL naming it). The
 * overrides are copied; they change ucl_sweep_hash only through the values they change. */
UCL_NODISCARD ucl_status ucl_sweep_load_sets(const char *path, const char *const *sets, int n_sets,
                                             ucl_sweep **out, ucl_diag *diag);
UCL_NODISCARD ucl_status ucl_sweep_parse_sets(const char *name, const char *text,
                                              const char *const *sets, int n_sets, ucl_sweep **out,
                                              ucl_diag *diag);

void ucl_sweep_destroy(ucl_sweep **s);

long ucl_sweep_count(const ucl_sweep *s); /* points */
ucl_design ucl_sweep_design(const ucl_sweep *s);
const char *ucl_sweep_name(const ucl_sweep *s); /* [run] name */
uint64_t ucl_sweep_seed(const ucl_sweep *s);
/* The sampler of a montecarlo design (its parts: the swept keys in file order, nominal and
 * tolerance as written, the [sweep] lots, distribution and sigmas; seed: [run] seed), or NULL
 * for another design. Owned by s. */
const ucl_mc *ucl_sweep_mc(const ucl_sweep *s);
/* FNV-1a 64 of ucl_sweep_canonical: shards carry it, and a resume compares it. */
uint64_t ucl_sweep_hash(const ucl_sweep *s);
/* The canonical expansion of the sweep (owned by s, NUL-terminated): one "key = value" line per
 * thing its points are made of (kind, design, seed, point count, every base parameter with its
 * section, the [characterize] settings or the network's neurons and synapses, and each swept key
 * with its axis, kind and values), numbers at full precision (%.17g), in a fixed order. Comments,
 * white space, key order, how a number is written (10k, 10e3) and [run] name do not change it;
 * any change that alters a point does. */
const char *ucl_sweep_canonical(const ucl_sweep *s);
/* The spec file's text as loaded (owned by s), and the overrides (--set "NAME=VALUE"). */
const char *ucl_sweep_text(const ucl_sweep *s);
int ucl_sweep_n_sets(const ucl_sweep *s);
const char *ucl_sweep_set(const ucl_sweep *s, int k);
/* Give the sweep another [run] name (the name it was started with, for a sweep loaded from its
 * output directory). UCL_ERR_NOMEM. */
UCL_NODISCARD ucl_status ucl_sweep_rename(ucl_sweep *s, const char *name, ucl_diag *diag);
const ucl_char_opts *ucl_sweep_char_opts(const ucl_sweep *s);
const ucl_params *ucl_sweep_base(const ucl_sweep *s);

/* Swept parameter names, in axis order (a linked group contributes all its members). */
int ucl_sweep_n_swept(const ucl_sweep *s);
const char *ucl_sweep_swept_name(const ucl_sweep *s, int k);

/* The parameters of point i (0 <= i < count), with noise.stream = i (its noise and jitter
 * draws: docs/model.md, Noise). UCL_ERR_RANGE for i out of range. A point whose
 * combination of values is inconsistent (e.g. a pulse longer than its period) gives
 * UCL_ERR_RANGE with the reason in 'diag' and *out filled with the point's raw values. */
UCL_NODISCARD ucl_status ucl_sweep_point(const ucl_sweep *s, long i, ucl_params *out,
                                         ucl_diag *diag);

/* Network sweeps (a spec with network sections; docs/spec.md): swept keys may name a neuron's
 * key ("N1.C2") or a synapse's resistance ("S1.R"); base keys apply to every neuron. */
struct ucl_network;
int ucl_sweep_is_network(const ucl_sweep *s);
/* The network without any swept value (names, sizes); NULL for a single-neuron sweep. */
const struct ucl_network *ucl_sweep_base_network(const ucl_sweep *s);
/* The network of point i (free with ucl_network_destroy; every neuron with noise.stream = i). A
 * point whose values make a neuron inconsistent gives the error naming the neuron; UCL_ERR_INVAL
 * for a single-neuron sweep. */
UCL_NODISCARD ucl_status ucl_sweep_network(const ucl_sweep *s, long i, struct ucl_network **out,
                                           ucl_diag *diag);
/* The swept values of point i as text, in the order of ucl_sweep_swept_name (a number at full
 * precision, or a choice's name): texts must hold ucl_sweep_n_swept entries. */
UCL_NODISCARD ucl_status ucl_sweep_point_texts(const ucl_sweep *s, long i, char (*texts)[64],
                                               ucl_diag *diag);

#endif
