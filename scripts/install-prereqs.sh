#!/usr/bin/env bash
# Installs everything EdgeSentry needs on a fresh Debian 12 machine, idempotently:
#  - apt packages: ffmpeg (decoder), mosquitto (+clients, libmosquitto1), the shared libraries that
#    OpenCvSharpExtern (pictures, from the OpenCvSharp4 runtime package) links against (GTK 3, libjpeg62, freetype, harfbuzz),
#    the GStreamer RTSP server set used by the tests and the demo cameras; prometheus (its server and
#    promtool scrape and lint /metrics in the tests) and systemd (systemd-analyze verifies deploy/edgesentry.service);
#  - the ONNX Runtime native library, taken from the npm package onnxruntime-node@1.30.0 and
#    verified by sha256, into the git-ignored .deps/onnxruntime/<rid>/ of this checkout.
# Nothing here relies on what an earlier session left on the machine.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)

ORT_VERSION=1.30.0
# sha256 of package/bin/napi-v6/linux/<arch>/libonnxruntime.so.1 inside onnxruntime-node@1.30.0.
ORT_SHA256_X64=ffb75a925ba05e47b235bb66e3e3911714a80b328a9c9425539feb204aa32a23
ORT_SHA256_ARM64=1f549d46250b005580b597f4164984aaf75b3bcb9f3aeb07c7f8a8fe60b23c76

APT_PACKAGES=(ffmpeg mosquitto mosquitto-clients libmosquitto1
  libgtk-3-0 libjpeg62-turbo libfreetype6 libharfbuzz0b
  gir1.2-gst-rtsp-server-1.0 gstreamer1.0-plugins-base gstreamer1.0-plugins-good
  gstreamer1.0-plugins-bad gstreamer1.0-plugins-ugly gstreamer1.0-libav python3-gi
  prometheus systemd
  chromium)  # chromium: the operator page's acceptance tests drive it headless (DevTools protocol)

missing=()
for p in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "install-prereqs: apt-get install ${missing[*]}" >&2
  sudo_=""; [ "$(id -u)" -ne 0 ] && sudo_="sudo"
  $sudo_ apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_ apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

case "$(uname -m)" in
  x86_64) rid=linux-x64; npm_arch=x64; want=$ORT_SHA256_X64 ;;
  aarch64|arm64) rid=linux-arm64; npm_arch=arm64; want=$ORT_SHA256_ARM64 ;;
  *) echo "install-prereqs: no ONNX Runtime build for $(uname -m)" >&2; exit 1 ;;
esac
dest="$here/.deps/onnxruntime/$rid"
lib="$dest/libonnxruntime.so.1"
if [ -f "$lib" ] && [ "$(sha256sum "$lib" | cut -d' ' -f1)" = "$want" ]; then
  exit 0
fi
command -v npm >/dev/null || { echo "install-prereqs: npm is needed to fetch onnxruntime-node (apt-get install npm)" >&2; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
echo "install-prereqs: fetching onnxruntime-node@$ORT_VERSION from npm" >&2
(cd "$tmp" && npm pack --silent "onnxruntime-node@$ORT_VERSION" >/dev/null)
tar -xzf "$tmp/onnxruntime-node-$ORT_VERSION.tgz" -C "$tmp" "package/bin/napi-v6/linux/$npm_arch/libonnxruntime.so.1"
got=$(sha256sum "$tmp/package/bin/napi-v6/linux/$npm_arch/libonnxruntime.so.1" | cut -d' ' -f1)
if [ "$got" != "$want" ]; then
  echo "install-prereqs: checksum mismatch for libonnxruntime.so.1 ($rid): expected $want, got $got" >&2
  exit 1
fi
mkdir -p "$dest"
install -m 0644 "$tmp/package/bin/napi-v6/linux/$npm_arch/libonnxruntime.so.1" "$lib"
echo "install-prereqs: ONNX Runtime $ORT_VERSION ($rid) in $dest" >&2
