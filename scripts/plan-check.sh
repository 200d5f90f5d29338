#!/usr/bin/env bash
# Acceptance check for the sizing (issue 14, acceptance 3): does `edgesentry plan` predict what K cameras really
# cost on this box?
#
#   scripts/plan-check.sh [K] [DETECTION_FPS] [WINDOW_SECONDS]      (defaults: 4 cameras, 5 det/s, 60 s)
#
# 1. `bench` measures yolox_nano's in-process CPU per frame with the service's default layout (1 session x 1
#    thread) on the check's clip; `plan --predict K` measures the clip's decode cost the way the service decodes
#    it and predicts, for K cameras at DETECTION_FPS, the cores they keep busy and the detections/s.
# 2. `edgesentry run` with K cameras looping that clip in real time (-re, like cameras) at maxFps DETECTION_FPS,
#    each with an intrusion and a loitering rule, and a local mosquitto (demo.startBroker).
# 3. After a warm-up of two stats messages, over WINDOW_SECONDS between two stats messages:
#      measured cores  = CPU seconds (user + system) of the service and all its descendants (the ffmpeg decoders),
#                        from /proc/PID/stat of each, plus the service's reaped children, / wall seconds;
#      measured det/s  = increase of framesProcessed on edgesentry/v1/edges/{edgeId}/stats / increase of its `at`.
#    It prints predicted vs measured and their ratio. PASS when the cores ratio is within 20 % (0.8..1.2) and
#    the detections/s agree within 20 % too (the service keeps up with K x rate, as predicted).
# The box should be quiet: CPU time per frame grows when neighbours share caches and cores.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
cd "$here"
k=${1:-4}
fps=${2:-5}
window=${3:-60}
shared=$(cd ../shared && pwd)
clip="$shared/footage/intel_indoor_people_one_by_one_h264.mp4"
model="$shared/models/yolox_nano.onnx"
scripts/install-prereqs.sh >/dev/null
dotnet build src/EdgeSentry/EdgeSentry.csproj -c Release -v q -nologo >/dev/null
es="dotnet src/EdgeSentry/bin/Release/net10.0/edgesentry.dll"
work=$(mktemp -d)
svc=""
sub=""
cleanup() {
  [ -n "$sub" ] && kill "$sub" 2>/dev/null && wait "$sub" 2>/dev/null
  [ -n "$svc" ] && kill -TERM "$svc" 2>/dev/null && wait "$svc" 2>/dev/null
  rm -rf "$work"
  true
}
trap cleanup EXIT

echo "== bench (yolox_nano, layout 1x1, the service's default) =="
$es bench --models "$model" --footage "$clip" --layouts 1x1 --max-frames 400 --session-runs 200 --no-motion --out "$work/bench" >/dev/null 2>"$work/bench.log" \
  || { cat "$work/bench.log"; exit 1; }
echo "== plan --predict $k at $fps det/s =="
$es plan --bench "$work/bench" --footage "$clip" --detection-fps "$fps" --predict "$k" --decode-seconds 30 --out "$work"

port=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
/usr/bin/python3 - "$work" "$port" "$k" "$fps" "$clip" "$model" > "$work/run.json" <<'PY'
import json, sys
work, port, k, fps, clip, model = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4]), sys.argv[5], sys.argv[6]
cams = [{"id": f"c{i+1}", "url": clip, "loop": True, "maxFps": fps,
         "analytics": {"zones": [{"id": "z", "polygon": [[0.25, 0.6], [0.85, 0.6], [0.85, 1.0], [0.25, 1.0]]}],
                       "rules": [{"id": "in", "kind": "intrusion", "zone": "z", "classes": ["person"], "minScore": 0.4},
                                 {"id": "loiter", "kind": "loitering", "zone": "z", "classes": ["person"], "dwellSeconds": 8}]}}
        for i in range(k)]
print(json.dumps({"edgeId": "plancheck", "statsIntervalSeconds": 10,
                  "mqtt": {"host": "127.0.0.1", "port": port}, "http": {"listen": "127.0.0.1:0"}, "outbox": {"path": f"{work}/outbox.db"},
                  "demo": {"startBroker": True},
                  "detector": {"model": model, "workers": 1, "intraOpThreads": 1},
                  "cameras": cams}, indent=1))
PY
echo "== run: $k looping cameras, measuring ${window} s after warm-up =="
$es run --config "$work/run.json" > "$work/service.log" 2>&1 &
svc=$!
/usr/bin/python3 - "$port" <<'PY'
import socket, sys, time
for _ in range(600):
    try:
        socket.create_connection(("127.0.0.1", int(sys.argv[1])), 1).close(); break
    except OSError:
        time.sleep(0.2)
else:
    sys.exit("the service's broker never listened")
PY
mosquitto_sub -h 127.0.0.1 -p "$port" -t 'edgesentry/v1/edges/plancheck/stats' > "$work/stats.jsonl" &
sub=$!
set +e
/usr/bin/python3 - "$svc" "$work/stats.jsonl" "$work/plan.json" "$window" "$(getconf CLK_TCK)" <<'PY'
import json, os, sys, time
svc, stats_file, plan_file, window, hz = int(sys.argv[1]), sys.argv[2], sys.argv[3], float(sys.argv[4]), float(sys.argv[5])

def stat(pid):
    with open(f"/proc/{pid}/stat") as f:
        s = f.read()
    return s[s.rindex(")") + 2:].split()          # fields from 3 ("state") on

def tree_cpu_seconds():
    """CPU of the service, its live descendants, and the children it has reaped (restarted decoders, ffprobe)."""
    parent = {}
    for d in os.listdir("/proc"):
        if d.isdigit():
            try:
                parent[int(d)] = int(stat(d)[1])
            except (OSError, IndexError):
                pass
    total = 0.0
    for pid in parent:
        p, seen = pid, 0
        while p not in (0, 1, svc) and seen < 64:
            p, seen = parent.get(p, 0), seen + 1
        if p != svc:
            continue
        try:
            f = stat(pid)
        except OSError:
            continue
        total += int(f[11]) + int(f[12])           # utime + stime
        if pid == svc:
            total += int(f[13]) + int(f[14])       # cutime + cstime: reaped children
    return total / hz

def stats_lines():
    try:
        with open(stats_file) as f:
            return [json.loads(l) for l in f if l.strip()]
    except (OSError, ValueError):
        return []

def wait_for(n, cap):
    end = time.monotonic() + cap
    while time.monotonic() < end:
        rows = stats_lines()
        if len(rows) >= n:
            return rows
        try:
            os.kill(svc, 0)
        except OSError:
            sys.exit("the service exited; see its log")
        time.sleep(0.1)
    sys.exit(f"fewer than {n} stats messages within {cap:.0f} s")

from datetime import datetime
def at(r): return datetime.fromisoformat(r["at"].replace("Z", "+00:00")).timestamp()

warm = 2
rows = wait_for(warm + 1, 180)
cpu0, t0, s0 = tree_cpu_seconds(), time.monotonic(), rows[warm]
need = warm + 1 + max(1, round(window / 10))
rows = wait_for(need, window + 120)
cpu1, t1, s1 = tree_cpu_seconds(), time.monotonic(), rows[need - 1]
cores = (cpu1 - cpu0) / (t1 - t0)
det = (s1["framesProcessed"] - s0["framesProcessed"]) / (at(s1) - at(s0))
drops = {c["cameraId"]: c["framesDropped"] for c in s1["cameras"]}

plan = json.load(open(plan_file))
row = plan["rows"][0]; p = row["prediction"]
with open("/proc/loadavg") as f:
    load = f.read().split()[:3]
print(f"window {t1 - t0:.1f} s; load average {' / '.join(load)} on {os.cpu_count()} cores")
print(f"{'':24} {'predicted':>10} {'measured':>10} {'ratio':>7}")
rc = cores / p["cores"]; rd = det / p["detectionsPerSecond"]
print(f"{'cores busy':24} {p['cores']:10.3f} {cores:10.3f} {rc:7.2f}")
print(f"{'detections/s':24} {p['detectionsPerSecond']:10.2f} {det:10.2f} {rd:7.2f}")
print(f"cameras {p['cameras']}, {row['model']} {row['layout']}, {row['stream']} at {row['detectionsPerCamera']} det/s; "
      f"drops at the end {drops}")
ok = 0.8 <= rc <= 1.2 and 0.8 <= rd <= 1.2
print("PLAN CHECK PASS" if ok else "PLAN CHECK FAIL")
sys.exit(0 if ok else 1)
PY
verdict=$?
exit $verdict
