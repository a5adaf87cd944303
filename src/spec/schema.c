/*
 * schema.c - the table of every spec key (see schema.h).
 *
 * Bounds encode what makes physical sense: rates and latencies are positive,
 * shares of traffic are fractions, counts of servers are whole.  Defaults
 * follow SPEC.md section 2; availability's 99.9% is FORMULAS.md section 2.
 */
#include "schema.h"

#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "figures.h"
#include "spec.h"

#define INF HUGE_VAL

/* Bounds of what makes physical sense, chosen so that every figure derived
 * from them stays finite (docs/security.md): a latency from a nanosecond
 * to a year, rates up to 10^15 a second, money up to 10^15 dollars. */
#define DUR_MIN 1e-9
#define DUR_MAX (365 * 86400.0)
#define RATE_MAX 1e15
#define MONEY_MAX 1e15
#define COUNT_MAX 1e15

#define QTY(nm, u, fl, lo, hi, st, field, d, dt, h)                            \
  {                                                                            \
    .name = nm, .type = SK_QTY, .unit = u, .flags = fl, .min = lo, .max = hi,  \
    .offset = offsetof(st, field), .def = d, .def_text = dt, .help = h         \
  }
/* A quantity whose typical value differs from its unit kind's example. */
#define QTYX(nm, u, fl, lo, hi, st, field, d, dt, h, ex)                       \
  {                                                                            \
    .name = nm, .type = SK_QTY, .unit = u, .flags = fl, .min = lo, .max = hi,  \
    .offset = offsetof(st, field), .def = d, .def_text = dt, .help = h,        \
    .example = ex                                                              \
  }
#define BOOL(nm, st, field, dt, h)                                             \
  {                                                                            \
    .name = nm, .type = SK_BOOL, .offset = offsetof(st, field),                \
    .def_text = dt, .help = h                                                  \
  }
#define STR(nm, ty, fl, st, field, dt, h)                                      \
  {                                                                            \
    .name = nm, .type = ty, .flags = fl, .offset = offsetof(st, field),        \
    .def_text = dt, .help = h                                                  \
  }
#define ENUM(nm, ch, st, field, dt, h)                                         \
  {                                                                            \
    .name = nm, .type = SK_ENUM, .choices = ch, .offset = offsetof(st, field), \
    .def_text = dt, .help = h                                                  \
  }
#define SUB(nm, ty, sec, fl, dt, h)                                            \
  {                                                                            \
    .name = nm, .type = ty, .section = sec, .flags = fl, .def_text = dt,       \
    .help = h                                                                  \
  }

static const schema_key top_keys[] = {
    QTYX("capplan", UNIT_COUNT, SF_REQUIRED | SF_INTEGER, 1, 1, capplan_spec,
         version, 1, "required",
         "Format version of the spec; this capplan reads version 1.", "1"),
    STR("name", SK_STRING, 0, capplan_spec, name, "file name",
        "Name of the system, shown in reports."),
    STR("description", SK_STRING, 0, capplan_spec, description, "none",
        "One line about the system, shown in reports."),
    SUB("traffic", SK_SECTION, SEC_TRAFFIC, SF_REQUIRED, "required",
        "The requests entering the entry stages."),
    SUB("slo", SK_SECTION, SEC_SLO, 0, "none",
        "Service-level objectives the plan is checked against."),
    SUB("budget", SK_SECTION, SEC_BUDGET, 0, "none",
        "Limits on cost, GPUs and servers the plan is checked against."),
    SUB("defaults", SK_SECTION, SEC_DEFAULTS, 0, "see below",
        "Settings that apply to every stage unless it overrides them."),
    SUB("groups", SK_MAP, SEC_GROUP, 0, "none",
        "Settings of colocation groups, by group name."),
    SUB("hardware", SK_MAP, SEC_HARDWARE, 0, "built-in catalog",
        "Server types added to, or overriding fields of, the catalog."),
    SUB("stages", SK_LIST, SEC_STAGE, SF_REQUIRED, "required",
        "The stages of the system, in order."),
};

static const schema_key traffic_keys[] = {
    QTY("qps", UNIT_RATE, SF_MIN_OPEN, 0, RATE_MAX, spec_traffic, qps, 0,
        "or dau",
        "Peak requests per second entering the entry stages (30K = 30K/s)."),
    QTYX("dau", UNIT_COUNT, SF_MIN_OPEN, 0, 1e12, spec_traffic, dau, 0, "none",
         "Daily active users; with requests_per_user gives the QPS.", "500M"),
    QTY("requests_per_user", UNIT_DAILY, SF_MIN_OPEN, 0, 1e9, spec_traffic,
        requests_per_user, 0, "with dau",
        "Requests per user per day (20 = 20/day)."),
    QTYX("peak_to_average", UNIT_NUMBER, 0, 1, 1e6, spec_traffic,
         peak_to_average, 1, "1",
         "Peak over average traffic; multiplies the dau-derived rate, or "
         "divides qps to give the average.",
         "3"),
    QTY("average_qps", UNIT_RATE, SF_MIN_OPEN, 0, RATE_MAX, spec_traffic,
        average_qps, 0, "derived",
        "Average requests per second, for cost per million requests."),
    QTY("growth", UNIT_GROWTH, SF_MIN_OPEN, -1, 10, spec_traffic, growth, 0,
        "none",
        "Traffic growth, compounded (5%/month, 60%/year): 'capplan "
        "forecast' grows the traffic by it month by month."),
    QTYX("arrival_cv", UNIT_NUMBER, 0, 0, 100, spec_traffic, arrival_cv, 1,
         "1 (Poisson)",
         "Coefficient of variation of the time between arrivals: 1 is "
         "Poisson, above 1 burstier, 0 evenly spaced.  The entry stages' "
         "queues take it (Allen-Cunneen), and so does 'capplan simulate'.",
         "2"),
};

/* Percentile objectives (SPEC.md section 7), in a section of struct ST
 * whose spec_pct_slo is at PCT; WHAT says of what. */
#define PCT_SLO_KEYS(st, pct, what)                                            \
  QTYX("latency_p50", UNIT_DURATION, 0, DUR_MIN, DUR_MAX, st, pct.latency_p50, \
       0, "none", "Most the median " what " may take (queueing included).",    \
       "50ms"),                                                                \
      QTYX("latency_p95", UNIT_DURATION, 0, DUR_MIN, DUR_MAX, st,              \
           pct.latency_p95, 0, "none",                                         \
           "Most the 95th percentile of " what " may take.", "100ms"),         \
      QTYX("latency_p99", UNIT_DURATION, 0, DUR_MIN, DUR_MAX, st,              \
           pct.latency_p99, 0, "none",                                         \
           "Most the 99th percentile of " what                                 \
           " may take; servers are added to meet it unless 'sizing: "          \
           "throughput'.",                                                     \
           "150ms"),                                                           \
      QTYX("latency_p999", UNIT_DURATION, 0, DUR_MIN, DUR_MAX, st,             \
           pct.latency_p999, 0, "none",                                        \
           "Most the 99.9th percentile of " what " may take.", "300ms")

static const schema_key slo_keys[] = {
    QTY("latency", UNIT_DURATION, 0, DUR_MIN, DUR_MAX, spec_slo, latency, 0,
        "none",
        "Budget for the service times along the slowest path through the "
        "graph (no queueing: see latency_p99)."),
    PCT_SLO_KEYS(spec_slo, pct, "the response, end to end,"),
    QTYX("availability", UNIT_FRACTION, SF_MIN_OPEN | SF_MAX_OPEN, 0, 1,
         spec_slo, availability, 0, "none",
         "Target availability of the whole system.", "99.9%"),
    QTYX("ttft", UNIT_DURATION, 0, DUR_MIN, DUR_MAX, spec_slo, ttft, 0, "none",
         "Time to the first token of every llm stage; chooses the largest "
         "batch that meets it.",
         "1s"),
    QTYX("tpot", UNIT_DURATION, 0, DUR_MIN, DUR_MAX, spec_slo, tpot, 0, "none",
         "Time per output token of every llm stage; chooses the largest "
         "batch that meets it.",
         "50ms"),
};

static const schema_key budget_keys[] = {
    QTY("cost", UNIT_MONEY, SF_MIN_OPEN, 0, MONEY_MAX, spec_budget, cost, 0,
        "none", "Most the plan may cost, per period."),
    QTYX("gpus", UNIT_COUNT, SF_INTEGER, 0, COUNT_MAX, spec_budget, gpus, 0,
         "none", "Most GPUs the plan may use.", "250"),
    QTYX("servers", UNIT_COUNT, SF_INTEGER, 0, COUNT_MAX, spec_budget, servers,
         0, "none", "Most servers the plan may use.", "400"),
};

static const schema_key defaults_keys[] = {
    STR("hardware", SK_NAME, 0, spec_defaults, hardware, "cpu-medium",
        "Hardware of stages that name none (the seed's interview default)."),
    ENUM("balancer", "least-loaded|random", spec_defaults, balancer,
         "least-loaded", "Balancer of stages that name none."),
    ENUM("sizing", "latency|throughput", spec_defaults, sizing, "latency",
         "Whether percentile objectives add servers (latency) or are only "
         "checked (throughput), for stages that do not say."),
};

/* The settings shared by defaults, groups and stages (SEC_POLICY).  A
 * stage takes its own value, else its group's (for a colocated stage),
 * else the defaults', else the default below. */
const schema_key schema_policy_keys[] = {
    QTYX("headroom", UNIT_FRACTION, 0, 0, 10, spec_policy, headroom, 0, "0%",
         "Extra capacity added after sizing (the seed examples use 20%).",
         "20%"),
    QTYX("utilization", UNIT_FRACTION, SF_MIN_OPEN, 0, 1, spec_policy,
         utilization, 1, "100%", "Target maximum utilization of a server.",
         "80%"),
    QTYX("redundancy", UNIT_COUNT, SF_INTEGER, 0, 1e9, spec_policy, redundancy,
         0, "0", "Spare servers (N+k).", "1"),
    QTYX("availability", UNIT_FRACTION, SF_MIN_OPEN, 0, 1, spec_policy,
         availability, 0.999, "hardware's, else 99.9%",
         "Availability of one server.", "99.9%"),
    QTYX("zones", UNIT_COUNT, SF_INTEGER, 1, 1000, spec_policy, zones, 1, "1",
         "Failure zones each stage's servers are spread over evenly.", "3"),
    BOOL("survive_zone_loss", spec_policy, survive_zone_loss, "false",
         "Size so the other zones carry the load when one zone is lost."),
    QTYX("zone_availability", UNIT_FRACTION, SF_MIN_OPEN, 0, 1, spec_policy,
         zone_availability, CAPPLAN_DEFAULT_ZONE_AVAILABILITY, "99.9%",
         "Availability of one zone, where servers spread over zones (the "
         "default is a lower bound: a cloud's single-instance SLO).",
         "99.95%"),
    QTYX("stage_availability", UNIT_FRACTION, SF_MIN_OPEN, 0, 1, spec_policy,
         stage_availability, 1, "100%",
         "Availability of the stage as a whole, apart from its servers "
         "(software, deploys, configuration): multiplies its figures.",
         "99.95%"),
    QTYX("failover_utilization", UNIT_FRACTION, SF_MIN_OPEN, 0, 1, spec_policy,
         failover_utilization, 1, "100%",
         "The most a server runs at while others are down: sets how many "
         "must be up.",
         "90%"),
    QTYX("memory_reserve", UNIT_FRACTION, SF_MAX_OPEN, 0, 1, spec_policy,
         memory_reserve, CAPPLAN_DEFAULT_MEMORY_RESERVE, "20%",
         "Share of a server's memory kept from data (runtime, OS, "
         "fragmentation).",
         "20%"),
};

static const schema_key hardware_keys[] = {
    QTYX("cores", UNIT_COUNT, SF_INTEGER | SF_MIN_OPEN, 0, 1e6, spec_hardware,
         cores, 0, "none",
         "CPU cores; with a stage's bound gives its parallelism.", "16"),
    QTY("memory", UNIT_BYTES, 0, 0, 1e18, spec_hardware, memory, 0, "none",
        "Main memory."),
    QTYX("gpus", UNIT_COUNT, SF_INTEGER, 0, 1e6, spec_hardware, gpus, 0, "0",
         "GPUs per server.", "250"),
    QTY("gpu_memory", UNIT_BYTES, 0, 0, 1e18, spec_hardware, gpu_memory, 0,
        "none", "Memory of all the server's GPUs together."),
    QTY("cost", UNIT_MONEY, 0, 0, MONEY_MAX, spec_hardware, cost, 0,
        "required for new hardware", "Price of one server, per period."),
    QTYX("availability", UNIT_FRACTION, SF_MIN_OPEN, 0, 1, spec_hardware,
         availability, 0.999, "99.9%", "Availability of one server.", "99.9%"),
    QTYX("memory_reserve", UNIT_FRACTION, SF_MAX_OPEN, 0, 1, spec_hardware,
         memory_reserve, 0.2, "defaults.memory_reserve",
         "Share of the server's memory kept from data; between a stage's "
         "(or group's) and the defaults'.",
         "10%"),
    STR("description", SK_STRING, 0, spec_hardware, description, "none",
        "What the server is."),
    STR("accelerator", SK_NAME, 0, spec_hardware, accelerator, "none",
        "A catalog accelerator the server carries ('gpus' of them): its "
        "memory, bandwidth, FLOPS and interconnect ('capplan catalog "
        "accelerators')."),
    QTY("memory_bandwidth", UNIT_BANDWIDTH, SF_MIN_OPEN, 0, 1e18, spec_hardware,
        memory_bandwidth, 0, "the accelerator's",
        "Memory bandwidth of one accelerator (roofline, llm)."),
    SUB("flops", SK_SECTION, SEC_HW_FLOPS, 0, "the accelerator's",
        "Dense peak FLOPS of one accelerator, per dtype."),
    QTY("interconnect", UNIT_BANDWIDTH, SF_MIN_OPEN, 0, 1e18, spec_hardware,
        interconnect, 0, "the accelerator's",
        "GPU-to-GPU bandwidth of one accelerator, both directions together "
        "(tensor parallelism)."),
    QTYX("mfu", UNIT_FRACTION, SF_MIN_OPEN, 0, 1, spec_hardware, mfu, 0, "72%",
         "Share of peak FLOPS real kernels reach on it (model FLOPs "
         "utilization); a stage's own wins.",
         "50%"),
    QTYX("mbu", UNIT_FRACTION, SF_MIN_OPEN, 0, 1, spec_hardware, mbu, 0,
         "68.5%",
         "Share of peak memory bandwidth real kernels reach on it (model "
         "bandwidth utilization); a stage's own wins.",
         "60%"),
};

/* Dense (not 2:4 sparse) peaks, one key per dtype of the catalog
 * (catalog.h's enum dtype, in its order). */
#define FLOPS_KEY(nm)                                                          \
  QTYX(#nm, UNIT_FLOPS, SF_MIN_OPEN, 0, 1e21, spec_flops, nm, 0, "none",       \
       "Dense peak at " #nm ".", "989TFLOPS")
static const schema_key flops_keys[] = {
    FLOPS_KEY(fp32), FLOPS_KEY(tf32), FLOPS_KEY(bf16), FLOPS_KEY(fp16),
    FLOPS_KEY(fp8),  FLOPS_KEY(int8), FLOPS_KEY(fp4),
};

/* A stage's keys: those of spec_stage_more at their offset in it past
 * the stage record (schema_section.more_from). */
typedef struct spec_stage_whole {
  spec_stage stage;
  spec_stage_more more;
} spec_stage_whole;

static const schema_key stage_keys[] = {
    STR("name", SK_NAME, SF_REQUIRED, spec_stage, name, "required",
        "Unique name of the stage."),
    STR("description", SK_STRING, 0, spec_stage_whole, more.description, "none",
        "What the stage does."),
    STR("after", SK_NAMES, 0, spec_stage, after, "the stage before",
        "Upstream stage or list of stages; [] makes an entry stage."),
    ENUM("join", "all|any", spec_stage_whole, more.join, "all",
         "With several upstreams: all waits for every one (fork-join), any "
         "merges alternative paths."),
    QTYX("share", UNIT_FRACTION, SF_MIN_OPEN, 0, 1, spec_stage, share, 1,
         "100%", "Fraction of the upstream flow that takes this branch.",
         "20%"),
    QTYX("calls", UNIT_NUMBER, SF_MIN_OPEN, 0, 1e9, spec_stage_whole,
         more.calls, 1, "1",
         "Invocations per request passing through (fan-out of lookups).", "3"),
    QTYX("cache_hit", UNIT_FRACTION, 0, 0, 1, spec_stage_whole, more.cache_hit,
         0, "0%",
         "Share of invocations answered by a cache in front of the stage.",
         "60%"),
    QTYX("stops", UNIT_FRACTION, 0, 0, 1, spec_stage_whole, more.stops, 0, "0%",
         "Share of requests the stage answers itself and does not pass on.",
         "10%"),
    STR("kind", SK_NAME, 0, spec_stage, kind, "none",
        "A workload of 'capplan catalog workloads': the stage inherits its "
        "latency, qps_per_server (as ranges) and hardware; keys the stage "
        "gives override them."),
    STR("hardware", SK_NAME, 0, spec_stage, hardware,
        "the kind's, else defaults.hardware", "Catalog or spec hardware name."),
    QTY("latency", UNIT_DURATION, SF_REQUIRED, DUR_MIN, DUR_MAX, spec_stage,
        latency, 0, "required unless kind, batching, work or llm",
        "Service time of one request (of one batch when batching)."),
    QTY("qps_per_server", UNIT_RATE, SF_MIN_OPEN, 0, RATE_MAX, spec_stage,
        qps_per_server, 0, "the kind's, else derived",
        "Throughput of one server at 100% utilization."),
    QTYX("batch", UNIT_COUNT, SF_INTEGER, 1, 1e9, spec_stage_whole, more.batch,
         1, "1", "Requests served together per batch.", "50"),
    QTYX("parallelism", UNIT_NUMBER, SF_MIN_OPEN, 0, 1e9, spec_stage_whole,
         more.parallelism, 1, "1, or from bound",
         "Concurrent batches per server.", "12"),
    ENUM("bound", "cpu|memory|io", spec_stage_whole, more.bound, "none",
         "Derives parallelism from the hardware's cores (seed 004 factors)."),
    QTY("memory", UNIT_BYTES, SF_MIN_OPEN, 0, 1e21, spec_stage_whole,
        more.memory, 0, "none",
        "Bytes of data the stage keeps in memory, one copy (an index, "
        "embeddings, a model): adds the memory constraint."),
    QTYX("items", UNIT_COUNT, SF_MIN_OPEN, 0, 1e18, spec_stage_whole,
         more.items, 0, "none",
         "Items kept in memory; with item_size gives 'memory'.", "1B"),
    QTY("item_size", UNIT_BYTES, SF_MIN_OPEN, 0, 1e15, spec_stage_whole,
        more.item_size, 0, "with items", "Bytes of one item kept in memory."),
    QTYX("replicas", UNIT_COUNT, SF_INTEGER | SF_MIN_OPEN, 0, 1e6,
         spec_stage_whole, more.replicas, 1, "1",
         "Copies of the data kept across the servers.", "2"),
    ENUM("memory_on", "host|gpu", spec_stage_whole, more.memory_on,
         "gpu on GPU hardware, else host",
         "Which memory holds the data: the server's, or its GPUs'."),
    ENUM("calls_mode", "parallel|sequential", spec_stage_whole, more.calls_mode,
         "parallel",
         "How 'calls' run: in parallel (the latency counts once) or one "
         "after another (latency x calls)."),
    QTYX("concurrency", UNIT_COUNT, SF_MIN_OPEN, 0, 1e9, spec_stage_whole,
         more.concurrency, 0,
         "qps_per_server x latency, or the batches in flight",
         "Requests (or batches) one server works on at once: the slots of "
         "its queue.",
         "32"),
    QTYX("service_cv", UNIT_NUMBER, 0, 0, 10, spec_stage_whole, more.service_cv,
         1, "1, or 0 for batches",
         "Coefficient of variation of the service time (1: exponential, 0: "
         "constant).",
         "0.5"),
    ENUM("service", "exponential|deterministic|lognormal|gamma",
         spec_stage_whole, more.service, "by service_cv",
         "Distribution of the service time, of mean 'latency': exponential "
         "(cv 1), deterministic (cv 0), lognormal or gamma (cv "
         "'service_cv').  'capplan simulate' draws from it; the queues of "
         "the estimate take its cv.  Without it: exponential at cv 1, "
         "deterministic at 0, else gamma."),
    ENUM("balancer", "least-loaded|random", spec_stage_whole, more.balancer,
         "defaults.balancer",
         "least-loaded: one queue for all the servers; random: a queue per "
         "server."),
    ENUM("sizing", "latency|throughput", spec_stage_whole, more.sizing,
         "defaults.sizing",
         "latency: add servers to meet percentile objectives; throughput: "
         "only check them."),
    SUB("slo", SK_SECTION, SEC_STAGE_SLO, 0, "none",
        "The stage's own percentile objectives, on the response of one "
        "invocation (queueing included)."),
    SUB("cache", SK_SECTION, SEC_CACHE, 0, "none",
        "A cache tier of its own in front of the stage, sized and costed "
        "as its own row."),
    SUB("batching", SK_SECTION, SEC_BATCHING, 0, "none",
        "Dynamic batching on accelerators: batches close when full or when "
        "the window ends; throughput and latency follow (FORMULAS.md 4b)."),
    SUB("work", SK_SECTION, SEC_WORK, 0, "none",
        "Roofline: what one item costs on accelerator hardware; a batch "
        "takes max(FLOPs / (peak x mfu), bytes / (bandwidth x mbu))."),
    SUB("llm", SK_SECTION, SEC_LLM, 0, "none",
        "LLM serving with continuous batching on accelerator hardware "
        "(FORMULAS.md 6b): memory, TTFT, TPOT, throughput, replicas."),
    QTYX("mfu", UNIT_FRACTION, SF_MIN_OPEN, 0, 1, spec_stage_whole, more.mfu, 0,
         "hardware's, else 72%",
         "Share of peak FLOPS the work reaches (work, llm); 72% is "
         "FlashAttention-2's 225 of 312 TFLOPS on A100.",
         "50%"),
    QTYX("mbu", UNIT_FRACTION, SF_MIN_OPEN, 0, 1, spec_stage_whole, more.mbu, 0,
         "hardware's, else 68.5%",
         "Share of peak memory bandwidth the work reaches (work, llm); 68.5% "
         "is gpt-fast's Llama-2-7B decode on A100-80GB.",
         "60%"),
    STR("colocate", SK_NAME, 0, spec_stage_whole, more.colocate, "none",
        "Colocation group; stages in one group share servers."),
    STR("fallback", SK_NAME, 0, spec_stage_whole, more.fallback, "none",
        "Stage that serves this stage's requests while it is down."),
    BOOL("async", spec_stage_whole, more.async, "false",
         "Off the request path (a stream consumer, a batch job): sized for "
         "its load, but no path waits for it and it does not gate "
         "availability."),
};

static const schema_key cache_keys[] = {
    STR("hardware", SK_NAME, 0, spec_cache, hardware, "the stage's",
        "Hardware of the cache servers."),
    QTY("qps_per_server", UNIT_RATE, SF_MIN_OPEN | SF_REQUIRED, 0, RATE_MAX,
        spec_cache, qps_per_server, 0, "required",
        "Lookups one cache server serves per second at 100% utilization."),
    QTY("latency", UNIT_DURATION, SF_REQUIRED, DUR_MIN, DUR_MAX, spec_cache,
        latency, 0, "required", "Time of one lookup, hit or miss."),
    QTY("memory", UNIT_BYTES, SF_MIN_OPEN, 0, 1e21, spec_cache, memory, 0,
        "none", "Bytes the cache holds (its working set), one copy."),
    QTYX("items", UNIT_COUNT, SF_MIN_OPEN, 0, 1e18, spec_cache, items, 0,
         "none", "Items the cache holds; with item_size gives 'memory'.",
         "10M"),
    QTY("item_size", UNIT_BYTES, SF_MIN_OPEN, 0, 1e15, spec_cache, item_size, 0,
        "with items", "Bytes of one cached item."),
    QTYX("replicas", UNIT_COUNT, SF_INTEGER | SF_MIN_OPEN, 0, 1e6, spec_cache,
         replicas, 1, "1", "Copies of the cached data.", "2"),
};

static const schema_key stage_slo_keys[] = {
    PCT_SLO_KEYS(spec_stage_slo, pct, "one invocation of the stage"),
};

static const schema_key batching_keys[] = {
    QTYX("window", UNIT_DURATION, SF_REQUIRED, 0, DUR_MAX, spec_batching,
         window, 0, "required",
         "Longest a batch waits for more requests after its first one "
         "(0: none).",
         "10ms"),
    QTYX("max_batch", UNIT_COUNT, SF_INTEGER, 1, 1e6, spec_batching, max_batch,
         0, "no limit", "Largest batch.", "64"),
    SUB("time", SK_SECTION, SEC_BATCH_TIME, 0, "required without work",
        "Accelerator time of a batch of b: base + per_item x b."),
    ENUM("scope", "shared|per-accelerator", spec_batching, scope, "shared",
         "One batcher in front of every accelerator (shared), or one per "
         "accelerator (Triton-style)."),
};

static const schema_key batch_time_keys[] = {
    QTYX("base", UNIT_DURATION, 0, 0, DUR_MAX, struct spec_batch_time, base, 0,
         "0", "Fixed time of a batch, whatever its size.", "20ms"),
    QTYX("per_item", UNIT_DURATION, 0, 0, DUR_MAX, struct spec_batch_time,
         per_item, 0, "0", "Time each request adds to its batch.", "4ms"),
};

static const schema_key work_keys[] = {
    QTYX("flops_per_item", UNIT_FLOP, 0, 0, 1e21, spec_work, flops_per_item, 0,
         "0", "Floating-point operations of one item (one request).", "2GFLOP"),
    QTYX("bytes_per_batch", UNIT_BYTES, 0, 0, 1e18, spec_work, bytes_per_batch,
         0, "0",
         "Bytes every batch reads once, whatever its size (the weights).",
         "500MB"),
    QTYX("bytes_per_item", UNIT_BYTES, 0, 0, 1e18, spec_work, bytes_per_item, 0,
         "0", "Bytes each item reads or writes (inputs, activations).", "1MB"),
    ENUM("dtype", "fp32|tf32|bf16|fp16|fp8|int8|fp4", spec_work, dtype, "fp16",
         "Number format of the arithmetic: which peak FLOPS apply."),
};

static const schema_key llm_keys[] = {
    {.name = "model",
     .type = SK_SECTION,
     .section = SEC_LLM_MODEL,
     .flags = SF_REQUIRED | SF_OR_NAME,
     .def_text = "required",
     .help = "A catalog model ('capplan catalog models'), or a map of its "
             "dimensions."},
    ENUM("dtype", "fp32|tf32|bf16|fp16|fp8|int8|fp4", spec_llm, dtype, "fp16",
         "Number format of the weights and the arithmetic."),
    ENUM("kv_dtype", "fp32|tf32|bf16|fp16|fp8|int8|fp4", spec_llm, kv_dtype,
         "dtype", "Number format of the KV cache."),
    QTYX("prompt_tokens", UNIT_COUNT, SF_REQUIRED | SF_INTEGER, 0, 1e7,
         spec_llm, prompt_tokens, 0, "required",
         "Tokens of one request's prompt (with any retrieved context).",
         "1500"),
    QTYX("output_tokens", UNIT_COUNT, SF_REQUIRED | SF_INTEGER, 1, 1e7,
         spec_llm, output_tokens, 0, "required",
         "Tokens generated for one request.", "300"),
    QTYX("tp", UNIT_COUNT, SF_INTEGER, 1, 1024, spec_llm, tp, 1, "1",
         "Tensor parallelism: GPUs of one replica, all in one server.", "2"),
    QTYX("max_batch", UNIT_COUNT, SF_INTEGER, 1, 1e6, spec_llm, max_batch, 256,
         "256 (vLLM's max_num_seqs)",
         "Most sequences a replica decodes together.", "64"),
};

static const schema_key llm_model_keys[] = {
    QTYX("params", UNIT_COUNT, SF_REQUIRED | SF_MIN_OPEN, 0, 1e15,
         struct spec_llm_model, params, 0, "required",
         "Parameters (all weights).", "8.03B"),
    QTYX("active_params", UNIT_COUNT, SF_MIN_OPEN, 0, 1e15,
         struct spec_llm_model, active_params, 0, "params",
         "Parameters a token passes through (smaller for mixture-of-"
         "experts).",
         "12.9B"),
    QTYX("layers", UNIT_COUNT, SF_REQUIRED | SF_INTEGER | SF_MIN_OPEN, 0, 1e6,
         struct spec_llm_model, layers, 0, "required", "Transformer layers.",
         "32"),
    QTYX("hidden", UNIT_COUNT, SF_REQUIRED | SF_INTEGER | SF_MIN_OPEN, 0, 1e7,
         struct spec_llm_model, hidden, 0, "required", "Hidden size.", "4096"),
    QTYX("heads", UNIT_COUNT, SF_REQUIRED | SF_INTEGER | SF_MIN_OPEN, 0, 1e5,
         struct spec_llm_model, heads, 0, "required", "Attention heads.", "32"),
    QTYX("kv_heads", UNIT_COUNT, SF_REQUIRED | SF_INTEGER | SF_MIN_OPEN, 0, 1e5,
         struct spec_llm_model, kv_heads, 0, "required",
         "Key-value heads (fewer than heads with grouped-query attention).",
         "8"),
    QTYX("head_dim", UNIT_COUNT, SF_REQUIRED | SF_INTEGER | SF_MIN_OPEN, 0, 1e5,
         struct spec_llm_model, head_dim, 0, "required",
         "Dimension of one head.", "128"),
    QTYX("max_context", UNIT_COUNT, SF_INTEGER | SF_MIN_OPEN, 0, 1e9,
         struct spec_llm_model, max_context, 0, "not checked",
         "Context window: prompt_tokens + output_tokens must fit in it.",
         "131072"),
    QTYX("experts", UNIT_COUNT, SF_INTEGER | SF_MIN_OPEN, 0, 1e6,
         struct spec_llm_model, experts, 0, "none (dense)",
         "Mixture of experts: experts per layer (with experts_active, a "
         "decode step reads only those its tokens touch).",
         "8"),
    QTYX("experts_active", UNIT_COUNT, SF_INTEGER | SF_MIN_OPEN, 0, 1e6,
         struct spec_llm_model, experts_active, 0, "none (dense)",
         "Mixture of experts: experts each token takes, fewer than experts.",
         "2"),
};

#define SECTION(p, t, k, h)                                                    \
  { p, t, k, ARRAY_LEN(k), h, SCHEMA_NO_POLICY, false, SIZE_MAX, SIZE_MAX }
#define SECTION_P(p, t, k, h, st)                                              \
  { p, t, k, ARRAY_LEN(k), h, offsetof(st, pol), false, SIZE_MAX, SIZE_MAX }

static const schema_section sections[SEC_COUNT] = {
    [SEC_TOP] = SECTION("(top level)", "spec", top_keys,
                        "The keys at the top of a spec file."),
    [SEC_TRAFFIC] = SECTION("traffic", "traffic", traffic_keys,
                            "Give qps, or dau with requests_per_user (and "
                            "usually peak_to_average)."),
    [SEC_SLO] = SECTION("slo", "slo", slo_keys,
                        "Each objective becomes a check in the report."),
    [SEC_BUDGET] = SECTION("budget", "budget", budget_keys,
                           "Each limit becomes a check in the report."),
    [SEC_DEFAULTS] =
        SECTION_P("defaults", "defaults", defaults_keys,
                  "Apply to every stage that does not set them; also takes "
                  "every key of 'settings'.",
                  spec_defaults),
    [SEC_GROUP] = {"groups.NAME", "group", NULL, 0,
                   "A colocation group named by stages' colocate; takes the "
                   "keys of 'settings', which apply to the group's pool.",
                   offsetof(spec_group, pol), false, SIZE_MAX, SIZE_MAX},
    [SEC_HARDWARE] = SECTION("hardware.NAME", "hardware", hardware_keys,
                             "A server type; a catalog name overrides only "
                             "the fields given."),
    [SEC_HW_FLOPS] = SECTION("hardware.NAME.flops", "flops", flops_keys,
                             "Dense (not 2:4 sparse) peak FLOPS of one "
                             "accelerator, by the dtype of the arithmetic."),
    [SEC_STAGE] = {"stages[]", "stage", stage_keys, ARRAY_LEN(stage_keys),
                   "One stage of the system; also takes every key of "
                   "'settings'.",
                   offsetof(spec_stage, pol), true, offsetof(spec_stage, more),
                   offsetof(spec_stage_whole, more)},
    [SEC_CACHE] = SECTION("stages[].cache", "cache", cache_keys,
                          "A cache tier in front of a stage: sized for all "
                          "the stage's lookups and its working set; the "
                          "stage's servers see only the misses."),
    [SEC_STAGE_SLO] = SECTION("stages[].slo", "stage slo", stage_slo_keys,
                              "Percentile objectives of one stage; each "
                              "becomes a check."),
    [SEC_BATCHING] = SECTION(
        "stages[].batching", "batching", batching_keys,
        "A batcher in front of the stage's accelerators (FORMULAS.md 4b): a "
        "batch of b closes at min(max_batch, rate x window), takes base + "
        "per_item x b (or the roofline of 'work'); the window or the fill "
        "time adds to latency."),
    [SEC_BATCH_TIME] =
        SECTION("stages[].batching.time", "batch time", batch_time_keys,
                "The accelerator time of a batch of b requests: base + "
                "per_item x b."),
    [SEC_WORK] = SECTION(
        "stages[].work", "work", work_keys,
        "The roofline of one batch on one accelerator of the stage's "
        "hardware (FORMULAS.md 6): compute- or memory-bound.  The batch is "
        "'batch' (1 by default) or 'batching'."),
    [SEC_LLM] = SECTION(
        "stages[].llm", "llm", llm_keys,
        "An LLM served with continuous batching on the stage's accelerator "
        "hardware (FORMULAS.md 6b).  A replica is tp GPUs of one server; "
        "'slo.ttft' and 'slo.tpot' choose its batch."),
    [SEC_LLM_MODEL] =
        SECTION("stages[].llm.model", "model", llm_model_keys,
                "A model's dimensions, when it is not in the catalog."),
    [SEC_POLICY] = SECTION("settings", "settings", schema_policy_keys,
                           "Keys that 'defaults', 'groups.NAME' and stages "
                           "share.  A stage takes its own, else its "
                           "group's, else the defaults', else the default "
                           "here."),
};

const schema_section *schema_section_get(enum schema_section_id id) {
  return &sections[id];
}

const char *schema_example(const schema_key *k) {
  return k->example ? k->example : units_kind_example(k->unit);
}

const size_t schema_n_policy_keys = ARRAY_LEN(schema_policy_keys);

long schema_key_index(const schema_section *s, const char *name) {
  size_t n = schema_n_keys(s);
  for (size_t i = 0; i < n; i++)
    if (!strcmp(schema_key_at(s, i)->name, name))
      return (long)i;
  return -1;
}

const schema_key *schema_key_find(const schema_section *s, const char *name) {
  long i = schema_key_index(s, name);
  return i < 0 ? NULL : schema_key_at(s, (size_t)i);
}

const schema_key *schema_key_get(enum schema_section_id id, const char *name) {
  const schema_key *k = schema_key_find(&sections[id], name);
  if (!k) {
    fprintf(stderr, "capplan: internal error: no key '%s' in '%s'\n", name,
            sections[id].path);
    abort();
  }
  return k;
}

/* Formats a number with up to 6 significant digits, no trailing zeros,
 * and an exponent as a spec would write it (1e15, not 1e+15). */
static void fmt_plain(double v, char *buf, size_t size) {
  snprintf(buf, size, "%.6g", v);
  char *e = strchr(buf, 'e');
  if (!e)
    return;
  char *d = e + 1;
  if (*d == '+')
    memmove(d, d + 1, strlen(d));
  if (*d == '-')
    d++;
  while (d[0] == '0' && d[1])
    memmove(d, d + 1, strlen(d));
}

void schema_format_value(const schema_key *k, double v, char *buf,
                         size_t size) {
  char num[64];
  switch (k->unit) {
  case UNIT_FRACTION:
    fmt_plain(v * 100, num, sizeof num);
    snprintf(buf, size, "%s%%", num);
    return;
  case UNIT_DURATION:
    if (v == 0)
      snprintf(buf, size, "0");
    else if (v < 1e-6) {
      fmt_plain(v * 1e9, num, sizeof num);
      snprintf(buf, size, "%sns", num);
    } else if (v < 1) {
      fmt_plain(v * 1000, num, sizeof num);
      snprintf(buf, size, "%sms", num);
    } else if (v >= 86400) {
      fmt_plain(v / 86400, num, sizeof num);
      snprintf(buf, size, "%sd", num);
    } else {
      fmt_plain(v, num, sizeof num);
      snprintf(buf, size, "%ss", num);
    }
    return;
  case UNIT_MONEY:
    fmt_plain(v, num, sizeof num);
    snprintf(buf, size, "$%s/year", num);
    return;
  case UNIT_GROWTH:
    fmt_plain(v * 100, num, sizeof num);
    snprintf(buf, size, "%s%%/month", num);
    return;
  default:
    fmt_plain(v, buf, size);
    return;
  }
}

void schema_describe_range(const schema_key *k, char *buf, size_t size) {
  char lo[64], hi[64];
  schema_format_value(k, k->min, lo, sizeof lo);
  schema_format_value(k, k->max, hi, sizeof hi);
  const char *whole = (k->flags & SF_INTEGER) ? "a whole number, " : "";
  bool has_hi = isfinite(k->max);
  if (k->min == k->max)
    snprintf(buf, size, "exactly %s", lo);
  else if (!has_hi)
    snprintf(buf, size, "%s%s %s", whole,
             (k->flags & SF_MIN_OPEN) ? "more than" : "at least", lo);
  else if (!(k->flags & (SF_MIN_OPEN | SF_MAX_OPEN)))
    snprintf(buf, size, "%sbetween %s and %s", whole, lo, hi);
  else
    snprintf(buf, size, "%s%s %s and %s %s", whole,
             (k->flags & SF_MIN_OPEN) ? "more than" : "at least", lo,
             (k->flags & SF_MAX_OPEN) ? "less than" : "at most", hi);
}

int schema_in_range(const schema_key *k, double v) {
  if ((k->flags & SF_MIN_OPEN) ? !(v > k->min) : !(v >= k->min))
    return 0;
  if ((k->flags & SF_MAX_OPEN) ? !(v < k->max) : !(v <= k->max))
    return 0;
  if ((k->flags & SF_INTEGER) && v != floor(v))
    return 0;
  return 1;
}
