"""Return types with the optional extras absent (standard library only) and present.
make python-test runs the suite in two environments and sets NTK_EXPECT_EXTRAS."""

import os
from decimal import Decimal
from fractions import Fraction

import pytest

import ntk
from conftest import extras_absent, extras_present

EXPECTED = os.environ.get("NTK_EXPECT_EXTRAS")


def test_environment_is_the_one_the_makefile_built():
    if EXPECTED == "present":
        assert extras_present()
    elif EXPECTED == "absent":
        assert extras_absent()
    else:
        pytest.skip("NTK_EXPECT_EXTRAS not set (run through make python-test)")


@pytest.mark.skipif(not extras_absent(), reason="optional extras installed")
class TestWithoutExtras:
    def test_mpfr_values_are_decimals_with_the_printed_digits(self):
        result = ntk.moments(widths=[3, 2, 2], sigma2=2)
        assert result.E_theta == Decimal("5.0833333333333333333")
        assert result.bounds("E_theta") == (Decimal("5.0833333333333333333"), Decimal("5.0833333333333333334"))

    def test_table_is_a_list_of_dicts_with_every_column(self, cli):
        rows = ntk.table(sigma2=[2], lambda_=[0.5], widths_grid=[10])
        assert isinstance(rows, list) and isinstance(rows[0], dict)
        code, stdout, _ = cli("table", "--sigma2", "2", "--lambda", "0.5", "--widths-grid", "10", "--format", "csv")
        assert code == 0
        assert list(rows[0]) == stdout.splitlines()[0].split(",")

    def test_gram_matrices_are_nested_lists(self, tmp_path):
        inputs = tmp_path / "inputs.csv"
        inputs.write_text("1,0,0\n0,1,0\n1,1,1\n")
        result = ntk.kernel(widths=[3, 2, 2], sigma2=2, inputs=str(inputs))
        assert isinstance(result.ntk, list) and len(result.ntk) == 3

    def test_symbolic_has_no_expression(self):
        assert not hasattr(ntk.symbolic(widths=[2, 2]).E_theta, "expression")


@pytest.mark.skipif(not extras_present(), reason="optional extras not installed")
class TestWithExtras:
    def test_mpfr_values_are_mpf_at_the_computed_precision(self):
        import mpmath
        result = ntk.moments(widths=[3, 2, 2], sigma2=2, digits=40)
        assert isinstance(result.E_theta, mpmath.mpf)
        assert result.precision_bits >= 128
        with mpmath.workprec(200):
            assert abs(result.E_theta - mpmath.mpf(61) / 12) < mpmath.mpf(10) ** -38

    def test_table_is_a_dataframe_with_every_column(self, cli):
        import pandas
        frame = ntk.table(sigma2=[1.5, 2], lambda_=[0.5], widths_grid=[10])
        assert isinstance(frame, pandas.DataFrame) and len(frame) == 2
        code, stdout, _ = cli("table", "--sigma2", "1.5,2", "--lambda", "0.5", "--widths-grid", "10", "--format", "csv")
        assert code == 0
        assert list(frame.columns) == stdout.splitlines()[0].split(",")

    def test_gram_matrices_are_numpy_arrays(self, tmp_path):
        import numpy
        inputs = tmp_path / "inputs.csv"
        inputs.write_text("1,0,0\n0,1,0\n1,1,1\n")
        result = ntk.kernel(widths=[3, 2, 2], sigma2=2, inputs=str(inputs))
        assert isinstance(result.ntk, numpy.ndarray) and result.ntk.shape == (3, 3)
        floats = result.floats()["ntk"]
        assert floats.dtype == float and numpy.allclose(floats, floats.T)

    def test_symbolic_gives_a_sympy_expression(self):
        import sympy
        polynomial = ntk.symbolic(widths=[3, 2, 2]).E_theta
        s, x = sympy.symbols("s x", positive=True)
        assert polynomial.expression.subs({s: 2, x: 1}) == sympy.Rational(61, 12)

    def test_progress_true_draws_a_tqdm_bar(self, capsys):
        ntk.validate(width=20, depth=10, sigma2=2, samples=20000, seed=1, threads=1, progress=True)
        assert "ntk validate" in capsys.readouterr().err
