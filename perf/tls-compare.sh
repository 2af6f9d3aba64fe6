#!/usr/bin/env bash
# tls-compare.sh - TLS termination with client certificates: edge vs nginx vs HAProxy, same PKI, loopback.
#
# WHAT IT MEASURES (each server alone on CPU 1; the client, and the backend, on CPU 0)
#   handshake  `openssl s_time -www /static` against the listener that REQUIRES a client certificate,
#              presenting client-alice (-cert/-key): one TLS connection + one HTTP/1.0 GET per
#              connection, for $DURATION s.
#                -new    every connection a full handshake (ECDHE + server signature + client
#                        certificate chain and CRL check)
#                -reuse  every connection resumes the first one's session (TLS 1.2: session id /
#                        ticket; TLS 1.3: PSK ticket with ECDHE). The "resumed" column counts the
#                        connections s_time reports as reused ('r'); a server that never resumes still
#                        gets a figure, but it is full handshakes. OpenSSL 3 clients drop a session
#                        when the server closes without a close_notify alert ("unexpected eof").
#                reuse-bare  -reuse without -www: handshake only, the client closes first. TLS 1.2
#                        only (a TLS 1.3 client that reads nothing never receives its ticket). This
#                        measures resumption on servers whose sessions -reuse loses.
#              for TLS 1.3 and TLS 1.2 (-tls1_3 / -tls1_2).
#   wrk        keep-alive HTTPS requests/s, `wrk -t1 -c$CONNS -d${DURATION}s` after a ${WARMUP}s warm-up,
#              against the listener where the client certificate is OPTIONAL (wrk cannot send one:
#              the server still asks, wrk answers with an empty Certificate message).
#                static  GET /static, answered by the server itself (13-byte body)
#                proxy   GET /proxy, forwarded over plain HTTP keep-alive to a backend nginx on
#                        127.0.0.1:18080 (1 worker, CPU 0, same body)
#   Rounds are interleaved (rep 1 of every target, then rep 2, ...) so slow phases of the shared
#   machine hit all targets alike. The summary gives the best run, the spread (max-min)/best, and the
#   server's CPU share in that run.
#
# SERVERS (all with server.crt/server.key, ca.crt and ca.crl from `edge certs dev`; TLS 1.2 + 1.3)
#   edge     perf/tls/edge.yaml     DOTNET_PROCESSOR_COUNT=1, :18443 require / :18444 optional
#   nginx    perf/tls/nginx.conf    worker_processes 1, ssl_verify_client on|optional, shared session
#                                   cache + tickets, :18453 / :18454
#   haproxy  perf/tls/haproxy.cfg   nbthread 1, verify required|optional, cache + tickets (defaults),
#                                   :18463 / :18464
#
# ENVIRONMENT
#   DURATION=10        seconds per s_time / wrk run (1..600)
#   WARMUP=2           wrk warm-up seconds (0 = none); s_time runs get a 1 s warm-up each
#   REPS=3             repetitions of every measurement
#   CONNS=64           wrk connections
#   TARGETS="edge nginx haproxy"
#   PROTOCOLS="tls1_3 tls1_2"
#   HS_MODES="new reuse reuse-bare"
#   WRK_SCENARIOS="static proxy"
#   EDGE_REF=          a git ref (e.g. HEAD): build edge from `git archive <ref>` instead of the
#                      working tree (a tree someone is editing may not be what you mean to measure)
#   PUBLISH_DIR=...    where edge is published (default ${TMPDIR:-/tmp}/edge-tls-publish)
#   EDGE_ENV=""        extra environment for edge, e.g. "DOTNET_PerfMapEnabled=1"
#   OUT_DIR=...        results directory (default: mktemp -d)
#   KEEP_WORK=0        1 = keep the scratch dir (PKI, pid files)
#   HOLD=0             1 = after the sanity checks, print the setup and wait (up to 1 h) for Enter
#                      instead of measuring: for profiling by hand
#
# OUTPUT
#   $OUT_DIR/results.md (also on stdout), runs.tsv (every run), env.txt (versions, negotiated
#   parameters), raw/ (s_time and wrk output), conf/ (generated configs), logs/.
#
# SAFETY
#   Loopback only. Servers run in the foreground on generated configs, each in its own process group;
#   the EXIT trap stops exactly those groups (by PID, never by name). Every run is bounded by `timeout`.
set -uo pipefail
set +m
export LC_ALL=C
export PATH="$PATH:/usr/local/sbin:/usr/sbin:/sbin"

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/.." && pwd)

DURATION=${DURATION:-10}
WARMUP=${WARMUP:-2}
REPS=${REPS:-3}
CONNS=${CONNS:-64}
TARGETS=${TARGETS:-"edge nginx haproxy"}
PROTOCOLS=${PROTOCOLS:-"tls1_3 tls1_2"}
HS_MODES=${HS_MODES:-"new reuse reuse-bare"}
WRK_SCENARIOS=${WRK_SCENARIOS:-"static proxy"}
EDGE_REF=${EDGE_REF:-}
PUBLISH_DIR=${PUBLISH_DIR:-${TMPDIR:-/tmp}/edge-tls-publish}
EDGE_ENV=${EDGE_ENV:-}
KEEP_WORK=${KEEP_WORK:-0}
HOLD=${HOLD:-0}

HOST=127.0.0.1
SERVER_CPU=1
CLIENT_CPU=0
BACKEND_PORT=18080
EDGE_ADMIN_PORT=19911
declare -A REQUIRE_PORT=([edge]=18443 [nginx]=18453 [haproxy]=18463)
declare -A OPTIONAL_PORT=([edge]=18444 [nginx]=18454 [haproxy]=18464)

log() { printf '[tls-compare %(%H:%M:%S)T] %s\n' -1 "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }
is_uint() { [[ $1 =~ ^[0-9]+$ ]]; }
is_uint "$DURATION" && (( DURATION >= 1 && DURATION <= 600 )) || die "DURATION must be 1..600"
is_uint "$WARMUP" && (( WARMUP <= 600 )) || die "WARMUP must be 0..600"
is_uint "$REPS" && (( REPS >= 1 && REPS <= 20 )) || die "REPS must be 1..20"
is_uint "$CONNS" && (( CONNS >= 1 && CONNS <= 10000 )) || die "CONNS must be 1..10000"
for t in $TARGETS; do [[ -n ${REQUIRE_PORT[$t]:-} ]] || die "unknown target '$t'"; done
for p in $PROTOCOLS; do [[ $p == tls1_3 || $p == tls1_2 ]] || die "unknown protocol '$p'"; done
for m in $HS_MODES; do [[ $m == new || $m == reuse || $m == reuse-bare ]] || die "unknown handshake mode '$m'"; done
for s in $WRK_SCENARIOS; do [[ $s == static || $s == proxy ]] || die "unknown wrk scenario '$s'"; done
(( $(nproc) >= 2 )) || die "needs at least 2 CPUs (have $(nproc))"

# ---------------------------------------------------------------- dirs, process groups, cleanup
TMPROOT=${TMPDIR:-/tmp}
if [[ -z ${OUT_DIR:-} ]]; then OUT_DIR=$(mktemp -d "$TMPROOT/tls-bench.XXXXXX") || die "mktemp failed"
else mkdir -p -- "$OUT_DIR" || die "cannot create $OUT_DIR"; fi
OUT_DIR=$(cd -- "$OUT_DIR" && pwd)
WORK=$(mktemp -d "$TMPROOT/tls-bench-work.XXXXXX") || die "mktemp failed"
mkdir -p "$OUT_DIR"/{raw,conf,logs} "$WORK"/{pids,tmp,src} || die "mkdir failed"
chmod 755 "$WORK"
PKI=$WORK/pki

MY_PGID=$(ps -o pgid= -p $$ | tr -d ' ')
NOFILE=$(ulimit -n); [[ $NOFILE == unlimited ]] && NOFILE=65536
(( NOFILE >= 2 * CONNS + 256 )) || die "ulimit -n ($NOFILE) too low for CONNS=$CONNS"
MAXCONN=$(( (NOFILE - 100) / 2 )); (( MAXCONN > 20000 )) && MAXCONN=20000
STARTED=()
declare -A PID_OF=()

group_alive() {
  cat /proc/[0-9]*/stat 2>/dev/null | awk -v g="$1" '
    { s=$0; sub(/^.*\) /, "", s); split(s, f, " "); if (f[3]==g && f[1]!="Z") n++ } END { print n+0 }'
}
group_ticks() {
  cat /proc/[0-9]*/stat 2>/dev/null | awk -v g="$1" '
    { s=$0; sub(/^.*\) /, "", s); split(s, f, " "); if (f[3]==g) t += f[12]+f[13]+f[14]+f[15] } END { printf "%d\n", t }'
}
pgid_of() { local s; s=$(cat "/proc/$1/stat" 2>/dev/null) || return 1; s=${s##*) }; set -- $s; echo "$3"; }

stop_started() {
  local pid=$1 pg tries
  pg=$(pgid_of "$pid") || { wait "$pid" 2>/dev/null; return 0; }
  if [[ $pg == "$pid" && $pg != "$MY_PGID" ]]; then
    kill -TERM -- "-$pid" 2>/dev/null
    for ((tries = 0; tries < 50; tries++)); do (( $(group_alive "$pid") == 0 )) && break; sleep 0.1; done
    (( $(group_alive "$pid") == 0 )) || { log "process group $pid ignored TERM, sending KILL"; kill -KILL -- "-$pid" 2>/dev/null; }
  else
    kill -TERM "$pid" 2>/dev/null; sleep 0.5; kill -KILL "$pid" 2>/dev/null
  fi
  wait "$pid" 2>/dev/null
  return 0
}
cleanup() {
  local rc=$? i
  trap - EXIT INT TERM
  for ((i = ${#STARTED[@]} - 1; i >= 0; i--)); do stop_started "${STARTED[i]}"; done
  if [[ $KEEP_WORK == 1 ]]; then log "scratch dir kept: $WORK"; else rm -rf -- "$WORK"; fi
  exit "$rc"
}
trap cleanup EXIT
trap 'log "interrupted"; exit 130' INT
trap 'log "terminated"; exit 143' TERM

# start NAME CPU LOGFILE CMD... : own process group, pinned
start() {
  local name=$1 cpu=$2 logf=$3; shift 3
  setsid taskset -c "$cpu" "$@" >"$logf" 2>&1 </dev/null &
  local pid=$!
  STARTED+=("$pid"); PID_OF[$name]=$pid
  echo "$pid" >"$WORK/pids/$name.pid"
  sleep 0.05
}
port_open() { timeout 2 bash -c "exec 3<>/dev/tcp/$HOST/$1" 2>/dev/null; }
wait_port() { # PORT SECONDS PID -> 0 up, 1 timeout, 2 died
  local i
  for ((i = 0; i < $2 * 10; i++)); do
    port_open "$1" && return 0
    (( $(group_alive "$3") > 0 )) || return 2
    sleep 0.1
  done
  return 1
}

# ---------------------------------------------------------------- tools
need=()
command -v openssl >/dev/null || need+=(openssl)
command -v nginx   >/dev/null || need+=(nginx)
command -v haproxy >/dev/null || need+=(haproxy)
command -v wrk     >/dev/null || need+=(wrk)
command -v curl    >/dev/null || need+=(curl)
command -v taskset >/dev/null || need+=(util-linux)
command -v setsid  >/dev/null || need+=(util-linux)
command -v timeout >/dev/null || need+=(coreutils)
if (( ${#need[@]} )); then
  (( EUID == 0 )) || die "missing tools (${need[*]}) and not root; install them first"
  command -v apt-get >/dev/null || die "missing tools (${need[*]}) and no apt-get"
  log "installing: ${need[*]} (log: $OUT_DIR/logs/apt.log)"
  { DEBIAN_FRONTEND=noninteractive timeout 600 apt-get update -qq &&
    DEBIAN_FRONTEND=noninteractive timeout 900 apt-get install -y -qq --no-install-recommends "${need[@]}"; } \
    >"$OUT_DIR/logs/apt.log" 2>&1 || die "apt-get install failed, see $OUT_DIR/logs/apt.log"
  for c in openssl nginx haproxy wrk curl taskset setsid timeout; do command -v "$c" >/dev/null || die "$c still missing"; done
fi
command -v dotnet >/dev/null || die "dotnet (the .NET 10 SDK) is needed to build edge"

# ---------------------------------------------------------------- build edge, make the PKI
want() { [[ " $TARGETS " == *" $1 "* ]]; }
src=$repo
if [[ -n $EDGE_REF ]]; then
  commit=$(git -C "$repo" rev-parse --verify "$EDGE_REF^{commit}") || die "bad EDGE_REF '$EDGE_REF'"
  log "building edge from $EDGE_REF ($commit) via git archive"
  git -C "$repo" archive "$commit" | tar -x -C "$WORK/src" || die "git archive failed"
  src=$WORK/src
fi
log "publishing edge (Release) to $PUBLISH_DIR"
timeout 900 dotnet publish "$src/src/EdgeServer/EdgeServer.csproj" -c Release -o "$PUBLISH_DIR" -nologo -v q \
  >"$OUT_DIR/logs/publish.log" 2>&1 || { tail -n 30 "$OUT_DIR/logs/publish.log" >&2; die "dotnet publish failed"; }
EDGE_DLL=$PUBLISH_DIR/edge.dll
timeout 120 dotnet "$EDGE_DLL" certs dev --out "$PKI" --force >"$OUT_DIR/logs/certs.log" 2>&1 \
  || { cat "$OUT_DIR/logs/certs.log" >&2; die "edge certs dev failed"; }
cat "$PKI/server.crt" "$PKI/server.key" >"$PKI/server.pem"
chmod 600 "$PKI/server.pem"
chmod 755 "$PKI"
CLIENT_CERT=$PKI/client-alice.crt
CLIENT_KEY=$PKI/client-alice.key

# ---------------------------------------------------------------- configs
NGINX_USER=""
(( EUID == 0 )) && NGINX_USER="user root;"   # workers must read the 0600 keys in the scratch PKI
fill() { # template -> stdout
  sed -e "s#@PKI@#$PKI#g; s#@WORK@#$WORK#g; s#@LOGS@#$OUT_DIR/logs#g; s#@NOFILE@#$NOFILE#g" \
      -e "s#@WORKER_CONNECTIONS@#$(( NOFILE / 2 ))#g; s#@MAXCONN@#$MAXCONN#g; s#@USER@#$NGINX_USER#g" \
      -e "s#@PORT_BACKEND@#$BACKEND_PORT#g; s#@PORT_ADMIN@#$EDGE_ADMIN_PORT#g" \
      -e "s#@PORT_REQUIRE@#${REQUIRE_PORT[$2]}#g; s#@PORT_OPTIONAL@#${OPTIONAL_PORT[$2]}#g" "$here/tls/$1"
}
fill edge.yaml edge >"$OUT_DIR/conf/edge.yaml"
fill nginx.conf nginx >"$OUT_DIR/conf/nginx.conf"
cp "$here/tls/nginx.locations" "$WORK/nginx.locations"; cp "$here/tls/nginx.locations" "$OUT_DIR/conf/"
fill haproxy.cfg haproxy >"$OUT_DIR/conf/haproxy.cfg"
cat >"$OUT_DIR/conf/backend.nginx.conf" <<EOF
# generated by tls-compare.sh: plain-HTTP backend for the proxy scenario
$NGINX_USER
worker_processes 1;
daemon off;
pid "$WORK/backend.pid";
lock_file "$WORK/backend.lock";
error_log "$OUT_DIR/logs/backend.error.log" warn;
worker_rlimit_nofile $NOFILE;
events { worker_connections $(( NOFILE / 2 )); }
http {
  access_log off;
  client_body_temp_path "$WORK/tmp/b.client_body"; proxy_temp_path "$WORK/tmp/b.proxy";
  fastcgi_temp_path "$WORK/tmp/b.fastcgi"; uwsgi_temp_path "$WORK/tmp/b.uwsgi"; scgi_temp_path "$WORK/tmp/b.scgi";
  keepalive_timeout 75s;
  keepalive_requests 1000000;
  server {
    listen $HOST:$BACKEND_PORT backlog=4096;
    location / { default_type text/plain; return 200 'Hello, World!'; }
  }
}
EOF

nginx -t -q -p "$WORK" -c "$OUT_DIR/conf/backend.nginx.conf" -e "$OUT_DIR/logs/backend.t.log" || die "backend config invalid"
if want nginx; then
  nginx -t -q -p "$WORK" -c "$OUT_DIR/conf/nginx.conf" -e "$OUT_DIR/logs/nginx.t.log" \
    || die "nginx config invalid: $(cat "$OUT_DIR/logs/nginx.t.log")"
fi
if want haproxy; then
  haproxy -c -q -f "$OUT_DIR/conf/haproxy.cfg" >"$OUT_DIR/logs/haproxy.check.log" 2>&1 \
    || die "haproxy config invalid: $(cat "$OUT_DIR/logs/haproxy.check.log")"
fi
if want edge; then
  timeout 60 dotnet "$EDGE_DLL" validate --config "$OUT_DIR/conf/edge.yaml" >"$OUT_DIR/logs/edge.validate.log" 2>&1 \
    || die "edge config invalid: $(cat "$OUT_DIR/logs/edge.validate.log")"
fi

# ---------------------------------------------------------------- start servers
ports=("$BACKEND_PORT")
for t in $TARGETS; do ports+=("${REQUIRE_PORT[$t]}" "${OPTIONAL_PORT[$t]}"); done
want edge && ports+=("$EDGE_ADMIN_PORT")
for p in "${ports[@]}"; do port_open "$p" && die "port $p is already in use on $HOST"; done

start backend "$CLIENT_CPU" "$OUT_DIR/logs/backend.stdout.log" \
  nginx -p "$WORK" -c "$OUT_DIR/conf/backend.nginx.conf" -e "$OUT_DIR/logs/backend.error.log"
wait_port "$BACKEND_PORT" 10 "${PID_OF[backend]}" || die "backend nginx did not start"
if want nginx; then
  start nginx "$SERVER_CPU" "$OUT_DIR/logs/nginx.stdout.log" \
    nginx -p "$WORK" -c "$OUT_DIR/conf/nginx.conf" -e "$OUT_DIR/logs/nginx.error.log"
  wait_port "${REQUIRE_PORT[nginx]}" 10 "${PID_OF[nginx]}" || die "nginx did not start; see $OUT_DIR/logs/"
fi
if want haproxy; then
  start haproxy "$SERVER_CPU" "$OUT_DIR/logs/haproxy.log" haproxy -db -f "$OUT_DIR/conf/haproxy.cfg"
  wait_port "${REQUIRE_PORT[haproxy]}" 10 "${PID_OF[haproxy]}" || die "haproxy did not start; see $OUT_DIR/logs/"
fi
if want edge; then
  EDGE_CMD="exec env DOTNET_PROCESSOR_COUNT=1 $EDGE_ENV dotnet $EDGE_DLL run --config $OUT_DIR/conf/edge.yaml"
  printf '%s\n' "$EDGE_CMD" >"$OUT_DIR/conf/edge.cmd"
  start edge "$SERVER_CPU" "$OUT_DIR/logs/edge.log" bash -c "$EDGE_CMD"
  wait_port "${OPTIONAL_PORT[edge]}" 120 "${PID_OF[edge]}" || { tail -n 30 "$OUT_DIR/logs/edge.log" >&2; die "edge did not start"; }
fi

# ---------------------------------------------------------------- sanity checks
CURL_TLS=(--cacert "$PKI/ca.crt" --max-time 5 -sS -o "$WORK/body")
for t in $TARGETS; do
  rq=https://localhost:${REQUIRE_PORT[$t]} op=https://localhost:${OPTIONAL_PORT[$t]}
  r=$(curl "${CURL_TLS[@]}" -w '%{http_code}' --cert "$CLIENT_CERT" --key "$CLIENT_KEY" "$rq/static" 2>&1)
  [[ $r == 200 && $(cat "$WORK/body") == 'Hello, World!' ]] || die "$t: require + client cert /static -> '$r'"
  r=$(curl "${CURL_TLS[@]}" -w '%{http_code}' "$rq/static" 2>/dev/null)
  [[ $r == 200 ]] && die "$t: the require listener answered without a client certificate"
  r=$(curl "${CURL_TLS[@]}" -w '%{http_code}' --cert "$PKI/client-revoked.crt" --key "$PKI/client-revoked.key" "$rq/static" 2>/dev/null)
  [[ $r == 200 ]] && die "$t: the require listener accepted the revoked client certificate (CRL not checked)"
  r=$(curl "${CURL_TLS[@]}" -w '%{http_code}' "$op/static" 2>&1)
  [[ $r == 200 ]] || die "$t: optional listener without a certificate /static -> '$r'"
  r=$(curl "${CURL_TLS[@]}" -w '%{http_code}' "$op/proxy" 2>&1)
  [[ $r == 200 && $(cat "$WORK/body") == 'Hello, World!' ]] || die "$t: optional listener /proxy -> '$r'"
  log "sanity ok: $t (client cert required and CRL checked on :${REQUIRE_PORT[$t]}; optional on :${OPTIONAL_PORT[$t]})"
done

# ---------------------------------------------------------------- environment record
{
  echo "date: $(date -Is)"
  echo "host: $(uname -srm); cpus: $(nproc); model: $(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo)"
  echo "loadavg at start: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "params: DURATION=$DURATION WARMUP=$WARMUP REPS=$REPS CONNS=$CONNS PROTOCOLS='$PROTOCOLS' HS_MODES='$HS_MODES' WRK_SCENARIOS='$WRK_SCENARIOS'"
  echo "pinning: server under test -> CPU $SERVER_CPU; s_time / wrk and the backend nginx -> CPU $CLIENT_CPU"
  echo "openssl: $(openssl version)"
  echo "nginx: $(nginx -V 2>&1 | grep -E 'version|built with' | tr '\n' ';')"
  echo "haproxy: $(haproxy -vv 2>&1 | grep -E '^HAProxy version|Running on OpenSSL|Built with OpenSSL' | tr '\n' ';')"
  echo "wrk: $(wrk -v 2>&1 | head -n1)"
  echo "dotnet: $(dotnet --version); edge: $(timeout 30 dotnet "$EDGE_DLL" version 2>&1 | head -n1)${EDGE_REF:+ (from $EDGE_REF)}"
  echo "edge libssl: $(awk '/libssl/ {print $6; exit}' "/proc/$(pgrep -g "${PID_OF[edge]:-0}" -n dotnet 2>/dev/null || echo 0)/maps" 2>/dev/null)"
  for t in $TARGETS; do
    for p in $PROTOCOLS; do
      echo "negotiated $t $p: $(timeout 10 openssl s_client -connect "$HOST:${REQUIRE_PORT[$t]}" -"$p" -cert "$CLIENT_CERT" -key "$CLIENT_KEY" \
        -CAfile "$PKI/ca.crt" </dev/null 2>&1 | grep -E '^New,|Server Temp Key|Verify return code' | tr -s ' ' | tr '\n' ';')"
    done
  done
} >"$OUT_DIR/env.txt"

if [[ $HOLD == 1 ]]; then
  log "HOLD=1: servers are up (edge pid group ${PID_OF[edge]:-none}); configs in $OUT_DIR/conf; PKI in $PKI. Press Enter to stop (1 h max)."
  read -r -t 3600 _ || true
  exit 0
fi

# ---------------------------------------------------------------- measurement
CLK_TCK=$(getconf CLK_TCK)
TSV=$OUT_DIR/runs.tsv
printf 'test\ttarget\trep\trate\tresumed_pct\terrors\tserver_cpu_pct\tclient_cpu_busy_pct\tp50_ms\tp99_ms\n' >"$TSV"
cpu_busy() { # -> "busy total" jiffies of CPU $1
  awk -v c="cpu$1" '$1==c { print $2+$3+$4+$7+$8, $2+$3+$4+$5+$6+$7+$8+$9 }' /proc/stat
}
alive_or_skip() { (( $(group_alive "${PID_OF[$1]}") > 0 )) || { log "$1 is not running any more"; return 1; }; }

# measure TEST TARGET REP -- CMD... : runs CMD on the client CPU, records wall time and server CPU
measure() {
  local test=$1 t=$2 rep=$3 raw; shift 4
  raw="$OUT_DIR/raw/$test.$t.$rep.txt"
  local pt0 pt1 t0 t1 b0 T0 b1 T1
  pt0=$(group_ticks "${PID_OF[$t]}"); read -r b0 T0 < <(cpu_busy "$CLIENT_CPU"); t0=$(date +%s.%N)
  { echo "# taskset -c $CLIENT_CPU $*"; timeout --foreground -k 5 $((DURATION + 30)) taskset -c "$CLIENT_CPU" "$@" 2>&1; echo "# exit=$?"; } >"$raw"
  t1=$(date +%s.%N); read -r b1 T1 < <(cpu_busy "$CLIENT_CPU"); pt1=$(group_ticks "${PID_OF[$t]}")
  MEAS="$(awk -v pt0="$pt0" -v pt1="$pt1" -v hz="$CLK_TCK" -v t0="$t0" -v t1="$t1" -v b0="$b0" -v b1="$b1" -v T0="$T0" -v T1="$T1" \
    'BEGIN { printf "%.3f %.1f %.1f", t1 - t0, 100 * (pt1 - pt0) / hz / (t1 - t0), (T1 > T0) ? 100 * (b1 - b0) / (T1 - T0) : -1 }')"
  MEAS_RAW=$raw
}

s_time_cmd() { # protocol mode port seconds
  local www=(-www /static) mode=$2
  [[ $mode == reuse-bare ]] && { www=(); mode=reuse; }
  echo openssl s_time -connect "$HOST:$3" -"$1" -"$mode" -time "$4" "${www[@]}" -cert "$CLIENT_CERT" -key "$CLIENT_KEY" -CAfile "$PKI/ca.crt"
}

log "handshakes: $PROTOCOLS x $HS_MODES x $TARGETS x $REPS reps, ${DURATION}s each; then wrk: $WRK_SCENARIOS"
for ((rep = 1; rep <= REPS; rep++)); do
  for p in $PROTOCOLS; do
    for m in $HS_MODES; do
      [[ $m == reuse-bare && $p != tls1_2 ]] && continue
      for t in $TARGETS; do
        alive_or_skip "$t" || continue
        # warm-up: 1 s (JIT, session cache)
        timeout 20 taskset -c "$CLIENT_CPU" $(s_time_cmd "$p" "$m" "${REQUIRE_PORT[$t]}" 1) >/dev/null 2>&1
        test="hs-$p-$m"
        measure "$test" "$t" "$rep" -- $(s_time_cmd "$p" "$m" "${REQUIRE_PORT[$t]}" "$DURATION")
        read -r wall scpu ccpu <<<"$MEAS"
        # s_time prints one character per connection: 'r' resumed, '*' (or a version letter) full.
        read -r conns resumed < <(awk '/connections in [0-9.]+s;/ && !n { n = $1 } /^[*rt3]+$/ { r += gsub(/r/, "r") }
          END { print n + 0, r + 0 }' "$MEAS_RAW")
        rate=$(awk -v n="$conns" -v w="$wall" 'BEGIN { printf "%.0f", (w > 0 ? n / w : 0) }')
        rpct=$(awk -v n="$conns" -v r="$resumed" 'BEGIN { printf "%.0f", (n > 0 ? 100 * r / n : 0) }')
        errs=$(grep -c -iE 'error|fail' "$MEAS_RAW")
        printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t-1\t-1\n' "$test" "$t" "$rep" "$rate" "$rpct" "$errs" "$scpu" "$ccpu" >>"$TSV"
        log "$(printf '%-16s %-8s rep %d: %6s conn/s  resumed %3s%%  server CPU %5s%%  client core busy %5s%%  errors %s' "$test" "$t" "$rep" "$rate" "$rpct" "$scpu" "$ccpu" "$errs")"
        sleep 0.5
      done
    done
  done
done

parse_wrk() { # -> "rps p50 p99 errors"
  awk 'function ms(v) { if (v ~ /us$/) return v/1000; if (v ~ /ms$/) return v+0; if (v ~ /[0-9]s$/) return v*1000; return -1 }
    /Requests\/sec:/ { rps = $2 } /^[ \t]+50%/ { p50 = ms($2) } /^[ \t]+99%/ { p99 = ms($2) }
    /Socket errors:/ { gsub(",", ""); err += $4 + $6 + $8 + $10 } /Non-2xx or 3xx responses:/ { err += $NF }
    END { printf "%s %.3f %.3f %d\n", (rps == "" ? -1 : rps), (p50 == "" ? -1 : p50), (p99 == "" ? -1 : p99), err }' "$1"
}
for ((rep = 1; rep <= REPS; rep++)); do
  for s in $WRK_SCENARIOS; do
    for t in $TARGETS; do
      alive_or_skip "$t" || continue
      url="https://localhost:${OPTIONAL_PORT[$t]}/$s"
      (( WARMUP > 0 )) && timeout $((WARMUP + 30)) taskset -c "$CLIENT_CPU" wrk -t1 -c"$CONNS" -d"${WARMUP}s" "$url" >/dev/null 2>&1
      sleep 0.5
      test="wrk-$s"
      measure "$test" "$t" "$rep" -- wrk -t1 -c"$CONNS" -d"${DURATION}s" --latency --timeout 5s "$url"
      read -r wall scpu ccpu <<<"$MEAS"
      read -r rps p50 p99 errs < <(parse_wrk "$MEAS_RAW")
      printf '%s\t%s\t%s\t%s\t-1\t%s\t%s\t%s\t%s\t%s\n' "$test" "$t" "$rep" "$rps" "$errs" "$scpu" "$ccpu" "$p50" "$p99" >>"$TSV"
      log "$(printf '%-16s %-8s rep %d: %9s req/s  p50 %s ms  p99 %s ms  errors %s  server CPU %5s%%  client core busy %5s%%' "$test" "$t" "$rep" "$rps" "$p50" "$p99" "$errs" "$scpu" "$ccpu")"
      sleep 0.5
    done
  done
done

for f in "$OUT_DIR"/logs/*.log; do
  sz=$(stat -c %s "$f" 2>/dev/null || echo 0)
  (( sz > 65536 )) && log "WARNING: $f is $sz bytes (a server logged per connection or request): $(head -n1 "$f" | head -c 200)"
done

# ---------------------------------------------------------------- summary
MD=$OUT_DIR/results.md
{
  echo "## TLS termination with client certificates ($(date -u '+%Y-%m-%d %H:%M UTC'))"
  echo
  echo "Server alone on CPU $SERVER_CPU; client (and the backend) on CPU $CLIENT_CPU; loopback. ${REPS} runs of ${DURATION}s each, interleaved."
  echo "hs-*: \`openssl s_time -www /static\` with client-alice's certificate against the listener that requires one; conn/s = connections ÷ wall time."
  echo "wrk-*: \`wrk -t1 -c$CONNS\` keep-alive over TLS against the listener where the client certificate is optional (wrk sends none)."
  echo "best = the best of the runs; spread = (max − min) ÷ best; server CPU% in the best run (100 = one core); per core = best ÷ (CPU%/100);"
  echo "× best other = best ÷ the better best of nginx and HAProxy. resumed = share of s_time connections reported as reused."
  echo
  awk -F'\t' '
    NR == 1 { next }
    { k = $1 SUBSEP $2
      if (!(k in n)) { order[++no] = k; tests[$1] = 1 }
      n[k]++; if (!(k in best) || $4 + 0 > best[k]) { best[k] = $4 + 0; cpu[k] = $7; res[k] = $5; p99[k] = $10 }
      if (!(k in mn) || $4 + 0 < mn[k]) mn[k] = $4 + 0
      all[k] = all[k] (all[k] == "" ? "" : ", ") $4; err[k] += $6 }
    END {
      print "| test | target | best | runs | spread | server CPU% | per core | resumed | p99 ms | errors | × best other |"
      print "|---|---|--:|---|--:|--:|--:|--:|--:|--:|--:|"
      for (i = 1; i <= no; i++) {
        split(order[i], kk, SUBSEP); te = kk[1]; tg = kk[2]; k = order[i]
        other = 0
        for (j = 1; j <= no; j++) { split(order[j], k2, SUBSEP); if (k2[1] == te && k2[2] != "edge" && best[order[j]] > other) other = best[order[j]] }
        per = "—"; if (cpu[k] > 5) per = sprintf("%.0f", best[k] / (cpu[k] / 100))
        spread = 0; if (best[k] > 0) spread = 100 * (best[k] - mn[k]) / best[k]
        rs = "—"; if (res[k] >= 0) rs = res[k] "%"
        lat = "—"; if (p99[k] >= 0) lat = p99[k]
        ratio = "—"; if (other > 0) ratio = sprintf("%.2f", best[k] / other)
        name = tg; if (tg == "edge") name = "**edge**"
        printf "| %s | %s | %s | %s | %.0f%% | %.0f | %s | %s | %s | %d | %s |\n", te, name, best[k], all[k], spread, cpu[k], per, rs, lat, err[k], ratio
      }
    }' "$TSV"
  echo
  echo "Versions and negotiated parameters: see env.txt."
} >"$MD"
echo; cat "$MD"; echo
sed 's/^/    /' "$OUT_DIR/env.txt"
echo "Results directory: $OUT_DIR"
