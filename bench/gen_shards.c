/* gen_shards.c — synthetic shards for the merge benchmark: N points spread round-robin over K
 * shard files of DIR/shards, each block a points.csv-sized row and C curve rows, written through
 * the store's own writer (store.h: checksummed blocks).
 *
 *   gen_shards DIR N K [C]      (then: /usr/bin/time -v uclif merge DIR)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "uclif/store.h"

int main(int argc, char **argv) {
  if (argc < 4) {
    fprintf(stderr, "usage: gen_shards DIR N K [C]\n");
    return 2;
  }
  const char *dir = argv[1];
  long n = strtol(argv[2], NULL, 10);
  int k = (int)strtol(argv[3], NULL, 10);
  int c = argc > 4 ? (int)strtol(argv[4], NULL, 10) : 0;
  if (n < 1 || k < 1 || c < 0) {
    fprintf(stderr, "gen_shards: N and K must be >= 1, C >= 0\n");
    return 2;
  }
  char path[4096];
  snprintf(path, sizeof(path), "%s/shards", dir);
  mkdir(dir, 0777);
  mkdir(path, 0777);
  ucl_shard **sh = calloc((size_t)k, sizeof(*sh));
  ucl_diag d = {{0}};
  for (int r = 0; sh && r < k; r++) {
    if (ucl_shard_create(path, 0, r, 0x5eedULL, n, &sh[r], &d) != UCL_OK) {
      fprintf(stderr, "gen_shards: %s\n", d.msg);
      return 1;
    }
  }
  /* a row of ~110 fields like a real points row */
  char tail[2048], prow[2304];
  size_t t = 0;
  for (int i = 0; i < 105; i++) {
    t += (size_t)snprintf(tail + t, sizeof(tail) - t, ",%.17g", 1.0 / (i + 3.0));
  }
  size_t ccap = (size_t)c * 128 + 1;
  char *crows = malloc(ccap);
  for (long id = 0; sh && crows && id < n; id++) {
    int plen = snprintf(prow, sizeof(prow), "%ld,\"ok\",\"\",\"type1\"%s\r\n", id, tail);
    size_t clen = 0;
    for (int j = 0; j < c; j++) {
      clen += (size_t)snprintf(crows + clen, ccap - clen,
                               "%ld,%d,1,\"ok\",3,150,160,140,0.001,0.006,0.1,0.01,0.02,1e-6,"
                               "2e-6,1e-6\r\n",
                               id, j);
    }
    if (ucl_shard_append_rows(sh[id % k], id, prow, (size_t)plen, crows, clen, &d) != UCL_OK) {
      fprintf(stderr, "gen_shards: %s\n", d.msg);
      return 1;
    }
  }
  int rc = sh && crows ? 0 : 1;
  for (int r = 0; sh && r < k; r++) {
    if (ucl_shard_close(&sh[r], &d) != UCL_OK) {
      fprintf(stderr, "gen_shards: %s\n", d.msg);
      rc = 1;
    }
  }
  free(sh);
  free(crows);
  return rc;
}
