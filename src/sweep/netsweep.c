/* netsweep.c — the rows of a network sweep (docs/outputs.md): per point one points.csv row
 * (swept values, totals and, for networks of up to UCL_NETSWEEP_WIDE neurons, each neuron's
 * spikes and rate) and one neurons.csv row per neuron, both written through column tables
 * (columns.h) built from the sweep: its swept keys and its neurons' names are columns. */
#include "uclif/netsweep.h"

#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "uclif/columns.h"
#include "uclif/csvio.h"
#include "uclif/netresults.h"
#include "uclif/netrun.h"
#include "uclif/network.h"
#include "uclif/params.h"

#define TEXT_MAX 64 /* a swept value's text (ucl_sweep_point_texts) */

/* The values of a points.csv row besides the swept ones and the per-neuron ones. */
typedef struct point_row {
  long point;
  int status;     /* ucl_status of the point: the first failing neuron's, or why it was not built */
  ucl_diag why;   /* its reason (empty when ok) */
  double neurons; /* neurons in the network */
  double spikes, silent, failed, E_J; /* totals; NAN when the point has no run */
} point_row;

/* A neuron's columns in points.csv (NAN when the point has no run). */
typedef struct neuron_rate {
  double spikes;
  double rate_Hz; /* spikes / duration */
} neuron_rate;

/* The parts of a points.csv row: the point_row, the swept values' texts (char[TEXT_MAX] each),
 * the neurons' neuron_rate (wide networks). */
enum { PART_ROW = 0, PART_SWEPT = 1, PART_RATES = 2, N_PARTS = 3 };

static const char *status_name(int s) {
  return ucl_status_name((ucl_status)s);
}

/* A swept value's text (at the column's offset into the texts): a number when all of it parses as
 * one (written at full precision), else the text (a choice). */
static const char *swept_text(const void *part, const ucl_column *c) {
  return (const char *)part + c->offset;
}

static int swept_number(const void *part, const ucl_column *c, double *out) {
  const char *text = swept_text(part, c);
  char *end = NULL;
  double v = strtod(text, &end);
  if (!end || *end != '\0' || end == text) {
    return 0;
  }
  *out = v;
  return 1;
}

static ucl_status swept_cell(ucl_csv_writer *w, const void *part, const ucl_column *c) {
  double v;
  return swept_number(part, c, &v) ? ucl_csv_double(w, v) : ucl_csv_text(w, swept_text(part, c));
}

static const ucl_column point_head[] = {
    UCL_FIELD(LONG, "point", "", PART_ROW, point_row, point, "", "point index"),
    UCL_FIELD_ENUM("status", PART_ROW, point_row, status, status_name, "network",
                   "`ok`, the first failing neuron's status, or why the point was not built"),
    UCL_FIELD(TEXT, "reason", "", PART_ROW, point_row, why.msg, "network", "why (empty when ok)"),
};

static const ucl_column point_tail[] = {
    UCL_FIELD(REAL, "neurons", "", PART_ROW, point_row, neurons, "", "neurons in the network"),
    UCL_FIELD(REAL, "spikes", "", PART_ROW, point_row, spikes, "network", "spikes of all neurons"),
    UCL_FIELD(REAL, "neurons_silent", "", PART_ROW, point_row, silent, "network",
              "neurons without a spike"),
    UCL_FIELD(REAL, "neurons_failed", "", PART_ROW, point_row, failed, "network",
              "neurons whose run failed (or was not run)"),
    UCL_FIELD(REAL, "E_total_J", "J", PART_ROW, point_row, E_J, "network",
              "energy of all neurons (external sources, supplies, synapses)"),
};

/* A neuron's columns (NEURON.spikes, NEURON.rate_Hz): offsets into the first neuron_rate. */
static const ucl_column rate_cols[] = {
    UCL_FIELD(REAL, "NEURON.spikes", "", PART_RATES, neuron_rate, spikes, "network",
              "the neuron's spikes"),
    UCL_FIELD(REAL, "NEURON.rate_Hz", "Hz", PART_RATES, neuron_rate, rate_Hz, "network",
              "its spikes / duration"),
};

#define N_HEAD (sizeof(point_head) / sizeof(point_head[0]))
#define N_TAIL (sizeof(point_tail) / sizeof(point_tail[0]))

static const ucl_column point_id = {"point", "",   UCL_COL_LONG, UCL_NET_NEURON_PART_ID,
                                    0,       NULL, NULL,         NULL,
                                    NULL,    "",   "point index"};

/* The two tables of a sweep (built per sweep: its swept keys and neurons are columns). */
typedef struct tables {
  ucl_column *pcols, *ncols;
  char **names; /* the NEURON.spikes / NEURON.rate_Hz names (owned) */
  size_t n_names;
  ucl_table points, neurons;
} tables;

static int wide(const ucl_network *net) {
  return net->n_neurons <= UCL_NETSWEEP_WIDE;
}

static void tables_free(tables *T) {
  for (size_t k = 0; k < T->n_names; k++) {
    free(T->names[k]);
  }
  free(T->names);
  free(T->pcols);
  free(T->ncols);
  memset(T, 0, sizeof(*T));
}

/* The unit of a swept key: KEY, NEURON.KEY (the parameter's) or SYNAPSE.R (Ohm). */
static const char *swept_unit(const char *key) {
  const ucl_param_info *in = ucl_params_find(key);
  const char *dot = strchr(key, '.');
  if (!in && dot) {
    in = ucl_params_find(dot + 1);
    if (!in && strcmp(dot + 1, "R") == 0) {
      return "Ohm";
    }
  }
  return in ? in->unit : "";
}

/* "A.b" (malloc'd), or NULL. */
static char *join(const char *a, const char *b) {
  size_t n = strlen(a) + strlen(b) + 2;
  char *s = malloc(n);
  if (s) {
    snprintf(s, n, "%s.%s", a, b);
  }
  return s;
}

static ucl_status tables_build(const ucl_sweep *sw, tables *T, ucl_diag *diag) {
  const ucl_network *net = ucl_sweep_base_network(sw);
  const ucl_table *nt = ucl_net_neurons_table();
  size_t n_swept = (size_t)ucl_sweep_n_swept(sw), n_wide = wide(net) ? net->n_neurons : 0;
  memset(T, 0, sizeof(*T));
  T->pcols = malloc((N_HEAD + n_swept + N_TAIL + 2 * n_wide) * sizeof(ucl_column));
  T->ncols = malloc((nt->n + 1) * sizeof(ucl_column));
  T->names = calloc(2 * n_wide + 1, sizeof(char *));
  if (!T->pcols || !T->ncols || !T->names) {
    tables_free(T);
    return ucl_diag_set(diag, UCL_ERR_NOMEM, "out of memory");
  }
  size_t n = 0;
  for (size_t k = 0; k < N_HEAD; k++) {
    T->pcols[n++] = point_head[k];
  }
  for (size_t k = 0; k < n_swept; k++) {
    const char *key = ucl_sweep_swept_name(sw, (int)k);
    T->pcols[n++] = (ucl_column){.name = key,
                                 .unit = swept_unit(key),
                                 .kind = UCL_COL_CELL,
                                 .part = PART_SWEPT,
                                 .offset = k * TEXT_MAX,
                                 .cell = swept_cell,
                                 .number = swept_number,
                                 .procedure = "",
                                 .meaning = "a swept value at this point"};
  }
  for (size_t k = 0; k < N_TAIL; k++) {
    T->pcols[n++] = point_tail[k];
  }
  for (size_t i = 0; i < n_wide; i++) {
    const char *name = net->neurons[i].name;
    char *s = join(name, "spikes"), *r = join(name, "rate_Hz");
    T->names[T->n_names++] = s;
    T->names[T->n_names++] = r;
    if (!s || !r) {
      tables_free(T);
      return ucl_diag_set(diag, UCL_ERR_NOMEM, "out of memory");
    }
    size_t at = i * sizeof(neuron_rate);
    T->pcols[n] = rate_cols[0];
    T->pcols[n].name = s;
    T->pcols[n++].offset += at;
    T->pcols[n] = rate_cols[1];
    T->pcols[n].name = r;
    T->pcols[n++].offset += at;
  }
  T->points = (ucl_table){"points.csv", T->pcols, n};
  T->ncols[0] = point_id;
  memcpy(T->ncols + 1, nt->cols, nt->n * sizeof(ucl_column));
  T->neurons = (ucl_table){"neurons.csv", T->ncols, nt->n + 1};
  return UCL_OK;
}

/* A table's header line: its names quoted, comma-separated, no line end (malloc'd), or NULL. */
static char *header_line(const ucl_table *t) {
  size_t len = 0;
  for (size_t k = 0; k < t->n; k++) {
    len += strlen(t->cols[k].name) + 3;
  }
  char *s = malloc(len + 1);
  if (!s) {
    return NULL;
  }
  size_t at = 0;
  for (size_t k = 0; k < t->n; k++) {
    at += (size_t)snprintf(s + at, len + 1 - at, "%s\"%s\"", k ? "," : "", t->cols[k].name);
  }
  s[at] = '\0';
  return s;
}

ucl_status ucl_netsweep_layout(const ucl_sweep *sw, char **points_header, char **neurons_header,
                               ucl_diag *diag) {
  tables T;
  ucl_status st = tables_build(sw, &T, diag);
  if (st != UCL_OK) {
    return st;
  }
  char *p = header_line(&T.points), *c = header_line(&T.neurons);
  tables_free(&T);
  if (!p || !c) {
    free(p);
    free(c);
    return ucl_diag_set(diag, UCL_ERR_NOMEM, "out of memory");
  }
  *points_header = p;
  *neurons_header = c;
  return UCL_OK;
}

/* The points.csv row of point i (pst, pd: how it was built and run; r NULL without a run). */
static ucl_status point_row_write(const tables *T, const ucl_network *base, const ucl_network *net,
                                  const ucl_net_result *r, long i, ucl_status pst,
                                  const ucl_diag *pd, char (*texts)[TEXT_MAX], ucl_csv_writer *w,
                                  ucl_diag *diag) {
  point_row row = {i, pst, {{0}}, (double)base->n_neurons, NAN, NAN, NAN, NAN};
  if (pst != UCL_OK) {
    row.why = *pd;
  }
  size_t n_wide = wide(base) ? base->n_neurons : 0;
  neuron_rate *rates = malloc((n_wide ? n_wide : 1) * sizeof(*rates));
  if (!rates) {
    return ucl_diag_set(diag, UCL_ERR_NOMEM, "out of memory");
  }
  if (r) {
    ucl_net_totals t = ucl_net_total(r);
    row.spikes = (double)t.spikes;
    row.silent = (double)t.silent;
    row.failed = (double)t.failed;
    row.E_J = t.E_J;
  }
  for (size_t k = 0; k < n_wide; k++) {
    const ucl_net_neuron_result *nr = r ? &r->neurons[k] : NULL;
    rates[k].spikes = nr ? (double)nr->n_spikes : NAN;
    rates[k].rate_Hz = nr ? (double)nr->n_spikes / net->base.stim.duration : NAN;
  }
  const void *parts[N_PARTS];
  parts[PART_ROW] = &row;
  parts[PART_SWEPT] = texts;
  parts[PART_RATES] = rates;
  ucl_status st = ucl_table_write_row(&T->points, parts, w, diag);
  free(rates);
  return st;
}

/* The neurons.csv rows of point i (a row per neuron of the run r). */
static ucl_status neuron_rows_write(const tables *T, const ucl_network *net,
                                    const ucl_net_result *r, long i, ucl_csv_writer *w,
                                    ucl_diag *diag) {
  ucl_net_neuron_features *f = NULL;
  ucl_status st = ucl_net_measure(net, r, &f, diag);
  for (size_t k = 0; st == UCL_OK && k < r->n; k++) {
    const void *parts[UCL_NET_NEURON_PARTS];
    ucl_net_neuron_parts(net, r, &f[k], k, &i, parts);
    st = ucl_table_write_row(&T->neurons, parts, w, diag);
  }
  free(f);
  return st;
}

ucl_status ucl_netsweep_point(const ucl_sweep *sw, long i, double deadline,
                              const volatile sig_atomic_t *cancel, char **prow, size_t *plen,
                              char **nrows, size_t *nlen, int *failed, ucl_diag *diag) {
  const ucl_network *base = ucl_sweep_base_network(sw);
  int n_swept = ucl_sweep_n_swept(sw);
  char(*texts)[TEXT_MAX] = malloc((size_t)(n_swept > 0 ? n_swept : 1) * sizeof(*texts));
  ucl_network *net = NULL;
  ucl_net_result *r = NULL;
  ucl_csv_writer *P = NULL, *C = NULL; /* the rows, in memory */
  tables T = {0};
  ucl_diag pd = {{0}};
  ucl_status st = texts ? ucl_sweep_point_texts(sw, i, texts, diag) : UCL_ERR_NOMEM;
  if (st == UCL_OK) {
    st = tables_build(sw, &T, diag);
  }
  if (st == UCL_OK) {
    st = ucl_csv_mem_open((int)T.points.n, &P);
  }
  if (st == UCL_OK) {
    st = ucl_csv_mem_open((int)T.neurons.n, &C);
  }
  if (st != UCL_OK) {
    st = st == UCL_ERR_NOMEM ? ucl_diag_set(diag, st, "out of memory") : st;
    goto done;
  }
  /* build and run; a point that cannot be built, or whose run fails, is a row with its reason */
  ucl_status pst = ucl_sweep_network(sw, i, &net, &pd);
  if (pst == UCL_OK) {
    ucl_net_opts o = {.integration = UCL_NET_AUTO, .deadline = deadline, .cancel = cancel};
    pst = ucl_network_run(net, &o, &r, &pd);
    if (!r && (pst == UCL_ERR_NOMEM || pst == UCL_ERR_STOPPED)) {
      st = ucl_diag_set(diag, pst, "point %ld: %s", i, pd.msg);
      goto done;
    }
  }
  *failed = pst != UCL_OK;
  ucl_diag fd = {{0}};
  if (point_row_write(&T, base, net, r, i, pst, &pd, texts, P, &fd) != UCL_OK ||
      (r && neuron_rows_write(&T, net, r, i, C, &fd) != UCL_OK)) {
    st = ucl_diag_set(diag, UCL_ERR_NOMEM, "point %ld: formatting its rows failed (%s)", i, fd.msg);
    goto done;
  }
  char *ptext = NULL;
  st = ucl_csv_mem_take(&P, &ptext, plen);
  if (st == UCL_OK) {
    st = ucl_csv_mem_take(&C, nrows, nlen);
  }
  if (st != UCL_OK) {
    free(ptext);
    st = ucl_diag_set(diag, UCL_ERR_NOMEM, "out of memory");
    goto done;
  }
  *prow = ptext;
done:
  ucl_csv_abort(&P);
  ucl_csv_abort(&C);
  free(texts);
  tables_free(&T);
  ucl_net_result_destroy(&r);
  ucl_network_destroy(&net);
  return st;
}
