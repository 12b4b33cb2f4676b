#!/usr/bin/env bash
# Builds what Iris ships, into artifacts/publish:
#   <RID>/iris            a self-contained single-file executable (no .NET needed on the machine it runs on)
#   packages/             Iris.Client (the SDK, with its symbols) and Iris.Cli (the CLI and server as a .NET tool)
# Usage: scripts/publish.sh [RID...]   (default: linux-x64)
# The runtime identifiers the native image libraries (libvips, Skia) exist for: linux-x64, linux-arm64, osx-x64,
# osx-arm64. Only linux-x64 is built and run by the tests; the .NET tool carries the linux-x64 libraries.
set -euo pipefail
cd "$(dirname "$0")/.."
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
out=artifacts/publish
rids=("$@")
[ ${#rids[@]} -gt 0 ] || rids=(linux-x64)

for rid in "${rids[@]}"; do
  case "$rid" in
    linux-x64|linux-arm64|osx-x64|osx-arm64) ;;
    *) echo "scripts/publish.sh: no native image libraries for '$rid' (linux-x64, linux-arm64, osx-x64, osx-arm64)" >&2; exit 2 ;;
  esac
  rm -rf "${out:?}/$rid"
  dotnet publish src/Iris.Cli -c Release -r "$rid" --self-contained \
    -p:PublishSingleFile=true -p:IncludeNativeLibrariesForSelfExtract=true -p:EnableCompressionInSingleFile=true \
    -p:DebugType=none -p:GenerateDocumentationFile=false -o "$out/$rid" -nologo -v q
  # The single file is all it takes; the rest of the folder (static web assets of /docs) goes beside it.
  echo "$out/$rid/iris: $(du -h "$out/$rid/iris" | cut -f1)"
done

rm -rf "$out/packages"
dotnet pack src/Iris.Client -c Release -o "$out/packages" -nologo -v q
dotnet pack src/Iris.Cli -c Release -o "$out/packages" -nologo -v q
ls -1 "$out/packages"
