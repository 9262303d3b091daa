#!/usr/bin/env bash
# The bad-input catalogue (docs/errors.md), checked through the real fifoctl
# binary on SQLite and, when FIFO_TEST_POSTGRES_URL is set, on a fresh
# PostgreSQL database.
#
# The expected exit code and message of every case come from the tables of
# docs/errors.md (rows "| `ID` | input | exit | message |"); the inputs and
# commands are defined here, one per ID. For each case the test checks
#   * the exit code;
#   * that the message line is exactly the documented one (on stderr, after
#     "fifoctl: " for exit 1; on stdout for accepted inputs, exit 0; CLI11's
#     own line for usage errors);
#   * that nothing was written: the store's fingerprint (runs, the latest
#     version's allocations, the review queue, a dry-run import of the sample
#     ledger) is unchanged, and the valid row on line 2 of a rejected file was
#     not recorded (a dry-run import of it still counts it as new).
# It also fails when a documented ID has no case here or a case has no row in
# the document. ALLOC-* rows belong to allocations_csv_errors_test.
# Ends with "N passed, N failed"; exits non-zero on any failure.
set -uo pipefail

FIFOCTL="$TEST_SRCDIR/$TEST_WORKSPACE/cli/fifoctl"
DOC="$TEST_SRCDIR/$TEST_WORKSPACE/docs/errors.md"
SAMPLE="$TEST_SRCDIR/$TEST_WORKSPACE/examples/sample_trades.csv"
CONFIG="$TEST_SRCDIR/$TEST_WORKSPACE/examples/symbol_config.json"
WORK=$(mktemp -d "${TEST_TMPDIR:-/tmp}/bad_inputs.XXXXXX")
cd "$WORK" || exit 1
PASSED=0
FAILED=0

ok() { PASSED=$((PASSED + 1)); }
fail() { FAILED=$((FAILED + 1)); echo "FAIL: $*"; }

trim() {  # trim TEXT: without surrounding spaces and one pair of backticks
  local s=$1
  s=${s#"${s%%[![:space:]]*}"}
  s=${s%"${s##*[![:space:]]}"}
  s=${s#\`}
  s=${s%\`}
  printf '%s' "$s"
}

# --- the document -------------------------------------------------------

declare -A DOC_EXIT DOC_MESSAGE
while IFS='|' read -r _ id _ exit_code message _; do
  id=$(trim "$id")
  DOC_EXIT[$id]=$(trim "$exit_code")
  DOC_MESSAGE[$id]=$(trim "$message")
done < <(grep -E '^\| `[A-Z0-9]+(-[A-Z0-9]+)+` \|' "$DOC")
if ((${#DOC_EXIT[@]} < 50)); then
  fail "docs/errors.md: only ${#DOC_EXIT[@]} catalogue rows found"
fi

# --- inputs ----------------------------------------------------------------

TRADES_HEADER="order_id,symbol,side,size,price,order_time,total_fees_usd,source"
PROBE_ROW="PROBE,BTC-USD,buy,1,100,2025-12-01T00:00:00Z,0,manual"
FILLS_HEADER="trade id,product,side,created at,size,size unit,price,fee,price/fee/total unit"
PROBE_FILL="PROBE,BTC-USD,BUY,2025-12-01T00:00:00Z,1,BTC,100,0,USD"
GOOD_TIME="2025-12-01T00:00:00Z"

# Writes input.csv: the trades header, the probe row, then each argument as
# a line (printf %b: \xHH escapes allowed).
trades_file() {
  { echo "$TRADES_HEADER"; echo "$PROBE_ROW"; for row in "$@"; do printf '%b\n' "$row"; done; } >input.csv
  printf '%s\n%s\n' "$TRADES_HEADER" "$PROBE_ROW" >probe.csv
  PROBE_FORMAT=csv
}
fills_file() {
  { echo "$FILLS_HEADER"; echo "$PROBE_FILL"; for row in "$@"; do printf '%b\n' "$row"; done; } >input.csv
  printf '%s\n%s\n' "$FILLS_HEADER" "$PROBE_FILL" >probe.csv
  PROBE_FORMAT=coinbase-fills
}
# A trades row with one field replaced: row FIELD VALUE.
row() {
  local -A r=([order_id]=BAD [symbol]=BTC-USD [side]=buy [size]=1 [price]=100
              [order_time]=$GOOD_TIME [total_fees_usd]=0 [source]=manual)
  r[$1]=$2
  printf '%s,%s,%s,%s,%s,%s,%s,%s' "${r[order_id]}" "${r[symbol]}" "${r[side]}" \
    "${r[size]}" "${r[price]}" "${r[order_time]}" "${r[total_fees_usd]}" "${r[source]}"
}
fill() {  # fill FIELD VALUE: a Coinbase fill with one field replaced
  local -A r=([id]=BAD [product]=BTC-USD [side]=BUY [time]=$GOOD_TIME [size]=1
              [unit]=BTC [price]=100 [fee]=0 [pft]=USD)
  r[$1]=$2
  printf '%s,%s,%s,%s,%s,%s,%s,%s,%s' "${r[id]}" "${r[product]}" "${r[side]}" \
    "${r[time]}" "${r[size]}" "${r[unit]}" "${r[price]}" "${r[fee]}" "${r[pft]}"
}

# --- one store ------------------------------------------------------------

F=()          # fifoctl with the store under test
BASELINE=""   # the store's fingerprint before the cases
PROBE_FORMAT=""
declare -A RAN

fingerprint() {
  {
    "${F[@]}" runs
    "${F[@]}" export-allocations
    "${F[@]}" review list --status all
    "${F[@]}" import-trades --dry-run "$SAMPLE"
  } 2>&1 | grep -v '^{"ts"'
}

# expect ID STORE COMMAND...: runs COMMAND (after the case's inputs were
# written) and checks it against the document's row ID.
expect() {
  local id=$1 store=$2; shift 2
  RAN[$id]=1
  if [[ -z "${DOC_EXIT[$id]+x}" ]]; then
    fail "$store $id: no row in docs/errors.md"
    return
  fi
  local want_exit=${DOC_EXIT[$id]} want=${DOC_MESSAGE[$id]} line
  "$@" >out 2>err
  local rc=$?
  if [[ $rc -ne $want_exit ]]; then
    fail "$store $id: exit $rc, expected $want_exit"
    sed 's/^/    /' out err | head -5
    return
  fi
  case $want_exit in
    0) line=$(grep -F -- "$want" out) ;;
    1) line=$(grep -xF -- "fifoctl: $want" err) ;;
    *) line=$(grep -xF -- "$want" err) ;;
  esac
  if [[ -z "$line" ]]; then
    fail "$store $id: message differs from docs/errors.md"
    echo "    expected: $want"
    grep -v '^{"ts"' err | head -3 | sed 's/^/    got:      /'
    [[ $want_exit -eq 0 ]] && head -3 out | sed 's/^/    stdout:   /'
    return
  fi
  ok
}

# nothing_written ID STORE [probe]: the store is as before the case; with
# "probe", the valid row on line 2 of the rejected file is still new.
nothing_written() {
  local id=$1 store=$2 probe=${3:-}
  local now
  now=$(fingerprint)
  if [[ "$now" != "$BASELINE" ]]; then
    fail "$store $id: the store changed"
    diff <(echo "$BASELINE") <(echo "$now") | head -10 | sed 's/^/    /'
  else
    ok
  fi
  if [[ -n "$probe" ]]; then
    local out
    out=$("${F[@]}" import-trades --dry-run --format "$PROBE_FORMAT" probe.csv 2>&1)
    if [[ "$out" == "dry run: would import 1 new trades, 0 already recorded, from probe.csv" ]]; then
      ok
    else
      fail "$store $id: the valid row of the rejected file was written: $out"
    fi
  fi
}

# rejects ID STORE COMMAND...: a rejected file; nothing of it written.
rejects() {
  local id=$1 store=$2; shift 2
  expect "$id" "$store" "$@"
  nothing_written "$id" "$store" probe
}
# refuses ID STORE COMMAND...: a rejected command; nothing written.
refuses() {
  local id=$1 store=$2; shift 2
  expect "$id" "$store" "$@"
  nothing_written "$id" "$store"
}

run_suite() {  # run_suite NAME DB_URL
  local s=$1 db=$2
  F=("$FIFOCTL" --db "$db" --symbol-config "$CONFIG" -q)
  echo "== $s"
  if ! "${F[@]}" migrate >/dev/null 2>err ||
     ! "${F[@]}" import-trades "$SAMPLE" >/dev/null 2>>err ||
     ! "${F[@]}" compute --all-symbols >/dev/null 2>>err; then
    fail "$s: setup"; head -5 err; return
  fi
  BASELINE=$(fingerprint)
  if ! grep -q "would import 0 new trades, 14 already recorded" <<<"$BASELINE" ||
     ! grep -q "completed" <<<"$BASELINE"; then
    fail "$s: unexpected baseline: $BASELINE"; return
  fi
  local imp=("${F[@]}" import-trades input.csv)
  local cb=("${F[@]}" import-trades --format coinbase-fills input.csv)

  # Decimals.
  trades_file "$(row size '')";                 rejects DEC-EMPTY "$s" "${imp[@]}"
  trades_file "$(row size 12abc)";              rejects DEC-GARBAGE "$s" "${imp[@]}"
  trades_file "$(row size ' 1')";               rejects DEC-SPACE "$s" "${imp[@]}"
  trades_file "$(row size '"1,5"')";            rejects DEC-COMMA "$s" "${imp[@]}"
  trades_file "$(row price 1.2.3)";             rejects DEC-TWO-POINTS "$s" "${imp[@]}"
  trades_file "$(row price -.)";                rejects DEC-NO-DIGITS "$s" "${imp[@]}"
  trades_file "$(row size NaN)";                rejects DEC-NAN "$s" "${imp[@]}"
  trades_file "$(row price -Infinity)";         rejects DEC-INF "$s" "${imp[@]}"
  trades_file "$(row size 1e)";                 rejects DEC-EXPONENT-EMPTY "$s" "${imp[@]}"
  trades_file "$(row size 1e99999)";            rejects DEC-EXPONENT-OVERFLOW "$s" "${imp[@]}"
  trades_file "$(row size 1234567890123456789012345678901234567890123456789012345678901)"
  rejects DEC-TOO-MANY-DIGITS "$s" "${imp[@]}"
  trades_file "$(row size 0.00000000000000000000000000000000000000001)"
  rejects DEC-TOO-MANY-PLACES "$s" "${imp[@]}"

  # Sizes, prices, fees.
  trades_file "$(row size 0.000)";              rejects AMT-SIZE-ZERO "$s" "${imp[@]}"
  trades_file "$(row size -0.5)";               rejects AMT-SIZE-NEGATIVE "$s" "${imp[@]}"
  trades_file "$(row price 0)";                 rejects AMT-PRICE-ZERO "$s" "${imp[@]}"
  trades_file "$(row price -3)";                rejects AMT-PRICE-NEGATIVE "$s" "${imp[@]}"
  trades_file "$(row price '')";                rejects AMT-PRICE-MISSING "$s" "${imp[@]}"
  trades_file "$(row total_fees_usd -0.01)";    rejects AMT-FEE-NEGATIVE "$s" "${imp[@]}"
  fills_file "$(fill fee -1.86)";               rejects AMT-CB-FEE-NEGATIVE "$s" "${cb[@]}"

  # Side.
  trades_file "$(row side hold)";               rejects SIDE-UNKNOWN "$s" "${imp[@]}"
  trades_file "$(row side '')";                 rejects SIDE-EMPTY "$s" "${imp[@]}"
  fills_file "$(fill side HOLD)";               rejects SIDE-CB-UNKNOWN "$s" "${cb[@]}"

  # Timestamps.
  trades_file "$(row order_time '')";           rejects TIME-EMPTY "$s" "${imp[@]}"
  trades_file "$(row order_time 2025-11-20T10:00:00)";  rejects TIME-NO-OFFSET "$s" "${imp[@]}"
  trades_file "$(row order_time 2025-11-20)";   rejects TIME-DATE-ONLY "$s" "${imp[@]}"
  trades_file "$(row order_time '20/11/2025 10:00:00Z')"; rejects TIME-SHAPE "$s" "${imp[@]}"
  trades_file "$(row order_time 2025-13-01T00:00:00Z)";  rejects TIME-MONTH "$s" "${imp[@]}"
  trades_file "$(row order_time 2025-02-29T10:00:00Z)";  rejects TIME-DAY "$s" "${imp[@]}"
  trades_file "$(row order_time 2025-11-20T24:00:00Z)";  rejects TIME-CLOCK "$s" "${imp[@]}"
  trades_file "$(row order_time 2025-11-20T10:00:00+24:00)"; rejects TIME-OFFSET-RANGE "$s" "${imp[@]}"
  trades_file "$(row order_time '2025-11-20T10:00:00Z UTC')"; rejects TIME-TRAILING "$s" "${imp[@]}"
  trades_file "$(row order_time 2025-11-20T10:00:00.1234567Z)"; rejects TIME-SUB-MICROSECOND "$s" "${imp[@]}"
  trades_file "$(row order_time 0001-01-01T00:30:00+01:00)"; rejects TIME-YEAR-RANGE "$s" "${imp[@]}"
  fills_file "$(fill time '2021-01-05 18:40:25')"; rejects TIME-CB-NO-OFFSET "$s" "${cb[@]}"

  # Text fields and encoding.
  trades_file "$(row order_id '')";             rejects TEXT-ORDER-ID-EMPTY "$s" "${imp[@]}"
  trades_file "$(row symbol '')";               rejects TEXT-SYMBOL-EMPTY "$s" "${imp[@]}"
  trades_file "$(row source '')";               rejects TEXT-SOURCE-EMPTY "$s" "${imp[@]}"
  trades_file "$(row order_id 'P\xff1')";       rejects TEXT-UTF8 "$s" "${imp[@]}"
  trades_file "$(row symbol 'BTC-USD\xc3')";    rejects TEXT-UTF8-TRUNCATED "$s" "${imp[@]}"
  trades_file "$(row source '\xc0\xaf')";       rejects TEXT-UTF8-OVERLONG "$s" "${imp[@]}"
  trades_file "$(row source 'm\x00')";          rejects TEXT-NUL "$s" "${imp[@]}"
  trades_file "$(row order_id "$(printf 'L%.0s' $(seq 129))")"; rejects TEXT-ORDER-ID-LONG "$s" "${imp[@]}"
  trades_file "$(row source "$(printf 's%.0s' $(seq 1025))")"; rejects TEXT-SOURCE-LONG "$s" "${imp[@]}"
  trades_file "$(row symbol 'BTC\tUSD')";       rejects TEXT-CONTROL "$s" "${imp[@]}"
  printf 'order_id,symbol,side,size,price,order_time,total_fees_usd,sour\xc3\x28ce\n%s\n' "$PROBE_ROW" >input.csv
  rejects TEXT-UTF8-HEADER "$s" "${imp[@]}"

  # CSV structure.
  trades_file "$(row order_id 'BU"Y-1')";       rejects CSV-QUOTE-INSIDE "$s" "${imp[@]}"
  trades_file "$(row order_id '"BUY"-1')";      rejects CSV-TEXT-AFTER-QUOTE "$s" "${imp[@]}"
  trades_file "$(row order_id '"BUY-1')" "$(row order_id OTHER)"
  rejects CSV-UNTERMINATED "$s" "${imp[@]}"
  trades_file "BAD,BTC-USD,buy,1,100,$GOOD_TIME,0"; rejects CSV-TOO-FEW-FIELDS "$s" "${imp[@]}"
  trades_file "$(row source manual),extra";     rejects CSV-TOO-MANY-FIELDS "$s" "${imp[@]}"

  # Header.
  printf 'order_id,symbol,side,size,price,order_time,total_fees_usd\nP,BTC-USD,buy,1,100,%s,0\n' "$GOOD_TIME" >input.csv
  refuses HDR-MISSING "$s" "${imp[@]}"
  printf 'order_id,symbol,side,order_time,total_fees_usd,source\nP,BTC-USD,buy,%s,0,m\n' "$GOOD_TIME" >input.csv
  refuses HDR-MISSING-MANY "$s" "${imp[@]}"
  printf '%s,price\n%s,100\n' "$TRADES_HEADER" "$PROBE_ROW" >input.csv
  refuses HDR-DUPLICATE "$s" "${imp[@]}"
  printf '%s,fee\n%s,1\n' "$TRADES_HEADER" "$PROBE_ROW" >input.csv
  refuses HDR-UNKNOWN "$s" "${imp[@]}"
  printf 'Order_ID,symbol,side,size,price,order_time,total_fees_usd,source\n%s\n' "$PROBE_ROW" >input.csv
  refuses HDR-CASE "$s" "${imp[@]}"
  trades_file;                                  rejects HDR-WRONG-FORMAT "$s" "${cb[@]}"

  # Files.
  : >input.csv;                                 refuses FILE-EMPTY "$s" "${imp[@]}"
  printf '\xef\xbb\xbf\n\r\n\n' >input.csv;     refuses FILE-BLANK "$s" "${imp[@]}"
  echo "$TRADES_HEADER" >input.csv;             refuses FILE-HEADER-ONLY "$s" "${imp[@]}"
  refuses FILE-MISSING "$s" "${F[@]}" import-trades missing.csv
  trades_file;                                  rejects FILE-FORMAT "$s" "${F[@]}" import-trades --format xlsx input.csv
  {
    echo "$TRADES_HEADER"
    seq 1 100000 | awk '{printf "HUGE-%d,BTC-USD,buy,0.%03d,%d.5,2025-12-01T%02d:%02d:%02dZ,0.01,manual\n", $1, $1 % 997 + 1, 30000 + $1 % 1000, ($1 / 3600) % 24, ($1 / 60) % 60, $1 % 60}'
    echo "BAD,BTC-USD,buy,1,-1,$GOOD_TIME,0,manual"
  } >input.csv
  sed -n '1,2p' input.csv >probe.csv
  PROBE_FORMAT=csv
  rejects FILE-HUGE "$s" "${imp[@]}"

  # Duplicate order ids.
  trades_file "$PROBE_ROW";                     rejects DUP-IN-FILE "$s" "${imp[@]}"
  fills_file "$PROBE_FILL";                     rejects DUP-CB-IN-FILE "$s" "${cb[@]}"
  trades_file "BUY-1,BTC-USD,buy,0.6,30000,2025-11-20T10:00:00Z,0,manual"
  rejects DUP-STORE-CONFLICT "$s" "${imp[@]}"
  printf '%s\nBUY-1,BTC-USD,buy,0.5,30000,2025-11-20T10:00:00Z,0,manual\n' "$TRADES_HEADER" >input.csv
  refuses DUP-STORE-SAME "$s" "${imp[@]}"

  # Coinbase fills.
  fills_file "$(fill pft EUR)";                 rejects CB-UNIT "$s" "${cb[@]}"
  fills_file "$(fill unit ETH)";                rejects CB-SIZE-UNIT "$s" "${cb[@]}"

  # Versions and symbols.
  refuses VER-VALIDATE "$s" "${F[@]}" validate --version 99
  refuses VER-EXPORT "$s" "${F[@]}" export-allocations --version 99
  refuses VER-REPORT "$s" "${F[@]}" pnl-report --version 99
  refuses VER-COMPARE "$s" "${F[@]}" validate --compare-versions 1 99
  refuses SYM-UNKNOWN "$s" "${F[@]}" compute --symbol NOPE-USD

  # Symbol configuration: a full run that must not start.
  local cfg=("$FIFOCTL" --db "$db" --symbol-config input.json -q compute --all-symbols)
  printf '{"BTC-USD":{"dust_threshold":0.1}}' >input.json;     refuses CFG-NUMBER "$s" "${cfg[@]}"
  printf '{"BTC-USD":{"dust":"0.1"}}' >input.json;             refuses CFG-UNKNOWN-KEY "$s" "${cfg[@]}"
  printf '{"*":{}}' >input.json;                               refuses CFG-STAR "$s" "${cfg[@]}"
  printf '{"":{}}' >input.json;                                refuses CFG-EMPTY-SYMBOL "$s" "${cfg[@]}"
  printf '{"BTC-USD":{"base_precision":41}}' >input.json;      refuses CFG-PRECISION-RANGE "$s" "${cfg[@]}"
  printf '{"BTC-USD":{"quote_precision":2.5}}' >input.json;    refuses CFG-PRECISION-FRACTION "$s" "${cfg[@]}"
  printf '{"BTC-USD":{"base_precision":"8"}}' >input.json;     refuses CFG-PRECISION-STRING "$s" "${cfg[@]}"
  printf '{"BTC-USD":{"dust_threshold":"-1"}}' >input.json;    refuses CFG-NEGATIVE "$s" "${cfg[@]}"
  printf '{"BTC-USD":{"min_trade_size":"abc"}}' >input.json;   refuses CFG-DECIMAL "$s" "${cfg[@]}"
  printf '{"BTC-USD": [1]}' >input.json;                       refuses CFG-ENTRY-TYPE "$s" "${cfg[@]}"
  printf '[]' >input.json;                                     refuses CFG-NOT-OBJECT "$s" "${cfg[@]}"
  printf '{"BTC-USD": ' >input.json;                           refuses CFG-TRUNCATED "$s" "${cfg[@]}"
  printf '{"BTC-USD":{"dust_threshold":"1","dust_threshold":"2"}}' >input.json
  refuses CFG-DUPLICATE-KEY "$s" "${cfg[@]}"
  refuses CFG-MISSING "$s" "$FIFOCTL" --db "$db" --symbol-config missing.json -q compute --all-symbols

  # Reports.
  refuses RPT-PERIOD "$s" "${F[@]}" pnl-report --period yesterday
  refuses RPT-PERIOD-FROM "$s" "${F[@]}" pnl-report --period 2025-13-01..
  refuses RPT-PERIOD-TO "$s" "${F[@]}" pnl-report --period ..2025-11-20T10:00:00
  refuses RPT-PERIOD-ORDER "$s" "${F[@]}" pnl-report --period 2025-11-21..2025-11-20
  refuses RPT-BY "$s" "${F[@]}" pnl-report --by week
  refuses RPT-FORMAT "$s" "${F[@]}" pnl-report --format xml

  # Other command arguments.
  refuses CMD-COMPUTE-NO-MODE "$s" "${F[@]}" compute
  refuses CMD-COMPUTE-TWO-MODES "$s" "${F[@]}" compute --all-symbols --symbol BTC-USD
  refuses CMD-TRIGGER "$s" "${F[@]}" compute --all-symbols --triggered-by robot
  refuses CMD-SINCE-ALONE "$s" "${F[@]}" compute --all-symbols --since 2025-01-01
  refuses CMD-SINCE-BAD "$s" "${F[@]}" compute --incremental --since yesterday
  refuses CMD-REVIEW-STATUS "$s" "${F[@]}" review list --status maybe
  refuses CMD-REVIEW-ID "$s" "${F[@]}" review resolve 999 --note x
  refuses CMD-REVIEW-NOTE "$s" "${F[@]}" review resolve 1 --note ""
  refuses CMD-STORE-URL "$s" "$FIFOCTL" --db mysql://x runs
  refuses USE-UNKNOWN-OPTION "$s" "${F[@]}" compute --bogus
  refuses USE-MISSING-ARGUMENT "$s" "${F[@]}" import-trades
  refuses USE-CONVERSION "$s" "${F[@]}" validate --version abc
  refuses USE-ARITY "$s" "${F[@]}" validate --compare-versions 1

  # Backfill: accepted, and the one case that writes (a full run).
  printf '%s\nLATE-BUY,BTC-USD,buy,0.1,20000,2025-11-20T09:00:00Z,0,manual\n' "$TRADES_HEADER" >late.csv
  if "${F[@]}" import-trades late.csv >/dev/null 2>err; then ok; else fail "$s: import late.csv"; fi
  expect INC-BACKFILL "$s" "${F[@]}" compute --incremental
  local runs
  runs=$("${F[@]}" runs 2>&1)
  if grep -qE '^ *2 +2 +completed +full .*backfill detected: a trade of BTC-USD' <<<"$runs"; then
    ok
  else
    fail "$s INC-BACKFILL: runs does not show a full run with the reason: $runs"
  fi
}

# --- the stores -------------------------------------------------------------

declare -A RAN_SQLITE
run_suite sqlite "sqlite:$WORK/fifo.db"
for id in "${!RAN[@]}"; do RAN_SQLITE[$id]=1; done

if [[ -n "${FIFO_TEST_POSTGRES_URL:-}" ]]; then
  dbname="bad_inputs_$$_$RANDOM"
  if psql -q "$FIFO_TEST_POSTGRES_URL" -c "CREATE DATABASE $dbname" >/dev/null; then
    RAN=()
    run_suite postgresql "${FIFO_TEST_POSTGRES_URL%/*}/$dbname"
    psql -q "$FIFO_TEST_POSTGRES_URL" -c "DROP DATABASE $dbname WITH (FORCE)" >/dev/null 2>&1
    for id in "${!RAN_SQLITE[@]}"; do
      [[ -n "${RAN[$id]:-}" ]] || fail "postgresql: $id did not run"
    done
  else
    fail "postgresql: could not create database $dbname"
  fi
else
  echo "FIFO_TEST_POSTGRES_URL unset: PostgreSQL half skipped"
fi

# Every documented case ran (ALLOC-*: allocations_csv_errors_test).
for id in "${!DOC_EXIT[@]}"; do
  [[ $id == ALLOC-* ]] && continue
  if [[ -n "${RAN_SQLITE[$id]:-}" ]]; then ok; else fail "$id is documented but has no case"; fi
done

rm -rf "$WORK"
echo "$PASSED passed, $FAILED failed"
[[ $FAILED -eq 0 ]]
