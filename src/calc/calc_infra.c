/*
 * calc_infra.c - 'capplan calc' topics for the infrastructure around the
 * models: an event pipeline on Kafka (kafka), video egress through a CDN
 * (cdn), and a sharded, replicated database (shards).
 *
 * A topic file of src/calc (calc_int.h): each topic reads its options,
 * records its working step by step (formula, numbers put in, result) and
 * gives its figures in base units, like the topics of calc.c, which lists
 * these after its own.  Seed 004's event pipeline (10B events a day, 300K+
 * a second at peak, 90 days kept) and seed 000's sharding (100 shards of
 * 5M records) and replication (95% reads -> 5 replicas) examples are the
 * checks (tests/unit/test_calc_infra.c).
 */
#include <math.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "calc_int.h"
#include "util.h"

/* ----------------------------------------------------------- defaults */

/* A partition takes 10 MB/s from producers: Dattell, "Kafka Optimization
 * - How many partitions are needed?" ("conservatively ... a single
 * partition ... runs at 10 MB/s";
 * https://dattell.com/data-architecture-blog/kafka-optimization-how-many-partitions-are-needed/,
 * read 2026-11-30), the low end of the tens of MB/s Confluent gives for
 * one partition (Jun Rao, "How to choose the number of topics/partitions
 * in a Kafka cluster?",
 * https://www.confluent.io/blog/how-choose-number-topics-partitions-kafka-cluster/).
 */
static const double KAFKA_PARTITION_RATE = 10e6;
/* Three copies of every partition: seed 000, "Real-Time Data Pipeline"
 * (Kafka, 100 partitions, 3x replication). */
static const double KAFKA_REPLICATION = 3;
/* Seven days: Kafka's default log.retention.hours = 168
 * (https://kafka.apache.org/documentation/#brokerconfigs_log.retention.hours;
 * also Cloudera's "Log Settings",
 * https://docs.cloudera.com/HDPDocuments/HDP3/HDP-3.0.0/installing-configuring-kafka/content/log_settings.html,
 * read 2026-11-30). */
static const double KAFKA_RETENTION = 7 * 86400.0;
/* Amazon CloudFront's list prices of data transfer out to the internet,
 * United States, Mexico and Canada, per GB by the volume of a month
 * (https://aws.amazon.com/cloudfront/pricing/, read 2026-11-30): first
 * 10 TB $0.085, next 40 TB $0.080, next 100 TB $0.060, next 350 TB
 * $0.040, next 524 TB $0.030, next 4 PB $0.025, over 5 PB $0.020.  The
 * page's first PB is 1,024 TB (10 + 40 + 100 + 350 + 524) and its 4 PB
 * 4,096 TB; capplan reads a TB as 1,000 GB of 10^9 bytes. */
static const struct cdn_tier {
  double gb; /* GB in the tier; the last takes the rest */
  double price;
} CDN_TIERS[] = {{10e3, 0.085},  {40e3, 0.080},  {100e3, 0.060},
                 {350e3, 0.040}, {524e3, 0.030}, {4096e3, 0.025},
                 {0, 0.020}};

/* ------------------------------------------------------------ helpers */

/* The name of the largest of V[0..N) (the first on a tie): the
 * constraint that binds. */
static const char *largest(const double *v, const char *const *names,
                           size_t n) {
  size_t k = 0;
  for (size_t i = 1; i < n; i++)
    if (v[i] > v[k])
      k = i;
  return names[k];
}

/* The sizing ceiling of X (figures.h), or -1 when the count is past what
 * a double holds exactly. */
static double whole(double x) {
  double n = capplan_ceil(x);
  return n <= CAPPLAN_MAX_EXACT ? n : -1;
}

static int too_many(calc_ctx *x, const char *what) {
  return calc_fail(x,
                   "the answer is more %s than capplan counts exactly "
                   "(2^53); check the inputs",
                   what);
}

/* Bytes per second the short way, as a datasheet writes them: 30 MB/s. */
#define BPS(b, v) fmt_si(v, "B/s", calc_nb_next(b), FMT_SIZE)
#define BYTES(b, v) fmt_bytes(v, calc_nb_next(b), FMT_SIZE)
#define BYTES_PER_S(b, v) fmt_bytes_per(v, "/s", calc_nb_next(b), FMT_SIZE)

/* -------------------------------------------------------------- kafka */

/* Partitions: max(T / p, T / c), T the target throughput, p what one
 * partition takes from producers and c what one consumer drains (Jun Rao,
 * Confluent, above); a consumer reads whole partitions, so a group of c
 * events/s consumers needs peak / c of them (Kafka: The Definitive Guide,
 * "How to Choose the Number of Partitions").  Storage: average ingress x
 * retention x replication.  Network of the cluster (AWS Big Data Blog,
 * "Best practices for right-sizing your Apache Kafka clusters to optimize
 * performance and cost", Equation 1,
 * https://aws.amazon.com/blogs/big-data/best-practices-for-right-sizing-your-apache-kafka-clusters-to-optimize-performance-and-cost/,
 * read 2026-11-30): in = ingress x r (the leaders take the producers'
 * bytes, the followers r - 1 copies), out = ingress x (consumer groups +
 * r - 1); a NIC is full duplex, so the larger direction binds.  Brokers:
 * the most of disk, network and r (each copy on its own broker). */
static int run_kafka(calc_ctx *x) {
  calc_nb b = {0};
  if (!calc_has(x, "events") || !calc_has(x, "size"))
    return calc_fail(x, "--events and --size are required");
  double avg = calc_val(x, "events", 0), size = calc_val(x, "size", 0);
  double peak = calc_val(x, "peak", avg);
  if (peak < avg)
    return calc_fail(x,
                     "--peak (%s events/s) is below the average --events "
                     "(%s events/s)",
                     RATE(&b, peak), RATE(&b, avg));
  double prate = calc_val(x, "partition-rate", KAFKA_PARTITION_RATE);
  double groups = calc_val(x, "consumers", 1);
  double rf = calc_val(x, "replication", KAFKA_REPLICATION);
  double keep = calc_val(x, "retention", KAFKA_RETENTION);
  double u = calc_val(x, "utilization", 1);
  if (u <= 0)
    return calc_fail(x, "--utilization must be more than 0%%");

  /* A volume per day (or month, ...) as a rate, as calc qps shows it;
   * a rate already per second needs no step. */
  const char *per = strchr(calc_text(x, "events"), '/');
  if (per && strcmp(per, "/s") && strcmp(per, "/sec") && strcmp(per, "/second"))
    calc_work(x, "average rate", calc_str(x, "events per day / 86,400 s"),
              calc_str(x, "%s / 86,400", NUM(&b, avg * 86400, 2)),
              calc_str(x, "%s events/s", RATE(&b, avg)));
  double in_avg = avg * size, in_peak = peak * size;
  calc_work(x, "average ingress", calc_str(x, "average rate x event size"),
            calc_str(x, "%s/s x %s B", RATE(&b, avg), NUM(&b, size, 2)),
            calc_str(x, "%s", BYTES_PER_S(&b, in_avg)));
  if (calc_has(x, "peak"))
    calc_work(x, "peak ingress", calc_str(x, "peak rate x event size"),
              calc_str(x, "%s/s x %s B", RATE(&b, peak), NUM(&b, size, 2)),
              calc_str(x, "%s", BYTES_PER_S(&b, in_peak)));

  /* Partitions, from the producers and, given, the consumers. */
  double by[2] = {whole(in_peak / prate), 0};
  if (by[0] < 0)
    return too_many(x, "partitions");
  calc_work(x, "partitions (producers)",
            calc_str(x, "ceil(peak ingress / throughput of a partition)"),
            calc_str(x, "ceil(%s / %s)", BPS(&b, in_peak), BPS(&b, prate)),
            calc_str(x, "%s", COUNT(&b, by[0])));
  double partitions = by[0];
  if (calc_has(x, "consumer-rate")) {
    double c = calc_val(x, "consumer-rate", 1);
    by[1] = whole(peak / c);
    if (by[1] < 0)
      return too_many(x, "partitions");
    calc_work(x, "partitions (consumers)",
              calc_str(x, "ceil(peak rate / events a consumer handles), one "
                          "consumer a partition"),
              calc_str(x, "ceil(%s/s / %s/s)", RATE(&b, peak), RATE(&b, c)),
              calc_str(x, "%s", COUNT(&b, by[1])));
    static const char *const pn[2] = {"the producers", "the consumers"};
    partitions = fmax(by[0], by[1]);
    calc_work(x, "partitions", calc_str(x, "max(producers, consumers)"),
              calc_str(x, "max(%s, %s)", COUNT(&b, by[0]), COUNT(&b, by[1])),
              calc_str(x, "%s partitions, set by %s", COUNT(&b, partitions),
                       largest(by, pn, 2)));
  }

  /* What the retention keeps. */
  double kept = avg * keep, storage = in_avg * keep * rf;
  calc_work(x, "events kept", calc_str(x, "average rate x retention"),
            calc_str(x, "%s/s x %s s (%s days)", RATE(&b, avg),
                     NUM(&b, keep, 0), NUM(&b, keep / 86400, 2)),
            calc_str(x, "%s events", NUM(&b, kept, 0)));
  calc_work(x, "storage",
            calc_str(x, "average ingress x retention x replication"),
            calc_str(x, "%s x %s s x %s", BPS(&b, in_avg), NUM(&b, keep, 0),
                     COUNT(&b, rf)),
            calc_str(x, "%s", BYTES(&b, storage)));

  /* The network of the cluster, at the peak. */
  double net_in = in_peak * rf, net_out = in_peak * (groups + rf - 1);
  calc_work(x, "network in",
            calc_str(x, "peak ingress x replication (producers to leaders, "
                        "leaders to followers)"),
            calc_str(x, "%s x %s", BPS(&b, in_peak), COUNT(&b, rf)),
            calc_str(x, "%s", BYTES_PER_S(&b, net_in)));
  calc_work(x, "network out",
            calc_str(x, "peak ingress x (consumer groups + replication - 1)"),
            calc_str(x, "%s x (%s + %s - 1)", BPS(&b, in_peak),
                     COUNT(&b, groups), COUNT(&b, rf)),
            calc_str(x, "%s", BYTES_PER_S(&b, net_out)));

  calc_result(x, "average_events_per_second", "1/s", avg);
  calc_result(x, "ingress_bytes_per_second", "bytes/s", in_peak);
  calc_result(x, "partitions", "partitions", partitions);
  calc_result(x, "events_kept", "1", kept);
  calc_result(x, "storage_bytes", "bytes", storage);
  calc_result(x, "network_in_bytes_per_second", "bytes/s", net_in);
  calc_result(x, "network_out_bytes_per_second", "bytes/s", net_out);

  /* Brokers: disk, network, and one for each copy. */
  bool disk = calc_has(x, "disk"), nic = calc_has(x, "nic");
  if (disk || nic) {
    double need[3] = {0, 0, rf};
    static const char *const bn[3] = {"disk", "network",
                                      "the replication factor"};
    if (disk) {
      double d = calc_val(x, "disk", 1);
      need[0] = whole(storage / (d * u));
      if (need[0] < 0)
        return too_many(x, "brokers");
      calc_work(x, "brokers (disk)",
                calc_str(x, "ceil(storage / (disk of a broker x "
                            "utilization))"),
                calc_str(x, "ceil(%s / (%s x %s))",
                         fmt_si(storage, "B", calc_nb_next(&b), FMT_SIZE),
                         fmt_si(d, "B", calc_nb_next(&b), FMT_SIZE),
                         PCT(&b, u)),
                calc_str(x, "%s", COUNT(&b, need[0])));
      calc_result(x, "brokers_disk", "brokers", need[0]);
    }
    if (nic) {
      double n = calc_val(x, "nic", 1);
      need[1] = whole(fmax(net_in, net_out) / (n * u));
      if (need[1] < 0)
        return too_many(x, "brokers");
      calc_work(x, "brokers (network)",
                calc_str(x, "ceil(max(in, out) / (NIC of a broker x "
                            "utilization))"),
                calc_str(x, "ceil(%s / (%s x %s))",
                         BPS(&b, fmax(net_in, net_out)),
                         fmt_si(n * 8, "bit/s", calc_nb_next(&b), FMT_SIZE),
                         PCT(&b, u)),
                calc_str(x, "%s", COUNT(&b, need[1])));
      calc_result(x, "brokers_network", "brokers", need[1]);
    }
    double brokers = fmax(fmax(need[0], need[1]), need[2]);
    calc_work(x, "brokers", calc_str(x, "max(disk, network, replication)"),
              calc_str(x, "max(%s, %s, %s)", disk ? COUNT(&b, need[0]) : "-",
                       nic ? COUNT(&b, need[1]) : "-", COUNT(&b, rf)),
              calc_str(x, "%s brokers, set by %s", COUNT(&b, brokers),
                       largest(need, bn, 3)));
    calc_result(x, "brokers", "brokers", brokers);
  } else {
    calc_note(x, calc_str(x, "add --disk and --nic (a broker's disk and "
                             "network, e.g. --disk 12TB --nic 10Gbit/s) for "
                             "the brokers"));
  }
  if (!calc_has(x, "peak"))
    calc_note(x, calc_str(x, "partitions and network at the average rate: "
                             "give --peak (seed 004 plans for 300K+ events/s "
                             "on 115K average)"));
  const char *dflt[3];
  size_t nd = 0;
  if (!calc_has(x, "partition-rate"))
    dflt[nd++] = "10 MB/s a partition (Dattell's conservative figure; "
                 "Confluent says tens of MB/s)";
  if (!calc_has(x, "replication"))
    dflt[nd++] = "replication 3 (seed 000's pipeline)";
  if (!calc_has(x, "retention"))
    dflt[nd++] = "7 days kept (Kafka's default log.retention.hours, 168)";
  if (nd)
    calc_note(x, calc_str(x, "by default: %s%s%s%s%s", dflt[0],
                          nd > 1 ? "; " : "", nd > 1 ? dflt[1] : "",
                          nd > 2 ? "; " : "", nd > 2 ? dflt[2] : ""));
  if ((disk || nic) && !calc_has(x, "utilization"))
    calc_note(x, calc_str(x, "brokers at 100%% of their disk and network: "
                             "give --utilization, e.g. 70%%, for headroom"));
  return 0;
}

/* ---------------------------------------------------------------- cdn */

/* Egress = concurrent streams x bitrate; what misses the edge comes from
 * the origin, egress x (1 - hit rate) (seed 000, "Video Streaming
 * Platform": 10M concurrent streams through a CDN).  Volume at the
 * average (peak / peak-to-average) over a month of 730 h and a year of
 * 8,760 h (FORMULAS.md section 1); cost = GB (10^9 bytes) x price, by
 * default through CloudFront's monthly tiers (above), a year being 12
 * such months (8,760 h = 12 x 730 h). */
static int run_cdn(calc_ctx *x) {
  calc_nb b = {0};
  if (!calc_has(x, "streams") || !calc_has(x, "bitrate"))
    return calc_fail(x, "--streams and --bitrate are required");
  double streams = calc_val(x, "streams", 0), rate = calc_val(x, "bitrate", 0);
  double p = calc_val(x, "peak", 1);
  if (!(p >= 1 && p <= 1e6))
    /* As calc qps: the peak is never below the average. */
    return calc_fail(x,
                     "--peak must be between 1 and 1e6 (the peak is never "
                     "below the average), got '%s'",
                     calc_text(x, "peak"));
  double egress = streams * rate;
  char bits[2][FMT_SIZE];
  calc_work(x, "egress", calc_str(x, "concurrent streams x bitrate"),
            calc_str(x, "%s x %s", COUNT(&b, streams),
                     fmt_si(rate * 8, "bit/s", bits[0], FMT_SIZE)),
            calc_str(x, "%s = %s", BYTES_PER_S(&b, egress),
                     fmt_si(egress * 8, "bit/s", bits[1], FMT_SIZE)));
  calc_result(x, "egress_bytes_per_second", "bytes/s", egress);
  calc_result(x, "egress_bits_per_second", "bits/s", egress * 8);
  if (calc_has(x, "hit-rate")) {
    double h = calc_val(x, "hit-rate", 0);
    calc_work(x, "origin", calc_str(x, "egress x (1 - hit rate)"),
              calc_str(x, "%s x (1 - %s)", BPS(&b, egress), PCT(&b, h)),
              calc_str(x, "%s", BYTES_PER_S(&b, egress * (1 - h))));
    calc_result(x, "origin_bytes_per_second", "bytes/s", egress * (1 - h));
  }
  double avg = egress / p;
  if (calc_has(x, "peak"))
    calc_work(x, "average egress", calc_str(x, "egress / peak-to-average"),
              calc_str(x, "%s / %s", BPS(&b, egress), NUM(&b, p, 4)),
              calc_str(x, "%s", BYTES_PER_S(&b, avg)));
  double month = avg * 730 * 3600, year = avg * 8760 * 3600;
  calc_work(x, "per month", calc_str(x, "average egress x 730 h x 3,600 s"),
            calc_str(x, "%s x 2,628,000 s", BPS(&b, avg)),
            calc_str(x, "%s", BYTES(&b, month)));
  calc_work(x, "per year", calc_str(x, "average egress x 8,760 h x 3,600 s"),
            calc_str(x, "%s x 31,536,000 s", BPS(&b, avg)),
            calc_str(x, "%s", BYTES(&b, year)));
  double gb = month / 1e9, cost;
  if (calc_has(x, "price")) {
    double price = calc_val(x, "price", 0) * 1e9; /* USD a byte: a GB */
    cost = gb * price;
    calc_work(x, "cost per month", calc_str(x, "GB per month x price per GB"),
              calc_str(x, "%s GB x $%s", NUM(&b, gb, 0), NUM(&b, price, 4)),
              calc_str(x, "%s/month", MONEY(&b, cost)));
  } else {
    /* The volume of a month through the tiers, each at its price. */
    capplan_buf f;
    capplan_buf_init(&f);
    double left = gb;
    cost = 0;
    for (size_t i = 0; i < ARRAY_LEN(CDN_TIERS) && left > 0; i++) {
      bool last = i + 1 == ARRAY_LEN(CDN_TIERS);
      double in = last ? left : fmin(left, CDN_TIERS[i].gb);
      cost += in * CDN_TIERS[i].price;
      left -= in;
      capplan_buf_printf(&f, "%s%s GB x $%s", i ? " + " : "", NUM(&b, in, 0),
                         NUM(&b, CDN_TIERS[i].price, 3));
    }
    calc_work(x, "cost per month",
              calc_str(x, "GB in each of CloudFront's monthly tiers x its "
                          "price"),
              calc_str(x, "%s", f.data),
              calc_str(x, "%s/month", MONEY(&b, cost)));
    capplan_buf_release(&f);
  }
  calc_work(x, "cost per year", calc_str(x, "cost per month x 12"),
            calc_str(x, "%s x 12", MONEY(&b, cost)),
            calc_str(x, "%s/year", MONEY(&b, cost * 12)));
  calc_result(x, "bytes_per_month", "bytes", month);
  calc_result(x, "bytes_per_year", "bytes", year);
  calc_result(x, "cost_per_month", "USD/month", cost);
  calc_result(x, "cost_per_year", "USD/year", cost * 12);
  if (!calc_has(x, "hit-rate"))
    calc_note(x, calc_str(x, "give --hit-rate (e.g. 95%%) for the origin's "
                             "bandwidth: what misses the edge"));
  if (!calc_has(x, "peak"))
    calc_note(x, calc_str(x, "the volume assumes the streams run all month; "
                             "give --peak F (peak-to-average) for the "
                             "average"));
  if (!calc_has(x, "price"))
    calc_note(x, calc_str(x, "priced at CloudFront's list prices for the "
                             "United States, Mexico and Canada "
                             "(aws.amazon.com/cloudfront/pricing, read "
                             "2026-11-30), $0.085 down to $0.020 a GB; "
                             "committed volumes are discounted: give "
                             "--price for a flat price, e.g. $0.02/GB"));
  return 0;
}

/* ------------------------------------------------------------- shards */

/* Shards: the most of data / what a node stores, records / records a
 * shard holds, and writes / writes a node takes (a shard's primary takes
 * its writes; seed 000, "Intel Database Sharding": 500M records on 100
 * nodes of 5M, 5K inserts/s a node -> 500K/s).  Replicas of a shard serve
 * its reads (seed 000, "AMD Primary-Replica Replication": 100K
 * queries/s, 95% reads, 20K a node -> 5 replicas beside the primary);
 * each replica also applies every write of its shard, which takes
 * writes / node writes of its time when --node-writes is given (the
 * utilization law, busy = rate / capacity, summed over reads and
 * writes: FORMULAS.md section 3's rho). */
static int run_shards(calc_ctx *x) {
  calc_nb b = {0};
  bool data = calc_has(x, "data") || calc_has(x, "node-storage");
  bool recs = calc_has(x, "records") || calc_has(x, "per-shard");
  if (data && !(calc_has(x, "data") && calc_has(x, "node-storage")))
    return calc_fail(x, "--data and --node-storage go together");
  if (recs && !(calc_has(x, "records") && calc_has(x, "per-shard")))
    return calc_fail(x, "--records and --per-shard go together");
  bool qps = calc_has(x, "qps") || calc_has(x, "read-share");
  bool rw = calc_has(x, "reads") || calc_has(x, "writes");
  if (qps && rw)
    return calc_fail(x, "give --qps with --read-share, or --reads and "
                        "--writes, not both");
  if (qps && !(calc_has(x, "qps") && calc_has(x, "read-share")))
    return calc_fail(x, "--qps and --read-share go together");
  if (!data && !recs && !qps && !rw)
    return calc_fail(x, "give --data with --node-storage, --records with "
                        "--per-shard, or the load: --qps with --read-share, "
                        "or --reads and --writes");
  double reads = 0, writes = 0;
  if (qps) {
    double q = calc_val(x, "qps", 0), s = calc_val(x, "read-share", 0);
    reads = q * s;
    writes = q - reads;
    calc_work(x, "reads", calc_str(x, "QPS x read share"),
              calc_str(x, "%s x %s", RATE(&b, q), PCT(&b, s)),
              calc_str(x, "%s reads/s", RATE(&b, reads)));
    calc_work(x, "writes", calc_str(x, "QPS x (1 - read share)"),
              calc_str(x, "%s x (1 - %s)", RATE(&b, q), PCT(&b, s)),
              calc_str(x, "%s writes/s", RATE(&b, writes)));
  } else {
    reads = calc_val(x, "reads", 0);
    writes = calc_val(x, "writes", 0);
  }
  if (reads > 0 && !calc_has(x, "node-reads"))
    return calc_fail(x, "the reads need --node-reads (reads a node serves, "
                        "e.g. 20K)");
  if (calc_has(x, "node-writes") && !(writes > 0))
    return calc_fail(x, "--node-writes needs writes: --writes, or --qps with "
                        "a --read-share below 100%%");

  /* Shards: the most of what splits the data and the writes. */
  double need[3] = {0, 0, 0};
  static const char *const sn[3] = {"the data", "the records", "the writes"};
  if (data) {
    double d = calc_val(x, "data", 0), n = calc_val(x, "node-storage", 1);
    need[0] = whole(d / n);
    if (need[0] < 0)
      return too_many(x, "shards");
    calc_work(
        x, "shards (data)", calc_str(x, "ceil(data / data a node stores)"),
        calc_str(x, "ceil(%s / %s)", fmt_si(d, "B", calc_nb_next(&b), FMT_SIZE),
                 fmt_si(n, "B", calc_nb_next(&b), FMT_SIZE)),
        calc_str(x, "%s", COUNT(&b, need[0])));
    calc_result(x, "shards_data", "shards", need[0]);
  }
  if (recs) {
    double r = calc_val(x, "records", 0), n = calc_val(x, "per-shard", 1);
    need[1] = whole(r / n);
    if (need[1] < 0)
      return too_many(x, "shards");
    calc_work(x, "shards (records)",
              calc_str(x, "ceil(records / records a shard holds)"),
              calc_str(x, "ceil(%s / %s)", COUNT(&b, r), COUNT(&b, n)),
              calc_str(x, "%s", COUNT(&b, need[1])));
    calc_result(x, "shards_records", "shards", need[1]);
  }
  double nw = calc_val(x, "node-writes", 0);
  if (nw > 0) {
    need[2] = whole(writes / nw);
    if (need[2] < 0)
      return too_many(x, "shards");
    calc_work(x, "shards (writes)",
              calc_str(x, "ceil(writes / writes a node takes), each "
                          "shard's primary taking its own"),
              calc_str(x, "ceil(%s/s / %s/s)", RATE(&b, writes), RATE(&b, nw)),
              calc_str(x, "%s", COUNT(&b, need[2])));
    calc_result(x, "shards_writes", "shards", need[2]);
  }
  double shards = fmax(1, fmax(fmax(need[0], need[1]), need[2]));
  static const char *const short_names[3] = {"data", "records", "writes"};
  char list[3 * FMT_SIZE + 32] = "";
  size_t len = 0;
  int given = 0;
  for (size_t i = 0; i < 3; i++)
    if (need[i] > 0) {
      int w = snprintf(list + len, sizeof list - len, "%s%s %s",
                       given ? ", " : "", short_names[i], COUNT(&b, need[i]));
      len += w > 0 ? (size_t)w : 0;
      given++;
    }
  if (given > 1)
    calc_work(x, "shards", calc_str(x, "the most of the constraints"),
              calc_str(x, "max(%s)", list),
              calc_str(x, "%s shards, set by %s", COUNT(&b, shards),
                       largest(need, sn, 3)));
  else if (given == 0)
    calc_note(x, calc_str(x, "one shard: give --data with --node-storage, "
                             "--records with --per-shard, or --node-writes "
                             "to split the data"));
  calc_result(x, "shards", "shards", shards);

  /* Read replicas of each shard, beside its primary. */
  double replicas = 0;
  if (reads > 0) {
    double nr = calc_val(x, "node-reads", 1);
    double rs = reads / shards, ws = writes / shards;
    if (shards > 1)
      calc_work(
          x, "per shard", calc_str(x, "reads and writes / shards"),
          calc_str(x, "%s/s and %s/s / %s", RATE(&b, reads), RATE(&b, writes),
                   COUNT(&b, shards)),
          calc_str(x, "%s reads/s, %s writes/s", RATE(&b, rs), RATE(&b, ws)));
    if (nw > 0) {
      double busy = ws / nw;
      if (!(busy < 1))
        return calc_fail(
            x,
            "a shard's writes (%s/s) fill a node that takes %s writes/s, "
            "leaving its replicas no time to read; give a larger "
            "--node-writes or split the data further",
            RATE(&b, ws), RATE(&b, nw));
      replicas = whole(rs / (nr * (1 - busy)));
      if (replicas < 0)
        return too_many(x, "replicas");
      calc_work(x, "replicas",
                calc_str(x, "ceil(reads / (node reads x (1 - writes / node "
                            "writes))): each replica applies every write"),
                calc_str(x, "ceil(%s / (%s x (1 - %s / %s)))", RATE(&b, rs),
                         RATE(&b, nr), RATE(&b, ws), RATE(&b, nw)),
                calc_str(x, "%s per shard", COUNT(&b, replicas)));
    } else {
      replicas = whole(rs / nr);
      if (replicas < 0)
        return too_many(x, "replicas");
      calc_work(x, "replicas", calc_str(x, "ceil(reads / node reads)"),
                calc_str(x, "ceil(%s / %s)", RATE(&b, rs), RATE(&b, nr)),
                calc_str(x, "%s per shard", COUNT(&b, replicas)));
      if (writes > 0)
        calc_note(x, calc_str(x, "the seed's reading: the primary takes the "
                                 "writes and the replicas' copies of them "
                                 "cost nothing; give --node-writes to charge "
                                 "each replica for applying its shard's "
                                 "writes"));
    }
  }
  double nodes = shards * (1 + replicas);
  if (!(nodes <= CAPPLAN_MAX_EXACT))
    return too_many(x, "nodes");
  calc_work(
      x, "nodes", calc_str(x, "shards x (1 primary + replicas)"),
      calc_str(x, "%s x (1 + %s)", COUNT(&b, shards), COUNT(&b, replicas)),
      calc_str(x, "%s nodes", COUNT(&b, nodes)));
  if (reads > 0 || writes > 0) {
    calc_result(x, "reads_per_second", "1/s", reads);
    calc_result(x, "writes_per_second", "1/s", writes);
  }
  calc_result(x, "replicas", "replicas per shard", replicas);
  calc_result(x, "nodes", "nodes", nodes);
  calc_note(x, calc_str(x, "replicas for read throughput at 100%% of a "
                           "node; spares for availability come on top "
                           "('capplan calc availability --k-of-n')"));
  return 0;
}

/* ------------------------------------------------------------- topics */

static const ctopic infra_topics[] = {
    {"kafka",
     "an event pipeline on Kafka: partitions, storage, brokers",
     "--events RATE --size BYTES [--peak RATE] [--partition-rate BW] "
     "[--consumer-rate RATE] [--consumers N] [--replication N] "
     "[--retention D] [--disk BYTES] [--nic BW] [--utilization F]",
     "capplan calc kafka --events 10B/day --peak 300K --size 100B "
     "--retention 90d",
     {{"events", "rate", "RATE", "average events, e.g. 10B/day"},
      {"peak", "rate", "RATE", "events a second at peak, e.g. 300K"},
      {"size", "bytes", "BYTES", "bytes per event"},
      {"partition-rate", "bandwidth", "BW",
       "what one partition takes (10MB/s)"},
      {"consumer-rate", "rate", "RATE", "events one consumer handles"},
      {"consumers", "count", "N", "consumer groups reading it all (1)"},
      {"replication", "count", "N", "copies of each partition (3)"},
      {"retention", "duration", "D", "how long events are kept (7d)"},
      {"disk", "bytes", "BYTES", "disk of a broker"},
      {"nic", "bandwidth", "BW", "network of a broker, e.g. 10Gbit/s"},
      {"utilization", "fraction", "F", "target for disk and network (100%)"}},
     NULL,
     run_kafka},
    {"cdn",
     "video through a CDN: egress, origin, volume and cost",
     "--streams N --bitrate BW [--hit-rate F] [--peak F] [--price $/BYTES]",
     "capplan calc cdn --streams 10M --bitrate 5Mbit/s --hit-rate 95%",
     {{"streams", "count", "N", "concurrent streams"},
      {"bitrate", "bandwidth", "BW", "bitrate of a stream, e.g. 5Mbit/s"},
      {"hit-rate", "fraction", "F", "share served from the edge"},
      {"peak", "number", "F", "peak-to-average of the streams (1)"},
      {"price", "price-per-bytes", "$/BYTES",
       "flat price, e.g. $0.02/GB (CloudFront's tiers)"}},
     NULL,
     run_cdn},
    {"shards",
     "shards and read replicas of a database",
     "--data BYTES --node-storage BYTES | --records N --per-shard N; "
     "--qps RATE --read-share F | --reads RATE --writes RATE; "
     "--node-reads RATE [--node-writes RATE]",
     "capplan calc shards --qps 100K --read-share 95% --node-reads 20K",
     {{"data", "bytes", "BYTES", "data to store, e.g. 2TB"},
      {"node-storage", "bytes", "BYTES", "data one node stores"},
      {"records", "count", "N", "records to store"},
      {"per-shard", "count", "N", "records one shard holds"},
      {"qps", "rate", "RATE", "queries, reads and writes"},
      {"read-share", "fraction", "F", "share of the queries that read"},
      {"reads", "rate", "RATE", "reads a second"},
      {"writes", "rate", "RATE", "writes a second"},
      {"node-reads", "rate", "RATE", "reads one node serves"},
      {"node-writes", "rate", "RATE", "writes one node takes"}},
     NULL,
     run_shards},
};

const calc_topic_set calc_infra_topics = {infra_topics,
                                          ARRAY_LEN(infra_topics)};
