#!/usr/bin/env bash
# Side-by-side proxy benchmark: publishes edge (Release) and runs ../shared/bench/compare.sh with
# EDGE_CMD set, so edge is measured against nginx and HAProxy on the same scenarios.
#   perf/compare.sh                       # all scenarios, 10 s each
#   DURATION=8 SCENARIOS="plain-ka" perf/compare.sh
#   EDGE_CONFIG=perf/edge-bench-waf.yaml perf/compare.sh   # the same, with the 50-rule WAF on
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/.." && pwd)
shared=${SHARED_DIR:-$(cd "$repo/../shared" && pwd)}
out=${PUBLISH_DIR:-${TMPDIR:-/tmp}/edge-publish}

dotnet publish "$repo/src/EdgeServer/EdgeServer.csproj" -c Release -o "$out" -nologo -v q
config=$(realpath "${EDGE_CONFIG:-$here/edge-bench.yaml}")
export EDGE_CMD="exec dotnet $out/edge.dll run --config $config"
exec "$shared/bench/compare.sh"
