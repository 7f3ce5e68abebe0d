#!/usr/bin/env bash
# The course's Python environment: what `make setup`, `make lab` and `make lock` run.
#
#   tools/env.sh setup all|torch|keras   create .venv if needed and make it exactly locks/<name>.txt
#   tools/env.sh lock                    resolve requirements.txt into locks/*.txt, hashed (needs PyPI)
#
# The installer is uv (pinned in requirements-bootstrap.txt, bootstrapped with pip into build/uv,
# hash-checked through locks/bootstrap.txt). Where uv cannot be had, plain pip installs the same
# lock with the same hashes, only slower. Settings, from the environment or `make VAR=...`:
#   PYTHON      the Python 3.11 to build the venv from (python3.11)
#   VENV        the venv folder (.venv)
#   INSTALLER   auto (uv, else pip), uv or pip
#   WHEELS      a folder of local wheels searched for the locked torch build (/opt/wheels)
#   TORCH_INDEX where the locked CPU torch build comes from when WHEELS lacks it
#               (https://download.pytorch.org/whl/cpu); `make lock TORCH_INDEX=pypi` locks PyPI's
#               build instead (CUDA on Linux x86_64): docs/install.md
#   UPGRADE=1   `make lock` re-resolves everything to the newest versions the pins allow
#   LOCK_PLATFORM  the platform `make lock` resolves for (x86_64-unknown-linux-gnu)
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON=${PYTHON:-python3.11}
VENV=${VENV:-.venv}
INSTALLER=${INSTALLER:-auto}
WHEELS=${WHEELS:-/opt/wheels}
TORCH_INDEX=${TORCH_INDEX:-https://download.pytorch.org/whl/cpu}
LOCK_PLATFORM=${LOCK_PLATFORM:-x86_64-unknown-linux-gnu}
UV_DIR=build/uv
UV=$UV_DIR/bin/uv
# The course runs on the machine's Python 3.11: uv must never download an interpreter of its own.
export UV_PYTHON_DOWNLOADS=never

say() { echo "==> $*"; }
die() { echo "error: $*" >&2; exit 1; }
# pip here reads a machine-wide config whose local index folders may lack a package: not news.
quiet_pip_noise() { grep -v -e "is ignored: it is neither a file nor a directory" -e "as the 'root' user" >&2 || true; }

bootstrap_uv() {
  local want
  want=$(sed -n 's/^uv==\([^ #]*\).*/\1/p' requirements-bootstrap.txt)
  if [ -x "$UV" ] && [ "$("$UV" --version 2>/dev/null | cut -d' ' -f2)" = "$want" ]; then
    return 0
  fi
  command -v "$PYTHON" >/dev/null || return 1
  say "bootstrapping uv $want with pip into $UV_DIR"
  rm -rf "$UV_DIR"
  "$PYTHON" -m pip install --quiet --disable-pip-version-check --no-deps --require-hashes \
    --target "$UV_DIR" -r locks/bootstrap.txt 2>&1 | quiet_pip_noise
  [ -x "$UV" ] && "$UV" --version >/dev/null 2>&1
}

# Where the lock's torch build is found: this folder of local wheels when it holds that exact file;
# otherwise a +cpu build (not on PyPI) comes from PyTorch's CPU index. A plain version is PyPI's.
torch_source() {
  local version
  version=$(sed -n 's/^torch==\([^ \\]*\).*/\1/p' "$1")
  [ -n "$version" ] || return 0
  if compgen -G "$WHEELS/torch-$version-*.whl" >/dev/null; then
    echo "--find-links $WHEELS"
  elif [[ $version == *+* ]]; then
    echo "--extra-index-url $TORCH_INDEX"
  fi
}

# Plain pip only adds packages: remove those the lock does not name (after a switch of FRAMEWORK).
pip_remove_unlocked() {
  local lock=$1 extra
  extra=$("$VENV/bin/python" -m pip freeze --exclude-editable 2>/dev/null | sed -n 's/^\([A-Za-z0-9._-]*\)==.*/\1/p' \
    | tr 'A-Z_.' 'a-z--' | grep -vxF -f <(sed -n 's/^\([A-Za-z0-9._-]*\)==.*/\1/p' "$lock" | tr 'A-Z_.' 'a-z--') || true)
  if [ -n "$extra" ]; then
    say "removing packages the lock does not name: $(echo $extra)"
    "$VENV/bin/python" -m pip uninstall --quiet --yes $extra
  fi
}

# In a one-framework install, importing the other framework says what is missing and how to add it.
missing_framework_hook() {
  local framework=$1 site
  site=$("$VENV/bin/python" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')
  rm -f "$site/_course_missing_framework.py" "$site/_course_missing_framework.pth"
  if [ "$framework" != all ]; then
    cp tools/missing_framework.py "$site/_course_missing_framework.py"
    echo "import _course_missing_framework; _course_missing_framework.install('$framework')" \
      > "$site/_course_missing_framework.pth"
  fi
}

setup() {
  local framework=$1 lock=locks/$1.txt tool=pip count source
  [ -f "$lock" ] || die "no lock $lock (FRAMEWORK must be all, torch or keras)"
  command -v "$PYTHON" >/dev/null || die "Python 3.11 is required ($PYTHON not found; set PYTHON=/path/to/python3.11)"
  SECONDS=0
  if [ "$INSTALLER" != pip ]; then
    if bootstrap_uv; then
      tool=uv
    elif [ "$INSTALLER" = uv ]; then
      die "uv $UV_DIR could not be installed (INSTALLER=uv); INSTALLER=pip uses plain pip"
    else
      say "uv could not be installed here: falling back to plain pip (same lock, slower)"
    fi
  fi
  if ! "$VENV/bin/python" -c 'import sys; assert sys.version_info[:2] == (3, 11)' 2>/dev/null; then
    say "creating $VENV ($("$PYTHON" --version 2>&1)) with $tool"
    rm -rf "$VENV"
    if [ $tool = uv ]; then "$UV" venv --quiet --python "$PYTHON" "$VENV"; else "$PYTHON" -m venv "$VENV"; fi
  fi
  count=$(grep -cE '^[A-Za-z0-9]' "$lock")
  source=$(torch_source "$lock")
  say "installing the $count locked packages of $lock into $VENV with $tool" \
      "(the first install on a machine downloads them, up to 1 GB; later ones come from the package cache)"
  if [ $tool = uv ]; then
    # `pip sync`: exactly the lock, removing whatever else is there. --compile-bytecode writes every
    # package's .pyc now (in parallel): uv skips that by default, and `make` runs Python with
    # PYTHONDONTWRITEBYTECODE, so without it every process compiled its imports afresh (measured:
    # importing TensorFlow and Keras 16 s of CPU without .pyc, 6 s with; PyTorch 4.4 s and 2.1 s).
    "$UV" pip sync --python "$VENV/bin/python" --require-hashes --compile-bytecode $source "$lock"
    "$UV" pip install --quiet --python "$VENV/bin/python" --no-deps --no-build-isolation -e .
  else
    "$VENV/bin/python" -m pip --version >/dev/null 2>&1 || "$VENV/bin/python" -m ensurepip --default-pip >/dev/null
    pip_remove_unlocked "$lock"
    "$VENV/bin/python" -m pip install --disable-pip-version-check --no-deps --require-hashes --no-compile \
      --progress-bar on $source -r "$lock" 2>&1 | quiet_pip_noise
    # The same .pyc as uv's --compile-bytecode, on every core (pip's own compiles one file at a
    # time). A few packages ship files that do not compile (never imported): not an error.
    "$VENV/bin/python" -m compileall -q -j 0 "$("$VENV/bin/python" -c 'import sysconfig; print(sysconfig.get_path("purelib"))')" >/dev/null || true
    "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e . \
      2>&1 | quiet_pip_noise
  fi
  missing_framework_hook "$framework"
  say "environment ready: $lock in $VENV with $tool, $SECONDS s"
}

lock() {
  bootstrap_uv || die "make lock needs uv (pip install uv==$(sed -n 's/^uv==//p' requirements-bootstrap.txt))"
  local source=() upgrade=() framework other
  # Linux x86_64, CPython 3.11.0 or later: the course's platform (docs/install.md for others).
  local common=(--python-version 3.11 --python-platform "$LOCK_PLATFORM" --generate-hashes
                --custom-compile-command "make lock")
  if [ "$TORCH_INDEX" = pypi ]; then
    source=(--index-url https://pypi.org/simple)  # PyPI's torch: the CUDA build on Linux x86_64
  elif compgen -G "$WHEELS/torch-*.whl" >/dev/null; then
    source=(--find-links "$WHEELS")
  else
    source=(--extra-index-url "$TORCH_INDEX")
  fi
  [ "${UPGRADE:-}" = 1 ] && upgrade=(--upgrade)
  mkdir -p build/lock
  say "locking requirements.txt into locks/all.txt (torch from ${source[1]})"
  # The previous lock is uv's starting point: only what the pins force changes, unless UPGRADE=1.
  "$UV" pip compile requirements.txt -o locks/all.txt "${common[@]}" "${source[@]}" "${upgrade[@]}" >/dev/null
  for framework in torch keras; do
    other=$([ $framework = torch ] && echo keras || echo torch)
    grep -v "# *framework: *$other" requirements.txt > build/lock/$framework.in
    say "locking the $framework-only subset into locks/$framework.txt (same versions as locks/all.txt)"
    "$UV" pip compile build/lock/$framework.in -c locks/all.txt -o locks/$framework.txt "${common[@]}" "${source[@]}" >/dev/null
  done
  say "locking the installer into locks/bootstrap.txt"
  "$UV" pip compile requirements-bootstrap.txt -o locks/bootstrap.txt --generate-hashes \
    --custom-compile-command "make lock" "${upgrade[@]}" >/dev/null
}

case "${1:-}" in
  setup) setup "${2:-all}" ;;
  lock) lock ;;
  *) die "usage: tools/env.sh setup all|torch|keras | tools/env.sh lock" ;;
esac
