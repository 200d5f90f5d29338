#!/usr/bin/env bash
# Runs the service. Without --config it uses the built-in default: the sample clips in ../shared/footage
# served as looping RTSP cameras by a local GStreamer RTSP server, a local mosquitto on 127.0.0.1:1883,
# and yolox_nano. Installs the prerequisites first. Ctrl-C stops it cleanly.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
cd "$here"
scripts/install-prereqs.sh
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
dotnet build src/EdgeSentry/EdgeSentry.csproj -c Release -v q -nologo >/dev/null
exec dotnet src/EdgeSentry/bin/Release/net10.0/edgesentry.dll run "$@"
