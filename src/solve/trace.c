/* trace.c — growable sample and event buffers. */
#include "uclif/trace.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

struct ucl_trace {
  int n_channels;
  const char *const *names;
  size_t max_samples;
  double *rows;
  size_t n_rows, cap_rows;
  ucl_event *events;
  size_t n_events, cap_events;
  int n_quads;
  const char *const *quad_names; /* borrowed */
  double *quads;
  ucl_solver_stats stats;
  double t_reached;
  double *root_peaks;
  int n_root_peaks;
};

void ucl_solver_stats_add(ucl_solver_stats *a, const ucl_solver_stats *b) {
  a->steps += b->steps;
  a->rhs_evals += b->rhs_evals;
  a->quad_evals += b->quad_evals;
  a->jac_evals += b->jac_evals;
  a->lin_setups += b->lin_setups;
  a->err_test_fails += b->err_test_fails;
  a->nonlin_iters += b->nonlin_iters;
  a->nonlin_fails += b->nonlin_fails;
  a->root_evals += b->root_evals;
  a->reinits += b->reinits;
  a->breaks += b->breaks;
}

ucl_status ucl_trace_create(int n_channels, const char *const *names, size_t max_samples,
                            ucl_trace **out, ucl_diag *diag) {
  if (n_channels < 0 || (n_channels > 0 && !names)) {
    return ucl_diag_set(diag, UCL_ERR_INVAL, "trace: bad channel layout");
  }
  ucl_trace *tr = calloc(1, sizeof(*tr));
  if (!tr) {
    return ucl_diag_set(diag, UCL_ERR_NOMEM, "out of memory creating a trace");
  }
  tr->n_channels = n_channels;
  tr->names = names;
  tr->max_samples = max_samples;
  *out = tr;
  return UCL_OK;
}

void ucl_trace_destroy(ucl_trace **tr) {
  if (tr && *tr) {
    free((*tr)->rows);
    free((*tr)->events);
    free((*tr)->root_peaks);
    free((*tr)->quads);
    free(*tr);
    *tr = NULL;
  }
}

ucl_status ucl_trace_add_sample(ucl_trace *tr, double t, const double *values) {
  if (tr->n_rows >= tr->max_samples) {
    return UCL_ERR_LIMIT;
  }
  size_t w = (size_t)tr->n_channels + 1;
  if (tr->n_rows == tr->cap_rows) {
    size_t cap = tr->cap_rows ? 2 * tr->cap_rows : 1024;
    if (cap > tr->max_samples) {
      cap = tr->max_samples;
    }
    double *p = realloc(tr->rows, cap * w * sizeof(*p));
    if (!p) {
      return UCL_ERR_NOMEM;
    }
    tr->rows = p;
    tr->cap_rows = cap;
  }
  double *row = tr->rows + tr->n_rows * w;
  row[0] = t;
  memcpy(row + 1, values, (size_t)tr->n_channels * sizeof(*row));
  tr->n_rows++;
  return UCL_OK;
}

ucl_status ucl_trace_add_event(ucl_trace *tr, const ucl_event *ev) {
  if (tr->n_events == tr->cap_events) {
    size_t cap = tr->cap_events ? 2 * tr->cap_events : 64;
    ucl_event *p = realloc(tr->events, cap * sizeof(*p));
    if (!p) {
      return UCL_ERR_NOMEM;
    }
    tr->events = p;
    tr->cap_events = cap;
  }
  tr->events[tr->n_events++] = *ev;
  return UCL_OK;
}

void ucl_trace_truncate(ucl_trace *tr, size_t n_samples, size_t n_events) {
  if (n_samples < tr->n_rows) {
    tr->n_rows = n_samples;
  }
  if (n_events < tr->n_events) {
    tr->n_events = n_events;
  }
}

void ucl_trace_reset(ucl_trace *tr) {
  tr->n_rows = 0;
  tr->n_events = 0;
  tr->n_quads = 0;
  memset(&tr->stats, 0, sizeof(tr->stats));
  tr->t_reached = 0.0;
  tr->n_root_peaks = 0;
}

ucl_status ucl_trace_set_root_peaks(ucl_trace *tr, int n, const double *values) {
  double *p = realloc(tr->root_peaks, (size_t)(n > 0 ? n : 1) * sizeof(*p));
  if (!p) {
    return UCL_ERR_NOMEM;
  }
  tr->root_peaks = p;
  memcpy(p, values, (size_t)n * sizeof(*p));
  tr->n_root_peaks = n;
  return UCL_OK;
}

int ucl_trace_n_root_peaks(const ucl_trace *tr) {
  return tr->n_root_peaks;
}

double ucl_trace_root_peak(const ucl_trace *tr, int k) {
  return (k >= 0 && k < tr->n_root_peaks) ? tr->root_peaks[k] : NAN;
}

int ucl_trace_n_channels(const ucl_trace *tr) {
  return tr->n_channels;
}

const char *ucl_trace_channel_name(const ucl_trace *tr, int k) {
  return (k >= 0 && k < tr->n_channels) ? tr->names[k] : NULL;
}

int ucl_trace_channel_index(const ucl_trace *tr, const char *name) {
  for (int k = 0; k < tr->n_channels; k++) {
    if (strcmp(tr->names[k], name) == 0) {
      return k;
    }
  }
  return -1;
}

size_t ucl_trace_n_samples(const ucl_trace *tr) {
  return tr->n_rows;
}

const double *ucl_trace_sample(const ucl_trace *tr, size_t i) {
  return i < tr->n_rows ? tr->rows + i * ((size_t)tr->n_channels + 1) : NULL;
}

size_t ucl_trace_n_events(const ucl_trace *tr) {
  return tr->n_events;
}

const ucl_event *ucl_trace_event(const ucl_trace *tr, size_t i) {
  return i < tr->n_events ? &tr->events[i] : NULL;
}

ucl_status ucl_trace_set_quads(ucl_trace *tr, int n, const char *const *names,
                               const double *values) {
  double *q = n > 0 ? realloc(tr->quads, (size_t)n * sizeof(double)) : tr->quads;
  if (!q) {
    return UCL_ERR_NOMEM;
  }
  tr->quads = q;
  tr->n_quads = n;
  tr->quad_names = names;
  if (n > 0) {
    memcpy(q, values, (size_t)n * sizeof(double));
  }
  return UCL_OK;
}

int ucl_trace_n_quads(const ucl_trace *tr) {
  return tr->n_quads;
}

const char *ucl_trace_quad_name(const ucl_trace *tr, int k) {
  return (k >= 0 && k < tr->n_quads) ? tr->quad_names[k] : NULL;
}

double ucl_trace_quad(const ucl_trace *tr, int k) {
  return (k >= 0 && k < tr->n_quads) ? tr->quads[k] : 0.0;
}

ucl_solver_stats *ucl_trace_stats(ucl_trace *tr) {
  return &tr->stats;
}

const ucl_solver_stats *ucl_trace_stats_const(const ucl_trace *tr) {
  return &tr->stats;
}

void ucl_trace_set_t_reached(ucl_trace *tr, double t) {
  tr->t_reached = t;
}

double ucl_trace_t_reached(const ucl_trace *tr) {
  return tr->t_reached;
}
