/*
 * calc.c - 'capplan calc TOPIC': the interview one-liners.
 *
 * Each topic takes options in the units of specs (500M, 20/day, 10ms,
 * $2/hour, 99.95%, 100B), computes its answer, and records the working as
 * steps: the formula, the numbers put in, the result, in the order a
 * candidate would say them.  Pure, like the estimator; render_calc() and
 * render_json.c print the result.  The formulas are FORMULAS.md's and
 * seed 004's; each topic names its source.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "availability.h"
#include "batching.h"
#include "calc.h"
#include "calc_int.h"
#include "catalog.h"
#include "format.h"
#include "latdist.h"
#include "llm.h"
#include "plan.h"
#include "queueing.h"
#include "roofline.h"
#include "tp.h"
#include "units.h"
#include "util.h"

typedef capplan_calc_option copt;

static int opt_index(const ctopic *t, const char *name) {
  for (int i = 0; i < MAX_OPTS && t->options[i].name; i++)
    if (!strcmp(t->options[i].name, name))
      return i;
  return -1;
}

/* ------------------------------------------------------------- helpers
 * (calc_int.h): what every topic uses to read its options and record its
 * working. */

bool calc_has(const calc_ctx *x, const char *name) {
  int i = opt_index(x->t, name);
  return i >= 0 && x->has[i];
}

double calc_val(const calc_ctx *x, const char *name, double dflt) {
  int i = opt_index(x->t, name);
  return i >= 0 && x->has[i] ? x->v[i] : dflt;
}

const char *calc_text(const calc_ctx *x, const char *name) {
  int i = opt_index(x->t, name);
  return i >= 0 && x->has[i] ? x->text[i] : NULL;
}

char *calc_str(calc_ctx *x, const char *fmt, ...) {
  capplan_buf b;
  capplan_buf_init(&b);
  va_list ap;
  va_start(ap, fmt);
  capplan_buf_vprintf(&b, fmt, ap);
  va_end(ap);
  char *s = arena_strdup(x->c->arena, b.data ? b.data : "");
  capplan_buf_release(&b);
  return s;
}

void calc_work(calc_ctx *x, const char *label, char *formula, char *numbers,
               char *result) {
  steps *w = x->c->working;
  steps_add(w, &w->totals, label, formula, numbers, result, NULL);
}

void calc_note(calc_ctx *x, char *text) {
  steps *w = x->c->working;
  steps_add(w, &w->notes, "note", NULL, text, NULL, NULL);
}

void calc_result(calc_ctx *x, const char *name, const char *unit, double v) {
  if (x->c->n_results >= CALC_MAX_RESULTS) {
    /* A topic with more figures than the table holds: a bug, not input
     * (asserts are compiled out of release builds). */
    fprintf(stderr,
            "capplan: internal error: calc %s has more than %d "
            "results\n",
            x->t->name, CALC_MAX_RESULTS);
    abort();
  }
  capplan_calc_value *r = &x->c->results[x->c->n_results++];
  r->name = name;
  r->unit = unit;
  r->value = v;
}

int calc_fail(calc_ctx *x, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  capplan_buf_vprintf(x->err, fmt, ap);
  va_end(ap);
  return -1;
}

char *calc_nb_next(calc_nb *b) {
  return b->s[b->i++ % 8];
}

/* ---------------------------------------------------------------- qps */

/* FORMULAS.md section 7: dau x requests_per_user_per_day / 86,400 x
 * peak_to_average; section 1: 10B events/day = 115,741/s.  Given a QPS
 * instead of the rate per user, the same equation solved for the rate:
 * per_user = QPS / peak_to_average x 86,400 / dau. */
static int run_qps(calc_ctx *x) {
  calc_nb b = {0};
  bool solve = calc_has(x, "qps");
  bool dau = calc_has(x, "dau") || calc_has(x, "per-user");
  if (solve &&
      (!calc_has(x, "dau") || calc_has(x, "per-user") || calc_has(x, "events")))
    return calc_fail(x, "--qps goes with --dau alone: it solves for the "
                        "requests per user");
  if (!solve && dau == calc_has(x, "events"))
    return calc_fail(x, "give --dau with --per-user (or with --qps to solve "
                        "for the rate per user), or --events");
  if (calc_has(x, "peak") &&
      !(calc_val(x, "peak", 1) >= 1 && calc_val(x, "peak", 1) <= 1e6))
    /* As a spec's peak_to_average: the peak is never below the average. */
    return calc_fail(x,
                     "--peak must be between 1 and 1e6 (the peak is never "
                     "below the average), got '%s'",
                     calc_text(x, "peak"));
  if (solve) {
    double q = calc_val(x, "qps", 0), d = calc_val(x, "dau", 0);
    double p = calc_val(x, "peak", 1), avg = q / p;
    if (calc_has(x, "peak"))
      calc_work(x, "average QPS", calc_str(x, "peak QPS / peak-to-average"),
                calc_str(x, "%s / %s", RATE(&b, q), NUM(&b, p, 4)),
                calc_str(x, "%s QPS", RATE(&b, avg)));
    double u = avg * 86400 / d;
    calc_work(x, "per user", calc_str(x, "average QPS x 86,400 s / dau"),
              calc_str(x, "%s x 86,400 / %s", RATE(&b, avg), COUNT(&b, d)),
              calc_str(x, "%s requests per user per day", NUM(&b, u, 4)));
    calc_result(x, "average_qps", "1/s", avg);
    calc_result(x, "per_user_per_day", "1/day", u);
    if (!calc_has(x, "peak"))
      calc_note(x, calc_str(x, "--qps is read as the average; add --peak F "
                               "if it is the peak"));
    return 0;
  }
  double avg = dau ? calc_val(x, "dau", 0) * calc_val(x, "per-user", 0) / 86400
                   : calc_val(x, "events", 0);
  /* The average with the digits that give the peak as shown (issue 9):
   * 115,740.7 x 3 = 347,222, where 115,741 x 3 would be 347,223. */
  int k = 0;
  if (calc_has(x, "peak")) {
    char a[FMT_SIZE], p[FMT_SIZE], got[FMT_SIZE], want[FMT_SIZE];
    double ps =
        fmt_shown_value(fmt_number_sig(calc_val(x, "peak", 1), 4, p, sizeof p));
    fmt_rate(avg * calc_val(x, "peak", 1), want, sizeof want);
    for (k = 0; k <= 8; k++)
      if (!strcmp(fmt_rate(
                      fmt_shown_value(fmt_rate_extra(avg, k, a, sizeof a)) * ps,
                      got, sizeof got),
                  want))
        break;
    if (k > 8)
      k = 0;
  }
  if (dau) {
    if (!calc_has(x, "dau") || !calc_has(x, "per-user"))
      return calc_fail(x, "--dau and --per-user go together");
    double d = calc_val(x, "dau", 0), u = calc_val(x, "per-user", 0);
    calc_work(x, "average QPS",
              calc_str(x, "dau x requests per user per day / 86,400 s"),
              calc_str(x, "%s x %s / 86,400", COUNT(&b, d), NUM(&b, u, 4)),
              calc_str(x, "%s QPS", RATE_X(&b, avg, k)));
  } else {
    calc_work(x, "average rate", calc_str(x, "events per day / 86,400 s"),
              calc_str(x, "%s / 86,400", NUM(&b, avg * 86400, 2)),
              calc_str(x, "%s events/s", RATE_X(&b, avg, k)));
  }
  calc_result(x, "average_qps", "1/s", avg);
  if (calc_has(x, "peak")) {
    double p = calc_val(x, "peak", 1);
    calc_work(x, "peak QPS", calc_str(x, "average x peak-to-average"),
              calc_str(x, "%s x %s", RATE_X(&b, avg, k), NUM(&b, p, 4)),
              calc_str(x, "%s QPS", RATE(&b, avg * p)));
    calc_result(x, "peak_qps", "1/s", avg * p);
  } else {
    calc_note(
        x, calc_str(x, "size servers for the peak: add --peak, e.g. --peak 3 "
                       "(seed 004 plans for 300K+ at peak on 115K average)"));
  }
  return 0;
}

/* --------------------------------------------------------- throughput */

/* FORMULAS.md section 1 and seed 004 "Parallelism Factors": QPS = batch /
 * latency x parallelism; 16 cores give 10-16x CPU-bound, 4-8x memory-bound,
 * 100-1000x I/O-bound. */
static int run_throughput(calc_ctx *x) {
  calc_nb b = {0};
  if (!calc_has(x, "latency"))
    return calc_fail(x, "--latency is required");
  double lat = calc_val(x, "latency", 1), batch = calc_val(x, "batch", 1);
  if (calc_has(x, "parallelism") &&
      (calc_has(x, "cores") || calc_has(x, "bound")))
    return calc_fail(x,
                     "give --parallelism, or --cores with --bound, not both");
  if (calc_has(x, "cores") != calc_has(x, "bound"))
    return calc_fail(x, "--cores and --bound go together");
  if (calc_has(x, "bound")) {
    double cores = calc_val(x, "cores", 16);
    const char *bound = calc_text(x, "bound");
    double lo, per, hi;
    catalog_bound_range(bound, &lo, &per, &hi); /* checked when parsed */
    double p = cores * per;
    double plo = cores * lo, phi = cores * hi;
    calc_work(
        x, "parallelism",
        calc_str(x, "cores x factor (seed 004, %s-bound: %gx-%gx for 16 cores)",
                 bound, lo * 16, hi * 16),
        calc_str(x, "%s x %s..%s", COUNT(&b, cores), NUM(&b, lo, 4),
                 NUM(&b, hi, 4)),
        calc_str(x, "%s..%s, capplan uses %s", NUM(&b, plo, 2), NUM(&b, phi, 2),
                 NUM(&b, p, 2)));
    calc_work(x, "QPS per server", calc_str(x, "batch / latency x parallelism"),
              calc_str(x, "%s / %s x %s..%s", NUM(&b, batch, 0), MS(&b, lat),
                       NUM(&b, plo, 2), NUM(&b, phi, 2)),
              calc_str(x, "%s..%s QPS, capplan uses %s",
                       RATE(&b, batch / lat * plo), RATE(&b, batch / lat * phi),
                       RATE(&b, batch / lat * p)));
    calc_result(x, "qps_per_server", "1/s", batch / lat * p);
    calc_result(x, "qps_per_server_low", "1/s", batch / lat * plo);
    calc_result(x, "qps_per_server_high", "1/s", batch / lat * phi);
  } else {
    double p = calc_val(x, "parallelism", 1);
    calc_work(x, "QPS per server", calc_str(x, "batch / latency x parallelism"),
              calc_str(x, "%s / %s x %s", NUM(&b, batch, 0), MS(&b, lat),
                       NUM(&b, p, 4)),
              calc_str(x, "%s QPS", RATE(&b, batch / lat * p)));
    calc_result(x, "qps_per_server", "1/s", batch / lat * p);
  }
  calc_note(
      x, calc_str(x, "a request that scores 1,000 candidates is one request: "
                     "batch counts requests served together, not items"));
  return 0;
}

/* ------------------------------------------------------------ servers */

/* SPEC.md "Sizing and rounding": raw = qps / (per_server x utilization);
 * servers = ceil(raw x (1 + headroom) - tolerance) + redundancy, the
 * tolerance of capplan_ceil(). */
static int run_servers(calc_ctx *x) {
  calc_nb b = {0};
  if (!calc_has(x, "qps") || !calc_has(x, "per-server"))
    return calc_fail(x, "--qps and --per-server are required");
  double q = calc_val(x, "qps", 0), per = calc_val(x, "per-server", 1);
  double u = calc_val(x, "utilization", 1), h = calc_val(x, "headroom", 0);
  double k = calc_val(x, "redundancy", 0);
  if (u <= 0 || u > 1)
    return calc_fail(x,
                     "--utilization must be more than 0%% and at most 100%%");
  /* The sizing of specs (size_servers, SPEC.md "Sizing and rounding"),
   * with its figures shown step by step. */
  double raw = q / (per * u), with = raw * (1 + h), zone_extra;
  double n = size_servers(raw, h, k, 1, false, &zone_extra) - k;
  /* The tolerance must not size a real, if tiny, load at no server. */
  bool forced = raw > 0 && capplan_ceil(with) < 1;
  if (!(n + k <= CAPPLAN_MAX_EXACT))
    return calc_fail(
        x,
        "the answer is %s servers, more than capplan counts exactly "
        "(2^53); check --qps and --per-server",
        COUNT(&b, n + k));
  char arg[2 * FMT_SIZE], formula[2 * FMT_SIZE];
  fmt_ceil_arg(with, NUM(&b, with, 4), arg, sizeof arg);
  fmt_ceil_arg(with, "with headroom", formula, sizeof formula);
  calc_work(
      x, "raw servers", calc_str(x, "QPS / (QPS per server x utilization)"),
      calc_str(x, "%s / (%s x %s)", RATE(&b, q), RATE(&b, per), PCT(&b, u)),
      calc_str(x, "%s", NUM(&b, raw, 4)));
  calc_work(x, "with headroom", calc_str(x, "raw x (1 + headroom)"),
            calc_str(x, "%s x (1 + %s)", NUM(&b, raw, 4), PCT(&b, h)),
            calc_str(x, "%s", NUM(&b, with, 4)));
  calc_work(
      x, "servers", calc_str(x, "ceil(%s) + redundancy", formula),
      forced ? calc_str(x, "ceil(%s) = 0, but a load needs a server: 1 + %s",
                        arg, COUNT(&b, k))
             : calc_str(x, "ceil(%s) + %s", arg, COUNT(&b, k)),
      calc_str(x, "%s server%s", COUNT(&b, n + k), n + k == 1 ? "" : "s"));
  calc_result(x, "servers", "servers", n + k);
  if (capplan_ceil_tolerance(with) == CAPPLAN_CEIL_TOLERANCE)
    calc_note(
        x,
        calc_str(x, "one ceiling, at the end; the 1e-9 keeps float noise such "
                    "as 28.000000000000004 from buying a 29th server"));
  else
    calc_note(
        x,
        calc_str(x, "one ceiling, at the end; above 1,000 the tolerance is "
                    "1e-12 of the figure (at most 0.5), as float noise grows "
                    "with it"));
  return 0;
}

/* --------------------------------------------------------------- cost */

/* FORMULAS.md section 1: servers x $/hour x 8,760; a month is 730 h. */
static int run_cost(calc_ctx *x) {
  calc_nb b = {0};
  if (calc_has(x, "servers") == calc_has(x, "gpus"))
    return calc_fail(x, "give --servers or --gpus");
  if (!calc_has(x, "price"))
    return calc_fail(x, "--price is required, e.g. --price $2/hour");
  bool gpus = calc_has(x, "gpus");
  double n = calc_val(x, gpus ? "gpus" : "servers", 0),
         per = calc_val(x, "price", 0);
  const char *unit = gpus ? "GPUs" : "servers";
  const char *as = calc_text(x, "price");
  calc_work(
      x, "per year", calc_str(x, "%s x price per year (8,760 h)", unit),
      calc_str(x, "%s x %s/year (%s)", COUNT(&b, n),
               fmt_money_price(per, n, n * per, calc_nb_next(&b), FMT_SIZE),
               as),
      calc_str(x, "%s/year", MONEY(&b, n * per)));
  calc_work(x, "per month", calc_str(x, "per year x 730 / 8,760 h"),
            calc_str(x, "%s x 730 / 8,760", MONEY(&b, n * per)),
            calc_str(x, "%s/month", MONEY(&b, n * per / 12)));
  calc_work(x, "per hour", calc_str(x, "per year / 8,760 h"),
            calc_str(x, "%s / 8,760", MONEY(&b, n * per)),
            calc_str(x, "%s/hour", MONEY(&b, n * per / 8760)));
  calc_result(x, "cost_per_year", "USD/year", n * per);
  calc_result(x, "cost_per_month", "USD/month", n * per / 12);
  calc_result(x, "cost_per_hour", "USD/hour", n * per / 8760);
  return 0;
}

/* -------------------------------------------------------------- nines */

/* Seed 000 "Availability": downtime = (1 - A) x period; 99.9% = 8.76 h a
 * year, 99.99% = 52.56 min, 99.999% = 5.26 min. */
static int run_nines(calc_ctx *x) {
  calc_nb b = {0};
  if (calc_has(x, "availability") == calc_has(x, "downtime"))
    return calc_fail(x, "give an availability (e.g. 99.99%%) or --downtime "
                        "(e.g. 1h/year)");
  double down;
  if (calc_has(x, "downtime")) {
    double d = calc_val(x, "downtime", 0);
    down = d / x->period;
    if (down > 1)
      return calc_fail(x, "--downtime is longer than its period");
    if (down == 0)
      return calc_fail(x,
                       "no downtime is 100%%, which is never down and has no "
                       "finite nines; give a downtime above 0, e.g. 1s/year");
    calc_work(x, "availability", calc_str(x, "1 - downtime / period"),
              calc_str(x, "1 - %s min / %s min", NUM(&b, d / 60, 4),
                       COUNT(&b, x->period / 60)),
              calc_str(x, "%s", AVAIL(&b, 1 - down, down)));
    calc_result(x, "availability", "fraction", 1 - down);
  } else {
    double a = calc_val(x, "availability", 0);
    if (a >= 1)
      return calc_fail(x,
                       "100%% is never down, so it has no finite nines; give "
                       "an availability below 100%%, e.g. 99.999%%");
    down = 1 - a;
  }
  const struct {
    const char *label, *per;
    double minutes;
  } periods[] = {{"per year", "525,600 min", 525600},
                 {"per month", "43,800 min", 43800},
                 {"per week", "10,080 min", 10080},
                 {"per day", "1,440 min", 1440}};
  for (size_t i = 0; i < 4; i++)
    calc_work(x, periods[i].label,
              calc_str(x, "(1 - availability) x %s", periods[i].per),
              calc_str(x, "%s x %s", NUM(&b, down, 12),
                       COUNT(&b, periods[i].minutes)),
              calc_str(x, "%s down",
                       fmt_downtime(down * periods[i].minutes, calc_nb_next(&b),
                                    FMT_SIZE)));
  avail av = {1 - down, down};
  avail_figs f = avail_figs_of(av);
  calc_work(
      x, "nines", calc_str(x, "-log10(1 - availability)"),
      calc_str(x, "-log10(%s)", NUM(&b, down, 12)),
      calc_str(x, "%s",
               fmt_nines(f.nines, f.above_cap, calc_nb_next(&b), FMT_SIZE)));
  calc_result(x, "downtime_minutes_per_year", "min", down * 525600);
  calc_result(x, "downtime_minutes_per_month", "min", down * 43800);
  calc_result(x, "nines", "1", avail_nines(av));
  return 0;
}

/* ------------------------------------------------------- availability */

/* FORMULAS.md section 2: series is the product, redundant alternatives
 * 1 - prod(1 - A), k-of-n the binomial tail; three 99.9% in series give
 * 99.7003%, two 99% in parallel 99.99%. */
static int run_availability(calc_ctx *x) {
  calc_nb b = {0};
  int modes =
      calc_has(x, "series") + calc_has(x, "parallel") + calc_has(x, "k-of-n");
  if (modes != 1)
    return calc_fail(x, "give one of --series A B ..., --parallel A B ..., "
                        "--k-of-n K/N --each A");
  avail total;
  capplan_buf f;
  capplan_buf_init(&f);
  if (calc_has(x, "k-of-n")) {
    if (!calc_has(x, "each"))
      return calc_fail(x, "--k-of-n needs --each, e.g. --each 99%%");
    double a = calc_val(x, "each", 0);
    total = avail_k_of_n(x->k, x->n, a);
    calc_work(
        x, "availability",
        calc_str(x, "sum over k = %g..%g of C(%g, k) a^k (1 - a)^(%g - k)",
                 x->k, x->n, x->n, x->n),
        calc_str(x, "a = %s, %g of %g must be up", PCT(&b, a), x->k, x->n),
        calc_str(x, "%s", AVAIL(&b, total.up, total.down)));
  } else {
    bool series = calc_has(x, "series");
    total = series ? (avail){1, 0} : (avail){0, 1};
    for (size_t i = 0; i < x->n_list; i++) {
      avail a = avail_of(x->list[i]);
      total = series ? avail_series(total, a) : avail_parallel(total, a);
      capplan_buf_printf(&f, "%s%s%s%s", i ? " x " : "", series ? "" : "(1 - ",
                         PCT(&b, x->list[i]), series ? "" : ")");
    }
    calc_work(
        x, "availability",
        calc_str(x, series ? "the product: every part must be up"
                           : "1 - product of (1 - A): down only if all are"),
        series ? calc_str(x, "%s", f.data) : calc_str(x, "1 - %s", f.data),
        calc_str(x, "%s", AVAIL(&b, total.up, total.down)));
  }
  capplan_buf_release(&f);
  avail_figs tf = avail_figs_of(total);
  calc_work(
      x, "downtime", calc_str(x, "(1 - availability) x 525,600 min"),
      calc_str(x, "%s x 525,600", NUM(&b, total.down, 12)),
      calc_str(x, "%s a year (%s nines)",
               fmt_downtime(tf.down_year_min, calc_nb_next(&b), FMT_SIZE),
               fmt_nines(tf.nines, tf.above_cap, calc_nb_next(&b), FMT_SIZE)));
  calc_result(x, "availability", "fraction", total.up);
  calc_result(x, "unavailability", "fraction", total.down);
  calc_result(x, "downtime_minutes_per_year", "min", total.down * 525600);
  return 0;
}

/* ------------------------------------------------- storage, bandwidth */

/* Seed 004 "Data Pipeline": 10B events a day kept 90 days, ~1 trillion
 * events, ~100 TB.  Bytes per period given directly (seed 000's "1PB test
 * data/year") are kept the same way: per day x retention in days. */
static int run_storage(calc_ctx *x) {
  calc_nb b = {0};
  bool direct = calc_has(x, "bytes");
  if (direct && (calc_has(x, "events") || calc_has(x, "size")))
    return calc_fail(x, "give --events with --size, or --bytes (bytes per "
                        "period, e.g. 1PB/year), not both");
  if (!direct && (!calc_has(x, "events") || !calc_has(x, "size") ||
                  !calc_has(x, "retention")))
    return calc_fail(x, "--events, --size and --retention are required (or "
                        "--bytes and --retention)");
  if (!calc_has(x, "retention"))
    return calc_fail(x, "--retention is required, e.g. --retention 1y");
  double days = calc_val(x, "retention", 0) / 86400,
         rep = calc_val(x, "replication", 1);
  double total;
  if (direct) {
    double per_s = calc_val(x, "bytes", 0), per_day = per_s * 86400;
    char bb[2][FMT_SIZE];
    calc_work(x, "per day", calc_str(x, "bytes per second x 86,400 s"),
              calc_str(x, "%s (%s B/s) x 86,400", calc_text(x, "bytes"),
                       NUM(&b, per_s, 2)),
              calc_str(x, "%s a day", fmt_bytes(per_day, bb[0], FMT_SIZE)));
    total = per_day * days * rep;
    calc_work(x, "storage",
              calc_str(x, "per day x retention in days x replication"),
              calc_str(x, "%s B x %s x %s", NUM(&b, per_day, 2),
                       NUM(&b, days, 2), NUM(&b, rep, 2)),
              calc_str(x, "%s", fmt_bytes(total, bb[1], FMT_SIZE)));
    calc_result(x, "bytes_per_day", "bytes", per_day);
    calc_result(x, "bytes", "bytes", total);
    return 0;
  }
  double per_day = calc_val(x, "events", 0) * 86400,
         size = calc_val(x, "size", 0);
  total = per_day * size * days * rep;
  calc_work(x, "events kept", calc_str(x, "events per day x retention in days"),
            calc_str(x, "%s x %s", NUM(&b, per_day, 2), NUM(&b, days, 2)),
            calc_str(x, "%s events", NUM(&b, per_day * days, 2)));
  calc_work(x, "storage", calc_str(x, "events x size x replication"),
            calc_str(x, "%s x %s B x %s", NUM(&b, per_day * days, 2),
                     NUM(&b, size, 2), NUM(&b, rep, 2)),
            calc_str(x, "%s", fmt_bytes(total, calc_nb_next(&b), FMT_SIZE)));
  calc_result(x, "events", "1", per_day * days);
  calc_result(x, "bytes", "bytes", total);
  return 0;
}

/* Bytes a second = QPS x size; a network cost at a price per byte over a
 * month of 730 h (2,628,000 s, SPEC.md money units) and a year of 12. */
static int run_bandwidth(calc_ctx *x) {
  calc_nb b = {0};
  if (!calc_has(x, "qps") || !calc_has(x, "size"))
    return calc_fail(x, "--qps and --size are required");
  double q = calc_val(x, "qps", 0), size = calc_val(x, "size", 0);
  double bytes = q * size;
  calc_work(x, "bytes per second", calc_str(x, "QPS x size"),
            calc_str(x, "%s x %s B", RATE(&b, q), NUM(&b, size, 2)),
            calc_str(x, "%s",
                     fmt_bytes_per(bytes, "/s", calc_nb_next(&b), FMT_SIZE)));
  calc_work(x, "bits per second", calc_str(x, "bytes per second x 8"),
            calc_str(x, "%s x 8", NUM(&b, bytes, 2)),
            calc_str(x, "%s Gbit/s", NUM(&b, bytes * 8 / 1e9, 3)));
  calc_result(x, "bytes_per_second", "bytes/s", bytes);
  calc_result(x, "bits_per_second", "bits/s", bytes * 8);
  if (calc_has(x, "price")) {
    double per_byte = calc_val(x, "price", 0), month = bytes * 2628000;
    calc_work(x, "per month",
              calc_str(x, "bytes per second x 2,628,000 s "
                          "(730 h)"),
              calc_str(x, "%s x 2,628,000", NUM(&b, bytes, 2)),
              calc_str(x, "%s a month",
                       fmt_bytes(month, calc_nb_next(&b), FMT_SIZE)));
    /* The month in the price's own unit (checked when parsed): GB for
     * $0.09/GB, GiB for $0.08/GiB. */
    const char *price = calc_text(x, "price"), *unit = strrchr(price, '/') + 1;
    char one[64];
    snprintf(one, sizeof one, "1%s", unit);
    double unit_bytes = 1;
    capplan_quantity(one, "bytes", "--price", &unit_bytes, NULL, NULL);
    calc_work(
        x, "network cost", calc_str(x, "bytes per month x price"),
        calc_str(x, "%s %s x %s", NUM(&b, month / unit_bytes, 2), unit, price),
        calc_str(x, "%s/month, %s/year", MONEY(&b, month * per_byte),
                 MONEY(&b, 12 * month * per_byte)));
    calc_note(x, calc_str(x, "every byte at the one price given: a cloud's "
                             "egress falls in tiers with volume, and "
                             "traffic within a zone is often free"));
    calc_result(x, "bytes_per_month", "bytes", month);
    calc_result(x, "cost_per_month", "USD/month", month * per_byte);
    calc_result(x, "cost_per_year", "USD/year", 12 * month * per_byte);
  }
  return 0;
}

/* ------------------------------------------------------------- little */

/* FORMULAS.md section 7: L = lambda x W. */
static int run_little(calc_ctx *x) {
  calc_nb b = {0};
  int given =
      calc_has(x, "rate") + calc_has(x, "latency") + calc_has(x, "concurrency");
  if (given != 2)
    return calc_fail(x, "give two of --rate, --latency and --concurrency");
  if (!calc_has(x, "concurrency")) {
    double l = calc_val(x, "rate", 0), w = calc_val(x, "latency", 0);
    calc_work(x, "concurrency",
              calc_str(x, "L = arrival rate x time in the system"),
              calc_str(x, "%s/s x %s", RATE(&b, l), MS(&b, w)),
              calc_str(x, "%s requests in flight", NUM(&b, l * w, 2)));
    calc_result(x, "concurrency", "1", l * w);
  } else if (!calc_has(x, "rate")) {
    double c = calc_val(x, "concurrency", 0), w = calc_val(x, "latency", 0);
    calc_work(x, "rate", calc_str(x, "lambda = L / W"),
              calc_str(x, "%s / %s", NUM(&b, c, 2), MS(&b, w)),
              calc_str(x, "%s per second", RATE(&b, c / w)));
    calc_result(x, "rate", "1/s", c / w);
  } else {
    double c = calc_val(x, "concurrency", 0), l = calc_val(x, "rate", 0);
    calc_work(x, "latency", calc_str(x, "W = L / lambda"),
              calc_str(x, "%s / %s/s", NUM(&b, c, 2), RATE(&b, l)),
              calc_str(x, "%s", MS(&b, c / l)));
    calc_result(x, "latency", "s", c / l);
  }
  return 0;
}

/* -------------------------------------------------------------- batch */

/* FORMULAS.md section 4: b = min(max_batch, max(1, lambda x window));
 * accelerators = ceil(lambda x t(b) / b).  The seed counts the window as
 * GPU time too: b / (t + window) per GPU. */
static int run_batch(calc_ctx *x) {
  calc_nb b = {0};
  if (!calc_has(x, "qps") || !calc_has(x, "window") || !calc_has(x, "time"))
    return calc_fail(x, "--qps, --window and --time are required");
  double q = calc_val(x, "qps", 0), w = calc_val(x, "window", 0),
         t = calc_val(x, "time", 0);
  /* The batcher of 'batching:' stages (batching.c, FORMULAS.md 4b), with
   * a batch taking --time whatever its size; so the spec it advises below
   * gives these very figures. */
  batching_params bp = {
      q, w, calc_has(x, "max-batch") ? calc_val(x, "max-batch", 1) : 1e6,
      t, 0, 1};
  batching_plan pl;
  if (batching_shared(&bp, &pl) != BATCHING_OK)
    return calc_fail(x,
                     "the answer is too large to represent; check the inputs");
  double bs = pl.batch;
  bool capped = pl.limit == BATCHING_BY_FILL;
  if (calc_has(x, "max-batch"))
    calc_work(x, "batch size",
              calc_str(x, "min(max batch, max(1, QPS x window))"),
              calc_str(x, "min(%s, %s/s x %s)",
                       NUM(&b, calc_val(x, "max-batch", 0), 0), RATE(&b, q),
                       MS(&b, w)),
              calc_str(x, "%s requests per batch", NUM(&b, bs, 2)));
  else
    calc_work(x, "batch size", calc_str(x, "max(1, QPS x window)"),
              calc_str(x, "%s/s x %s", RATE(&b, q), MS(&b, w)),
              calc_str(x, "%s requests per batch", NUM(&b, bs, 2)));
  /* A capped batch is full before the window ends: its first request
   * waits for the other batch - 1 to arrive (FORMULAS.md 4b). */
  double fill = pl.close_wait_max;
  if (capped)
    calc_work(x, "fill time",
              calc_str(x, "(batch - 1) / QPS (full before the window ends)"),
              calc_str(x, "(%s - 1) / %s/s", NUM(&b, bs, 2), RATE(&b, q)),
              calc_str(x, "%s", MS(&b, fill)));
  double exact = pl.accelerators;
  calc_work(
      x, "GPUs (exact)", calc_str(x, "ceil(QPS x batch time / batch size)"),
      calc_str(x, "ceil(%s x %s / %s)", RATE(&b, q), MS(&b, t), NUM(&b, bs, 2)),
      calc_str(x, "%s GPU%s, each %s QPS", COUNT(&b, exact),
               exact == 1 ? "" : "s", RATE(&b, bs / t)));
  double seed_qps = bs / (t + fill);
  double seed = capplan_ceil(q / seed_qps);
  if (!(exact <= CAPPLAN_MAX_EXACT && seed <= CAPPLAN_MAX_EXACT))
    return calc_fail(x,
                     "the answer is %s GPUs, more than capplan counts exactly "
                     "(2^53); check --qps, --time and --max-batch",
                     COUNT(&b, fmax(exact, seed)));
  const char *wait = capped ? "fill time" : "window";
  calc_work(x, "GPUs (seed)",
            calc_str(x, "ceil(QPS / (batch / (batch time + %s)))", wait),
            calc_str(x, "ceil(%s / (%s / %s))", RATE(&b, q), NUM(&b, bs, 2),
                     MS(&b, t + fill)),
            calc_str(x, "%s GPU%s, each %s QPS", COUNT(&b, seed),
                     seed == 1 ? "" : "s", RATE(&b, seed_qps)));
  calc_work(x, "latency", calc_str(x, "%s + batch time (+ queueing)", wait),
            calc_str(x, "%s + %s", MS(&b, fill), MS(&b, t)),
            calc_str(x, "%s", MS(&b, fill + t)));
  char maxb[FMT_SIZE + 16] = "";
  if (calc_has(x, "max-batch"))
    snprintf(maxb, sizeof maxb, ", max_batch: %s",
             NUM(&b, calc_val(x, "max-batch", 0), 0));
  calc_note(
      x, calc_str(x,
                  "capplan uses the exact reading: a GPU is busy for the "
                  "batch time only, while the next batch fills.  In a spec "
                  "write 'batching: {window: %sms%s, time: {base: %sms}}': "
                  "the stage then sizes these GPUs and its latency counts the "
                  "%s (at a 100%% target; 'utilization' leaves room for the "
                  "queue of batches).  The seed's reading counts the %s as "
                  "GPU time too (%s GPUs).",
                  NUM(&b, w * 1000, 3), maxb, NUM(&b, t * 1000, 3), wait, wait,
                  COUNT(&b, seed)));
  calc_result(x, "batch", "1", bs);
  calc_result(x, "gpus", "1", exact);
  calc_result(x, "gpus_seed_reading", "1", seed);
  calc_result(x, "latency", "s", fill + t);
  return 0;
}

/* -------------------------------------------------------------- queue */

/* FORMULAS.md section 3: Erlang B and C, the M/M/c wait and response and
 * their percentiles, Allen-Cunneen for another service variation, and the
 * fewest servers for a percentile target (queueing.h). */
/* The decimals of B (into DB, from 6) and rho (into DR, from 4) with
 * which the working's "B / (1 - rho (1 - B))" gives C as it shows it
 * (issue 9): near rho = 1 the formula magnifies their rounding, and
 * 0.051307 / (1 - 0.995 x (1 - 0.051307)) is 0.9047, not the 0.915757 of
 * rho = 0.995025.  The fewest digits in all, B's first. */
static void erlang_c_digits(double eb, double rho, double erlang_c, int *db,
                            int *dr) {
  char want[FMT_SIZE], sb[FMT_SIZE], sr[FMT_SIZE], got[FMT_SIZE];
  fmt_number_sig(erlang_c, 6, want, sizeof want);
  for (int e = 0; e <= 16; e++)
    for (int k = e; k >= 0; k--) {
      *db = 6 + k;
      *dr = 4 + e - k;
      double vb = fmt_shown_value(fmt_number_sig(eb, *db, sb, sizeof sb));
      double vr = fmt_shown_value(fmt_number_sig(rho, *dr, sr, sizeof sr));
      double den = 1 - vr * (1 - vb);
      if (den > 0 &&
          !strcmp(fmt_number_sig(vb / den, 6, got, sizeof got), want))
        return;
    }
  *db = 6;
  *dr = 12;
}

static int run_queue(calc_ctx *x) {
  calc_nb b = {0};
  if (!calc_has(x, "qps") || !calc_has(x, "latency"))
    return calc_fail(
        x, "--qps and --latency (the mean service time) are required");
  if (!calc_has(x, "servers") && !calc_has(x, "target"))
    return calc_fail(x, "give --servers N, --target D, or both");
  double lambda = calc_val(x, "qps", 0), s = calc_val(x, "latency", 0);
  double cs = calc_val(x, "cv", 1), p = calc_val(x, "percentile", 0.99);
  double mu = 1 / s, a = lambda * s;
  if (cs > 10)
    return calc_fail(x, "--cv must be at most 10");
  if (!(p > 0 && p < 1))
    return calc_fail(x,
                     "--percentile must be more than 0%% and less than 100%%");
  calc_work(x, "offered load", calc_str(x, "a = QPS x mean service time"),
            calc_str(x, "%s/s x %s", RATE(&b, lambda), MS(&b, s)),
            calc_str(x, "%s Erlangs", NUM(&b, a, 4)));
  if (calc_has(x, "servers")) {
    double c = calc_val(x, "servers", 0);
    if (c < 1 || c != floor(c) || c > 1e15)
      return calc_fail(x, "--servers must be a whole number from 1");
    mmc q;
    if (mmc_init(&q, lambda, mu, c, 1, cs) < 0) {
      if (q.status == MMC_OVERLOADED)
        return calc_fail(x,
                         "%s servers at %s Erlangs run at %s: no steady state; "
                         "at least %s servers are needed",
                         COUNT(&b, c), NUM(&b, a, 4), PCT(&b, a / c),
                         COUNT(&b, floor(a) + 1));
      return calc_fail(x, "check --qps and --latency");
    }
    double eb = erlang_b(c, a);
    int db, dr;
    erlang_c_digits(eb, q.rho, q.erlang_c, &db, &dr);
    calc_work(x, "utilization", calc_str(x, "rho = a / c"),
              calc_str(x, "%s / %s", NUM(&b, a, 4), COUNT(&b, c)),
              calc_str(x, "%s", PCT(&b, q.rho)));
    calc_work(x, "Erlang B",
              calc_str(x, "B_k = a B_(k-1) / (k + a B_(k-1)), B_0 = 1"),
              calc_str(x, "k = 1 .. %s, a = %s", COUNT(&b, c), NUM(&b, a, 4)),
              calc_str(x, "%s", NUM(&b, eb, db)));
    calc_work(x, "Erlang C", calc_str(x, "P(wait) = B / (1 - rho (1 - B))"),
              calc_str(x, "%s / (1 - %s x (1 - %s))", NUM(&b, eb, db),
                       NUM(&b, q.rho, dr), NUM(&b, eb, db)),
              calc_str(x, "%s", NUM(&b, q.erlang_c, 6)));
    if (cs == 1)
      calc_work(x, "mean wait", calc_str(x, "C / (c mu - lambda)"),
                calc_str(x, "%s / (%s x %s/s - %s/s)", NUM(&b, q.erlang_c, 6),
                         COUNT(&b, c), NUM(&b, mu, 4), RATE(&b, lambda)),
                calc_str(x, "%s", MS(&b, q.wait_mean)));
    else
      calc_work(
          x, "mean wait",
          calc_str(x,
                   "C / (c mu - lambda) x (ca^2 + cs^2) / 2 (Allen-Cunneen)"),
          calc_str(x, "%s / (%s x %s/s - %s/s) x (1 + %s^2) / 2",
                   NUM(&b, q.erlang_c, 6), COUNT(&b, c), NUM(&b, mu, 4),
                   RATE(&b, lambda), NUM(&b, cs, 3)),
          calc_str(x, "%s", MS(&b, q.wait_mean)));
    calc_work(x, "mean response", calc_str(x, "mean wait + 1 / mu"),
              calc_str(x, "%s + %s", MS(&b, q.wait_mean), MS(&b, s)),
              calc_str(x, "%s", MS(&b, q.resp_mean)));
    static const double lv[4] = {0.5, 0.95, 0.99, 0.999};
    static const char *const wn[4] = {"wait_p50", "wait_p95", "wait_p99",
                                      "wait_p999"};
    static const char *const rn[4] = {"response_p50", "response_p95",
                                      "response_p99", "response_p999"};
    double w[4], r[4];
    /* The response's as a spec's stage has them (latency.c). */
    if (mmc_response_quantiles(&q, lv, 4, r) < 0)
      return calc_fail(x, "no percentile for these inputs");
    for (int k = 0; k < 4; k++) {
      w[k] = mmc_wait_quantile(&q, lv[k]);
      if (w[k] < 0)
        return calc_fail(x, "no percentile for these inputs");
    }
    calc_work(
        x, "wait percentiles",
        calc_str(x, "ln(C / (1 - p)) / (theta / s) where C > 1 - p, else 0"),
        calc_str(x, "theta = c mu - lambda = %s/s",
                 NUM(&b, c * mu - lambda, 4)),
        calc_str(x, "p50 %s, p95 %s, p99 %s, p999 %s", MS(&b, w[0]),
                 MS(&b, w[1]), MS(&b, w[2]), MS(&b, w[3])));
    calc_work(x, "response percentiles",
              calc_str(x, "solve P(wait + service > t) = 1 - p"),
              calc_str(x, "service %s",
                       cs == 1     ? "exponential"
                       : cs < 1e-3 ? "constant"
                                   : "gamma"),
              calc_str(x, "p50 %s, p95 %s, p99 %s, p999 %s", MS(&b, r[0]),
                       MS(&b, r[1]), MS(&b, r[2]), MS(&b, r[3])));
    calc_result(x, "utilization", "1", q.rho);
    calc_result(x, "erlang_b", "1", eb);
    calc_result(x, "p_wait", "1", q.p_wait);
    calc_result(x, "wait_mean", "s", q.wait_mean);
    calc_result(x, "response_mean", "s", q.resp_mean);
    for (int k = 0; k < 4; k++)
      calc_result(x, wn[k], "s", w[k]);
    for (int k = 0; k < 4; k++)
      calc_result(x, rn[k], "s", r[k]);
  }
  if (calc_has(x, "target")) {
    double t = calc_val(x, "target", 0);
    double c = mmc_servers_for(lambda, mu, 1, cs, p, t);
    if (c < 0)
      return calc_fail(x, "check --qps, --latency and --target");
    if (c == 0)
      return calc_fail(
          x,
          "no count of servers meets a p%s of %s: the service time "
          "alone has a p%s of %s",
          NUM(&b, p * 100, 1), MS(&b, t), NUM(&b, p * 100, 1),
          MS(&b, latdist_service_quantile(LATDIST_GAMMA, s, cs, p)));
    calc_work(
        x, "servers for target",
        calc_str(x, "the fewest c with P(response > target) <= 1 - p"),
        calc_str(x, "p%s <= %s", NUM(&b, p * 100, 1), MS(&b, t)),
        calc_str(x, "%s servers (%s busy)", COUNT(&b, c), PCT(&b, a / c)));
    calc_result(x, "servers_for_target", "servers", c);
  }
  calc_note(
      x, calc_str(x, "Poisson arrivals, one shared FCFS queue; M/M/c is exact, "
                     "another service variation uses Allen-Cunneen "
                     "(docs/queueing.md)"));
  return 0;
}

/* ------------------------------------------- roofline, kv-cache, llm */

/* The catalog for the accelerator topics (the built-in one, embedded). */
capplan_catalog *calc_catalog(calc_ctx *x) {
  capplan_buf err;
  capplan_buf_init(&err);
  capplan_catalog *c = catalog_builtin(&err);
  if (!c)
    calc_fail(x, "internal error: the built-in catalog does not load: %s",
              err.data ? err.data : "");
  capplan_buf_release(&err);
  return c;
}

/* The dtype of option NAME (checked when parsed), else fp16. */
static enum dtype dtype_opt(const calc_ctx *x, const char *name) {
  int i = opt_index(x->t, name);
  return i >= 0 && x->has[i] ? (enum dtype)dtype_parse(x->text[i]) : DT_FP16;
}

/* Catalog hardware NAME (an accelerator or an instance) into *HW, or a
 * failure naming the catalog. */
int calc_hw(calc_ctx *x, const capplan_catalog *cat, const char *name,
            hw_in *hw) {
  if (model_catalog_hw(cat, name, hw))
    return 0;
  return calc_fail(
      x,
      "--gpu: no accelerator or instance named '%s' in the catalog "
      "('capplan catalog accelerators', 'capplan catalog instances')",
      name);
}

/* FORMULAS.md section 6: time = max(FLOPs / (peak x mfu), bytes /
 * (bandwidth x mbu)), the larger naming the bound.  Check: Llama-2-7B's
 * 13.48 GB of fp16 weights at 2,039 GB/s take at least 6.61 ms. */
static int run_roofline(calc_ctx *x) {
  calc_nb b = {0};
  if (!calc_has(x, "flops") && !calc_has(x, "bytes"))
    return calc_fail(x,
                     "give --flops (operations), --bytes (memory traffic) or "
                     "both");
  if (calc_has(x, "gpu") == (calc_has(x, "peak") || calc_has(x, "bandwidth")))
    return calc_fail(x,
                     "give --gpu NAME (a catalog accelerator or instance), or "
                     "--peak and --bandwidth");
  enum dtype dt = dtype_opt(x, "dtype");
  double peak = calc_val(x, "peak", 0), bw = calc_val(x, "bandwidth", 0);
  const char *from = "given";
  if (calc_has(x, "gpu")) {
    capplan_catalog *cat = calc_catalog(x);
    if (!cat)
      return -1;
    hw_in hw;
    int rc = calc_hw(x, cat, calc_text(x, "gpu"), &hw);
    capplan_catalog_free(cat);
    if (rc)
      return rc;
    peak = hw.flops[dt];
    bw = hw.mem_bw;
    from = calc_text(x, "gpu");
  }
  double flops = calc_val(x, "flops", 0), bytes = calc_val(x, "bytes", 0);
  if (flops > 0 && peak <= 0)
    return calc_fail(x,
                     "'%s' states no %s FLOPS (docs/catalog.md); give --peak "
                     "or another --dtype",
                     from, dtype_name(dt));
  if (bytes > 0 && bw <= 0)
    return calc_fail(x, "'%s' states no memory bandwidth; give --bandwidth",
                     from);
  double mfu = calc_val(x, "mfu", ROOFLINE_DEFAULT_MFU);
  double mbu = calc_val(x, "mbu", ROOFLINE_DEFAULT_MBU);
  if (mfu <= 0 || mbu <= 0)
    return calc_fail(x, "--mfu and --mbu must be above 0%%");
  roofline_hw rh = {flops > 0 ? peak : 1, bytes > 0 ? bw : 1, mfu, mbu};
  roofline_time t;
  if (roofline_time_of(&rh, flops, bytes, &t) != ROOFLINE_OK)
    return calc_fail(x,
                     "the answer is too large to represent; check the inputs");
  char si[4][FMT_SIZE];
  if (flops > 0)
    calc_work(x, "compute", calc_str(x, "FLOPs / (peak x mfu)"),
              calc_str(x, "%s / (%s %s x %s)",
                       fmt_si(flops, "FLOP", si[0], FMT_SIZE),
                       fmt_si(peak, "FLOPS", si[1], FMT_SIZE), dtype_name(dt),
                       PCT(&b, mfu)),
              calc_str(x, "%s", MS(&b, t.compute_s)));
  if (bytes > 0)
    calc_work(x, "memory", calc_str(x, "bytes / (bandwidth x mbu)"),
              calc_str(x, "%s / (%s x %s)", fmt_si(bytes, "B", si[2], FMT_SIZE),
                       fmt_si(bw, "B/s", si[3], FMT_SIZE), PCT(&b, mbu)),
              calc_str(x, "%s", MS(&b, t.memory_s)));
  calc_work(x, "time", calc_str(x, "the larger"),
            calc_str(x, "max(%s, %s)", MS(&b, t.compute_s), MS(&b, t.memory_s)),
            calc_str(x, "%s, %s-bound", MS(&b, t.seconds),
                     roofline_bound_name(t.bound)));
  if (flops > 0 && bytes > 0)
    calc_note(
        x, calc_str(
               x,
               "arithmetic intensity %s FLOP per byte against a ridge of %s "
               "(peak x mfu / (bandwidth x mbu)): above the ridge the "
               "arithmetic binds, below it the memory",
               NUM(&b, flops / bytes, 2), NUM(&b, peak * mfu / (bw * mbu), 2)));
  calc_note(
      x, calc_str(x,
                  "mfu %s%s, mbu %s%s (FORMULAS.md 6's defaults: "
                  "FlashAttention-2 on A100, gpt-fast's Llama-2-7B decode on "
                  "A100-80GB); --mfu 100%% --mbu 100%% gives the bare roofline",
                  PCT(&b, mfu), calc_has(x, "mfu") ? " given" : " by default",
                  PCT(&b, mbu), calc_has(x, "mbu") ? " given" : " by default"));
  calc_result(x, "seconds", "s", t.seconds);
  calc_result(x, "compute_seconds", "s", t.compute_s);
  calc_result(x, "memory_seconds", "s", t.memory_s);
  return 0;
}

/* The dimensions of an LLM: catalog model NAME or the given flags. */
static int model_dims(calc_ctx *x, llm_model *m, double *max_context) {
  memset(m, 0, sizeof *m);
  *max_context = 0;
  if (calc_has(x, "model")) {
    capplan_catalog *cat = calc_catalog(x);
    if (!cat)
      return -1;
    const char *name = calc_text(x, "model");
    const cat_entry *e = catalog_find(cat, CAT_MODEL, name);
    if (!e) {
      capplan_catalog_free(cat);
      return calc_fail(x,
                       "--model: no model named '%s' in the catalog ('capplan "
                       "catalog models')",
                       name);
    }
    cat_get(e, MOD_PARAMS, &m->params);
    cat_get(e, MOD_ACTIVE_PARAMS, &m->active_params);
    cat_get(e, MOD_LAYERS, &m->layers);
    cat_get(e, MOD_HIDDEN, &m->hidden);
    cat_get(e, MOD_HEADS, &m->heads);
    cat_get(e, MOD_KV_HEADS, &m->kv_heads);
    cat_get(e, MOD_HEAD_DIM, &m->head_dim);
    cat_get(e, MOD_MAX_CONTEXT, max_context);
    cat_get(e, MOD_EXPERTS, &m->experts);
    cat_get(e, MOD_EXPERTS_ACTIVE, &m->experts_active);
    capplan_catalog_free(cat);
    return 0;
  }
  return 1; /* not from the catalog */
}

/* FORMULAS.md 6 and 6b: KV per token = 2 x layers x kv_heads x head_dim
 * x bytes; Llama-3.1-8B in fp16: 128 KiB, 0.125 GiB per 1,024 tokens. */
static int run_kv_cache(calc_ctx *x) {
  calc_nb b = {0};
  if (!calc_has(x, "tokens"))
    return calc_fail(x,
                     "--tokens is required (prompt and output of a sequence)");
  llm_model m;
  double window;
  int rc = model_dims(x, &m, &window);
  if (rc < 0)
    return rc;
  /* A catalog model's context window bounds a sequence (as calc llm and
   * an llm stage check, tp_llm.c). */
  double want = calc_val(x, "tokens", 0);
  if (rc == 0 && window > 0 && want > window)
    return calc_fail(x,
                     "--tokens %s exceed %s's context window of %s tokens; "
                     "give at most that many, or name a model with a longer "
                     "window ('capplan catalog models')",
                     COUNT(&b, want), calc_text(x, "model"), COUNT(&b, window));
  if (rc > 0) {
    if (!calc_has(x, "layers") || !calc_has(x, "kv-heads") ||
        !calc_has(x, "head-dim"))
      return calc_fail(x, "give --model NAME, or --layers, --kv-heads and "
                          "--head-dim");
    m.layers = calc_val(x, "layers", 0);
    m.kv_heads = calc_val(x, "kv-heads", 0);
    m.head_dim = calc_val(x, "head-dim", 0);
  } else if (calc_has(x, "layers") || calc_has(x, "kv-heads") ||
             calc_has(x, "head-dim")) {
    return calc_fail(x, "give --model or the dimensions, not both");
  }
  enum dtype dt = dtype_opt(x, "dtype");
  double bytes = dtype_bytes(dt);
  double per_token = 2 * m.layers * m.kv_heads * m.head_dim * bytes;
  double tokens = calc_val(x, "tokens", 0), seqs = calc_val(x, "sequences", 1);
  char bb[3][FMT_SIZE];
  calc_work(x, "per token",
            calc_str(x, "2 (K and V) x layers x kv_heads x head_dim x "
                        "bytes"),
            calc_str(x, "2 x %s x %s x %s x %s (%s)", COUNT(&b, m.layers),
                     COUNT(&b, m.kv_heads), COUNT(&b, m.head_dim),
                     NUM(&b, bytes, 1), dtype_name(dt)),
            calc_str(x, "%s", fmt_bytes(per_token, bb[0], FMT_SIZE)));
  calc_work(x, "per sequence", calc_str(x, "per token x tokens"),
            calc_str(x, "%s x %s", NUM(&b, per_token, 0), COUNT(&b, tokens)),
            calc_str(x, "%s", fmt_bytes(per_token * tokens, bb[1], FMT_SIZE)));
  if (calc_has(x, "sequences"))
    calc_work(
        x, "all sequences", calc_str(x, "per sequence x sequences"),
        calc_str(x, "%s x %s", NUM(&b, per_token * tokens, 0), COUNT(&b, seqs)),
        calc_str(x, "%s",
                 fmt_bytes(per_token * tokens * seqs, bb[2], FMT_SIZE)));
  calc_note(
      x, calc_str(x, "the cache of a sequence at its end; an llm stage keeps "
                     "the GPUs' memory less the weights and 10%% for it "
                     "('capplan calc llm')"));
  calc_result(x, "bytes_per_token", "bytes", per_token);
  calc_result(x, "bytes_per_sequence", "bytes", per_token * tokens);
  calc_result(x, "bytes", "bytes", per_token * tokens * seqs);
  return 0;
}

/* FORMULAS.md 6b through the llm throughput model itself (tp_llm.c): the
 * same figures and working as an llm stage on that hardware. */
static int run_llm(calc_ctx *x) {
  calc_nb b = {0};
  if (!calc_has(x, "model") || !calc_has(x, "gpu") || !calc_has(x, "prompt") ||
      !calc_has(x, "output"))
    return calc_fail(x, "--model, --gpu, --prompt and --output are required");
  llm_model m;
  double window;
  int rc = model_dims(x, &m, &window);
  if (rc)
    return rc < 0 ? rc : calc_fail(x, "--model is required");
  capplan_catalog *cat = calc_catalog(x);
  if (!cat)
    return -1;
  hw_in hw;
  rc = calc_hw(x, cat, calc_text(x, "gpu"), &hw);
  capplan_catalog_free(cat);
  if (rc)
    return rc;
  tp_model tp;
  memset(&tp, 0, sizeof tp);
  tp.kind = TP_LLM;
  tp.as.llm.dtype = tp.as.llm.kv_dtype = dtype_opt(x, "dtype");
  tp.as.llm.model = calc_text(x, "model");
  stage_in in;
  memset(&in, 0, sizeof in);
  in.pol.utilization = 1;
  in.service_cv = -1;
  gpu_in gin;
  memset(&gin, 0, sizeof gin);
  gpu_in *g = &gin;
  g->params = m.params;
  g->active_params = m.active_params > 0 ? m.active_params : m.params;
  g->layers = m.layers, g->hidden = m.hidden, g->heads = m.heads;
  g->kv_heads = m.kv_heads, g->head_dim = m.head_dim;
  g->experts = m.experts, g->experts_active = m.experts_active;
  g->weight_bytes = g->kv_bytes = dtype_bytes(tp.as.llm.dtype);
  g->prompt_tokens = calc_val(x, "prompt", 0);
  g->output_tokens = calc_val(x, "output", 1);
  g->tp = calc_val(x, "tp", 1);
  g->llm_max_batch = LLM_DEFAULT_MAX_BATCH;
  g->reserve = LLM_DEFAULT_RESERVE;
  g->mfu = hw.mfu > 0 ? hw.mfu : ROOFLINE_DEFAULT_MFU;
  g->mbu = hw.mbu > 0 ? hw.mbu : ROOFLINE_DEFAULT_MBU;
  g->tpot_target = calc_val(x, "tpot", 0);
  const char *gpu = calc_text(x, "gpu");
  /* The model's context window holds the prompt and the output (as an
   * llm stage checks, tp_llm.c). */
  if (window > 0 && g->prompt_tokens + g->output_tokens > window)
    return calc_fail(x,
                     "--prompt %s + --output %s = %s tokens exceed %s's "
                     "context window of %s tokens; shorten them, or name a "
                     "model with a longer window ('capplan catalog models')",
                     COUNT(&b, g->prompt_tokens), COUNT(&b, g->output_tokens),
                     COUNT(&b, g->prompt_tokens + g->output_tokens),
                     calc_text(x, "model"), COUNT(&b, window));
  if (g->tp > hw.gpus)
    return calc_fail(
        x,
        "--tp %s needs %s GPUs in one server and '%s' has %s; name "
        "an instance with more (e.g. p5.48xlarge)",
        COUNT(&b, g->tp), COUNT(&b, g->tp), gpu, COUNT(&b, hw.gpus));
  if (!llm_tp_shards(&m, g->tp))
    return calc_fail(x,
                     "--tp %s does not split the model's %s attention heads "
                     "(%s key-value heads) evenly over its GPUs; tensor "
                     "parallelism needs tp to divide the heads (and the "
                     "key-value heads, or be a multiple of them)",
                     COUNT(&b, g->tp), COUNT(&b, m.heads),
                     COUNT(&b, m.kv_heads));
  if (g->tp > 1 && hw.link_bw <= 0)
    return calc_fail(x, "'%s' states no interconnect bandwidth for --tp", gpu);
  tp_out out;
  llm_result res;
  memset(&out, 0, sizeof out);
  memset(&res, 0, sizeof res);
  out.llm = &res;
  double qps = calc_val(x, "qps", 0);
  tp_llm_ops.eval(&tp, &in, g, &hw, qps, &out);
  if (out.status == LLM_DOES_NOT_FIT || out.status == LLM_SEQUENCE_DOES_NOT_FIT)
    return calc_fail(
        x,
        "%s: %s on a replica of %s x '%s' (%s usable with 10%% kept "
        "back); raise --tp or lower --prompt and --output",
        calc_text(x, "model"),
        out.status == LLM_DOES_NOT_FIT
            ? "the weights do not fit"
            : "one sequence's KV cache does not fit beside the weights",
        COUNT(&b, g->tp), gpu,
        fmt_si(out.llm->memory.memory_usable, "B", calc_nb_next(&b), FMT_SIZE));
  if (out.status != 0)
    return calc_fail(x,
                     "'%s' has no figures for this model (%s); check its "
                     "FLOPS at the dtype and its bandwidth",
                     gpu, llm_status_name((llm_status)out.status));
  tp_llm_ops.steps(&tp, &in, g, &hw, NULL, &out, x->c->working,
                   &x->c->working->totals);
  calc_result(x, "batch", "1", out.batch);
  calc_result(x, "ttft", "s", out.ttft);
  if (out.llm->has_tpot) /* none with one output token */
    calc_result(x, "tpot", "s", out.llm->tpot);
  calc_result(x, "output_tokens_per_second_per_gpu", "1/s",
              out.llm->output_tokens_per_second_per_gpu);
  calc_result(x, "requests_per_second_per_replica", "1/s",
              out.llm->requests_per_second);
  if (qps > 0) {
    double replicas = capplan_ceil(qps / out.llm->requests_per_second);
    double servers = capplan_ceil(replicas / out.replicas_per_server);
    if (!(servers * hw.gpus <= CAPPLAN_MAX_EXACT))
      return calc_fail(x, "the answer is more GPUs than capplan counts exactly "
                          "(2^53); check --qps");
    calc_work(x, "replicas",
              calc_str(x, "ceil(QPS / requests per second of a replica)"),
              calc_str(x, "ceil(%s / %s)", RATE(&b, qps),
                       NUM(&b, out.llm->requests_per_second, 3)),
              calc_str(x, "%s replicas of %s GPU%s", COUNT(&b, replicas),
                       COUNT(&b, g->tp), g->tp == 1 ? "" : "s"));
    calc_work(x, "servers", calc_str(x, "ceil(replicas / replicas per server)"),
              calc_str(x, "ceil(%s / %s)", COUNT(&b, replicas),
                       COUNT(&b, out.replicas_per_server)),
              calc_str(x, "%s x %s = %s GPUs, %s/year", COUNT(&b, servers), gpu,
                       COUNT(&b, servers * hw.gpus),
                       MONEY(&b, servers * hw.cost_per_year)));
    calc_result(x, "servers", "servers", servers);
    calc_result(x, "gpus", "gpus", servers * hw.gpus);
  }
  calc_note(x,
            calc_str(x, "at 100%% utilization, without queueing for a sequence "
                        "slot; a spec's llm stage adds headroom, spares and "
                        "slo.ttft (docs/spec.md)"));
  return 0;
}

/* -------------------------------------------------------- sample size */

/* FORMULAS.md section 7: n = (z_{1-a/2} + z_{1-b})^2 (p1(1 - p1) +
 * p2(1 - p2)) / (p1 - p2)^2 per group, two proportions, two-sided.  Shared
 * by sample-size and ab (calc_plan.c), which read the same options. */
int calc_sample_size_of(calc_ctx *x, calc_ab_size *s) {
  calc_nb b = {0};
  if (!calc_has(x, "baseline") || !calc_has(x, "mde"))
    return calc_fail(x, "--baseline and --mde are required");
  double p1 = calc_val(x, "baseline", 0), mde = calc_val(x, "mde", 0);
  double alpha = calc_val(x, "alpha", 0.05), power = calc_val(x, "power", 0.8);
  bool rel = calc_has(x, "relative");
  double p2 = rel ? p1 * (1 + mde) : p1 + mde;
  if (p1 <= 0 || p1 >= 1 || p2 <= 0 || p2 >= 1 || mde == 0)
    return calc_fail(x,
                     "the baseline and the baseline plus the effect must both "
                     "lie strictly between 0%% and 100%%, and the effect not "
                     "be 0");
  if (alpha <= 0 || alpha >= 1 || power <= 0 || power >= 1)
    return calc_fail(x, "--alpha and --power must lie strictly between 0%% and "
                        "100%%");
  double za = normal_quantile(1 - alpha / 2), zb = normal_quantile(power);
  double var = p1 * (1 - p1) + p2 * (1 - p2);
  double exact = (za + zb) * (za + zb) * var / ((p1 - p2) * (p1 - p2));
  double n = capplan_ceil(exact);
  if (!(n <= CAPPLAN_MAX_EXACT))
    return calc_fail(x, "the answer is more users than capplan counts exactly "
                        "(2^53); check --mde");
  calc_work(
      x, "treatment rate",
      calc_str(x, rel ? "baseline x (1 + effect)" : "baseline + effect"),
      calc_str(x, rel ? "%s x (1 + %s)" : "%s + %s", PCT(&b, p1), PCT(&b, mde)),
      calc_str(x, "%s%%", NUM(&b, p2 * 100, 4)));
  /* The decimals of the z values and the variance with which the per
   * group line, redone from them, gives N (issue 9): 6, more when the
   * rounding of a large N would tip its ceiling.  The z sum shown is the
   * sum of the z values shown. */
  int d = 6;
  double zsum = za + zb;
  for (; d <= 14; d++) {
    char z[FMT_SIZE], v[FMT_SIZE], e[FMT_SIZE];
    zsum = fmt_shown_value(fmt_number_sig(za, d, z, sizeof z)) +
           fmt_shown_value(fmt_number_sig(zb, d, z, sizeof z));
    double vs = fmt_shown_value(fmt_number_sig(var, d, v, sizeof v));
    double es = fmt_shown_value(fmt_number_sig(fabs(p1 - p2), 6, e, sizeof e));
    if (d == 14 || (es > 0 && capplan_ceil(zsum * zsum * vs / (es * es)) == n))
      break;
  }
  calc_work(x, "z values", calc_str(x, "z(1 - alpha/2) + z(power)"),
            calc_str(x, "z(%s) + z(%s)", NUM(&b, 1 - alpha / 2, 4),
                     NUM(&b, power, 4)),
            calc_str(x, "%s + %s = %s", NUM(&b, za, d), NUM(&b, zb, d),
                     NUM(&b, zsum, d)));
  calc_work(x, "per group",
            calc_str(x, "ceil((z sum)^2 x (p1(1-p1) + p2(1-p2)) / "
                        "(p1-p2)^2)"),
            calc_str(x, "ceil(%s^2 x %s / %s^2)", NUM(&b, zsum, d),
                     NUM(&b, var, d), NUM(&b, fabs(p1 - p2), 6)),
            calc_str(x, "%s users per group", COUNT(&b, n)));
  *s = (calc_ab_size){p1, p2, alpha, power, za, zb, var, exact, n};
  return 0;
}

static int run_sample_size(calc_ctx *x) {
  calc_ab_size s;
  if (calc_sample_size_of(x, &s) < 0)
    return -1;
  calc_result(x, "per_group", "users", s.n);
  calc_result(x, "total", "users", 2 * s.n);
  return 0;
}

/* ------------------------------------------------------------- topics */

static const ctopic topics[] = {
    {"qps",
     "traffic from daily users or events",
     "--dau N --per-user RATE | --dau N --qps RATE | --events RATE "
     "[--peak F]",
     "capplan calc qps --dau 500M --per-user 20/day --peak 3",
     {{"dau", "count", "N", "daily active users"},
      {"per-user", "daily", "RATE", "requests per user, e.g. 20/day"},
      {"events", "rate", "RATE", "events, e.g. 10B/day"},
      {"peak", "number", "F", "peak-to-average factor"},
      {"qps", "rate", "RATE", "a QPS to solve for the rate per user"}},
     NULL,
     run_qps},
    {"throughput",
     "QPS of one server",
     "--latency D [--batch N] [--parallelism F | --cores N --bound B]",
     "capplan calc throughput --latency 10ms --cores 16 --bound cpu",
     {{"latency", "duration", "D", "time of one request (or one batch)"},
      {"batch", "count", "N", "requests served together"},
      {"parallelism", "number", "F", "concurrent batches per server"},
      {"cores", "count", "N", "cores of the server"},
      {"bound", "bound", "B", "cpu, memory or io"}},
     NULL,
     run_throughput},
    {"servers",
     "servers for a load, rounded once",
     "--qps RATE --per-server RATE [--headroom F] [--utilization F] "
     "[--redundancy N]",
     "capplan calc servers --qps 30K --per-server 1200 --headroom 20%",
     {{"qps", "rate", "RATE", "load"},
      {"per-server", "rate", "RATE", "QPS of one server at 100%"},
      {"headroom", "fraction", "F", "extra capacity, e.g. 20%"},
      {"utilization", "fraction", "F", "target utilization"},
      {"redundancy", "count", "N", "spare servers"}},
     NULL,
     run_servers},
    {"cost",
     "cost per hour, month and year",
     "--servers N | --gpus N --price MONEY",
     "capplan calc cost --gpus 200 --price $2/hour",
     {{"servers", "count", "N", "servers"},
      {"gpus", "count", "N", "GPUs"},
      {"price", "money", "MONEY", "price of one, e.g. $2/hour"}},
     NULL,
     run_cost},
    {"nines",
     "downtime of an availability, or the reverse",
     "AVAILABILITY | --downtime D/PERIOD",
     "capplan calc nines 99.99%",
     {{"availability", "fraction", "A",
       "an availability, e.g. 99.99% (or bare)"},
      {"downtime", "downtime", "D/PERIOD",
       "a downtime, e.g. 1h/year or 5min/month"}},
     "availability",
     run_nines},
    {"availability",
     "parts in series, in parallel, or k of n",
     "--series A B ... | --parallel A B ... | --k-of-n K/N --each A",
     "capplan calc availability --series 99.9% 99.9% 99.9%",
     {{"series", "list", "A B ...", "all must be up"},
      {"parallel", "list", "A B ...", "one suffices"},
      {"k-of-n", "k-of-n", "K/N", "K of N must be up"},
      {"each", "fraction", "A", "availability of each of the N"}},
     NULL,
     run_availability},
    {"storage",
     "bytes kept",
     "(--events RATE --size BYTES | --bytes BYTES/PERIOD) --retention D "
     "[--replication N]",
     "capplan calc storage --events 10B/day --size 100B --retention 90d",
     {{"events", "rate", "RATE", "events, e.g. 10B/day"},
      {"size", "bytes", "BYTES", "bytes per event"},
      {"retention", "duration", "D", "how long they are kept, e.g. 90d"},
      {"replication", "number", "N", "copies kept"},
      {"bytes", "bandwidth", "BYTES/PERIOD",
       "bytes written per period, e.g. 1PB/year"}},
     NULL,
     run_storage},
    {"bandwidth",
     "bytes and bits per second",
     "--qps RATE --size BYTES [--price $/BYTES]",
     "capplan calc bandwidth --qps 50K --size 20KB",
     {{"qps", "rate", "RATE", "requests per second"},
      {"size", "bytes", "BYTES", "bytes per request"},
      {"price", "price-per-bytes", "$/BYTES", "network price, e.g. $0.09/GB"}},
     NULL,
     run_bandwidth},
    {"little",
     "Little's law: two of rate, latency, concurrency",
     "--rate RATE --latency D | --rate RATE --concurrency N | ...",
     "capplan calc little --rate 5K --latency 200ms",
     {{"rate", "rate", "RATE", "arrival rate"},
      {"latency", "duration", "D", "time in the system"},
      {"concurrency", "number", "N", "requests in flight"}},
     NULL,
     run_little},
    {"batch",
     "dynamic batching on accelerators",
     "--qps RATE --window D --time D [--max-batch N]",
     "capplan calc batch --qps 5K --window 10ms --time 200ms",
     {{"qps", "rate", "RATE", "arrivals into the batcher"},
      {"window", "duration", "D", "how long a batch collects"},
      {"time", "duration", "D", "accelerator time of one batch"},
      {"max-batch", "count", "N", "largest batch"}},
     NULL,
     run_batch},
    {"queue",
     "Erlang B and C, waits, percentiles, servers for a target",
     "--qps RATE --latency D [--servers N] [--target D] [--percentile F] "
     "[--cv F]",
     "capplan calc queue --qps 10K --latency 20ms --servers 201",
     {{"qps", "rate", "RATE", "arrival rate"},
      {"latency", "duration", "D", "mean service time of one request"},
      {"servers", "count", "N", "servers (slots) serving one queue"},
      {"target", "duration", "D", "a response-time target to size for"},
      {"percentile", "fraction", "F", "the target's percentile (99%)"},
      {"cv", "number", "F", "service time's coefficient of variation (1)"}},
     NULL,
     run_queue},
    {"roofline",
     "time of an operation on an accelerator: compute- or memory-bound",
     "--flops N --bytes B (--gpu NAME | --peak FLOPS --bandwidth BW) "
     "[--dtype T] [--mfu F] [--mbu F]",
     "capplan calc roofline --bytes 13.48GB --gpu a100-sxm-80gb --mbu 100%",
     {{"flops", "flop", "N", "floating-point operations, e.g. 14TFLOP"},
      {"bytes", "bytes", "B", "bytes read and written, e.g. 16GB"},
      {"gpu", "name", "NAME", "a catalog accelerator or instance"},
      {"peak", "flops", "FLOPS", "dense peak, e.g. 312TFLOPS"},
      {"bandwidth", "bandwidth", "BW", "memory bandwidth, e.g. 2TB/s"},
      {"dtype", "dtype", "T", "dtype of the arithmetic (fp16)"},
      {"mfu", "fraction", "F", "share of peak FLOPS reached (72%)"},
      {"mbu", "fraction", "F", "share of bandwidth reached (68.5%)"}},
     NULL,
     run_roofline},
    {"kv-cache",
     "KV cache of an LLM: per token, per sequence, for many",
     "(--model NAME | --layers N --kv-heads N --head-dim N) --tokens N "
     "[--sequences N] [--dtype T]",
     "capplan calc kv-cache --model llama-3.1-8b --tokens 1024",
     {{"model", "name", "NAME", "a catalog model"},
      {"layers", "count", "N", "layers"},
      {"kv-heads", "count", "N", "key-value heads"},
      {"head-dim", "count", "N", "dimension of a head"},
      {"tokens", "count", "N", "tokens of a sequence"},
      {"sequences", "count", "N", "sequences held at once"},
      {"dtype", "dtype", "T", "dtype of the cache (fp16)"}},
     NULL,
     run_kv_cache},
    {"llm",
     "LLM serving: memory, batch, TTFT, TPOT, tokens/s and GPUs",
     "--model NAME --gpu NAME --prompt N --output N [--tp N] [--dtype T] "
     "[--tpot D] [--qps RATE]",
     "capplan calc llm --model llama-3.1-8b --gpu h100-sxm --prompt 1500 "
     "--output 300 --tpot 50ms",
     {{"model", "name", "NAME", "a catalog model"},
      {"gpu", "name", "NAME", "a catalog accelerator or instance"},
      {"prompt", "count", "N", "prompt tokens of a request"},
      {"output", "count", "N", "output tokens of a request"},
      {"tp", "count", "N", "GPUs of a replica (1)"},
      {"dtype", "dtype", "T", "dtype of weights and cache (fp16)"},
      {"tpot", "duration", "D", "time per output token to meet"},
      {"qps", "rate", "RATE", "requests a second to serve"}},
     NULL,
     run_llm},
    {"sample-size",
     "A/B test users per group, two proportions",
     "--baseline F --mde F [--relative] [--alpha F] [--power F]",
     "capplan calc sample-size --baseline 5% --mde 1%",
     {{"baseline", "fraction", "F", "control conversion rate"},
      {"mde", "fraction", "F", "smallest effect to detect"},
      {"relative", "flag", NULL, "the effect is relative to the baseline"},
      {"alpha", "fraction", "F", "false-positive rate, two-sided (5%)"},
      {"power", "fraction", "F", "chance to detect the effect (80%)"}},
     NULL,
     run_sample_size},
};

static const calc_topic_set core_topics = {topics, ARRAY_LEN(topics)};

/* Every topic file's topics, in the order 'capplan calc' lists them. */
static const calc_topic_set *const sets[] = {&core_topics, &calc_infra_topics,
                                             &calc_plan_topics};

size_t capplan_calc_n_topics(void) {
  size_t n = 0;
  for (size_t k = 0; k < ARRAY_LEN(sets); k++)
    n += sets[k]->n;
  return n;
}

const capplan_calc_topic *capplan_calc_topic_at(size_t i) {
  for (size_t k = 0; k < ARRAY_LEN(sets); k++) {
    if (i < sets[k]->n)
      return &sets[k]->topics[i];
    i -= sets[k]->n;
  }
  return NULL;
}

size_t capplan_calc_n_options(const capplan_calc_topic *t) {
  size_t k = 0;
  while (k < CALC_MAX_OPTIONS && t->options[k].name)
    k++;
  return k;
}

/* Parses one option's values into X (option I of the topic). */
static int parse_opt(calc_ctx *x, int i, const capplan_calc_arg *a) {
  const copt *o = &x->t->options[i];
  char key[64];
  snprintf(key, sizeof key, "--%s", o->name);
  if (!strcmp(o->kind, "flag")) {
    if (a->n_values)
      return calc_fail(x, "%s takes no value, got '%s'", key, a->values[0]);
    x->has[i] = true;
    return 0;
  }
  if (!strcmp(o->kind, "list")) {
    if (a->n_values < 2)
      return calc_fail(x,
                       "%s takes two or more availabilities, e.g. %s 99.9%% "
                       "99.9%%",
                       key, key);
    x->list = arena_array(x->c->arena, a->n_values, sizeof(double));
    for (size_t k = 0; k < a->n_values; k++) {
      capplan_buf e;
      capplan_buf_init(&e);
      if (capplan_quantity(a->values[k], "fraction", key, &x->list[k], &e,
                           NULL) < 0) {
        int rc = calc_fail(x, "%s, got '%s'", e.data, a->values[k]);
        capplan_buf_release(&e);
        return rc;
      }
      capplan_buf_release(&e);
    }
    x->n_list = a->n_values;
    x->has[i] = true;
    return 0;
  }
  if (a->n_values > 1)
    /* The option took its value; what follows is a stray word. */
    return calc_fail(x, "unexpected '%s' after '%s %s' (%s takes one value)",
                     a->values[1], key, a->values[0], key);
  if (a->n_values != 1)
    return calc_fail(x, "%s takes one value", key);
  const char *text = a->values[0];
  x->text[i] = text;
  x->has[i] = true;
  if (!strcmp(o->kind, "name")) {
    if (!catalog_valid_name(text, strlen(text)))
      return calc_fail(x,
                       "%s takes a catalog name (lower-case letters, digits, "
                       "'-', '_' and '.'), got '%s'",
                       key, text);
    return 0;
  }
  if (!strcmp(o->kind, "dtype")) {
    if (dtype_parse(text) < 0)
      return calc_fail(x, "%s takes one of %s, got '%s'", key,
                       "fp32, tf32, bf16, fp16, fp8, int8, fp4", text);
    return 0;
  }
  if (!strcmp(o->kind, "bound")) {
    double lo, used, hi;
    if (!catalog_bound_range(text, &lo, &used, &hi))
      return calc_fail(x, "%s takes cpu, memory or io, got '%s'", key, text);
    return 0;
  }
  if (!strcmp(o->kind, "k-of-n")) {
    char *end;
    double k = strtod(text, &end);
    double n = *end == '/' ? strtod(end + 1, &end) : -1;
    if (*end || k < 1 || n < k || k != floor(k) || n != floor(n) || n > 1e9)
      return calc_fail(x,
                       "%s takes K/N with whole 1 <= K <= N, e.g. 3/5, got "
                       "'%s'",
                       key, text);
    x->k = k;
    x->n = n;
    return 0;
  }
  if (!strcmp(o->kind, "price-per-bytes")) {
    /* $0.09/GB: USD per byte, the amount over a size of the bytes units. */
    const char *slash = strrchr(text, '/');
    bool ok = text[0] == '$' && slash;
    char amount[64], size[64];
    snprintf(amount, sizeof amount, "%.*s", ok ? (int)(slash - text - 1) : 0,
             text + 1);
    snprintf(size, sizeof size, "1%s", ok ? slash + 1 : "");
    double usd = 0, per = 0;
    if (!ok || capplan_quantity(amount, "number", key, &usd, NULL, NULL) < 0 ||
        capplan_quantity(size, "bytes", key, &per, NULL, NULL) < 0 || usd <= 0)
      return calc_fail(x,
                       "%s takes a price per amount of data, e.g. $0.09/GB, "
                       "got '%s'",
                       key, text);
    x->v[i] = usd / per;
    return 0;
  }
  if (!strcmp(o->kind, "downtime")) {
    const char *slash = strrchr(text, '/');
    x->period = slash ? units_period_seconds(slash + 1, strlen(slash + 1)) : 0;
    char dur[64];
    snprintf(dur, sizeof dur, "%.*s", slash ? (int)(slash - text) : 0, text);
    capplan_buf e;
    capplan_buf_init(&e);
    int rc = 0;
    if (x->period <= 0)
      rc =
          calc_fail(x, "%s takes a duration per period, e.g. 1h/year, got '%s'",
                    key, text);
    else if (capplan_quantity(dur, "duration", key, &x->v[i], &e, NULL) < 0)
      rc = calc_fail(x, "%s, got '%s'", e.data, text);
    capplan_buf_release(&e);
    return rc;
  }
  capplan_buf e;
  capplan_buf_init(&e);
  int rc = 0;
  char quoted[96];
  snprintf(quoted, sizeof quoted, "'%s'", text);
  if (capplan_quantity(text, o->kind, key, &x->v[i], &e, NULL) < 0)
    rc = strstr(e.data, quoted) ? calc_fail(x, "%s", e.data)
                                : calc_fail(x, "%s, got '%s'", e.data, text);
  else if (x->v[i] <= 0 && strcmp(o->kind, "fraction"))
    rc = calc_fail(x, "%s must be more than 0, got '%s'", key, text);
  else if (!strcmp(o->kind, "count") && x->v[i] != floor(x->v[i]))
    /* Servers, GPUs, users, cores and batches come whole: 2.5 servers
     * would be costed as 2.5 and shown as 3. */
    rc = calc_fail(x, "%s takes a whole number, got '%s'", key, text);
  else if (!strcmp(o->kind, "count") && x->v[i] > CAPPLAN_MAX_EXACT)
    rc = calc_fail(x, "%s is more than capplan counts exactly (2^53), got '%s'",
                   key, text);
  else if (!strcmp(o->kind, "fraction") && (x->v[i] < 0 || x->v[i] > 1))
    rc = calc_fail(x, "%s must be between 0%% and 100%%, got '%s'", key, text);
  capplan_buf_release(&e);
  return rc;
}

capplan_calc *capplan_calc_run(const char *topic, const capplan_calc_arg *args,
                               size_t n, capplan_buf *err) {
  const ctopic *t = NULL;
  size_t nt = capplan_calc_n_topics();
  for (size_t i = 0; i < nt && !t; i++)
    if (!strcmp(capplan_calc_topic_at(i)->name, topic))
      t = capplan_calc_topic_at(i);
  if (!t) {
    const char **names = xcalloc(nt, sizeof *names);
    for (size_t i = 0; i < nt; i++)
      names[i] = capplan_calc_topic_at(i)->name;
    const char *best = closest_word(topic, names, nt);
    free(names);
    capplan_buf_printf(err, "unknown topic '%s'%s%s%s", topic,
                       best ? " (did you mean '" : "", best ? best : "",
                       best ? "'?)" : "");
    return NULL;
  }
  capplan_calc *c = xcalloc(1, sizeof *c);
  c->arena = arena_new();
  c->topic = t->name;
  c->working = steps_new(0, 0);
  c->results =
      arena_array(c->arena, CALC_MAX_RESULTS, sizeof(capplan_calc_value));
  c->inputs = arena_array(c->arena, n + 1, sizeof(capplan_calc_arg));
  calc_ctx x;
  memset(&x, 0, sizeof x);
  x.t = t;
  x.c = c;
  x.err = err;
  int rc = 0;
  for (size_t i = 0; i < n && !rc; i++) {
    const char *name = args[i].name ? args[i].name : t->positional;
    if (!name) {
      rc = calc_fail(&x, "unexpected '%s'",
                     args[i].n_values ? args[i].values[0] : "");
      break;
    }
    int k = opt_index(t, name);
    if (k < 0) {
      const char *names[MAX_OPTS];
      size_t m = 0;
      for (; m < MAX_OPTS && t->options[m].name; m++)
        names[m] = t->options[m].name;
      const char *best = closest_word(name, names, m);
      rc = calc_fail(&x, "unknown option '--%s'%s%s%s", name,
                     best ? " (did you mean '--" : "", best ? best : "",
                     best ? "'?)" : "");
      break;
    }
    if (x.has[k] && !args[i].name) {
      rc = calc_fail(&x, "unexpected '%s'", args[i].values[0]);
      break;
    }
    if (x.has[k]) {
      rc = calc_fail(&x, "--%s given twice", name);
      break;
    }
    rc = parse_opt(&x, k, &args[i]);
    if (!rc) {
      c->inputs[c->n_inputs] = args[i];
      c->inputs[c->n_inputs].name = t->options[k].name;
      c->n_inputs++;
    }
  }
  if (!rc)
    rc = t->run(&x);
  for (size_t i = 0; i < c->n_results && !rc; i++)
    if (!isfinite(c->results[i].value))
      rc = calc_fail(&x,
                     "the answer is too large to represent; check the inputs");
  if (rc) {
    capplan_calc_free(c);
    return NULL;
  }
  return c;
}

void capplan_calc_free(capplan_calc *c) {
  if (!c)
    return;
  steps_free(c->working);
  arena_free(c->arena);
  free(c);
}
