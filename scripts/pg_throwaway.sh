#!/usr/bin/env bash
# Starts a throwaway PostgreSQL 15 cluster on a free loopback port and prints
# its URL on stdout. Source-able helpers:
#   source scripts/pg_throwaway.sh; pg_throwaway_start; ...; pg_throwaway_stop
# The cluster lives in a temp dir, listens on 127.0.0.1 only (TCP, no unix
# socket), runs with fsync off, and is removed by pg_throwaway_stop.
PG_BIN=${PG_BIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)}

_pg_as_owner() {
  if [[ $(id -u) -eq 0 ]]; then
    runuser -u postgres -- env -C "$PG_DIR" "$@"
  else
    (cd "$PG_DIR" && "$@")
  fi
}

_pg_free_port() {
  local port
  for _ in $(seq 1 200); do
    port=$((20000 + RANDOM % 20000))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
      echo "$port"
      return 0
    fi
  done
  return 1
}

pg_throwaway_start() {
  if [[ -z "$PG_BIN" || ! -x "$PG_BIN/initdb" ]]; then
    echo "pg_throwaway: PostgreSQL server binaries not found (run scripts/setup.sh)" >&2
    return 1
  fi
  PG_DIR=$(mktemp -d /tmp/fifo-pg.XXXXXX)
  chmod 755 "$PG_DIR"
  if [[ $(id -u) -eq 0 ]]; then chown postgres "$PG_DIR"; fi
  PG_PORT=$(_pg_free_port)
  _pg_as_owner "$PG_BIN/initdb" -D "$PG_DIR/data" -U postgres -A trust -E UTF8 \
    --no-sync >"$PG_DIR/initdb.log" 2>&1 || { cat "$PG_DIR/initdb.log" >&2; return 1; }
  _pg_as_owner "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/server.log" -w \
    -o "-p $PG_PORT -c listen_addresses=127.0.0.1 -c unix_socket_directories='' -c fsync=off -c max_connections=200" \
    start >/dev/null || { cat "$PG_DIR/server.log" >&2; return 1; }
  PG_URL="postgresql://postgres@127.0.0.1:$PG_PORT/postgres"
  export PG_DIR PG_PORT PG_URL
}

pg_throwaway_stop() {
  if [[ -n "${PG_DIR:-}" && -d "$PG_DIR/data" ]]; then
    _pg_as_owner "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m immediate stop >/dev/null 2>&1 || true
    rm -rf "$PG_DIR"
  fi
}
