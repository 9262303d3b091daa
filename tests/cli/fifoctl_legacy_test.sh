#!/usr/bin/env bash
# End-to-end test of `fifoctl legacy` through the real binary, on SQLite and
# (when FIFO_TEST_POSTGRES_URL is set) PostgreSQL. It starts where the design
# starts ("Migration Strategy", "Historical Corrupted Data"): an old system's
# database whose trade_records carries WRONG parent_id / pnl_usd values.
# `fifoctl migrate` adopts it; then compare, snapshot and drop-columns.
set -uo pipefail

FIFOCTL="$TEST_SRCDIR/$TEST_WORKSPACE/cli/fifoctl"
WORK=$(mktemp -d "${TEST_TMPDIR:-/tmp}/fifoctl_legacy.XXXXXX")
TODAY=$(date -u +%Y%m%d)
PASSED=0
FAILED=0

ok() { PASSED=$((PASSED + 1)); echo "ok: $*"; }
fail() { FAILED=$((FAILED + 1)); echo "FAIL: $*"; }
check() {  # check DESCRIPTION COMMAND...
  local what=$1; shift
  if "$@" >"$WORK/out" 2>"$WORK/err"; then ok "$what"; else
    fail "$what (exit $?)"; sed 's/^/    /' "$WORK/out" "$WORK/err" | head -20; fi
}
check_fails() {  # check_fails DESCRIPTION EXPECTED_TEXT COMMAND...
  local what=$1 expected=$2; shift 2
  if "$@" >"$WORK/out" 2>"$WORK/err"; then fail "$what: succeeded"; return; fi
  if grep -qF -- "$expected" "$WORK/err" "$WORK/out"; then ok "$what"; else
    fail "$what: message lacks '$expected'"; sed 's/^/    /' "$WORK/err" | head -5; fi
}
has() {  # has DESCRIPTION FIXED_TEXT FILE
  if grep -qF -- "$2" "$3"; then ok "$1"; else
    fail "$1: no '$2' in"; sed 's/^/    /' "$3" | head -20; fi
}

# The old system: the design's trade_records plus the derived columns.
# B1 buys 1 @ 100. S1 sells 0.5 @ 120 (new PnL 10, old system said 77.5 and
# parent B9), S2 sells 1 @ 130 (0.5 matched, new PnL 15, 0.5 unmatched; old
# said 1), S3 sells 0.1 @ 150 (unmatched; the old system left no PnL).
old_schema() {  # old_schema DECIMAL_TYPE TIME_TYPE
  cat <<SQL
CREATE TABLE trade_records (
  order_id VARCHAR PRIMARY KEY, symbol VARCHAR NOT NULL,
  side VARCHAR NOT NULL, size $1 NOT NULL, price $1 NOT NULL,
  order_time $2 NOT NULL, total_fees_usd $1 DEFAULT 0,
  status VARCHAR, source VARCHAR NOT NULL,
  parent_id VARCHAR, parent_ids TEXT, pnl_usd $1, cost_basis_usd $1,
  sale_proceeds_usd $1, net_sale_proceeds_usd $1, realized_profit $1);
CREATE INDEX idx_trade_records_symbol_time ON trade_records(symbol, order_time);
INSERT INTO trade_records VALUES
  ('B1', 'BTC-USD', 'buy', 1, 100, '2025-11-20T10:00:00Z', 0, 'FILLED', 'websocket', NULL, NULL, NULL, NULL, NULL, NULL, NULL),
  ('S1', 'BTC-USD', 'sell', 0.5, 120, '2025-11-20T11:00:00Z', 0, 'FILLED', 'websocket', 'B9', 'B9', 77.5, 23, 60, 60, 37),
  ('S2', 'BTC-USD', 'SELL', 1, 130, '2025-11-20T12:00:00Z', 0, 'FILLED', 'websocket', 'B1', 'B1', 1, 129, 130, 130, 1),
  ('S3', 'BTC-USD', 'sell', 0.1, 150, '2025-11-20T13:00:00Z', 0, 'FILLED', 'websocket', NULL, NULL, NULL, NULL, NULL, NULL, NULL);
SQL
}

run_suite() {  # run_suite NAME DB_URL SQL_COMMAND...
  local name=$1 db=$2; shift 2
  local sql=("$@")
  local f=("$FIFOCTL" --db "$db" -q)
  echo "== $name"
  check_fails "$name: legacy needs a migrated store" "migrate" "${f[@]}" legacy status
  check "$name: migrate adopts the old trade_records" "${f[@]}" migrate
  has "$name: 0002 applied" "applied migration 2 0002_legacy_pnl_columns" "$WORK/out"
  check "$name: legacy status" "${f[@]}" legacy status
  has "$name: sells with legacy values" "sells: 3, with a legacy pnl_usd: 2" "$WORK/out"
  has "$name: old table kept" "adopted old table: legacy_trade_records" "$WORK/out"
  has "$name: columns deprecated" "realized_profit (deprecated, read-only)" "$WORK/out"

  check_fails "$name: compare needs a version" "fifoctl compute" "${f[@]}" legacy compare
  check "$name: compute" "${f[@]}" compute --all-symbols
  check "$name: compare csv" "${f[@]}" legacy compare --format csv
  cat >"$WORK/expected.csv" <<CSV
record,version,symbol,sell_order_id,sell_time,old_pnl_usd,new_pnl_usd,difference_usd,unmatched_size,sells,sells_with_old
sell,1,BTC-USD,S1,2025-11-20T11:00:00.000000Z,77.5,10,-67.5,0,,
sell,1,BTC-USD,S2,2025-11-20T12:00:00.000000Z,1,15,14,0.5,,
sell,1,BTC-USD,S3,2025-11-20T13:00:00.000000Z,,0,,0.1,,
symbol,1,BTC-USD,,,78.5,25,-53.5,,3,2
total,1,,,,78.5,25,-53.5,,,
CSV
  if cmp -s "$WORK/expected.csv" "$WORK/out"; then ok "$name: compare is exact, largest difference first"
  else fail "$name: compare csv"; diff "$WORK/expected.csv" "$WORK/out" | head; fi
  check "$name: compare json" "${f[@]}" legacy compare --format json
  if /usr/bin/python3 -m json.tool "$WORK/out" >/dev/null; then ok "$name: json parses"; else fail "$name: json"; fi
  has "$name: json diff" '"sell_order_id":"S1","sell_time":"2025-11-20T11:00:00.000000Z","old_pnl_usd":"77.5","new_pnl_usd":"10","difference_usd":"-67.5"' "$WORK/out"
  has "$name: json empty old" '"sell_order_id":"S3","sell_time":"2025-11-20T13:00:00.000000Z","old_pnl_usd":null' "$WORK/out"
  check "$name: compare table" "${f[@]}" legacy compare --version 1 --symbol BTC-USD
  has "$name: table totals" "TOTAL" "$WORK/out"
  check_fails "$name: compare unknown version" "99" "${f[@]}" legacy compare --version 99
  check_fails "$name: compare bad format" "--format" "${f[@]}" legacy compare --format xml

  check "$name: snapshot" "${f[@]}" legacy snapshot
  has "$name: snapshot table" "created historical_pnl_snapshot_$TODAY with 3 sells" "$WORK/out"
  check_fails "$name: snapshot refuses to replace" "historical_pnl_snapshot_$TODAY already exists" "${f[@]}" legacy snapshot
  "${sql[@]}" "SELECT CAST(old_pnl_usd AS TEXT) || '|' || old_parent_id || '|' || note FROM historical_pnl_snapshot_$TODAY WHERE order_id = 'S1'" >"$WORK/out" 2>&1
  if grep -Eq '^77\.50?\|B9\|corrupted_historical$' "$WORK/out"; then ok "$name: snapshot holds the old values"
  else fail "$name: snapshot row: $(cat "$WORK/out")"; fi

  if "${sql[@]}" "UPDATE trade_records SET pnl_usd = 10 WHERE order_id = 'S1'" >"$WORK/out" 2>&1; then
    fail "$name: legacy values were updatable"
  else has "$name: legacy values are frozen" "immutable" "$WORK/out"; fi

  check_fails "$name: drop-columns needs --yes" "--yes" "${f[@]}" legacy drop-columns
  check "$name: nothing dropped without --yes" "${f[@]}" legacy status
  has "$name: still there" "sells: 3, with a legacy pnl_usd: 2" "$WORK/out"
  check "$name: drop-columns --yes" "${f[@]}" legacy drop-columns --yes
  has "$name: backed up" "backed up 3 sells into trade_records_backup_old_pnl" "$WORK/out"
  "${sql[@]}" "SELECT CAST(pnl_usd AS TEXT) FROM trade_records_backup_old_pnl WHERE order_id = 'S1'" >"$WORK/out" 2>&1
  if grep -Eq '^77\.50?$' "$WORK/out"; then ok "$name: backup holds the old values"; else fail "$name: backup: $(cat "$WORK/out")"; fi
  check "$name: status after drop" "${f[@]}" legacy status
  has "$name: columns gone" "legacy columns: none (dropped)" "$WORK/out"
  check_fails "$name: compare after drop" "dropped" "${f[@]}" legacy compare
  check_fails "$name: drop twice" "no legacy PnL column" "${f[@]}" legacy drop-columns --yes
  check "$name: compute after drop" "${f[@]}" compute --all-symbols
  check "$name: validate after drop" "${f[@]}" validate
  has "$name: no violation" " 0 violations" "$WORK/out"
}

old_schema DECIMAL TIMESTAMP | sqlite3 "$WORK/old.db" || fail "sqlite: create the old database"
run_suite sqlite "sqlite:$WORK/old.db" sqlite3 -bail "$WORK/old.db"

if [[ -n "${FIFO_TEST_POSTGRES_URL:-}" ]]; then
  dbname="fifoctl_legacy_$$_$RANDOM"
  psql -q "$FIFO_TEST_POSTGRES_URL" -c "CREATE DATABASE $dbname" >/dev/null
  pg="${FIFO_TEST_POSTGRES_URL%/*}/$dbname"
  old_schema DECIMAL "TIMESTAMP WITH TIME ZONE" | psql -q -v ON_ERROR_STOP=1 "$pg" >/dev/null || fail "postgresql: create the old database"
  run_suite postgresql "$pg" psql -qtA -v ON_ERROR_STOP=1 "$pg" -c
  psql -q "$FIFO_TEST_POSTGRES_URL" -c "DROP DATABASE $dbname WITH (FORCE)" >/dev/null 2>&1
else
  echo "FIFO_TEST_POSTGRES_URL unset: PostgreSQL half skipped"
fi

rm -rf "$WORK"
echo "$PASSED passed, $FAILED failed"
[[ $FAILED -eq 0 ]]
