/*
 * lean_simd.h - the stage loop of the lean evaluator (lean_int.h's
 * stage_one) for LEAN_W trials at a time, through the compiler's vector
 * extensions: the same IEEE operations lane by lane (no operation fused,
 * none reordered), so each lane's figures are stage_one's.  A template:
 * the file that includes it defines LEAN_W (lanes), LEAN_SIMD_FN (the
 * function's name) and, where the instruction set has one, LEAN_BLENDV
 * (a lane select).  lean.c makes the SSE2 one every x86-64 has (two
 * lanes), lean_avx2.c the AVX2 one (four).
 */
#define W LEAN_W
typedef double vd __attribute__((vector_size(8 * LEAN_W)));
typedef long long vi __attribute__((vector_size(8 * LEAN_W)));

static inline vd vload(const double *p) {
  vd v;
  memcpy(&v, p, sizeof v);
  return v;
}

static inline void vstore(double *p, vd v) {
  memcpy(p, &v, sizeof v);
}

static inline vd vall(double x) {
  vd v = {0};
  return v + x;
}

/* M ? A : B, lane by lane (M all ones or all zeros). */
static inline vd vsel(vi m, vd a, vd b) {
#ifdef LEAN_BLENDV
  return LEAN_BLENDV(b, a, m);
#else
  return (vd)((m & (vi)a) | (~m & (vi)b));
#endif
}

/* The lanes of M set, as the bits of a number (lane l: bit l). */
static inline unsigned vmask(vi m) {
#ifdef LEAN_MOVEMASK
  return (unsigned)LEAN_MOVEMASK(m);
#else
  unsigned bits = 0;
  for (unsigned l = 0; l < W; l++)
    bits |= (unsigned)(m[l] != 0) << l;
  return bits;
#endif
}

/* Finite lanes: x - x is 0 for a finite x, NaN for an infinite one. */
static inline vi vfinite(vd x) {
  return (x - x) == 0.0;
}

/* X rounded to the nearest whole number, for |X| < 2^51: the sum with
 * 1.5 x 2^52 has no bits below the units (the default rounding). */
static inline vd vround(vd x) {
  const double big = 6755399441055744.0;
  return (x + big) - big;
}

/* capplan_ceil (figures.h) lane by lane; *OK loses the lanes it cannot
 * take (x minus its tolerance outside (-1, 2^51), NaN). */
static inline vd vceil(vd x, vi *ok) {
  vd ax = (vd)((vi)x & 0x7FFFFFFFFFFFFFFFll);
  vd t = ax * CAPPLAN_CEIL_RELATIVE;
  t = vsel(t > CAPPLAN_CEIL_MAX, vall(CAPPLAN_CEIL_MAX), t);
  t = vsel(t > CAPPLAN_CEIL_TOLERANCE, t, vall(CAPPLAN_CEIL_TOLERANCE));
  vd y = x - t;
  *ok &= (y > -1.0) & (y < 2251799813685248.0);
  vd r = vround(y);
  vd c = vsel(r < y, r + 1, r);
  return vsel(c > 0.0, c, vall(0));
}

/* capplan_floor for |x| < 2^51 (*OK loses the other lanes). */
static inline vd vfloor(vd x, vi *ok) {
  *ok &= (x > -2251799813685248.0) & (x < 2251799813685248.0);
  vd r = vround(x);
  return vsel(r > x, r - 1, r);
}

/* needed() of each lane. */
static inline vd vneeded(vd eq, vi *ok) {
  /* A lane at or below 0 takes no ceiling; NaN must (and is lost). */
  vi fine = *ok;
  vd c = vceil(eq, &fine);
  *ok = (fine | (eq <= 0.0)) & *ok;
  c = vsel(c < 1.0, vall(1), c);
  return vsel(eq <= 0.0, vall(0), c);
}

/* stage_one for trial T alone, out of line: the lanes the vector loop
 * leaves, so that stage_one's code does not crowd the loop's registers. */
static CAPPLAN_NOINLINE void
stage_one_lane(lean *k, lstage *s, const fixed_in *c, size_t t, bool first) {
  stage_one(k, s, c, t, false, first);
}

static inline vd vat(opnd o, size_t t) {
  return o.mask ? vload(o.p + t) : vall(o.p[0]);
}

/* stage_one for W trials at a time from trial 0, for a stage whose only
 * varying inputs are its throughput model's (not S->general), that holds
 * no data in memory and whose requests make one call each if any waits
 * for it (lean.c's stage_block leaves the others to stage_one).  A lane it
 * cannot finish the same way (a figure plan_eval stops at, a count past 2^51)
 * is left to stage_one. Returns the trials done. */
size_t LEAN_SIMD_FN(lean *k, lstage *s, const fixed_in *c, size_t len,
                    bool first) {
  const mstage *ms = s->ms;
  if (ms->has_memory)
    return 0;
  bool fixed = ms->tp.kind == TP_FIXED, random = ms->random_balancer;
  double *t_srv = k->tot[LT_SERVERS], *t_gpus = k->tot[LT_GPUS];
  double *t_cost = k->tot[LT_COST], *t_lat = k->tot[LT_LATENCY];
  double *t_up = k->tot[LT_ALL_UP], *t_req = k->tot[LT_REQ_UP];
  double *t_down = k->tot[LT_MONTH], *t_rdown = k->tot[LT_MILLION];
  double stops1 = 1 - c->stops, miss1 = 1 - c->cache_hit;
  double headroom1 = 1 + c->headroom;
  size_t t = 0;
  for (; t + W <= len; t += W) {
    /* Phase 1. */
    vd inflow = vall(ms->n_parents ? 0 : 1), slow = vall(0);
    for (size_t q = 0; q < ms->n_parents; q++) {
      const lstage *u = &k->st[k->pos[ms->parents[q]]];
      vd o = vload(u->outflow + t), l = vload(u->latency_to + t);
      inflow = ms->join_any ? inflow + o : vsel(inflow > o, inflow, o);
      slow = vsel(slow > l, slow, l);
    }
    vd sin = c->share * inflow;
    vd load = sin * c->calls * vload(k->qps_in + t) * miss1;
    vd ps = vat(s->per_server, t), tlat = vat(s->latency, t);
    vd lat = ms->calls_sequential ? tlat * c->calls : tlat;
    vd latto = lat + slow;
    vstore(s->outflow + t, sin * stops1);
    vstore(s->out[LF_LATENCY] + t, lat);
    vstore(s->latency_to + t, latto);
    vi ok = vfinite(sin) & vfinite(load) & vfinite(ps * 1000) &
            vfinite(latto * 1000);
    /* Phase 3. */
    vd carry = load / (ps * c->fu);
    vd need = vneeded(carry, &ok);
    vd by_tp = c->util == c->fu ? carry : load / (ps * c->util);
    vd raw = vsel(by_tp > 0.0, by_tp, vall(0));
    vd srv = vceil(raw * headroom1, &ok);
    srv = vsel((raw > 0.0) & (srv < 1.0), vall(1), srv) + c->redundancy;
    ok &= vfinite(load) & vfinite(srv) & (srv <= CAPPLAN_MAX_EXACT);
    vd gpus = srv * c->gpus;
    ok &= ~(gpus > CAPPLAN_MAX_EXACT);
    vd cost = srv * c->cost;
    vstore(s->out[LF_SERVERS] + t, srv);
    vstore(s->out[LF_GPUS] + t, gpus);
    vstore(s->out[LF_COST] + t, cost);
    vd capacity = srv * ps;
    vi over = (srv > 0.0) & ~(capacity >= load * (1 + 1e-8)) &
              (load / capacity > 1 + 1e-9);
    vi queue = ~over & (load > 0.0) & (srv > 0.0);
    vd qslots = c->concurrency > 0 ? vall(c->concurrency)
                : fixed            ? ps * tlat
                                   : vat(s->parallelism, t);
    vi fine = ok;
    vd slots = random ? vfloor(qslots + 1e-9, &fine)
                      : vfloor(srv * qslots + 1e-9, &fine);
    ok &= fine | ~queue;
    slots = vsel(slots < 1.0, vall(1), slots);
    vd arrivals = random ? load / srv : load;
    vd u = arrivals * tlat / slots;
    over |= queue & (~(u < 1 - 1e-9) | ~vfinite(u));
    /* The k-of-n tails lane by lane (through the stage's table), then
     * the share served (avail_share()) and the stage's own availability
     * (avail_series()) for the lanes together. */
    double need_l[W], srv_l[W], aup_l[W], adown_l[W], kdown_l[W];
    const unsigned all = (1u << W) - 1;
    unsigned ok_m = vmask(ok), want_m = ok_m & vmask(need > 0.0);
    unsigned over_m = ok_m & vmask(over);
    for (size_t l = 0; over_m && l < W; l++)
      k->flags[t + l] |= (over_m >> l & 1) ? LEAN_INFEASIBLE : 0;
    vd up = vall(1), down = vall(0), kdown = vall(0);
    bool found = false;
#ifdef LEAN_GATHER
    /* Every lane's entry at once where each lane wants one and finds it
     * (tails_lane's hash and test, lane by lane). */
    found = want_m == all && vmask(srv < 4503599627370496.0) == all &&
            lean_gather(s->memo, s->memo_mask, (__m256d)need, (__m256d)srv,
                        (__m256d *)&up, (__m256d *)&down, (__m256d *)&kdown);
#endif
    if (!found) {
      memcpy(need_l, &need, sizeof need_l);
      memcpy(srv_l, &srv, sizeof srv_l);
      for (size_t l = 0; l < W; l++) {
        if (want_m == all || (want_m >> l & 1)) {
          avail a;
          tails_lane(s->memo, s->memo_mask, need_l[l], srv_l[l], c->avail, 1,
                     &a, &kdown_l[l]);
          aup_l[l] = a.up;
          adown_l[l] = a.down;
        } else {
          aup_l[l] = 1;
          adown_l[l] = kdown_l[l] = 0;
        }
      }
      up = vload(aup_l);
      down = vload(adown_l);
      kdown = vload(kdown_l);
    }
    /* avail_share(all, kdown, carry); none needed: avail_of(1) for both. */
    vd q = kdown / carry, dlow = down - q;
    vd lo =
        vsel(dlow > 0.0, dlow, vsel(down > 0.0, vall(DBL_TRUE_MIN), vall(0)));
    vd uhi = up + q;
    uhi = vsel(uhi < 1.0, uhi, vall(1));
    vd rup = vsel(dlow < 0.5, 1 - lo, uhi);
    vd rdown = vsel(dlow < 0.5, lo, 1 - uhi);
    vi whole = carry <= 0.0;
    rup = vsel(whole, up, rup);
    rdown = vsel(whole, down, rdown);
    vi none = need <= 0.0;
    rup = vsel(none, vall(1), rup);
    rdown = vsel(none, vall(0), rdown);
    if (c->stage_avail < 1) {
      double sa = c->stage_avail, sd = 1 - sa;
      down = down + sd * up;
      up = up * sa;
      rdown = rdown + sd * rup;
    }
    vstore(s->out[LF_AVAIL] + t, up);
    /* Phase 6 and 7, on the lanes done here. */
    vd x = vload(t_srv + t);
    vstore(t_srv + t, vsel(ok, x + srv, x));
    x = vload(t_gpus + t);
    vstore(t_gpus + t, vsel(ok, x + gpus, x));
    x = vload(t_cost + t);
    vstore(t_cost + t, vsel(ok, x + cost, x));
    if (!ms->async) {
      vd visit = vsel(1.0 < sin, vall(1), sin);
      vd misses = visit * miss1;
      vd tu = vload(t_up + t), td = vload(t_down + t);
      vstore(t_up + t, vsel(ok, tu * up, tu));
      vstore(t_down + t, vsel(ok, td + down * tu, td));
      vd d = misses * rdown;
      vd ru = vload(t_req + t), rd = vload(t_rdown + t);
      vstore(t_req + t, vsel(ok, ru * (1 - d), ru));
      vstore(t_rdown + t, vsel(ok, rd + d * ru, rd));
      vd tl = vload(t_lat + t);
      vd nl = first ? latto : vsel(latto > tl, latto, tl);
      vstore(t_lat + t, vsel(ok, nl, tl));
    }
    for (size_t l = 0; ok_m != all && l < W; l++)
      if (!(ok_m >> l & 1))
        stage_one_lane(k, s, c, t + l, first);
  }
  return t;
}

/* finish() (lean.c) for W trials at a time from trial 0, without the
 * checks: the cost per month and per million requests, and the trials
 * plan_eval takes; returns the trials done. */
size_t LEAN_FINISH_FN(lean *k, size_t len) {
  double *t_srv = k->tot[LT_SERVERS], *t_gpus = k->tot[LT_GPUS];
  double *t_cost = k->tot[LT_COST];
  double *t_month = k->tot[LT_MONTH], *t_million = k->tot[LT_MILLION];
  size_t t = 0;
  for (; t + W <= len; t += W) {
    vd servers = vload(t_srv + t), gpus = vload(t_gpus + t);
    vd cost = vload(t_cost + t), average = vload(k->average_t + t);
    vstore(t_month + t,
           cost * CAPPLAN_HOURS_PER_MONTH / CAPPLAN_HOURS_PER_YEAR);
    /* The quotient of every lane, kept where the average is positive. */
    vd million = vsel(average > 0.0, cost / (average * SECONDS_PER_YEAR) * 1e6,
                      vall(-1));
    vstore(t_million + t, million);
    vd sum = cost + servers + gpus + million;
    unsigned bad = vmask((servers > CAPPLAN_MAX_EXACT) |
                         (gpus > CAPPLAN_MAX_EXACT) | ~((sum - sum) == 0.0));
    for (size_t l = 0; bad && l < W; l++)
      k->flags[t + l] |= (bad >> l & 1) ? LEAN_FALLBACK : 0;
  }
  return t;
}
