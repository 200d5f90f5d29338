#!/usr/bin/env bash
# Installs everything EdgeSentry needs on a fresh Debian 12 machine, idempotently:
#  - apt packages: ffmpeg (decoder), mosquitto (+clients; the tests run a real broker), the shared libraries that
#    OpenCvSharpExtern (pictures, from the OpenCvSharp4 runtime package) links against (GTK 3, libjpeg62, freetype, harfbuzz),
#    the GStreamer RTSP server set used by the tests and the demo cameras; prometheus (its server and
#    promtool scrape and lint /metrics in the tests) and systemd (systemd-analyze verifies deploy/edgesentry.service).
# ONNX Runtime comes from NuGet (Microsoft.ML.OnnxRuntime, restored by dotnet like every other package).
# Nothing here relies on what an earlier session left on the machine.
set -euo pipefail

APT_PACKAGES=(ffmpeg mosquitto mosquitto-clients
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

