/*
 * test_graph.c - unit tests of the pictures (render/graph.c,
 * graph_layout.c) and of the machine formats of diagnostics
 * (base/diag_formats.c).
 *
 * The layout is checked by its invariants on specs with groups, caches,
 * joins and fallbacks: no two boxes overlap, a group's box holds its
 * stages and no other, every edge starts at the bottom of its source and
 * ends on the top of its target, and a forward edge goes down.
 */
#include "helpers.h"

#include "graph.h"

/* ------------------------------------------------------------ numbers */

static void test_short_rate(void **state) {
  (void)state;
  static const struct {
    double v;
    const char *want;
  } cases[] = {
      {0, "0"},           {2.5, "2.5"},       {150, "150"},   {999, "999"},
      {1000, "1K"},       {12345, "12.3K"},   {30000, "30K"}, {99950, "100K"},
      {999500, "1M"},     {1234567, "1.23M"}, {2e9, "2B"},    {1e12, "1T"},
      {2.5e15, "2,500T"}, {-30000, "-30K"},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    char buf[64];
    graph_short_rate(cases[i].v, buf, sizeof buf);
    if (strcmp(buf, cases[i].want))
      fail_msg("graph_short_rate(%g) = '%s', want '%s'", cases[i].v, buf,
               cases[i].want);
  }
}

static void test_text_width(void **state) {
  (void)state;
  assert_true(graph_text_width("", 11, false) == 0);
  /* DejaVu Sans: 'm' is 1995/2048 em, 'i' 569/2048 em. */
  assert_true(fabs(graph_text_width("m", 2048, false) - 1995) < 1e-9);
  assert_true(fabs(graph_text_width("i", 2048, false) - 569) < 1e-9);
  assert_true(graph_text_width("abc", 11, true) >
              graph_text_width("abc", 11, false));
  /* The middle dot is narrow; other characters an em. */
  assert_true(fabs(graph_text_width("\xc2\xb7", 2048, false) - 651) < 1e-9);
  assert_true(fabs(graph_text_width("\xe2\x86\x92", 2048, false) - 2048) <
              1e-9);
}

static void test_xml_puts(void **state) {
  (void)state;
  static const struct {
    const char *in, *want;
  } cases[] = {
      {"plain", "plain"},
      {"a<b>&\"'", "a&lt;b&gt;&amp;&quot;&#39;"},
      {"</title><script>", "&lt;/title&gt;&lt;script&gt;"},
      {"\x1b[31m", "\\x1b[31m"},
      {"caf\xc3\xa9 \xff", "caf\xc3\xa9 \\xff"},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    capplan_buf b;
    capplan_buf_init(&b);
    xml_puts(&b, cases[i].in);
    assert_string_equal(b.data ? b.data : "", cases[i].want);
    capplan_buf_release(&b);
  }
}

/* ------------------------------------------------------------- layout */

/* The report of YAML (failing the test when the spec is rejected); free
 * with run_free(). */
static run_result plan_of(const char *yaml) {
  run_result x = run_yaml(yaml);
  if (!x.r) {
    capplan_buf b;
    capplan_buf_init(&b);
    capplan_diags_render(&x.d, false, &b);
    fail_msg("spec rejected:\n%s", b.data);
  }
  return x;
}

static bool overlap(const gbox *a, const gbox *b) {
  return a->x < b->x + b->w && b->x < a->x + a->w && a->y < b->y + b->h &&
         b->y < a->y + a->h;
}

static bool inside(const gbox *in, const gbox *out) {
  return in->x >= out->x && in->y >= out->y &&
         in->x + in->w <= out->x + out->w && in->y + in->h <= out->y + out->h;
}

static const char *const layout_specs[] = {
    /* a group spanning two layers beside a stage that is not in it */
    "capplan: 1\ntraffic: {qps: 1K}\n"
    "stages:\n"
    "  - {name: a, latency: 1ms, qps_per_server: 1K}\n"
    "  - {name: u, after: [], latency: 1ms, qps_per_server: 1K, "
    "colocate: g}\n"
    "  - {name: c, after: a, latency: 1ms, qps_per_server: 1K, "
    "colocate: g}\n"
    "  - {name: j, after: [c, u], join: all, latency: 1ms, "
    "qps_per_server: 1K, fallback: s}\n"
    "  - {name: s, latency: 1ms, qps_per_server: 1K}\n"
    "  - {name: k, after: [], async: true, latency: 1ms, "
    "qps_per_server: 1K}\n",
    /* a cache tier, a join on any, a long edge */
    "capplan: 1\ntraffic: {qps: 2K}\n"
    "stages:\n"
    "  - {name: f, latency: 5ms, qps_per_server: 1K, cache_hit: 50%,"
    " cache: {qps_per_server: 10K, latency: 1ms}}\n"
    "  - {name: m1, after: f, latency: 1ms, qps_per_server: 1K}\n"
    "  - {name: m2, after: m1, latency: 1ms, qps_per_server: 1K}\n"
    "  - {name: m3, after: m2, latency: 1ms, qps_per_server: 1K}\n"
    "  - {name: z, after: [f, m3], join: any, latency: 1ms, "
    "qps_per_server: 1K}\n",
};

static void test_layout_invariants(void **state) {
  (void)state;
  for (size_t s = 0; s < sizeof layout_specs / sizeof layout_specs[0]; s++) {
    run_result x = plan_of(layout_specs[s]);
    graph *g = graph_build(x.r);
    glayout *l = graph_layout(g);
    for (size_t i = 0; i < g->n_nodes; i++) {
      assert_true(l->box[i].w > 0 && l->box[i].h > 0);
      assert_true(l->box[i].x >= 0 && l->box[i].y >= 0);
      assert_true(l->box[i].x + l->box[i].w <= l->width);
      assert_true(l->box[i].y + l->box[i].h <= l->height);
      for (size_t j = i + 1; j < g->n_nodes; j++)
        if (overlap(&l->box[i], &l->box[j]))
          fail_msg("spec %zu: nodes '%s' and '%s' overlap", s,
                   g->node[i].label.line[0], g->node[j].label.line[0]);
    }
    for (size_t c = 0; c < g->n_clusters; c++)
      for (size_t i = 0; i < g->n_nodes; i++) {
        bool member = g->node[i].kind == GN_STAGE &&
                      g->node[i].group == (long)g->cluster[c].group;
        if (member && !inside(&l->box[i], &l->cluster_box[c]))
          fail_msg("spec %zu: '%s' outside its group", s,
                   g->node[i].label.line[0]);
        if (!member && overlap(&l->box[i], &l->cluster_box[c]))
          fail_msg("spec %zu: '%s' inside a group it is not in", s,
                   g->node[i].label.line[0]);
      }
    for (size_t e = 0; e < g->n_edges; e++) {
      const gbox *a = &l->box[g->edge[e].from], *b = &l->box[g->edge[e].to];
      const gpoint *p = l->path[e];
      size_t n = l->n_path[e];
      assert_true(n >= 2 && n % 2 == 0);
      assert_true(fabs(p[0].y - (a->y + a->h)) < 1e-9);
      assert_true(p[0].x >= a->x && p[0].x <= a->x + a->w);
      assert_true(fabs(p[n - 1].y - b->y) < 1e-9);
      assert_true(p[n - 1].x >= b->x && p[n - 1].x <= b->x + b->w);
      for (size_t k = 1; k < n; k++)
        assert_true(p[k].y >= p[k - 1].y); /* always downwards */
    }
    glayout_free(g, l);
    graph_free(g);
    run_free(&x);
  }
}

/* The edges' figures: a join on any splits its calls by the inputs'
 * flows, a cache tier takes the lookups and passes on the misses, and
 * the critical path is marked from the traffic to its last stage. */
static void test_edges(void **state) {
  (void)state;
  run_result x = plan_of(layout_specs[1]);
  graph *g = graph_build(x.r);
  double into_z = 0, lookups = -1, misses = -1;
  size_t critical = 0;
  for (size_t e = 0; e < g->n_edges; e++) {
    const gedge *ge = &g->edge[e];
    const gnode *to = &g->node[ge->to], *from = &g->node[ge->from];
    if (to->kind == GN_STAGE && !strcmp(to->label.line[0], "z"))
      into_z += ge->qps;
    if (to->kind == GN_CACHE)
      lookups = ge->qps;
    if (from->kind == GN_CACHE)
      misses = ge->qps;
    critical += (ge->flags & GE_CRITICAL) != 0;
  }
  /* z joins f's and m3's 2,000 requests each on any: 4,000 calls. */
  assert_true(fabs(into_z - 4000) < 1e-6);
  assert_true(fabs(lookups - 2000) < 1e-6);
  assert_true(fabs(misses - 1000) < 1e-6); /* half of them hit */
  /* traffic -> f.cache -> f -> m1 -> m2 -> m3 -> z */
  assert_int_equal(critical, 6);
  graph_free(g);
  run_free(&x);
}

/* ------------------------------------------------- diagnostics formats */

static void test_diag_github(void **state) {
  (void)state;
  capplan_source *src = capplan_source_new("a:b,c%.yaml", "x: 1\n", 5);
  capplan_diags d;
  capplan_diags_init(&d, src);
  capplan_diags_add(&d, CAPPLAN_ERROR, (capplan_loc){3, 7, 2}, "fix: it",
                    "'%s' is 120%%, not %s", "cache_hit", "\x1b[2J");
  capplan_diags_add(&d, CAPPLAN_WARNING, (capplan_loc){0, 0, 0}, NULL,
                    "no place, a, b");
  capplan_buf b;
  capplan_buf_init(&b);
  capplan_diags_render_github(&d, &b);
  assert_string_equal(
      b.data, "::error file=a%3Ab%2Cc%25.yaml,line=3,col=7::'cache_hit' is "
              "120%25, not \\x1b[2J%0Ahelp: fix: it\n"
              "::warning file=a%3Ab%2Cc%25.yaml::no place, a, b\n");
  capplan_buf_release(&b);

  capplan_buf_init(&b);
  capplan_diags_render_json(&d, "", &b);
  assert_string_equal(
      b.data,
      "[\n  {\"severity\": \"error\", \"file\": \"a:b,c%.yaml\", \"line\": "
      "3, \"column\": 7, \"message\": \"'cache_hit' is 120%, not "
      "\\u001b[2J\", \"help\": \"fix: it\"},\n  {\"severity\": "
      "\"warning\", \"file\": \"a:b,c%.yaml\", \"line\": null, \"column\": "
      "null, \"message\": \"no place, a, b\", \"help\": null}\n]");
  capplan_buf_release(&b);
  capplan_diags_release(&d);

  capplan_diags_init(&d, NULL);
  capplan_buf_init(&b);
  capplan_diags_render_json(&d, "", &b);
  assert_string_equal(b.data, "[]");
  capplan_buf_release(&b);
  capplan_diags_release(&d);
  capplan_source_free(src);
}

static void test_json_puts(void **state) {
  (void)state;
  static const struct {
    const char *in, *want;
  } cases[] = {
      {"a\"b\\c", "\"a\\\"b\\\\c\""},     {"\x01\x7f", "\"\\u0001\\u007f\""},
      {"\xc2\x9b", "\"\\u009b\""},        {"\xff", "\"\\ufffd\""},
      {"caf\xc3\xa9", "\"caf\xc3\xa9\""},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    capplan_buf b;
    capplan_buf_init(&b);
    capplan_json_puts(&b, cases[i].in);
    assert_string_equal(b.data, cases[i].want);
    capplan_buf_release(&b);
  }
  enum capplan_diag_format f;
  assert_int_equal(capplan_diag_format_parse("github", &f), 0);
  assert_int_equal(f, CAPPLAN_DIAG_GITHUB);
  assert_int_equal(capplan_diag_format_parse("xml", &f), -1);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_short_rate),
      cmocka_unit_test(test_text_width),
      cmocka_unit_test(test_xml_puts),
      cmocka_unit_test(test_layout_invariants),
      cmocka_unit_test(test_edges),
      cmocka_unit_test(test_diag_github),
      cmocka_unit_test(test_json_puts),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
