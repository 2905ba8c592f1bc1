"""The runnable example in every docstring of the API runs and prints what it says."""

import doctest

import ntk
from ntk import _api, _values


def test_every_docstring_example():
    failures = 0
    tried = 0
    for module in (ntk, _api, _values):
        result = doctest.testmod(module, optionflags=doctest.ELLIPSIS, verbose=False)
        failures += result.failed
        tried += result.attempted
    assert failures == 0
    assert tried >= 20
    for name in ("moments", "symbolic", "limit", "table", "expand", "kernel", "validate", "offdiag", "step",
                 "train", "distribution", "chart", "run", "to_fraction"):
        assert ">>>" in (getattr(ntk, name).__doc__ or ""), f"{name} has no example"
