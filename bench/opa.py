"""Bench-only: run agentgate's Rego library (rules/) in the real Go OPA engine, through the
opa-golib-python-bindings (see ../shared/tooling.md), on the input and data agentgate's Rego
engine sees (written by examples/bench_workloads.rs). Prints one JSON object.

  opa.py one DIR [RUNS]   one big evaluation of DIR/opa-input.json (median of RUNS)
  opa.py many DIR [N]     one evaluation per line of DIR/opa-inputs.jsonl (the first N)
  opa.py bridge DIR       the Python bridge's cost: a trivial query, with and without DIR's input
"""

import json
import pathlib
import re
import statistics
import sys
import time

from opa_bindings import OpaEngine

HERE = pathlib.Path(__file__).resolve().parent
RULES = HERE.parent / "rules"
BUILTIN = re.compile(r"(?<![\w.])agentgate\.(glob_under|glob|cmd|flag|target|environment)\(")
NAMES = {"glob": "glob_list"}


def modules():
    """rules/*.rego with the agentgate.* builtins pointed at the plain-Rego shim."""
    out = {"opa_shim.rego": (HERE / "opa_shim.rego").read_text()}
    for path in sorted(RULES.glob("*.rego")):
        text = BUILTIN.sub(
            lambda m: f"data.agentgate.shim.{NAMES.get(m.group(1), m.group(1))}(",
            path.read_text(),
        )
        out[f"rules/{path.name}"] = text
    return out


def engine(data):
    e = OpaEngine()
    for name, text in modules().items():
        e.add_policy(name, text)
    e.add_data(data)
    return e


def count(doc):
    return sum(len(v.get("findings", [])) for v in doc.values() if isinstance(v, dict))


def one(d, runs):
    d = pathlib.Path(d)
    data = json.loads((d / "opa-data.json").read_text())
    inp = json.loads((d / "opa-input.json").read_text())
    t = time.perf_counter()
    e = engine(data)
    load = time.perf_counter() - t
    times, n = [], None
    for _ in range(runs):
        t = time.perf_counter()
        doc = e.eval_document("agentgate.kinds", inp)
        times.append(time.perf_counter() - t)
        n = count(doc)
    return {"load_s": load, "eval_s": statistics.median(times), "runs": runs, "findings": n}


def many(d, calls):
    d = pathlib.Path(d)
    data = json.loads((d / "opa-data.json").read_text())
    lines = (d / "opa-inputs.jsonl").read_text().splitlines()[:calls]
    inputs = [json.loads(line) for line in lines]
    e = engine(data)
    e.eval_document("agentgate.kinds", inputs[0])  # warm up
    n = 0
    t = time.perf_counter()
    for inp in inputs:
        n += count(e.eval_document("agentgate.kinds", inp))
    total = time.perf_counter() - t
    return {"calls": len(inputs), "total_s": total, "per_call_us": total / len(inputs) * 1e6, "findings": n}


def bridge(d):
    inp = json.loads((pathlib.Path(d) / "opa-input.json").read_text())
    e = OpaEngine()
    e.add_policy("t.rego", "package t\n\nimport rego.v1\n\nx := 1\n")

    def median(input, runs):
        times = []
        for _ in range(runs):
            t = time.perf_counter()
            e.eval_document("t.x", input)
            times.append(time.perf_counter() - t)
        return statistics.median(times)

    return {"empty_call_us": median(None, 2000) * 1e6, "with_input_s": median(inp, 5)}


if __name__ == "__main__":
    mode, d = sys.argv[1], sys.argv[2]
    if mode == "one":
        out = one(d, int(sys.argv[3]) if len(sys.argv) > 3 else 1)
    elif mode == "many":
        out = many(d, int(sys.argv[3]) if len(sys.argv) > 3 else 10**9)
    else:
        out = bridge(d)
    print(json.dumps(out))
