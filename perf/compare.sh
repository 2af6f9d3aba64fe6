#!/usr/bin/env bash
# Side-by-side proxy benchmark: publishes edge (Release) and runs ../shared/bench/compare.sh with
# EDGE_CMD set, so edge is measured against nginx and HAProxy on the same scenarios.
#   perf/compare.sh                       # all scenarios, 10 s each
#   DURATION=8 SCENARIOS="plain-ka" perf/compare.sh
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/.." && pwd)
shared=${SHARED_DIR:-$(cd "$repo/../shared" && pwd)}
out=${PUBLISH_DIR:-${TMPDIR:-/tmp}/edge-publish}

dotnet publish "$repo/src/EdgeServer/EdgeServer.csproj" -c Release -o "$out" -nologo -v q
export EDGE_CMD="exec dotnet $out/edge.dll run --config $here/edge-bench.yaml"
exec "$shared/bench/compare.sh"
