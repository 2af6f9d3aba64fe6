#!/usr/bin/env bash
# Builds the libmaxminddb reference (installing libmaxminddb-dev if missing) and times the same country lookups
# as GeoLookupBenchmark. Usage: perf/geo/run.sh [DB] [PATH...]   (default: the real country DB, country_code)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
if ! echo '#include <maxminddb.h>' | cc -E - >/dev/null 2>&1; then
  sudo_=""; [[ $(id -u) -ne 0 ]] && sudo_="sudo"
  $sudo_ apt-get install -y -qq --no-install-recommends libmaxminddb-dev gcc libc6-dev
fi
out="${TMPDIR:-/tmp}/mmdb_country"
cc -O2 -o "$out" "$here/mmdb_country.c" -lmaxminddb
db="${1:-$here/../../../shared/geo/country/geo-whois-asn-country.mmdb}"
shift || true
(($#)) || set -- country_code
"$out" bench "$db" "$@"
