#!/usr/bin/env bash
# Soak check (issue 4): the service with 4 looping cameras for N minutes (default 10); after a warm-up it
# compares RSS, managed heap and thread count at the end with the start of the measured period, from the
# service's own stats messages. Prints the samples and a verdict (growth < 10 %, no thread growth).
#   scripts/soak.sh [MINUTES]
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
cd "$here"
minutes=${1:-10}
scripts/install-prereqs.sh
dotnet build src/EdgeSentry/EdgeSentry.csproj -c Release -v q -nologo >/dev/null
work=$(mktemp -d)
port=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
shared=$(cd ../shared && pwd)
cat > "$work/soak.json" <<JSON
{
  "edgeId": "soak",
  "statsIntervalSeconds": 10,
  "statsMeasureLiveHeap": true,
  "mqtt": { "host": "127.0.0.1", "port": $port },
  "http": { "listen": "127.0.0.1:0" },
  "outbox": { "path": "$work/outbox.db" },
  "demo": { "startBroker": true },
  "detector": { "model": "$shared/models/yolox_nano.onnx" },
  "cameras": [
    { "id": "c1", "url": "$shared/footage/intel_indoor_people_one_by_one_h264.mp4", "loop": true, "maxFps": 10,
      "analytics": { "zones": [ { "id": "z", "polygon": [[0.25,0.6],[0.85,0.6],[0.85,1.0],[0.25,1.0]] } ],
                     "rules": [ { "id": "in", "kind": "intrusion", "zone": "z", "classes": ["person"], "minScore": 0.4 },
                                { "id": "loiter", "kind": "loitering", "zone": "z", "classes": ["person"], "dwellSeconds": 8 } ] } },
    { "id": "c2", "url": "$shared/footage/meva_school_gym_crowd_annotated_h264.mp4", "loop": true, "maxFps": 10,
      "analytics": { "zones": [ { "id": "court", "polygon": [[0,0.45],[1,0.45],[1,1],[0,1]] } ],
                     "rules": [ { "id": "crowd", "kind": "crowd", "zone": "court", "classes": ["person"], "minCount": 10, "dwellSeconds": 3 } ] } },
    { "id": "c3", "url": "$shared/footage/intel_worker_zone_preview_h264.mp4", "loop": true, "maxFps": 10,
      "analytics": { "zones": [ { "id": "z", "polygon": [[0.05,0.45],[0.95,0.45],[0.95,1],[0.05,1]] } ],
                     "rules": [ { "id": "in", "kind": "intrusion", "zone": "z", "classes": ["person"] } ] } },
    { "id": "c4", "url": "$shared/footage/intel_parking_cars.mp4", "loop": true, "maxFps": 10 }
  ]
}
JSON
dotnet src/EdgeSentry/bin/Release/net10.0/edgesentry.dll run --config "$work/soak.json" > "$work/service.log" 2>&1 &
svc=$!
trap 'kill $svc 2>/dev/null; wait $svc 2>/dev/null; rm -rf "$work"; true' EXIT
/usr/bin/python3 - "$port" <<'PY'
import socket, sys, time
for _ in range(300):
    try:
        socket.create_connection(("127.0.0.1", int(sys.argv[1])), 1).close(); break
    except OSError:
        time.sleep(0.2)
PY
timeout $(( minutes * 60 + 20 )) mosquitto_sub -h 127.0.0.1 -p "$port" -t 'edgesentry/v1/edges/soak/stats' > "$work/stats.jsonl" || true
kill -TERM $svc; wait $svc || true   # SIGINT is ignored by background jobs of a non-interactive shell
set +e
/usr/bin/python3 - "$work/stats.jsonl" "$minutes" <<'PY'
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
if len(rows) < 6:
    sys.exit(f"only {len(rows)} stats messages: the service did not run")
warm = max(1, len(rows) // 10)          # first ~10 % is warm-up (JIT, pools, ORT arena)
first, last = rows[warm], rows[-1]
def mb(b): return b / 1048576
print(f"{'t':>5} {'rss MB':>8} {'heap MB':>8} {'gc MB':>7} {'gen0':>5} {'alloc MB':>8} {'threads':>7} {'frames':>8} {'stored':>6} {'p99 age ms':>10}")
for i, r in enumerate(rows):
    p = r["process"]; ages = max(c["frameAgeP99Ms"] for c in r["cameras"])
    print(f"{(i+1)*10:>5} {mb(p['rssBytes']):8.1f} {mb(p['managedHeapBytes']):8.1f} {mb(p['gcCommittedBytes']):7.1f} {p['gen0Collections']:5d} {mb(p['allocatedBytes']):8.1f} {p['threads']:7d} {r['framesProcessed']:8d} {r['alertsStored']:6d} {ages:10.1f}")
rss = (last["process"]["rssBytes"] - first["process"]["rssBytes"]) / first["process"]["rssBytes"]
# The service runs a full compacting GC before each sample (statsMeasureLiveHeap), so this is the live heap;
# compare the mean of the first and last fifths of the measured period to smooth incidents in flight.
n = max(1, (len(rows) - warm) // 5)
heap0 = sum(r["process"]["managedHeapBytes"] for r in rows[warm:warm+n]) / n; heap1 = sum(r["process"]["managedHeapBytes"] for r in rows[-n:]) / n
heap = (heap1 - heap0) / heap0
threads = last["process"]["threads"] - first["process"]["threads"]
drops = {c["cameraId"]: c["framesDropped"] for c in last["cameras"]}
print(f"soak {sys.argv[2]} min, 4 cameras: RSS {mb(first['process']['rssBytes']):.1f} -> {mb(last['process']['rssBytes']):.1f} MB ({rss:+.1%}), "
      f"live heap {mb(heap0):.1f} -> {mb(heap1):.1f} MB ({heap:+.1%}), threads {first['process']['threads']} -> {last['process']['threads']} ({threads:+d}), "
      f"frames {last['framesProcessed']}, incidents stored {last['alertsStored']}, drops {drops}")
ok = rss < 0.10 and heap < 0.10 and threads <= 0
print("SOAK PASS" if ok else "SOAK FAIL")
sys.exit(0 if ok else 1)
PY
verdict=$?
exit $verdict
