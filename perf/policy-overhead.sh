#!/usr/bin/env bash
# What a policy costs on the data path: ../shared/bench/compare.sh's plain-ka scenario against edge with
# several configs, in interleaved rounds (round 1 of every config, then round 2, ...), so a slow phase of
# this shared machine hits every config alike. Prints, per config, req/s and the proxy's CPU per request
# (its core's busy time / requests): the median and the best of the rounds, and both against the first
# config. The best is the steadier figure here: other processes only ever add time to a run.
#
#   perf/policy-overhead.sh                                   # no policy, local limits, global limits, WAF
#   ROUNDS=6 CONFIGS="edge-bench edge-bench-waf" perf/policy-overhead.sh
#
# CONFIGS are names of perf/<name>.yaml; the first is the baseline. Configs with Redis (global limits)
# expect it on 127.0.0.1:16379: the script starts a redis-server there (CPU 0, no persistence) when one
# is not answering, and stops it at the end.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/.." && pwd)
shared=${SHARED_DIR:-$(cd "$repo/../shared" && pwd)}
publish=${PUBLISH_DIR:-${TMPDIR:-/tmp}/edge-publish}
rounds=${ROUNDS:-5}
configs=(${CONFIGS:-edge-bench edge-bench-ratelimit edge-bench-global edge-bench-waf})
out=${OUT_DIR:-$(mktemp -d "${TMPDIR:-/tmp}/policy-overhead.XXXXXX")}
mkdir -p "$out"

[[ ${SKIP_PUBLISH:-0} == 1 ]] || dotnet publish "$repo/src/EdgeServer/EdgeServer.csproj" -c Release -o "$publish" -nologo -v q

redis_pid=
if ! redis-cli -p 16379 ping >/dev/null 2>&1; then
  taskset -c 0 redis-server --port 16379 --bind 127.0.0.1 --save '' --appendonly no >"$out/redis.log" 2>&1 &
  redis_pid=$!
  for _ in $(seq 50); do redis-cli -p 16379 ping >/dev/null 2>&1 && break; sleep 0.1; done
fi
trap '[[ -n $redis_pid ]] && kill $redis_pid 2>/dev/null || true' EXIT

tsv="$out/runs.tsv"
printf 'round\tconfig\trps\tproxy_cpu_pct\tcpu_us_per_req\tnon2xx\tload\tutc\n' >"$tsv"
for round in $(seq "$rounds"); do
  for cfg in "${configs[@]}"; do
    run="$out/$cfg-$round"
    EDGE_CMD="exec dotnet $publish/edge.dll run --config $here/$cfg.yaml" TARGETS=edge SCENARIOS=plain-ka \
      WARMUP=${WARMUP:-15} DURATION=${DURATION:-10} OUT_DIR="$run" "$shared/bench/compare.sh" >"$run.log" 2>&1 || true
    row=$(awk -F'\t' '$1=="plain-ka" && $2=="edge"' "$run/results.tsv" 2>/dev/null || true)
    rps=$(cut -f3 <<<"$row"); cpu=$(cut -f9 <<<"$row")
    non2xx=$(grep -h 'Non-2xx' "$run/raw/"*edge* 2>/dev/null | awk '{print $NF}' | head -1 || true)
    us=$(awk -v r="${rps:-0}" -v c="${cpu:-0}" 'BEGIN { if (r > 0) printf "%.2f", c * 10000 / r; else print "" }')
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$round" "$cfg" "${rps:-}" "${cpu:-}" "$us" "${non2xx:-0}" \
      "$(cut -d' ' -f1 /proc/loadavg)" "$(date -u +%H:%M:%S)" | tee -a "$tsv"
  done
done

echo
echo "| config | runs | median req/s | best req/s | median µs CPU/req | best µs CPU/req | median vs ${configs[0]} | best vs ${configs[0]} |"
echo "|---|--:|--:|--:|--:|--:|--:|--:|"
awk -F'\t' -v base="${configs[0]}" -v order="${configs[*]}" '
  NR > 1 && $3 != "" { n[$2]++; r[$2, n[$2]] = $3; u[$2, n[$2]] = $5 }
  function sortv(a, k, m,   i, j, t) { for (i = 1; i <= m; i++) v[i] = a[k, i]
    for (i = 2; i <= m; i++) for (j = i; j > 1 && v[j-1] + 0 > v[j] + 0; j--) { t = v[j]; v[j] = v[j-1]; v[j-1] = t } }
  function med(a, k, m) { sortv(a, k, m); return m % 2 ? v[(m + 1) / 2] : (v[m / 2] + v[m / 2 + 1]) / 2 }
  function lo(a, k, m) { sortv(a, k, m); return v[1] }
  function hi(a, k, m) { sortv(a, k, m); return v[m] }
  END {
    split(order, cs, " ")
    bu = med(u, base, n[base]); bb = lo(u, base, n[base])
    for (i = 1; i in cs; i++) { c = cs[i]; if (!n[c]) continue
      mu = med(u, c, n[c]); lu = lo(u, c, n[c])
      printf "| %s | %d | %.0f | %.0f | %.2f | %.2f | %+.1f %% | %+.1f %% |\n", c, n[c], med(r, c, n[c]), hi(r, c, n[c]), mu, lu,
        100 * (mu / bu - 1), 100 * (lu / bb - 1) }
  }' "$tsv"
echo "(CPU per request: + is more CPU than ${configs[0]}.) Runs: $tsv"
