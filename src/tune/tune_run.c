/* tune_run.c — the search, the snapping and the Monte Carlo analysis of `uclif tune` over MPI
 * ranks (tune_run.h), and its files. */
#include "uclif/tune_run.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "uclif/csvio.h"
#include "uclif/netlist.h"
#include "uclif/rng.h"
#include "uclif/sweep.h"
#include "uclif/clock.h"

#define W (3 + UCL_TUNE_MAX_TARGETS) /* doubles per evaluation: cost, met, ok, features */

/* Progress of the run (rank 0): the phase and the characterizations this rank finished in it. */
typedef struct tune_ticks {
  void (*progress)(const char *line, int tick, void *ctx); /* may be NULL */
  void *ctx;
  const char *phase; /* static */
  long done, total;  /* total: of the phase, 0 when not known in advance */
  int rank, size;
} tune_ticks;

/* A phase line (tick 0), on rank 0. */
static void phase(tune_ticks *tk, const char *phase_name, long total, const char *line) {
  tk->phase = phase_name;
  tk->done = 0;
  tk->total = total;
  if (tk->progress && tk->rank == 0) {
    tk->progress(line, 0, tk->ctx);
  }
}

/* One more characterization done here: a tick line on rank 0 (the CLI paces them). */
static void tick(tune_ticks *tk) {
  if (!tk || !tk->progress || tk->rank != 0) {
    return;
  }
  tk->done++;
  char line[160];
  if (tk->size > 1) {
    snprintf(line, sizeof(line), "%s, %ld characterizations on rank 0", tk->phase, tk->done);
  } else if (tk->total > 0) {
    snprintf(line, sizeof(line), "%s, %ld of %ld characterizations", tk->phase, tk->done,
             tk->total);
  } else {
    snprintf(line, sizeof(line), "%s, %ld characterizations", tk->phase, tk->done);
  }
  tk->progress(line, 1, tk->ctx);
}

/* What one batch evaluates: designs[i] (m × n_parts values) or, with draws, the Monte Carlo draw
 * first + i of designs[0]. */
typedef struct batch_ctx {
  const ucl_tune *t;
  const double *designs;
  int np;
  long first;
  int draws;
  double *vals; /* room for one draw's values (ucl_tune_n_drawn) */
  tune_ticks *tk;
} batch_ctx;

/* ucl_sched_eval_fn: one evaluation as W doubles (cost, met, ok, features). */
static ucl_status eval_one(void *ctx, long i, double *b, int width, ucl_diag *diag) {
  const batch_ctx *bc = ctx;
  (void)width;
  const double *x = bc->designs + (size_t)(bc->draws ? 0 : i) * (size_t)bc->np;
  if (bc->draws) {
    if (!bc->vals) {
      return ucl_diag_set(diag, UCL_ERR_NOMEM, "out of memory");
    }
    ucl_tune_draw(bc->t, x, bc->first + i, bc->vals);
    x = bc->vals;
  }
  ucl_tune_eval e;
  ucl_status st = bc->draws ? ucl_tune_eval_drawn(bc->t, x, &e, diag)
                            : ucl_tune_eval_design(bc->t, x, &e, diag);
  tick(bc->tk);
  if (st == UCL_OK) {
    b[0] = e.cost;
    b[1] = e.met;
    b[2] = e.ok;
    memcpy(b + 3, e.f, sizeof(e.f));
  }
  return st;
}

/* Evaluate m designs or, with draws, the Monte Carlo draws first .. first+m of design[0], over the
 * ranks (ucl_sched_batch: the same results for any rank count). Collective. */
static ucl_status batch(ucl_comm *c, const ucl_tune *t, const double *designs, int m, long first,
                        int draws, ucl_tune_eval *res, tune_ticks *tk, ucl_diag *diag) {
  int np = ucl_tune_n_parts(t);
  double *sum = malloc((size_t)m * W * sizeof(double));
  batch_ctx bc = {
      t, designs, np, first, draws, malloc((size_t)ucl_tune_n_drawn(t) * sizeof(double)), tk};
  /* a failed allocation is reported inside the batch (NULL results, NULL vals): every rank
   * then agrees on it */
  ucl_status st = ucl_sched_batch(c, m, W, eval_one, &bc, sum, diag);
  for (int i = 0; st == UCL_OK && i < m; i++) {
    const double *s = sum + (size_t)i * W;
    res[i].cost = s[0];
    res[i].met = s[1] > 0.5;
    res[i].ok = s[2] > 0.5;
    memcpy(res[i].f, s + 3, sizeof(res[i].f));
  }
  free(sum);
  free(bc.vals);
  return st;
}

static ucl_status nomem(ucl_diag *diag) {
  return ucl_diag_set(diag, UCL_ERR_NOMEM, "out of memory");
}

/* ---- Nelder–Mead in log space over the free parts ---- */

typedef struct search {
  const ucl_tune *t;
  ucl_comm *c;
  int n, np;
  double lo[UCL_TUNE_MAX_PARTS], hi[UCL_TUNE_MAX_PARTS]; /* log bounds */
  double nominal[UCL_TUNE_MAX_PARTS];
  long evals;
  tune_ticks *tk;
} search;

static void to_design(const search *s, const double *z, double *design) {
  memcpy(design, s->nominal, (size_t)s->np * sizeof(double));
  for (int i = 0; i < s->n; i++) {
    design[i] = exp(fmin(s->hi[i], fmax(s->lo[i], z[i])));
  }
}

/* Evaluate m log-space points. */
static ucl_status eval_points(search *s, const double *z, int m, ucl_tune_eval *res,
                              ucl_diag *diag) {
  double *d = malloc((size_t)m * (size_t)s->np * sizeof(double));
  /* every rank agrees before the collective batch: one rank short of memory must not leave the
   * others waiting in it */
  ucl_status st = ucl_comm_agree(s->c, d ? UCL_OK : nomem(diag), diag);
  if (st != UCL_OK) {
    free(d);
    return st;
  }
  for (int i = 0; i < m; i++) {
    to_design(s, z + (size_t)i * UCL_TUNE_MAX_PARTS, d + (size_t)i * (size_t)s->np);
  }
  s->evals += m;
  st = batch(s->c, s->t, d, m, 0, 0, res, s->tk, diag);
  free(d);
  return st;
}

/* One Nelder–Mead run from start z0. */
static ucl_status nelder_mead(search *s, const double *z0, double *best_z, ucl_tune_eval *best,
                              int *iters, ucl_diag *diag) {
  int n = s->n;
  double z[UCL_TUNE_MAX_PARTS + 1][UCL_TUNE_MAX_PARTS] = {{0.0}};
  ucl_tune_eval f[UCL_TUNE_MAX_PARTS + 1];
  memcpy(z[0], z0, (size_t)n * sizeof(double));
  for (int k = 1; k <= n; k++) {
    memcpy(z[k], z[0], sizeof(z[0]));
    double d = 0.25 * (s->hi[k - 1] - s->lo[k - 1]);
    z[k][k - 1] += (z[0][k - 1] + d <= s->hi[k - 1]) ? d : -d;
  }
  ucl_status st = eval_points(s, &z[0][0], n + 1, f, diag);
  int it = 0, max_it = 40 * n;
  for (; st == UCL_OK && it < max_it; it++) {
    /* order: best first */
    for (int a = 1; a <= n; a++) {
      for (int b = a; b > 0 && f[b].cost < f[b - 1].cost; b--) {
        ucl_tune_eval te = f[b];
        f[b] = f[b - 1];
        f[b - 1] = te;
        double tz[UCL_TUNE_MAX_PARTS];
        memcpy(tz, z[b], sizeof(tz));
        memcpy(z[b], z[b - 1], sizeof(tz));
        memcpy(z[b - 1], tz, sizeof(tz));
      }
    }
    double size = 0.0;
    for (int k = 1; k <= n; k++) {
      for (int i = 0; i < n; i++) {
        size = fmax(size, fabs(z[k][i] - z[0][i]));
      }
    }
    if (size < 2e-3 || (f[0].cost < 1e-4 && f[0].met)) {
      break; /* centred on the targets, or the simplex has collapsed */
    }
    double c[UCL_TUNE_MAX_PARTS] = {0.0};
    for (int k = 0; k < n; k++) {
      for (int i = 0; i < n; i++) {
        c[i] += z[k][i] / n;
      }
    }
    /* the four candidates of this iteration, evaluated together */
    double cand[4][UCL_TUNE_MAX_PARTS];
    const double coef[4] = {1.0, 2.0, 0.5, -0.5}; /* reflect, expand, outside, inside */
    for (int j = 0; j < 4; j++) {
      for (int i = 0; i < n; i++) {
        cand[j][i] = fmin(s->hi[i], fmax(s->lo[i], c[i] + coef[j] * (c[i] - z[n][i])));
      }
    }
    ucl_tune_eval fc[4];
    st = eval_points(s, &cand[0][0], 4, fc, diag);
    if (st != UCL_OK) {
      break;
    }
    int take = -1;
    if (fc[0].cost < f[0].cost) {
      take = fc[1].cost < fc[0].cost ? 1 : 0;
    } else if (fc[0].cost < f[n - 1].cost) {
      take = 0;
    } else if (fc[0].cost < f[n].cost) {
      take = fc[2].cost <= fc[0].cost ? 2 : -1;
    } else {
      take = fc[3].cost < f[n].cost ? 3 : -1;
    }
    if (take >= 0) {
      memcpy(z[n], cand[take], sizeof(cand[take]));
      f[n] = fc[take];
    } else { /* shrink toward the best */
      for (int k = 1; k <= n; k++) {
        for (int i = 0; i < n; i++) {
          z[k][i] = z[0][i] + 0.5 * (z[k][i] - z[0][i]);
        }
      }
      st = eval_points(s, &z[1][0], n, &f[1], diag);
    }
  }
  int b = 0;
  for (int k = 1; k <= n; k++) {
    b = f[k].cost < f[b].cost ? k : b;
  }
  memcpy(best_z, z[b], sizeof(z[b]));
  *best = f[b];
  *iters += it;
  return st;
}

#define STARTS 5 /* the spec's design (or the centre), the centre, three seeded points */

/* Nelder–Mead from STARTS starting points (the features are not monotone in the parts: the
 * threshold has a minimum in R1, for one); the best result wins. */
static ucl_status multi_start(search *s, double *best_z, ucl_tune_eval *best, int *iters,
                              ucl_diag *diag) {
  ucl_status st = UCL_OK;
  best->cost = INFINITY;
  best->met = 0;
  for (int k = 0; k < STARTS && st == UCL_OK; k++) {
    double z0[UCL_TUNE_MAX_PARTS], z[UCL_TUNE_MAX_PARTS];
    for (int i = 0; i < s->n; i++) {
      double centre = 0.5 * (s->lo[i] + s->hi[i]), v = log(s->nominal[i]);
      if (k == 0) {
        z0[i] = (v >= s->lo[i] && v <= s->hi[i]) ? v : centre;
      } else if (k == 1) {
        z0[i] = centre;
      } else {
        double u = ucl_rng_uniform(ucl_tune_seed(s->t), 1000003ULL + (uint64_t)k, (uint64_t)i);
        z0[i] = s->lo[i] + u * (s->hi[i] - s->lo[i]);
      }
    }
    ucl_tune_eval e;
    st = nelder_mead(s, z0, z, &e, iters, diag);
    if (st == UCL_OK && (e.met > best->met || (e.met == best->met && e.cost < best->cost))) {
      *best = e;
      memcpy(best_z, z, sizeof(z));
    }
  }
  return st;
}

/* ---- E-series snapping ---- */

static ucl_status snap(search *s, const double *cont, double *out, ucl_tune_eval *best,
                       ucl_diag *diag) {
  int n = s->n, np = s->np;
  double below[UCL_TUNE_MAX_PARTS], above[UCL_TUNE_MAX_PARTS];
  for (int i = 0; i < n; i++) {
    ucl_tune_neighbours(s->t, i, cont[i], &below[i], &above[i]);
  }
  memcpy(out, cont, (size_t)np * sizeof(double));
  if (n <= 6) { /* every floor/ceil combination */
    int m = 1 << n;
    double *d = malloc((size_t)m * (size_t)np * sizeof(double));
    ucl_tune_eval *r = malloc((size_t)m * sizeof(ucl_tune_eval));
    ucl_status ast = ucl_comm_agree(s->c, d && r ? UCL_OK : nomem(diag), diag);
    if (ast != UCL_OK) {
      free(d);
      free(r);
      return ast;
    }
    for (int k = 0; k < m; k++) {
      memcpy(d + (size_t)k * np, cont, (size_t)np * sizeof(double));
      for (int i = 0; i < n; i++) {
        d[(size_t)k * np + i] = (k >> i) & 1 ? above[i] : below[i];
      }
    }
    s->evals += m;
    ucl_status st = batch(s->c, s->t, d, m, 0, 0, r, s->tk, diag);
    int b = 0;
    for (int k = 1; st == UCL_OK && k < m; k++) {
      b = (r[k].met > r[b].met || (r[k].met == r[b].met && r[k].cost < r[b].cost)) ? k : b;
    }
    if (st == UCL_OK) {
      memcpy(out, d + (size_t)b * np, (size_t)np * sizeof(double));
      *best = r[b];
    }
    free(d);
    free(r);
    return st;
  }
  /* many parts: coordinate search over one-step neighbours from the nearest values */
  for (int i = 0; i < n; i++) {
    out[i] = fabs(log(above[i] / cont[i])) < fabs(log(cont[i] / below[i])) ? above[i] : below[i];
  }
  ucl_status st = batch(s->c, s->t, out, 1, 0, 0, best, s->tk, diag);
  s->evals++;
  for (int round = 0; st == UCL_OK && round < 20; round++) {
    double d[2 * UCL_TUNE_MAX_PARTS][UCL_TUNE_MAX_PARTS];
    ucl_tune_eval r[2 * UCL_TUNE_MAX_PARTS];
    for (int i = 0; i < n; i++) {
      double lo, hi;
      ucl_tune_neighbours(s->t, i, out[i] * (1.0 - 1e-9), &lo, &hi);
      memcpy(d[2 * i], out, (size_t)np * sizeof(double));
      memcpy(d[2 * i + 1], out, (size_t)np * sizeof(double));
      d[2 * i][i] = lo;
      ucl_tune_neighbours(s->t, i, out[i] * (1.0 + 1e-9), &lo, &hi);
      d[2 * i + 1][i] = hi;
    }
    double flat[2 * UCL_TUNE_MAX_PARTS * UCL_TUNE_MAX_PARTS];
    for (int k = 0; k < 2 * n; k++) {
      memcpy(flat + (size_t)k * np, d[k], (size_t)np * sizeof(double));
    }
    s->evals += 2 * n;
    st = batch(s->c, s->t, flat, 2 * n, 0, 0, r, s->tk, diag);
    int b = -1;
    for (int k = 0; st == UCL_OK && k < 2 * n; k++) {
      if (r[k].cost < (b < 0 ? best->cost : r[b].cost)) {
        b = k;
      }
    }
    if (b < 0) {
      break;
    }
    memcpy(out, d[b], (size_t)np * sizeof(double));
    *best = r[b];
  }
  return st;
}

/* ---- files ---- */

static ucl_status write_bom(const char *dir, const ucl_tune *t, const double *v, ucl_diag *diag) {
  char path[1024];
  snprintf(path, sizeof(path), "%s/bom.csv", dir);
  ucl_csv_writer *w = NULL;
  ucl_status st = ucl_table_open(ucl_tune_bom_table(), path, &w, diag);
  for (int k = 0; st == UCL_OK && k < ucl_tune_n_parts(t); k++) {
    ucl_tune_bom_row row;
    ucl_tune_bom_row_of(t, k, v[k], &row);
    const void *parts[1] = {&row};
    st = ucl_table_write_row(ucl_tune_bom_table(), parts, w, diag);
  }
  for (int k = 0; st == UCL_OK && k < ucl_tune_bom_n_other(t); k++) {
    ucl_tune_bom_row row;
    ucl_tune_bom_other_row(t, k, &row);
    const void *parts[1] = {&row};
    st = ucl_table_write_row(ucl_tune_bom_table(), parts, w, diag);
  }
  return st == UCL_OK ? ucl_csv_commit(&w, diag) : (ucl_csv_abort(&w), st);
}

static const char *target_text(const ucl_tune_target *tg, char *buf, size_t n) {
  if (tg->kind == UCL_TARGET_AT_LEAST) {
    snprintf(buf, n, ">= %.6g", tg->value);
  } else if (tg->kind == UCL_TARGET_AT_MOST) {
    snprintf(buf, n, "<= %.6g", tg->value);
  } else {
    snprintf(buf, n, "%.6g +- %.3g", tg->value, tg->tol);
  }
  return buf;
}

static ucl_status write_files(const char *dir, const ucl_tune *t, const ucl_tune_report *r,
                              const ucl_tune_eval *draws, long m, ucl_diag *diag) {
  ucl_status st = write_bom(dir, t, r->snap, diag);
  int np = ucl_tune_n_parts(t), nt = ucl_tune_n_targets(t);
  char path[1024], tmp[1100];
  /* draws.csv */
  if (st == UCL_OK) {
    snprintf(path, sizeof(path), "%s/draws.csv", dir);
    const ucl_table *tab = ucl_tune_draws_table(t);
    ucl_csv_writer *w = NULL;
    st = ucl_table_open(tab, path, &w, diag);
    double *vals = malloc((size_t)ucl_tune_n_drawn(t) * sizeof(double));
    if (st == UCL_OK && !vals) {
      st = ucl_diag_set(diag, UCL_ERR_NOMEM, "out of memory");
    }
    for (long i = 0; st == UCL_OK && i < m; i++) {
      ucl_tune_draw(t, r->snap, i, vals);
      const void *parts[3];
      parts[UCL_DRAW_PART_ID] = &i;
      parts[UCL_DRAW_PART_EVAL] = &draws[i];
      parts[UCL_DRAW_PART_VALUES] = vals;
      st = ucl_table_write_row(tab, parts, w, diag);
    }
    free(vals);
    st = st == UCL_OK ? ucl_csv_commit(&w, diag) : (ucl_csv_abort(&w), st);
  }
  /* design.cir: the snapped design as an ngspice netlist */
  if (st == UCL_OK) {
    snprintf(path, sizeof(path), "%s/design.cir", dir);
    snprintf(tmp, sizeof(tmp), "%s.tmp", path);
    FILE *f = fopen(tmp, "w");
    ucl_params p;
    ucl_tune_params(t, r->snap, &p);
    ucl_netlist_opts no = {0.0, 0.0, NULL, "uclif tune: the snapped design"};
    st = f ? ucl_netlist_write(f, &p, &no, diag)
           : ucl_diag_set(diag, UCL_ERR_IO, "%s: %s", tmp, strerror(errno));
    if (f && (fclose(f) != 0 || (st == UCL_OK && rename(tmp, path) != 0))) {
      st = ucl_diag_set(diag, UCL_ERR_IO, "%s: write failed", path);
    }
    if (st != UCL_OK) {
      remove(tmp);
    }
  }
  /* tune.txt: the report */
  if (st == UCL_OK) {
    snprintf(path, sizeof(path), "%s/tune.txt", dir);
    snprintf(tmp, sizeof(tmp), "%s.tmp", path);
    FILE *f = fopen(tmp, "w");
    if (!f) {
      return ucl_diag_set(diag, UCL_ERR_IO, "%s: %s", tmp, strerror(errno));
    }
    char b[96];
    fprintf(f, "uclif tune: %d free of %d parts, %d targets, %s search\n\n", ucl_tune_n_free(t), np,
            nt, ucl_tune_search(t) ? "Nelder-Mead" : "no");
    fprintf(f, "%-24s %-24s %-16s %-16s %s\n", "target", "wanted", "continuous", "snapped", "met");
    for (int k = 0; k < nt; k++) {
      const ucl_tune_target *tg = ucl_tune_target_at(t, k);
      fprintf(f, "%-24s %-24s %-16.6g %-16.6g %s\n", tg->name, target_text(tg, b, sizeof(b)),
              r->e_cont.f[k], r->e_snap.f[k],
              (tg->kind == UCL_TARGET_WITHIN     ? fabs(r->e_snap.f[k] - tg->value) <= tg->tol
               : tg->kind == UCL_TARGET_AT_LEAST ? r->e_snap.f[k] >= tg->value
                                                 : r->e_snap.f[k] <= tg->value)
                  ? "yes"
                  : "NO");
    }
    fprintf(f, "\n%-8s %-16s %-16s %-10s %-8s %s\n", "part", "continuous", "snapped", "nominal",
            "series", "tolerance");
    for (int k = 0; k < np; k++) {
      const ucl_tune_part *p = ucl_tune_part_at(t, k);
      ucl_tune_bom_row row;
      ucl_tune_bom_row_of(t, k, r->snap[k], &row);
      fprintf(f, "%-8s %-16.6g %-16.6g %-10s %-8s %.3g %%\n", p->name, r->cont[k], r->snap[k],
              row.nominal, p->free ? (snprintf(b, sizeof(b), "E%d", p->series), b) : "fixed",
              100.0 * p->tol);
    }
    fprintf(f, "also on the board (not drawn):");
    for (int k = 0; k < ucl_tune_bom_n_other(t); k++) {
      ucl_tune_bom_row row;
      ucl_tune_bom_other_row(t, k, &row);
      fprintf(f, "%s %s %s", k ? "," : "", row.designator,
              row.part_number[0] ? row.part_number
              : row.nominal[0]   ? row.nominal
                                 : "(no part)");
    }
    fprintf(f, "\n");
    fprintf(f, "\nsnapped design meets every target: %s\n", r->e_snap.met ? "yes" : "no");
    fprintf(f, "search: %d iterations, %ld characterizations, %.3g s\n", r->iterations,
            r->evaluations, r->search_s);
    fprintf(f, "\nMonte Carlo: %ld draws, %s tolerances, seed %llu, %.3g s\n", r->draws,
            ucl_tune_distribution(t), (unsigned long long)ucl_tune_seed(t), r->mc_s);
    fprintf(f, "yield = %.4f (95%% CI %.4f .. %.4f; %ld of %ld draws meet every target)\n",
            r->yield, r->ci_lo, r->ci_hi, r->met, r->draws);
    /* the sampler's self-check over the same draws (the parts' factors, before a fit's model
     * draws multiply a fitted part) */
    ucl_mc_check *chk = r->draws >= 4 ? malloc(sizeof(*chk)) : NULL;
    if (r->draws >= 4) {
      fprintf(f, "\n");
      st = chk ? ucl_mc_check_draws(ucl_tune_mc(t), r->draws, UCL_MC_CHECK_SE, chk, diag)
               : ucl_diag_set(diag, UCL_ERR_NOMEM, "out of memory");
      if (st == UCL_OK) {
        st = ucl_mc_check_write(ucl_tune_mc(t), chk, f, diag);
      }
    }
    free(chk);
    const ucl_tune_fit *fit = ucl_tune_fit_of(t);
    if (fit) {
      int n_id = 0;
      for (int k = 0; k < fit->n; k++) {
        n_id += fit->p[k].identified;
      }
      fprintf(f,
              "the yield includes the model uncertainty from %s: %d model parameters drawn "
              "(%d jointly normal, %d not identified: uniform over their bounds)\n",
              fit->path, fit->n, n_id, fit->n - n_id);
      for (int k = 0; k < fit->n; k++) {
        const ucl_tune_model *mp = &fit->p[k];
        fprintf(f, "  %-16s %-14.6g %s sd %-10.3g in [%.6g, %.6g]%s\n", mp->name, mp->value,
                mp->log ? "log" : "lin", mp->sd, mp->lo, mp->hi,
                !mp->identified ? " not identified"
                : mp->part >= 0 ? " (times the part's tolerance)"
                                : "");
      }
    }
    fprintf(f, "\n%-24s %-14s %-14s %-14s %-14s %s\n", "feature", "mean", "std", "min", "max",
            "draws missing it");
    for (int k = 0; k < nt; k++) {
      fprintf(f, "%-24s %-14.6g %-14.6g %-14.6g %-14.6g %ld\n", ucl_tune_target_at(t, k)->name,
              r->f_mean[k], r->f_std[k], r->f_min[k], r->f_max[k], r->target_fail[k]);
    }
    /* the worst corners: the five draws furthest from the targets */
    fprintf(f, "\nworst draws (largest miss; every draw is in draws.csv):\n");
    long worst[5] = {-1, -1, -1, -1, -1};
    for (long i = 0; i < m; i++) {
      for (int j = 0; j < 5; j++) {
        if (worst[j] < 0 || draws[i].cost > draws[worst[j]].cost) {
          memmove(&worst[j + 1], &worst[j], (size_t)(4 - j) * sizeof(long));
          worst[j] = i;
          break;
        }
      }
    }
    double *vals = malloc((size_t)ucl_tune_n_drawn(t) * sizeof(double));
    for (int j = 0; j < 5 && worst[j] >= 0 && vals; j++) {
      ucl_tune_draw(t, r->snap, worst[j], vals);
      fprintf(f, "  draw %ld (cost %.3g):", worst[j], draws[worst[j]].cost);
      for (int k = 0; k < np; k++) {
        fprintf(f, " %s %+.2f%%", ucl_tune_part_at(t, k)->name,
                100.0 * (vals[k] / r->snap[k] - 1.0));
      }
      for (int k = 0; fit && k < fit->n; k++) { /* a fitted part is in its part's figure */
        if (fit->p[k].part < 0) {
          fprintf(f, " %s %+.2f%%", fit->p[k].name, 100.0 * (vals[np + k] / fit->p[k].value - 1.0));
        }
      }
      fprintf(f, "\n");
    }
    free(vals);
    if (fclose(f) != 0 || st != UCL_OK || rename(tmp, path) != 0) {
      remove(tmp);
      st = st != UCL_OK ? st : ucl_diag_set(diag, UCL_ERR_IO, "%s: write failed", path);
    }
  }
  return st;
}

ucl_status ucl_tune_run(ucl_comm *comm, const ucl_tune *t, const char *out_dir,
                        void (*progress)(const char *line, int tick, void *ctx), void *ctx,
                        ucl_tune_report *rep, ucl_diag *diag) {
  int rank = ucl_comm_rank(comm);
  tune_ticks tk = {progress, ctx, "nominal design", 0, 0, rank, ucl_comm_size(comm)};
  double t0 = ucl_clock_s();
  ucl_tune_report r;
  memset(&r, 0, sizeof(r));
  search s;
  memset(&s, 0, sizeof(s));
  s.t = t;
  s.c = comm;
  s.tk = &tk;
  s.n = ucl_tune_n_free(t);
  s.np = ucl_tune_n_parts(t);
  ucl_tune_nominal(t, s.nominal);
  for (int i = 0; i < s.n; i++) {
    s.lo[i] = log(ucl_tune_part_at(t, i)->lo);
    s.hi[i] = log(ucl_tune_part_at(t, i)->hi);
  }
  ucl_status st = UCL_OK;
  memcpy(r.cont, s.nominal, sizeof(r.cont));
  memcpy(r.snap, s.nominal, sizeof(r.snap));
  if (s.n > 0) {
    phase(&tk, "search", 0, "searching (Nelder-Mead over the free parts)");
    double z[UCL_TUNE_MAX_PARTS];
    st = multi_start(&s, z, &r.e_cont, &r.iterations, diag);
    if (st == UCL_OK) {
      to_design(&s, z, r.cont);
      phase(&tk, "snapping", 0, "snapping to the E-series");
      st = snap(&s, r.cont, r.snap, &r.e_snap, diag);
    }
  } else {
    st = batch(comm, t, s.nominal, 1, 0, 0, &r.e_cont, &tk, diag);
    r.e_snap = r.e_cont;
  }
  r.evaluations = s.evals;
  r.search_s = ucl_clock_s() - t0;
  /* Monte Carlo */
  long m = ucl_tune_draws(t);
  ucl_tune_eval *draws = NULL;
  if (st == UCL_OK) { /* st is the same on every rank here (batches agree) */
    draws = calloc((size_t)m, sizeof(*draws));
    st = ucl_comm_agree(comm, draws ? UCL_OK : nomem(diag), diag);
  }
  double t1 = ucl_clock_s();
  if (st == UCL_OK) {
    char line[128];
    snprintf(line, sizeof(line), "Monte Carlo: %ld draws", m);
    phase(&tk, "Monte Carlo", m, line);
  }
  const long chunk = 1000;
  for (long first = 0; st == UCL_OK && first < m; first += chunk) {
    int n = (int)(m - first < chunk ? m - first : chunk);
    st = batch(comm, t, r.snap, n, first, 1, draws + first, &tk, diag);
  }
  r.mc_s = ucl_clock_s() - t1;
  if (st == UCL_OK) {
    int nt = ucl_tune_n_targets(t);
    r.draws = m;
    for (int k = 0; k < nt; k++) {
      double s1 = 0.0, s2 = 0.0;
      long n = 0;
      r.f_min[k] = INFINITY;
      r.f_max[k] = -INFINITY;
      for (long i = 0; i < m; i++) {
        double v = draws[i].f[k];
        if (isfinite(v)) {
          s1 += v;
          s2 += v * v;
          n++;
          r.f_min[k] = fmin(r.f_min[k], v);
          r.f_max[k] = fmax(r.f_max[k], v);
        }
        const ucl_tune_target *tg = ucl_tune_target_at(t, k);
        int ok = isfinite(v) && (tg->kind == UCL_TARGET_WITHIN     ? fabs(v - tg->value) <= tg->tol
                                 : tg->kind == UCL_TARGET_AT_LEAST ? v >= tg->value
                                                                   : v <= tg->value);
        r.target_fail[k] += !ok;
      }
      r.f_mean[k] = n ? s1 / (double)n : NAN;
      r.f_std[k] = n > 1 ? sqrt(fmax(0.0, (s2 - s1 * s1 / (double)n) / (double)(n - 1))) : NAN;
    }
    for (long i = 0; i < m; i++) {
      r.met += draws[i].met;
    }
    double ph = (double)r.met / (double)m, z = 1.96, zz = z * z / (double)m;
    double den = 1.0 + zz, centre = (ph + zz / 2.0) / den;
    double half = z * sqrt(ph * (1.0 - ph) / (double)m + zz / (4.0 * (double)m)) / den;
    r.yield = ph;
    r.ci_lo = fmax(0.0, centre - half);
    r.ci_hi = fmin(1.0, centre + half);
  }
  r.wall_s = ucl_clock_s() - t0;
  ucl_status local = UCL_OK;
  if (st == UCL_OK && rank == 0) {
    if (mkdir(out_dir, 0777) != 0 && errno != EEXIST) {
      local = ucl_diag_set(diag, UCL_ERR_IO, "%s: cannot create: %s", out_dir, strerror(errno));
    } else {
      local = write_files(out_dir, t, &r, draws, m, diag);
    }
  }
  free(draws);
  if (st == UCL_OK) {
    st = ucl_comm_agree(comm, local, diag); /* rank 0's failure to write, on every rank */
  }
  if (rep) {
    *rep = r;
  }
  if (st == UCL_OK && !r.e_snap.met) {
    char missed[400] = "";
    size_t k = 0;
    for (int j = 0; j < ucl_tune_n_targets(t) && k < sizeof(missed) - 80; j++) {
      const ucl_tune_target *tg = ucl_tune_target_at(t, j);
      double v = r.e_snap.f[j];
      int ok = isfinite(v) && (tg->kind == UCL_TARGET_WITHIN     ? fabs(v - tg->value) <= tg->tol
                               : tg->kind == UCL_TARGET_AT_LEAST ? v >= tg->value
                                                                 : v <= tg->value);
      if (!ok) {
        char b[96];
        k += (size_t)snprintf(missed + k, sizeof(missed) - k, "%s%s (wanted %s, got %.6g)",
                              k ? "; " : "", tg->name, target_text(tg, b, sizeof(b)), v);
      }
    }
    st = ucl_diag_set(diag, UCL_ERR_UNMET,
                      "no design within the bounds meets every target: %s (the files hold the "
                      "closest design)",
                      missed);
  }
  return st;
}
