/*
 * simrng.h - the random numbers of the simulator (src/sim/des.c): a
 * xoshiro256** generator seeded by splitmix64, independent streams by
 * jumping 2^128 steps, a counter-based draw for routing decisions, and the
 * variates a queueing model needs (exponential, normal, gamma, lognormal).
 *
 * Same seed, same bits on every machine: the elementary functions the
 * variates need (log, exp) are computed here from +, -, *, / and sqrt
 * alone, which IEEE 754 rounds exactly, instead of by the C library, whose
 * last bits differ between libm versions.  That holds when doubles are
 * evaluated in double precision (FLT_EVAL_METHOD 0, every 64-bit target)
 * and products are not fused into FMAs (see the pragma in simrng.c).
 */
#ifndef CAPPLAN_SIMRNG_H
#define CAPPLAN_SIMRNG_H

#include <stdint.h>

typedef struct simrng {
  uint64_t s[4];
  double spare; /* the second normal of a polar pair */
  int has_spare;
} simrng;

/* splitmix64: the next output of the sequence whose state is *X
 * (Steele, Lea and Flood, "Fast splittable pseudorandom number
 * generators", OOPSLA 2014). */
uint64_t simrng_splitmix64(uint64_t *x);

/* A strong 64-bit mixer of (KEY, A, B): the draw behind routing decisions,
 * a pure function of its arguments (a counter-based generator). */
uint64_t simrng_hash(uint64_t key, uint64_t a, uint64_t b);
/* simrng_hash as a uniform double in [0, 1). */
double simrng_hash_unit(uint64_t key, uint64_t a, uint64_t b);

/* The stream for replication R of SEED: xoshiro256** seeded from
 * splitmix64(SEED), then jumped 2^128 steps R times, so the streams of
 * different replications never overlap (Blackman and Vigna, "Scrambled
 * linear pseudorandom number generators", 2021). */
void simrng_stream(simrng *r, uint64_t seed, uint64_t replication);
/* Moves R on by 2^128 outputs: the next replication's stream. */
void simrng_jump(simrng *r);

/* The next 64 random bits (xoshiro256**). */
static inline uint64_t simrng_next(simrng *r) {
  uint64_t *s = r->s;
  uint64_t x = s[1] * 5;
  uint64_t result = ((x << 7) | (x >> 57)) * 9;
  uint64_t t = s[1] << 17;
  s[2] ^= s[0];
  s[3] ^= s[1];
  s[1] ^= s[2];
  s[0] ^= s[3];
  s[2] ^= t;
  s[3] = (s[3] << 45) | (s[3] >> 19);
  return result;
}

/* Uniform in [0, 1), a multiple of 2^-53. */
static inline double simrng_uniform(simrng *r) {
  return (double)(simrng_next(r) >> 11) * 0x1p-53;
}

/* Uniform in (0, 1]: safe to take the logarithm of. */
static inline double simrng_uniform_pos(simrng *r) {
  return (double)((simrng_next(r) >> 11) + 1) * 0x1p-53;
}

/* Natural logarithm of X > 0 (finite), within 2 ulp of the true value;
 * 0 or less gives -745 (the log of the smallest double), never -Inf. */
double simrng_log(double x);
/* e^X within 2 ulp; saturates at DBL_MAX and 0 instead of Inf. */
double simrng_exp(double x);

/* Exponential with mean 1 (inversion: -log U). */
static inline double simrng_exp1(simrng *r) {
  return -simrng_log(simrng_uniform_pos(r));
}
/* Tables of the ziggurat for the exponential distribution (Marsaglia and
 * Tsang, "The ziggurat method for generating random variables", J. Stat.
 * Software 5(8), 2000; 256 layers), built by simrng_zig_init with the
 * functions above, so they are the same bits everywhere. */
typedef struct simrng_zig {
  uint64_t k[256]; /* accept at once when the 53-bit draw is below */
  double w[256];   /* layer width / 2^53 */
  double f[256];   /* e^-x at each layer's right edge */
} simrng_zig;

void simrng_zig_init(simrng_zig *z);
/* Exponential with mean 1 by the ziggurat: the layer comes from the low 8
 * bits of one draw and the abscissa from its top 53, so the two are
 * independent (the flaw Doornik, 2005, found in the original's shared
 * bits); about 99% of draws need no logarithm. */
double simrng_exp1_zig(simrng *r, const simrng_zig *z);

/* Standard normal (Marsaglia's polar method). */
double simrng_normal(simrng *r);
/* Gamma with shape K > 0 and scale 1 (Marsaglia and Tsang, "A simple
 * method for generating gamma variables", ACM TOMS 26(3), 2000; K < 1 by
 * their boost U^(1/K)). */
double simrng_gamma(simrng *r, double k);

#endif
