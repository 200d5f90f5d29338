#!/usr/bin/env bash
# Builds the GPU flavour of edgesentry: Microsoft.ML.OnnxRuntime.Gpu.Linux (CUDA and TensorRT providers, a 539 MB
# package) instead of Microsoft.ML.OnnxRuntime, at the same version as Microsoft.ML.OnnxRuntime.Managed. It goes to
# artifacts/gpu/ so that it never mixes with the CPU build in bin/ and obj/ (the two native packages ship the same
# file names). Then it shows what the build carries and what this box lacks:
#   artifacts/gpu/bin/EdgeSentry/release/edgesentry.dll providers
#   ... detect --provider cuda      (fails at start, naming the missing CUDA libraries, on a box without them)
# Run the GPU build with: dotnet artifacts/gpu/bin/EdgeSentry/release/edgesentry.dll run --config FILE
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
out="$here/artifacts/gpu"

dotnet build "$here/src/EdgeSentry/EdgeSentry.csproj" -c Release -p:EdgeSentryOrtFlavour=gpu --artifacts-path "$out" -v q -nologo
dll="$out/bin/EdgeSentry/release/edgesentry.dll"
echo "--- $dll providers"
dotnet "$dll" providers
shared="${EDGESENTRY_SHARED:-$here/../shared}"
echo "--- $dll detect --provider cuda (expected to fail on a box without CUDA 13)"
status=0
dotnet "$dll" detect --model "$shared/models/yolox_nano.onnx" --input "$shared/models/testdata/vtest_f0200.png" --json --provider cuda || status=$?
echo "--- exit $status"
