"""Print the reference values of test/domain/analysis_test.ts and
test/domain/report_test.ts.

The values come from scipy 1.10.1 and statsmodels 0.13.5 as packaged by
Debian (python3-scipy, python3-statsmodels). Run it with Debian's
interpreter:

    /usr/bin/python3 test/domain/statistics/reference/report_vectors.py

Each section is printed as JSON, floats written with repr() so that they
round-trip exactly; the tests quote them with the call that produced them.
The value metrics are built from explicit per-user arrays, with a zero for
every assigned user without a value, so that Welch's test runs on the same
data the service aggregates into sums and sums of squares.
"""

import json
import math

import numpy
import scipy
import statsmodels
from scipy import integrate, stats
from statsmodels.stats.multitest import multipletests
from statsmodels.stats.proportion import (
    confint_proportions_2indep,
    proportion_confint,
    proportions_ztest,
)


def show(title, value):
    """Print one section."""
    print(f"== {title}")
    print(json.dumps(value, indent=1, default=float))


def wilson(converted, users, confidence):
    low, high = proportion_confint(
        converted, users, alpha=1 - confidence, method="wilson"
    )
    return [float(low), float(high)]


def z_test_p(control, treatment):
    _, p = proportions_ztest(
        [treatment[1], control[1]], [treatment[0], control[0]]
    )
    return float(p)


def newcombe(control, treatment, confidence):
    low, high = confint_proportions_2indep(
        treatment[1],
        treatment[0],
        control[1],
        control[0],
        method="newcomb",
        compare="diff",
        alpha=1 - confidence,
    )
    return [float(low), float(high)]


def chance_to_beat(control, treatment):
    """P(rate_t > rate_c) under Beta(1 + s, 1 + f) posteriors, by quad."""
    c = stats.beta(1 + control[1], 1 + control[0] - control[1])
    t = stats.beta(1 + treatment[1], 1 + treatment[0] - treatment[1])
    low = min(c.ppf(1e-15), t.ppf(1e-15))
    high = max(c.isf(1e-15), t.isf(1e-15))
    value, _ = integrate.quad(
        lambda x: t.pdf(x) * c.cdf(x), low, high, epsabs=1e-13, limit=200
    )
    return float(value)


def compare_conversions(control, treatment, confidence):
    """control and treatment are (users, converted)."""
    baseline = control[1] / control[0]
    difference = treatment[1] / treatment[0] - baseline
    return {
        "absoluteLift": difference,
        "relativeLift": None if baseline == 0 else difference / baseline,
        "liftInterval": newcombe(control, treatment, confidence),
        "pValue": z_test_p(control, treatment),
        "chanceToBeatControl": chance_to_beat(control, treatment),
    }


def amounts(count, base, spread, step, seed):
    """Whole-unit order values, deterministic and spread out."""
    return [base + (i * step + seed) % spread for i in range(count)]


def per_user(values, users):
    """Every assigned user's value: zero for those without one."""
    return numpy.array(values + [0] * (users - len(values)), dtype=float)


def totals(array):
    return {
        "users": len(array),
        "sum": float(math.fsum(array)),
        "sumOfSquares": float(math.fsum(x * x for x in array)),
    }


def mean_interval(array, confidence):
    n = len(array)
    mean = float(numpy.mean(array))
    sem = float(numpy.std(array, ddof=1)) / math.sqrt(n)
    low, high = stats.t.interval(confidence, n - 1, loc=mean, scale=sem)
    return {"mean": mean, "interval": [float(low), float(high)]}


def welch(control, treatment, confidence):
    result = stats.ttest_ind(treatment, control, equal_var=False)
    share_c = numpy.var(control, ddof=1) / len(control)
    share_t = numpy.var(treatment, ddof=1) / len(treatment)
    df = (share_c + share_t) ** 2 / (
        share_c**2 / (len(control) - 1) + share_t**2 / (len(treatment) - 1)
    )
    difference = float(numpy.mean(treatment) - numpy.mean(control))
    margin = stats.t.ppf(1 - (1 - confidence) / 2, df) * math.sqrt(
        share_c + share_t
    )
    mean_c = float(numpy.mean(control))
    return {
        "absoluteLift": difference,
        "relativeLift": None if mean_c == 0 else difference / mean_c,
        "liftInterval": [difference - margin, difference + margin],
        "pValue": float(result.pvalue),
    }


def holm(p_values):
    _, adjusted, _, _ = multipletests(p_values, method="holm")
    return [float(p) for p in adjusted]


def analysis_vectors():
    show(
        "conversionRate wilson",
        [
            {"users": n, "converted": k, "confidence": c,
             "interval": wilson(k, n, c)}
            for n, k, c in [
                (1000, 100, 0.95),
                (50, 8, 0.9),
                (2400, 96, 0.99),
                (200, 0, 0.95),
                (40, 40, 0.95),
            ]
        ],
    )
    show(
        "compareConversions",
        [
            {"control": c, "treatment": t, "confidence": conf,
             **compare_conversions(c, t, conf)}
            for c, t, conf in [
                ((1000, 100), (1000, 130), 0.95),
                ((480, 60), (520, 52), 0.9),
                ((2500, 75), (2400, 96), 0.99),
            ]
        ],
    )
    show(
        "compareConversions zero baseline",
        {"pValue": z_test_p((200, 0), (200, 6)),
         "liftInterval": newcombe((200, 0), (200, 6), 0.95)},
    )

    control = per_user(amounts(120, 15, 90, 37, 11), 800)
    treatment = per_user(amounts(131, 18, 95, 41, 5), 780)
    show("value control totals", totals(control))
    show("value treatment totals", totals(treatment))
    show(
        "valueMean",
        {str(c): mean_interval(control, c) for c in (0.9, 0.95, 0.99)},
    )
    show(
        "compareValues",
        {str(c): welch(control, treatment, c) for c in (0.9, 0.95, 0.99)},
    )
    small = numpy.array([0, 12, 0, 30, 7], dtype=float)
    show("valueMean small totals", totals(small))
    show("valueMean small", mean_interval(small, 0.9))

    zeros = numpy.zeros(300)
    show(
        "compareValues zero control",
        welch(zeros, treatment, 0.95),
    )
    show(
        "holm",
        {"input": [0.004, 0.03, 0.02, 0.2],
         "adjusted": holm([0.004, 0.03, 0.02, 0.2])},
    )


# The report fixture: three variants, two countries.
VARIANTS = [("control", 50), ("express checkout", 25), ("one-click", 25)]
USERS = {"control": (1180, 820), "express checkout": (610, 390),
         "one-click": (575, 445)}
PURCHASES = {"control": (121, 79), "express checkout": (81, 49),
             "one-click": (58, 46)}
SIGNUPS = {"control": (372, 228), "express checkout": (170, 115),
           "one-click": (190, 144)}
AMOUNTS = {
    "control": amounts(200, 20, 90, 37, 7),
    "express checkout": amounts(130, 25, 91, 37, 0),
    "one-click": amounts(104, 20, 90, 37, 21),
}


def report_vectors():
    users = {name: sum(USERS[name]) for name, _ in VARIANTS}
    observed = [users[name] for name, _ in VARIANTS]
    expected = [sum(observed) * share / 100 for _, share in VARIANTS]
    chi, p = stats.chisquare(observed, f_exp=expected)
    show("srm main", {"chi_square": float(chi), "p_value": float(p)})
    for observed, shares in [
        ([200, 800], [20, 80]),
        ([500, 500], [20, 80]),
        ([150, 1], [50, 50]),
    ]:
        expected = [sum(observed) * s / 100 for s in shares]
        chi, p = stats.chisquare(observed, f_exp=expected)
        show(f"srm {observed} against {shares}",
             {"chi_square": float(chi), "p_value": float(p)})

    rows = []
    for name, _ in VARIANTS:
        values = AMOUNTS[name]
        us = PURCHASES[name][0]
        rows.append({
            "variant": name,
            "US": {"sum": math.fsum(values[:us]),
                   "sumOfSquares": math.fsum(v * v for v in values[:us])},
            "DE": {"sum": math.fsum(values[us:]),
                   "sumOfSquares": math.fsum(v * v for v in values[us:])},
        })
    show("value rows", rows)

    control_name = VARIANTS[0][0]
    p_values = []
    conversions = {}
    for event, table in [("purchase", PURCHASES), ("signup", SIGNUPS)]:
        c = (users[control_name], sum(table[control_name]))
        conversions[event] = []
        for name, _ in VARIANTS:
            own = (users[name], sum(table[name]))
            entry = {"variant": name, "rate": own[1] / own[0],
                     "interval": wilson(own[1], own[0], 0.95)}
            if name != control_name:
                entry.update(compare_conversions(c, own, 0.95))
                p_values.append(entry["pValue"])
            conversions[event].append(entry)
    show("report conversions", conversions)

    arrays = {name: per_user(AMOUNTS[name], users[name])
              for name, _ in VARIANTS}
    values = []
    for name, _ in VARIANTS:
        entry = {"variant": name, **totals(arrays[name]),
                 **mean_interval(arrays[name], 0.95)}
        if name != control_name:
            entry.update(welch(arrays[control_name], arrays[name], 0.95))
            p_values.append(entry["pValue"])
        values.append(entry)
    show("report values", values)
    show("report holm", {"input": p_values, "adjusted": holm(p_values)})


def summary_vectors():
    for control, treatment, confidence in [
        ((480, 60), (520, 52), 0.9),
        ((5000, 500), (5000, 600), 0.99),
    ]:
        show(f"summary {control} against {treatment} at {confidence}",
             compare_conversions(control, treatment, confidence))
    show("summary (150, 0) against (160, 0) at 0.95",
         {"liftInterval": newcombe((150, 0), (160, 0), 0.95)})


if __name__ == "__main__":
    print(f"# scipy {scipy.__version__}, statsmodels {statsmodels.__version__}")
    analysis_vectors()
    report_vectors()
    summary_vectors()
