#!/usr/bin/env bash
# Whole-program benchmark: the paths a user runs, on SQLite and PostgreSQL,
# side by side with the store's own bulk-load limit and with a peer
# (beancount's FIFO booking).
#
#   bash bench/run.sh [--trades N] [--symbols S] [--seed K] [--shape X]
#                     [--increment M] [--repeat R]
#                     [--stores sqlite,postgresql] [--no-peer]
#
# For each store it measures, with /usr/bin/time (wall seconds, peak RSS):
#   import        fifoctl import-trades of N trades (one transaction)
#   full          fifoctl compute --all-symbols (read trades, compute, write
#                 allocations and snapshot, commit)
#   store-limit   the store's own bulk load of the same allocation rows into a
#                 table with the same columns, constraints, foreign keys and
#                 indexes as fifo_allocations (SQLite: INSERT ... SELECT of
#                 the stored rows, no parsing at all; PostgreSQL: psql \copy
#                 of the stored rows); the ratio uses this one
#   narrow-limit  the same rows as the export file into a narrower table (15
#                 columns, 5 indexes, no constraints: sqlite3 .import / psql
#                 \copy), printed too as a lower bound
#   incremental   R times: import of M more trades, then compute
#                 --incremental; the table shows the median (and the range)
#   export        fifoctl export-allocations
#   validate      fifoctl validate
# and prints full / store-limit and ours / beancount as ratios. PostgreSQL is a
# throwaway local cluster (scripts/pg_throwaway.sh: fsync off, loopback), the
# same server for our run and for its COPY, so the ratio is like for like.
set -euo pipefail
cd "$(dirname "$0")/.."

TRADES=100000
SYMBOLS=20
SEED=42
SHAPE=mixed
INCREMENT=1000
REPEAT=5
STORES=sqlite,postgresql
PEER=1
while [[ $# -gt 0 ]]; do
  case "$1" in
    --trades) TRADES=$2; shift 2 ;;
    --symbols) SYMBOLS=$2; shift 2 ;;
    --seed) SEED=$2; shift 2 ;;
    --shape) SHAPE=$2; shift 2 ;;
    --increment) INCREMENT=$2; shift 2 ;;
    --repeat) REPEAT=$2; shift 2 ;;
    --stores) STORES=$2; shift 2 ;;
    --no-peer) PEER=0; shift ;;
    -h|--help) sed -n '2,31p' "$0"; exit 0 ;;
    *) echo "bench: unknown argument $1" >&2; exit 2 ;;
  esac
done

bash scripts/setup.sh >&2
if [[ $PEER -eq 1 ]] && ! command -v bean-check >/dev/null; then
  if [[ $(id -u) -eq 0 ]]; then
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q beancount >&2
  else
    echo "bench: beancount not installed (apt-get install beancount); skipping the peer" >&2
    PEER=0
  fi
fi
bazel build -c opt //cli:fifoctl //bench:gen_ledger >&2
BIN=$(bazel info -c opt bazel-bin 2>/dev/null)
FIFOCTL="$BIN/cli/fifoctl"
GEN="$BIN/bench/gen_ledger"

WORK=$(mktemp -d /tmp/fifo-bench.XXXXXX)
trap 'rm -rf "$WORK"; [[ -n "${PG_DIR:-}" ]] && pg_throwaway_stop' EXIT

# The ledger: N trades of history, then R increments of M new ones after it.
"$GEN" --trades $((TRADES + INCREMENT * REPEAT)) --symbols "$SYMBOLS" \
  --seed "$SEED" --shape "$SHAPE" --out "$WORK/all.csv" 2>/dev/null
head -n $((TRADES + 1)) "$WORK/all.csv" >"$WORK/history.csv"
for ((i = 0; i < REPEAT; i++)); do
  { head -n 1 "$WORK/all.csv"
    sed -n "$((TRADES + 2 + i * INCREMENT)),$((TRADES + 1 + (i + 1) * INCREMENT))p" "$WORK/all.csv"
  } >"$WORK/new$i.csv"
done

RESULTS=()
# timed LABEL STORE ROWS CMD...: runs CMD under /usr/bin/time and sets
# LAST_SECS and LAST_RSS (KiB).
timed() {
  local label=$1 store=$2 rows=$3; shift 3
  /usr/bin/time -f "%e %M" -o "$WORK/time" "$@" >"$WORK/out" 2>"$WORK/err" || {
    echo "bench: $label on $store failed:" >&2; tail -5 "$WORK/err" >&2; exit 1; }
  read -r LAST_SECS LAST_RSS <"$WORK/time"
  echo "bench: $label on $store: $rows rows, ${LAST_SECS} s, $((LAST_RSS / 1024)) MiB peak" >&2
}
# measure LABEL STORE ROWS CMD...: timed, and the result is a row of the table.
measure() {
  timed "$@"
  RESULTS+=("$1|$2|$3|$LAST_SECS|$LAST_RSS")
}
INCREMENTAL_RANGE=()

seconds_of() {  # seconds_of LABEL STORE
  local r
  for r in "${RESULTS[@]}"; do
    IFS='|' read -r l s _ secs _ <<<"$r"
    if [[ $l == "$1" && $s == "$2" ]]; then echo "$secs"; return; fi
  done
}

ALLOC_COLUMNS="allocation_version,sell_order_id,buy_order_id,symbol,allocated_size,buy_price,sell_price,buy_fees_per_unit,sell_fees_per_unit,cost_basis_usd,proceeds_usd,net_proceeds_usd,pnl_usd,buy_time,sell_time"

# The store limits, measured right after the full recompute (only its rows).
limits_sqlite() {
  # A lower bound: sqlite3's .import of the exported rows into a narrower
  # table (15 TEXT columns, 5 of fifo_allocations' 7 indexes, no
  # constraints).
  cat >"$WORK/limit.sql" <<EOF
CREATE TABLE limit_allocations (allocation_version INTEGER, sell_order_id TEXT,
  buy_order_id TEXT, symbol TEXT, allocated_size TEXT, buy_price TEXT,
  sell_price TEXT, buy_fees_per_unit TEXT, sell_fees_per_unit TEXT,
  cost_basis_usd TEXT, proceeds_usd TEXT, net_proceeds_usd TEXT, pnl_usd TEXT,
  buy_time TEXT, sell_time TEXT);
CREATE INDEX l_sell ON limit_allocations(sell_order_id);
CREATE INDEX l_buy ON limit_allocations(buy_order_id);
CREATE INDEX l_symbol ON limit_allocations(symbol, allocation_version);
CREATE INDEX l_version ON limit_allocations(allocation_version, symbol);
CREATE UNIQUE INDEX l_unique ON limit_allocations(sell_order_id, buy_order_id, allocation_version);
PRAGMA journal_mode=WAL;
.mode csv
.import --skip 1 $WORK/sqlite.alloc.csv limit_allocations
EOF
  measure narrow-limit sqlite "$ALLOC_ROWS" sqlite3 "$WORK/limit.db" ".read $WORK/limit.sql"
  # The same rows as stored (version 1's segments, every column) copied by SQLite itself
  # into a table made from fifo_allocations' own DDL (columns, CHECKs,
  # foreign keys, UNIQUE, indexes), with our connection settings.
  sqlite3 "$WORK/bench.db" "SELECT sql || ';' FROM sqlite_master
      WHERE tbl_name = 'fifo_allocations' AND type IN ('table', 'index')
        AND sql IS NOT NULL" |
    sed -e 's/fifo_allocations/limit_allocations/g' -e 's/idx_/limit_idx_/g' \
      >"$WORK/limit_ddl.sql"
  sqlite3 "$WORK/bench.db" ".read $WORK/limit_ddl.sql"
  measure store-limit sqlite "$ALLOC_ROWS" sqlite3 "$WORK/bench.db" \
    "PRAGMA foreign_keys = ON; PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;
     BEGIN; INSERT INTO limit_allocations SELECT * FROM fifo_allocations
     WHERE segment_id IN (SELECT segment_id FROM fifo_version_segments
                          WHERE allocation_version = 1); COMMIT;"
  sqlite3 "$WORK/bench.db" "DROP TABLE limit_allocations"
}

limits_postgresql() {
  psql -q "$PG_URL" <<'EOF'
CREATE TABLE limit_allocations (allocation_version INT, sell_order_id VARCHAR,
  buy_order_id VARCHAR, symbol VARCHAR, allocated_size NUMERIC,
  buy_price NUMERIC, sell_price NUMERIC, buy_fees_per_unit NUMERIC,
  sell_fees_per_unit NUMERIC, cost_basis_usd NUMERIC, proceeds_usd NUMERIC,
  net_proceeds_usd NUMERIC, pnl_usd NUMERIC, buy_time TIMESTAMPTZ,
  sell_time TIMESTAMPTZ);
CREATE INDEX l_sell ON limit_allocations(sell_order_id);
CREATE INDEX l_buy ON limit_allocations(buy_order_id);
CREATE INDEX l_symbol ON limit_allocations(symbol, allocation_version);
CREATE INDEX l_version ON limit_allocations(allocation_version, symbol);
CREATE UNIQUE INDEX l_unique ON limit_allocations(sell_order_id, buy_order_id, allocation_version);
EOF
  measure narrow-limit postgresql "$ALLOC_ROWS" psql -q "$PG_URL" -c \
    "\\copy limit_allocations($ALLOC_COLUMNS) FROM '$WORK/postgresql.alloc.csv' WITH (FORMAT csv, HEADER true)"
  # The same rows as stored (version 1, every column) through COPY into a
  # table with fifo_allocations' columns, constraints, indexes and foreign
  # keys.
  psql -q "$PG_URL" -c "CREATE TABLE limit_identical (LIKE fifo_allocations INCLUDING ALL)" \
    -c "ALTER TABLE limit_identical
          ADD FOREIGN KEY (sell_order_id) REFERENCES trade_records(order_id),
          ADD FOREIGN KEY (buy_order_id) REFERENCES trade_records(order_id),
          ADD FOREIGN KEY (segment_id) REFERENCES fifo_segments(id)" \
    -c "\\copy (SELECT * FROM fifo_allocations WHERE segment_id IN (SELECT segment_id FROM fifo_version_segments WHERE allocation_version = 1)) TO '$WORK/pg_rows.copy'"
  measure store-limit postgresql "$ALLOC_ROWS" psql -q "$PG_URL" -c \
    "\\copy limit_identical FROM '$WORK/pg_rows.copy'"
  psql -q "$PG_URL" -c "DROP TABLE limit_identical"
}

run_store() {  # run_store NAME URL
  local store=$1 db=$2
  local f=("$FIFOCTL" --db "$db" -q)
  "${f[@]}" migrate >/dev/null
  measure import "$store" "$TRADES" "${f[@]}" import-trades "$WORK/history.csv"
  measure full "$store" "$TRADES" "${f[@]}" compute --all-symbols
  measure export "$store" "$TRADES" "${f[@]}" export-allocations --out "$WORK/$store.alloc.csv"
  ALLOC_ROWS=$(($(wc -l <"$WORK/$store.alloc.csv") - 1))
  measure validate "$store" "$TRADES" "${f[@]}" validate
  "limits_$store"
  local i inc_secs=() inc_rss=()
  for ((i = 0; i < REPEAT; i++)); do
    timed import-new "$store" "$INCREMENT" "${f[@]}" import-trades "$WORK/new$i.csv"
    local import_secs=$LAST_SECS import_rss=$LAST_RSS
    timed incremental "$store" "$INCREMENT" "${f[@]}" compute --incremental
    grep -q "(incremental," "$WORK/out" || { echo "bench: the incremental run fell back: $(cat "$WORK/out")" >&2; exit 1; }
    inc_secs+=("$LAST_SECS"); inc_rss+=("$LAST_RSS")
  done
  # The median of the R incremental runs; the range goes under the table.
  local sorted median
  sorted=$(printf '%s\n' "${inc_secs[@]}" | sort -g)
  median=$(sed -n "$(((REPEAT + 1) / 2))p" <<<"$sorted")
  # The table shows the last increment's import.
  RESULTS+=("import-new|$store|$INCREMENT|$import_secs|$import_rss")
  RESULTS+=("incremental|$store|$INCREMENT|$median|$(printf '%s\n' "${inc_rss[@]}" | sort -n | tail -1)")
  INCREMENTAL_RANGE+=("$store: $REPEAT incremental runs (s): $(tr '\n' ' ' <<<"$sorted")")
}

if [[ ",$STORES," == *",sqlite,"* ]]; then
  run_store sqlite "sqlite:$WORK/bench.db"
fi

if [[ ",$STORES," == *",postgresql,"* ]]; then
  source scripts/pg_throwaway.sh
  pg_throwaway_start
  run_store postgresql "$PG_URL"
fi

if [[ $PEER -eq 1 ]]; then
  # The same ledger for beancount, FIFO booking, fees left out: a buy adds a
  # lot at cost, a sell reduces lots FIFO at its price; cash balances it.
  awk -F, 'NR == 1 { next }
    { sym = $2; day = substr($6, 1, 10)
      if (!(sym in seen)) { seen[sym] = 1 }
      if ($3 == "buy") {
        printf "%s * \"%s\"\n  Assets:Crypto  %s %s {%s USD}\n  Assets:Cash\n\n", day, $1, $4, sym, $5
      } else {
        printf "%s * \"%s\"\n  Assets:Crypto  -%s %s {} @ %s USD\n  Assets:Cash\n\n", day, $1, $4, sym, $5
      } }' "$WORK/history.csv" >"$WORK/body.beancount"
  { echo 'option "booking_method" "FIFO"'
    echo 'option "operating_currency" "USD"'
    echo '1970-01-01 open Assets:Crypto'
    echo '1970-01-01 open Assets:Cash USD'
    echo
    cat "$WORK/body.beancount"; } >"$WORK/ledger.beancount"
  # bean-check exits non-zero when the ledger sells more than it holds (our
  # unmatched sells); the booking work is done either way.
  measure beancount beancount "$TRADES" bash -c "bean-check '$WORK/ledger.beancount' >/dev/null 2>&1 || true"
fi

printf '\n%-12s %-11s %10s %10s %12s %10s\n' step store rows seconds rows/s peak_MiB
for r in "${RESULTS[@]}"; do
  IFS='|' read -r label store rows secs rss <<<"$r"
  rate=$(awk -v n="$rows" -v s="$secs" 'BEGIN { if (s > 0) printf "%.0f", n / s; else print "-" }')
  printf '%-12s %-11s %10s %10s %12s %10s\n' "$label" "$store" "$rows" "$secs" "$rate" "$((rss / 1024))"
done
echo
for store in sqlite postgresql; do
  full=$(seconds_of full "$store"); limit=$(seconds_of store-limit "$store")
  narrow=$(seconds_of narrow-limit "$store")
  if [[ -n "$full" && -n "$limit" ]]; then
    awk -v a="$full" -v b="$limit" -v n="$narrow" -v s="$store" 'BEGIN {
      printf "full recompute / store bulk load (%s): %.2fx (narrow table: %.2fx)\n",
        s, (b > 0 ? a / b : 0), (n > 0 ? a / n : 0) }'
  fi
  peer=$(seconds_of beancount beancount)
  if [[ -n "$full" && -n "$peer" ]]; then
    awk -v a="$full" -v b="$peer" -v s="$store" 'BEGIN { printf "full recompute (%s) / beancount bean-check: %.2fx\n", s, (b > 0 ? a / b : 0) }'
  fi
done
for line in "${INCREMENTAL_RANGE[@]}"; do echo "$line"; done
echo "trades=$TRADES symbols=$SYMBOLS seed=$SEED shape=$SHAPE increment=$INCREMENT repeat=$REPEAT allocation_rows=${ALLOC_ROWS:-?}"
