"""Exact finite-width moments of the neural tangent kernel of deep ReLU networks, from Python.

Every function runs the `ntk` calculator (a compiled engine shipped inside this package, one
persistent process per interpreter) and returns dataclasses whose fields are the JSON fields
of the command's output: exact values as `fractions.Fraction`, multiprecision values as
`mpmath.mpf` (or `decimal.Decimal` without mpmath), never a silently rounded float.

>>> import ntk
>>> print(ntk.moments(widths=[3, 2, 2], sigma2=2, exact=True).E_theta)
61/12
"""

from ._api import (NTKUsageError, ValidationError, chart, distribution, expand, kernel, limit, moments, offdiag,
                   run, step, symbolic, table, train, validate)
from ._engine import EngineError, engine_path
from ._results import Result
from ._values import to_fraction

__version__ = "0.1.0"
__all__ = ["moments", "symbolic", "limit", "table", "expand", "kernel", "validate", "offdiag", "step", "train",
           "distribution", "chart", "run", "Result", "NTKUsageError", "ValidationError", "EngineError", "engine_path", "to_fraction"]
