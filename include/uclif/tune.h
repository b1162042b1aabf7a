/* tune.h — hardware tuning (`uclif tune`, docs/spec.md "Tuning"): a tuning spec (the base
 * configuration, target features with tolerances, free components with bounds and E-series,
 * component tolerances), the evaluation of a design against the targets, its E-series
 * neighbours and its Monte Carlo draws. Pure functions of (spec, design, draw index): the search
 * and the Monte Carlo analysis spread them over MPI ranks (tune_run.c). Not collective. */
#ifndef UCL_TUNE_H
#define UCL_TUNE_H

#include <stdint.h>

#include "uclif/columns.h"
#include "uclif/montecarlo.h"
#include "uclif/params.h"
#include "uclif/status.h"

#define UCL_TUNE_MAX_TARGETS 16
#define UCL_TUNE_MAX_PARTS 16
#define UCL_TUNE_MIN_DRAWS 1000

typedef enum ucl_target_kind {
  UCL_TARGET_WITHIN = 0, /* value ± tol */
  UCL_TARGET_AT_LEAST = 1,
  UCL_TARGET_AT_MOST = 2
} ucl_target_kind;

typedef struct ucl_tune_target {
  char name[64]; /* a points.csv feature column: threshold_V, tau_leak_off_s, ... */
  int kind;      /* ucl_target_kind */
  double value;  /* in the column's unit */
  double tol;    /* absolute, for UCL_TARGET_WITHIN */
  int line;
} ucl_tune_target;

typedef struct ucl_tune_part {
  char name[16]; /* the parameter: R1, C, ... */
  int free;      /* tuned (1) or fixed (0) */
  double lo, hi; /* bounds of a free part */
  int series;    /* E-series of a free part (6 ... 192) */
  double tol;    /* relative tolerance (0.01 = 1 %) */
} ucl_tune_part;

/* The most model parameters a fit's parameters.csv may give tune ([tune] fit; gain.* rows not
 * counted). */
#define UCL_TUNE_MAX_MODEL 16

/* One model parameter of a fit (a row of DIR/parameters.csv, docs/fit.md): its fitted value is
 * the nominal, and every Monte Carlo draw also draws it. */
typedef struct ucl_tune_model {
  char name[48];  /* a key of the parameter table: R_in, VDD, scr.I_GT, ... */
  int log;        /* scale = log: drawn in ln(value); else lin */
  double value;   /* SI, the fitted value */
  double lo, hi;  /* SI, the bounds of the fit's search; draws are clipped to them */
  double sd;      /* standard deviation in the scale's space; inf when not identified */
  int identified; /* 1: jointly normal with the others (sd finite and verdict not "not
                     identified"); 0: uniform over [lo, hi] (log-uniform for log) */
  int part;       /* the toleranced (fixed) part of that name, or -1 */
  int line;       /* its line in the file */
} ucl_tune_model;

/* The model parameters of a fit: the rows of parameters.csv that are keys of the parameter table
 * (the gain.* rows are left out), with the lower Cholesky factor of their correlation matrix
 * (identity rows and columns for the ones not identified). */
typedef struct ucl_tune_fit {
  char path[1024]; /* the parameters.csv read */
  int n;
  ucl_tune_model p[UCL_TUNE_MAX_MODEL];
  double chol[UCL_TUNE_MAX_MODEL][UCL_TUNE_MAX_MODEL];
} ucl_tune_fit;

/* Read a fit's parameters.csv at 'path' (docs/fit.md, "parameters.csv") into *out (p[].part set
 * to -1). Every problem names "path:line: what": a missing column, a row with the wrong number
 * of fields, a parameter that is not a real key of the parameter table (gain.* excepted) or
 * comes twice, a unit that is not the key's, an unknown scale or verdict, a value, lo or hi that
 * is not a finite number, lo > hi, a value outside [lo, hi], a log parameter with lo <= 0, sd < 0
 * or not a number, a correlation of two identified parameters that is empty, outside [−1, 1],
 * not 1 on the diagonal or not symmetric (UCL_ERR_PARSE or UCL_ERR_RANGE); more than
 * UCL_TUNE_MAX_MODEL model parameters (UCL_ERR_RANGE); a correlation matrix that is not
 * positive definite names the file (UCL_ERR_RANGE); a file that cannot be read, UCL_ERR_INPUT. */
UCL_NODISCARD ucl_status ucl_tune_fit_read(const char *path, ucl_tune_fit *out, ucl_diag *diag);

/* Draw k of the model parameters (values: f->n, SI): the identified ones jointly normal in their
 * scale's space (mean the fitted value, covariance sd_i·sd_j·corr_ij through the Cholesky factor)
 * from Box-Muller on the counter-based generator keyed by (seed, k, UCL_TUNE_FIT_STREAM + 2i and
 * + 2i + 1), the others uniform (log-uniform for log) over [lo, hi] from (seed, k,
 * UCL_TUNE_FIT_STREAM + 2i); every value clipped to [lo, hi]. A pure function of its
 * arguments. */
/* The first stream of the model parameters: beyond the parts' (0 .. 2·n_parts − 1). */
#define UCL_TUNE_FIT_STREAM (2 * UCL_TUNE_MAX_PARTS)
void ucl_tune_fit_draw(const ucl_tune_fit *f, uint64_t seed, long k, double *values);

typedef struct ucl_tune ucl_tune; /* opaque */

/* The points.csv column called 'name' if it is a numeric feature measured by a procedure (not
 * the point, status, reason, a parameter or a search status), else -1. Used by targets and by
 * the measured features of `uclif fit`. */
long ucl_tune_feature_column(const char *name);

/* "VALUE +- TOL", "VALUE +- TOL%" (relative), ">= VALUE", "<= VALUE" into tg's kind, value and
 * tol (tg's name and line untouched). UCL_ERR_PARSE / UCL_ERR_RANGE with the text in 'diag'. */
UCL_NODISCARD ucl_status ucl_tune_parse_target(const char *text, ucl_tune_target *tg,
                                               ucl_diag *diag);

/* The [characterize] key that switches off 'procedure' (a points.csv column's) in 'o', else
 * NULL (threshold, rate_curve and "all" always run; tempco only with a dT). */
struct ucl_char_opts;
const char *ucl_tune_procedure_off(const struct ucl_char_opts *o, const char *procedure);

/* Read and check a tuning spec. Every problem names file:line and, for a target, the target:
 * an unknown feature, a tolerance that is not > 0, a target whose procedure is switched off,
 * an adaptation target on a type I neuron, bounds outside the series. With [tune] fit = PATH
 * (a fit's output folder or its parameters.csv, relative to the spec's folder) the fit's model
 * parameters take their fitted values on top of the base configuration and are drawn in every
 * Monte Carlo draw; a bad file gives ucl_tune_fit_read's messages, a fitted key that is also a
 * [free] part or set by --set is an error naming both places. */
UCL_NODISCARD ucl_status ucl_tune_load(const char *path, ucl_tune **out, ucl_diag *diag);
/* The same with overrides of the base configuration ("NAME=VALUE", as `--set`), applied after
 * the spec's sections; a free part cannot be overridden (UCL_ERR_INVAL naming it). */
UCL_NODISCARD ucl_status ucl_tune_load_sets(const char *path, const char *const *sets, int n_sets,
                                            ucl_tune **out, ucl_diag *diag);
void ucl_tune_destroy(ucl_tune **t);

int ucl_tune_n_targets(const ucl_tune *t);
const ucl_tune_target *ucl_tune_target_at(const ucl_tune *t, int k);
int ucl_tune_n_parts(const ucl_tune *t); /* every toleranced component; the free ones first */
const ucl_tune_part *ucl_tune_part_at(const ucl_tune *t, int k);
int ucl_tune_n_free(const ucl_tune *t);
long ucl_tune_draws(const ucl_tune *t);
uint64_t ucl_tune_seed(const ucl_tune *t);
int ucl_tune_search(const ucl_tune *t); /* 0: evaluate the design as given (no free parts) */
const char *ucl_tune_distribution(const ucl_tune *t); /* "uniform" or "normal" */
/* The parts' sampler (montecarlo.h): part k is ucl_tune_part_at(t, k) with nominal 1, in the
 * lots "resistors" and "capacitors" when [tolerance] sets their lot tolerance. Owned by t. */
const ucl_mc *ucl_tune_mc(const ucl_tune *t);
/* The fit's model parameters drawn in the Monte Carlo ([tune] fit): NULL without a fit. */
const ucl_tune_fit *ucl_tune_fit_of(const ucl_tune *t);
/* The values of a draw: n_parts, then the fit's model parameters (ucl_tune_fit_of(t)->n). */
int ucl_tune_n_drawn(const ucl_tune *t);

/* The nominal values of every part (n_parts) of the spec's base configuration. */
void ucl_tune_nominal(const ucl_tune *t, double *values);

typedef struct ucl_tune_eval {
  double cost;                    /* Σ squared target misses (0 when all are met inside) */
  int met;                        /* every target met */
  double f[UCL_TUNE_MAX_TARGETS]; /* the features (NAN when not measured) */
  int ok;                         /* the characterization worked */
} ucl_tune_eval;

/* Evaluate the design with part values 'values' (n_parts). */
UCL_NODISCARD ucl_status ucl_tune_eval_design(const ucl_tune *t, const double *values,
                                              ucl_tune_eval *out, ucl_diag *diag);

/* Monte Carlo draw k of design 'values' (n_parts): each part at value·(1 + lot·u_lot)·(1 +
 * tol·u) from the shared sampler (ucl_tune_mc, montecarlo.h: u of part j from the generator keyed
 * by (seed, k, 2j), uniform in [−1, 1] or a normal with σ = tol/sigmas truncated at ±tol; u_lot
 * shared by the lot's parts, absent without a lot tolerance); with a fit, then the fit's model
 * parameters (ucl_tune_fit_draw), and a fixed part that is also fitted further scaled by its model
 * draw / fitted value. Writes the drawn values (ucl_tune_n_drawn: the parts, then the model
 * parameters). */
void ucl_tune_draw(const ucl_tune *t, const double *values, long k, double *drawn);

/* Evaluate a draw ('drawn': ucl_tune_n_drawn values, from ucl_tune_draw): the parts and the
 * model parameters set on the base configuration. Same errors as ucl_tune_eval_design. */
UCL_NODISCARD ucl_status ucl_tune_eval_drawn(const ucl_tune *t, const double *drawn,
                                             ucl_tune_eval *out, ucl_diag *diag);

/* The series values of part k just below and just above v. */
void ucl_tune_neighbours(const ucl_tune *t, int k, double v, double *below, double *above);

/* A configuration with the part values set (for the netlist and the BOM). */
void ucl_tune_params(const ucl_tune *t, const double *values, ucl_params *out);

/* One row of bom.csv (ucl_tune_bom_table): one part of the design. The strings are borrowed. */
typedef struct ucl_tune_bom_row {
  const char *designator;  /* the parameter: R1, C, ... (R_in; D, SCR, T1, ... for the others) */
  char nominal[16];        /* RKM code (ucl_tune_rkm): "68k", "18n"; empty for a semiconductor */
  const char *part_number; /* "1N4148", ...; empty for a resistor or capacitor */
  double value;            /* SI, in 'unit': the snapped value of a tuned part; NAN: none */
  const char *unit;        /* Ohm, F */
  char series[8];          /* E24, ...; empty for a fixed part */
  double tolerance_pct;    /* % */
  const char *role;        /* "tuned" or "fixed" */
  const char *description; /* the parameter's (`uclif params`) */
} ucl_tune_bom_row;

/* The table of bom.csv (static; one part: the row). */
const ucl_table *ucl_tune_bom_table(void);

/* The bom.csv row of part k at value 'value' (SI). Its strings point into t and the parameter
 * table. */
void ucl_tune_bom_row_of(const ucl_tune *t, int k, double value, ucl_tune_bom_row *row);

/* The rows of bom.csv after the toleranced parts: what else is on the board, bought as listed
 * but not varied in the Monte Carlo draws (role "not drawn"): R_in (the spec's value, with the
 * resistors' tolerance), then the semiconductors by part number (D 1N4148; the SCR CR02AM, or
 * the Mott switch, which has none; T1 IRLML6246; T2 ZVP3310A; type II: T3 IRLML6246 and, with
 * loop = peak, D2 1N4148). Their number, and row k (0 <= k < that number); strings static. */
int ucl_tune_bom_n_other(const ucl_tune *t);
void ucl_tune_bom_other_row(const ucl_tune *t, int k, ucl_tune_bom_row *row);

/* 'value' (> 0, in 'unit') in the RKM code of IEC 60062 as a buyer reads it: up to 4
 * significant digits, the multiplier letter in place of the decimal point (p n u m k M G T;
 * u for micro; R for ohms and F for farads between 1 and 1000): 68e3 -> "68k", 4.7e3 -> "4k7",
 * 1.8e-8 -> "18n", 2.2 Ohm -> "2R2", 1.5e6 -> "1M5". Rounding noise of binary values goes
 * (1.7999999999999999e-08 -> "18n"). Values outside 1p .. 1000T, zero or negative: %.4g. */
void ucl_tune_rkm(double value, const char *unit, char *buf, size_t size);

/* The parts of a draws.csv row: the draw index (a long), its evaluation (ucl_tune_eval: met,
 * cost, the target features), the drawn part values (n_parts doubles, SI). */
enum { UCL_DRAW_PART_ID = 0, UCL_DRAW_PART_EVAL = 1, UCL_DRAW_PART_VALUES = 2 };

/* The table of draws.csv for t: draw, met, cost, each target's feature (named, with unit and
 * procedure, as its points.csv column), each part's drawn value (named as the parameter, with
 * its unit), then, with a fit, each drawn model parameter that is not a part (named as the
 * parameter, with its unit; UCL_DRAW_PART_VALUES holds ucl_tune_n_drawn values). Built by
 * ucl_tune_load; owned by t (valid while t lives). */
const ucl_table *ucl_tune_draws_table(const ucl_tune *t);

#endif
