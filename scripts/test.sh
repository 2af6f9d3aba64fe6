#!/usr/bin/env bash
# Runs every test of the solution on a fresh machine: installs the Debian packages the tests drive
# (real clients and servers) when they are missing, builds, then runs each test project.
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
command -v curl >/dev/null 2>&1 || need+=(curl)
command -v openssl >/dev/null 2>&1 || need+=(openssl)
command -v mmdblookup >/dev/null 2>&1 || need+=(mmdb-bin)            # the geo differential tests' oracle
command -v cc >/dev/null 2>&1 || need+=(gcc libc6-dev)               # builds perf/geo/mmdb_country.c for them
command -v redis-server >/dev/null 2>&1 || need+=(redis-server)      # the Redis client's tests and benchmark start their own
command -v node >/dev/null 2>&1 || need+=(nodejs)                    # node's ws package: a second WebSocket client in the tests
[[ -d /usr/share/nodejs/ws ]] || need+=(node-ws)
echo '#include <maxminddb.h>' | cc -E - >/dev/null 2>&1 || need+=(libmaxminddb-dev)
if ((${#need[@]})); then
  echo "test.sh: installing ${need[*]}" >&2
  sudo_=""; [[ $(id -u) -ne 0 ]] && sudo_="sudo"
  $sudo_ apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_ apt-get install -y -qq --no-install-recommends "${need[@]}"
fi

dotnet build EdgeServer.sln -c Release -warnaserror -nologo -v q
for p in tests/*/*.Tests.csproj; do
  echo "test.sh: $p" >&2
  dotnet test "$p" -c Release --no-build --nologo -v q --logger "console;verbosity=minimal" -- RunConfiguration.TestSessionTimeout=1200000
done
