"""Every command that follows the JSON contract (docs/json.md) is checked here: its output
validates against its schema in docs/schemas/ (when jsonschema is installed), and a standard
JSON parser reads every real without a silent change of value."""

import importlib
import json
import math
import os
import re
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import pytest

SCHEMAS = Path(__file__).resolve().parents[2] / "docs" / "schemas"

CASES = [
    ("symbolic", ["symbolic", "--widths", "3,2,2", "--max-moment", "4", "--first-step"]),
    ("symbolic", ["symbolic", "--width", "3", "--depth", "4", "--no-bias", "--model", "gi"]),
    ("limit", ["limit", "--lambda", "1", "--sigma2", "5/2", "--corrections", "--first-step"]),
    ("limit", ["limit", "--lambda", "1/2", "--sigma2", "2", "--input-ratio", "2", "--max-moment", "3", "--digits", "30"]),
    ("limit", ["limit", "--lambda", "1", "--sigma2", "2.000000000001", "--corrections"]),
    ("limit", ["limit", "--lambda", "50", "--sigma2", "3", "--no-bias", "--precision", "64"]),
    ("moments", ["moments", "--widths", "3,2,2", "--sigma2", "2", "--exact", "--max-moment", "4", "--first-step"]),
    ("moments", ["moments", "--widths", "3,2,2", "--sigma2", "5/2", "--certified", "--per-layer"]),
    ("moments", ["moments", "--width", "1000", "--depth", "1000000", "--sigma2", "3", "--double"]),
    ("moments", ["moments", "--width", "50", "--depth", "3000", "--sigma2", "1/2", "--model", "gi", "--max-moment", "3"]),
    ("moments", ["moments", "--widths", "4,1", "--sigma2", "2", "--input-norm2", "0", "--per-layer", "--double"]),
    ("kernel", ["kernel", "--width", "10", "--depth", "7", "--sigma2", "2", "--input-norm2", "3", "--correlation", "-1:1:0.5"]),
    ("kernel", ["kernel", "--widths", "4,3,5", "--sigma2", "5/2", "--gram", "1,2,-1.2", "--certified", "--precision", "200"]),
    ("kernel", ["kernel", "--width", "10", "--depth", "50", "--sigma2", "1/2", "--correlation", "0.3", "--double"]),
    ("kernel", ["kernel", "--width", "10", "--depth", "3000", "--sigma2", "3", "--correlation", "0.3", "--no-bias"]),
    ("kernel", ["kernel", "--widths", "3,2,2", "--sigma2", "2", "--inputs", "{inputs}", "--certified"]),
    ("kernel", ["kernel", "--widths", "3,2,2", "--sigma2", "2", "--inputs", "{inputs}", "--double"]),
    ("expand", ["expand", "--sigma2", "5/2", "--lambda", "1"]),
    ("expand", ["expand", "--sigma2", "1.5", "--lambda", "1/2", "--no-bias"]),
    ("table", ["table"]),
    ("table", ["table", "--first-step", "--sigma2", "2.5", "--lambda", "1/3", "--widths-grid", "10,100,1000"]),
    ("table", ["table", "--sigma2", "2.5", "--lambda", "1", "--widths-grid", "10,100,1000", "--columns", "M,ratio,c1,predicted,rel_err_predicted"]),
    ("validate", ["validate", "--width", "6", "--depth", "3", "--sigma2", "2", "--samples", "3000", "--seed", "1"]),
    ("offdiag", ["offdiag", "--width", "10", "--depth", "5", "--depths", "1:5:2", "--sigma2", "2.5", "--samples", "200", "--seed", "1"]),
    ("step", ["step", "--widths", "3,2,2", "--sigma2", "2", "--learning-rate", "3e-4", "--samples", "20000", "--seed", "1"]),
    ("distribution", ["distribution", "--width", "10", "--depth", "5", "--sigma2", "2", "--samples", "5000", "--seed", "1"]),
    ("train", ["train", "--width", "8", "--depth", "3", "--sigma2", "1.5,2", "--steps", "10", "--seed", "1"]),
]

# Documents whose result type writes the stamp (schema, schema_version, ntk_version): all.
STAMPED = {"symbolic", "limit", "moments", "kernel", "validate", "offdiag", "step", "distribution", "expand", "table", "train"}
# expand exits 3 (and says valid: false) where the 1/M expansion does not hold.
EXIT_CODES = {"expand": (0, 3)}


def jsonschema_module():
    """jsonschema; the environment with the extras must have it (never a silent skip there)."""
    if os.environ.get("NTK_EXPECT_EXTRAS") == "present":
        return importlib.import_module("jsonschema")
    return pytest.importorskip("jsonschema")


@pytest.fixture
def inputs_file(tmp_path):
    path = tmp_path / "inputs.csv"
    path.write_text("1,0,0\n0,1,0\n1,1,1\n0.5,-0.25,2\n")
    return str(path)


def run(cli, arguments, inputs_file):
    code, stdout, stderr = cli(*[a.replace("{inputs}", inputs_file) for a in arguments], "--format", "json")
    assert code in EXIT_CODES.get(arguments[0], (0,)), stderr
    return stdout


def entries(value):
    """The scalar entries of a member that may be a matrix."""
    if isinstance(value, list):
        for item in value:
            yield from entries(item)
    else:
        yield value


def check_reals(document):
    """Each `q_decimal` reads as the double `q` (or `q` is null, beside `q_log10`); each exact
    rational rounds to `q`; each outward double bound lies outside its decimal bound."""
    checked = 0
    for key, value in document.items():
        if isinstance(value, dict):
            checked += check_reals(value)
        elif isinstance(value, list) and value and isinstance(value[0], dict):
            checked += sum(check_reals(item) for item in value)
    for key in [k for k in document if k.endswith("_decimal") and k[: -len("_decimal")] in document]:
        base = key[: -len("_decimal")]
        pairs = zip(entries(document[base]), entries(document[key]))
        for number, digits in pairs:
            if digits is None:
                continue
            if number is None:
                assert base.endswith(("_lower", "_upper")) or f"{base}_log10" in document, key
                assert abs(Decimal(digits)) < Decimal("2.2250738585072014e-308") or abs(Decimal(digits)) > Decimal("1.7976931348623157e308"), key
            elif base.endswith("_lower"):
                assert Decimal(number) <= Decimal(digits), key
            elif base.endswith("_upper"):
                assert Decimal(number) >= Decimal(digits), key
            else:
                assert float(Decimal(digits)) == number, key
            checked += 1
    for key in [k for k in document if k.endswith("_exact") and isinstance(document[k], str) and k[: -len("_exact")] in document]:
        base = key[: -len("_exact")]
        for number, exact in zip(entries(document[base]), entries(document[key])):
            assert abs(Fraction(exact) - Fraction(number)) <= abs(Fraction(exact)) * Fraction(1, 2**52), key
            checked += 1
    return checked


NUMERIC_TEXT = re.compile(r"^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$|^[-+]?(inf|nan)$", re.IGNORECASE)


RATIONAL = re.compile(r"^-?\d+(/\d+)?$")
# Members kept for one release beside their replacement (README, "Deprecated JSON members").
DEPRECATED = {"mean_exact"}


def numbers_are_numbers(value, key=""):
    """Every JSON number reads as a finite double, and no real is hidden in a string except the
    contract's `_decimal`/`_exact` digits and symbolic's exact rational coefficients; returns
    how many numbers were seen."""
    if isinstance(value, dict):
        return sum(numbers_are_numbers(v, k) for k, v in value.items())
    if isinstance(value, list):
        return sum(numbers_are_numbers(v, key) for v in value)
    if isinstance(value, str):
        if key.endswith("_exact") and key not in DEPRECATED:
            assert RATIONAL.match(value), f"{key}: not a rational: {value!r}"
        assert key.endswith(("_decimal", "_exact")) or key == "coefficients" or not NUMERIC_TEXT.match(value), f"{key}: a number written as a string: {value!r}"
        return 0
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        assert math.isfinite(value), key
        return 1
    return 0


@pytest.mark.parametrize("schema,arguments", CASES)
def test_output_reads_without_a_silent_change(cli, inputs_file, schema, arguments):
    document = json.loads(run(cli, arguments, inputs_file))
    if schema in STAMPED:
        assert document["schema"] == f"ntk.{schema}"
    rows = document if isinstance(document, list) else [document]
    checked = sum(check_reals(row) for row in rows)
    # symbolic holds rationals only; a table's cells are the digits asked for, which a double holds
    assert checked > 0 or schema not in STAMPED or schema in ("symbolic", "table")
    assert numbers_are_numbers(document) > 0


@pytest.mark.parametrize("schema,arguments", CASES)
def test_output_validates_against_its_schema(cli, inputs_file, schema, arguments):
    jsonschema = jsonschema_module()
    document = json.loads(run(cli, arguments, inputs_file))
    jsonschema.validate(document, json.loads((SCHEMAS / f"{schema}.schema.json").read_text()))


def test_the_schemas_are_what_the_generator_writes(tmp_path):
    import subprocess
    import sys
    subprocess.run([sys.executable, str(SCHEMAS / "generate.py"), str(tmp_path)], check=True)
    for written in tmp_path.iterdir():
        assert written.read_text() == (SCHEMAS / written.name).read_text(), written.name


def test_the_schema_rejects_what_the_contract_forbids():
    jsonschema = jsonschema_module()
    schema = json.loads((SCHEMAS / "kernel.schema.json").read_text())
    good = {"schema": "ntk.kernel", "schema_version": 1, "ntk_version": "0", "widths": "3,2,2", "input_dim": 3,
            "depth": 3, "sigma2": 2, "sigma2_exact": "2", "input_norm2": 1, "input_norm2_exact": "1", "biases": True,
            "arithmetic": "mpfr", "arithmetic_description": "", "digits_requested": 20,
            "results": [{"ntk": 1.5, "nngp": 1, "ntk_normalized": 1, "ntk_diagonal1": 1, "ntk_diagonal2": 1}]}
    jsonschema.validate(good, schema)
    for bad in ({**good, "ratio": 1},                                  # an unknown member
                {**good, "sigma2": "2"},                               # a number written as a string
                {**good, "results": [{"ntk": 1.5}]}):                  # a missing member
        with pytest.raises(jsonschema.ValidationError):
            jsonschema.validate(bad, schema)
