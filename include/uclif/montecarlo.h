/* montecarlo.h — the one Monte Carlo sampler of uclif, shared by `uclif tune` (its draws) and the
 * sweep design `design = montecarlo` (docs/spec.md), and its self-check.
 *
 * A part has a nominal value, a relative device tolerance dev_tol, and optionally belongs to a lot
 * with a relative lot tolerance lot_tol. Draw k gives it the value
 *     nominal · (1 + lot_tol · u_lot) · (1 + dev_tol · u_dev)
 * with u_lot shared by every part of its lot in that draw and u_dev its own: the LOT/DEV
 * tolerances of SPICE Monte Carlo (Berkeley SPICE 3 / ngspice manual, "Monte Carlo and Worst
 * Case", and PSpice's LOT/DEV model parameters: LOT is shared by every device of a model in one
 * run, DEV is each device's own). A part without a lot has lot_tol = 0 and its value is exactly
 * nominal · (1 + dev_tol · u_dev).
 *
 * The deviates u lie in [-1, 1]:
 *   uniform: u = 2U - 1 (uniform in ±tol);
 *   normal:  u = z / k with z a standard normal truncated to [-k, k] (σ = tol/k, cut at ±k σ =
 *            ±tol), sampled by the inverse CDF between Φ(-k) and Φ(k): z = Φ⁻¹(Φ(-k) + U·(Φ(k) -
 *            Φ(-k))). No mass is piled at ±tol (clipping a normal would put 2Φ(-k) there).
 * U is ucl_rng_uniform(seed, draw, stream), a pure function of (seed, draw, stream): draw k is the
 * same computed alone or in a batch, on any rank. Streams:
 *   part j (0 <= j < UCL_MC_MAX_PARTS): its u_dev from stream 2j (2j + 1 is reserved: `uclif
 *     tune`'s former Box-Muller drew its second uniform there);
 *   streams 32 .. 63 are `uclif tune`'s fitted-model draws (UCL_TUNE_FIT_STREAM, tune.h);
 *   lot l (0 <= l < UCL_MC_MAX_LOTS): its u_lot from stream UCL_MC_LOT_STREAM + 2l (64, 66, ...).
 * Tolerances are relative and below 1 (100 %): a drawn value keeps the nominal's sign and never
 * reaches zero ((1 - lot_tol)(1 - dev_tol) > 0). An absolute tolerance is not offered: it is the
 * usual way a Monte Carlo run silently draws negative resistors.
 * Everything here is pure and thread-safe; nothing prints. */
#ifndef UCL_MONTECARLO_H
#define UCL_MONTECARLO_H

#include <stdint.h>
#include <stdio.h>

#include "uclif/status.h"

#define UCL_MC_MAX_PARTS 16
#define UCL_MC_MAX_LOTS 16
#define UCL_MC_LOT_STREAM 64
#define UCL_MC_SIGMAS_DEFAULT 3.0 /* normal: σ = tol/3 (uclif tune's convention) */
#define UCL_MC_SIGMAS_MIN 1.0
#define UCL_MC_SIGMAS_MAX 6.0
#define UCL_MC_NAME_MAX 32

typedef enum ucl_mc_dist { UCL_MC_UNIFORM = 0, UCL_MC_NORMAL = 1 } ucl_mc_dist;

typedef struct ucl_mc_part {
  char name[UCL_MC_NAME_MAX];
  double nominal; /* finite, not 0, in the parameter's unit */
  double tol;     /* relative device tolerance, 0 <= tol < 1 */
  int lot;        /* index into the lots, or -1 */
} ucl_mc_part;

typedef struct ucl_mc_lot {
  char name[UCL_MC_NAME_MAX];
  double tol; /* relative lot tolerance, 0 <= tol < 1 */
} ucl_mc_lot;

typedef struct ucl_mc {
  uint64_t seed;
  ucl_mc_dist dist;
  double sigmas; /* k of the normal distribution (σ = tol/k, truncated at ±k σ) */
  int n_parts, n_lots;
  ucl_mc_part parts[UCL_MC_MAX_PARTS];
  ucl_mc_lot lots[UCL_MC_MAX_LOTS];
} ucl_mc;

/* An empty sampler. sigmas must lie in [UCL_MC_SIGMAS_MIN, UCL_MC_SIGMAS_MAX] (UCL_ERR_RANGE;
 * it is kept for the uniform distribution too, unused). */
UCL_NODISCARD ucl_status ucl_mc_init(ucl_mc *mc, uint64_t seed, ucl_mc_dist dist, double sigmas,
                                     ucl_diag *diag);

/* "uniform" / "normal"; and the reverse (UCL_ERR_PARSE naming both). */
const char *ucl_mc_dist_name(ucl_mc_dist d);
UCL_NODISCARD ucl_status ucl_mc_dist_parse(const char *text, ucl_mc_dist *out, ucl_diag *diag);

/* Check a relative tolerance: finite, >= 0 and < 1 (UCL_ERR_RANGE saying why). */
UCL_NODISCARD ucl_status ucl_mc_check_tol(double tol, ucl_diag *diag);

/* Add a lot (its index in *index); UCL_ERR_RANGE beyond UCL_MC_MAX_LOTS or for a bad tolerance,
 * UCL_ERR_INVAL for a name used twice. */
UCL_NODISCARD ucl_status ucl_mc_add_lot(ucl_mc *mc, const char *name, double tol, int *index,
                                        ucl_diag *diag);

/* Add a part (lot: an index from ucl_mc_add_lot, or -1). UCL_ERR_RANGE beyond
 * UCL_MC_MAX_PARTS, for a bad tolerance or a nominal that is 0 or not finite. */
UCL_NODISCARD ucl_status ucl_mc_add_part(ucl_mc *mc, const char *name, double nominal, double tol,
                                         int lot, ucl_diag *diag);

/* The deviate u in [-1, 1] of 'stream' in draw 'draw' (module comment). */
double ucl_mc_deviate(const ucl_mc *mc, long draw, uint64_t stream);

/* factors[j] = (1 + lot_tol · u_lot) · (1 + dev_tol · u_dev) of every part in draw 'draw'
 * (n_parts values); exactly 1 + dev_tol · u_dev for a part without a lot. */
void ucl_mc_factors(const ucl_mc *mc, long draw, double *factors);

/* values[j] = nominal_j · factors[j] of draw 'draw' (n_parts values). */
void ucl_mc_draw(const ucl_mc *mc, long draw, double *values);

/* Var(u) of the distribution: 1/3 (uniform); (1 - 2kφ(k)/(2Φ(k) - 1))/k² (normal truncated at
 * ±k σ, σ = 1/k). */
double ucl_mc_var_u(ucl_mc_dist dist, double sigmas);

/* ---- the self-check ---- */

/* The edge band of the edge statistic: |u_dev| >= 1 - UCL_MC_EDGE. */
#define UCL_MC_EDGE 0.01
/* The default pass criterion: within this many standard errors. */
#define UCL_MC_CHECK_SE 4.0
/* ucl_mc_check_draws looks at the first draws only, up to this many. */
#define UCL_MC_CHECK_MAX_DRAWS 1000000L
#define UCL_MC_CHECK_MAX_ROWS (3 * UCL_MC_MAX_PARTS + UCL_MC_MAX_PARTS * UCL_MC_MAX_PARTS / 2 + 1)

typedef enum ucl_mc_stat {
  UCL_MC_STAT_MEAN = 0,    /* mean of the relative deviation d = value/nominal - 1; requested 0 */
  UCL_MC_STAT_SD = 1,      /* its standard deviation: sqrt(lot² V + dev² V + lot² dev² V²), V =
                              Var(u) */
  UCL_MC_STAT_EDGE = 2,    /* parts without a lot, dev_tol > 0: the fraction of draws with |d| >=
                              (1 - UCL_MC_EDGE) dev_tol; requested: uniform UCL_MC_EDGE, normal
                              2(Φ(k) - Φ(k(1 - ε)))/(2Φ(k) - 1) */
  UCL_MC_STAT_CORR = 3,    /* correlation of d of two parts of one lot: lot² V / (sd_a sd_b) */
  UCL_MC_STAT_CORR_MAX = 4 /* of all pairs not in one lot (requested 0), the largest |r| */
} ucl_mc_stat;

typedef struct ucl_mc_check_row {
  ucl_mc_stat stat;
  int a, b;         /* parts (b: the second part of a correlation, else -1) */
  double requested; /* what the sampler was asked for */
  double sample;    /* what the draws show */
  double se;        /* its standard error: mean sd/√n; sd sqrt((m4 - s⁴)/(4 s² n)) from the
                       sample's moments; edge sqrt(p(1 - p)/n); correlation (1 - ρ²)/√(n - 3)
                       (Fisher) */
  int pass;         /* |sample - requested| <= n_se · se (0 = 0 exactly when se is 0) */
} ucl_mc_check_row;

typedef struct ucl_mc_check {
  long n;      /* draws looked at */
  double n_se; /* the pass criterion */
  int n_rows, n_failed;
  int n_pairs_indep; /* pairs the CORR_MAX row is the largest of */
  ucl_mc_check_row rows[UCL_MC_CHECK_MAX_ROWS];
} ucl_mc_check;

/* The self-check of given values: values[k·n_parts + j] is part j's value in draw k (k < n; n >=
 * 4), checked against what mc requests (parts, tolerances, lots, distribution) at n_se standard
 * errors. UCL_ERR_RANGE for n < 4 or n_se <= 0. Used on the sampler's own draws and, in the unit
 * test, on deliberately wrong ones. */
UCL_NODISCARD ucl_status ucl_mc_check_values(const ucl_mc *mc, const double *values, long n,
                                             double n_se, ucl_mc_check *out, ucl_diag *diag);

/* The self-check of the sampler's draws 0 .. min(n, UCL_MC_CHECK_MAX_DRAWS) - 1 (streamed: no
 * array of draws). */
UCL_NODISCARD ucl_status ucl_mc_check_draws(const ucl_mc *mc, long n, double n_se,
                                            ucl_mc_check *out, ucl_diag *diag);

/* Write the check as a table to f (the library never prints: the caller gives stdout or a file).
 * UCL_ERR_IO when a write fails. */
UCL_NODISCARD ucl_status ucl_mc_check_write(const ucl_mc *mc, const ucl_mc_check *c, FILE *f,
                                            ucl_diag *diag);

#endif
