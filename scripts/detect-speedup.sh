#!/usr/bin/env bash
# detect --json over a clip with the default layout (bench's K x T) against --workers 1, measured side by side in
# one run: the two alternate (1, default, 1, default, ...) so a change in the neighbours' load hits both alike.
# Prints both wall times, the speed-up ratio and whether the two outputs are identical, and exits 1 when the ratio
# is below the bar (default 1.5) or the outputs differ. Needs a Release build.
#   scripts/detect-speedup.sh [CLIP] [MODEL]        (ROUNDS=2 MIN_RATIO=1.5 by default)
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
shared="${EDGESENTRY_SHARED:-$here/../shared}"
dll="$here/src/EdgeSentry/bin/Release/net10.0/edgesentry.dll"
clip="${1:-$shared/footage/meva_school_gym_crowd_annotated_h264.mp4}"
model="${2:-$shared/models/yolox_nano.onnx}"
rounds="${ROUNDS:-2}"
min_ratio="${MIN_RATIO:-1.5}"
[ -f "$dll" ] || { echo "detect-speedup: build first: dotnet build EdgeSentry.sln -c Release" >&2; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

run() { # $1 = label, rest = extra args; appends seconds to $tmp/$1.times
  local label=$1; shift
  local t0 t1
  t0=$(date +%s.%N)
  dotnet "$dll" detect --model "$model" --input "$clip" --json "$@" >"$tmp/$label.jsonl" 2>"$tmp/$label.err"
  t1=$(date +%s.%N)
  echo "$t0 $t1" | awk '{ printf "%.3f\n", $2 - $1 }' >>"$tmp/$label.times"
}

for _ in $(seq "$rounds"); do
  run one --workers 1
  run default
done
frames=$(wc -l <"$tmp/default.jsonl")
one=$(awk '{ s += $1 } END { printf "%.3f", s }' "$tmp/one.times")
def=$(awk '{ s += $1 } END { printf "%.3f", s }' "$tmp/default.times")
ratio=$(awk -v a="$one" -v b="$def" 'BEGIN { printf "%.3f", a / b }')
same=no; cmp -s "$tmp/one.jsonl" "$tmp/default.jsonl" && same=yes
echo "clip $(basename "$clip"), model $(basename "$model"), $frames frames, $rounds round(s), $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "--workers 1:     $(paste -sd' ' "$tmp/one.times") s (total $one s)"
echo "default layout:  $(paste -sd' ' "$tmp/default.times") s (total $def s)   $(tail -n1 "$tmp/default.err")"
echo "speed-up (default / --workers 1): $ratio x (bar $min_ratio); outputs identical: $same"
awk -v r="$ratio" -v m="$min_ratio" 'BEGIN { exit !(r >= m) }' && [ "$same" = yes ]
