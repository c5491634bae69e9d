#!/usr/bin/env bash
# Run a command with WENQING_TEST_DATABASE_URL pointing at PostgreSQL.
# When none is configured, install Debian's PostgreSQL if missing, start a throwaway
# cluster on a free loopback port, and stop and delete it when the command ends.
set -euo pipefail

if [[ -n "${WENQING_TEST_DATABASE_URL:-}" ]]; then
  exec "$@"
fi

pg_bin() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1; }
sudo_if_needed() { if [[ $(id -u) -eq 0 ]]; then "$@"; else sudo "$@"; fi; }
as_postgres() { if [[ $(id -u) -eq 0 ]]; then su postgres -s /bin/bash -c "$1"; else bash -c "$1"; fi; }

bin=$(pg_bin)
if [[ -z "$bin" || ! -x "$bin/initdb" ]]; then
  echo "with-postgres: installing PostgreSQL (Debian package)" >&2
  export DEBIAN_FRONTEND=noninteractive
  sudo_if_needed apt-get install -y -q postgresql >/dev/null 2>&1 \
    || { sudo_if_needed apt-get update -q >/dev/null && sudo_if_needed apt-get install -y -q postgresql >/dev/null; }
  bin=$(pg_bin)
fi

dir=$(mktemp -d /tmp/wenqing-pg.XXXXXX)
[[ $(id -u) -eq 0 ]] && chown postgres "$dir"
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')

cleanup() {
  as_postgres "$bin/pg_ctl -D $dir/data -m fast stop" >/dev/null 2>&1 || true
  rm -rf "$dir"
}
trap cleanup EXIT

as_postgres "$bin/initdb -D $dir/data -A trust -U postgres -E UTF8 --locale=C.UTF-8" >/dev/null
# fsync off: a throwaway cluster, durability buys nothing here.
as_postgres "$bin/pg_ctl -D $dir/data -l $dir/log -w -o \"-p $port -k $dir -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200\" start" >/dev/null
echo "with-postgres: PostgreSQL $("$bin/postgres" --version | awk '{print $3}') on 127.0.0.1:$port" >&2

export WENQING_TEST_DATABASE_URL="postgresql+psycopg://postgres@127.0.0.1:$port/postgres"
"$@"
