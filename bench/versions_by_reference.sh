#!/usr/bin/env bash
# Versions by reference (issue #11): what a symbol run, a repeated full
# recompute and ComputeSymbol under load cost now that a version is a
# manifest of immutable segments, on SQLite and on PostgreSQL.
#
#   bash bench/versions_by_reference.sh [--stores sqlite,postgresql]
#       [--items 1,2,3] [--trades 1000000] [--symbols 50]
#       [--symbol-trades 25000] [--repeat 10] [--rewrite-repeat 3]
#       [--load-trades 1000000,100000] [--load-symbols 100]
#       [--load-symbol-trades 10000] [--callers 1,8] [--calls 20]
#       [--warmup 1] [--bulk-repeat 5] [--seed 42] [--no-build] [--keep]
#   quick run (about 2 minutes):
#   bash bench/versions_by_reference.sh --trades 100000 --symbol-trades 2500 \
#       --load-trades 100000,10000 --load-symbol-trades 1000 --calls 5
#
# Ledgers (bench/gen_ledger, mixed shape, --seed): trades go to symbols
# uniformly at random, so gen_ledger --hot-symbol-trades gives the first
# symbol (SYM0000-USD, small-fills behaviour) about the wanted count; the
# script then takes the symbol nearest the wanted count among those of the
# same behaviour (SYM0000, SYM0003, ...: the mixed shape deals behaviours
# by index mod 3), so that the load ledgers' symbols compute alike.
#   big     --trades over --symbols, symbol S of about --symbol-trades;
#   only    S's own trades, cut out of big (the same trades, nothing else);
#   load-N  for each N of --load-trades: N trades over --load-symbols, a
#           symbol of about --load-symbol-trades (the same symbol count at
#           every N, so only the other symbols' history differs).
#
# Item 1 (big and only, each store): migrate, import, `compute
# --all-symbols`; then --repeat times `compute --symbol S` (by default S's
# unchanged rows are referenced: nothing but the manifest and the log row is
# written) and --rewrite-repeat times `compute --symbol S --rewrite` (S's
# rows written anew: the write path). Time: wall time of the fifoctl
# process (median; the run's own duration from the log is shown too);
# growth: the database's size after the runs less before, divided by their
# number (a few KiB for a default run: sizes grow by whole pages, so a
# ratio of such figures says little). Target: big within 3x of only, in
# time and in growth.
# Item 2 (big): after the first full compute, a second `compute
# --all-symbols` (unchanged ledger: every symbol's segments referenced) and
# a `compute --all-symbols --rewrite` for contrast; target: the second adds
# under 5% of the bytes the first added. (Item 2 runs between the two parts
# of item 1's big side; item 1's symbol runs then reference the rewrite's
# segments.)
# Item 3 (load-N, each store): import and full compute once (the
# template); then for each --callers count and for the default and the
# rewrite request, and each N right after the other (so that the machine's
# load drifts alike for both sides of a ratio), a fresh copy of the
# template (flushed to disk first) served by fifo_server (127.0.0.1, a free
# port, a writer token) and bench/compute_symbol_load (--calls timed calls
# per caller after --warmup untimed ones; p99 is nearest-rank). Target:
# single-caller p50 and 8-caller p99 at the largest N within 1.5x of the
# smallest. Next to them, the store's own bulk insert of the symbol's rows
# of the latest version (median of --bulk-repeat): SQLite `INSERT INTO t
# SELECT` into a table made from fifo_allocations' own DDL (constraints,
# foreign keys, indexes), with our connection settings; PostgreSQL psql
# `\copy` of those rows into `LIKE fifo_allocations INCLUDING ALL`, and the
# same with fifo_allocations' foreign keys added (`+fk`). Statement time
# as the store's shell reports it (.timer / \timing).
#
# Sizes: SQLite page_count * page_size after `PRAGMA wal_checkpoint(TRUNCATE)`
# (plus whatever -wal is left: nothing); PostgreSQL
# pg_database_size(current_database()) (autovacuum left on). PostgreSQL is
# a throwaway cluster (scripts/pg_throwaway.sh: fsync off, loopback), one
# database per ledger, dropped when done. Stores run one after the other.
# Everything this script starts is stopped on exit and its temp dir removed
# (--keep keeps the dir). Prints one table of figures and targets at the end
# (stdout); progress goes to stderr.
set -euo pipefail
cd "$(dirname "$0")/.."

STORES=sqlite,postgresql
ITEMS=1,2,3
TRADES=1000000
SYMBOLS=50
SYMBOL_TRADES=25000
REPEAT=10
REWRITE_REPEAT=3
LOAD_TRADES=1000000,100000
LOAD_SYMBOLS=100
LOAD_SYMBOL_TRADES=10000
CALLERS=1,8
CALLS=20
WARMUP=1
BULK_REPEAT=5
SEED=42
BUILD=1
KEEP=0
while [[ $# -gt 0 ]]; do
  case "$1" in
    --stores) STORES=$2; shift 2 ;;
    --items) ITEMS=$2; shift 2 ;;
    --trades) TRADES=$2; shift 2 ;;
    --symbols) SYMBOLS=$2; shift 2 ;;
    --symbol-trades) SYMBOL_TRADES=$2; shift 2 ;;
    --repeat) REPEAT=$2; shift 2 ;;
    --rewrite-repeat) REWRITE_REPEAT=$2; shift 2 ;;
    --load-trades) LOAD_TRADES=$2; shift 2 ;;
    --load-symbols) LOAD_SYMBOLS=$2; shift 2 ;;
    --load-symbol-trades) LOAD_SYMBOL_TRADES=$2; shift 2 ;;
    --callers) CALLERS=$2; shift 2 ;;
    --calls) CALLS=$2; shift 2 ;;
    --warmup) WARMUP=$2; shift 2 ;;
    --bulk-repeat) BULK_REPEAT=$2; shift 2 ;;
    --seed) SEED=$2; shift 2 ;;
    --no-build) BUILD=0; shift ;;
    --keep) KEEP=1; shift ;;
    -h|--help) sed -n '2,60p' "$0"; exit 0 ;;
    *) echo "vbr: unknown argument $1" >&2; exit 2 ;;
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

WORK=$(mktemp -d /tmp/fifo-vbr.XXXXXX)
SERVER_PID=""
cleanup() {
  if [[ -n "$SERVER_PID" ]] && kill -0 "$SERVER_PID" 2>/dev/null; then
    kill -TERM "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
  fi
  if [[ -n "${PG_DIR:-}" ]]; then pg_throwaway_stop; fi
  if [[ $KEEP -eq 1 ]]; then echo "vbr: kept $WORK" >&2; else rm -rf "$WORK"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

export PGOPTIONS="-c client_min_messages=warning"
TOKEN=$(head -c 48 /dev/urandom | base64 | tr -dc 'A-Za-z0-9' | head -c 32)
LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
echo "vbr: $(nproc) cores, load average $LOAD_BEFORE at start; work dir $WORK" >&2

has_item() { [[ ",$ITEMS," == *",$1,"* ]]; }
say() { echo "vbr: $* [load $(cut -d' ' -f1 /proc/loadavg)]" >&2; }

# ------------------------------------------------------------ helpers ----
now_ns() { date +%s%N; }
median() { sort -g | awk '{ v[NR] = $1 } END { if (NR == 0) print "-"; else print v[int((NR + 1) / 2)] }'; }
ratio() {  # ratio A B: A / B with 2 decimals, "-" when B is 0 or missing
  awk -v a="$1" -v b="$2" 'BEGIN { if (b == "" || b == "-" || a == "-" || b + 0 == 0) print "-"; else printf "%.2f", a / b }'
}
# size BYTES: "12.3 MiB" or "40 KiB" (KiB below 1 MiB).
size() {
  awk -v b="$1" 'BEGIN { if (b == "-" || b == "") print "-";
    else if (b >= 1048576 || b <= -1048576) printf "%.1f MiB", b / 1048576;
    else printf "%.0f KiB", b / 1024 }'
}

# The symbol nearest WANT trades among SYM(3k)-USD (or among all symbols
# when the names are not the generator's): prints "COUNT SYMBOL".
pick_symbol() {  # pick_symbol CSV WANT
  awk -F, -v want="$2" '
    NR > 1 { n[$2]++ }
    END {
      best = ""; any = 0
      for (s in n) if (s ~ /^SYM[0-9]+-USD$/) any = 1
      for (s in n) {
        if (any) { if (s !~ /^SYM[0-9]+-USD$/) continue
                   i = substr(s, 4, length(s) - 7) + 0; if (i % 3 != 0) continue }
        d = n[s] - want; if (d < 0) d = -d
        if (best == "" || d < bd || (d == bd && s < best)) { best = s; bd = d }
      }
      print n[best], best }' "$1"
}

gen_ledger() {  # gen_ledger OUT TRADES SYMBOLS WANT
  local hot=()
  # Hot only when the wanted count is above the average (gen_ledger's rule).
  if (( $4 * $3 >= $2 && $4 <= $2 )); then hot=(--hot-symbol-trades "$4"); fi
  "$GEN" --trades "$2" --symbols "$3" --seed "$SEED" "${hot[@]}" --out "$1" >&2
}

# Store URLs: one SQLite file or one PostgreSQL database per name.
url_of() {  # url_of STORE NAME
  if [[ $1 == sqlite ]]; then echo "sqlite:$WORK/$2.db"
  else echo "${PG_URL%/*}/vbr_$2"; fi
}
create_db() {  # create_db STORE NAME [TEMPLATE]
  # A copy is flushed to disk before it is used: otherwise the first fsync
  # on it (SQLite's first WAL checkpoint) pays for writing back the whole
  # copy (1.5 s at 1e6 trades), inside some timed call.
  if [[ $1 == sqlite ]]; then
    drop_db "$1" "$2"
    if [[ -n "${3:-}" ]]; then
      cp "$WORK/$3.db" "$WORK/$2.db"
      if [[ -f "$WORK/$3.db-wal" ]]; then cp "$WORK/$3.db-wal" "$WORK/$2.db-wal"; fi
      sync "$WORK/$2.db"
    fi
  else
    drop_db "$1" "$2"
    # FILE_COPY: copied files and checkpoints around the copy, instead of
    # WAL-logging the whole template (PostgreSQL 15's default), whose
    # checkpoints would run during the timed calls.
    psql -q "$PG_URL" -c "CREATE DATABASE vbr_$2${3:+ TEMPLATE vbr_$3 STRATEGY FILE_COPY}" >/dev/null
  fi
}
drop_db() {  # drop_db STORE NAME
  if [[ $1 == sqlite ]]; then rm -f "$WORK/$2.db" "$WORK/$2.db-wal" "$WORK/$2.db-shm"
  else psql -q "$PG_URL" -c "DROP DATABASE IF EXISTS vbr_$2 WITH (FORCE)" >/dev/null; fi
}
db_bytes() {  # db_bytes STORE NAME: the database's size in bytes
  if [[ $1 == sqlite ]]; then
    local f="$WORK/$2.db" pages wal=0
    sqlite3 "$f" "PRAGMA wal_checkpoint(TRUNCATE);" >/dev/null
    pages=$(sqlite3 "$f" "SELECT page_count * page_size FROM pragma_page_count(), pragma_page_size();")
    if [[ -f "$f-wal" ]]; then wal=$(stat -c %s "$f-wal"); fi
    echo $((pages + wal))
  else
    psql -Atq "$(url_of "$1" "$2")" -c "SELECT pg_database_size(current_database())"
  fi
}

# fifoctl STORE NAME ARGS...: runs fifoctl on the store, sets SECS (wall),
# RUN_MS (the run's own duration), CREATED, REUSED; output in $WORK/out.
fifoctl() {
  local store=$1 name=$2; shift 2
  local t0 t1
  t0=$(now_ns)
  "$FIFOCTL" --db "$(url_of "$store" "$name")" -q "$@" >"$WORK/out" 2>"$WORK/err" || {
    say "fifoctl $* on $store/$name failed:"; tail -5 "$WORK/err" >&2; exit 1; }
  t1=$(now_ns)
  SECS=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", (b - a) / 1e9 }')
  RUN_MS=$(sed -n 's/.*duration \([0-9]*\) ms.*/\1/p' "$WORK/out" | head -1)
  CREATED=$(sed -n 's/.*allocations created \([0-9]*\), reused \([0-9]*\).*/\1/p' "$WORK/out" | head -1)
  REUSED=$(sed -n 's/.*allocations created \([0-9]*\), reused \([0-9]*\).*/\2/p' "$WORK/out" | head -1)
}

# setup STORE NAME CSV: migrate and import; sets IMPORT_SECS.
setup() {
  create_db "$1" "$2"
  fifoctl "$1" "$2" migrate
  fifoctl "$1" "$2" import-trades "$3"
  IMPORT_SECS=$SECS
}

# full STORE NAME LABEL [--rewrite]: a full compute, its time and growth
# into FULL_SECS, FULL_RUN_MS, FULL_BYTES, FULL_CREATED, FULL_REUSED.
full() {
  local store=$1 name=$2 label=$3; shift 3
  local before after
  before=$(db_bytes "$store" "$name")
  fifoctl "$store" "$name" compute --all-symbols "$@"
  after=$(db_bytes "$store" "$name")
  FULL_SECS=$SECS; FULL_RUN_MS=$RUN_MS; FULL_CREATED=$CREATED; FULL_REUSED=$REUSED
  FULL_BYTES=$((after - before))
  say "$store/$name $label: ${SECS} s (run ${RUN_MS} ms), +$(size "$FULL_BYTES"), rows written $CREATED, referenced $REUSED"
}

# symbol_runs STORE NAME SYMBOL MODE: symbol runs (MODE default: --repeat
# of them, or rewrite: --rewrite-repeat); sets SYM_SECS (median wall),
# SYM_RUN_MS (median run), SYM_BYTES (growth per run), SYM_CREATED,
# SYM_REUSED (of the last run).
symbol_runs() {
  local store=$1 name=$2 symbol=$3 mode=$4 before after i secs=() runs=()
  local extra=() count=$REPEAT
  if [[ $mode == rewrite ]]; then extra=(--rewrite); count=$REWRITE_REPEAT; fi
  before=$(db_bytes "$store" "$name")
  for ((i = 0; i < count; i++)); do
    fifoctl "$store" "$name" compute --symbol "$symbol" "${extra[@]}"
    secs+=("$SECS"); runs+=("$RUN_MS")
  done
  after=$(db_bytes "$store" "$name")
  SYM_SECS=$(printf '%s\n' "${secs[@]}" | median)
  SYM_RUN_MS=$(printf '%s\n' "${runs[@]}" | median)
  SYM_BYTES=$(((after - before) / count))
  SYM_CREATED=$CREATED; SYM_REUSED=$REUSED
  say "$store/$name compute --symbol $symbol ($mode) x$count: ${secs[*]} s (runs ${runs[*]} ms), +$(size "$SYM_BYTES") per run, rows written $CREATED, referenced $REUSED"
}

# ------------------------------------------------------------ results ----
ROWS=()     # store|item|what|value|reference|ratio|target|result
DETAILS=()  # free text under the table
row() { ROWS+=("$1|$2|$3|$4|$5|$6|$7|$8"); }
judge() {  # judge RATIO LIMIT: "met" when RATIO <= LIMIT
  awk -v r="$1" -v l="$2" 'BEGIN { if (r == "-") print "n/a (reference 0)"; else if (r + 0 <= l + 0) print "met"; else print "MISSED" }'
}

# -------------------------------------------------------------- server ---
ADDRESS=""
start_server() {  # start_server URL LOG
  : >"$WORK/server.out"
  FIFO_TOKENS="$TOKEN:writer:vbr" "$SERVER" --listen=127.0.0.1:0 --db="$1" \
    >"$WORK/server.out" 2>"$2" &
  SERVER_PID=$!
  for _ in $(seq 1 300); do
    ADDRESS=$(sed -n 's/^fifo_server listening on //p' "$WORK/server.out")
    if [[ -n "$ADDRESS" ]]; then return 0; fi
    if ! kill -0 "$SERVER_PID" 2>/dev/null; then break; fi
    sleep 0.1
  done
  say "fifo_server did not start; log:"; tail -5 "$2" >&2
  exit 1
}
stop_server() {
  kill -TERM "$SERVER_PID" 2>/dev/null || true
  wait "$SERVER_PID" 2>/dev/null || true
  SERVER_PID=""
}
field() { sed -n "s/.* $2=\([^ ]*\).*/\1/p" <<<" $1"; }

# The store's own bulk insert of SYMBOL's rows of the latest version, into a
# fresh table like fifo_allocations; median statement ms over BULK_REPEAT.
# Sets BULK_MS (and BULK_FK_MS on PostgreSQL), BULK_ROWS.
bulk_limit() {  # bulk_limit STORE NAME SYMBOL
  local store=$1 name=$2 symbol=$3 i
  # One line: psql's \copy ends at the end of its line.
  local segs="SELECT segment_id FROM fifo_version_segments WHERE symbol = '$symbol' AND allocation_version = (SELECT MAX(allocation_version) FROM fifo_computation_log WHERE status = 'completed')"
  BULK_FK_MS="-"
  if [[ $store == sqlite ]]; then
    local db="$WORK/$name.db"
    sqlite3 "$db" "SELECT sql || ';' FROM sqlite_master
        WHERE tbl_name = 'fifo_allocations' AND type IN ('table', 'index')
          AND sql IS NOT NULL" |
      sed -e 's/fifo_allocations/limit_allocations/g' -e 's/idx_/limit_idx_/g' >"$WORK/limit_ddl.sql"
    BULK_ROWS=$(sqlite3 "$db" "SELECT COUNT(*) FROM fifo_allocations WHERE segment_id IN ($segs)")
    {
      echo "PRAGMA foreign_keys = ON; PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;"
      for ((i = 0; i < BULK_REPEAT; i++)); do
        echo ".read $WORK/limit_ddl.sql"
        echo ".timer on"
        echo "INSERT INTO limit_allocations SELECT * FROM fifo_allocations WHERE segment_id IN ($segs);"
        echo ".timer off"
        echo "DROP TABLE limit_allocations;"
      done
    } >"$WORK/limit.sql"
    sqlite3 "$db" ".read $WORK/limit.sql" >"$WORK/limit.out" 2>&1
    BULK_MS=$(sed -n 's/^Run Time: real \([0-9.]*\).*/\1/p' "$WORK/limit.out" |
      awk '{ printf "%.1f\n", $1 * 1000 }' | median)
  else
    local url fks
    url=$(url_of "$store" "$name")
    BULK_ROWS=$(psql -Atq "$url" -c "SELECT COUNT(*) FROM fifo_allocations WHERE segment_id IN ($segs)")
    psql -q "$url" -c "\\copy (SELECT * FROM fifo_allocations WHERE segment_id IN ($segs)) TO '$WORK/limit.copy'"
    fks=$(psql -Atq "$url" -c "SELECT string_agg('ADD ' || pg_get_constraintdef(oid), ', ')
                               FROM pg_constraint WHERE conrelid = 'fifo_allocations'::regclass
                                AND contype = 'f'")
    local pass
    for pass in plain fk; do
      {
        for ((i = 0; i < BULK_REPEAT; i++)); do
          echo "CREATE TABLE limit_allocations (LIKE fifo_allocations INCLUDING ALL);"
          if [[ $pass == fk && -n "$fks" ]]; then echo "ALTER TABLE limit_allocations $fks;"; fi
          echo "\\timing on"
          echo "\\copy limit_allocations FROM '$WORK/limit.copy'"
          echo "\\timing off"
          echo "DROP TABLE limit_allocations;"
        done
      } >"$WORK/limit.sql"
      psql -q "$url" -f "$WORK/limit.sql" >"$WORK/limit.out" 2>&1
      local ms
      ms=$(sed -n 's/^Time: \([0-9.]*\) ms.*/\1/p' "$WORK/limit.out" | median)
      if [[ $pass == plain ]]; then BULK_MS=$ms; else BULK_FK_MS=$ms; fi
    done
  fi
  say "$store/$name bulk insert of $symbol's $BULK_ROWS rows: ${BULK_MS} ms (with foreign keys: ${BULK_FK_MS} ms)"
}

# --------------------------------------------------------------- ledgers --
IFS=, read -r -a STORE_LIST <<<"$STORES"
IFS=, read -r -a LOAD_LIST <<<"$LOAD_TRADES"
IFS=, read -r -a CALLER_LIST <<<"$CALLERS"

if has_item 1 || has_item 2; then
  gen_ledger "$WORK/big.csv" "$TRADES" "$SYMBOLS" "$SYMBOL_TRADES"
  read -r S_COUNT S < <(pick_symbol "$WORK/big.csv" "$SYMBOL_TRADES")
  awk -F, -v s="$S" 'NR == 1 || $2 == s' "$WORK/big.csv" >"$WORK/only.csv"
  say "ledger big: $TRADES trades, $SYMBOLS symbols; S = $S ($S_COUNT trades); ledger only: S's trades"
fi
declare -A L_SYMBOL L_COUNT
if has_item 3; then
  for n in "${LOAD_LIST[@]}"; do
    gen_ledger "$WORK/load$n.csv" "$n" "$LOAD_SYMBOLS" "$LOAD_SYMBOL_TRADES"
    read -r c s < <(pick_symbol "$WORK/load$n.csv" "$LOAD_SYMBOL_TRADES")
    L_SYMBOL[$n]=$s; L_COUNT[$n]=$c
    say "ledger load$n: $n trades, $LOAD_SYMBOLS symbols; load on $s ($c trades)"
  done
fi

# ---------------------------------------------------------------- items ---
run_items_1_2() {  # run_items_1_2 STORE
  local store=$1
  # only: S's trades alone.
  local only_default_secs="" only_default_bytes="" only_rewrite_secs="" only_rewrite_bytes=""
  if has_item 1; then
    setup "$store" only "$WORK/only.csv"
    full "$store" only "only: full compute"
    symbol_runs "$store" only "$S" default
    only_default_secs=$SYM_SECS; only_default_bytes=$SYM_BYTES; local only_default_run=$SYM_RUN_MS
    symbol_runs "$store" only "$S" rewrite
    only_rewrite_secs=$SYM_SECS; only_rewrite_bytes=$SYM_BYTES; local only_rewrite_run=$SYM_RUN_MS
    local only_rows=$SYM_CREATED
    drop_db "$store" only
  fi
  setup "$store" big "$WORK/big.csv"
  DETAILS+=("$store: import of $TRADES trades ${IMPORT_SECS} s")
  full "$store" big "first full compute"
  local first_bytes=$FULL_BYTES first_secs=$FULL_SECS
  DETAILS+=("$store: first full compute ${FULL_SECS} s (run ${FULL_RUN_MS} ms), +$(size "$FULL_BYTES"), $FULL_CREATED rows written")
  if has_item 2; then
    full "$store" big "second full compute"
    local r
    r=$(awk -v a="$FULL_BYTES" -v b="$first_bytes" 'BEGIN { printf "%.2f%%", 100 * a / b }')
    row "$store" 2 "2nd full compute: bytes added" "$(size "$FULL_BYTES")" "1st: $(size "$first_bytes")" "$r" "<5%" \
      "$(awk -v a="$FULL_BYTES" -v b="$first_bytes" 'BEGIN { print (a < 0.05 * b) ? "met" : "MISSED" }')"
    row "$store" 2 "2nd full compute: time" "${FULL_SECS} s" "1st: ${first_secs} s" "$(ratio "$FULL_SECS" "$first_secs")x" "-" \
      "written $FULL_CREATED, referenced $FULL_REUSED"
    full "$store" big "full compute --rewrite" --rewrite
    r=$(awk -v a="$FULL_BYTES" -v b="$first_bytes" 'BEGIN { printf "%.2f%%", 100 * a / b }')
    row "$store" 2 "full --rewrite: bytes added" "$(size "$FULL_BYTES")" "1st: $(size "$first_bytes")" "$r" "(contrast)" "-"
    row "$store" 2 "full --rewrite: time" "${FULL_SECS} s" "1st: ${first_secs} s" "$(ratio "$FULL_SECS" "$first_secs")x" "(contrast)" \
      "written $FULL_CREATED"
  fi
  if has_item 1; then
    local mode
    for mode in default rewrite; do
      symbol_runs "$store" big "$S" "$mode"
      local ref_secs ref_bytes ref_run
      if [[ $mode == default ]]; then ref_secs=$only_default_secs; ref_bytes=$only_default_bytes; ref_run=$only_default_run
      else ref_secs=$only_rewrite_secs; ref_bytes=$only_rewrite_bytes; ref_run=$only_rewrite_run; fi
      local rt rb
      rt=$(ratio "$SYM_SECS" "$ref_secs"); rb=$(ratio "$SYM_BYTES" "$ref_bytes")
      row "$store" 1 "compute --symbol S ($mode): wall" "${SYM_SECS} s" "only: ${ref_secs} s" "${rt}x" "<=3x" "$(judge "$rt" 3)"
      row "$store" 1 "compute --symbol S ($mode): run" "${SYM_RUN_MS} ms" "only: ${ref_run} ms" "$(ratio "$SYM_RUN_MS" "$ref_run")x" "-" \
        "written $SYM_CREATED, referenced $SYM_REUSED"
      row "$store" 1 "compute --symbol S ($mode): growth/run" "$(size "$SYM_BYTES")" "only: $(size "$ref_bytes")" "${rb}x" "<=3x" "$(judge "$rb" 3)"
    done
  fi
  drop_db "$store" big
}

run_item_3() {  # run_item_3 STORE
  local store=$1 n callers mode
  declare -gA P50 P99 BULK BULKFK
  for n in "${LOAD_LIST[@]}"; do
    setup "$store" "tpl$n" "$WORK/load$n.csv"
    full "$store" "tpl$n" "load$n template: full compute"
    DETAILS+=("$store: load$n template: import ${IMPORT_SECS} s, full compute ${FULL_SECS} s, $FULL_CREATED rows")
  done
  # The ledger sizes back to back for each phase, so that a change in the
  # machine's load hits both sides of a ratio alike.
  for callers in "${CALLER_LIST[@]}"; do
    for mode in default rewrite; do
      for n in "${LOAD_LIST[@]}"; do
        local sym=${L_SYMBOL[$n]} tag="$store.load$n.c$callers.$mode" rc=0 extra=()
        [[ $mode == rewrite ]] && extra=(--rewrite)
        create_db "$store" run "tpl$n"
        start_server "$(url_of "$store" run)" "$WORK/$tag.server.log"
        "$LOAD" --server "$ADDRESS" --token "$TOKEN" --symbol "$sym" \
          --callers "$callers" --calls-per-caller "$CALLS" --warmup "$WARMUP" "${extra[@]}" \
          --label "$tag" --latencies-out "$WORK/$tag.csv" >"$WORK/$tag.out" 2>"$WORK/$tag.err" || rc=$?
        stop_server
        drop_db "$store" run
        cat "$WORK/$tag.out" >&2
        if [[ $rc -ne 0 ]]; then
          say "$tag: failed calls:"; grep -m 3 FAILED "$WORK/$tag.err" >&2 || tail -3 "$WORK/$tag.err" >&2
        fi
        local line
        line=$(grep '^RESULT ' "$WORK/$tag.out" || echo "RESULT label=$tag failures=?")
        P50[$store.$n.$callers.$mode]=$(field "$line" p50_ms)
        P99[$store.$n.$callers.$mode]=$(field "$line" p99_ms)
        DETAILS+=("$store load$n $sym(${L_COUNT[$n]}) callers=$callers $mode: p50 $(field "$line" p50_ms) p90 $(field "$line" p90_ms) p99 $(field "$line" p99_ms) max $(field "$line" max_ms) ms, server run p50 $(field "$line" run_p50_ms) ms, $(field "$line" calls_per_s) calls/s, $(field "$line" count) calls, $(field "$line" failures) failed, rows written $(field "$line" created_mean) referenced $(field "$line" reused_mean) per call; load average $(cut -d' ' -f1 /proc/loadavg)")
      done
    done
  done
  for n in "${LOAD_LIST[@]}"; do
    bulk_limit "$store" "tpl$n" "${L_SYMBOL[$n]}"
    BULK[$store.$n]=$BULK_MS; BULKFK[$store.$n]=$BULK_FK_MS
    DETAILS+=("$store load$n: bulk insert of ${L_SYMBOL[$n]}'s $BULK_ROWS rows ${BULK_MS} ms${BULK_FK_MS:+ (with foreign keys $BULK_FK_MS ms)}")
    drop_db "$store" "tpl$n"
  done
  # Largest ledger against the smallest.
  local big small
  big=$(printf '%s\n' "${LOAD_LIST[@]}" | sort -g | tail -1)
  small=$(printf '%s\n' "${LOAD_LIST[@]}" | sort -g | head -1)
  local first=${CALLER_LIST[0]} last=${CALLER_LIST[${#CALLER_LIST[@]}-1]}
  for mode in default rewrite; do
    local a b r
    a=${P50[$store.$big.$first.$mode]:-}; b=${P50[$store.$small.$first.$mode]:-}; r=$(ratio "$a" "$b")
    row "$store" 3 "ComputeSymbol $mode, $first caller p50" "$a ms @$big" "$b ms @$small" "${r}x" "<=1.5x" \
      "$( [[ $big == "$small" ]] && echo - || judge "$r" 1.5)"
    a=${P99[$store.$big.$last.$mode]:-}; b=${P99[$store.$small.$last.$mode]:-}; r=$(ratio "$a" "$b")
    row "$store" 3 "ComputeSymbol $mode, $last callers p99" "$a ms @$big" "$b ms @$small" "${r}x" "<=1.5x" \
      "$( [[ $big == "$small" ]] && echo - || judge "$r" 1.5)"
  done
  local fk=""
  [[ $store == postgresql ]] && fk=" (+fk ${BULKFK[$store.$big]} / ${BULKFK[$store.$small]})"
  row "$store" 3 "bulk insert of S's rows (store)" "${BULK[$store.$big]} ms @$big" "${BULK[$store.$small]} ms @$small" \
    "$(ratio "${BULK[$store.$big]}" "${BULK[$store.$small]}")x" "-" "absolute$fk"
  row "$store" 3 "rewrite p50 / bulk insert" "$(ratio "${P50[$store.$big.$first.rewrite]:-}" "${BULK[$store.$big]}")x @$big" \
    "$(ratio "${P50[$store.$small.$first.rewrite]:-}" "${BULK[$store.$small]}")x @$small" "-" "-" "-"
}

for store in "${STORE_LIST[@]}"; do
  case "$store" in
    sqlite) ;;
    postgresql) source scripts/pg_throwaway.sh; pg_throwaway_start ;;
    *) echo "vbr: unknown store $store" >&2; exit 2 ;;
  esac
  if has_item 1 || has_item 2; then run_items_1_2 "$store"; fi
  if has_item 3; then run_item_3 "$store"; fi
  if [[ $store == postgresql ]]; then pg_throwaway_stop; unset PG_DIR; fi
done

# ----------------------------------------------------------------- table --
LOAD_AFTER=$(cut -d' ' -f1-3 /proc/loadavg)
echo
echo "Versions by reference (issue 11)"
printf '%-10s %-4s %-40s %-18s %-22s %-9s %-10s %s\n' store item what value against ratio target result
for r in "${ROWS[@]}"; do
  IFS='|' read -r st it wh va ag ra ta re <<<"$r"
  printf '%-10s %-4s %-40s %-18s %-22s %-9s %-10s %s\n' "$st" "$it" "$wh" "$va" "$ag" "$ra" "$ta" "$re"
done
echo
for d in "${DETAILS[@]}"; do echo "$d"; done
if has_item 1 || has_item 2; then
  echo "ledger big: $TRADES trades, $SYMBOLS symbols, S=$S ($S_COUNT trades); only: S's $S_COUNT trades; symbol runs: $REPEAT default, $REWRITE_REPEAT rewrite"
fi
if has_item 3; then
  for n in "${LOAD_LIST[@]}"; do echo "ledger load$n: $n trades, $LOAD_SYMBOLS symbols, load on ${L_SYMBOL[$n]} (${L_COUNT[$n]} trades)"; done
  echo "load: callers $CALLERS, $CALLS timed calls per caller after $WARMUP warm-up"
fi
echo "seed $SEED; machine: $(nproc) cores; load average $LOAD_BEFORE at start, $LOAD_AFTER at end"
