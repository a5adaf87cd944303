/*
 * calc_plan.c - 'capplan calc' topics for planning beyond one serving
 * fleet: training a model (training), an A/B test (ab), and a fleet that
 * follows its daily curve (autoscale).
 *
 * Topics like those of calc.c (calc_int.h): each reads its options,
 * records its working as steps and its answer as results.  Each formula
 * names its source: a paper, a seed file and section, or FORMULAS.md.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "calc.h"
#include "calc_int.h"
#include "catalog.h"
#include "format.h"
#include "model.h"
#include "specfun.h"
#include "util.h"

#define PLAN_PI 3.14159265358979323846

/* A FLOP count in scientific notation, e.g. "8.4e22". */
static char *sci(double v, char *buf, size_t size) {
  int e = v > 0 ? (int)floor(log10(v)) : 0;
  double m = v / pow(10, e);
  if (m >= 9.99995) { /* four decimals would print 10e22 for it */
    m /= 10;
    e++;
  }
  char n[FMT_SIZE];
  fmt_number(m, 4, n, sizeof n);
  /* fmt_number keeps the decimals: drop the trailing zeros. */
  char *dot = strchr(n, '.');
  if (dot) {
    char *end = n + strlen(n);
    while (end > dot && (end[-1] == '0' || end[-1] == '.'))
      *--end = '\0';
  }
  snprintf(buf, size, "%se%d", n, e);
  return buf;
}

/* ------------------------------------------------------------ training */

/* Training compute C = 6 x N x D FLOPs for N parameters and D tokens:
 * Kaplan et al. 2020, "Scaling Laws for Neural Language Models"
 * (arXiv:2001.08361), section 2.1 - the forward pass costs 2N FLOPs a
 * token and the backward pass twice that - the approximation Hoffmann
 * et al. 2022, "Training Compute-Optimal Large Language Models"
 * (Chinchilla, arXiv:2203.15556), also use.  The time is the compute
 * side of the roofline (FORMULAS.md section 6): C / (peak x MFU). */
enum { TRAIN_FACTOR = 6 };

/* MFU 40%: Chowdhery et al. 2022, "PaLM" (arXiv:2204.02311), Table 3,
 * report 46.2% for PaLM 540B against 21.3-32.5% for GPT-3, Gopher and
 * Megatron-Turing NLG; Llama 3 (arXiv:2407.21783, Table 4) 38-43% in bf16
 * on 8,192 to 16,384 H100s.  Both are measured on the whole cluster. */
#define TRAIN_DEFAULT_MFU 0.40

static int run_training(calc_ctx *x) {
  calc_nb b = {0};
  if (!calc_has(x, "params") || !calc_has(x, "tokens"))
    return calc_fail(x, "--params and --tokens are required");
  if (calc_has(x, "gpu") == calc_has(x, "peak"))
    return calc_fail(x, "give --gpu NAME (a catalog accelerator or "
                        "instance), or --peak FLOPS");
  enum dtype dt = calc_has(x, "dtype")
                      ? (enum dtype)dtype_parse(calc_text(x, "dtype"))
                      : DT_BF16;
  double peak = calc_val(x, "peak", 0), price_year = 0;
  const char *from = "given", *price_from = NULL;
  if (calc_has(x, "gpu")) {
    capplan_catalog *cat = calc_catalog(x);
    if (!cat)
      return -1;
    hw_in hw;
    int rc = calc_hw(x, cat, calc_text(x, "gpu"), &hw);
    capplan_catalog_free(cat);
    if (rc)
      return rc;
    from = calc_text(x, "gpu");
    peak = hw.flops[dt];
    if (peak <= 0)
      return calc_fail(x,
                       "'%s' states no %s FLOPS (docs/catalog.md); give "
                       "--peak or another --dtype",
                       from, dtype_name(dt));
    if (hw.cost_per_year > 0 && hw.gpus > 0) {
      price_year = hw.cost_per_year / hw.gpus;
      price_from = "the catalog's";
    }
  }
  if (calc_has(x, "price")) {
    price_year = calc_val(x, "price", 0);
    price_from = "given";
  }
  double mfu = calc_val(x, "mfu", TRAIN_DEFAULT_MFU);
  double eff = calc_val(x, "scaling", 1);
  if (mfu <= 0 || eff <= 0)
    return calc_fail(x, "--mfu and --scaling must be above 0%%");
  double n = calc_val(x, "params", 0), d = calc_val(x, "tokens", 0);
  double flops = TRAIN_FACTOR * n * d, rate = peak * mfu;
  double gpu_hours = flops / rate / 3600, paid = gpu_hours / eff;
  char s[4][FMT_SIZE];
  calc_work(x, "training FLOPs",
            calc_str(x, "6 x params x tokens (Kaplan et al. 2020)"),
            calc_str(x, "6 x %s x %s", COUNT(&b, n), COUNT(&b, d)),
            calc_str(x, "%s FLOP", sci(flops, s[0], FMT_SIZE)));
  calc_work(x, "per GPU", calc_str(x, "dense peak x MFU"),
            calc_str(x, "%s %s (%s) x %s",
                     fmt_si(peak, "FLOPS", s[1], FMT_SIZE), dtype_name(dt),
                     from, PCT(&b, mfu)),
            calc_str(x, "%s sustained", fmt_si(rate, "FLOPS", s[2], FMT_SIZE)));
  calc_work(x, "GPU-hours", calc_str(x, "FLOPs / sustained FLOPS / 3,600 s"),
            calc_str(x, "%s / %s / 3,600", sci(flops, s[0], FMT_SIZE),
                     sci(rate, s[3], FMT_SIZE)),
            calc_str(x, "%s GPU-hours (%s GPU-days)", NUM(&b, gpu_hours, 0),
                     NUM(&b, gpu_hours / 24, 0)));
  calc_result(x, "flops", "FLOP", flops);
  calc_result(x, "gpu_hours", "GPU-hours", gpu_hours);
  if (eff < 1) {
    calc_work(x, "GPU-hours paid",
              calc_str(x, "GPU-hours / data-parallel scaling efficiency"),
              calc_str(x, "%s / %s", NUM(&b, gpu_hours, 1), PCT(&b, eff)),
              calc_str(x, "%s GPU-hours", NUM(&b, paid, 0)));
    calc_result(x, "gpu_hours_paid", "GPU-hours", paid);
  }
  if (calc_has(x, "gpus")) {
    double g = calc_val(x, "gpus", 1), hours = paid / g;
    calc_work(x, "time", calc_str(x, "GPU-hours paid / GPUs"),
              calc_str(x, "%s / %s", NUM(&b, paid, 1), COUNT(&b, g)),
              calc_str(x, "%s h = %s days", NUM(&b, hours, 1),
                       NUM(&b, hours / 24, 1)));
    calc_result(x, "seconds", "s", hours * 3600);
  }
  if (calc_has(x, "deadline")) {
    double t = calc_val(x, "deadline", 0) / 3600;
    double g = capplan_ceil(paid / t);
    if (!(g <= CAPPLAN_MAX_EXACT))
      return calc_fail(x, "the answer is more GPUs than capplan counts "
                          "exactly (2^53); check --deadline");
    calc_work(x, "GPUs for the deadline",
              calc_str(x, "ceil(GPU-hours paid / deadline in hours)"),
              calc_str(x, "ceil(%s / %s)", NUM(&b, paid, 1), NUM(&b, t, 1)),
              calc_str(x, "%s GPUs, done in %s days", COUNT(&b, g),
                       NUM(&b, paid / g / 24, 1)));
    calc_result(x, "gpus_for_deadline", "gpus", g);
  }
  if (price_from) {
    double per_hour = price_year / 8760;
    calc_work(x, "cost", calc_str(x, "GPU-hours paid x price per GPU-hour"),
              calc_str(x, "%s x $%s/hour (%s)", NUM(&b, paid, 1),
                       NUM(&b, per_hour, 4), price_from),
              calc_str(x, "%s", MONEY(&b, paid * per_hour)));
    calc_result(x, "cost", "USD", paid * per_hour);
  } else {
    calc_note(x, calc_str(x, "no price: add --price, e.g. --price $2/hour"));
  }
  calc_note(
      x, calc_str(x,
                  "MFU %s%s (the PaLM paper reports 46.2%%, Llama 3 38-43%%, "
                  "both on the whole cluster); MFU counts 6 x params FLOPs a "
                  "token, so recomputed activations and attention are not in "
                  "it",
                  PCT(&b, mfu), calc_has(x, "mfu") ? " given" : " by default"));
  calc_note(x,
            calc_str(x,
                     "data-parallel scaling %s%s: an MFU measured on the whole "
                     "cluster already counts its communication; give --scaling "
                     "below 100%% for an MFU measured on one GPU (seed 004: 4 "
                     "GPUs data-parallel give 3.5-4x, 87.5-100%%)",
                     PCT(&b, eff),
                     calc_has(x, "scaling") ? " given" : " by default"));
  return 0;
}

/* ------------------------------------------------------------------ ab */

/* The smallest absolute rise d of a baseline p detectable with N users
 * per group: the sample size of FORMULAS.md section 7,
 * N d^2 = z^2 (p(1 - p) + (p + d)(1 - p - d)), solved for d:
 * (N + z^2) d^2 - z^2 (1 - 2p) d - 2 z^2 p (1 - p) = 0, the positive root. */
static double ab_smallest_effect(double p, double z, double n) {
  double z2 = z * z, a = n + z2, bq = z2 * (1 - 2 * p);
  return (bq + sqrt(bq * bq + 8 * a * z2 * p * (1 - p))) / (2 * a);
}

/* Seed 004 "A/B Testing for ML Systems": allocations of 1%, 10% and 50%
 * ("Experiment Allocation Strategies"), a standard duration of one week
 * ("Experiment Design"), disjoint buckets for concurrent experiments
 * ("Multiple Concurrent Experiments"). */
static int run_ab(calc_ctx *x) {
  calc_nb b = {0};
  calc_ab_size s;
  if (calc_sample_size_of(x, &s) < 0)
    return -1;
  calc_work(x, "per arm",
            calc_str(x, "per group, rounded up: part of a user is a whole one"),
            calc_str(x, "ceil(%s)", NUM(&b, s.exact, 2)),
            calc_str(x, "%s users per arm (about %s), %s in both",
                     COUNT(&b, s.n), COUNT(&b, floor(s.n / 100 + 0.5) * 100),
                     COUNT(&b, 2 * s.n)));
  calc_result(x, "per_arm", "users", s.n);
  calc_result(x, "per_arm_exact", "users", s.exact);
  calc_result(x, "total", "users", 2 * s.n);
  if (!calc_has(x, "dau")) {
    if (calc_has(x, "allocation") || calc_has(x, "duration"))
      return calc_fail(x, "--allocation and --duration need --dau");
    calc_note(x, calc_str(x, "add --dau N for the days each allocation "
                             "takes, the smallest effect and the "
                             "experiments that fit"));
    return 0;
  }
  double dau = calc_val(x, "dau", 0);
  double days = calc_val(x, "duration", 7 * 86400) / 86400;
  double z = s.za + s.zb;
  bool one = calc_has(x, "allocation");
  static const double seed_alloc[3] = {0.01, 0.1, 0.5};
  static const char *const days_name[3] = {"days_at_1pct", "days_at_10pct",
                                           "days_at_50pct"};
  static const char *const mde_name[3] = {
      "mde_relative_at_1pct", "mde_relative_at_10pct", "mde_relative_at_50pct"};
  double alloc1 = calc_val(x, "allocation", 0);
  if (one && !(alloc1 > 0 && alloc1 <= 0.5))
    return calc_fail(x, "--allocation is the treatment's share, above 0%% and "
                        "at most 50%% (the control is at least as large)");
  for (int k = 0; k < (one ? 1 : 3); k++) {
    double a = one ? alloc1 : seed_alloc[k];
    double t = s.n / (dau * a);
    calc_work(x, calc_str(x, "days at %s", PCT(&b, a)),
              calc_str(x, "per arm / (dau x allocation)"),
              calc_str(x, "%s / (%s x %s)", COUNT(&b, s.n), COUNT(&b, dau),
                       PCT(&b, a)),
              calc_str(x, "%s days (%s h)", NUM(&b, t, 2), NUM(&b, t * 24, 1)));
    double reach = dau * a * days;
    double dmin = ab_smallest_effect(s.p1, z, reach);
    calc_work(x, calc_str(x, "smallest effect at %s", PCT(&b, a)),
              calc_str(x, "solve the per-group formula for p2 - p1, n = dau x "
                          "allocation x days"),
              calc_str(x, "%s x %s x %s day%s = %s per arm", COUNT(&b, dau),
                       PCT(&b, a), NUM(&b, days, 2), days == 1 ? "" : "s",
                       COUNT(&b, reach)),
              s.p1 + dmin < 1 ? calc_str(x, "+%s%% absolute, %s%% relative",
                                         NUM(&b, dmin * 100, 4),
                                         NUM(&b, dmin / s.p1 * 100, 3))
                              : calc_str(x, "none: the rise would pass 100%%"));
    calc_result(x, one ? "days" : days_name[k], "days", t);
    if (s.p1 + dmin >= 1)
      continue; /* no rate above 100%: no effect to report */
    if (one)
      calc_result(x, "mde_absolute", "fraction", dmin);
    calc_result(x, one ? "mde_relative" : mde_name[k], "fraction", dmin / s.p1);
  }
  double fit = floor(dau * days / (2 * s.n) + 1e-9);
  calc_work(x, "disjoint experiments",
            calc_str(x, "floor(dau x days / (2 x per arm))"),
            calc_str(x, "floor(%s x %s / (2 x %s))", COUNT(&b, dau),
                     NUM(&b, days, 2), COUNT(&b, s.n)),
            fit >= 1 ? calc_str(x, "%s experiments, each %s per arm",
                                COUNT(&b, fit), PCT(&b, s.n / (dau * days)))
                     : calc_str(x,
                                "none: one experiment needs more users "
                                "than %s day%s bring",
                                NUM(&b, days, 2), days == 1 ? "" : "s"));
  calc_result(x, "experiments", "1", fit);
  calc_note(
      x,
      calc_str(x, "each day's users are counted as new ones, as seed 004's "
                  "allocation table does; returning users make the real count "
                  "smaller, so read days as a lower bound and the effects "
                  "and experiments as upper bounds"));
  if (!calc_has(x, "duration"))
    calc_note(x, calc_str(x, "a duration of 7 days by default (seed 004: one "
                             "week is standard, to cover day-of-week "
                             "effects)"));
  return 0;
}

/* ----------------------------------------------------------- autoscale */

/* The daily curve: the load at time t of a day is peak x shape(t), one
 * peak a day at t = 0.  For a peak-to-average r of at most 2 the shape is
 * the sinusoid between a trough and the peak,
 *   shape = trough + (1 - trough) (1 + cos(2 pi t / 86,400)) / 2,
 * whose mean (1 + trough) / 2 is 1 / r, so trough = 2 / r - 1.  Above 2 a
 * sinusoid would dip below 0; the shape is the raised cosine to a power,
 *   shape = ((1 + cos(2 pi t / 86,400)) / 2)^k, trough 0,
 * whose mean over a day is Gamma(k + 1/2) / (sqrt(pi) Gamma(k + 1)) (the
 * Wallis integral of cos^2k), and k solves that = 1 / r.  The shape is a
 * model chosen here: the seeds give only the ratio (seed 004's pipeline,
 * "300K+ peak" on 115K a second, r = 2.6), so the model is the smoothest
 * one-peak day with that mean.
 *
 * The lag's headroom: a server asked for at t - lag serves from t, so the
 * fleet sized at t - lag must carry L(t) <= L(t - lag) + max |L'| x lag
 * (the mean value theorem), never more than the swing peak - trough. */
typedef struct day_curve {
  double trough, k; /* trough as a share of the peak */
} day_curve;

static double wallis_mean(double k) {
  return exp(specfun_lgamma(k + 0.5) - specfun_lgamma(k + 1)) / sqrt(PLAN_PI);
}

static day_curve curve_of(double r) {
  day_curve c = {0, 1};
  if (r <= 2) {
    c.trough = 2 / r - 1;
    return c;
  }
  /* wallis_mean falls from 1/2 at k = 1 as k grows: bisect on log k. */
  double lo = 0, hi = log(1e6);
  for (int i = 0; i < 200; i++) {
    double mid = (lo + hi) / 2;
    if (wallis_mean(exp(mid)) > 1 / r)
      lo = mid;
    else
      hi = mid;
  }
  c.k = exp((lo + hi) / 2);
  return c;
}

static double curve_shape(const day_curve *c, double t) {
  double h = (1 + cos(2 * PLAN_PI * t / 86400)) / 2;
  return c->trough + (1 - c->trough) * (c->k == 1 ? h : pow(h, c->k));
}

/* |d shape / dt| per second: (1 - trough) k h^(k-1) sin(theta) / 2 x
 * 2 pi / 86,400, with h = (1 + cos theta) / 2. */
static double curve_slope(const day_curve *c, double t) {
  double th = 2 * PLAN_PI * t / 86400, h = (1 + cos(th)) / 2;
  double hk = c->k == 1 ? 1 : pow(h, c->k - 1);
  return (1 - c->trough) * c->k * hk * fabs(sin(th)) / 2 * 2 * PLAN_PI / 86400;
}

enum { AUTOSCALE_STEPS = 1440 }; /* one decision a minute */
#define AUTOSCALE_MAX_PEAK 10.0

static int run_autoscale(calc_ctx *x) {
  calc_nb b = {0};
  if (!calc_has(x, "qps") || !calc_has(x, "per-server") || !calc_has(x, "peak"))
    return calc_fail(x, "--qps (the peak), --per-server and --peak are "
                        "required");
  double p = calc_val(x, "qps", 0), per = calc_val(x, "per-server", 1);
  double r = calc_val(x, "peak", 1), u = calc_val(x, "utilization", 1);
  double lag = calc_val(x, "lag", 0), lo = calc_val(x, "min", 1);
  double hi = calc_val(x, "max", CAPPLAN_MAX_EXACT);
  if (!(r >= 1 && r <= AUTOSCALE_MAX_PEAK))
    return calc_fail(x,
                     "--peak (peak-to-average) must be between 1 and %g: the "
                     "daily curve has one peak a day, got '%s'",
                     AUTOSCALE_MAX_PEAK, calc_text(x, "peak"));
  if (u <= 0)
    return calc_fail(x,
                     "--utilization must be more than 0%% and at most 100%%");
  if (hi < lo)
    return calc_fail(x, "--max must be at least --min");
  day_curve c = curve_of(r);
  double cap = per * u;
  /* The mean of the curve over the day (trapezoids a second apart), a
   * check on the model: it is peak / r. */
  double sum = 0, steep = 0;
  for (int i = 0; i < 86400; i++) {
    sum += curve_shape(&c, i);
    steep = fmax(steep, curve_slope(&c, i + 0.5));
  }
  double avg = p * sum / 86400;
  if (c.k == 1)
    calc_work(x, "daily curve",
              calc_str(x,
                       "trough + (peak - trough)(1 + cos(2 pi t / 24 h)) / 2, "
                       "trough = peak x (2 / r - 1)"),
              calc_str(x, "%s x (2 / %s - 1)", RATE(&b, p), NUM(&b, r, 4)),
              calc_str(x, "trough %s QPS, average %s QPS",
                       RATE(&b, p * c.trough), RATE(&b, avg)));
  else
    calc_work(x, "daily curve",
              calc_str(x, "peak x ((1 + cos(2 pi t / 24 h)) / 2)^k, k from "
                          "Gamma(k + 1/2) / (sqrt(pi) Gamma(k + 1)) = 1 / r"),
              calc_str(x, "peak %s QPS, r = %s", RATE(&b, p), NUM(&b, r, 4)),
              calc_str(x, "k = %s, trough 0, average %s QPS", NUM(&b, c.k, 3),
                       RATE(&b, avg)));
  double fixed = fmax(lo, capplan_ceil(p / cap));
  if (!(fixed <= CAPPLAN_MAX_EXACT))
    return calc_fail(x, "the answer is more servers than capplan counts "
                        "exactly (2^53); check --qps and --per-server");
  calc_work(x, "at peak",
            calc_str(x, "ceil(peak / (per server x utilization))"),
            calc_str(x, "ceil(%s / (%s x %s))", RATE(&b, p), RATE(&b, per),
                     PCT(&b, u)),
            calc_str(x, "%s servers all day", COUNT(&b, fixed)));
  /* No lag sees a rise larger than the whole swing, peak - trough. */
  double head = p * steep * lag, swing = p * (1 - c.trough);
  if (head <= swing)
    calc_work(
        x, "lag headroom", calc_str(x, "steepest rise x scale-up lag"),
        calc_str(x, "%s QPS/s x %s s", NUM(&b, p * steep, 3), NUM(&b, lag, 0)),
        calc_str(x, "%s QPS (%s of the peak)", RATE(&b, head),
                 PCT(&b, head / p)));
  else
    calc_work(x, "lag headroom",
              calc_str(x, "min(steepest rise x scale-up lag, peak - trough)"),
              calc_str(x, "min(%s QPS/s x %s s, %s)", NUM(&b, p * steep, 3),
                       NUM(&b, lag, 0), RATE(&b, swing)),
              calc_str(x, "%s QPS (%s of the peak)", RATE(&b, swing),
                       PCT(&b, swing / p)));
  head = fmin(head, swing);
  /* Each minute the fleet covers the largest load of the minute (at one
   * of its ends: the curve rises to t = 0 and falls to 12 h) plus the
   * headroom, within the bounds. */
  double total = 0, least = 0, most = 0;
  for (int i = 0; i < AUTOSCALE_STEPS; i++) {
    double t0 = 86400.0 * i / AUTOSCALE_STEPS,
           t1 = 86400.0 * (i + 1) / AUTOSCALE_STEPS;
    double load = p * fmax(curve_shape(&c, t0), curve_shape(&c, t1));
    double need = capplan_ceil((load + head) / cap);
    double n = fmin(hi, fmax(lo, need));
    if (!(need <= CAPPLAN_MAX_EXACT))
      return calc_fail(x, "the answer is more servers than capplan counts "
                          "exactly (2^53); check --lag and --per-server");
    if (need > hi)
      return calc_fail(x, "--max %s is below the %s servers the peak needs%s",
                       COUNT(&b, hi), COUNT(&b, need),
                       head > 0 ? " with the lag's headroom" : "");
    total += n;
    least = i ? fmin(least, n) : n;
    most = i ? fmax(most, n) : n;
  }
  double mean = total / AUTOSCALE_STEPS;
  char bounds[2 * FMT_SIZE];
  snprintf(bounds, sizeof bounds, "min %s%s%s", COUNT(&b, lo),
           calc_has(x, "max") ? ", max " : "",
           calc_has(x, "max") ? COUNT(&b, hi) : "");
  calc_work(x, "following the curve",
            calc_str(x, "each minute ceil((load + headroom) / (per server x "
                        "utilization)), within min and max; the mean"),
            calc_str(x, "1,440 minutes, %s", bounds),
            calc_str(x, "%s to %s servers, %s on average", COUNT(&b, least),
                     COUNT(&b, most), NUM(&b, mean, 3)));
  double saving = 1 - mean / fixed;
  calc_work(x, "saving", calc_str(x, "1 - average / at peak"),
            calc_str(x, "1 - %s / %s", NUM(&b, mean, 3), COUNT(&b, fixed)),
            calc_str(x, "%s", PCT(&b, saving)));
  if (saving < 0)
    calc_note(x, calc_str(x, "following the curve costs more than the fleet "
                             "at peak: the lag's headroom outweighs what the "
                             "trough saves"));
  calc_result(x, "average_qps", "1/s", avg);
  calc_result(x, "servers_at_peak", "servers", fixed);
  calc_result(x, "headroom_qps", "1/s", head);
  calc_result(x, "servers_min", "servers", least);
  calc_result(x, "servers_max", "servers", most);
  calc_result(x, "servers_average", "servers", mean);
  calc_result(x, "saving", "fraction", saving);
  if (calc_has(x, "price")) {
    double y = calc_val(x, "price", 0);
    calc_work(x, "cost", calc_str(x, "servers x price per year"),
              calc_str(x, "%s and %s x %s/year", COUNT(&b, fixed),
                       NUM(&b, mean, 3), MONEY(&b, y)),
              calc_str(x, "%s/year at peak, %s/year following, %s saved",
                       MONEY(&b, fixed * y), MONEY(&b, mean * y),
                       MONEY(&b, (fixed - mean) * y)));
    calc_result(x, "cost_at_peak_per_year", "USD/year", fixed * y);
    calc_result(x, "cost_following_per_year", "USD/year", mean * y);
    calc_result(x, "saving_per_year", "USD/year", (fixed - mean) * y);
  }
  if (lag > 0)
    calc_note(x, calc_str(x,
                          "one peak a day; servers leave as soon as the load "
                          "falls, and a new one serves %s s after the rise is "
                          "seen, so the fleet carries the rise of one lag at "
                          "the steepest point",
                          NUM(&b, lag, 0)));
  else
    calc_note(x, calc_str(x, "one peak a day; servers come and go at once: "
                             "give the time a new server takes to serve, "
                             "e.g. --lag 5min, for the headroom it needs"));
  return 0;
}

/* ------------------------------------------------------------- topics */

static const ctopic plan_topics[] = {
    {"training",
     "GPU-hours, days and cost to train a model (6 x params x tokens)",
     "--params N --tokens N (--gpu NAME | --peak FLOPS) [--dtype T] "
     "[--mfu F] [--gpus N] [--deadline D] [--scaling F] [--price MONEY]",
     "capplan calc training --params 7B --tokens 2T --gpu a100-sxm-80gb",
     {{"params", "count", "N", "parameters of the model, e.g. 7B"},
      {"tokens", "count", "N", "training tokens, e.g. 2T"},
      {"gpu", "name", "NAME", "a catalog accelerator or instance"},
      {"peak", "flops", "FLOPS", "dense peak of one GPU, e.g. 312TFLOPS"},
      {"dtype", "dtype", "T", "dtype of the arithmetic (bf16)"},
      {"mfu", "fraction", "F", "model FLOPs utilization (40%)"},
      {"gpus", "count", "N", "GPUs training together"},
      {"deadline", "duration", "D", "time to finish in, e.g. 30d"},
      {"scaling", "fraction", "F", "data-parallel scaling efficiency (100%)"},
      {"price", "money", "MONEY", "price of one GPU, e.g. $2/hour"}},
     NULL,
     run_training},
    {"ab",
     "A/B test: users per arm, days at an allocation, effects, experiments",
     "--baseline F --mde F [--relative] [--alpha F] [--power F] [--dau N "
     "[--allocation F] [--duration D]]",
     "capplan calc ab --baseline 5% --mde 1% --relative --dau 500M",
     {{"baseline", "fraction", "F", "control conversion rate"},
      {"mde", "fraction", "F", "smallest effect to detect"},
      {"relative", "flag", NULL, "the effect is relative to the baseline"},
      {"alpha", "fraction", "F", "false-positive rate, two-sided (5%)"},
      {"power", "fraction", "F", "chance to detect the effect (80%)"},
      {"dau", "count", "N", "daily active users"},
      {"allocation", "fraction", "F",
       "treatment's share of users (1%, 10% and 50%)"},
      {"duration", "duration", "D", "how long the test runs (7d)"}},
     NULL,
     run_ab},
    {"autoscale",
     "servers at peak vs following the daily curve, and the saving",
     "--qps RATE --per-server RATE --peak F [--utilization F] [--min N] "
     "[--max N] [--lag D] [--price MONEY]",
     "capplan calc autoscale --qps 30K --per-server 1200 --peak 2.6 --lag "
     "5min",
     {{"qps", "rate", "RATE", "peak load"},
      {"per-server", "rate", "RATE", "QPS of one server at 100%"},
      {"peak", "number", "F", "peak-to-average factor of the day"},
      {"utilization", "fraction", "F", "target utilization (100%)"},
      {"min", "count", "N", "fewest servers (1)"},
      {"max", "count", "N", "most servers"},
      {"lag", "duration", "D", "time a new server takes to serve"},
      {"price", "money", "MONEY", "price of one server, e.g. $3K/year"}},
     NULL,
     run_autoscale},
};

const calc_topic_set calc_plan_topics = {plan_topics, ARRAY_LEN(plan_topics)};
