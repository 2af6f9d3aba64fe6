#!/usr/bin/env bash
# Two-way WebSocket API round trips (client message → integration call to the built-in echo backend → reply to
# the client) with the real edge binary and node's ws as the client. Usage: perf/wsapi/roundtrip.sh [CONNECTIONS] [SECONDS]
set -euo pipefail
cd "$(dirname "$0")/../.."
C=${1:-50}
S=${2:-10}
dotnet src/EdgeServer/bin/Release/net10.0/edge.dll run --config perf/wsapi/edge-wsapi-echo.yaml >/dev/null 2>&1 &
EDGE_PID=$!
trap 'kill $EDGE_PID 2>/dev/null || true' EXIT
until curl -fs http://127.0.0.1:18291/ready >/dev/null; do sleep 0.2; done
NODE_PATH=/usr/share/nodejs node perf/wsapi/roundtrip.js ws://127.0.0.1:18290/ws "$C" "$S"
curl -fs http://127.0.0.1:18291/metrics | grep -E '^edge_wsapi_(messages_total|backend_calls_total)'
