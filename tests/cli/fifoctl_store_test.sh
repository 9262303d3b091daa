#!/usr/bin/env bash
# End-to-end test of fifoctl on both stores, through the real binary:
#   the store pipeline (import-trades + compute --all-symbols +
#   export-allocations) must equal the in-memory engine (allocate) byte for
#   byte; re-import is a no-op; a conflicting import writes nothing;
#   compute --symbol keeps the other symbols; validate passes; an unchanged
#   recompute references every row, --rewrite writes them, prune removes
#   old versions only;
#   compare-versions, runs, review and every pnl-report format work.
# Runs against SQLite always and against PostgreSQL when
# FIFO_TEST_POSTGRES_URL is set (scripts/test.sh sets it).
set -uo pipefail

FIFOCTL="$TEST_SRCDIR/$TEST_WORKSPACE/cli/fifoctl"
SAMPLE="$TEST_SRCDIR/$TEST_WORKSPACE/examples/sample_trades.csv"
CONFIG="$TEST_SRCDIR/$TEST_WORKSPACE/examples/symbol_config.json"
WORK=$(mktemp -d "${TEST_TMPDIR:-/tmp}/fifoctl.XXXXXX")
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

run_suite() {  # run_suite NAME DB_URL
  local name=$1 db=$2
  local f=("$FIFOCTL" --db "$db" --symbol-config "$CONFIG" -q)
  echo "== $name"
  check "$name: migrate" "${f[@]}" migrate
  check "$name: migrate again is a no-op" "${f[@]}" migrate
  grep -q "up to date" "$WORK/out" && ok "$name: says up to date" || fail "$name: migrate re-run output"
  check "$name: import" "${f[@]}" import-trades "$SAMPLE"
  grep -q "imported 14 new trades" "$WORK/out" && ok "$name: 14 imported" || fail "$name: import count: $(cat "$WORK/out")"
  check "$name: re-import" "${f[@]}" import-trades "$SAMPLE"
  grep -q "imported 0 new trades, 14 already recorded" "$WORK/out" && ok "$name: re-import is a no-op" || fail "$name: re-import: $(cat "$WORK/out")"

  # A conflicting trade (same order_id, other size) rejects the whole file.
  { head -1 "$SAMPLE"; echo "NEW-1,BTC-USD,buy,1,100,2025-12-01T00:00:00Z,0,manual";
    echo "BUY-1,BTC-USD,buy,0.6,30000,2025-11-20T10:00:00Z,0,manual"; } >"$WORK/conflict.csv"
  check_fails "$name: conflicting import" "BUY-1" "${f[@]}" import-trades "$WORK/conflict.csv"
  grep -q "size" "$WORK/err" && ok "$name: conflict names the field" || fail "$name: conflict field: $(cat "$WORK/err")"
  "${f[@]}" import-trades --dry-run "$SAMPLE" >"$WORK/out" 2>&1
  grep -q "would import 0 new trades, 14 already" "$WORK/out" && ok "$name: nothing of the conflicting file was written" || fail "$name: after conflict: $(cat "$WORK/out")"

  check "$name: compute --all-symbols" "${f[@]}" compute --all-symbols
  grep -q "version 1 completed" "$WORK/out" && ok "$name: version 1" || fail "$name: version: $(cat "$WORK/out")"
  check "$name: export" "${f[@]}" export-allocations --out "$WORK/$name.v1.csv"
  "$FIFOCTL" --symbol-config "$CONFIG" -q allocate --trades "$SAMPLE" --out "$WORK/memory.csv"
  if cmp -s "$WORK/memory.csv" "$WORK/$name.v1.csv"; then ok "$name: store export equals in-memory allocate"
  else fail "$name: store export differs from allocate"; diff "$WORK/memory.csv" "$WORK/$name.v1.csv" | head; fi
  check "$name: validate" "${f[@]}" validate
  grep -q " 0 violations" "$WORK/out" && ok "$name: no violation" || fail "$name: validate: $(cat "$WORK/out")"

  check "$name: compute --symbol ETH-USD" "${f[@]}" compute --symbol ETH-USD
  grep -q "version 2 completed (symbol" "$WORK/out" && ok "$name: version 2 is a symbol run" || fail "$name: symbol run: $(cat "$WORK/out")"
  "${f[@]}" export-allocations --version 2 | sed 's/^2,/1,/' >"$WORK/$name.v2.csv"
  if cmp -s "$WORK/$name.v1.csv" "$WORK/$name.v2.csv"; then ok "$name: symbol run carried the other symbols"
  else fail "$name: version 2 differs from version 1"; diff "$WORK/$name.v1.csv" "$WORK/$name.v2.csv" | head; fi
  check "$name: validate --version 2" "${f[@]}" validate --version 2
  check "$name: compare-versions" "${f[@]}" validate --compare-versions 1 2
  grep -q "no allocation differs" "$WORK/out" && ok "$name: versions 1 and 2 agree" || fail "$name: compare: $(head -5 "$WORK/out")"
  check_fails "$name: unknown version" "version 99" "${f[@]}" validate --version 99
  check_fails "$name: unknown symbol" "unknown symbol" "${f[@]}" compute --symbol NOPE-USD

  # New trades, then a full run: compare-versions shows the change.
  { head -1 "$SAMPLE"; echo "BTC-S9,BTC-USD,sell,0.1,40000,2025-12-01T00:00:00Z,1,manual"; } >"$WORK/more.csv"
  check "$name: import more" "${f[@]}" import-trades "$WORK/more.csv"
  check "$name: compute version 3" "${f[@]}" compute --all-symbols
  check "$name: compare 2 3" "${f[@]}" validate --compare-versions 2 3
  grep -q "BTC-S9" "$WORK/out" && grep -q "added" "$WORK/out" && ok "$name: compare lists the new sell" || fail "$name: compare 2 3: $(cat "$WORK/out")"

  check "$name: runs" "${f[@]}" runs
  [[ $(grep -c completed "$WORK/out") -eq 3 ]] && ok "$name: three completed runs" || fail "$name: runs: $(cat "$WORK/out")"
  for fmt in table csv json; do
    check "$name: pnl-report --format $fmt" "${f[@]}" pnl-report --format "$fmt"
  done
  grep -q '"total_realized_pnl_usd":"' "$WORK/out" && ok "$name: json has exact totals" || fail "$name: json: $(head -c 300 "$WORK/out")"
  check "$name: pnl-report --by day" "${f[@]}" pnl-report --by day --format csv --period 2025-11-20..2025-11-21
  grep -q "^pnl,3,BTC-USD,2025-11-20," "$WORK/out" && ok "$name: per-day rows" || fail "$name: by day: $(cat "$WORK/out")"
  check_fails "$name: bad period" "period" "${f[@]}" pnl-report --period yesterday
  check "$name: review list" "${f[@]}" review list
  grep -q "SOL-S2" "$WORK/out" && ok "$name: unmatched sell queued for review" || fail "$name: review: $(cat "$WORK/out")"
  local id
  id=$(awk '$2=="SOL-S2" {print $1; exit}' "$WORK/out")
  check "$name: review resolve" "${f[@]}" review resolve "$id" --note "dust from a rounding export"
  check_fails "$name: resolve twice" "already" "${f[@]}" review resolve "$id" --note again

  # Versions by reference: an unchanged full recompute writes no row; a
  # --rewrite one writes every row; both export the same as version 3.
  "${f[@]}" export-allocations --version 3 | sed 's/^3,/V,/' >"$WORK/$name.v3.csv"
  check "$name: compute version 4 (unchanged)" "${f[@]}" compute --all-symbols
  grep -q "allocations created 0, reused [1-9]" "$WORK/out" && ok "$name: unchanged recompute references every row" || fail "$name: reuse: $(cat "$WORK/out")"
  check "$name: compute version 5 --rewrite" "${f[@]}" compute --all-symbols --rewrite
  grep -q "allocations created [1-9][0-9]*, reused 0" "$WORK/out" && ok "$name: --rewrite writes every row" || fail "$name: rewrite: $(cat "$WORK/out")"
  for v in 4 5; do
    "${f[@]}" export-allocations --version $v | sed "s/^$v,/V,/" >"$WORK/$name.v$v.csv"
    cmp -s "$WORK/$name.v3.csv" "$WORK/$name.v$v.csv" && ok "$name: version $v exports as version 3" || fail "$name: version $v differs from 3"
  done
  check_fails "$name: --rewrite with --incremental" "--rewrite" "${f[@]}" compute --incremental --rewrite
  # Retention: prune keeps the latest and what is named; a pruned version
  # is NOT_FOUND, the others export as before.
  check_fails "$name: prune without a rule" "--keep-last" "${f[@]}" prune
  check_fails "$name: prune --older-than nonsense" "30d" "${f[@]}" prune --older-than soon
  check "$name: prune --dry-run" "${f[@]}" prune --keep-last 2 --keep 1 --dry-run
  grep -q "would remove versions 2, 3" "$WORK/out" && ok "$name: dry run names versions 2 and 3" || fail "$name: dry run: $(cat "$WORK/out")"
  check "$name: export v2 after the dry run" "${f[@]}" export-allocations --version 2
  check "$name: prune" "${f[@]}" prune --keep-last 2 --keep 1
  grep -q "removed versions 2, 3" "$WORK/out" && grep -q "kept versions 1, 4, 5" "$WORK/out" && ok "$name: prune removed 2 and 3" || fail "$name: prune: $(cat "$WORK/out")"
  check_fails "$name: a pruned version is gone" "pruned" "${f[@]}" export-allocations --version 3
  "${f[@]}" export-allocations --version 4 | sed 's/^4,/V,/' >"$WORK/$name.v4b.csv"
  cmp -s "$WORK/$name.v3.csv" "$WORK/$name.v4b.csv" && ok "$name: version 4 intact after prune" || fail "$name: version 4 changed by prune"
  check "$name: validate after prune" "${f[@]}" validate
  check "$name: prune --older-than 30d keeps recent versions" "${f[@]}" prune --older-than 30d
  grep -q "removed no version" "$WORK/out" && ok "$name: nothing older than 30 days" || fail "$name: older-than: $(cat "$WORK/out")"
}

# Derived values may carry more digits than inputs: 39-place sizes and
# prices give an 78-place cost basis, which must round-trip through the store.
z=$(printf '0%.0s' $(seq 38))
{ echo "order_id,symbol,side,size,price,order_time,total_fees_usd,source"
  echo "B1,X-USD,buy,0.${z}1,1.${z}3,2025-01-01T00:00:00Z,0.${z}7,manual"
  echo "S1,X-USD,sell,0.${z}1,2.${z}9,2025-01-02T00:00:00Z,0,manual"; } >"$WORK/precise.csv"
"$FIFOCTL" -q allocate --trades "$WORK/precise.csv" --out "$WORK/precise.memory.csv"
run_precise() {  # run_precise NAME DB_URL
  local f=("$FIFOCTL" --db "$2" -q)
  "${f[@]}" migrate >/dev/null
  check "$1: import 39-place trades" "${f[@]}" import-trades "$WORK/precise.csv"
  check "$1: compute 78-place cost basis" "${f[@]}" compute --all-symbols
  "${f[@]}" export-allocations --out "$WORK/$1.precise.csv"
  if cmp -s "$WORK/precise.memory.csv" "$WORK/$1.precise.csv"; then ok "$1: 78-place values round-trip exactly"
  else fail "$1: precise export differs"; diff "$WORK/precise.memory.csv" "$WORK/$1.precise.csv" | head -4; fi
}
# Program-wide conventions: --version, and a FIFO_LOG_LEVEL that names no
# level is a usage error (exit 2), not silently ignored.
if out=$("$FIFOCTL" --version) && [[ $out == "fifoctl "*" (allocation algorithm "*")" ]]; then
  ok "--version prints the release"
else
  fail "--version: '$out'"
fi
FIFO_LOG_LEVEL=verbose "$FIFOCTL" --db "sqlite:$WORK/none.db" runs >"$WORK/out" 2>"$WORK/err"
rc=$?
if [[ $rc -eq 2 ]] && grep -qxF 'fifoctl: FIFO_LOG_LEVEL: unknown level "verbose" (expected debug, info, warning or error)' "$WORK/err"; then
  ok "unknown FIFO_LOG_LEVEL exits 2 naming it"
else
  fail "unknown FIFO_LOG_LEVEL: exit $rc"; sed 's/^/    /' "$WORK/err" | head -3
fi
"$FIFOCTL" comptue --all-symbols >"$WORK/out" 2>"$WORK/err"
rc=$?
if [[ $rc -eq 2 ]] && grep -qxF 'fifoctl: unknown subcommand "comptue"; did you mean "compute"?' "$WORK/err"; then
  ok "an unknown subcommand names the word and the nearest one"
else
  fail "unknown subcommand: exit $rc"; sed 's/^/    /' "$WORK/err" | head -3
fi
if "$FIFOCTL" allocate --symbol-config "$CONFIG" --trades "$SAMPLE" >"$WORK/after.csv" 2>/dev/null &&
   "$FIFOCTL" --symbol-config "$CONFIG" allocate --trades "$SAMPLE" >"$WORK/before.csv" 2>/dev/null &&
   cmp -s "$WORK/after.csv" "$WORK/before.csv"; then
  ok "global options are accepted after the subcommand"
else
  fail "global option after the subcommand"
fi
if FIFO_LOG_LEVEL=ERROR "$FIFOCTL" --version >/dev/null; then
  ok "FIFO_LOG_LEVEL in upper case is accepted"
else
  fail "FIFO_LOG_LEVEL=ERROR refused"
fi

# Commands that only read never create a SQLite file: a missing one is an
# error naming it (a typo in --db must not look like an empty ledger).
for cmd in runs export-allocations validate pnl-report "review list" "legacy status"; do
  # shellcheck disable=SC2086
  "$FIFOCTL" --db "sqlite:$WORK/typo.db" $cmd >"$WORK/out" 2>"$WORK/err"
  rc=$?
  if [[ $rc -eq 1 && ! -e "$WORK/typo.db" ]] && grep -qF "no SQLite database at $WORK/typo.db" "$WORK/err"; then
    ok "$cmd on a missing SQLite file says so and creates nothing"
  else
    fail "$cmd on a missing file: exit $rc, file $( [[ -e "$WORK/typo.db" ]] && echo created || echo absent)"
    sed 's/^/    /' "$WORK/err" | head -3; rm -f "$WORK/typo.db"
  fi
done

# Thousands of unmatched sells do not flood the log: the first 20 get a line
# each, then one summary line counts them all (all are in the review queue).
{ echo "order_id,symbol,side,size,price,order_time,total_fees_usd,source"
  for i in $(seq 1 50); do printf 'U-%02d,XYZ-USD,sell,1,10,2025-11-20T10:00:%02dZ,0,manual\n' "$i" "$i"; done
} >"$WORK/unmatched.csv"
"$FIFOCTL" --db "sqlite:$WORK/flood.db" -q import-trades "$WORK/unmatched.csv" >/dev/null 2>&1
"$FIFOCTL" --db "sqlite:$WORK/flood.db" compute --all-symbols >/dev/null 2>"$WORK/flood.err"
lines=$(grep -c '"event":"UNMATCHED SELL DETECTED"' "$WORK/flood.err")
if [[ $lines -eq 20 ]] && grep -q '"event":"unmatched_sells_summary".*"unmatched_sells":50,"logged":20' "$WORK/flood.err"; then
  ok "50 unmatched sells: 20 lines and one summary"
else
  fail "unmatched log: $lines lines"; grep summary "$WORK/flood.err" | head -2
fi
"$FIFOCTL" --db "sqlite:$WORK/flood.db" review list >"$WORK/out" 2>&1
[[ $(grep -c 'unmatched_sell' "$WORK/out") -eq 50 ]] && ok "all 50 are in the review queue" || fail "review queue: $(grep -c unmatched_sell "$WORK/out")"

run_precise sqlite "sqlite:$WORK/precise.db"

run_suite sqlite "sqlite:$WORK/fifo.db"

if [[ -n "${FIFO_TEST_POSTGRES_URL:-}" ]]; then
  dbname="fifoctl_$$_$RANDOM"
  psql -q "$FIFO_TEST_POSTGRES_URL" -c "CREATE DATABASE $dbname" >/dev/null
  run_suite postgresql "${FIFO_TEST_POSTGRES_URL%/*}/$dbname"
  psql -q "$FIFO_TEST_POSTGRES_URL" -c "CREATE DATABASE ${dbname}_p" >/dev/null
  run_precise postgresql "${FIFO_TEST_POSTGRES_URL%/*}/${dbname}_p"
  psql -q "$FIFO_TEST_POSTGRES_URL" -c "DROP DATABASE ${dbname}_p WITH (FORCE)" >/dev/null 2>&1
  psql -q "$FIFO_TEST_POSTGRES_URL" -c "DROP DATABASE $dbname WITH (FORCE)" >/dev/null 2>&1
else
  echo "FIFO_TEST_POSTGRES_URL unset: PostgreSQL half skipped"
fi

rm -rf "$WORK"
echo "$PASSED passed, $FAILED failed"
[[ $FAILED -eq 0 ]]
