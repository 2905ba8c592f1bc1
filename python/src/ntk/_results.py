"""Result values: dataclasses whose fields are the JSON fields of the command's output.

The classes are made from the JSON itself (one class per command and field set), so they
follow the schema of the tool instead of a second copy of it. `E_theta` of an exact run is
the Fraction from `E_theta_exact`; every other field keeps its JSON name and its converted
value (see `_values`). Objects with keys that are not identifiers (quantile levels) stay
dicts. (`kernel` turns its Gram matrices into numpy arrays when numpy is installed.)
"""

import dataclasses
import keyword
import threading
from fractions import Fraction

from . import _values

try:
    import numpy
except ImportError:  # optional extra
    numpy = None

_CLASSES = {}
_CLASSES_LOCK = threading.Lock()  # one class per shape, so results of concurrent calls compare equal


class Result:
    """Behaviour shared by every result dataclass."""

    _json_names = {}  # field name → JSON name where they differ (`lambda_` → `lambda`)

    def to_dict(self):
        """The fields as a dict keyed by their JSON names (nested results as dicts), values as converted."""
        names = type(self)._json_names
        return {names.get(f.name, f.name): _plain(getattr(self, f.name)) for f in dataclasses.fields(self)}

    def floats(self):
        """The fields with every number as a plain float (numpy float arrays for matrices): for plotting."""
        return _values.to_float(self.to_dict())

    def bounds(self, name):
        """(lower, upper) of a field that has `<name>_lower` and `<name>_upper` (certified and MPFR enclosures)."""
        return getattr(self, f"{name}_lower"), getattr(self, f"{name}_upper")

    def __repr__(self):
        return _describe(self, 0)

    def _repr_pretty_(self, printer, cycle):  # IPython / Jupyter
        printer.text(repr(self))


def _plain(value):
    if isinstance(value, Result):
        return value.to_dict()
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def _show(value, digits=17):
    if isinstance(value, Fraction):
        return str(value)
    if type(value).__name__ == "mpf":
        return _values.mpmath.nstr(value, digits)
    if numpy is not None and isinstance(value, numpy.ndarray):
        return "array(" + repr(value.tolist()) + ")" if value.size <= 16 else f"array of shape {value.shape}"
    if isinstance(value, list) and len(value) > 8:
        return f"[{', '.join(_show(v) for v in value[:3])}, … {len(value)} items]"
    return repr(value)


def _describe(result, depth):
    pad = "  " * (depth + 1)
    lines = [type(result).__name__ + "("]
    for field in dataclasses.fields(result):
        value = getattr(result, field.name)
        if value is None:
            continue
        if isinstance(value, Result):
            shown = _describe(value, depth + 1)
        elif isinstance(value, list) and value and all(isinstance(v, Result) for v in value) and len(value) <= 4:
            shown = "[" + ", ".join(_describe(v, depth + 1) for v in value) + "]"
        else:
            digits = getattr(result, f"{field.name}_digits", None) or getattr(result, "digits_requested", None) \
                or getattr(result, "digits", None)
            shown = _show(value, digits if isinstance(digits, int) else 17)
        lines.append(f"{pad}{field.name}={shown},")
    lines.append("  " * depth + ")")
    return "\n".join(lines)


def _field_name(key):
    return key + "_" if keyword.iskeyword(key) else key


def _class_name(key):
    return "".join(part[:1].upper() + part[1:] for part in key.replace("-", "_").split("_") if part) or "Record"


def _dataclass(name, keys):
    with _CLASSES_LOCK:
        return _make_dataclass(name, keys)


def _make_dataclass(name, keys):
    cls = _CLASSES.get((name, keys))
    if cls is None:
        cls = dataclasses.make_dataclass(name, [(_field_name(k), object) for k in keys], bases=(Result,), repr=False)
        cls.__module__ = "ntk"
        cls._json_names = {_field_name(k): k for k in keys if _field_name(k) != k}
        _CLASSES[(name, keys)] = cls
    return cls


def is_matrix(value):
    """A non-empty list of equal-length lists of numbers."""
    return (isinstance(value, list) and bool(value) and all(isinstance(row, list) and row for row in value)
            and len({len(row) for row in value}) == 1
            and all(isinstance(x, (int, float)) or _values.is_real(x) for row in value for x in row))


def as_array(matrix):
    """A numpy array when numpy is installed: float64 when every entry is a float, else an
    object array of the exact values (see `Result.floats()` for float64)."""
    if numpy is None:
        return matrix
    floats_only = all(isinstance(x, float) for row in matrix for x in row)
    return numpy.array(matrix, dtype=float if floats_only else object)


def build(value, name, precision_bits=None, rounding="n"):
    """Converts one JSON value (parsed with Decimal floats) into result values."""
    if isinstance(value, dict):
        precision_bits = value.get("precision_bits", precision_bits)
        if not all(isinstance(k, str) and k.isidentifier() for k in value):
            return {k: build(v, name, precision_bits) for k, v in value.items()}
        converted = {}
        for key, item in value.items():
            # The CLI writes exact rationals as strings ("61/12"); a JSON number under an
            # `_exact` name is something else (the standard error from exact moments, the
            # limit of the exact model) and keeps the number rules.
            if key.endswith("_exact") and _is_exact_text(item):
                converted[key] = _exact_tree(item)
            elif _is_exact_text(value.get(f"{key}_exact")):
                converted[key] = _exact_tree(value[f"{key}_exact"])
            else:
                direction = "f" if key.endswith("_lower") else "c" if key.endswith("_upper") else "n"
                # The JSON contract (docs/json.md): `q` is the nearest double (null outside
                # double range) and `q_decimal` the guaranteed digits; the value is the digits.
                source = _prefer_decimal(item, value.get(f"{key}_decimal"))
                converted[key] = build(source, _class_name(key), precision_bits, direction)
        cls = _dataclass(name, tuple(converted))
        return cls(*converted.values())
    if isinstance(value, list):
        return [build(v, name, precision_bits, rounding) for v in value]
    return _values.number(value, precision_bits, rounding)


def _is_exact_text(value):
    if isinstance(value, list):
        return bool(value) and all(_is_exact_text(v) for v in value)
    return isinstance(value, str) and _values.is_exact_text(value)


def _prefer_decimal(item, digits):
    """`item` with each entry replaced by its `_decimal` text where one is given (a matrix's
    `_decimal` has null where the double member holds the entry exactly)."""
    if isinstance(item, list) and isinstance(digits, list) and len(item) == len(digits):
        return [_prefer_decimal(i, d) for i, d in zip(item, digits)]
    if isinstance(digits, str) and _values.is_exact_text(digits) and not isinstance(item, (dict, list)):
        return digits
    return item


def _exact_tree(value):
    if isinstance(value, list):
        return [_exact_tree(v) for v in value]
    return _values.exact(value)
