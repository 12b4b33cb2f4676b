#!/usr/bin/env bash
# Image-to-image search benchmarks. Usage: bench/search.sh MODE [--name value ...]
#   quality [--k 8] [--camera-count 40] [--rounds 3] [--cache DIR] [--corpus DIR] [--report PATH|none]
#     recall@k of edited copies of the corpus photos among the other corpus images, ResNet-18 embeddings next to the
#     perceptual hash; the embedding stage's CPU cost per image; decode + hash + preview images/s on 2 threads with and
#     without the embedding (camera-like JPEGs, cached in $TMPDIR/iris-bench-images). Rewrites the section
#     "Image-to-image search: quality" of docs/benchmarks.md (--report none to leave it).
# Needs the .NET SDK and the corpus at ../shared/corpus.
set -euo pipefail
cd "$(dirname "$0")/.."
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
# libvips' allocations stay in two arenas instead of one per thread.
export MALLOC_ARENA_MAX=${MALLOC_ARENA_MAX:-2}

dotnet build bench/Iris.Bench.Search -c Release -nologo -v q
exec dotnet bench/Iris.Bench.Search/bin/Release/net10.0/iris-bench-search.dll "$@"
