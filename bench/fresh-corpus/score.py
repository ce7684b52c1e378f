#!/usr/bin/env python3
"""Scores agentgate on the six corpus sets at once, and compares two binaries case by case.

  score.py total BIN [SET ...]          totals per set, in score-corpus's format
  score.py diff OLD NEW [SET ...]       cases one binary gets right and the other does not
  score.py misses BIN SET [WORD]        the misses of a tunable set, with the findings given

Sets: corpus, wide, check (../shared/corpus*), dev, dev2, hold (fresh files restored under
$FRESH, default /work/fresh, next to a copy of this folder's cases; see README.md).
`check` and `hold` are scored only: `misses` and `diff` print no case of theirs, so that nothing
is tuned on them. Same rules as ../shared/tools/score-cases (`accept` lists every acceptable
decision; exit 2 is "error").
"""
import concurrent.futures, glob, json, os, shutil, subprocess, sys, tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
SHARED = os.path.normpath(os.path.join(HERE, "..", "..", "..", "shared"))
FRESH = os.environ.get("FRESH", "/work/fresh")
SETS = {
    "corpus": os.path.join(SHARED, "corpus"), "wide": os.path.join(SHARED, "corpus-wide"),
    "check": os.path.join(SHARED, "corpus-check"), "dev": os.path.join(FRESH, "dev"),
    "dev2": os.path.join(FRESH, "dev2"), "hold": os.path.join(FRESH, "hold"),
}
UNSEEN = {"check", "hold"}


def run_case(ag, root, case):
    text = json.dumps(case["plan"]).replace("@ROOT@", os.path.abspath(root))
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
        f.write(text)
        plan = f.name
    out = None
    try:
        p = subprocess.run([ag, "check", "--root", root, "--plan", plan, "--format", "json"],
                           capture_output=True, text=True, timeout=30)
        if p.returncode == 2:
            got = "error"
        else:
            try:
                out = json.loads(p.stdout)
                got = out.get("decision", "?")
            except ValueError:
                got = f"unparsable(rc={p.returncode})"
    except subprocess.TimeoutExpired:
        got = "timeout"
    os.unlink(plan)
    ok = got in case.get("accept", [case["expect"]])
    if ok and case.get("expect_warning") and out is not None:
        ok = any(f.get("severity") == "warning" for f in out.get("findings", []))
    return got, ok, out


def run_set(ag, name):
    d = SETS[name]
    jobs, roots = [], []
    for cf in sorted(glob.glob(os.path.join(d, "cases", "*.json"))):
        data = json.load(open(cf))
        src = os.path.join(d, data["source"])
        if not os.path.exists(src):
            print(f"warning: {src} missing", file=sys.stderr)
            continue
        root = tempfile.mkdtemp()
        roots.append(root)
        dest = os.path.join(root, data.get("path", "AGENTS.md"))
        os.makedirs(os.path.dirname(dest), exist_ok=True)
        shutil.copy(src, dest)
        for case in data["cases"]:
            jobs.append((data["source"], root, case))
    with concurrent.futures.ThreadPoolExecutor(4) as pool:
        res = list(pool.map(lambda j: run_case(os.path.abspath(ag), j[1], j[2]), jobs))
    for r in roots:
        shutil.rmtree(r)
    return [(src, case, got, ok, out) for (src, _, case), (got, ok, out) in zip(jobs, res)]


def total(name, results):
    by = {}
    for _, case, _, ok, _ in results:
        t = by.setdefault(case["expect"], [0, 0])
        t[0] += ok
        t[1] += 1
    right = sum(t[0] for t in by.values())
    n = sum(t[1] for t in by.values())
    allow = by.get("allow", [0, 0])
    fa = 1 - allow[0] / allow[1] if allow[1] else 0.0
    parts = ", ".join(f"{k} {x}/{y}" for k, (x, y) in sorted(by.items()))
    return f"{name}: {right}/{n} right ({100 * right / max(n, 1):.0f}%; {parts}; false alarms {100 * fa:.1f}%)"


def main(argv):
    if len(argv) < 2:
        sys.exit(__doc__)
    cmd = argv[0]
    if cmd == "total":
        for name in argv[2:] or list(SETS):
            print(total(name, run_set(argv[1], name)), flush=True)
    elif cmd == "diff":
        for name in argv[3:] or list(SETS):
            old, new = run_set(argv[1], name), run_set(argv[2], name)
            print(f"{total(name, old)}\n  -> {total(name, new)}")
            if name in UNSEEN:
                continue
            for (src, case, g0, ok0, _), (_, _, g1, ok1, _) in zip(old, new):
                if ok0 != ok1:
                    tag = "FIXED" if ok1 else "BROKE"
                    print(f"  {tag} {src} :: {case['name']} (expect {case['expect']}: {g0} -> {g1})")
    elif cmd == "misses":
        name = argv[2]
        if name in UNSEEN:
            sys.exit(f"{name} is scored only; its cases are not shown")
        word = argv[3].lower() if len(argv) > 3 else ""
        for src, case, got, ok, out in run_set(argv[1], name):
            if ok or word not in (src + json.dumps(case)).lower():
                continue
            print(f"== {src} :: {case['name']}: expected {case['expect']}, got {got}")
            print("   plan:", json.dumps(case["plan"])[:600])
            for f in (out or {}).get("findings", [])[:4]:
                o = f.get("origin") or {}
                print(f"   {f.get('severity')} {f.get('rule')}: {f.get('message', '')[:200]} @{o.get('line')}")
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main(sys.argv[1:])
