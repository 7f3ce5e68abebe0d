# Two commands matter: `make course` and `make test`. Everything else is a building block.
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
# make setup / make lab install exactly one lock of locks/ (`make lock` writes them from requirements.txt):
# FRAMEWORK=all (default) both frameworks, FRAMEWORK=torch without TensorFlow, FRAMEWORK=keras without
# PyTorch. INSTALLER=auto|uv|pip, WHEELS, TORCH_INDEX: tools/env.sh and docs/install.md.
FRAMEWORK ?= all
ifeq ($(filter $(FRAMEWORK),all torch keras),)
$(error FRAMEWORK must be all, torch or keras, not '$(FRAMEWORK)')
endif
export PYTHON VENV INSTALLER WHEELS TORCH_INDEX UPGRADE LOCK_PLATFORM
# One stamp per installed lock: .installed (everything; tests, grading and `make course` need it),
# .installed-torch or .installed-keras (a one-framework `make lab`).
STAMP_ALL := $(VENV)/.installed
STAMP := $(if $(filter all,$(FRAMEWORK)),$(STAMP_ALL),$(VENV)/.installed-$(FRAMEWORK))
export TF_CPP_MIN_LOG_LEVEL := 3
export KERAS_BACKEND := tensorflow
export PYTHONDONTWRITEBYTECODE := 1
# nbgrader shells out to `alembic` (and kernels to `python`): the venv must come first on PATH.
export PATH := $(CURDIR)/$(VENV)/bin:$(PATH)

.PHONY: setup lock system course release validate grade-demo test lab lab-instructor hub check bench gpu-check clean

# Idempotent: a second run finds the stamp newer than its lock and does nothing. A change to how
# the environment is made (tools/env.sh) makes it again, as a change to the lock does.
setup: $(STAMP)

$(STAMP_ALL): locks/all.txt pyproject.toml tools/env.sh
	@bash tools/env.sh setup all
	@rm -f $(VENV)/.installed-*
	@touch $@

# A one-framework lab: the full environment, when it is installed and current, already has it.
$(VENV)/.installed-%: locks/%.txt pyproject.toml tools/env.sh
	@if [ -f $(STAMP_ALL) ] && [ $(STAMP_ALL) -nt locks/all.txt ] && [ $(STAMP_ALL) -nt pyproject.toml ] \
	    && [ $(STAMP_ALL) -nt tools/env.sh ]; then \
	  echo "==> using the installed environment (both frameworks)"; \
	else bash tools/env.sh setup $* && rm -f $(VENV)/.installed $(VENV)/.installed-*; fi
	@touch $@

# Re-resolve requirements.txt (and requirements-bootstrap.txt) into locks/*.txt; needs PyPI.
# Keeps every locked version the pins allow; UPGRADE=1 takes the newest instead.
lock:
	@bash tools/env.sh lock

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

# Two workers on the 2-core reference machine: 25 min on a fresh clone, install included
# (benchmarks/suite.md). A third measured faster before the venv was byte-compiled, but loaded the
# machine so at the start that the sample class's 15-s cell limit was met by a plain import (a
# wrong score, once in three runs). Each xdist group (one notebook's checks, the sample class, the
# classroom, the hub) stays on one worker.
TEST_WORKERS ?= 2
test: $(STAMP_ALL) system
	$(BIN)/python -m pytest -n $(TEST_WORKERS) --dist loadgroup --durations=30

lab: setup
	$(BIN)/python -m tools.lab

# The same JupyterLab with nbgrader's instructor UI (Formgrader, Create Assignment) shown.
lab-instructor: setup
	$(BIN)/python -m tools.lab --instructor

# Self-study: one notebook's full verdict (hidden tests included) from the course's grader, as
# saved; writes nothing. Also `%check` in the notebook. make check NOTEBOOK=mywork/00-.../x.ipynb
check: setup
	@if [ -z "$(NOTEBOOK)" ]; then echo "usage: make check NOTEBOOK=path/to/notebook.ipynb"; exit 2; fi
	$(BIN)/python -m autograder check "$(NOTEBOOK)"

# The class on JupyterHub (as root): Unix accounts from ROSTER (CSV: username,role[,name]), the formgrader as
# a hub service, the exchange and the hub's files under HUB_STATE. docs/instructors.md, section JupyterHub.
ROSTER ?= roster.csv
PORT ?= 8000
HUB_IP ?= 0.0.0.0
HUB_STATE ?= /srv/shape-errors-hub
hub: setup system
	$(BIN)/python -m tools.hub --roster $(ROSTER) --ip $(HUB_IP) --port $(PORT) --state $(HUB_STATE)

# Every notebook with its hidden tests on the GPU (when one is visible) and on the CPU, into
# benchmarks/gpu.md. On a bare GPU machine without this venv: `python -m tools.gpu_check`.
gpu-check: setup
	$(BIN)/python -m tools.gpu_check

# Budgets are measured, not asserted by timed tests: results go to benchmarks/.
bench: setup
	$(BIN)/python -m tools.bench_notebooks
	$(BIN)/python -m tools.bench

# Only what the project builds: build/ (the demo class, the uv bootstrap, lab configs, screenshots)
# and Python caches. The repository root is an nbgrader course directory, so submitted/,
# autograded/, feedback/, release/, source/, the gradebook and build/autograder/ (the regrade record
# and class reports of the real course) are never touched: they are the instructor's, not ours.
KEPT_BUILD := build/autograder
# The project's own packages (never `find .`: that would reach into the course folders).
CODE_DIRS = $(wildcard course autograder tools tests sample_class)
clean:
	rm -rf $(filter-out $(KEPT_BUILD),$(wildcard build/*)) .pytest_cache
	$(if $(CODE_DIRS),find $(CODE_DIRS) -name __pycache__ -type d -prune -exec rm -rf {} +)
