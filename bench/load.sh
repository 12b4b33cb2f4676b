#!/usr/bin/env bash
# The load test of the read endpoints while an ingestion runs, in one command:
#   bench/load.sh [--images 3000] [--seed 200] [--duration 60] [--connections 64] [--batch 100]
#                 [--width 1200] [--height 800] [--workers N] [--stall 60] [--cache DIR]
# Builds Iris and the test in Release, makes the camera-like JPEGs once (cached in $TMPDIR/iris-bench-images,
# shared with bench/ingest.sh), starts a fresh server on 127.0.0.1 (with --rate-limit 0 when the build has that
# flag: one credential makes all the load), seeds a dataset with --seed completed images, adds --images more and
# at once runs wrk for --duration seconds with --connections connections split over three wrk processes, one per
# read endpoint (single metadata, metadata of --batch ids, statuses of --batch paths; every id and path exists).
# Then it waits for the ingestion and prints requests/s, p50/p90/p99 latency, non-2xx answers and socket errors
# per endpoint, images completed/error/stuck/lost and the ingestion rate during the load.
# Exit code 0 when there was no non-2xx answer, no socket error, no lost, stuck or failed image; 1 when a check
# failed; 2 when the test could not run. About 3 minutes with the defaults on 2 cores (plus the JPEGs the first
# time). A quick check: bench/load.sh --duration 10 --images 500
# Installs wrk (Debian package) if missing. Only 127.0.0.1 is used; every process started is stopped.
set -euo pipefail
cd "$(dirname "$0")/.."
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

if ! command -v wrk >/dev/null; then
  echo "Installing wrk"
  sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends wrk >/dev/null
fi

dotnet build src/Iris.Cli -c Release -nologo -v q
dotnet build bench/Iris.Bench.Load -c Release -nologo -v q
exec dotnet bench/Iris.Bench.Load/bin/Release/net10.0/iris-bench-load.dll \
  --iris src/Iris.Cli/bin/Release/net10.0/iris.dll "$@"
