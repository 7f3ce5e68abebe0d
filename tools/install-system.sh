#!/usr/bin/env bash
# Debian packages the course needs beyond Python: bubblewrap (grading sandbox), chromium (browser test)
# and postgresql (the classroom tests start a throwaway server with its initdb / pg_ctl).
# Idempotent and quiet when everything is there; skips with a notice where apt is unavailable.
set -uo pipefail
need=()
command -v bwrap >/dev/null || need+=(bubblewrap)
command -v chromium >/dev/null || need+=(chromium)
compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null || need+=(postgresql)
[ ${#need[@]} -eq 0 ] && exit 0
if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null; then
  echo "notice: cannot install ${need[*]} (needs root and apt-get); the tests that need them will say what is missing"
  exit 0
fi
echo "installing ${need[*]} with apt-get"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >/dev/null && apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null \
  || echo "notice: apt-get install ${need[*]} failed; the tests that need them will say what is missing"
