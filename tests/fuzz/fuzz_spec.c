/* fuzz_spec.c — libFuzzer target for the reader of text inputs and the spec parser: any bytes
 * (NULs included) either decode as text (no CR, no BOM at the start, no longer than the input,
 * decoding to itself again) or fail with a message; then, as a C string, either load as a sweep
 * (whose points are then all computed as parameter sets, and for a network sweep its first and
 * last points' networks built) or fail with a message; never a crash, a hang or a leak. Build:
 * see tests/fuzz/run.sh. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "uclif/ini.h"
#include "uclif/network.h"
#include "uclif/sweep.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size > 1 << 16) {
    return 0;
  }
  ucl_diag dd = {{0}};
  char *dec = NULL;
  if (ucl_ini_decode("fuzz.ini", (const char *)data, size, &dec, &dd) == UCL_OK) {
    size_t n = strlen(dec);
    char *again = NULL;
    if (n > size || strchr(dec, '\r') || strncmp(dec, "\xEF\xBB\xBF", 3) == 0 ||
        ucl_ini_decode("again", dec, n, &again, &dd) != UCL_OK || strcmp(again, dec) != 0) {
      abort();
    }
    free(again);
    free(dec);
  } else if (dd.msg[0] == '\0') {
    abort();
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
