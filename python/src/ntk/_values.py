"""Numbers from the engine's JSON, converted without losing anything.

JSON is parsed with `parse_float=Decimal`, so no digit is lost on the way in. Then:
exact values (`*_exact` fields, `p/q` strings) become `fractions.Fraction`; multiprecision
values (numeric strings, and JSON numbers with more than 17 significant digits or outside
the range of a double) become `mpmath.mpf` at the computed precision when mpmath is
installed, else `decimal.Decimal` with exactly the printed (guaranteed) digits; JSON numbers
that a double holds (Monte Carlo estimates, 8-digit table entries) become `float`.
"""

import math
import re
from decimal import Decimal
from fractions import Fraction

try:
    import mpmath
except ImportError:  # optional extra
    mpmath = None

_DECIMAL = re.compile(r"^[+-]?(\d+\.\d*|\.\d+|\d+)([eE][+-]?\d+)?$")
_INTEGER = re.compile(r"^[+-]?\d+$")
_RATIONAL = re.compile(r"^[+-]?\d+/\d+$")
_LOG2_10 = math.log2(10)


def real(text, precision_bits=None, rounding="n"):
    """A multiprecision value from its decimal text: mpmath.mpf (at `precision_bits`, or enough
    bits for every printed digit) when mpmath is installed, else Decimal(text). `rounding` is
    "f" for lower bounds and "c" for upper bounds, so an enclosure stays an enclosure."""
    if mpmath is None:
        return Decimal(text)
    digits = len(re.sub(r"[^0-9]", "", re.split(r"[eE]", text)[0]).lstrip("0")) or 1
    bits = max(precision_bits or 0, math.ceil(digits * _LOG2_10) + 8, 53)
    value = Real()  # mpf(tuple) would round again at the global precision: set the value directly
    value._mpf_ = mpmath.libmp.from_str(text, bits, rounding)
    value.digits = digits
    return value


def is_exact_text(text):
    """True for the CLI's exact-rational strings: "61/12", "-2", "0.5"."""
    return bool(_RATIONAL.match(text) or _DECIMAL.match(text))


if mpmath is not None:
    class Real(mpmath.mpf):
        """An mpmath.mpf that prints the digits the calculator guaranteed (arithmetic on it
        gives plain mpf values)."""

        __slots__ = ("digits",)

        def __str__(self):
            return mpmath.nstr(self, self.digits, min_fixed=-6, max_fixed=21)

        def __repr__(self):
            return f"mpf('{mpmath.nstr(self, self.digits, min_fixed=-6, max_fixed=21)}')"


def exact(value):
    """An exact value (`"61/12"`, `"2"`, `"0.5"`, a JSON number) as a Fraction."""
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, (int, Decimal)):
        return Fraction(value)
    if isinstance(value, str) and (_RATIONAL.match(value) or _DECIMAL.match(value)):
        return Fraction(value)
    return value


def _fits_double(value):
    digits = value.as_tuple().digits
    if len(digits) > 17:
        return False
    if value == 0:
        return True
    as_float = float(value)
    return math.isfinite(as_float) and abs(as_float) >= 2.2250738585072014e-308


def number(value, precision_bits=None, rounding="n"):
    """One JSON leaf (not an `_exact` field) converted by the rules of this module."""
    if isinstance(value, Decimal):
        return float(value) if _fits_double(value) else real(str(value), precision_bits, rounding)
    if isinstance(value, str):
        if _RATIONAL.match(value):
            return Fraction(value)
        if _INTEGER.match(value):
            return int(value)
        if _DECIMAL.match(value):
            return real(value, precision_bits, rounding)
    return value


def to_fraction(value):
    """The exact rational value of a Fraction, int, Decimal or mpmath.mpf (no rounding).

    >>> import ntk
    >>> ntk.to_fraction(ntk.moments(widths=[3, 2, 2], sigma2=2, exact=True).E_theta)
    Fraction(61, 12)
    """
    if isinstance(value, Fraction):
        return value
    if isinstance(value, (int, Decimal)):
        return Fraction(value)
    if mpmath is not None and isinstance(value, mpmath.mpf):
        sign, mantissa, exponent, _ = value._mpf_  # the stored value, whatever the global precision
        if not mantissa and exponent:
            raise ValueError(f"not a finite number: {value!r}")
        return (-1) ** sign * Fraction(int(mantissa)) * Fraction(2) ** int(exponent)
    if isinstance(value, float):
        return Fraction(value)
    raise TypeError(f"not a number: {value!r}")


def is_real(value):
    """True for the multiprecision and exact types this module produces."""
    return isinstance(value, (Fraction, Decimal)) or (mpmath is not None and isinstance(value, mpmath.mpf))


def to_float(value):
    """A plain float for plotting (Fraction, mpf, Decimal, int; containers element-wise)."""
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return value
    if isinstance(value, (list, tuple)):
        return [to_float(v) for v in value]
    if isinstance(value, dict):
        return {k: to_float(v) for k, v in value.items()}
    if hasattr(value, "dtype"):  # numpy array
        import numpy
        return numpy.vectorize(float, otypes=[float])(value) if value.size else value.astype(float)
    try:
        return float(value)
    except (TypeError, ValueError):
        return value
