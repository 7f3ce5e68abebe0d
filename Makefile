# Two commands matter: `make course` and `make test`. Everything else is a building block.
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export TF_CPP_MIN_LOG_LEVEL := 3
export KERAS_BACKEND := tensorflow
export PYTHONDONTWRITEBYTECODE := 1
# nbgrader shells out to `alembic` (and kernels to `python`): the venv must come first on PATH.
export PATH := $(CURDIR)/$(VENV)/bin:$(PATH)

.PHONY: setup system course release validate grade-demo test lab lab-instructor bench gpu-check clean

# Idempotent: a second run finds the stamp newer than its inputs and does nothing.
setup: $(STAMP)

$(STAMP): requirements.txt pyproject.toml
	@command -v $(PYTHON) >/dev/null || { echo "Python 3.11 is required ($(PYTHON) not found)"; exit 1; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -r requirements.txt
	$(BIN)/pip install -q --no-deps --no-build-isolation -e .
	touch $(STAMP)

# OS packages for the sandbox (bubblewrap) and the browser test (chromium); skipped when present.
system:
	@bash tools/install-system.sh

release: setup
	$(BIN)/python -m tools.release

validate: setup
	$(BIN)/python -m tools.release --validate-only

# The bundled demo class, graded in parallel and sandboxed into its own SQLite gradebook
# (build/demo-class/): HTML feedback, grades CSV, class report and a grade table.
grade-demo: setup
	$(BIN)/python -m sample_class.demo --check

course: setup system release grade-demo

test: setup system
	$(BIN)/python -m pytest -n 2 --dist loadgroup

lab: setup
	$(BIN)/python -m tools.lab

# The same JupyterLab with nbgrader's instructor UI (Formgrader, Create Assignment) shown.
lab-instructor: setup
	$(BIN)/python -m tools.lab --instructor

# Every notebook with its hidden tests on the GPU (when one is visible) and on the CPU, into
# benchmarks/gpu.md. On a bare GPU machine without this venv: `python -m tools.gpu_check`.
gpu-check: setup
	$(BIN)/python -m tools.gpu_check

# Budgets are measured, not asserted by timed tests: results go to benchmarks/.
bench: setup
	$(BIN)/python -m tools.bench_notebooks
	$(BIN)/python -m tools.bench

clean:
	rm -rf submitted autograded feedback gradebook.db build
