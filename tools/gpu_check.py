"""Run every course notebook on the GPU and on the CPU, hidden tests included, and write
benchmarks/gpu.md: device, whole-notebook time, each training cell's time and final loss, errors.

    python -m tools.gpu_check [--jobs N] [--only 01-missing-flatten-torch ...] [--out benchmarks/gpu.md]

Made to run on a bare GPU machine: it needs only nbclient, nbformat and ipykernel besides what the
course itself imports (numpy, matplotlib, scikit-image, mlxtend, torch and/or TensorFlow). A
framework that is not installed is skipped, and the report says so. With no GPU visible it runs the
CPU column only and says so plainly. The CPU column hides the GPU with CUDA_VISIBLE_DEVICES="".
"""
from __future__ import annotations

import argparse
import importlib.util
import json
import os
import re
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timezone
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

ROOT = Path(__file__).resolve().parent.parent
FRAMEWORKS = {"torch": "torch", "keras": "tensorflow"}
# What a training cell prints (course/training.py): "trained 200 steps on cuda in 1.2 s: loss 2.3 -> 0.1"
TRAINED = re.compile(r"trained (\d+) steps on (\S+) in ([\d.]+) s: loss ([\d.naif-]+) -> ([\d.naif-]+)")
METRIC = re.compile(r"^(.*(?:accuracy|error|R²|r2)[^:\n]*):\s*([-\d.]+)", re.I | re.M)
GPU_PROBE = {
    "torch": "import torch; print(torch.cuda.is_available() and torch.cuda.get_device_name(0) or '')",
    "keras": "import os; os.environ['TF_CPP_MIN_LOG_LEVEL']='3'; import tensorflow as tf; "
             "g=tf.config.list_physical_devices('GPU'); print(g[0].name if g else '')",
}


def _base_env() -> dict:
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3", KERAS_BACKEND="tensorflow", MPLBACKEND="Agg",
               # several TensorFlow kernels share one GPU: let each take only what it uses
               TF_FORCE_GPU_ALLOW_GROWTH="true")
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH", "")]))
    return env


def _cpu_env() -> dict:
    return {**_base_env(), "CUDA_VISIBLE_DEVICES": ""}


def probe(framework: str) -> dict:
    """Is the framework installed, and which GPU does it see (run in a subprocess, as kernels do)?"""
    if importlib.util.find_spec(FRAMEWORKS[framework]) is None:
        return {"installed": False, "gpu": ""}
    proc = subprocess.run([sys.executable, "-c", GPU_PROBE[framework]], env=_base_env(),
                          capture_output=True, text=True, timeout=300)
    gpu = proc.stdout.strip().splitlines()[-1] if proc.returncode == 0 and proc.stdout.strip() else ""
    return {"installed": proc.returncode == 0, "gpu": gpu,
            "problem": "" if proc.returncode == 0 else proc.stderr.strip().splitlines()[-1:]}


def _text(cell) -> str:
    return "".join(o.get("text", "") for o in cell.get("outputs", []) if o.get("output_type") == "stream")


def _seconds(cell) -> float | None:
    timing = cell.metadata.get("execution", {})
    start, end = timing.get("iopub.execute_input"), timing.get("shell.execute_reply")
    if not (start and end):
        return None
    parse = lambda s: datetime.fromisoformat(s.replace("Z", "+00:00"))  # noqa: E731
    return (parse(end) - parse(start)).total_seconds()


def run_notebook(path: Path, env: dict) -> dict:
    """Execute one notebook top to bottom (solutions and hidden tests): time, device, training cells."""
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(nb, timeout=600, kernel_name="python3", record_timing=True,
                            resources={"metadata": {"path": str(path.parent)}})
    start, error = time.perf_counter(), ""
    try:
        client.execute(env=env)
    except CellExecutionError as exc:
        error = str(exc).strip().splitlines()[-1][:300]
    except Exception as exc:  # a kernel that died or timed out is a result too
        error = f"{type(exc).__name__}: {exc}"[:300]
    seconds = time.perf_counter() - start
    code = [c for c in nb.cells if c.cell_type == "code"]
    device = next((ln for ln in _text(code[0]).splitlines() if " on " in ln), "?") if code else "?"
    training = []
    for cell in code:
        found = TRAINED.search(_text(cell))
        if found:
            metric = METRIC.search(_text(cell))
            training.append({"steps": int(found[1]), "device": found[2], "train_s": float(found[3]),
                             "cell_s": _seconds(cell), "loss_first": found[4], "loss_last": found[5],
                             "metric": f"{metric[1].strip()}: {metric[2]}" if metric else ""})
    return {"notebook": path.stem, "seconds": round(seconds, 1), "device": device.strip(),
            "training": training, "error": error}


def _fmt_training(runs: list) -> str:
    return "<br>".join(f"cell {t['cell_s'] or 0:.1f} s (training {t['train_s']:.1f} s on {t['device']}), "
                       f"loss {t['loss_first']} -> {t['loss_last']}"
                       + (f", {t['metric']}" if t["metric"] else "") for t in runs) or "-"


def report(results: dict, probes: dict, host: str) -> str:
    gpu_seen = any(p["gpu"] for p in probes.values())
    lines = ["# GPU check", "",
             f"`python -m tools.gpu_check` on {host}, {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC. "
             "Every source notebook runs top to bottom with its hidden tests, once with the GPU visible "
             "and once with it hidden (`CUDA_VISIBLE_DEVICES=\"\"`).", ""]
    for fw, p in probes.items():
        if not p["installed"]:
            lines.append(f"- {fw}: **not installed, skipped**.")
        else:
            lines.append(f"- {fw}: " + (f"GPU visible: {p['gpu']}." if p["gpu"] else "**no GPU visible**."))
    onednn = os.environ.get("TF_ENABLE_ONEDNN_OPTS")
    lines.append(f"- TensorFlow's oneDNN CPU kernels: {'TF_ENABLE_ONEDNN_OPTS is ' + onednn if onednn else 'the CPU default (variable not set)'}.")
    if not gpu_seen:
        lines += ["", "**No GPU was visible on this machine: only the CPU column was measured.**"]
    lines += ["", "| notebook | column | device (setup cell) | notebook s | training cells: time, final loss, score | error |",
              "|---|---|---|---:|---|---|"]
    for name in sorted(results):
        for column in ("gpu", "cpu"):
            r = results[name].get(column)
            if r:
                lines.append(f"| {name} | {column.upper()} | {r['device']} | {r['seconds']} | "
                             f"{_fmt_training(r['training'])} | {r['error'] or '-'} |")
    return "\n".join(lines) + "\n"


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--jobs", type=int, default=max(1, min(4, (os.cpu_count() or 2) // 2)))
    ap.add_argument("--only", nargs="*", default=[], help="notebook stems to run (default: all)")
    ap.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "gpu.md")
    args = ap.parse_args(argv)
    probes = {fw: probe(fw) for fw in FRAMEWORKS}
    for fw, p in probes.items():
        state = "not installed: skipped" if not p["installed"] else (f"GPU {p['gpu']}" if p["gpu"] else "no GPU visible")
        print(f"{fw}: {state}", flush=True)
    notebooks = [p for p in sorted((ROOT / "source").glob("*/*.ipynb"))
                 if probes[p.stem.rsplit("-", 1)[1]]["installed"] and (not args.only or p.stem in args.only)]
    jobs = [(p, col) for p in notebooks for col in ("gpu", "cpu")
            if col == "cpu" or probes[p.stem.rsplit("-", 1)[1]]["gpu"]]
    results: dict = {}

    def one(job):
        path, column = job
        r = run_notebook(path, _base_env() if column == "gpu" else _cpu_env())
        print(f"{'FAIL' if r['error'] else 'ok  '} {column.upper()} {path.stem}: {r['seconds']} s"
              f"{' - ' + r['error'] if r['error'] else ''}", flush=True)
        return path.stem, column, r

    with ThreadPoolExecutor(args.jobs) as pool:
        for name, column, r in pool.map(one, jobs):
            results.setdefault(name, {})[column] = r
    host = f"{os.cpu_count()} CPU cores"
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(report(results, probes, host))
    args.out.with_suffix(".json").write_text(json.dumps({"probes": probes, "results": results}, indent=1))
    print(f"wrote {args.out}")
    return 1 if any(r.get("error") for by in results.values() for r in by.values()) else 0


if __name__ == "__main__":
    sys.exit(main())
