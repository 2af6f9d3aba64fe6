#!/usr/bin/env bash
# Managed heap per idle WebSocket API connection, with the real edge binary: node's ws opens N connections, a
# dotnet-gcdump (which forces a full GC) gives the live heap, then the same with all of them closed. The
# difference over N is what one idle connection holds (Kestrel's transport and pipes included).
# Usage: perf/wsapi/idle-connections.sh [N]   (needs a Release build, node-ws, and dotnet-gcdump in ~/.dotnet/tools)
set -euo pipefail
cd "$(dirname "$0")/../.."
N=${1:-5000}
GCDUMP=${GCDUMP:-$HOME/.dotnet/tools/dotnet-gcdump}
WORK=$(mktemp -d)
dotnet src/EdgeServer/bin/Release/net10.0/edge.dll run --config perf/wsapi/edge-wsapi.yaml >"$WORK/edge.log" 2>&1 &
EDGE_PID=$!
NODE_PID=""
trap 'kill $EDGE_PID 2>/dev/null || true; [[ -n $NODE_PID ]] && kill $NODE_PID 2>/dev/null || true; rm -rf "$WORK"' EXIT
until curl -fs http://127.0.0.1:18291/ready >/dev/null; do sleep 0.2; done

# Live managed bytes after the full GC dotnet-gcdump forces (its "GC Heap bytes" total; the per-type listing is
# sampled on .NET 10 and misses small objects, so only the total is used).
heap() {
  "$GCDUMP" collect -p "$EDGE_PID" -o "$WORK/h.gcdump" >/dev/null
  "$GCDUMP" report "$WORK/h.gcdump" > "$WORK/report.txt"
  awk '/GC Heap bytes/ {gsub(",", "", $1); print $1; exit}' "$WORK/report.txt"
}
open_gauge() { curl -fs http://127.0.0.1:18291/metrics | awk '/^edge_wsapi_connections_open\{route="api"\}/ {print $2}'; }

# Warm up once (JIT, pools), so the two measurements differ only by the connections.
mkfifo "$WORK/in"
NODE_PATH=/usr/share/nodejs node perf/wsapi/load.js ws://127.0.0.1:18290/ws 200 50 <"$WORK/in" >"$WORK/warm.log" & NODE_PID=$!
exec 3>"$WORK/in"
until grep -q READY "$WORK/warm.log"; do sleep 0.2; done
echo close >&3; exec 3>&-; wait $NODE_PID || true
until [[ $(open_gauge) == 0 ]]; do sleep 0.2; done

mkfifo "$WORK/in2"
NODE_PATH=/usr/share/nodejs node perf/wsapi/load.js ws://127.0.0.1:18290/ws "$N" 100 <"$WORK/in2" >"$WORK/load.log" & NODE_PID=$!
exec 3>"$WORK/in2"
until grep -q READY "$WORK/load.log"; do sleep 0.5; done
grep READY "$WORK/load.log"
echo "open connections (edge_wsapi_connections_open): $(open_gauge)"
sleep 2
OPEN=$(heap)
echo "live managed heap with $N open: $OPEN bytes"
echo close >&3; exec 3>&-; wait $NODE_PID || true
until [[ $(open_gauge) == 0 ]]; do sleep 0.2; done
sleep 2
CLOSED=$(heap)
echo "live managed heap with none open: $CLOSED bytes"
echo "per idle connection: $(( (OPEN - CLOSED) / N )) bytes"
