#!/usr/bin/env bash
# ComputeSymbol over gRPC under concurrent callers (issue #6: "p99 under 50 ms
# for a 10,000-trade symbol with 8 concurrent callers"), on SQLite and on
# PostgreSQL.
#
#   bash bench/compute_symbol_load.sh [--stores sqlite,postgresql]
#       [--ledgers single,multi] [--trades 500000] [--symbols 50]
#       [--symbol-trades 10000] [--seed 42] [--callers 1,8]
#       [--calls N] [--multi-calls N] [--warmup K] [--rewrite] [--no-build]
#       [--keep]
#
# Two ledgers:
#   single  one symbol of --symbol-trades trades: a symbol run reads,
#           computes and publishes that one symbol;
#   multi   --trades trades over --symbols symbols (about --symbol-trades per
#           symbol); the load targets the symbol whose count is closest to
#           --symbol-trades. Since issue #11 (versions by reference) a
#           symbol run's version references the other symbols' segments of
#           the latest version (one manifest row each): nothing of them is
#           read or copied.
# Each call publishes a new version. By default the symbol's rows are
# unchanged since the version before, so the run references them too and
# writes only its manifest and log row; --rewrite asks every call to write
# the symbol's rows anew (ComputeSymbolRequest.rewrite: the write path).
# bench/versions_by_reference.sh measures both modes against ledger size.
# For each store and ledger: fifoctl imports the ledger and computes it once
# (--all-symbols, so a completed version exists); that store is the
# template. Then for each caller count a fresh copy of the template is
# served by fifo_server (127.0.0.1, a kernel-chosen free port, a writer
# token), and bench/compute_symbol_load fires ComputeSymbol from that many
# callers: --calls timed calls per caller on the single ledger, --multi-calls
# on the multi one, after --warmup untimed calls per caller (none with
# several callers on the multi ledger). A call adds at most the symbol's own
# rows to the disk (--rewrite; about 5 MB for 10,000 trades), no longer a
# copy of the whole ledger. A failed call fails the phase (shown in the
# table), it is never dropped. PostgreSQL is a throwaway cluster
# (scripts/pg_throwaway.sh: fsync off, loopback). Everything this script
# starts is stopped on exit.
set -euo pipefail
cd "$(dirname "$0")/.."

STORES=sqlite,postgresql
LEDGERS=single,multi
TRADES=500000
SYMBOLS=50
SYMBOL_TRADES=10000
SEED=42
CALLERS=1,8
CALLS=10
MULTI_CALLS=2
WARMUP=1
REWRITE=()
BUILD=1
KEEP=0
while [[ $# -gt 0 ]]; do
  case "$1" in
    --stores) STORES=$2; shift 2 ;;
    --ledgers) LEDGERS=$2; shift 2 ;;
    --trades) TRADES=$2; shift 2 ;;
    --symbols) SYMBOLS=$2; shift 2 ;;
    --symbol-trades) SYMBOL_TRADES=$2; shift 2 ;;
    --seed) SEED=$2; shift 2 ;;
    --callers) CALLERS=$2; shift 2 ;;
    --calls) CALLS=$2; shift 2 ;;
    --multi-calls) MULTI_CALLS=$2; shift 2 ;;
    --warmup) WARMUP=$2; shift 2 ;;
    --rewrite) REWRITE=(--rewrite); shift ;;
    --no-build) BUILD=0; shift ;;
    --keep) KEEP=1; shift ;;
    -h|--help) sed -n '2,40p' "$0"; exit 0 ;;
    *) echo "csload: unknown argument $1" >&2; exit 2 ;;
  esac
done

if [[ $BUILD -eq 1 ]]; then
  bazel build -c opt //service:fifo_server //cli:fifoctl //bench:gen_ledger \
    //bench:compute_symbol_load >&2
fi
BIN=$(bazel info -c opt bazel-bin 2>/dev/null)
SERVER="$BIN/service/fifo_server"
FIFOCTL="$BIN/cli/fifoctl"
GEN="$BIN/bench/gen_ledger"
LOAD="$BIN/bench/compute_symbol_load"

WORK=$(mktemp -d /tmp/fifo-csload.XXXXXX)
SERVER_PID=""
cleanup() {
  if [[ -n "$SERVER_PID" ]] && kill -0 "$SERVER_PID" 2>/dev/null; then
    kill -TERM "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
  fi
  if [[ -n "${PG_DIR:-}" ]]; then pg_throwaway_stop; fi
  if [[ $KEEP -eq 1 ]]; then echo "csload: kept $WORK" >&2; else rm -rf "$WORK"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# psql: no NOTICEs ("database ... does not exist, skipping").
export PGOPTIONS="-c client_min_messages=warning"

# A writer token for the server (random, never printed).
TOKEN=$(head -c 48 /dev/urandom | base64 | tr -dc 'A-Za-z0-9' | head -c 32)

LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
echo "csload: $(nproc) cores, load average $LOAD_BEFORE at start" >&2

# ------------------------------------------------------------ ledgers ----
declare -A LEDGER_CSV LEDGER_SYMBOL LEDGER_SYMBOL_TRADES LEDGER_TRADES
make_ledger() {  # make_ledger NAME
  local name=$1 csv="$WORK/$1.csv"
  if [[ $name == single ]]; then
    "$GEN" --trades "$SYMBOL_TRADES" --symbols 1 --seed "$SEED" --out "$csv" 2>/dev/null
    LEDGER_TRADES[$name]=$SYMBOL_TRADES
  else
    "$GEN" --trades "$TRADES" --symbols "$SYMBOLS" --seed "$SEED" --out "$csv" 2>/dev/null
    LEDGER_TRADES[$name]=$TRADES
  fi
  # The symbol whose trade count is closest to --symbol-trades.
  read -r count symbol < <(awk -F, -v want="$SYMBOL_TRADES" '
    NR > 1 { n[$2]++ }
    END { best = ""; for (s in n) { d = n[s] - want; if (d < 0) d = -d;
            if (best == "" || d < bd || (d == bd && s < best)) { best = s; bd = d } }
          print n[best], best }' "$csv")
  LEDGER_CSV[$name]=$csv
  LEDGER_SYMBOL[$name]=$symbol
  LEDGER_SYMBOL_TRADES[$name]=$count
  echo "csload: ledger $name: ${LEDGER_TRADES[$name]} trades; load on $symbol ($count trades)" >&2
}

# ------------------------------------------------------------- stores ----
# template_url STORE LEDGER / copy_url STORE LEDGER: where the template and
# the per-phase copy live.
template_url() {
  if [[ $1 == sqlite ]]; then echo "sqlite:$WORK/tpl_$2.db"
  else echo "${PG_URL%/*}/csl_tpl_$2"; fi
}
copy_url() {
  if [[ $1 == sqlite ]]; then echo "sqlite:$WORK/run_$2.db"
  else echo "${PG_URL%/*}/csl_run_$2"; fi
}

declare -A SETUP_SECONDS
make_template() {  # make_template STORE LEDGER
  local store=$1 ledger=$2 url
  url=$(template_url "$store" "$ledger")
  if [[ $store == postgresql ]]; then psql -q "$PG_URL" -c "CREATE DATABASE csl_tpl_$ledger" >/dev/null; fi
  local f=("$FIFOCTL" --db "$url" -q)
  "${f[@]}" migrate >/dev/null
  local t0 t1 t2
  t0=$(date +%s.%N)
  "${f[@]}" import-trades "${LEDGER_CSV[$ledger]}" >/dev/null
  t1=$(date +%s.%N)
  "${f[@]}" compute --all-symbols >/dev/null 2>"$WORK/compute.log" || {
    echo "csload: compute --all-symbols failed on $store:" >&2; tail -5 "$WORK/compute.log" >&2; exit 1; }
  t2=$(date +%s.%N)
  SETUP_SECONDS[$store.$ledger]=$(awk -v a="$t0" -v b="$t1" -v c="$t2" 'BEGIN { printf "import %.1f s, full compute %.1f s", b - a, c - b }')
  echo "csload: $store/$ledger template: ${SETUP_SECONDS[$store.$ledger]}" >&2
}

fresh_copy() {  # fresh_copy STORE LEDGER: prints the copy's URL
  local store=$1 ledger=$2
  if [[ $store == sqlite ]]; then
    rm -f "$WORK/run_$ledger.db" "$WORK/run_$ledger.db-wal" "$WORK/run_$ledger.db-shm"
    cp "$WORK/tpl_$ledger.db" "$WORK/run_$ledger.db"
    if [[ -f "$WORK/tpl_$ledger.db-wal" ]]; then cp "$WORK/tpl_$ledger.db-wal" "$WORK/run_$ledger.db-wal"; fi
    # Flushed now, or the first WAL checkpoint's fsync writes the whole copy
    # back inside a timed call.
    sync "$WORK/run_$ledger.db"
  else
    psql -q "$PG_URL" -c "DROP DATABASE IF EXISTS csl_run_$ledger WITH (FORCE)" >/dev/null
    # FILE_COPY: no WAL-logged copy whose checkpoints run during the calls.
    psql -q "$PG_URL" -c "CREATE DATABASE csl_run_$ledger TEMPLATE csl_tpl_$ledger STRATEGY FILE_COPY" >/dev/null
  fi
  copy_url "$store" "$ledger"
}

drop_copy() {  # drop_copy STORE LEDGER
  if [[ $1 == sqlite ]]; then
    rm -f "$WORK/run_$2.db" "$WORK/run_$2.db-wal" "$WORK/run_$2.db-shm"
  else
    psql -q "$PG_URL" -c "DROP DATABASE IF EXISTS csl_run_$2 WITH (FORCE)" >/dev/null
  fi
}

# ------------------------------------------------------------- server ----
ADDRESS=""
start_server() {  # start_server URL LOG
  local url=$1 log=$2
  : >"$WORK/server.out"
  FIFO_TOKENS="$TOKEN:writer:csload" "$SERVER" --listen=127.0.0.1:0 --db="$url" \
    >"$WORK/server.out" 2>"$log" &
  SERVER_PID=$!
  for _ in $(seq 1 300); do
    ADDRESS=$(sed -n 's/^fifo_server listening on //p' "$WORK/server.out")
    if [[ -n "$ADDRESS" ]]; then return 0; fi
    if ! kill -0 "$SERVER_PID" 2>/dev/null; then break; fi
    sleep 0.1
  done
  echo "csload: fifo_server did not start; log:" >&2; tail -5 "$log" >&2
  exit 1
}

stop_server() {
  kill -TERM "$SERVER_PID" 2>/dev/null || true
  wait "$SERVER_PID" 2>/dev/null || true
  SERVER_PID=""
}

# -------------------------------------------------------------- phases ---
RESULTS=()
run_phase() {  # run_phase STORE LEDGER CALLERS
  local store=$1 ledger=$2 callers=$3 calls warmup url tag rc=0
  calls=$CALLS; warmup=$WARMUP
  if [[ $ledger == multi ]]; then
    calls=$MULTI_CALLS
    # No warm-up with several callers on the multi ledger (from when each
    # call copied the ledger); the template copy is already in the page cache.
    [[ $callers -gt 1 ]] && warmup=0
  fi
  tag="$store.$ledger.c$callers"
  url=$(fresh_copy "$store" "$ledger")
  start_server "$url" "$WORK/$tag.server.log"
  "$LOAD" --server "$ADDRESS" --token "$TOKEN" --symbol "${LEDGER_SYMBOL[$ledger]}" \
    --callers "$callers" --calls-per-caller "$calls" --warmup "$warmup" "${REWRITE[@]}" \
    --label "$tag" --latencies-out "$WORK/$tag.csv" >"$WORK/$tag.out" 2>"$WORK/$tag.err" || rc=$?
  stop_server
  drop_copy "$store" "$ledger"
  cat "$WORK/$tag.out" >&2
  if [[ $rc -ne 0 ]]; then
    echo "csload: $tag: $(grep -c FAILED "$WORK/$tag.err" || true) failed calls, first:" >&2
    grep -m 3 FAILED "$WORK/$tag.err" >&2 || tail -3 "$WORK/$tag.err" >&2
  fi
  local line
  line=$(grep '^RESULT ' "$WORK/$tag.out" || echo "RESULT label=$tag failures=?")
  RESULTS+=("$store|$ledger|$callers|$line")
}

field() {  # field "RESULT ..." KEY
  sed -n "s/.* $2=\([^ ]*\).*/\1/p" <<<" $1"
}

IFS=, read -r -a STORE_LIST <<<"$STORES"
IFS=, read -r -a LEDGER_LIST <<<"$LEDGERS"
IFS=, read -r -a CALLER_LIST <<<"$CALLERS"

for ledger in "${LEDGER_LIST[@]}"; do make_ledger "$ledger"; done

for store in "${STORE_LIST[@]}"; do
  case "$store" in
    sqlite) ;;
    postgresql) source scripts/pg_throwaway.sh; pg_throwaway_start ;;
    *) echo "csload: unknown store $store" >&2; exit 2 ;;
  esac
  for ledger in "${LEDGER_LIST[@]}"; do
    make_template "$store" "$ledger"
    for callers in "${CALLER_LIST[@]}"; do run_phase "$store" "$ledger" "$callers"; done
    if [[ $store == sqlite ]]; then rm -f "$WORK/tpl_$ledger.db"*; fi
  done
  if [[ $store == postgresql ]]; then pg_throwaway_stop; unset PG_DIR; fi
done

LOAD_AFTER=$(cut -d' ' -f1-3 /proc/loadavg)
echo
echo "ComputeSymbol latency in ms (closed loop; 'run' = the server's Computation.duration, median)"
printf '%-10s %-7s %-18s %7s %6s %5s %8s %8s %8s %8s %8s %8s %9s\n' \
  store ledger symbol callers calls fail p50 p90 p99 max mean run_p50 calls/s
for r in "${RESULTS[@]}"; do
  IFS='|' read -r store ledger callers line <<<"$r"
  printf '%-10s %-7s %-18s %7s %6s %5s %8s %8s %8s %8s %8s %8s %9s\n' \
    "$store" "$ledger" "${LEDGER_SYMBOL[$ledger]}(${LEDGER_SYMBOL_TRADES[$ledger]})" "$callers" \
    "$(field "$line" count)" "$(field "$line" failures)" "$(field "$line" p50_ms)" \
    "$(field "$line" p90_ms)" "$(field "$line" p99_ms)" "$(field "$line" max_ms)" \
    "$(field "$line" mean_ms)" "$(field "$line" run_p50_ms)" "$(field "$line" calls_per_s)"
done
echo
for k in "${!SETUP_SECONDS[@]}"; do echo "setup $k: ${SETUP_SECONDS[$k]}"; done | sort
echo "ledgers: single=${LEDGER_TRADES[single]:-} trades (1 symbol), multi=${LEDGER_TRADES[multi]:-} trades ($SYMBOLS symbols); seed $SEED; ${REWRITE[*]:-default (reuse)} requests"
echo "machine: $(nproc) cores; load average $LOAD_BEFORE at start, $LOAD_AFTER at end"
