#!/usr/bin/env bash
# The vector index benchmark: exact (SIMD brute force) and HNSW (USearch) at 100,000 and 1,000,000 vectors of 512
# dimensions, on clustered and on uniform random data: build time, recall@10 against exact search, p50/p99 latency
# at one thread, memory per vector, the exact/HNSW crossover and the cost of quantised storage. Writes its section
# of docs/benchmarks.md ("Image-to-image search: vector index"). Usage:
#   bench/vector-index.sh [--sizes 100000,1000000] [--queries 1000] [--kinds clustered,gaussian] [--ef 64,128,256]
#                         [--curve 1000,...] [--study 100000] [--report docs/benchmarks.md|none]
# A quick check that everything works: bench/vector-index.sh --sizes 20000 --curve 1000 --study 0 --report none
# Needs only the .NET SDK (USearch's native library comes in its NuGet package). Peak resident memory about 6 GB.
set -euo pipefail
cd "$(dirname "$0")/.."
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
dotnet build bench/Iris.Bench.VectorIndex -c Release -nologo -v q
exec dotnet bench/Iris.Bench.VectorIndex/bin/Release/net10.0/iris-bench-vector-index.dll "$@"
