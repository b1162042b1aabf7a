/* test_sched.c — the communicator and the batch service of sched.h under mpirun (any number of
 * ranks; tests/mpi/test_sched.sh runs 1, 2 and 3): every rank gets every result, bit for bit the
 * serial ones, each evaluated on rank i mod size; a failing evaluation, a rank without memory for
 * the results and ucl_comm_agree give the same status and message on every rank; MPI failures
 * (a broadcast from a rank that does not exist) and misuse (NULL handles, bad sizes) are statuses,
 * not aborts. No MPI include: the test sees only the library's API. Each rank exits 1 if one of
 * its checks failed. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "uclif/sched.h"

static int failures = 0, rank = 0;

#define CHECK(cond)                                                                                \
  do {                                                                                             \
    if (!(cond)) {                                                                                 \
      fprintf(stderr, "rank %d: FAIL %s:%d: %s\n", rank, __FILE__, __LINE__, #cond);               \
      failures++;                                                                                  \
    }                                                                                              \
  } while (0)

/* A pure function of i, with values whose bits an inexact sum would change. */
static void expected(long i, double *out) {
  out[0] = sin((double)i) * 1e3 + 1.0 / 3.0;
  out[1] = (double)i;
  out[2] = exp(-(double)i) * 1e-300;
}

typedef struct counter {
  long calls;
  int bad_rank; /* evaluations seen on the wrong rank */
  int size;
  long fail_at; /* index whose evaluation fails; -1 none */
} counter;

static ucl_status eval(void *ctx, long i, double *out, int width, ucl_diag *diag) {
  counter *c = ctx;
  c->calls++;
  c->bad_rank += i % c->size != rank;
  for (int k = 0; k < width; k++) {
    c->bad_rank += out[k] != 0.0; /* handed over zeroed */
  }
  if (i == c->fail_at) {
    return ucl_diag_set(diag, UCL_ERR_SOLVER, "index %ld did not converge", i);
  }
  expected(i, out);
  return UCL_OK;
}

int main(int argc, char **argv) {
  ucl_comm *comm = NULL;
  ucl_diag d = {{0}};
  if (ucl_comm_init(&argc, &argv, &comm, &d) != UCL_OK) {
    fprintf(stderr, "ucl_comm_init: %s\n", d.msg);
    return 1;
  }
  rank = ucl_comm_rank(comm);
  int size = ucl_comm_size(comm);
  CHECK(size >= 1 && rank >= 0 && rank < size);

  /* every rank gets every result, the serial bits, each index evaluated once on rank i mod size */
  enum { N = 37, WIDTH = 3 };
  double *res = malloc(N * WIDTH * sizeof(double)), want[WIDTH];
  counter c = {0, 0, size, -1};
  CHECK(ucl_sched_batch(comm, N, WIDTH, eval, &c, res, &d) == UCL_OK);
  for (long i = 0; i < N; i++) {
    expected(i, want);
    CHECK(memcmp(res + i * WIDTH, want, sizeof(want)) == 0);
  }
  CHECK(c.calls == (N - rank + size - 1) / size);
  CHECK(c.bad_rank == 0);
  CHECK(ucl_sched_batch(comm, 0, WIDTH, eval, &c, res, &d) == UCL_OK); /* empty batch */

  /* a failing evaluation (on the last rank when there are several): the same status and message
   * everywhere */
  counter f = {0, 0, size, size > 1 ? 2L * size - 1 : 5};
  memset(&d, 0, sizeof(d));
  CHECK(ucl_sched_batch(comm, N, WIDTH, eval, &f, res, &d) == UCL_ERR_SOLVER);
  char msg[64];
  snprintf(msg, sizeof(msg), "index %ld did not converge", f.fail_at);
  CHECK(strcmp(d.msg, msg) == 0);

  /* one rank without room for the results: every rank gets out of memory */
  memset(&d, 0, sizeof(d));
  CHECK(ucl_sched_batch(comm, N, WIDTH, eval, &c, rank == size - 1 ? NULL : res, &d) ==
        UCL_ERR_NOMEM);
  CHECK(strstr(d.msg, "out of memory") != NULL);

  /* misuse: a status, not a crash */
  CHECK(ucl_sched_batch(comm, N, 0, eval, &c, res, &d) == UCL_ERR_INVAL);
  CHECK(ucl_sched_batch(comm, -1, WIDTH, eval, &c, res, &d) == UCL_ERR_INVAL);
  CHECK(ucl_sched_batch(NULL, N, WIDTH, eval, &c, res, &d) == UCL_ERR_INVAL);
  CHECK(ucl_sched_batch(comm, N, WIDTH, NULL, &c, res, &d) == UCL_ERR_INVAL);

  /* agree: the worst status, with the message of the lowest rank that had it */
  memset(&d, 0, sizeof(d));
  ucl_status mine = UCL_OK;
  if (rank == size - 1) {
    mine = ucl_diag_set(&d, UCL_ERR_PARSE, "parse failure on the last rank");
  } else if (rank == 0) {
    mine = ucl_diag_set(&d, UCL_ERR_IO, "a lesser failure on rank 0");
  }
  CHECK(ucl_comm_agree(comm, mine, &d) == UCL_ERR_PARSE);
  CHECK(strcmp(d.msg, "parse failure on the last rank") == 0);
  CHECK(ucl_comm_agree(comm, UCL_OK, &d) == UCL_OK);
  CHECK(ucl_comm_agree(NULL, UCL_OK, &d) == UCL_ERR_INVAL);

  /* broadcast; MPI's own failure (no such root) is a status with MPI's message */
  int v = rank == 0 ? 42 : -1;
  CHECK(ucl_comm_bcast_int(comm, &v, 0, &d) == UCL_OK);
  CHECK(v == 42);
  memset(&d, 0, sizeof(d));
  CHECK(ucl_comm_bcast_int(comm, &v, size, &d) == UCL_ERR_IO);
  CHECK(strncmp(d.msg, "MPI: MPI_Bcast: ", 16) == 0);
  CHECK(ucl_comm_bcast_int(NULL, &v, 0, &d) == UCL_ERR_INVAL);
  CHECK(ucl_comm_bcast_int(comm, NULL, 0, &d) == UCL_ERR_INVAL);
  /* the communicator still works after the refused call */
  v = rank == 0 ? 7 : -1;
  CHECK(ucl_comm_bcast_int(comm, &v, 0, &d) == UCL_OK && v == 7);

  free(res);
  CHECK(ucl_comm_finalize(&comm, &d) == UCL_OK);
  CHECK(comm == NULL);
  CHECK(ucl_comm_finalize(&comm, &d) == UCL_OK); /* accepts a NULL handle */
  CHECK(ucl_comm_finalize(NULL, &d) == UCL_OK);
  if (rank == 0) {
    printf("test_sched: %d ranks, %s\n", size, failures ? "FAILED" : "passed");
  }
  return failures ? 1 : 0;
}
