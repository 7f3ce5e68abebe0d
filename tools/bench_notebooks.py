"""Measure the course budgets for every solution notebook, one at a time on this machine:
whole-notebook time with kernel start, the training cell's time, and the kernel's peak memory.

    python -m tools.bench_notebooks [NOTEBOOK ...]   ->  benchmarks/notebooks.md and .json

Budgets (course plan): notebook < 60 s, training cell < 10 s on the 2-core CPU, kernel < 1.5 GB.
"""
from __future__ import annotations

import json
import os
import platform
import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "benchmarks"
BUDGET = {"notebook_s": 60.0, "train_cell_s": 10.0, "kernel_peak_mb": 1536.0}


def _peak_rss_mb(pid: int) -> float:
    """VmHWM: the kernel process's high-water resident memory, read before it exits."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def _train_cell_index(nb) -> int | None:
    after = False
    for i, cell in enumerate(nb.cells):
        if cell.cell_type == "markdown" and cell.source.lstrip().startswith("## Train it"):
            after = True
        elif after and cell.cell_type == "code":
            return i
    return None


def measure(path: Path) -> dict:
    nb = nbformat.read(path, as_version=4)
    train_at = _train_cell_index(nb)
    times: dict[int, float] = {}
    client = NotebookClient(nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}})
    client.on_cell_execute = lambda cell, cell_index: times.__setitem__(cell_index, -time.perf_counter())
    client.on_cell_executed = lambda cell, cell_index, execute_reply: times.__setitem__(
        cell_index, times[cell_index] + time.perf_counter())
    start = time.perf_counter()
    with client.setup_kernel():
        pid = client.km.provisioner.process.pid
        for index, cell in enumerate(nb.cells):
            client.execute_cell(cell, index)
        peak = _peak_rss_mb(pid)
    total = time.perf_counter() - start
    return {"notebook": str(path.relative_to(ROOT)), "notebook_s": round(total, 1),
            "train_cell_s": round(times.get(train_at, float("nan")), 1) if train_at is not None else None,
            "kernel_peak_mb": round(peak)}


def main(argv=None) -> int:
    args = argv if argv is not None else sys.argv[1:]
    paths = [Path(a).resolve() for a in args] or sorted((ROOT / "source").glob("*/*.ipynb"))
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    rows = []
    for path in paths:
        row = measure(path)
        row["within_budget"] = all(row[k] is not None and row[k] <= v for k, v in BUDGET.items())
        rows.append(row)
        print(json.dumps(row), flush=True)
    OUT.mkdir(exist_ok=True)
    machine = f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    (OUT / "notebooks.json").write_text(json.dumps({"machine": machine, "budget": BUDGET, "rows": rows}, indent=1))
    lines = [f"# Notebook budgets\n\nMeasured by `make bench` (`python -m tools.bench_notebooks`) on {machine}, "
             f"{time.strftime('%Y-%m-%d')}, one notebook at a time, solution notebooks from `source/`.\n",
             "| notebook | whole notebook (s, kernel start incl.) | training cell (s) | kernel peak RSS (MB) | within budget |",
             "|---|---|---|---|---|"]
    lines += [f"| {r['notebook']} | {r['notebook_s']} | {r['train_cell_s']} | {r['kernel_peak_mb']} | "
              f"{'yes' if r['within_budget'] else '**no**'} |" for r in rows]
    lines.append(f"\nBudgets: notebook < {BUDGET['notebook_s']:.0f} s, training cell < {BUDGET['train_cell_s']:.0f} s, "
                 f"kernel < {BUDGET['kernel_peak_mb']:.0f} MB.")
    (OUT / "notebooks.md").write_text("\n".join(lines) + "\n")
    return 0 if all(r["within_budget"] for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
