/* cmd_params.c — `uclif params [--neuron TYPE]`: every parameter with section, unit, default and
 * provenance. */
#include <stdio.h>
#include <math.h>
#include <string.h>

#include "cli.h"
#include "uclif/params.h"

enum { OPT_NEURON = 1 };

static const ucl_cli_opt options[] = {
    {"neuron", OPT_NEURON, "TYPE",
     "only the parameters that apply to neuron TYPE (type1, type2, mott)"},
    {NULL, 0, NULL, NULL}};

static const ucl_cli_cmd command = {
    .name = "params",
    .usage = "uclif params [options]",
    .about = "List every parameter: its spec-file section, name (the same in specs, --set and CSV\n"
             "columns), default with unit, what it is, and where the default comes from:\n"
             "[P] the paper, [D] a datasheet, [C] a public SPICE model, [R] a reconstruction or\n"
             "assumption, [cal] calibrated (docs/model.md). The list goes to standard output;\n"
             "it reads no configuration and writes no file.",
    .common = UCL_CLI_QUIET,
    .quiet_help = "accepted for uniformity: the list is the output, and is printed",
    .opts = options,
    .after = "exit status: 0 listed; 2 bad usage."};

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

/* Does 'applies' ("" or neuron types such as "type1|type2", SCR forms such as
 * "two_transistor", or stimulus kinds such as "pulses|staircase") hide this key for 'neuron'
 * (one of 'neurons', the neuron key's choices)? A key of one SCR form is hidden wherever the
 * scr.model key itself is (the Mott neuron has no SCR). */
static int hidden(const char *applies, const char *neuron, const char *neurons) {
  char first[32];
  size_t len = strcspn(applies, "|");
  if (!neuron || len == 0 || len >= sizeof(first)) {
    return 0;
  }
  memcpy(first, applies, len);
  first[len] = '\0';
  const ucl_param_info *form = ucl_params_find("scr.model");
  if (in_choices(form->choices, first)) {
    return hidden(form->applies, neuron, neurons);
  }
  return in_choices(neurons, first) && !in_choices(applies, neuron);
}

/* The default column's text of key 'in': CHOICE "name (choices)", else "value unit". */
static void default_text(const ucl_params *p, const ucl_param_info *in, char *def, size_t n) {
  char val[64];
  ucl_params_format(p, in, val, sizeof(val));
  if (in->kind == UCL_PARAM_CHOICE) {
    snprintf(def, n, "%s (%s)", val, in->choices);
  } else {
    snprintf(def, n, "%.6g %s", in->def, in->unit);
  }
}

int ucl_cmd_params(int argc, char **argv) {
  const char *neuron = NULL;
  const char *neurons = ucl_params_find("neuron")->choices; /* "type1|type2|mott" */
  ucl_cli_args a;
  ucl_cli_parser cp;
  const char *v = NULL;
  int id;
  ucl_cli_begin(&cp, &command, argc, argv, &a, 0);
  while ((id = ucl_cli_next(&cp, &v)) > 0) {
    if (id == OPT_NEURON && !in_choices(neurons, v)) {
      ucl_cli_bad_value(&cp, "expected one of %s", neurons);
    }
    neuron = v;
  }
  if (id < 0) {
    return cp.exit;
  }
  ucl_params p;
  ucl_params_default(&p);
  int w_name = 14, w_def = 24; /* columns as wide as their widest entry */
  for (size_t i = 0; i < ucl_params_count(); i++) {
    const ucl_param_info *in = ucl_params_info(i);
    char def[96];
    default_text(&p, in, def, sizeof(def));
    w_name = (int)fmax(w_name, (double)strlen(in->name));
    w_def = (int)fmax(w_def, (double)strlen(def));
  }
  int last = -1;
  for (size_t i = 0; i < ucl_params_count(); i++) {
    const ucl_param_info *in = ucl_params_info(i);
    if (hidden(in->applies, neuron, neurons)) {
      continue;
    }
    if ((int)in->section != last) {
      printf("%s[%s]\n", last < 0 ? "" : "\n", ucl_params_section_name(in->section));
      printf("  %-*s %-*s %s\n", w_name, "name", w_def, "default", "description; provenance");
      last = (int)in->section;
    }
    char def[96];
    default_text(&p, in, def, sizeof(def));
    printf("  %-*s %-*s %s", w_name, in->name, w_def, def, in->desc);
    if (in->applies[0]) {
      printf(" [%s only]", in->applies);
    }
    printf("; %s\n", in->provenance);
  }
  return UCL_EXIT_OK;
}
