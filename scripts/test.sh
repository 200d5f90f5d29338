#!/usr/bin/env bash
# Runs every test on a fresh machine: installs the prerequisites, builds, runs the suite against real
# peers (mosquitto, the GStreamer RTSP server, ffmpeg, ONNX Runtime, the shared models and footage),
# and ends with a plain "N passed, N failed" line.
set -uo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
cd "$here"
scripts/install-prereqs.sh || { echo "prerequisites could not be installed"; echo "0 passed, 1 failed"; exit 1; }
[ -d ../shared/models ] || { echo "../shared (models, footage, tools) is missing beside the repository"; echo "0 passed, 1 failed"; exit 1; }

results="$here/TestResults"
rm -rf "$results"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
dotnet build EdgeSentry.sln -c Release -v q -nologo || { echo "build failed"; echo "0 passed, 1 failed"; exit 1; }
dotnet test tests/EdgeSentry.Tests/EdgeSentry.Tests.csproj -c Release --no-build -nologo \
  --logger "trx;LogFileName=tests.trx" --logger "console;verbosity=normal" --results-directory "$results" "$@"
rc=$?
trx="$results/tests.trx"
if [ -f "$trx" ]; then
  counters=$(grep -o '<Counters [^>]*>' "$trx" | head -1)
  passed=$(sed -n 's/.* passed="\([0-9]*\)".*/\1/p' <<<"$counters")
  failed=$(sed -n 's/.* failed="\([0-9]*\)".*/\1/p' <<<"$counters")
  total=$(sed -n 's/.* total="\([0-9]*\)".*/\1/p' <<<"$counters")
  executed=$(sed -n 's/.* executed="\([0-9]*\)".*/\1/p' <<<"$counters")
  # Tests that never ran (aborted host) count as failed: nothing passes by not running.
  notrun=$(( ${total:-0} - ${executed:-0} ))
  failed=$(( ${failed:-0} + notrun ))
  echo "${passed:-0} passed, ${failed} failed"
  [ "${passed:-0}" -gt 0 ] && [ "$failed" -eq 0 ] && [ $rc -eq 0 ] && exit 0
  exit 1
fi
echo "0 passed, 1 failed"
exit 1
