/* cmd_params.c — `uclif params`: every parameter with section, unit, default and provenance. */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "uclif/params.h"

static void help(void) {
  printf("usage: uclif params [--neuron type1|type2|mott]\n\n"
         "List every parameter: its spec-file section, name (the same in specs, --set and CSV\n"
         "columns), default with unit, what it is, and where the default comes from:\n"
         "[P] the paper, [D] a datasheet, [C] a public SPICE model, [R] a reconstruction or\n"
         "assumption, [cal] calibrated (docs/model.md). With --neuron, only the parameters that\n"
         "apply to that neuron type.\n");
}

/* Does 'applies' ("" or neuron types such as "type1|type2", or stimulus kinds such as
 * "pulses|staircase") hide this key for 'neuron'? */
static int hidden(const char *applies, const char *neuron) {
  if (!neuron || (strncmp(applies, "type", 4) != 0 && strncmp(applies, "mott", 4) != 0)) {
    return 0;
  }
  return strstr(applies, neuron) == NULL;
}

int ucl_cmd_params(int argc, char **argv) {
  const char *neuron = NULL;
  for (int i = 1; i < argc; i++) {
    const char *v = NULL;
    int m;
    if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
      help();
      return UCL_EXIT_OK;
    } else if ((m = ucl_cli_option(argc, argv, &i, "--neuron", &v)) != 0) {
      if (m < 0 || (strcmp(v, "type1") != 0 && strcmp(v, "type2") != 0 && strcmp(v, "mott") != 0)) {
        ucl_cli_error("params", "--neuron takes type1, type2 or mott");
        return UCL_EXIT_USAGE;
      }
      neuron = v;
    } else {
      ucl_cli_error("params", "unknown option '%s' (see --help)", argv[i]);
      return UCL_EXIT_USAGE;
    }
  }
  ucl_params p;
  ucl_params_default(&p);
  int last = -1;
  for (size_t i = 0; i < ucl_params_count(); i++) {
    const ucl_param_info *in = ucl_params_info(i);
    if (hidden(in->applies, neuron)) {
      continue;
    }
    if ((int)in->section != last) {
      printf("%s[%s]\n", last < 0 ? "" : "\n", ucl_params_section_name(in->section));
      printf("  %-14s %-24s %s\n", "name", "default", "description; provenance");
      last = (int)in->section;
    }
    char val[64], def[96];
    ucl_params_format(&p, in, val, sizeof(val));
    if (in->kind == UCL_PARAM_CHOICE) {
      snprintf(def, sizeof(def), "%s (%s)", val, in->choices);
    } else {
      snprintf(def, sizeof(def), "%.6g %s", in->def, in->unit);
    }
    printf("  %-14s %-24s %s", in->name, def, in->desc);
    if (in->applies[0]) {
      printf(" [%s only]", in->applies);
    }
    printf("; %s\n", in->provenance);
  }
  return UCL_EXIT_OK;
}
