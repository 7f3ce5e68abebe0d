#!/usr/bin/env bash
# Time a first install from a fresh clone of this repository (benchmarks/install.md):
#
#   tools/bench_install.sh setup auto|uv|pip     `make setup INSTALLER=...`, seconds until it returns
#   tools/bench_install.sh lab all|torch|keras   `make lab FRAMEWORK=...`, seconds until JupyterLab's
#                                                /lab page answers 200 (then the server is stopped)
#
# The clone goes to a temporary folder and is removed afterwards. The package caches (uv's, pip's)
# are whatever they are: run once to warm them, then measure; clear them first for a cold number.
set -euo pipefail
what=${1:?setup or lab} arg=${2:?installer or framework}
repo=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d /tmp/bench-install.XXXXXX)
trap 'rm -rf "$work"' EXIT
git clone -q "$repo" "$work/clone"
cd "$work/clone"
log=$work/log
start=$(date +%s.%N)
if [ "$what" = setup ]; then
  INSTALLER=$arg make setup > "$log" 2>&1 || { tail -20 "$log"; exit 1; }
  result=ok
else
  setsid make lab FRAMEWORK="$arg" > "$log" 2>&1 < /dev/null &
  pid=$! result=FAILED
  for _ in $(seq 1 1200); do
    url=$(grep -oE "http://127\.0\.0\.1:[0-9]+/lab\?token=[0-9a-f]+" "$log" | head -1 || true)
    if [ -n "$url" ] && [ "$(curl -s -o /dev/null -w '%{http_code}' "$url")" = 200 ]; then result=ok; break; fi
    kill -0 $pid 2>/dev/null || break
    sleep 0.5
  done
fi
end=$(date +%s.%N)
printf '%s %s: %s in %.1f s\n' "$what" "$arg" "$result" "$(echo "$end - $start" | bc)"
grep '^==>' "$log" || true
if [ "$what" = lab ]; then
  kill -INT -- -"$pid" 2>/dev/null; sleep 1; kill -INT -- -"$pid" 2>/dev/null || true; sleep 2
  kill -- -"$pid" 2>/dev/null || true
fi
[ "$result" = ok ]
