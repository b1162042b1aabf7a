/* main.c — `uclif <subcommand> ...`: look the subcommand up and run it. */
#include <stdio.h>
#include <string.h>

#include "cli.h"

static const struct {
  const char *name;
  int (*run)(int argc, char **argv);
  const char *summary;
} commands[] = {
    {"simulate", ucl_cmd_simulate, "simulate one neuron configuration; write waveform and events"},
    {"characterize", ucl_cmd_characterize,
     "threshold, f-A curve, time constants, adaptation, energy per spike -> CSV"},
    {"sweep", ucl_cmd_sweep,
     "characterize every point of a sweep spec on MPI ranks -> merged CSVs"},
    {"merge", ucl_cmd_merge, "merge a sweep's shards by hand (after a killed job)"},
    {"report", ucl_cmd_report, "an HTML report with plots of a merged sweep (gnuplot)"},
    {"fit", ucl_cmd_fit, "bench recordings -> fitted circuit values with 95% intervals"},
    {"tune", ucl_cmd_tune, "target features -> E-series values, BOM and Monte Carlo yield"},
    {"extract", ucl_cmd_extract,
     "two-transistor SCR parameters from datasheet I_GT, I_H, V_TM, I_DRM"},
    {"netlist", ucl_cmd_netlist, "write an ngspice netlist of a configuration (cross-checks)"},
    {"params", ucl_cmd_params, "list every parameter with unit, default and provenance"},
};

static void usage(FILE *f) {
  fprintf(f, "usage: uclif <command> [options]\n\ncommands:\n");
  for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
    fprintf(f, "  %-13s %s\n", commands[i].name, commands[i].summary);
  }
  fprintf(f, "\n`uclif <command> --help` describes each command; `uclif --version` prints the "
             "version.\n");
}

int main(int argc, char **argv) {
  if (argc < 2) {
    usage(stderr);
    return UCL_EXIT_USAGE;
  }
  if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
    usage(stdout);
    return UCL_EXIT_OK;
  }
  if (strcmp(argv[1], "--version") == 0) {
    printf("uclif %s\n", UCL_VERSION);
    return UCL_EXIT_OK;
  }
  for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
    if (strcmp(argv[1], commands[i].name) == 0) {
      return commands[i].run(argc - 1, argv + 1);
    }
  }
  fprintf(stderr, "uclif: unknown command '%s'\n", argv[1]);
  usage(stderr);
  return UCL_EXIT_USAGE;
}
