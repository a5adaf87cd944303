#!/usr/bin/env python3
"""Reference values for tests/unit/test_specfun.c and test_queueing.c.

Computed with mpmath at 50 digits, independently of the C code: Erlang B by
its Poisson form pois(c; a) / P(N <= c), the response-time survival of a
queue with gamma service by numerical quadrature of the convolution
(FORMULAS.md section 3b: T = W + S, P(W > t) = C e^{-r t}), and the special
functions by mpmath's own.  Run: python3 tests/unit/ref_queueing.py
(needs mpmath); it prints C table rows to paste into the tests.
"""
import mpmath as mp

mp.mp.dps = 50


def erlang_b(c, a):
    c, a = mp.mpf(c), mp.mpf(a)
    lp = c * mp.log(a) - a - mp.loggamma(c + 1)
    return mp.exp(lp) / mp.gammainc(c + 1, a, mp.inf, regularized=True)


def erlang_c(c, a):
    b = erlang_b(c, a)
    c, a = mp.mpf(c), mp.mpf(a)
    return c * b / (c - a + a * b)


def response_sf(lam, mu, c, ca, cs, t):
    """P(T > t), gamma service of shape 1/cs^2 (exponential when cs = 1)."""
    lam, mu, ca, cs, t = (mp.mpf(x) for x in (lam, mu, ca, cs, t))
    C = erlang_c(c, lam / mu)
    s = (ca ** 2 + cs ** 2) / 2
    r = (c * mu - lam) / s
    k = 1 / cs ** 2
    beta = k * mu
    Q = mp.gammainc(k, beta * t, mp.inf, regularized=True)
    if k < 1:
        # u = t v^(1/k) removes the density's singularity at 0
        g = lambda v: mp.exp(-beta * t * v ** (1 / k) - r * t * (1 - v ** (1 / k)))
        J = (beta * t) ** k / mp.gamma(k + 1) * mp.quad(g, [0, 0.5, 1])
    else:
        lg = mp.loggamma(k)
        f = lambda u: mp.exp(k * mp.log(beta) + (k - 1) * mp.log(u) - beta * u
                             - lg - r * (t - u))
        J = mp.quad(f, mp.linspace(0, t, 41))
    return Q + C * J


def row(*xs):
    return "    {" + ", ".join(mp.nstr(x, 20) if isinstance(x, mp.mpf)
                               else repr(x) for x in xs) + "},"


print("/* specfun: k, x, log_pois, P, Q */")
for k, x in [(0.25, 0.01), (0.25, 1.2), (0.5, 0.3), (1, 3), (2.5, 7),
             (4, 0.5), (100, 90), (100, 130), (1e4, 9800), (1e4, 10100),
             (1e6, 1001000), (3.7, 3.7)]:
    k, x = mp.mpf(k), mp.mpf(x)
    lp = k * mp.log(x) - x - mp.loggamma(k + 1)
    Q = mp.gammainc(k, x, mp.inf, regularized=True)
    print(row(k, x, lp, 1 - Q, Q))

print("/* kummer: k, y, 1F1(1; k+1; -y) */")
for k, y in [(0.25, 0.5), (0.25, 30), (0.25, 500), (2, 3), (4, 200),
             (11.1, 40), (100, 150), (100, 1000), (3.5, 1e5)]:
    print(row(mp.mpf(k), mp.mpf(y), mp.hyp1f1(1, k + 1, -y)))

print("/* normal: z, Q(z) */")
for z in [-3, -0.5, 0, 1.2, 5, 10, 30]:
    print(row(mp.mpf(z), mp.ncdf(-z)))

print("/* gamma quantile: k, p, x */")
for k, p in [(0.25, 0.5), (0.25, 0.999), (2, 0.01), (4, 0.99), (100, 0.5),
             (1e4, 0.999)]:
    lo, hi = mp.mpf(0), mp.mpf(k) + 50 * mp.sqrt(k) + 50
    for _ in range(200):  # bisection: P(k, x) rises with x
        mid = (lo + hi) / 2
        if mp.gammainc(k, 0, mid, regularized=True) < p:
            lo = mid
        else:
            hi = mid
    x = (lo + hi) / 2
    print(row(mp.mpf(k), mp.mpf(p), x))

print("/* Erlang B and C at large c: c, a, B, C */")
for c, a in [(1e6, 999000), (1e6, 998000), (1e6, 995000), (1e6, 990000),
             (1e6, 1e6), (1e6, 1.2e6), (1e7, 9.99e6), (2000, 1900.5),
             (201, 200)]:
    b = erlang_b(c, a)
    cc = erlang_c(c, a) if a < c else mp.mpf(-1)
    print(row(mp.mpf(c), mp.mpf(a), b, cc))

print("/* response with gamma service: lambda, mu, c, ca, cs, t, P(T > t) */")
for lam, mu, c, ca, cs, t in [
        (50, 100, 1, 1, 0.5, 0.03), (50, 100, 1, 1, 0.5, 0.08),
        (80, 100, 1, 0.3, 2, 0.002), (80, 100, 1, 0.3, 2, 0.5),
        (95, 100, 1, 1, 0.7, 0.4), (398, 100, 4, 1, 0.3, 0.05),
        (60, 100, 2, 1, 1.5, 0.09), (10, 100, 1, 0.3, 0.1, 0.0125),
        (90000, 100, 1000, 1, 0.5, 0.02), (388000, 100, 4000, 1, 2, 0.2),
        (160, 1000, 1, 1, 0.25, 0.004)]:
    print(row(lam, mu, c, ca, cs, t, response_sf(lam, mu, c, ca, cs, t)))
