#!/usr/bin/env bash
# The read-path benchmark of docs/benchmarks.md, in one command:
#   bench/catalog.sh [Iris.Bench.Catalog run options]
# Installs wrk, nginx-light and fonts-dejavu-core (Debian) if missing, builds the server and the
# benchmark in Release, generates catalogs of 100,000 and 1,000,000 images (kept under
# artifacts/bench-catalog and reused by later runs), measures Iris, nginx and the raw catalog, the same
# requests with the server on PostgreSQL (a throwaway durable cluster holding a copy of each catalog) and
# the queue's own cost on both engines, and writes docs/benchmarks.md and docs/benchmarks.png. About 20 minutes on 2 cores; run it on a quiet
# machine. A quick check that everything works (writes a report marked "smoke run"):
#   bench/catalog.sh --sizes 10000 --duration 5
# Options may also come from BENCH_ARGS. Only 127.0.0.1 is used; every process started is stopped.
set -euo pipefail
cd "$(dirname "$0")/.."
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

missing=()
command -v wrk >/dev/null || missing+=(wrk)
[ -x /usr/sbin/nginx ] || command -v nginx >/dev/null || missing+=(nginx-light)
fc-list 2>/dev/null | grep -qi dejavu || missing+=(fonts-dejavu-core fontconfig)
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing+=(postgresql)
if [ ${#missing[@]} -gt 0 ]; then
  echo "Installing ${missing[*]}"
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
export PATH="$PATH:/usr/sbin"

dotnet build src/Iris.Cli -c Release -nologo -v q
dotnet build bench/Iris.Bench.Catalog -c Release -nologo -v q

# The benchmark runs in its own process group: whatever ends this script (Ctrl+C, a kill, the
# timeout) ends the benchmark, the server, nginx and wrk with it.
bench_pid=""
cleanup() {
  if [ -n "$bench_pid" ] && kill -0 "$bench_pid" 2>/dev/null; then
    kill -TERM -- "-$bench_pid" 2>/dev/null || true
    sleep 2
    kill -KILL -- "-$bench_pid" 2>/dev/null || true
  fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

command_line="bench/catalog.sh${*:+ $*}${BENCH_ARGS:+ $BENCH_ARGS}"
# shellcheck disable=SC2086 # BENCH_ARGS is a list of options
setsid timeout --kill-after=30s 3h \
  dotnet bench/Iris.Bench.Catalog/bin/Release/net10.0/Iris.Bench.Catalog.dll run --repo "$(pwd)" --command "$command_line" "$@" ${BENCH_ARGS:-} &
bench_pid=$!
wait "$bench_pid"
