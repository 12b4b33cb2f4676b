#!/usr/bin/env bash
# Iris ingestion throughput and memory next to vipsthumbnail, on the same camera-sized JPEGs.
# Usage: bench/ingest.sh [--count 300] [--width 3000] [--height 2000] [--workers N] [--rounds 3] [--encoder none] [--cache DIR] [--report docs/benchmarks.md]
# Makes the JPEGs once (cached in $TMPDIR/iris-bench-images), builds Iris in Release, then in one run:
# (a) a fresh Iris server ingests them all twice (cold, warm), (b) vipsthumbnail --size 256 makes the same thumbnails as two
# processes, (c) djpeg -scale 1/8 decodes them (the floor); prints the rates, CPU per image, cores busy, the ratio
# against the goal and the server's peak RSS; --report docs/benchmarks.md writes its "Ingestion" section there.
# Needs the .NET SDK; installs vipsthumbnail and djpeg (Debian: libvips-tools, libjpeg-turbo-progs) if missing.
set -euo pipefail
cd "$(dirname "$0")/.."
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

missing=()
command -v vipsthumbnail >/dev/null || missing+=(libvips-tools)
command -v djpeg >/dev/null || missing+=(libjpeg-turbo-progs)
if [ ${#missing[@]} -gt 0 ]; then
  sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
fi

dotnet build src/Iris.Cli -c Release -nologo -v q
dotnet build bench/Iris.Bench.Ingest -c Release -nologo -v q
exec dotnet bench/Iris.Bench.Ingest/bin/Release/net10.0/iris-bench-ingest.dll \
  --iris src/Iris.Cli/bin/Release/net10.0/iris.dll "$@"
