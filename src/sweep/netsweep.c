/* netsweep.c — the rows of a network sweep (docs/outputs.md): per point one points.csv row
 * (swept values, totals and, for networks of up to UCL_NETSWEEP_WIDE neurons, each neuron's
 * spikes and rate) and one neurons.csv row per neuron. */
#include "uclif/netsweep.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "uclif/csvio.h"
#include "uclif/network.h"

static const char *const point_head[] = {"point", "status", "reason"};
static const char *const point_tail[] = {"neurons", "spikes", "neurons_silent", "neurons_failed",
                                         "E_total_J"};
#define N_HEAD 3
#define N_TAIL 5

static int wide(const ucl_network *net) {
  return net->n_neurons <= UCL_NETSWEEP_WIDE;
}

/* Append a quoted name (NAME or A.B) to a growing header line. */
static int add_col(char **s, size_t *len, size_t *cap, const char *a, const char *b) {
  size_t need = *len + strlen(a) + (b ? strlen(b) + 1 : 0) + 4;
  if (need > *cap) {
    size_t nc = *cap ? *cap : 256;
    while (nc < need) {
      nc *= 2;
    }
    char *p = realloc(*s, nc);
    if (!p) {
      return 1;
    }
    *s = p;
    *cap = nc;
  }
  *len += (size_t)snprintf(*s + *len, *cap - *len, "%s\"%s%s%s\"", *len ? "," : "", a, b ? "." : "",
                           b ? b : "");
  return 0;
}

static int n_point_cols(const ucl_sweep *sw) {
  const ucl_network *net = ucl_sweep_base_network(sw);
  return N_HEAD + ucl_sweep_n_swept(sw) + N_TAIL + (wide(net) ? 2 * (int)net->n_neurons : 0);
}

ucl_status ucl_netsweep_layout(const ucl_sweep *sw, char **points_header, char **neurons_header,
                               ucl_diag *diag) {
  const ucl_network *net = ucl_sweep_base_network(sw);
  char *p = NULL, *c = NULL;
  size_t pl = 0, pc = 0, cl = 0, cc = 0;
  int bad = 0;
  for (int k = 0; k < N_HEAD; k++) {
    bad |= add_col(&p, &pl, &pc, point_head[k], NULL);
  }
  for (int k = 0; k < ucl_sweep_n_swept(sw); k++) {
    bad |= add_col(&p, &pl, &pc, ucl_sweep_swept_name(sw, k), NULL);
  }
  for (int k = 0; k < N_TAIL; k++) {
    bad |= add_col(&p, &pl, &pc, point_tail[k], NULL);
  }
  for (size_t i = 0; wide(net) && i < net->n_neurons; i++) {
    bad |= add_col(&p, &pl, &pc, net->neurons[i].name, "spikes");
    bad |= add_col(&p, &pl, &pc, net->neurons[i].name, "rate_Hz");
  }
  int n;
  const char *const *cols = ucl_net_neuron_columns(&n);
  bad |= add_col(&c, &cl, &cc, "point", NULL);
  for (int k = 0; k < n; k++) {
    bad |= add_col(&c, &cl, &cc, cols[k], NULL);
  }
  if (bad) {
    free(p);
    free(c);
    return ucl_diag_set(diag, UCL_ERR_NOMEM, "out of memory");
  }
  *points_header = p;
  *neurons_header = c;
  return UCL_OK;
}

/* Rows into memory streams. */
typedef struct mem_rows {
  char *buf;
  size_t len;
  FILE *f;
  ucl_csv_writer *w;
} mem_rows;

static ucl_status mem_open(mem_rows *m, int n_cols) {
  m->buf = NULL;
  m->len = 0;
  m->w = NULL;
  m->f = open_memstream(&m->buf, &m->len);
  if (!m->f || ucl_csv_wrap(m->f, n_cols, &m->w) != UCL_OK) {
    return UCL_ERR_NOMEM;
  }
  return UCL_OK;
}

static void mem_close(mem_rows *m) {
  ucl_csv_abort(&m->w);
  if (m->f) {
    fclose(m->f);
    m->f = NULL;
  }
}

ucl_status ucl_netsweep_point(const ucl_sweep *sw, long i, char **prow, size_t *plen, char **nrows,
                              size_t *nlen, int *failed, ucl_diag *diag) {
  const ucl_network *base = ucl_sweep_base_network(sw);
  int n_swept = ucl_sweep_n_swept(sw);
  char(*texts)[64] = malloc((size_t)(n_swept > 0 ? n_swept : 1) * sizeof(*texts));
  ucl_network *net = NULL;
  ucl_net_result *r = NULL;
  mem_rows P = {0}, C = {0};
  size_t *fan_in = NULL;
  ucl_diag pd = {{0}};
  int n_neuron_cols;
  ucl_net_neuron_columns(&n_neuron_cols);
  ucl_status st = texts ? ucl_sweep_point_texts(sw, i, texts, diag) : UCL_ERR_NOMEM;
  if (st == UCL_OK) {
    st = mem_open(&P, n_point_cols(sw));
  }
  if (st == UCL_OK) {
    st = mem_open(&C, n_neuron_cols + 1);
  }
  if (st != UCL_OK) {
    st = st == UCL_ERR_NOMEM ? ucl_diag_set(diag, st, "out of memory") : st;
    goto done;
  }
  /* build and run; a point that cannot be built, or whose run fails, is a row with its reason */
  ucl_status pst = ucl_sweep_network(sw, i, &net, &pd);
  if (pst == UCL_OK) {
    ucl_net_opts o = {.integration = UCL_NET_AUTO};
    pst = ucl_network_run(net, &o, &r, &pd);
    if (!r && (pst == UCL_ERR_NOMEM)) {
      st = ucl_diag_set(diag, pst, "point %ld: %s", i, pd.msg);
      goto done;
    }
  }
  *failed = pst != UCL_OK;
  size_t spikes = 0, silent = 0, bad_neurons = 0;
  double E = 0.0;
  for (size_t k = 0; r && k < r->n; k++) {
    spikes += r->neurons[k].n_spikes;
    silent += r->neurons[k].n_spikes == 0;
    bad_neurons += r->neurons[k].status != UCL_OK;
    E += r->neurons[k].E_in + r->neurons[k].E_vdd + r->neurons[k].E_syn;
  }
  int bad = ucl_csv_long(P.w, i) != UCL_OK ||
            ucl_csv_text(P.w, pst == UCL_OK ? "ok" : ucl_status_name(pst)) != UCL_OK ||
            ucl_csv_text(P.w, pst == UCL_OK ? "" : pd.msg) != UCL_OK;
  for (int k = 0; k < n_swept && !bad; k++) {
    char *end = NULL;
    double v = strtod(texts[k], &end);
    bad = (end && *end == '\0' && end != texts[k]) ? ucl_csv_double(P.w, v) != UCL_OK
                                                   : ucl_csv_text(P.w, texts[k]) != UCL_OK;
  }
  double tail[N_TAIL] = {(double)base->n_neurons, r ? (double)spikes : NAN,
                         r ? (double)silent : NAN, r ? (double)bad_neurons : NAN, r ? E : NAN};
  for (int k = 0; k < N_TAIL && !bad; k++) {
    bad = ucl_csv_double(P.w, tail[k]) != UCL_OK;
  }
  for (size_t k = 0; wide(base) && k < base->n_neurons && !bad; k++) {
    const ucl_net_neuron_result *nr = r ? &r->neurons[k] : NULL;
    bad = ucl_csv_double(P.w, nr ? (double)nr->n_spikes : NAN) != UCL_OK ||
          ucl_csv_double(P.w, nr ? (double)nr->n_spikes / net->base.stim.duration : NAN) != UCL_OK;
  }
  if (!bad) {
    bad = ucl_csv_end_row(P.w, diag) != UCL_OK;
  }
  if (r && !bad) {
    fan_in = calloc(r->n ? r->n : 1, sizeof(size_t));
    bad = !fan_in;
    for (size_t s = 0; !bad && s < net->n_synapses; s++) {
      fan_in[net->synapses[s].to]++;
    }
    for (size_t k = 0; !bad && k < r->n; k++) {
      bad = ucl_csv_long(C.w, i) != UCL_OK ||
            ucl_net_write_neuron_row(C.w, net, r, k, fan_in[k]) != UCL_OK ||
            ucl_csv_end_row(C.w, diag) != UCL_OK;
    }
  }
  if (bad) {
    st = ucl_diag_set(diag, UCL_ERR_NOMEM, "point %ld: formatting its rows failed", i);
    goto done;
  }
  mem_close(&P);
  mem_close(&C);
  *prow = P.buf;
  *plen = P.len;
  *nrows = C.buf;
  *nlen = C.len;
  P.buf = C.buf = NULL;
done:
  mem_close(&P);
  mem_close(&C);
  free(P.buf);
  free(C.buf);
  free(fan_in);
  free(texts);
  ucl_net_result_destroy(&r);
  ucl_network_destroy(&net);
  return st;
}
