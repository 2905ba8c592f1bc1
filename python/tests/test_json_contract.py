"""Every command that follows the JSON contract (docs/json.md) is checked here: its output
validates against its schema in docs/schemas/ (when jsonschema is installed), and a standard
JSON parser reads every real without a silent change of value."""

import importlib
import json
import os
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
]


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
    assert code == 0, stderr
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
    for key in [k for k in document if k.endswith("_decimal")]:
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
    for key in [k for k in document if k.endswith("_exact")]:
        base = key[: -len("_exact")]
        for number, exact in zip(entries(document[base]), entries(document[key])):
            assert abs(Fraction(exact) - Fraction(number)) <= abs(Fraction(exact)) * Fraction(1, 2**52), key
            checked += 1
    return checked


@pytest.mark.parametrize("schema,arguments", CASES)
def test_output_reads_without_a_silent_change(cli, inputs_file, schema, arguments):
    document = json.loads(run(cli, arguments, inputs_file))
    assert document["schema"] == f"ntk.{schema}"
    assert check_reals(document) > 0 or schema == "symbolic"  # symbolic holds rationals only


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
