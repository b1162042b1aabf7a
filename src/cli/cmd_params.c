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

/* Is 'word' one of the '|'-separated alternatives of 'list'? */
static int in_choices(const char *list, const char *word) {
  size_t n = strlen(word);
  for (const char *p = list; *p;) {
    const char *bar = strchr(p, '|');
    size_t len = bar ? (size_t)(bar - p) : strlen(p);
    if (len == n && strncmp(p, word, n) == 0) {
      return 1;
    }
    p += len + (bar != NULL);
  }
  return 0;
}

/* Does 'applies' ("" or neuron types such as "type1|type2", or stimulus kinds such as
 * "pulses|staircase") hide this key for 'neuron' (one of 'neurons', the neuron key's choices)? */
static int hidden(const char *applies, const char *neuron, const char *neurons) {
  char first[32];
  size_t len = strcspn(applies, "|");
  if (!neuron || len == 0 || len >= sizeof(first)) {
    return 0;
  }
  memcpy(first, applies, len);
  first[len] = '\0';
  return in_choices(neurons, first) && !in_choices(applies, neuron);
}

int ucl_cmd_params(int argc, char **argv) {
  const char *neuron = NULL;
  const char *neurons = ucl_params_find("neuron")->choices; /* "type1|type2|mott" */
  for (int i = 1; i < argc; i++) {
    const char *v = NULL;
    int m;
    if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
      help();
      return UCL_EXIT_OK;
    } else if ((m = ucl_cli_option(argc, argv, &i, "--neuron", &v)) != 0) {
      if (m < 0 || !in_choices(neurons, v)) {
        ucl_cli_error("params", "--neuron takes one of %s", neurons);
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
    if (hidden(in->applies, neuron, neurons)) {
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
