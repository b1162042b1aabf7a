/* cmd_extract.c — `uclif extract [SPEC] --I_GT A --I_H A [options]`: the two-transistor SCR's
 * parameters from datasheet quantities, printed as a [circuit] block (docs/model.md S7). */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "uclif/extract.h"
#include "uclif/spec.h"
#include "uclif/units.h"

enum {
  OPT_I_GT = 1,
  OPT_I_H,
  OPT_R_GK,
  OPT_R_GK_GT,
  OPT_V_D_GT,
  OPT_R_L_GT,
  OPT_R_L_H,
  OPT_V_TM,
  OPT_I_TM,
  OPT_I_DRM,
  OPT_V_DRM
};

static const ucl_cli_opt options[] = {
    {"I_GT", OPT_I_GT, "A", "gate trigger current (required)"},
    {"I_H", OPT_I_H, "A", "holding current (required)"},
    {"R_GK", OPT_R_GK, "OHM",
     "external gate-cathode resistor of the I_H test (the datasheet's\n"
     "condition, e.g. 1k); 'open' (default) or 0 for none"},
    {"R_GK_GT", OPT_R_GK_GT, "OHM", "the same for the I_GT test (default open)"},
    {"V_D_GT", OPT_V_D_GT, "V", "anode supply of the I_GT test (default 6)"},
    {"R_L_GT", OPT_R_L_GT, "OHM", "anode load of the I_GT test (default 100)"},
    {"R_L_H", OPT_R_L_H, "OHM", "anode load of the I_H test (default 10k)"},
    {"V_TM", OPT_V_TM, "V", "on-state voltage at --I_TM (sets scr.pnp.IS)"},
    {"I_TM", OPT_I_TM, "A", "the current of --V_TM"},
    {"I_DRM", OPT_I_DRM, "A", "off-state leakage at --V_DRM (sets scr.R_off)"},
    {"V_DRM", OPT_V_DRM, "V", "the voltage of --I_DRM"},
    {NULL, 0, NULL, NULL}};

static const ucl_cli_cmd command = {
    .name = "extract",
    .usage = "uclif extract [SPEC] --I_GT A --I_H A [options]",
    .about =
        "Compute the two-transistor SCR's parameters from datasheet quantities (docs/model.md\n"
        "S7): scr.R_GK and scr.pnp.BF from I_GT and I_H in their test circuits, scr.pnp.IS from\n"
        "V_TM at I_TM, scr.R_off from I_DRM at V_DRM. Every other parameter keeps its value from\n"
        "SPEC and the --set overrides (NPN gain, transit times, capacitances). The quantities\n"
        "belong to tnom (the temperature at which every value is given, default 300.15 K; set\n"
        "tnom to the datasheet's, usually 298.15 K). The result is a [circuit] block for a\n"
        "spec, on standard output or in FILE; a V_TM the model cannot meet (it has no series\n"
        "resistance) is a warning on standard error and a comment.",
    .common = UCL_CLI_OUT_FILE | UCL_CLI_SET | UCL_CLI_QUIET,
    .out_help = "write the block to FILE (replaced whole once complete)\n"
                "instead of standard output",
    .set_help = "set a parameter of the base configuration (repeatable)",
    .quiet_help = "no warning on standard error (it stays in the block)",
    .opts = options,
    .operand = "SPEC",
    .after = "exit status: 0 written; 1 the block could not be written; 2 bad usage, bad input\n"
             "or quantities no two-transistor parameters reproduce (the message names them)."};

/* A resistance that may be 'open' (INFINITY; 0 means the same). */
static int parse_r_gk(const char *v, double *out) {
  if (strcmp(v, "open") == 0 || strcmp(v, "inf") == 0) {
    *out = INFINITY;
    return 1;
  }
  return ucl_units_parse(v, "Ohm", out, NULL) == UCL_OK && *out >= 0.0;
}

static int parse_pos(const char *v, const char *unit, double *out) {
  return ucl_units_parse(v, unit, out, NULL) == UCL_OK && *out > 0.0 && isfinite(*out);
}

static void r_text(double r, char *buf, size_t n) {
  if (r > 0.0 && isfinite(r)) {
    snprintf(buf, n, "%g Ohm", r);
  } else {
    snprintf(buf, n, "open");
  }
}

/* The keys the block always writes (the fitted ones); the other scr.* keys and tnom follow when
 * the base gives them a value other than the default, so that the block alone is the device. */
static int fitted_key(const char *name) {
  static const char *const fitted[] = {"scr.model", "scr.R_GK", "scr.pnp.BF", "scr.pnp.IS",
                                       "scr.R_off"};
  for (size_t i = 0; i < sizeof(fitted) / sizeof(fitted[0]); i++) {
    if (strcmp(name, fitted[i]) == 0) {
      return 1;
    }
  }
  return 0;
}

static void write_base_keys(FILE *f, const ucl_params *base, const ucl_extract_result *r) {
  ucl_params q = *base, def;
  q.circuit.scr = r->scr;
  ucl_params_default(&def);
  for (size_t i = 0; i < ucl_params_count(); i++) {
    const ucl_param_info *k = ucl_params_info(i);
    if ((strncmp(k->name, "scr.", 4) != 0 && strcmp(k->name, "tnom") != 0) || fitted_key(k->name)) {
      continue;
    }
    double v = 0.0, d = 0.0;
    if (ucl_params_get(&q, k->name, &v) != UCL_OK || ucl_params_get(&def, k->name, &d) != UCL_OK ||
        v == d) {
      continue;
    }
    char buf[64];
    ucl_params_format(&q, k, buf, sizeof(buf));
    fprintf(f, "%s = %s\n", k->name, buf);
  }
}

static ucl_status write_block(FILE *f, const char *spec, const ucl_params *base,
                              const ucl_extract_input *in, const ucl_extract_result *r) {
  char gt[32], h[32];
  r_text(in->gt.R_GK, gt, sizeof(gt));
  r_text(in->h.R_GK, h, sizeof(h));
  fprintf(f,
          "# uclif extract: the two-transistor SCR from datasheet quantities (docs/model.md S7)\n");
  fprintf(f, "# base: %s\n", spec ? spec : "defaults and --set");
  fprintf(
      f,
      "# I_GT = %g A at V_D = %g V, R_L = %g Ohm, R_GK %s; I_H = %g A at R_L = %g Ohm, R_GK %s\n",
      in->I_GT, in->gt.V_D, in->gt.R_L, gt, in->I_H, in->h.R_L, h);
  fprintf(f, "# the result at DC in those circuits: I_GT = %.6g A, I_H = %.6g A\n", r->I_GT_A,
          r->I_H_A);
  if (in->V_TM > 0.0) {
    fprintf(f, "# V_TM = %g V at %g A asked; the result gives %.4g V\n", in->V_TM, in->I_TM,
            r->V_TM_V);
  }
  if (r->warning[0]) {
    fprintf(f, "# warning: %s\n", r->warning);
  }
  fprintf(f, "[circuit]\n");
  fprintf(f, "scr.model = two_transistor\n");
  fprintf(f, "scr.R_GK = %.6g\n", r->scr.R_GK);
  fprintf(f, "scr.pnp.BF = %.6g\n", r->scr.pnp.BF);
  fprintf(f, "scr.pnp.IS = %.6g\n", r->scr.pnp.IS);
  fprintf(f, "scr.R_off = %.6g\n", r->scr.R_off);
  write_base_keys(f, base, r);
  return ferror(f) ? UCL_ERR_IO : UCL_OK;
}

typedef struct block_job {
  const char *spec;
  const ucl_params *base;
  const ucl_extract_input *in;
  const ucl_extract_result *r;
} block_job;

static ucl_status write_job(FILE *f, const void *ctx, ucl_diag *diag) {
  (void)diag;
  const block_job *j = ctx;
  /* its only failure is a stream error, which ucl_cli_write_file reports with the file's name */
  (void)write_block(f, j->spec, j->base, j->in, j->r);
  return UCL_OK;
}

int ucl_cmd_extract(int argc, char **argv) {
  ucl_cli_args a;
  ucl_cli_parser cp;
  ucl_extract_input in;
  ucl_extract_input_default(&in);
  const char *v = NULL;
  int id;
  ucl_cli_begin(&cp, &command, argc, argv, &a, 0);
  while ((id = ucl_cli_next(&cp, &v)) > 0) {
    int ok = 1;
    switch (id) {
    case OPT_I_GT:
      ok = parse_pos(v, "A", &in.I_GT);
      break;
    case OPT_I_H:
      ok = parse_pos(v, "A", &in.I_H);
      break;
    case OPT_R_GK:
      ok = parse_r_gk(v, &in.h.R_GK);
      break;
    case OPT_R_GK_GT:
      ok = parse_r_gk(v, &in.gt.R_GK);
      break;
    case OPT_V_D_GT:
      ok = parse_pos(v, "V", &in.gt.V_D);
      break;
    case OPT_R_L_GT:
      ok = parse_pos(v, "Ohm", &in.gt.R_L);
      break;
    case OPT_R_L_H:
      ok = parse_pos(v, "Ohm", &in.h.R_L);
      break;
    case OPT_V_TM:
      ok = parse_pos(v, "V", &in.V_TM);
      break;
    case OPT_I_TM:
      ok = parse_pos(v, "A", &in.I_TM);
      break;
    case OPT_I_DRM:
      ok = parse_pos(v, "A", &in.I_DRM);
      break;
    case OPT_V_DRM:
      ok = parse_pos(v, "V", &in.V_DRM);
      break;
    default:
      break;
    }
    if (!ok) {
      ucl_cli_bad_value(&cp, "%s",
                        (id == OPT_R_GK || id == OPT_R_GK_GT)
                            ? "expected a resistance >= 0 or 'open'"
                            : "expected a number > 0 (SI prefixes allowed)");
    }
  }
  if (id < 0) {
    return cp.exit;
  }
  if (!(in.I_GT > 0.0) || !(in.I_H > 0.0)) {
    return ucl_cli_usage_error(&cp, "--%s is required", in.I_GT > 0.0 ? "I_H" : "I_GT");
  }
  if ((in.V_TM > 0.0) != (in.I_TM > 0.0)) {
    return ucl_cli_usage_error(&cp, "--%s is required with --%s", in.V_TM > 0.0 ? "I_TM" : "V_TM",
                               in.V_TM > 0.0 ? "V_TM" : "I_TM");
  }
  if ((in.I_DRM > 0.0) != (in.V_DRM > 0.0)) {
    return ucl_cli_usage_error(&cp, "--%s is required with --%s",
                               in.I_DRM > 0.0 ? "V_DRM" : "I_DRM",
                               in.I_DRM > 0.0 ? "I_DRM" : "V_DRM");
  }
  ucl_params p;
  ucl_diag diag = {{0}};
  ucl_status st = ucl_spec_load_config(a.operand, a.sets, a.n_sets, &p, &diag);
  if (st != UCL_OK) {
    return ucl_cli_fail("extract", st, &diag);
  }
  ucl_cli_warn_params("extract", &p);
  ucl_extract_result r;
  st = ucl_extract_scr(&p, &in, &r, &diag);
  if (st != UCL_OK) {
    /* the library names the quantity (the option of the same name) */
    ucl_cli_error("extract", "%s", diag.msg);
    return ucl_cli_exit_code(st == UCL_ERR_SOLVER ? UCL_ERR_RANGE : st);
  }
  if (r.warning[0] && !a.quiet) {
    ucl_cli_error("extract", "warning: %s", r.warning);
  }
  if (a.out) {
    block_job job = {a.operand, &p, &in, &r};
    st = ucl_cli_write_file(a.out, write_job, &job, &diag); /* whole or not at all */
  } else {
    st = write_block(stdout, a.operand, &p, &in, &r);
    if (st == UCL_OK && fflush(stdout) != 0) {
      st = UCL_ERR_IO;
    }
    if (st != UCL_OK) {
      ucl_diag_set(&diag, st, "standard output: write failed: %s", strerror(errno));
    }
  }
  if (st != UCL_OK) {
    return ucl_cli_fail("extract", st, &diag);
  }
  return UCL_EXIT_OK;
}
