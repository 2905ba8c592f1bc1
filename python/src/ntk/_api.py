"""One function per capability of the calculator. Keyword arguments are the command's long
options with `_` for `-` (`max_moment=4` is `--max-moment 4`); `True` is a bare flag
(`exact=True` is `--exact`); lists become comma lists (`widths=[3, 2, 2]`). Numbers may be
int, Fraction, Decimal, str (`"5/2"`) or float (taken as its shortest decimal, `2.5`).
`ntk help <command>` lists every option; each function accepts all of them.
"""

import sys
from decimal import Decimal
from fractions import Fraction
from pathlib import PurePath

from . import _engine, _results

try:
    import pandas
except ImportError:  # optional extra
    pandas = None
try:
    import sympy
except ImportError:  # optional extra
    sympy = None


class NTKUsageError(ValueError):
    """A wrong argument or a refused job: the message is the one line the CLI prints."""


class ValidationError(RuntimeError):
    """A Monte Carlo validation failed (exit 1) or was inconclusive (exit 3) without a report."""


def _wire(value):
    """An option value as the engine reads it: exact text for every number."""
    if value is None or isinstance(value, (bool, int, str, dict)):
        return value  # a dict is refused by the engine with its one-line message
    if isinstance(value, Fraction):
        return f"{value.numerator}/{value.denominator}" if value.denominator != 1 else str(value.numerator)
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, (Decimal, PurePath)):
        return str(value)
    if isinstance(value, (list, tuple, range)):
        return [_wire(v) for v in value]
    if type(value).__name__ == "mpf":
        import mpmath
        return mpmath.nstr(value, mpmath.libmp.prec_to_dps(value.context.prec) + 2, strip_zeros=True)
    if hasattr(value, "tolist"):  # numpy scalars and arrays
        return _wire(value.tolist())
    return str(value)


def _progress_callback(progress, command):
    if progress is None or progress is False:
        return None, None
    if callable(progress):
        return progress, None
    try:
        from tqdm.auto import tqdm
    except ImportError:
        def show(update):
            sys.stderr.write("\r" + update.get("text", "") + "\x1b[K")
            sys.stderr.flush()
        return show, lambda: sys.stderr.write("\r\x1b[K")
    bar = tqdm(desc=f"ntk {command}", unit="", leave=False)

    def update(update):
        if "total" in update and bar.total != update["total"]:
            bar.total = update["total"]
        if "done" in update:
            bar.n = update["done"]
        bar.set_postfix_str(update.get("text", ""), refresh=True)
    return update, bar.close


def run(command, progress=None, **options):
    """Runs any `ntk` command (e.g. `"moments"`, `"validate merge"`) and returns the converted
    result — or, with `output=PATH`, writes what the command prints to PATH atomically and returns
    PATH; the functions below are this with the command named.

    >>> run("moments", widths=[3, 2, 2], sigma2=2, exact=True).E_theta
    Fraction(61, 12)
    """
    wire = {name: _wire(value) for name, value in options.items() if value is not None}
    callback, finish = _progress_callback(progress, command)
    try:
        answer = _engine.POOL.request(command, wire, callback)
    finally:
        if finish:
            finish()
    code, error, raw = answer["exit"], answer["error"], answer["result"]
    if code == 2:
        raise NTKUsageError(error)
    if code not in (0, 1, 3):
        raise _engine.EngineError(error or f"ntk {command} ended with exit status {code}")
    if raw is None and code != 0:
        raise ValidationError(error)
    if raw is None and options.get("output") is not None:
        return options["output"]  # written to that file instead (--output)
    name = "".join(part.capitalize() for part in command.split()) + "Result"
    result = _results.build(raw, name)
    if isinstance(result, list):
        return _frame(result)
    return result


def _frame(rows):
    """Rows of results as a pandas DataFrame when pandas is installed, else a list of dicts."""
    if rows and all(isinstance(r, _results.Result) for r in rows):
        rows = [r.to_dict() for r in rows]
        return pandas.DataFrame(rows) if pandas is not None else rows
    return rows


def moments(*, progress=None, **options):
    """E[Θ], E[Θ²], Var[Θ], the dispersion E[Θ²]/E[Θ]² and P(dead) for one network.

    Options as in `ntk moments`: widths, width/depth/input_dim, no_bias, sigma2, input_norm2,
    one of exact/mpfr/double/certified, precision, digits, max_digits, model ("exact" or "gi"),
    per_layer, max_moment (≤ 8), first_step, max_seconds. Exact runs give Fractions; MPFR and certified
    runs give mpmath.mpf (or Decimal) with `<name>_lower`/`<name>_upper` bounds.

    >>> import ntk
    >>> ntk.moments(widths=[3, 2, 2], sigma2=2, exact=True).E_theta
    Fraction(61, 12)
    """
    return run("moments", progress, **options)


def symbolic(*, progress=None, **options):
    """E[Θ] and E[Θ²] as exact polynomials in s = σ² and x = ‖x‖² (coefficients[i][j] multiplies
    x^i s^j, as Fractions); each polynomial has an `expression` (a sympy expression) when sympy
    is installed. Options as in `ntk symbolic`: widths, width/depth, no_bias, model, max_moment, first_step.

    >>> import ntk
    >>> ntk.symbolic(widths=[2, 2]).E_theta.coefficients[0][1]
    Fraction(1, 2)
    """
    result = run("symbolic", progress, **options)
    polynomials = [field for field in vars(result).values()
                   if isinstance(field, _results.Result) and hasattr(field, "coefficients")]
    for polynomial in polynomials:  # every coefficient is an exact rational, "0" and "1" included
        polynomial.coefficients = [[Fraction(c) for c in row] for row in polynomial.coefficients]
    if sympy is not None:
        s, x = sympy.symbols("s x", positive=True)
        for polynomial in polynomials:
            polynomial.expression = sympy.expand(sum(
                sympy.Rational(c.numerator, c.denominator) * x**i * s**j
                for i, row in enumerate(polynomial.coefficients) for j, c in enumerate(row)))
    return result


def limit(*, progress=None, **options):
    """The infinite-width limit of the dispersion at λ = L/M (options as in `ntk limit`:
    lambda_ (λ; `lambda` is a Python keyword), sigma2, alpha0, input_ratio, input_norm2, no_bias,
    precision, digits, corrections, max_moment, first_step, max_seconds).

    >>> import ntk
    >>> ntk.limit(lambda_="1/2", sigma2=2).phase
    'edge-of-chaos'
    """
    if "lambda_" in options:
        options["lambda"] = options.pop("lambda_")
    return run("limit", progress, **options)


def table(*, progress=None, **options):
    """The convergence table (finite-width dispersion against its limit): a pandas DataFrame
    when pandas is installed, else a list of dicts, with every column of the CLI. Options as
    in `ntk table`: sigma2, lambda_, widths_grid, input_ratio, input_norm2, no_bias, model,
    precision, digits, shard, richardson_order, moment, first_step, max_seconds, columns.

    >>> import ntk
    >>> rows = ntk.table(sigma2=[2], lambda_=[0.5], widths_grid=[10])
    >>> len(rows)
    1
    """
    if "lambda_" in options:
        options["lambda"] = options.pop("lambda_")
    result = run("table", progress, **options)
    # The document (schema ntk.table) carries the rows; a table is its rows.
    return _frame(result.rows) if hasattr(result, "rows") else result


def expand(*, progress=None, **options):
    """The 1/M expansion F + c1/M + c2/M² + … of the dispersion at fixed λ (options as in
    `ntk expand`: sigma2, lambda_, input_norm2, input_ratio, alpha0, no_bias, model, order, digits, first_step).

    >>> import ntk
    >>> ntk.expand(sigma2=2, lambda_="1/2", order=2).phase
    'edge-of-chaos'
    """
    if "lambda_" in options:
        options["lambda"] = options.pop("lambda_")
    return run("expand", progress, **options)


def kernel(*, progress=None, **options):
    """The expected NTK and NNGP between two inputs (correlation=…, gram="q1,q2,c") or the Gram
    matrices of a CSV of inputs (inputs=path; numpy arrays when numpy is installed). Options as
    in `ntk kernel`: widths, sigma2, input_norm2, correlation, gram, inputs, mpfr/certified/double, precision, digits, max_seconds.

    >>> import ntk
    >>> ntk.kernel(widths=[3, 2, 2], sigma2=2, correlation="1/2").results[0].correlation
    Fraction(1, 2)
    """
    result = run("kernel", progress, **options)
    for name, value in list(vars(result).items()):
        if _results.is_matrix(value):  # the Gram matrices of `inputs=`
            setattr(result, name, _results.as_array(value))
    return result


def _subcommand(command, merge, suite):
    if merge is not None:
        return f"{command} merge", {"files": list(merge)}
    if suite:
        return f"{command} suite", {}
    return command, {}


def validate(*, merge=None, suite=False, progress=None, **options):
    """Monte Carlo validation of E[Θ] and E[Θ²] on simulated networks: estimates with their
    standard errors, z-scores and a verdict (options as in `ntk validate run`: widths, sigma2,
    samples, seed, max_seconds, threads, shard, emit_stats, …). `merge=[files]` merges shard
    files; `suite=True` runs the fixed suite. A failed validation is returned (verdict "fail").

    >>> import ntk
    >>> ntk.validate(widths=[3, 2, 2], sigma2=2, samples=2000, seed=1).E_theta.exact
    5.083333333333333
    """
    command, extra = _subcommand("validate", merge, suite)
    return run(command, progress, **extra, **options)


def offdiag(*, merge=None, progress=None, **options):
    """Monte Carlo study of the off-diagonal NTK Θ(x, x′) against the correlation (options as in
    `ntk offdiag run`); `merge=[files]` merges shard files.

    >>> import ntk
    >>> ntk.offdiag(widths=[3, 2, 2], sigma2=2, samples=500, seed=1).results[0].correlation
    0
    """
    command, extra = _subcommand("offdiag", merge, False)
    return run(command, progress, **extra, **options)


def step(*, merge=None, progress=None, **options):
    """Monte Carlo study of one gradient step: E[ΔΘ]/η against the exact smooth part −E[fQ]
    (options as in `ntk step run`); `merge=[files]` merges shard files.

    >>> import ntk
    >>> ntk.step(widths=[3, 2, 2], sigma2=2, samples=500, seed=1).E_fQ.exact
    48.888888888888886
    """
    command, extra = _subcommand("step", merge, False)
    return run(command, progress, **extra, **options)


def train(*, progress=None, **options):
    """Trains small networks and tracks the relative NTK change (a DataFrame or a list of dicts;
    options as in `ntk train`: width, depth, sigma2, dataset, data, steps, optimizer, learning_rate, seed, …).

    >>> import ntk
    >>> rows = ntk.train(width=10, depth=2, steps=2, sigma2=[2], seed=1)
    >>> len(rows)
    2
    """
    result = run("train", progress, **options)
    if not hasattr(result, "runs"):
        return result  # written to output=
    # The document (schema ntk.train) holds each σ²'s records; the table has one row per record.
    rows = [{"sigma2": r.sigma2, "step": rec.step, "loss": rec.loss, "ntk_rel_change": rec.ntk_rel_change,
             "alignment": rec.alignment, "learning_rate": r.learning_rate} for r in result.runs for rec in r.records]
    return pandas.DataFrame(rows) if pandas is not None else rows


def distribution(*, merge=None, progress=None, **options):
    """The distribution of Θ on simulated networks: normalized moments with standard errors and
    z-scores against the exact values, quantiles, tails (options as in `ntk distribution run`:
    widths, sigma2, seed, samples, max_seconds, threads, shard, …); `merge=[files]` merges shards.

    >>> import ntk
    >>> ntk.distribution(widths=[3, 2, 2], sigma2=2, samples=1000, seed=1).moments[0].k
    1
    """
    command, extra = _subcommand("distribution", merge, False)
    return run(command, progress, **extra, **options)


def chart(*, output=None, progress=None, **options):
    """An SVG chart (options as in `ntk chart`: kind, sigma2, lambda_max, points, widths_grid,
    depths, overlay, …). Returns the SVG text, or writes it to `output` atomically and returns the path.

    >>> import ntk
    >>> ntk.chart(kind="dispersion", points=3).startswith("<?xml")
    True
    """
    if "lambda_" in options:
        options["lambda"] = options.pop("lambda_")
    result = run("chart", progress, output=output, **options)
    return output if output is not None else result
