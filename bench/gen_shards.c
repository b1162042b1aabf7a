/* gen_shards.c — synthetic shards for the merge benchmark: N points spread round-robin over K
 * shard files of DIR/shards, each block a points.csv-sized row and C curve rows.
 *
 *   gen_shards DIR N K [C]      (then: /usr/bin/time -v uclif merge DIR)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int main(int argc, char **argv) {
  if (argc < 4) {
    fprintf(stderr, "usage: gen_shards DIR N K [C]\n");
    return 2;
  }
  const char *dir = argv[1];
  long n = strtol(argv[2], NULL, 10);
  int k = (int)strtol(argv[3], NULL, 10);
  int c = argc > 4 ? (int)strtol(argv[4], NULL, 10) : 0;
  char path[4096];
  snprintf(path, sizeof(path), "%s/shards", dir);
  mkdir(dir, 0777);
  mkdir(path, 0777);
  FILE **f = calloc((size_t)k, sizeof(*f));
  for (int r = 0; r < k; r++) {
    snprintf(path, sizeof(path), "%s/shards/run-0-rank-%d.txt", dir, r);
    f[r] = fopen(path, "wb");
    if (!f[r]) {
      perror(path);
      return 1;
    }
    fprintf(f[r], "uclif-shard 1 %016llx %ld\n", 0x5eedULL, n);
  }
  /* a row of ~110 fields like a real points row */
  char tail[2048];
  size_t t = 0;
  for (int i = 0; i < 105; i++) {
    t += (size_t)snprintf(tail + t, sizeof(tail) - t, ",%.17g", 1.0 / (i + 3.0));
  }
  for (long id = 0; id < n; id++) {
    FILE *o = f[id % k];
    fprintf(o, "P%ld,\"ok\",\"\",\"type1\"%s\r\n", id, tail);
    for (int j = 0; j < c; j++) {
      fprintf(o, "C%ld,%d,1,\"ok\",3,150,160,140,0.001,0.006,0.1,0.01,0.02,1e-6,2e-6,1e-6\r\n", id,
              j);
    }
    fprintf(o, "E %ld\n", id);
  }
  for (int r = 0; r < k; r++) {
    fclose(f[r]);
  }
  free(f);
  return 0;
}
