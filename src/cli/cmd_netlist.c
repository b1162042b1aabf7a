/* cmd_netlist.c — `uclif netlist [SPEC] [-o FILE] [--set NAME=VALUE]... [--data FILE] ...`. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "uclif/ini.h"
#include "uclif/netlist.h"
#include "uclif/params.h"
#include "uclif/spec.h"
#include "uclif/units.h"

enum { OPT_DATA = 1, OPT_TMAX, OPT_RELTOL };

static const ucl_cli_opt options[] = {
    {"data", OPT_DATA, "FILE",
     "make ngspice write the waveforms to FILE (wrdata; FILE is quoted,\n"
     "and a name ngspice cannot take is refused)"},
    {"tmax", OPT_TMAX, "DT",
     "ngspice's largest step (default: a tenth of the shortest pulse\n"
     "feature, at most 1 us)"},
    {"reltol", OPT_RELTOL, "X", "ngspice RELTOL (default 1e-4)"},
    {NULL, 0, NULL, NULL}};

static const ucl_cli_cmd command = {
    .name = "netlist",
    .usage = "uclif netlist [SPEC] [options]",
    .about =
        "Write an ngspice netlist of the configuration (the same circuit, values and stimulus;\n"
        "docs/model.md, SPICE netlist) to standard output or FILE. Run it with\n"
        "`ngspice -b FILE`; it measures the first latch time and, with --data, writes the\n"
        "waveforms of v(in) v(m) v(k) v(out) v(s) [v(f) v(ax)] (s = the SCR's latch state;\n"
        "with scr.model = two_transistor i(Vsa), the anode current, in place of v(s); type II:\n"
        "v(ax) is the output, v(out) the node after R6).\n\n"
        "Pulse edges of 0 s are written as 1 ns: simulate with --set rise=1n --set fall=1n to\n"
        "compare like with like.",
    .common = UCL_CLI_OUT_FILE | UCL_CLI_SET | UCL_CLI_QUIET,
    .out_help = "write the netlist to FILE (replaced whole once complete)\n"
                "instead of standard output",
    .set_help = "set a parameter (repeatable)",
    .quiet_help = "accepted for uniformity: netlist prints no summary",
    .opts = options,
    .operand = "SPEC",
    .after =
        "exit status: 0 written; 1 the netlist could not be written; 2 bad usage or bad input."};

typedef struct netlist_job {
  const ucl_params *p;
  const ucl_netlist_opts *no;
} netlist_job;

/* Prefix 'diag' with where 'key' was set, as the spec loader does: "--set KEY=V: " for the last
 * --set of it, else "SPEC:LINE: " for its last line in the spec's section of it, else "SPEC: ". */
static void name_origin(const ucl_cli_args *a, const char *key, ucl_diag *diag) {
  size_t len = strlen(key);
  for (int i = a->n_sets - 1; i >= 0; i--) {
    if (strncmp(a->sets[i], key, len) == 0 && a->sets[i][len] == '=') {
      ucl_diag_prefix(diag, "--set %s: ", a->sets[i]);
      return;
    }
  }
  if (!a->operand) {
    return;
  }
  const ucl_param_info *info = ucl_params_find(key);
  ucl_ini *ini = NULL;
  ucl_diag ignored = {{0}};
  int line = 0;
  if (info && ucl_ini_read(a->operand, &ini, &ignored) == UCL_OK) {
    for (size_t i = 0; i < ucl_ini_count(ini); i++) {
      const ucl_ini_entry *e = ucl_ini_entry_at(ini, i);
      if (strcmp(e->key, key) == 0 &&
          strcmp(e->section, ucl_params_section_name(info->section)) == 0) {
        line = e->line;
      }
    }
  }
  ucl_ini_destroy(&ini);
  if (line > 0) {
    ucl_diag_prefix(diag, "%s:%d: ", a->operand, line);
  } else {
    ucl_diag_prefix(diag, "%s: ", a->operand);
  }
}

static ucl_status write_netlist(FILE *f, const void *ctx, ucl_diag *diag) {
  const netlist_job *j = ctx;
  return ucl_netlist_write(f, j->p, j->no, diag);
}

int ucl_cmd_netlist(int argc, char **argv) {
  ucl_cli_args a;
  ucl_cli_parser cp;
  ucl_netlist_opts no = {0};
  ucl_diag diag = {{0}};
  const char *v = NULL;
  int id;
  ucl_cli_begin(&cp, &command, argc, argv, &a, 0);
  while ((id = ucl_cli_next(&cp, &v)) > 0) {
    switch (id) {
    case OPT_DATA:
      if (ucl_netlist_check_data(v, &diag) != UCL_OK) {
        ucl_cli_bad_value(&cp, "%s", diag.msg);
      }
      no.data = v;
      break;
    case OPT_TMAX:
      if (ucl_units_parse(v, "s", &no.tmax, &diag) != UCL_OK || !(no.tmax > 0)) {
        ucl_cli_bad_value(&cp, "must be > 0");
      }
      break;
    case OPT_RELTOL:
      if (ucl_units_parse(v, NULL, &no.reltol, &diag) != UCL_OK || !(no.reltol > 0)) {
        ucl_cli_bad_value(&cp, "must be > 0");
      }
      break;
    default:
      break;
    }
  }
  if (id < 0) {
    return cp.exit;
  }
  if (a.operand && ucl_cli_is_network_spec(a.operand)) {
    ucl_cli_error("netlist",
                  "%s: a network spec; netlists are written for single neurons only "
                  "(simulate one neuron's configuration instead)",
                  a.operand);
    return UCL_EXIT_USAGE;
  }
  ucl_params p;
  ucl_status st = ucl_spec_load_config(a.operand, a.sets, a.n_sets, &p, &diag);
  if (st != UCL_OK) {
    return ucl_cli_fail("netlist", st, &diag);
  }
  ucl_cli_warn_params("netlist", &p);
  no.title = a.operand ? a.operand : "uclif netlist (defaults and --set)";
  /* what only a netlist cannot take (a PWL source of too many corners), named as the spec
   * loader names its errors */
  const char *bad = NULL;
  st = ucl_netlist_check(&p, &no, &bad, &diag);
  if (st != UCL_OK) {
    if (bad && strcmp(bad, "data") == 0) {
      ucl_diag_prefix(&diag, "--data %s: ", no.data);
    } else if (bad) {
      name_origin(&a, bad, &diag);
    }
    return ucl_cli_fail("netlist", st, &diag);
  }
  if (a.out) {
    netlist_job job = {&p, &no};
    st = ucl_cli_write_file(a.out, write_netlist, &job, &diag); /* whole or not at all */
  } else {
    st = ucl_netlist_write(stdout, &p, &no, &diag);
    if (st == UCL_OK && fflush(stdout) != 0) {
      st = ucl_diag_set(&diag, UCL_ERR_IO, "standard output: write failed: %s", strerror(errno));
    }
  }
  if (st != UCL_OK) {
    return ucl_cli_fail("netlist", st, &diag);
  }
  return UCL_EXIT_OK;
}
