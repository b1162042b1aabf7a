/* fuzz_spec.c — libFuzzer target for the spec parser: any bytes either load as a sweep (whose
 * points are then all computed as parameter sets, and for a network sweep its first and last
 * points' networks built) or fail with a message; never a crash, a hang or a leak. Build: see tests/fuzz/run.sh. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "uclif/network.h"
#include "uclif/sweep.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size > 1 << 16) {
    return 0;
  }
  char *text = malloc(size + 1);
  if (!text) {
    return 0;
  }
  memcpy(text, data, size);
  text[size] = '\0';
  ucl_sweep *s = NULL;
  ucl_diag d = {{0}};
  if (ucl_sweep_parse("fuzz.ini", text, &s, &d) == UCL_OK) {
    long n = ucl_sweep_count(s);
    for (long i = 0; i < n && i < 64; i++) {
      ucl_params p;
      (void)!ucl_sweep_point(s, i, &p, &d);
    }
    if (n > 64) {
      ucl_params p;
      (void)!ucl_sweep_point(s, n - 1, &p, &d);
    }
    if (ucl_sweep_is_network(s)) { /* a network sweep: its first and last points' networks */
      for (long i = 0; i < n && i < 2; i++) {
        ucl_network *net = NULL;
        if (ucl_sweep_network(s, i == 0 ? 0 : n - 1, &net, &d) == UCL_OK) {
          ucl_network_destroy(&net);
        } else if (d.msg[0] == '\0') {
          abort();
        }
      }
    }
    ucl_sweep_destroy(&s);
  } else if (d.msg[0] == '\0') {
    abort(); /* every failure must say why */
  }
  free(text);
  return 0;
}
