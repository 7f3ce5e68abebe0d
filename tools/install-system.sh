#!/usr/bin/env bash
# Debian packages the course needs beyond Python: bubblewrap (grading sandbox), chromium (browser test)
# and postgresql (the classroom tests start a throwaway server with its initdb / pg_ctl); and the
# class hub's proxy, configurable-http-proxy, from npm (Debian's nodejs + npm), pinned below.
# Idempotent and quiet when everything is there; skips with a notice where apt is unavailable.
set -uo pipefail
need=()
command -v bwrap >/dev/null || need+=(bubblewrap)
command -v chromium >/dev/null || need+=(chromium)
compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null || need+=(postgresql)
CHP_VERSION=5.3.0  # JupyterHub 6.1's default proxy (make hub, tests/test_hub.py)
have_chp() { [ "$(configurable-http-proxy --version 2>/dev/null)" = "$CHP_VERSION" ]; }
have_chp || command -v npm >/dev/null || need+=(nodejs npm)
install_chp() {
  have_chp && return 0
  if [ "$(id -u)" != 0 ] || ! command -v npm >/dev/null; then
    echo "notice: cannot install configurable-http-proxy $CHP_VERSION (needs root and npm); make hub will say what is missing"
    return 0
  fi
  echo "installing configurable-http-proxy $CHP_VERSION with npm"
  npm install --global --no-fund --no-audit --loglevel=error "configurable-http-proxy@$CHP_VERSION" >/dev/null \
    || echo "notice: npm install configurable-http-proxy@$CHP_VERSION failed; make hub will say what is missing"
}
if [ ${#need[@]} -eq 0 ]; then install_chp; exit 0; fi
if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null; then
  echo "notice: cannot install ${need[*]} (needs root and apt-get); the tests that need them will say what is missing"
  exit 0
fi
echo "installing ${need[*]} with apt-get"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >/dev/null && apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null \
  || echo "notice: apt-get install ${need[*]} failed; the tests that need them will say what is missing"
install_chp
