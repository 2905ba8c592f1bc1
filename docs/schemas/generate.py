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


# The Monte Carlo commands, expand and the tables. Their members predate the typed results and
# are kept; all of them now write the stamp.
NUMBER = {"type": "number"}
NUMBER_OR_NULL = {"type": ["number", "null"]}
COUNT = {"type": "integer", "minimum": 0}
TEXT = {"type": "string"}
SIBLINGS = ("_decimal", "_exact", "_log10", "_lower", "_upper", "_digits", "_certified")
def obj(props, required=None):
    """An object of exactly these members; all but the contract's siblings required unless listed."""
    if required is None:
        required = [k for k in props if not k.endswith(SIBLINGS)]
    return {"type": "object", "properties": props, "required": list(required), "additionalProperties": False}
def reals(*names, shape="scalar"):
    p = {}
    for n in names: p.update(real(n, shape))
    return p
def estimate(*extra, required=("mc", "se")):
    return obj({**reals("mc", "se", *extra)}, list(required))
def run_header(name):
    p = {**stamp(name), **network(), "samples": COUNT, "seconds": NUMBER, "stopped_by": TEXT,
         "seeds": {"type": "array", "items": COUNT}}
    return p
RUN_REQUIRED = ["schema", "schema_version", "ntk_version"] + [k for k in NETWORK_REQUIRED if k != "input_dim"] + ["samples", "seconds", "seeds"]
VERDICT = {"enum": ["pass", "fail", "inconclusive"]}

# validate (run and merge)
moment_check = obj({**reals("mc", "se", "se_exact", "exact", "z", "gi", "z_gi")}, ["mc", "se", "exact", "z"])
top = {**run_header("validate"), "z_max": NUMBER, "minimum_samples": COUNT, "z_standard_errors": {"enum": ["exact", "sample"]},
       "E_theta": moment_check, "E_theta2": moment_check,
       "samples_to_separate_gi": obj(reals("z", "by_E_theta", "by_E_theta2"), ["z"]),
       "dispersion_plugin": obj({**reals("mc", "se_delta_method"), "note": TEXT}),
       "verdict": VERDICT, "passed": {"type": "boolean"}, "gi_verdict": VERDICT, "gi_rejected": {"type": "boolean"},
       "inconclusive_reason": TEXT}
document("validate", "ntk validate --format json and ntk validate merge --format json (schema ntk.validate, version 1)",
  "Monte Carlo E[Θ], E[Θ²] of simulated networks (mc ± se, se_exact from the exact E[Θ⁴]) against the exact recursion (exact, z) and gradient independence (gi, z_gi), the verdicts and the samples needed to tell the two models apart. " + CONTRACT,
  top, RUN_REQUIRED + ["stopped_by", "z_max", "minimum_samples", "z_standard_errors", "E_theta", "E_theta2", "verdict", "passed", "gi_verdict", "gi_rejected"])

# offdiag (run and merge)
diagonal_check = obj({"E_theta": obj(reals("mc", "se", "exact", "z"), ["mc", "se", "exact", "z"]),
                      "E_theta2": obj(reals("mc", "se", "exact", "z"), ["mc", "se", "exact", "z"]),
                      "standard_errors": {"enum": ["exact", "sample"]}, "verdict": VERDICT, "inconclusive_reason": TEXT},
                     ["E_theta", "E_theta2", "standard_errors", "verdict"])
result = obj({"depth": COUNT, **reals("correlation"), "samples": COUNT, "E_theta_xy": estimate(), "E_theta_xy2": estimate(),
              "ratio": estimate(), **reals("infinite_width_theta", "infinite_width_ratio"),
              "dispersion": obj(reals("mc", "se_delta_method"), ["mc", "se_delta_method"]),
              **reals("correlation_with_diagonal", "bound_abs_E_theta_xy", "bound_E_theta_xy2"), "exact_check": diagonal_check},
             ["depth", "correlation", "samples", "E_theta_xy", "E_theta_xy2", "ratio", "dispersion", "bound_abs_E_theta_xy", "bound_E_theta_xy2"])
top = {**run_header("offdiag"), "z_max": NUMBER, **reals("correlations", shape="list"),
       "depths": {"type": "array", "items": obj({"depth": COUNT, "samples": COUNT, "seconds": NUMBER, "stopped_by": TEXT,
                                                 "diagonal_check": diagonal_check})},
       "verdict": VERDICT, "results": {"type": "array", "items": result}}
document("offdiag", "ntk offdiag --format json and ntk offdiag merge --format json (schema ntk.offdiag, version 1)",
  "Monte Carlo off-diagonal moments E[Θ(x,x′)], E[Θ(x,x′)²] per depth and correlation, with the infinite-width kernel, the certified bounds from the exact diagonal moments and the diagonal z-tests (depths[].diagonal_check, verdict). " + CONTRACT,
  top, RUN_REQUIRED + ["z_max", "correlations", "depths", "verdict", "results"])

# step (run and merge)
change = {"delta_theta_over_eta": estimate(), "kink": estimate(), "delta_theta_over_E_theta": estimate(),
          "relative_abs_change": estimate(), "crossing_fraction": estimate()}
top = {**run_header("step"), "target": NUMBER, "E_theta": obj(reals("mc", "se", "exact"), ["mc", "se", "exact"]),
       "E_fQ": obj(reals("mc", "se", "exact", "z"), ["mc", "se", "exact", "z"]), **reals("smooth_delta_over_eta_exact", "learning_rate"),
       **change, "sweep": {"type": "array", "items": obj({**reals("learning_rate"), **change})}, "note": TEXT}
document("step", "ntk step --format json and ntk step merge --format json (schema ntk.step, version 1)",
  "One gradient step of simulated networks: E[Θ] and E[fQ] (Monte Carlo against exact, z on the exact standard error) and the change of Θ per learning rate (sweep). " + CONTRACT,
  top, RUN_REQUIRED + ["E_theta", "E_fQ"])

# distribution (run and merge)
quantiles = {"type": "object", "patternProperties": {"^0\\.[0-9]+$": NUMBER_OR_NULL}, "additionalProperties": False}
top = {**run_header("distribution"), "model": {"enum": ["exact", "gi"]}, "mean_exact": TEXT, **reals("E_theta"),
       "moments": {"type": "array", "items": obj({"k": COUNT, **reals("mc", "se", "exact", "z"), "se_kind": {"enum": ["exact", "sample"]}},
                                                 ["k", "mc", "se", "se_kind", "exact", "z"])},
       "quantiles": quantiles, **reals("quantile_resolution_relative"),
       "tails": {"type": "array", "items": obj(reals("t", "p", "se"), ["t", "p", "se"])},
       "log_mean": estimate(), "log_variance": estimate(), "zero_samples": COUNT}
document("distribution", "ntk distribution --format json and ntk distribution merge --format json (schema ntk.distribution, version 1)",
  "The law of Θ from the reduced model: moments E[Θ^k]/E[Θ]^k (Monte Carlo against exact, z), quantiles of Θ/E[Θ], tail probabilities, the mean and variance of log Θ. mean_exact (a decimal string) is kept for one release; E_theta carries the same exact mean under the contract. " + CONTRACT,
  top, RUN_REQUIRED + ["model", "E_theta", "moments", "quantiles", "tails", "log_mean", "log_variance", "zero_samples"])

# expand
coefficients = {}
for q in ["F", "c1", "c2", "c3"]: coefficients.update(reals(q, f"{q}_error"))
top = {**stamp("expand"), **reals("sigma2", "lambda", "input_ratio", "input_norm2", "alpha0"), "biases": {"type": "boolean"},
       "model": {"enum": ["exact", "gi"]}, "phase": {"enum": ["ordered", "edge-of-chaos", "chaotic"]},
       "widths": {"type": "array", "items": COUNT}, "check_widths": {"type": "array", "items": COUNT},
       "precision_bits": COUNT, "valid": {"type": "boolean"}, "reason": TEXT, "error_estimate": TEXT, **coefficients,
       **reals("c1_closed_form", "c1_difference", "c2_closed_form", "c2_difference"),
       "mean_ratio": obj(coefficients, ["F", "c1"]), "second_moment_ratio": obj(coefficients, ["F", "c1"])}
document("expand", "ntk expand --format json (schema ntk.expand, version 1)",
  "The 1/M expansion R(M) ≈ F + c1/M + c2/M² + c3/M³ of the dispersion at fixed λ = L/M, fitted over widths and checked at check_widths; valid false (with reason, exit 3) where the expansion does not hold. " + CONTRACT,
  top, ["schema", "schema_version", "ntk_version", "sigma2", "sigma2_exact", "lambda", "lambda_exact", "biases", "model", "phase", "widths", "valid"],
  {"if": {"properties": {"valid": {"const": True}}}, "then": {"required": ["F", "F_error", "c1", "c1_error", "error_estimate"]},
   "else": {"required": ["reason"]}})

# table (schema ntk.table): the stamp, what the rows were computed with, one row per network
# (restricted to --columns when the command line prints it), and the λ that λM misses
row = {**reals("sigma2", "lambda", "requested_lambda"), "M": COUNT, "L": COUNT, "n0": COUNT,
       **reals("ratio", "limit_exact", "limit_published", "rel_err_exact", "rel_err_published", "order_exact", "order_published",
               "c1", "predicted", "rel_err_predicted", "richardson"),
       "phase": {"enum": ["ordered", "edge-of-chaos", "chaotic"]}, "published_is_gi_derived": {"type": "boolean"}, "correction_note": TEXT}
top = {**stamp("table"), "moment": COUNT, "first_step": {"type": "boolean"}, "digits": COUNT, "precision_bits": COUNT, "shard": TEXT,
       "rows": {"type": "array", "items": obj(row, [])},
       "unattainable_lambdas": {"type": "array", "items": obj({**reals("lambda"), "M": COUNT}, ["lambda", "lambda_exact", "M"])}}
document("table", "ntk table --format json (schema ntk.table, version 1)",
  "The convergence table: one row per network with the finite-width dispersion (ratio; E[Θ^p]/E[Θ]^p with moment p, E[fQ]/E[Θ]² with first_step), its limits and relative errors, the observed order of convergence, the first 1/M correction and the Richardson extrapolation. The command line prints the columns --columns selects; numbers outside double range are null beside _decimal and _log10. " + CONTRACT,
  top, ["schema", "schema_version", "ntk_version", "moment", "first_step", "digits", "precision_bits", "rows"])

# train (schema ntk.train): the network, the optimizer and data, and per σ² its recorded steps
record = obj({"step": COUNT, **reals("loss", "ntk_rel_change", "alignment")}, ["step", "loss", "ntk_rel_change", "alignment"])
run = obj({**reals("sigma2", "learning_rate", "initial_mean_diagonal"), "parameters": COUNT,
           "records": {"type": "array", "items": record}, "diverged": {"type": "boolean"}, "stopped_by": TEXT, "seconds": NUMBER_OR_NULL},
          ["sigma2", "sigma2_exact", "learning_rate", "initial_mean_diagonal", "parameters", "records", "diverged", "stopped_by", "seconds"])
top = {**stamp("train"), "width": COUNT, "depth": COUNT, "input_dim": COUNT, "biases": {"type": "boolean"}, "optimizer": TEXT,
       "inputs": COUNT, "steps": COUNT, "seed": COUNT, "runs": {"type": "array", "items": run}}
document("train", "ntk train --format json (schema ntk.train, version 1)",
  "Gradient-descent training of simulated networks, one run per σ²: the learning rate, the mean initial NTK diagonal, the parameter count and the recorded steps (training loss, relative change of the tracked NTK matrix ‖Θ_t − Θ_0‖_F/‖Θ_0‖_F, its alignment with the labels); null where a value stopped being finite (diverged). " + CONTRACT,
  top, list(top))

if __name__ == "__main__":
    for name, text in OUTPUT.items():
        (Path(sys.argv[1]) if len(sys.argv) > 1 else FOLDER).joinpath(f"{name}.schema.json").write_text(text)
