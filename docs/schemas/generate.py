"""Writes the JSON Schemas in this folder (python3 docs/schemas/generate.py). The schemas describe
the JSON contract of docs/json.md; the Python suite checks every command's output against them and
that this script reproduces the committed files."""

import json
import sys
from pathlib import Path

FOLDER = Path(__file__).resolve().parent
def real(name, shape="scalar"):
    def wrap(t):
        if shape == "scalar": return t
        if shape == "list": return {"type": "array", "items": t}
        return {"type": "array", "items": {"type": "array", "items": t}}
    nullable = shape != "scalar"
    num = wrap({"type": ["number", "null"]})
    string = wrap({"type": ["string", "null"]} if nullable else {"type": "string"})
    integer = wrap({"type": ["integer", "null"], "minimum": 0} if nullable else {"type": "integer", "minimum": 0})
    boolean = wrap({"type": ["boolean", "null"]} if nullable else {"const": True})
    return {name: num, f"{name}_decimal": string, f"{name}_exact": string, f"{name}_log10": num,
            f"{name}_lower": num, f"{name}_upper": num, f"{name}_lower_decimal": string, f"{name}_upper_decimal": string,
            f"{name}_digits": integer, f"{name}_certified": boolean}
def stamp(name):
    return {"schema": {"const": f"ntk.{name}"}, "schema_version": {"const": 1}, "ntk_version": {"type": "string"}}
def network():
    p = {"widths": {"type": "string", "pattern": "^[0-9]+(,[0-9]+(x[0-9]+)?)*(,…)?$"},
         "input_dim": {"type": "integer", "minimum": 1}, "depth": {"type": "integer", "minimum": 1},
         "biases": {"type": "boolean"}}
    p.update(real("sigma2")); p.update(real("input_norm2"))
    return p
NETWORK_REQUIRED = ["widths","input_dim","depth","sigma2","sigma2_exact","input_norm2","input_norm2_exact","biases"]
OUTPUT = {}


def document(name, title, description, props, required, extra=None):
    s = {"$schema": "https://json-schema.org/draft/2020-12/schema", "title": title, "description": description,
         "type": "object", "properties": props, "required": required, "additionalProperties": False}
    if extra: s.update(extra)
    OUTPUT[name] = json.dumps(s, indent=2, ensure_ascii=False) + "\n"

CONTRACT = "Reals follow docs/json.md: q is the nearest double or null outside double range, q_decimal the guaranteed digits, q_exact the rational, q_log10 the magnitude when q is null, q_lower/q_upper outward bounds."
# kernel
pair = {}
for q in ["correlation","q1","q2","c","ntk","nngp","ntk_normalized","ntk_diagonal1","ntk_diagonal2"]: pair.update(real(q))
top = {**stamp("kernel"), **network(),
  "arithmetic": {"enum": ["mpfr", "certified", "double"]}, "arithmetic_description": {"type": "string"},
  "digits_requested": {"type": "integer", "minimum": 1}, "precision_bits": {"type": "integer", "minimum": 2},
  "results": {"type": "array", "items": {"type": "object", "properties": pair,
              "required": ["ntk","nngp","ntk_normalized","ntk_diagonal1","ntk_diagonal2"], "additionalProperties": False}},
  "inputs": {"type": "integer", "minimum": 1}}
for q in ["ntk","nngp","ntk_normalized"]: top.update(real(q, "matrix"))
document("kernel", "ntk kernel --format json (schema ntk.kernel, version 1)",
  "The infinite-width NTK and NNGP for correlations or a Gram triple (results), or for input vectors (inputs and the matrices ntk, nngp, ntk_normalized). " + CONTRACT,
  top, ["schema","schema_version","ntk_version"] + NETWORK_REQUIRED + ["arithmetic","arithmetic_description","digits_requested"],
  {"oneOf": [{"required": ["results"]}, {"required": ["inputs","ntk","nngp","ntk_normalized"]}]})
# moments
top = {**stamp("moments"), **network(),
  "model": {"enum": ["exact", "gi"]}, "arithmetic": {"enum": ["mpfr", "exact", "double", "certified"]},
  "arithmetic_description": {"type": "string"}, "guarantee": {"type": "string"},
  "digits_requested": {"type": "integer", "minimum": 1}, "precision_bits": {"type": "integer", "minimum": 2}}
for q in ["relative_error_bound","E_theta","E_theta2","variance","ratio","p_dead","skewness","kurtosis",
          "E_fQ","mean_change_per_rate","fQ_over_theta","fQ_over_theta2"] + [f"E_theta{k}" for k in range(3,9)] + [f"normalized_moment{k}" for k in range(3,9)]:
    top.update(real(q))
top.update(real("layer_contributions", "list"))
document("moments", "ntk moments --format json (schema ntk.moments, version 1)",
  "E[Θ], E[Θ²], Var[Θ], the dispersion (ratio) and P(dead) of one network; with --max-moment p also E_theta3 … E_thetap, normalized_moment3 …, skewness, kurtosis; with --first-step E_fQ and its normalizations; with --per-layer layer_contributions (parallel arrays). " + CONTRACT,
  top, ["schema","schema_version","ntk_version"] + NETWORK_REQUIRED + ["model","arithmetic","arithmetic_description","guarantee","digits_requested","E_theta","E_theta2","variance","ratio","p_dead"])


# limit
top = {**stamp("limit"), "phase": {"enum": ["ordered", "edge-of-chaos", "chaotic"]}, "biases": {"type": "boolean"},
       "alpha0_enters_limit": {"type": "boolean"}, "precision_bits": {"type": "integer", "minimum": 16},
       "digits": {"type": "integer", "minimum": 1}, "published_is_gi_derived": {"type": "boolean"},
       "published_form": {"type": "string"}, "published_note": {"type": "string"},
       "fQ_over_theta2_limit_form": {"type": "string"}, "corrections_reason": {"type": "string"},
       "corrections_unavailable": {"const": True}}
for q in ["lambda", "sigma2", "alpha0", "input_norm2", "exact", "gi", "published", "exact_minus_published_relative", "c1", "c2",
          "fQ_over_theta2_limit", "G_w", "G_b"] + [f"normalized_moment{k}" for k in range(3, 9)]:
    top.update(real(q))
for k in range(3, 9):
    top[f"normalized_moment{k}_source"] = {"type": "string"}
document("limit", "ntk limit --format json (schema ntk.limit, version 1)",
  "Limits of the dispersion E[Θ²]/E[Θ]² as M → ∞ with L/M → λ: exact, gi (gradient independence), published; c1, c2 (null unless --corrections and the expansion holds; corrections_reason says why not); normalized_moment3 … with their _source; the first-step limit with G_w, G_b. " + CONTRACT,
  top, ["schema", "schema_version", "ntk_version", "lambda", "lambda_exact", "sigma2", "sigma2_exact", "phase", "biases", "alpha0",
        "alpha0_enters_limit", "input_norm2", "precision_bits", "digits", "exact", "gi", "published", "published_is_gi_derived",
        "published_form", "published_note", "exact_minus_published_relative", "c1", "c2"])


# symbolic
polynomial = {"type": "object", "properties": {
    "degree_s": {"type": "integer", "minimum": -1}, "degree_x": {"type": "integer", "minimum": -1},
    "coefficients": {"type": "array", "items": {"type": "array", "items": {"type": "string", "pattern": "^-?[0-9]+(/[0-9]+)?$"}}}},
    "required": ["degree_s", "degree_x", "coefficients"], "additionalProperties": False}
top = {**stamp("symbolic"), "widths": network()["widths"], "depth": {"type": "integer", "minimum": 1}, "biases": {"type": "boolean"},
       "model": {"enum": ["exact", "gi"]},
       "variables": {"type": "object", "properties": {"s": {"const": "sigma^2"}, "x": {"const": "||x||^2"}}, "required": ["s", "x"],
                     "additionalProperties": False},
       "coefficient_layout": {"type": "string"}, "valid_for": {"type": "string"}, "E_fQ": polynomial}
for k in ["E_theta", "E_theta2"] + [f"E_theta{k}" for k in range(3, 7)]:
    top[k] = polynomial
document("symbolic", "ntk symbolic --format json (schema ntk.symbolic, version 1)",
  "E[Θ], E[Θ²] (and E_theta3 … E_theta6, E_fQ) as polynomials in s = σ² and x = ‖x‖²: coefficients[i][j] is the exact rational coefficient of x^i s^j.",
  top, ["schema", "schema_version", "ntk_version", "widths", "depth", "biases", "model", "variables", "coefficient_layout", "valid_for",
        "E_theta", "E_theta2"])


if __name__ == "__main__":
    for name, text in OUTPUT.items():
        (Path(sys.argv[1]) if len(sys.argv) > 1 else FOLDER).joinpath(f"{name}.schema.json").write_text(text)
