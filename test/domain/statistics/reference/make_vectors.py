"""Print the reference vectors for the statistics tests as TypeScript.

The values come from scipy, statsmodels and mpmath, as packaged by Debian
(python3-scipy, python3-statsmodels, python3-mpmath). Run it with Debian's
interpreter and format the result with Biome:

    /usr/bin/python3 test/domain/statistics/reference/make_vectors.py \
        > test/domain/statistics/reference/vectors.ts
    npx biome check --write test/domain/statistics/reference/vectors.ts

Where a second package can compute the same value, the script checks that
the two agree and stops if they do not.
"""

import json
import math
import sys
import textwrap
import warnings

import mpmath
import numpy
import scipy
import statsmodels
from scipy import integrate, special, stats
from statsmodels.stats.multitest import multipletests
from statsmodels.stats.proportion import (
    confint_proportions_2indep,
    proportion_confint,
    proportions_ztest,
)
from statsmodels.stats.weightstats import CompareMeans

mpmath.mp.dps = 50

CONFIDENCES = (0.9, 0.95, 0.99)


def literal(value):
    """Render a Python value as a TypeScript literal."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return json.dumps(value)
    if isinstance(value, (int, numpy.integer)):
        return str(int(value))
    if isinstance(value, (float, numpy.floating)):
        number = float(value)
        if not math.isfinite(number):
            raise ValueError(f"non-finite reference value {number}")
        return repr(number)
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(literal(item) for item in value) + "]"
    raise TypeError(f"cannot render {value!r}")


def emit(name, description, rows):
    """Print one exported array of objects."""
    lines = textwrap.wrap(description, 76)
    if len(lines) == 1:
        print(f"/** {description} */")
    else:
        print("/**")
        for line in lines:
            print(f" * {line}")
        print(" */")
    print(f"export const {name} = [")
    for row in rows:
        fields = ", ".join(
            f"{key}: {literal(value)}" for key, value in row.items())
        print(f"  {{ {fields} }},")
    print("];")
    print()


def require_close(first, second, tolerance, what):
    """Stop when two values differ by more than a relative tolerance
    (or, near zero, by more than 1e-15)."""
    difference = abs(first - second)
    if difference > max(tolerance * max(abs(first), abs(second)), 1e-15):
        sys.exit(f"{what}: {first!r} and {second!r} disagree")


def t_quantile(p, df, guess):
    """The Student t quantile as the root of mpmath's distribution."""
    if p == 0.5:
        return 0.0
    tail = mpmath.mpf(min(p, 1 - p))
    half_df = mpmath.mpf(df) / 2

    def excess(t):
        ratio = df / (df + t * t)
        return mpmath.betainc(half_df, 0.5, 0, ratio, regularized=True) / 2 \
            - tail

    root = mpmath.findroot(excess, abs(guess))
    return float(root if p > 0.5 else -root)


def distribution_vectors():
    xs = [-37.5, -30, -20, -10, -8.3, -5, -3.2, -1.96, -1, -0.5, -1e-8, 0,
          1e-8, 0.3, 1, 1.6448536269514722, 2.5, 5, 8, 10, 38]
    emit("NORMAL_CDF_VECTORS", "scipy.stats.norm.cdf",
         [{"x": x, "expected": stats.norm.cdf(x)} for x in xs])

    ps = [1e-300, 1e-100, 1e-20, 1e-10, 1e-5, 0.001, 0.005, 0.025, 0.05,
          0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 0.975, 0.995,
          0.999, 1 - 1e-10, 1 - 2**-52]
    emit("NORMAL_QUANTILE_VECTORS", "scipy.stats.norm.ppf",
         [{"p": p, "expected": stats.norm.ppf(p)} for p in ps])

    chi_cases = [(0.001, 1), (0.5, 1), (3.841458820694124, 1), (10.83, 1),
                 (50, 1), (200, 1), (1, 2), (5.99, 2), (30, 3), (0.1, 5),
                 (2.5, 0.5), (100, 10), (1000, 10), (50, 50), (10, 100),
                 (150, 100), (0, 4)]
    rows = []
    for x, df in chi_cases:
        expected = stats.chi2.sf(x, df)
        exact = mpmath.gammainc(mpmath.mpf(df) / 2, mpmath.mpf(x) / 2,
                                regularized=True)
        require_close(expected, float(exact), 1e-9, f"chi2.sf({x}, {df})")
        rows.append({"x": x, "degreesOfFreedom": df, "expected": expected})
    emit("CHI_SQUARE_SURVIVAL_VECTORS", "scipy.stats.chi2.sf", rows)

    t_cases = [(0, 5), (1, 1), (-1, 1), (2, 1), (63.66, 1), (1e6, 1),
               (2.5, 2), (-2.5, 2), (1.96, 10), (5, 3), (10, 30),
               (-0.1, 30), (2, 1000), (2, 2e5), (4, 1e6), (50, 10),
               (0.001, 7), (3.3, 17.42), (-4.2, 6.5), (12, 4)]
    emit("STUDENT_T_SURVIVAL_VECTORS", "scipy.stats.t.sf",
         [{"t": t, "degreesOfFreedom": df, "expected": stats.t.sf(t, df)}
          for t, df in t_cases])

    quantile_cases = [(0.975, 1), (0.995, 1), (0.95, 2), (0.975, 4.5),
                      (0.9, 9), (0.995, 29), (0.025, 10), (0.5, 3),
                      (0.999999, 3), (0.975, 1e5), (1e-10, 2), (0.7, 12.3),
                      (0.95, 199998.5)]
    rows = []
    for p, df in quantile_cases:
        expected = stats.t.ppf(p, df)
        exact = t_quantile(p, df, expected)
        require_close(expected, exact, 1e-8, f"t.ppf({p}, {df})")
        rows.append({"p": p, "degreesOfFreedom": df, "expected": expected,
                     "exact": exact})
    emit("STUDENT_T_QUANTILE_VECTORS",
         "scipy.stats.t.ppf, and as exact the root of the mpmath t "
         "distribution function (scipy's differs from it by up to 3e-9, "
         "relatively)", rows)

    gamma_arguments = [1e-10, 0.1, 0.5, 1, 1.5, 2, 2.5, 4, 7.3, 9.99, 10,
                       10.5, 100, 1000.5, 1e5, 1e6]
    emit("LOG_GAMMA_VECTORS", "scipy.special.gammaln",
         [{"x": x, "expected": special.gammaln(x)} for x in gamma_arguments])

    beta_arguments = [(0.5, 0.5), (2, 3), (1, 1e6), (0.5, 1e5),
                      (50001, 100002), (12.5, 30), (3, 1e4)]
    emit("LOG_BETA_VECTORS", "scipy.special.betaln",
         [{"a": a, "b": b, "expected": special.betaln(a, b)}
          for a, b in beta_arguments])

    incomplete_gamma = [(0.5, 0.01), (0.5, 2), (1, 1), (2.5, 1), (3, 10),
                        (10, 5), (10, 20), (50, 45), (100, 130), (0.1, 30)]
    emit("REGULARIZED_GAMMA_VECTORS",
         "scipy.special.gammainc and gammaincc",
         [{"a": a, "x": x, "lower": special.gammainc(a, x),
           "upper": special.gammaincc(a, x)} for a, x in incomplete_gamma])

    incomplete_beta = [(0.5, 2, 3), (0.1, 0.5, 0.5), (0.9, 5, 0.5),
                       (0.999, 2, 2), (0.3, 10, 20), (0.6, 100, 80),
                       (0.99998, 1e5, 0.5), (1e-5, 1.5, 4), (0.5, 1, 1)]
    emit("REGULARIZED_BETA_VECTORS", "scipy.special.betainc",
         [{"x": x, "a": a, "b": b, "expected": special.betainc(a, b, x)}
          for x, a, b in incomplete_beta])


def proportion_vectors():
    wilson_cases = [(0, 1), (1, 1), (0, 10), (10, 10), (3, 10), (7, 13),
                    (1, 100000), (50000, 100000), (12345, 100000),
                    (99999, 100000), (100000, 100000), (450, 5000)]
    rows = []
    for successes, trials in wilson_cases:
        for confidence in CONFIDENCES:
            lower, upper = proportion_confint(
                successes, trials, alpha=1 - confidence, method="wilson")
            rows.append({"successes": successes, "trials": trials,
                         "confidence": confidence,
                         "expected": [lower, upper]})
    emit("WILSON_VECTORS",
         'statsmodels proportion_confint(method="wilson")', rows)

    comparisons = [
        (10, 100, 10, 100), (0, 10, 1, 10), (5, 50, 15, 50),
        (1000, 10000, 1100, 10000), (50000, 100000, 50500, 100000),
        (100, 1000, 200, 2000), (3, 7, 9, 11),
        (100, 100000, 1000, 100000), (10000, 100000, 9000, 100000),
        (1, 1000, 0, 5000), (49999, 100000, 50000, 100000),
        (48, 80, 56, 70), (3, 10, 9, 10), (0, 29, 5, 56),
        (120, 2400, 95, 800), (99990, 100000, 99995, 100000),
    ]
    rows = []
    for c_succ, c_trials, t_succ, t_trials in comparisons:
        z, p_value = proportions_ztest(
            [t_succ, c_succ], [t_trials, c_trials])
        table = [[t_succ, t_trials - t_succ], [c_succ, c_trials - c_succ]]
        chi2, chi_p, _, _ = stats.chi2_contingency(table, correction=False)
        require_close(p_value, chi_p, 1e-9, f"z-test p for {table}")
        require_close(z * z, chi2, 1e-9, f"z-test z for {table}")
        rows.append({"control": [c_succ, c_trials],
                     "treatment": [t_succ, t_trials],
                     "z": z, "pValue": p_value})
    emit("Z_TEST_VECTORS",
         "statsmodels proportions_ztest, checked against scipy "
         "chi2_contingency(correction=False)", rows)

    newcombe_cases = comparisons + [(0, 10, 0, 10), (10, 10, 10, 10),
                                    (0, 10, 10, 10), (0, 20, 10, 10)]
    rows = []
    for c_succ, c_trials, t_succ, t_trials in newcombe_cases:
        for confidence in CONFIDENCES:
            lower, upper = confint_proportions_2indep(
                t_succ, t_trials, c_succ, c_trials, method="newcomb",
                compare="diff", alpha=1 - confidence)
            rows.append({"control": [c_succ, c_trials],
                         "treatment": [t_succ, t_trials],
                         "confidence": confidence,
                         "expected": [lower, upper]})
    emit("NEWCOMBE_VECTORS",
         'statsmodels confint_proportions_2indep(method="newcomb")', rows)


def miller_sum(c_succ, c_trials, t_succ, t_trials):
    """P(p_treatment > p_control) by Evan Miller's sum in mpmath."""
    alpha_c, beta_c = 1 + c_succ, 1 + c_trials - c_succ
    alpha_t, beta_t = 1 + t_succ, 1 + t_trials - t_succ
    term = mpmath.beta(alpha_c, beta_c + beta_t) / mpmath.beta(alpha_c, beta_c)
    total = mpmath.mpf(0)
    for i in range(alpha_t):
        total += term
        term *= mpmath.mpf((alpha_c + i) * (beta_t + i))
        term /= (alpha_c + beta_c + beta_t + i) * (i + 1)
    return total


def quadrature(c_succ, c_trials, t_succ, t_trials):
    """The same probability by scipy quad of pdf_t(x) * cdf_c(x)."""
    control = stats.beta(1 + c_succ, 1 + c_trials - c_succ)
    treatment = stats.beta(1 + t_succ, 1 + t_trials - t_succ)
    low = min(control.ppf(1e-17), treatment.ppf(1e-17))
    high = max(control.isf(1e-17), treatment.isf(1e-17))
    value, _ = integrate.quad(
        lambda x: treatment.pdf(x) * control.cdf(x), low, high,
        epsabs=1e-14, epsrel=1e-13, limit=1000,
        points=[control.mean(), treatment.mean()])
    return value


def chance_vectors():
    cases = [
        (0, 1, 0, 1), (0, 10, 0, 10), (1, 10, 2, 10), (10, 10, 0, 10),
        (0, 10, 10, 10), (1, 1, 0, 1), (5, 100, 10, 100),
        (50, 1000, 65, 1000), (1000, 10000, 1050, 10000),
        (10000, 100000, 10300, 100000), (50000, 100000, 50400, 100000),
        (50000, 100000, 50000, 100000), (50000, 100000, 49700, 100000),
        (100000, 100000, 99990, 100000), (30, 200, 60, 500),
        (0, 100000, 3, 100000), (1200, 100000, 1000, 100000),
        (100, 1000, 200, 1000), (3, 7, 9, 11), (99, 100, 999, 1000),
        (2000, 50000, 4150, 100000),
    ]
    rows = []
    for case in cases:
        exact = float(miller_sum(*case))
        require_close(exact, quadrature(*case), 1e-9, f"chance {case}")
        c_succ, c_trials, t_succ, t_trials = case
        rows.append({"control": [c_succ, c_trials],
                     "treatment": [t_succ, t_trials], "expected": exact})
    emit("CHANCE_TO_BEAT_CONTROL_VECTORS",
         "mpmath exact sum (50 digits), checked against scipy "
         "integrate.quad of beta pdf * beta cdf", rows)


def datasets():
    generator = numpy.random.default_rng(20240611)
    revenue = generator.lognormal(3, 1, 1000)
    revenue[generator.random(1000) < 0.9] = 0
    big = generator.gamma(2, 15, 100000)
    big[generator.random(100000) < 0.7] = 0
    return [
        ("one user", numpy.array([42.5])),
        ("two users", numpy.array([0.0, 10.0])),
        ("cents with zeros", numpy.array([0.0, 0.0, 1999.0, 0.0, 4999.0])),
        ("conversions", (generator.random(1000) < 0.1).astype(float)),
        ("sparse revenue", revenue),
        ("constant", numpy.full(50, 3.7)),
        ("normal", generator.normal(100, 10, 400)),
        ("100,000 users", big),
    ]


def mean_vectors():
    rows = []
    for label, values in datasets():
        variance = None
        if len(values) > 1:
            variance = float(numpy.var(values, ddof=1))
        rows.append({"label": label, "count": len(values),
                     "sum": math.fsum(values),
                     "sumOfSquares": math.fsum(values * values),
                     "mean": float(numpy.mean(values)),
                     "variance": variance})
    emit("SUMMARIZE_VALUES_VECTORS",
         "numpy mean and var(ddof=1) of seeded samples", rows)

    interval_cases = [(10, 4, 2), (10, 4, 3), (0, 1, 10), (-3.5, 2.25, 30),
                      (100.25, 1e4, 1000), (0.1, 0.09, 100000),
                      (1e6, 2.5e9, 50)]
    rows = []
    for mean, variance, count in interval_cases:
        for confidence in CONFIDENCES:
            lower, upper = stats.t.interval(
                confidence, count - 1, loc=mean,
                scale=math.sqrt(variance / count))
            rows.append({"mean": mean, "variance": variance, "count": count,
                         "confidence": confidence,
                         "expected": [lower, upper]})
    emit("MEAN_INTERVAL_VECTORS", "scipy.stats.t.interval", rows)

    generator = numpy.random.default_rng(7)
    pairs = [
        (generator.normal(10, 2, 2), generator.normal(11, 3, 2)),
        (generator.normal(10, 2, 5), generator.normal(14, 6, 9)),
        (generator.normal(5, 1, 30), generator.normal(5.2, 4, 12)),
        (numpy.full(20, 5.0), generator.normal(6, 1, 15)),
        (generator.exponential(20, 1000), generator.exponential(21, 1000)),
        (generator.normal(100, 10, 100000), generator.normal(100.1, 10,
                                                             100000)),
        (generator.normal(50, 5, 5000), generator.normal(53, 5, 300)),
        (generator.normal(0, 1, 40), generator.normal(0, 1, 40)),
        (generator.normal(1, 1, 60), generator.normal(1, 0.001, 60)),
        (generator.normal(10, 1, 1000), generator.normal(11.5, 1, 1000)),
    ]
    near_equal = generator.normal(3, 2, 50)
    pairs.append((near_equal, near_equal + 0.01))
    rows = []
    for control, treatment in pairs:
        comparison = CompareMeans.from_data(treatment, control)
        t, p_value, df = comparison.ttest_ind(usevar="unequal")
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            t_scipy, p_scipy = stats.ttest_ind(treatment, control,
                                               equal_var=False)
        require_close(t, t_scipy, 1e-9, "Welch t")
        require_close(p_value, p_scipy, 1e-9, "Welch p")
        summaries = {
            "control": [float(numpy.mean(control)),
                        float(numpy.var(control, ddof=1)), len(control)],
            "treatment": [float(numpy.mean(treatment)),
                          float(numpy.var(treatment, ddof=1)),
                          len(treatment)],
        }
        for confidence in CONFIDENCES:
            lower, upper = comparison.tconfint_diff(
                alpha=1 - confidence, usevar="unequal")
            rows.append({**summaries, "confidence": confidence, "t": t,
                         "degreesOfFreedom": df, "pValue": p_value,
                         "expected": [lower, upper]})
    emit("WELCH_VECTORS",
         'statsmodels CompareMeans.ttest_ind(usevar="unequal") and '
         "tconfint_diff, checked against scipy ttest_ind", rows)


def holm_vectors():
    cases = [
        [0.01, 0.04, 0.03, 0.005], [None, 0.2, None, 0.01, 0.5],
        [0.01, 0.01, 0.02], [1, 1], [0.03], [], [None, None],
        [0, 1e-300, 0.5], [0.3, 0.4, 0.5], [0.049, 0.02, 0.9, 0.011, 0.5],
        [1e-12, 2e-12, None, 0.7],
    ]
    rows = []
    for p_values in cases:
        present = [p for p in p_values if p is not None]
        adjusted = []
        if present:
            adjusted = list(multipletests(present, method="holm")[1])
        expected = [None if p is None else adjusted.pop(0)
                    for p in p_values]
        rows.append({"pValues": p_values, "expected": expected})
    emit("HOLM_VECTORS", 'statsmodels multipletests(method="holm")', rows)


def sample_ratio_vectors():
    cases = [
        ([5000, 5000], [50, 50]), ([5050, 4950], [50, 50]),
        ([5200, 4800], [50, 50]), ([2000, 8000], [20, 80]),
        ([2100, 7900], [20, 80]), ([100, 0], [50, 50]), ([1, 0], [50, 50]),
        ([3333, 3333, 3334], [33.33, 33.33, 33.34]),
        ([10, 20, 70], [10, 20, 70]), ([150, 250, 600], [10, 20, 70]),
        ([10000, 10500], [50, 50]), ([1000000, 1010000], [50, 50]),
        ([0, 5], [90, 10]), ([4900, 5100, 10000, 10000], [20, 20, 30, 30]),
    ]
    rows = []
    for observed, allocations in cases:
        total = sum(observed)
        expected_counts = [total * a / sum(allocations) for a in allocations]
        chi_square, p_value = stats.chisquare(observed, expected_counts)
        rows.append({"observed": observed, "allocations": allocations,
                     "chiSquare": chi_square, "pValue": p_value})
    emit("SAMPLE_RATIO_VECTORS", "scipy.stats.chisquare", rows)


def main():
    print("// Generated by test/domain/statistics/reference/make_vectors.py")
    print(f"// with scipy {scipy.__version__}, "
          f"statsmodels {statsmodels.__version__}, "
          f"mpmath {mpmath.__version__} and numpy {numpy.__version__}")
    print("// (Debian packages). Do not edit by hand: rerun the script.")
    print()
    distribution_vectors()
    proportion_vectors()
    chance_vectors()
    mean_vectors()
    holm_vectors()
    sample_ratio_vectors()


if __name__ == "__main__":
    main()
