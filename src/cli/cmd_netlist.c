/* cmd_netlist.c — `uclif netlist [SPEC] [--set NAME=VALUE]... [-o FILE] [--data FILE]`. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "uclif/netlist.h"
#include "uclif/spec.h"
#include "uclif/units.h"

static void help(void) {
  printf("usage: uclif netlist [SPEC] [options]\n\n"
         "Write an ngspice netlist of the configuration (the same circuit, values and stimulus;\n"
         "docs/model.md, SPICE netlist) to standard output or FILE. Run it with\n"
         "`ngspice -b FILE`; it measures the first latch time and, with --data, writes the\n"
         "waveforms of v(in) v(m) v(k) v(out) v(s) [v(f)] (s = the SCR's latch state).\n\n"
         "options:\n"
         "  --set NAME=VALUE  set a parameter (repeatable)\n"
         "  -o FILE           write the netlist to FILE instead of standard output\n"
         "  --data FILE       make ngspice write the waveforms to FILE (wrdata)\n"
         "  --tmax DT         ngspice's largest step (default: a tenth of the shortest pulse\n"
         "                    feature, at most 1 us)\n"
         "  --reltol X        ngspice RELTOL (default 1e-4)\n"
         "  --help            this text\n\n"
         "Pulse edges of 0 s are written as 1 ns: simulate with --set rise=1n --set fall=1n to\n"
         "compare like with like.\n");
}

int ucl_cmd_netlist(int argc, char **argv) {
  ucl_cli_common a = {.out_dir = "."};
  const char *out = NULL;
  ucl_netlist_opts no = {0};
  ucl_diag diag = {{0}};
  for (int i = 1; i < argc; i++) {
    const char *v = NULL;
    int m;
    if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
      help();
      return UCL_EXIT_OK;
    } else if ((m = ucl_cli_option(argc, argv, &i, "-o", &v)) != 0) {
      if (m < 0) {
        ucl_cli_error("netlist", "-o needs a file");
        return UCL_EXIT_USAGE;
      }
      out = v;
    } else if ((m = ucl_cli_option(argc, argv, &i, "--data", &v)) != 0) {
      if (m < 0) {
        ucl_cli_error("netlist", "--data needs a file");
        return UCL_EXIT_USAGE;
      }
      no.data = v;
    } else if ((m = ucl_cli_option(argc, argv, &i, "--tmax", &v)) != 0) {
      if (m < 0 || ucl_units_parse(v, "s", &no.tmax, &diag) != UCL_OK || !(no.tmax > 0)) {
        ucl_cli_error("netlist", "--tmax: %s", m < 0 ? "needs a value" : "must be > 0");
        return UCL_EXIT_USAGE;
      }
    } else if ((m = ucl_cli_option(argc, argv, &i, "--reltol", &v)) != 0) {
      if (m < 0 || ucl_units_parse(v, NULL, &no.reltol, &diag) != UCL_OK || !(no.reltol > 0)) {
        ucl_cli_error("netlist", "--reltol: %s", m < 0 ? "needs a value" : "must be > 0");
        return UCL_EXIT_USAGE;
      }
    } else if ((m = ucl_cli_common_arg("netlist", argc, argv, &i, &a)) != 0) {
      if (m < 0) {
        return UCL_EXIT_USAGE;
      }
    } else {
      ucl_cli_error("netlist", "unknown option '%s' (see --help)", argv[i]);
      return UCL_EXIT_USAGE;
    }
  }
  ucl_params p;
  if (ucl_spec_load_config(a.spec, a.sets, a.n_sets, &p, &diag) != UCL_OK) {
    ucl_cli_error("netlist", "%s", diag.msg);
    return UCL_EXIT_USAGE;
  }
  no.title = a.spec ? a.spec : "uclif netlist (defaults and --set)";
  FILE *f = out ? fopen(out, "w") : stdout;
  if (!f) {
    ucl_cli_error("netlist", "%s: %s", out, strerror(errno));
    return UCL_EXIT_USAGE;
  }
  ucl_status st = ucl_netlist_write(f, &p, &no, &diag);
  int bad = (out && fclose(f) != 0) || (!out && fflush(f) != 0);
  if (st != UCL_OK || bad) {
    ucl_cli_error("netlist", "%s", st != UCL_OK ? diag.msg : "write failed");
    if (out) {
      remove(out);
    }
    return st == UCL_ERR_INVAL ? UCL_EXIT_USAGE : UCL_EXIT_RUN;
  }
  return UCL_EXIT_OK;
}
