#!/usr/bin/env bash
# What a policy costs, measured in pairs: two edge processes (config A, the baseline, and config B) run side by
# side on the proxy core, and short wrk runs alternate between them (A B, B A, A B, ...). Each pair gives B's
# proxy CPU per request over A's, taken seconds apart; the median over many pairs is the figure.
#
# Why not perf/policy-overhead.sh alone: on the shared 2-core VMs here the proxy's speed drifts by 30-50 %
# over tens of seconds (other tenants), and compare.sh restarts edge for every run, so one config's runs
# land in slow phases and another's in fast ones. Pairs taken back to back see the same phase.
#
#   perf/policy-ab.sh                                            # edge-bench against edge-bench-waf
#   A=edge-bench B=edge-bench-ratelimit PAIRS=40 perf/policy-ab.sh
#
# Same set-up as ../shared/bench/compare.sh's plain-ka: GET /plain from nginx on 127.0.0.1:18080, wrk -t1
# -c64 and the backend on CPU 0, the proxies on CPU 1. A listens on 18084 (admin 19901) as its config says;
# B's copy is moved to 18085 (admin 19902). Loopback only; every run is bounded by wrk's -d.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/.." && pwd)
publish=${PUBLISH_DIR:-${TMPDIR:-/tmp}/edge-publish}
a=${A:-edge-bench}
b=${B:-edge-bench-waf}
pairs=${PAIRS:-30}
secs=${SECS:-4}
warmup=${WARMUP:-10}
conns=${CONNS:-64}
out=${OUT_DIR:-$(mktemp -d "${TMPDIR:-/tmp}/policy-ab.XXXXXX")}
mkdir -p "$out"

need=()
for tool in wrk nginx taskset; do command -v "$tool" >/dev/null || need+=("$tool"); done
if ((${#need[@]})); then
  # A fresh machine has no package lists yet: update first, or install finds nothing.
  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]/taskset/util-linux}"; } >/dev/null
fi
[[ ${SKIP_PUBLISH:-0} == 1 ]] || dotnet publish "$repo/src/EdgeServer/EdgeServer.csproj" -c Release -o "$publish" -nologo -v q

pids=()
cleanup() {
  for p in "${pids[@]}"; do kill -- "-$p" 2>/dev/null || true; done
  rm -f "$here/.ab-b.yaml"
}
trap cleanup EXIT

# The backend: compare.sh's nginx, reduced to /plain.
mkdir -p "$out/nginx"
cat >"$out/nginx/backend.conf" <<EOF
worker_processes 1;
daemon off;
pid "$out/nginx/backend.pid";
error_log "$out/nginx/error.log" warn;
worker_rlimit_nofile 20000;
events { worker_connections 10000; }
http {
  access_log off;
  client_body_temp_path "$out/nginx"; proxy_temp_path "$out/nginx"; fastcgi_temp_path "$out/nginx";
  uwsgi_temp_path "$out/nginx"; scgi_temp_path "$out/nginx";
  keepalive_timeout 75s;
  keepalive_requests 1000000;
  tcp_nodelay on;
  server {
    listen 127.0.0.1:18080 backlog=4096;
    location = /plain { default_type text/plain; return 200 'Hello, World!'; }
    location / { return 404; }
  }
}
EOF
setsid taskset -c 0 nginx -c "$out/nginx/backend.conf" -p "$out/nginx" >"$out/nginx/stdout.log" 2>&1 &
pids+=($!)

# B's config: a copy beside the original (its rule and geo paths are relative to it) on other ports.
sed -e 's/127\.0\.0\.1:18084/127.0.0.1:18085/' -e 's/127\.0\.0\.1:19901/127.0.0.1:19902/' "$here/$b.yaml" >"$here/.ab-b.yaml"
declare -A port=([A]=18084 [B]=18085) pid=()
setsid taskset -c 1 dotnet "$publish/edge.dll" run --config "$here/$a.yaml" >"$out/a.log" 2>&1 &
pid[A]=$!; pids+=($!)
setsid taskset -c 1 dotnet "$publish/edge.dll" run --config "$here/.ab-b.yaml" >"$out/b.log" 2>&1 &
pid[B]=$!; pids+=($!)

for side in 18080 A B; do
  p=${port[$side]:-$side}
  for _ in $(seq 200); do curl -s -o /dev/null "http://127.0.0.1:$p/plain" && break; sleep 0.25; done
  curl -sf -o /dev/null "http://127.0.0.1:$p/plain" || { echo "127.0.0.1:$p does not answer /plain (logs in $out)" >&2; exit 1; }
done

cpu_ticks() { awk '{ sub(/^.*\) /, ""); print $12 + $13 }' "/proc/$1/stat"; }
hz=$(getconf CLK_TCK)

# One run: prints requests and the proxy's CPU µs per request.
run() {
  local side=$1 seconds=$2 before after log
  before=$(cpu_ticks "${pid[$side]}")
  log=$(taskset -c 0 wrk -t1 -c"$conns" -d"${seconds}s" --timeout 5s "http://127.0.0.1:${port[$side]}/plain" 2>&1)
  after=$(cpu_ticks "${pid[$side]}")
  if grep -q 'Non-2xx\|Socket errors' <<<"$log"; then echo "errors in a run against $side:" >&2; echo "$log" >&2; exit 1; fi
  awk -v t=$((after - before)) -v hz="$hz" '/requests in/ { printf "%d %.3f\n", $1, t / hz * 1e6 / $1 }' <<<"$log"
}

run A "$warmup" >/dev/null
run B "$warmup" >/dev/null

tsv="$out/pairs.tsv"
printf 'pair\ta_req\ta_us_per_req\tb_req\tb_us_per_req\tb_over_a\tutc\n' >"$tsv"
for i in $(seq "$pairs"); do
  if ((i % 2)); then ra=$(run A "$secs"); rb=$(run B "$secs"); else rb=$(run B "$secs"); ra=$(run A "$secs"); fi
  read -r na ua <<<"$ra"; read -r nb ub <<<"$rb"
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$i" "$na" "$ua" "$nb" "$ub" "$(awk -v x="$ub" -v y="$ua" 'BEGIN { printf "%.4f", x / y }')" \
    "$(date -u +%H:%M:%S)" | tee -a "$tsv"
done

echo
awk -F'\t' -v a="$a" -v b="$b" -v secs="$secs" '
  NR > 1 { n++; r[n] = $6; ua[n] = $3; ub[n] = $5; qa[n] = $2 / secs; qb[n] = $4 / secs; rq[n] = $4 / $2 }
  function sort(x, m,   i, j, t) { for (i = 2; i <= m; i++) for (j = i; j > 1 && x[j-1] > x[j]; j--) { t = x[j]; x[j] = x[j-1]; x[j-1] = t } }
  function q(x, m, p,   k) { k = 1 + (m - 1) * p; return x[int(k)] + (x[int(k) + (k > int(k))] - x[int(k)]) * (k - int(k)) }
  END {
    sort(r, n); sort(ua, n); sort(ub, n); sort(qa, n); sort(qb, n); sort(rq, n)
    printf "| | %s (A) | %s (B) |\n|---|--:|--:|\n", a, b
    printf "| median req/s | %.0f | %.0f |\n", q(qa, n, 0.5), q(qb, n, 0.5)
    printf "| median µs CPU/request | %.2f | %.2f |\n", q(ua, n, 0.5), q(ub, n, 0.5)
    printf "\nB over A, CPU per request, %d pairs: median %+.1f %% (quartiles %+.1f %% .. %+.1f %%)\n", n,
      (q(r, n, 0.5) - 1) * 100, (q(r, n, 0.25) - 1) * 100, (q(r, n, 0.75) - 1) * 100
    printf "B over A, req/s (what compare.sh reports), same pairs: median %+.1f %% (quartiles %+.1f %% .. %+.1f %%)\n",
      (q(rq, n, 0.5) - 1) * 100, (q(rq, n, 0.25) - 1) * 100, (q(rq, n, 0.75) - 1) * 100
  }' "$tsv" | tee "$out/summary.md"
echo "Runs: $tsv"
