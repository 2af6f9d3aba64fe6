#!/usr/bin/env bash
# WebSocket relay figures (docs/performance.md, "WebSocket relay"):
#   1. messages/s echoed straight from the backend and through edge, for 32 B and 64 KiB messages;
#   2. edge's managed heap per idle relayed connection, from two gcdumps (each forces a full GC) taken before and
#      after IDLE connections are opened and checked with one echo each.
#   perf/ws-relay.sh                       # everything
#   SECONDS_EACH=5 IDLE=2000 perf/ws-relay.sh
#   PARTS=throughput perf/ws-relay.sh      # or PARTS=idle
# Ports 28181 (echo backend), 28182 (edge), 28183 (edge admin). Needs dotnet-gcdump (dotnet tool install -g dotnet-gcdump).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/.." && pwd)
out=${PUBLISH_DIR:-${TMPDIR:-/tmp}/edge-publish-ws}
seconds=${SECONDS_EACH:-10}
idle=${IDLE:-9000}
parts=${PARTS:-throughput idle}
gcdump=${GCDUMP:-$HOME/.dotnet/tools/dotnet-gcdump}

dotnet publish "$repo/src/EdgeServer/EdgeServer.csproj" -c Release -o "$out/edge" -nologo -v q
dotnet publish "$repo/perf/EdgeServer.WsLoad/EdgeServer.WsLoad.csproj" -c Release -o "$out/load" -nologo -v q
load="dotnet $out/load/EdgeServer.WsLoad.dll"

pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT

$load serve 28181 & pids+=($!)
dotnet "$out/edge/edge.dll" run --config "$here/edge-bench-ws.yaml" >/dev/null 2>&1 & edge=$!; pids+=($edge)
for _ in $(seq 50); do curl -fs http://127.0.0.1:28183/ready >/dev/null && break; sleep 0.2; done

allocated() { curl -fs http://127.0.0.1:28183/metrics | awk '/^dotnet_gc_allocated_bytes_total/ {print $2}'; }
if [[ " $parts " == *" throughput "* ]]; then
  echo "== throughput (${seconds}s each, after 1s warm-up)"
  for target in "direct ws://127.0.0.1:28181/" "edge ws://127.0.0.1:28182/"; do
    set -- $target
    echo "-- $1"
    for run in "32 32 8" "8 65536 2"; do
      set -- $1 $2 $run
      a0=$(allocated)
      result=$($load throughput "$2" "$3" "$4" "$seconds" "$5"); echo "$result"
      a1=$(allocated)
      # edge allocations per message relayed during the run (both directions, handshakes and warm-up included)
      if [[ $1 == edge ]]; then
        n=$(sed -E 's/.* messages=([0-9]+) .*/\1/' <<<"$result")
        echo "   edge allocated $(( a1 - a0 )) B during the run: $(( (a1 - a0) / n )) B per echoed message (measured ones only in the divisor)"
      fi
    done
  done
fi
[[ " $parts " == *" idle "* ]] || exit 0

heap() { # managed heap of a process after a full GC (a gcdump forces one), in bytes
  local f; f=$(mktemp --suffix .gcdump)
  "$gcdump" collect -p "$1" -o "$f" >/dev/null 2>&1
  "$gcdump" report "$f" | awk '/GC Heap bytes/ {gsub(/,/, "", $1); print $1; exit}'
  if [[ -n "${KEEP_DUMP:-}" ]]; then mv "$f" "$KEEP_DUMP"; else rm -f "$f"; fi
}
rss() { curl -fs http://127.0.0.1:28183/metrics | awk '/^process_resident_memory_bytes/ {print $2}'; }
open_relays() { curl -fs http://127.0.0.1:28183/metrics | awk '/^edge_websocket_connections_open\{route="ws"\}/ {print $2}'; }

# Two idle populations, half and all of IDLE: the slope between them is the cost of one more idle relay, without
# the fixed costs (array pools, JIT, caches) that the first connections bring and that do not grow with more.
half=$((idle / 2))
echo "== idle connections: $half then $idle"
h0=$(heap "$edge"); r0=$(rss)
fifo=$(mktemp -u); mkfifo "$fifo"
$load idle ws://127.0.0.1:28182/ "$half" 300 >"$fifo" & pids+=($!)
read -r line <"$fifo"; echo "$line"
sleep 2
h1=$(heap "$edge"); r1=$(rss); o1=$(open_relays)
$load idle ws://127.0.0.1:28182/ "$((idle - half))" 300 >"$fifo" & pids+=($!)
read -r line <"$fifo"; echo "$line"
sleep 2
h2=$(KEEP_DUMP=${DUMP:-} heap "$edge"); r2=$(rss); o2=$(open_relays)
rm -f "$fifo"
echo "relayed connections open: $o1 then $o2"
echo "managed heap after a full GC: none=$h0 at-$o1=$h1 at-$o2=$h2"
echo "managed heap per idle relay (slope): $(( (h2 - h1) / (o2 - o1) )) B; averaged from none: $(( (h2 - h0) / o2 )) B"
echo "resident set: none=$r0 at-$o1=$r1 at-$o2=$r2; per relay (slope) $(( (r2 - r1) / (o2 - o1) )) B (native and runtime memory too, not the kernel's socket buffers)"
