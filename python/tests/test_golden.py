"""Independent golden values (exact enumerations and closed forms of the derivations), as
exact Fractions, through the Python API."""

from decimal import Decimal
from fractions import Fraction

import pytest

import ntk


def test_mean_and_second_moment_of_3_2_2_at_sigma2_2():
    result = ntk.moments(widths=[3, 2, 2], sigma2=2, exact=True)
    assert result.E_theta == Fraction(61, 12)
    assert result.E_theta2 == Fraction(8809, 72)
    assert result.variance == Fraction(8809, 72) - Fraction(61, 12) ** 2
    assert type(result.E_theta) is Fraction and type(result.E_theta2) is Fraction


@pytest.mark.parametrize("widths, sigma2, input_norm2, no_bias, mean, second", [
    ("3,2,2", 2, 1, True, Fraction(7, 3), Fraction(1457, 36)),
    ("1,1", 2, 1, False, Fraction(4), Fraction(45)),
    ("2", Fraction(3, 2), Fraction(1, 2), False, Fraction(3, 2), Fraction(9, 4)),
    ("4,3,5", "5/2", 2, False, Fraction(417, 32), Fraction(95587, 192)),
    ("5,5,5,5", 2, 1, False, Fraction(8097, 1024), Fraction(6486829, 32000)),
])
def test_golden_table(widths, sigma2, input_norm2, no_bias, mean, second):
    result = ntk.moments(widths=widths, sigma2=sigma2, input_norm2=input_norm2, no_bias=no_bias, exact=True)
    assert (result.E_theta, result.E_theta2) == (mean, second)


def test_third_and_fourth_moments():
    result = ntk.moments(widths=[3, 2, 2], sigma2=2, exact=True, max_moment=4)
    assert result.E_theta3 == Fraction(30467, 4)
    assert result.E_theta4 == Fraction(21200807, 24)
    other = ntk.moments(widths=[4, 3, 5], sigma2=Fraction(5, 2), input_norm2=2, exact=True, max_moment=4)
    assert other.E_theta3 == Fraction(18789807, 512)
    assert other.E_theta4 == Fraction(4455833539, 1024)


@pytest.mark.parametrize("sigma2, expected", [("3/2", Fraction(63, 4)), (2, Fraction(440, 9)), (2.5, Fraction(2125, 18))])
def test_first_step_smooth_part(sigma2, expected):
    result = ntk.moments(widths=[3, 2, 2], sigma2=sigma2, exact=True, first_step=True)
    assert result.E_fQ == expected


def test_certified_enclosure_contains_the_exact_value():
    result = ntk.moments(widths=[3, 2, 2], sigma2=2, certified=True, max_moment=4)
    for name, exact in [("E_theta", Fraction(61, 12)), ("E_theta2", Fraction(8809, 72)),
                        ("E_theta3", Fraction(30467, 4)), ("E_theta4", Fraction(21200807, 24))]:
        lower, upper = result.bounds(name)
        assert ntk.to_fraction(lower) <= exact <= ntk.to_fraction(upper), name
        assert abs(float(getattr(result, name)) - float(exact)) < 1e-12 * float(exact)


def test_symbolic_coefficients_are_fractions_that_reproduce_the_golden_value():
    result = ntk.symbolic(widths=[3, 2, 2])
    coefficients = result.E_theta.coefficients
    value = sum(c * Fraction(1) ** i * Fraction(2) ** j for i, row in enumerate(coefficients) for j, c in enumerate(row))
    assert value == Fraction(61, 12)
    assert all(type(c) is Fraction for row in coefficients for c in row)


def test_values_outside_double_range_are_kept_exactly():
    # E[Θ] of a deep network at large σ²: far above 1e308. The exact value is a Fraction; the
    # MPFR value keeps its exponent and digits (float() would give inf).
    exact = ntk.moments(width=4, depth=120, sigma2=10000, exact=True).E_theta
    assert type(exact) is Fraction and exact > Fraction(10) ** 400
    rounded = ntk.moments(width=4, depth=120, sigma2=10000).E_theta
    assert ntk.to_fraction(rounded) > Fraction(10) ** 400
    assert abs(ntk.to_fraction(rounded) / exact - 1) < Fraction(1, 10 ** 18)
    # Far below the smallest double: still nonzero and exact to its digits.
    tiny = ntk.moments(width=4, depth=120, sigma2=Fraction(1, 1000), no_bias=True).E_theta
    assert tiny != 0 and ntk.to_fraction(tiny) < Fraction(1, 10 ** 330)
    tiny_exact = ntk.moments(width=4, depth=120, sigma2=Fraction(1, 1000), no_bias=True, exact=True).E_theta
    assert abs(ntk.to_fraction(tiny) / tiny_exact - 1) < Fraction(1, 10 ** 18)


def test_mpfr_values_are_never_floats():
    result = ntk.moments(widths=[3, 2, 2], sigma2=2, digits=40)
    assert not isinstance(result.E_theta, float)
    assert abs(ntk.to_fraction(result.E_theta) - Fraction(61, 12)) < Fraction(1, 10 ** 38)
    assert isinstance(result.floats()["E_theta"], float)


def test_limit_and_expand_phase():
    assert ntk.limit(lambda_="1/2", sigma2=2).phase == "edge-of-chaos"
    assert ntk.limit(lambda_="1/2", sigma2="3/2").phase == "ordered"
    expansion = ntk.expand(sigma2=2, lambda_="1/2", order=2)
    assert abs(float(expansion.c1) - float(expansion.c1_closed_form)) < 1e-15


def test_monte_carlo_results_carry_estimates_standard_errors_and_verdicts():
    result = ntk.validate(widths=[3, 2, 2], sigma2=2, samples=4000, seed=7, threads=1)
    assert result.verdict in ("pass", "fail")
    assert result.E_theta.exact == pytest.approx(61 / 12)
    assert result.E_theta.se > 0 and isinstance(result.E_theta.mc, float)
    distribution = ntk.distribution(widths=[3, 2, 2], sigma2=2, samples=2000, seed=3, threads=1)
    assert [m.k for m in distribution.moments] == [1, 2, 3, 4]
    assert distribution.moments[1].exact == pytest.approx(float(Fraction(8809, 72) / Fraction(61, 12) ** 2))
    step = ntk.step(widths=[3, 2, 2], sigma2=2, samples=500, seed=1, threads=1)
    assert step.E_fQ.exact == pytest.approx(440 / 9)


def test_failed_and_inconclusive_validations_are_results_not_exceptions(cli):
    # Exit codes 1 and 3 of the command line: the report is still the result. (A FAIL of the
    # correct model needs a tiny z-max and enough samples for the normal approximation:
    # N ≥ 100γ² for the exact skewness of Θ and Θ², derivations/06.)
    failed = ntk.validate(widths=[6, 6, 6], sigma2=2, samples=20000, seed=1, threads=1, z_max="0.01")
    code, _, _ = cli("validate", "--widths", "6,6,6", "--sigma2", "2", "--samples", "20000", "--seed", "1",
                     "--threads", "1", "--z-max", "0.01")
    assert code == 1 and failed.verdict == "fail" and failed.passed is False
    inconclusive = ntk.validate(widths=[3, 2, 2], sigma2=2, samples=10, seed=1)
    assert inconclusive.verdict == "inconclusive"


def test_chart_returns_svg_or_writes_the_file(tmp_path):
    assert "<svg" in ntk.chart(kind="dispersion", points=3)
    target = tmp_path / "dispersion.svg"
    assert ntk.chart(kind="dispersion", points=3, output=str(target)) == str(target)
    assert "<svg" in target.read_text()


def test_kernel_values_are_the_guaranteed_digits_with_outward_bounds():
    # At σ² = 2 the diagonal is L(‖x‖² + 1) = 7·4 (derivations/09), exact in every arithmetic.
    result = ntk.kernel(width=10, depth=7, sigma2=2, input_norm2=3, correlation=["1/2", 1])
    assert result.schema == "ntk.kernel" and result.schema_version == 1
    half, one = result.results
    assert one.ntk == 28 and one.correlation == 1 and half.correlation == Fraction(1, 2)
    assert not isinstance(half.ntk, float)  # 20 guaranteed digits, not a rounded double
    lower, value, upper = (ntk.to_fraction(x) for x in (half.ntk_lower, half.ntk, half.ntk_upper))
    assert lower <= upper and abs(value - lower) <= upper - lower + Fraction(1, 10**18)
    assert abs(float(half.ntk) - _arccos_ntk(q=3, rho=0.5, layers=7)) < 1e-12


def _arccos_ntk(q, rho, layers):
    """The infinite-width NTK at σ² = 2 in plain floats, independently of the engine: the
    arc-cosine recursion Σ' = q(sin φ + (π − φ) cos φ)/π, Θ' = Σ' + Θ(π − φ)/π + 1 (bias),
    cos φ = Σ/q, from Σ¹ = ρq, Θ¹ = Σ¹ + 1 (derivations/09)."""
    import math
    sigma = rho * q
    theta = sigma + 1
    for _ in range(layers - 1):
        phi = math.acos(max(-1.0, min(1.0, sigma / q)))
        sigma, theta = (q * (math.sin(phi) + (math.pi - phi) * math.cos(phi)) / math.pi,
                        q * (math.sin(phi) + (math.pi - phi) * math.cos(phi)) / math.pi + theta * (math.pi - phi) / math.pi + 1)
    return theta


def test_output_writes_the_document_and_returns_the_path(tmp_path):
    path = str(tmp_path / "moments.json")
    assert ntk.moments(widths=[3, 2, 2], sigma2=2, exact=True, output=path) == path
    import json
    with open(path) as f:
        document = json.load(f)
    assert document["schema"] == "ntk.moments" and document["E_theta_exact"] == "61/12"


def test_table_row_of_3_2_2_is_the_enumerated_dispersion():
    # M = 2, L = round(3/2 · 2) = 3, n0 = round(3/2 · 2) = 3: the network 3,2,2.
    rows = ntk.table(sigma2=[2], lambda_=["3/2"], widths_grid=[2], input_ratio="3/2", digits=12, columns="L,n0,ratio")
    row = rows.iloc[0] if hasattr(rows, "iloc") else rows[0]
    assert (row["L"], row["n0"]) == (3, 3)
    assert abs(Fraction(str(row["ratio"])) / (Fraction(8809, 72) / Fraction(61, 12) ** 2) - 1) < Fraction(1, 10 ** 11)
