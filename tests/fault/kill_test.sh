#!/usr/bin/env bash
# Crash safety under SIGKILL (docs/reliability.md, "Crash safety").
#
# For each store (SQLite always; PostgreSQL when FIFO_TEST_POSTGRES_URL is
# set, in a fresh database of that server), builds a ledger, computes a first
# version, then runs FIFO_FAULT_ROUNDS (default 24) kill points. Each kill
# point runs one write -- an import of a new trades file, a computation
# (--all-symbols, --incremental, --symbol) or a prune -- either in fifoctl on the store
# or in fifo_server (the same fifoctl command with --server, in flight over
# gRPC), and kill -9s that process (fifoctl, or the server) after a seeded
# random delay of 0..1.2 times the write's calibrated duration (1.6 for
# imports). Then:
#   * the attempted file is all or nothing in the store (import-trades
#     --dry-run), and the store holds exactly the trades of the committed
#     files (SQL count);
#   * the latest completed version is unchanged, or is a new complete one
#     equal to the in-memory engine (fifoctl allocate) on the committed
#     trades (a --symbol run: that symbol recomputed, the others carried);
#   * nothing of a run that did not complete is visible (no segment of it,
#     no manifest of a version without a completed run, no segment that no
#     version references);
#   * a killed `prune --keep-last 2` leaves every version it did not remove
#     exporting exactly as before, and each removed one gone as a whole;
#   * fifoctl validate exits 0;
#   * a run the killed process left 'running' is 'failed' with "abandoned"
#     in the first `fifoctl runs` after the kill, with nothing restarted
#     (the next fifoctl compute, or a fifo_server restart, then succeeds).
# Then, per store, abandoned runs noticed by the living (LedgerStore::
# MarkAbandonedRuns; docs/reliability.md):
#   * zombie: fifoctl compute is kill -9'ed mid-run while its parent does
#     not reap it (it stays a zombie, /proc state Z, with its old stat
#     line); the very next `fifoctl runs` shows the run failed/abandoned
#     (PostgreSQL: within 10 s, the time for its backend to end);
#   * survivor read: with a fifo_server running, a fifoctl compute is
#     kill -9'ed mid-run; that server's ListComputations (`fifoctl --server
#     ... runs`) shows the run failed/abandoned within 10 s;
#   * survivor sweep: two fifo_server replicas, the one computing is
#     kill -9'ed; with no call to anything, the other's sweep marks the run
#     failed/abandoned in the store within 25 s (10 s sweep + the backend's
#     end) and logs abandoned_runs_marked.
# A process that finished before the kill must have committed. The seed is
# fixed (FIFO_FAULT_SEED to change it), so the delays are reproducible;
# whether a given delay lands before or after a commit depends on the
# machine, and every outcome a crash-safe store may show is accepted.
# Ends with "N passed, N failed"; exit 1 on any failure.
set -uo pipefail

RUNFILES="$TEST_SRCDIR/$TEST_WORKSPACE"
FIFOCTL="$RUNFILES/cli/fifoctl"
SERVER="$RUNFILES/service/fifo_server"
SEED=${FIFO_FAULT_SEED:-20251124}
ROUNDS=${FIFO_FAULT_ROUNDS:-24}
BASE_TRADES=${FIFO_FAULT_BASE_TRADES:-16000}    # imported before the rounds
BATCH_TRADES=${FIFO_FAULT_BATCH_TRADES:-8000}   # per killed import
SYMBOLS=(BTC-USD ETH-USD SOL-USD DOGE-USD)
WORK=$(mktemp -d "${TEST_TMPDIR:-/tmp}/fault.XXXXXX")
PASSED=0
FAILED=0
SERVER_PID=""
REPLICA_PID=""  # a second fifo_server (check_survivor_sweep)
HOLDER_PID=""   # the non-reaping parent of a zombie (check_zombie_run)
PG_ADMIN_URL=${FIFO_TEST_POSTGRES_URL:-}
PG_DATABASE=""

ok() { PASSED=$((PASSED + 1)); echo "ok: $*"; }
fail() { FAILED=$((FAILED + 1)); echo "FAIL: $*"; }
now_ms() { date +%s%3N; }

cleanup() {
  local p
  for p in "$SERVER_PID" "$REPLICA_PID" "$HOLDER_PID"; do
    if [[ -n "$p" ]]; then kill -9 "$p" 2>/dev/null; wait "$p" 2>/dev/null; fi
  done
  if [[ -n "$PG_DATABASE" ]]; then
    psql "$PG_ADMIN_URL" -qc "DROP DATABASE IF EXISTS $PG_DATABASE WITH (FORCE)" >/dev/null 2>&1
  fi
}
trap cleanup EXIT

# gen_trades FILE PREFIX COUNT FIRST_INDEX SEED: COUNT trades with ids
# PREFIX-<n>, times 7 s apart from global index FIRST_INDEX (so later files
# come later in time), four symbols, ~55% buys.
gen_trades() {
  awk -v n="$3" -v first="$4" -v seed="$5" -v prefix="$2" -v syms="${SYMBOLS[*]}" '
    BEGIN {
      srand(seed); ns = split(syms, sym, " ");
      print "order_id,symbol,side,size,price,order_time,total_fees_usd,source";
      for (i = 0; i < n; i++) {
        t = (first + i) * 7; day = 1 + int(t / 86400); t %= 86400;
        s = sym[1 + int(rand() * ns)];
        side = rand() < 0.55 ? "buy" : "sell";
        size = sprintf("%d.%06d", int(rand() * 5), 1 + int(rand() * 999999));
        price = sprintf("%d.%02d", 100 + int(rand() * 900), int(rand() * 100));
        fee = sprintf("0.%04d", int(rand() * 10000));
        printf "%s-%d,%s,%s,%s,%s,2024-03-%02dT%02d:%02d:%02dZ,%s,manual\n",
               prefix, i, s, side, size, price, day, int(t / 3600),
               int(t % 3600 / 60), t % 60, fee;
      }
    }' >"$1"
}

# sleep_ms MS
sleep_ms() { sleep "$(printf '%d.%03d' $(($1 / 1000)) $(($1 % 1000)))"; }

# sql QUERY: one value from the store under test.
sql() {
  if [[ $KIND == sqlite ]]; then sqlite3 "$SQLITE_PATH" "$1"
  else psql "$DB" -qtAc "$1"; fi
}

# PostgreSQL: wait until no session of a killed process is left on the
# database (a backend busy in a statement notices its client's death only
# when the statement ends; until then its run's advisory lock is held and
# the run is, rightly, not yet abandoned).
wait_pg_idle() {
  [[ $KIND == postgres ]] || return 0
  local n
  for _ in $(seq 1 300); do
    n=$(psql "$DB" -qtAc "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND backend_type = 'client backend' AND pid <> pg_backend_pid()")
    [[ "$n" == 0 ]] && return 0
    sleep 0.1
  done
  fail "$KIND: sessions of a killed process still open after 30 s"
}

# norm FILE: allocations CSV without the version column.
norm() { cut -d, -f2- "$1"; }

# runs_table: `fifoctl runs` for every run (columns: id version status mode ...).
runs_table() { "${F[@]}" runs --limit 1000 >"$WORK/runs.txt" 2>"$WORK/runs.err" || fail "$KIND: runs failed: $(cat "$WORK/runs.err")"; }
latest_version() { awk 'NR > 1 && $3 == "completed" && $2 > v { v = $2 } END { print v + 0 }' "$WORK/runs.txt"; }
running_ids() { awk 'NR > 1 && $3 == "running" { print $1 }' "$WORK/runs.txt"; }

# expected_after OP [SYMBOL] > FILE: the normalized export a completed run of
# OP must give on the committed trades: the engine's allocations, or for a
# symbol run that symbol's rows from the engine and the other symbols' rows
# carried from the previous latest version (sorted by symbol, bytewise; rows
# of a symbol keep their order).
expected_after() {
  "$FIFOCTL" -q allocate --trades "$WORK/committed.csv" --out "$WORK/alloc.csv" 2>/dev/null ||
    fail "$KIND: allocate failed"
  if [[ $1 == compute-symbol ]]; then
    { head -1 "$WORK/alloc.csv" | cut -d, -f2-
      { norm "$WORK/prev.csv" | tail -n +2 | awk -F, -v s="$2" '$3 != s'
        norm "$WORK/alloc.csv" | tail -n +2 | awk -F, -v s="$2" '$3 == s'
      } | LC_ALL=C sort -s -t, -k3,3; }
  else
    norm "$WORK/alloc.csv"
  fi
}

# export_latest FILE: the latest completed version's allocations.
export_latest() {
  "${F[@]}" export-allocations --out "$1" 2>"$WORK/export.err" ||
    fail "$KIND: export-allocations failed: $(cat "$WORK/export.err")"
}

# count_committed_run FINISHED: a killed write's run committed (kill points
# only, not the recovery or final runs).
count_committed_run() {
  [[ $ROUND =~ ^[0-9]+$ ]] || return 0
  COMMITTED_RUNS=$((COMMITTED_RUNS + 1))
  (($1)) || AFTER_COMMIT=$((AFTER_COMMIT + 1))
}

# check_versions OP SYMBOL FINISHED: the latest completed version after the
# step is the previous one unchanged or a new complete one.
check_versions() {
  local op=$1 symbol=$2 finished=$3 what="$KIND round $ROUND ($PROC $1)"
  local latest
  runs_table
  latest=$(latest_version)
  export_latest "$WORK/now.csv"
  local same_as_prev=0 same_as_new=0
  norm "$WORK/now.csv" >"$WORK/now.norm"
  norm "$WORK/prev.csv" >"$WORK/prev.norm"
  cmp -s "$WORK/now.norm" "$WORK/prev.norm" && same_as_prev=1
  if [[ $op != import && $op != prune ]]; then
    expected_after "$op" "$symbol" >"$WORK/expected.norm"
    cmp -s "$WORK/now.norm" "$WORK/expected.norm" && same_as_new=1
  fi
  if [[ $op == import || $op == prune ]]; then
    if [[ $latest == "$PREV_VERSION" && $same_as_prev == 1 ]]; then ok "$what: latest version $latest unchanged"
    else fail "$what: an $op changed the latest version ($PREV_VERSION -> $latest)"; fi
  elif [[ $latest != "$PREV_VERSION" || $finished == 1 ]]; then
    # A new run committed (a full or symbol run has a new version number; an
    # incremental run may extend the same one): it must be complete.
    if [[ $same_as_new == 1 ]]; then
      ok "$what: version $latest is complete and equals the engine"
      count_committed_run "$finished"
    else
      fail "$what: version $latest (was $PREV_VERSION) differs from the engine"
      diff "$WORK/expected.norm" "$WORK/now.norm" | head -5
    fi
  elif [[ $same_as_prev == 1 ]]; then
    ok "$what: latest version $latest unchanged"
  elif [[ $op == compute-incremental && $same_as_new == 1 ]]; then
    # An incremental run that extended the latest version and committed.
    ok "$what: version $latest extended completely"
    count_committed_run "$finished"
  else
    fail "$what: version $latest is neither the previous content nor a complete run"
    diff "$WORK/prev.norm" "$WORK/now.norm" | head -5
  fi
  cp "$WORK/now.csv" "$WORK/prev.csv"
  PREV_VERSION=$latest
}

# check_unfinished: nothing of a run that did not complete is visible: no
# segment written by it, no manifest of a version without a completed run,
# and no segment that no version references (a run's segments commit with
# its manifest; a prune deletes what it unreferences in the same
# transaction).
check_unfinished() {
  local what="$KIND round $ROUND ($PROC $OP)" bad=0 n
  n=$(sql "SELECT count(*) FROM fifo_segments s JOIN fifo_computation_log l ON l.id = s.computation_id WHERE l.status <> 'completed'")
  [[ "$n" == 0 ]] || { bad=1; echo "    $n segments of runs that did not complete"; }
  n=$(sql "SELECT count(*) FROM fifo_version_segments vs WHERE NOT EXISTS (SELECT 1 FROM fifo_computation_log l WHERE l.allocation_version = vs.allocation_version AND l.status = 'completed')")
  [[ "$n" == 0 ]] || { bad=1; echo "    $n manifest rows of versions without a completed run"; }
  n=$(sql "SELECT count(*) FROM fifo_segments s WHERE NOT EXISTS (SELECT 1 FROM fifo_version_segments vs WHERE vs.segment_id = s.id)")
  [[ "$n" == 0 ]] || { bad=1; echo "    $n segments no version references"; }
  ((bad == 0)) && ok "$what: no unfinished version is visible" || fail "$what: an unfinished version is visible"
}

# save_versions: every readable completed version's export, before a prune.
save_versions() {
  runs_table
  SAVED_VERSIONS=()
  local v
  for v in $(awk 'NR > 1 && $3 == "completed" && $2 != "-" && $0 !~ /version pruned/ { print $2 }' "$WORK/runs.txt" | sort -un); do
    if "${F[@]}" export-allocations --version "$v" --out "$WORK/saved.$v.csv" 2>/dev/null; then
      SAVED_VERSIONS+=("$v")
    fi
  done
}

# check_pruned: after a (killed) prune every saved version exports exactly
# as before, or is gone as a whole (NOT_FOUND, "pruned"); the latest stays.
check_pruned() {
  local what="$KIND round $ROUND ($PROC prune)" v bad=0 kept=0 gone=0
  for v in "${SAVED_VERSIONS[@]}"; do
    if "${F[@]}" export-allocations --version "$v" --out "$WORK/after.$v.csv" 2>"$WORK/after.err"; then
      if cmp -s "$WORK/saved.$v.csv" "$WORK/after.$v.csv"; then kept=$((kept + 1))
      else bad=1; echo "    version $v changed"; fi
    elif grep -q "pruned" "$WORK/after.err"; then
      gone=$((gone + 1))
      [[ $v != "${SAVED_VERSIONS[-1]}" ]] || { bad=1; echo "    the latest version $v was pruned"; }
    else
      bad=1; echo "    version $v: $(cat "$WORK/after.err")"
    fi
  done
  ((bad == 0)) && ok "$what: $kept versions intact, $gone pruned whole" || fail "$what: a version was half pruned or changed"
}

# check_import FILE FINISHED: the file is in the store completely or not at all.
check_import() {
  local file=$1 finished=$2 what="$KIND round $ROUND ($PROC import)"
  local rows out new old
  rows=$(($(wc -l <"$file") - 1))
  out=$("${F[@]}" import-trades --dry-run "$file" 2>&1)
  new=$(sed -n 's/.*would import \([0-9]*\) new trades, \([0-9]*\) already.*/\1/p' <<<"$out")
  old=$(sed -n 's/.*would import \([0-9]*\) new trades, \([0-9]*\) already.*/\2/p' <<<"$out")
  if [[ $new == 0 && $old == "$rows" ]]; then
    ok "$what: all $rows trades committed"
    ((finished)) || AFTER_COMMIT=$((AFTER_COMMIT + 1))
    tail -n +2 "$file" >>"$WORK/committed.csv"
    COMMITTED_IMPORTS=$((COMMITTED_IMPORTS + 1))
  elif [[ $new == "$rows" && $old == 0 ]]; then
    if [[ $finished == 1 ]]; then fail "$what: the import reported success but nothing is stored"
    else ok "$what: nothing committed"; fi
  else
    fail "$what: partial import: $out"
  fi
  local count expected
  count=$(sql "SELECT count(*) FROM trade_records")
  expected=$(($(wc -l <"$WORK/committed.csv") - 1))
  [[ "$count" == "$expected" ]] && ok "$what: store holds exactly the $expected committed trades" ||
    fail "$what: store holds $count trades, committed $expected"
}

check_validate() {
  local what="$KIND round $ROUND ($PROC $OP)"
  if "${F[@]}" validate >"$WORK/validate.out" 2>&1; then ok "$what: validate passes"
  else fail "$what: validate: $(head -5 "$WORK/validate.out")"; fi
}

# check_abandoned IDS...: in the last runs_table (the first `fifoctl runs`
# after the kill), each run is failed/abandoned.
check_abandoned() {
  local what="$KIND round $ROUND ($PROC $OP)" id line
  runs_table
  for id in "$@"; do
    line=$(awk -v id="$id" 'NR > 1 && $1 == id' "$WORK/runs.txt")
    if [[ $(awk '{ print $3 }' <<<"$line") == failed && $line == *abandoned* ]]; then
      ok "$what: run $id left running is marked failed (abandoned)"
      ABANDONED=$((ABANDONED + 1))
    else
      fail "$what: run $id in the first fifoctl runs after the kill: $line"
    fi
  done
}

# start_server: starts fifo_server on the store; sets SERVER_PID, ADDRESS.
start_server() {
  : >"$WORK/server.out"
  "$SERVER" --listen 127.0.0.1:0 --db "$DB" >"$WORK/server.out" 2>>"$WORK/server.err" &
  SERVER_PID=$!
  for _ in $(seq 1 300); do
    ADDRESS=$(sed -n 's/^fifo_server listening on //p' "$WORK/server.out")
    [[ -n "$ADDRESS" ]] && return 0
    kill -0 "$SERVER_PID" 2>/dev/null || break
    sleep 0.1
  done
  fail "$KIND: fifo_server did not start: $(tail -5 "$WORK/server.err")"
  kill -9 "$SERVER_PID" 2>/dev/null; wait "$SERVER_PID" 2>/dev/null; SERVER_PID=""
  return 1
}

stop_server() {
  kill -TERM "$SERVER_PID"; wait "$SERVER_PID"; local rc=$?
  SERVER_PID=""
  [[ $rc == 0 ]] || fail "$KIND: fifo_server exited $rc on SIGTERM"
}

# One kill point: runs OP in PROC, kills it after a random delay, checks.
kill_point() {
  local op=$1 arg=${2:-} t_ms=$3 delay finished=0 rc
  # $RANDOM, seeded per store, read in this shell (a subshell would not
  # advance it): 0..1.2 times the calibrated duration of a computation,
  # 0..1.6 times that of an import (whose commit comes at its very end), so
  # that some kills land after the commit.
  local factor=12
  [[ $op == import ]] && factor=16
  delay=$((RANDOM % 1000 * t_ms * factor / 10000))
  local cmd=()
  case $op in
    import) cmd=(import-trades "$arg") ;;
    compute-all) cmd=(compute --all-symbols) ;;
    compute-incremental) cmd=(compute --incremental) ;;
    compute-symbol) cmd=(compute --symbol "$arg") ;;
    prune) cmd=(prune --keep-last 2); save_versions ;;
  esac
  if [[ $PROC == fifoctl ]]; then
    "${F[@]}" "${cmd[@]}" >"$WORK/op.out" 2>"$WORK/op.err" &
    local pid=$!
    sleep_ms "$delay"
    kill -9 "$pid" 2>/dev/null
    { wait "$pid"; } 2>/dev/null; rc=$?  # no "Killed" job notice
    case $rc in
      0) finished=1 ;;
      137) ;;
      *) fail "$KIND round $ROUND: fifoctl ${cmd[*]} exited $rc: $(tail -3 "$WORK/op.err")" ;;
    esac
  else
    start_server || return
    "$FIFOCTL" --server "$ADDRESS" -q "${cmd[@]}" >"$WORK/op.out" 2>"$WORK/op.err" &
    local cpid=$!
    sleep_ms "$delay"
    kill -9 "$SERVER_PID"; { wait "$SERVER_PID"; } 2>/dev/null; SERVER_PID=""
    wait "$cpid"; rc=$?
    case $rc in
      0) finished=1 ;;
      1) grep -q "UNAVAILABLE" "$WORK/op.err" ||
           fail "$KIND round $ROUND: fifoctl --server ${cmd[*]}: $(tail -3 "$WORK/op.err")" ;;
      *) fail "$KIND round $ROUND: fifoctl --server ${cmd[*]} exited $rc: $(tail -3 "$WORK/op.err")" ;;
    esac
  fi
  KILLS_BY["$KIND $PROC"]=$((${KILLS_BY["$KIND $PROC"]:-0} + 1))
  KILLS_BY["$KIND $PROC $op"]=$((${KILLS_BY["$KIND $PROC $op"]:-0} + 1))
  if ((finished)); then FINISHED_FIRST=$((FINISHED_FIRST + 1)); else MID_OP=$((MID_OP + 1)); fi
  echo "-- $KIND round $ROUND: $PROC $op${arg:+ $(basename "$arg")}, kill after ${delay} ms: $( ((finished)) && echo "had finished" || echo "killed mid-operation")"

  wait_pg_idle
  # The runs the killed process left running, read in SQL before any fifoctl
  # command: the first `fifoctl runs` (check_versions) must show them
  # failed/abandoned, with nothing restarted.
  mapfile -t left < <(sql "SELECT id FROM fifo_computation_log WHERE status = 'running' ORDER BY id")
  if [[ $op == import ]]; then check_import "$arg" "$finished"; fi
  if [[ $op == prune ]]; then check_pruned; fi
  check_versions "$op" "$arg" "$finished"
  check_abandoned "${left[@]}"
  check_unfinished
  check_validate
  if [[ $PROC == server ]]; then
    start_server && stop_server
    ((${#left[@]} > 0)) && ok "$KIND round $ROUND: fifo_server restarted on the store"
  elif ((${#left[@]} > 0)); then
    if "${F[@]}" compute --incremental >"$WORK/recover.out" 2>"$WORK/recover.err"; then
      ok "$KIND round $ROUND: the next fifoctl compute succeeds"
    else
      fail "$KIND round $ROUND: next compute: $(tail -3 "$WORK/recover.err")"
    fi
    ROUND="$ROUND+recovery" PROC=fifoctl check_versions compute-incremental "" 1
  fi
}

# ------------------------------------------- abandoned runs, the living ----

# proc_state PID: the state letter of /proc/PID/stat ("" when gone).
proc_state() { sed -n 's/^.*) \([A-Za-z]\).*$/\1/p' "/proc/$1/stat" 2>/dev/null; }

# wait_running_run PID: waits (up to 60 s) until process PID's computation
# has its 'running' row in the store; prints the run's id ("" when PID ended
# first or none appeared).
wait_running_run() {
  local id
  for _ in $(seq 1 6000); do
    id=$(sql "SELECT id FROM fifo_computation_log WHERE status = 'running' ORDER BY id DESC LIMIT 1" 2>/dev/null)
    [[ -n "$id" ]] && { echo "$id"; return 0; }
    kill -0 "$1" 2>/dev/null || return 0
    sleep 0.01
  done
}

# run_status ID: "status error" of run ID, read in SQL (marks nothing).
run_status() { sql "SELECT status || ' ' || COALESCE(error_message, '') FROM fifo_computation_log WHERE id = $1"; }

# runs_show_abandoned ID: the last runs_table shows run ID failed/abandoned.
runs_show_abandoned() {
  local line
  line=$(awk -v id="$1" 'NR > 1 && $1 == id' "$WORK/runs.txt")
  [[ $(awk '{ print $3 }' <<<"$line") == failed && $line == *abandoned* ]]
}

# start_replica: a second fifo_server on the store; sets REPLICA_PID and
# REPLICA_ADDRESS.
start_replica() {
  "$SERVER" --listen 127.0.0.1:0 --db "$DB" >"$WORK/replica.out" 2>"$WORK/replica.err" &
  REPLICA_PID=$!
  for _ in $(seq 1 300); do
    REPLICA_ADDRESS=$(sed -n 's/^fifo_server listening on //p' "$WORK/replica.out")
    [[ -n "$REPLICA_ADDRESS" ]] && return 0
    kill -0 "$REPLICA_PID" 2>/dev/null || break
    sleep 0.1
  done
  fail "$KIND: the second fifo_server did not start: $(tail -5 "$WORK/replica.err")"
  kill -9 "$REPLICA_PID" 2>/dev/null; wait "$REPLICA_PID" 2>/dev/null; REPLICA_PID=""
  return 1
}

# check_zombie_run: kill -9 a fifoctl compute mid-run and read the runs at
# once, while the killed process is a zombie. The compute is started by a
# shell that then execs sleep, which never reaps its children: the killed
# fifoctl stays a zombie (same pid, same /proc start time) until the sleep
# is killed. Up to 3 attempts, as a run may commit before the kill lands.
check_zombie_run() {
  local what="$KIND zombie" attempt pid id state status start elapsed
  for attempt in 1 2 3; do
    rm -f "$WORK/zombie.pid"
    bash -c 'pidfile=$1; shift; "$@" >/dev/null 2>&1 & echo $! >"$pidfile"; exec sleep 600' \
      _ "$WORK/zombie.pid" "${F[@]}" compute --all-symbols &
    HOLDER_PID=$!
    for _ in $(seq 1 500); do [[ -s "$WORK/zombie.pid" ]] && break; sleep 0.01; done
    pid=$(cat "$WORK/zombie.pid")
    id=$(wait_running_run "$pid")
    kill -9 "$pid" 2>/dev/null
    for _ in $(seq 1 500); do state=$(proc_state "$pid"); [[ $state == Z ]] && break; sleep 0.01; done
    status=$(if [[ -n "$id" ]]; then run_status "$id"; fi)
    if [[ $state != Z ]]; then
      fail "$what: the killed fifoctl (pid $pid) is not a zombie (state '$state')"
    elif [[ -z "$id" || $status != "running "* ]]; then
      echo "-- $what attempt $attempt: the run had ended before the kill (${status:-no run}); again"
    else
      # The first `fifoctl runs` after the kill, the killed process still a
      # zombie. PostgreSQL: its backend ends within a few seconds (the lock
      # is held until then, and the run rightly shows running): poll.
      start=$(now_ms)
      while true; do
        runs_table
        runs_show_abandoned "$id" && break
        [[ $KIND == sqlite ]] && break
        (($(now_ms) - start > 10000)) && break
        sleep 0.2
      done
      elapsed=$(($(now_ms) - start))
      state=$(proc_state "$pid")
      if runs_show_abandoned "$id"; then
        ok "$what: run $id of a kill -9'ed fifoctl (still a zombie: state $state) shows failed/abandoned in fifoctl runs after $elapsed ms"
      else
        fail "$what: run $id of a kill -9'ed fifoctl (zombie) after $elapsed ms: $(awk -v id="$id" 'NR > 1 && $1 == id' "$WORK/runs.txt")"
      fi
    fi
    kill -9 "$HOLDER_PID" 2>/dev/null; wait "$HOLDER_PID" 2>/dev/null; HOLDER_PID=""
    [[ $state == Z && -n "$id" && $status == "running "* ]] && return
    [[ $state == Z ]] || return
  done
  fail "$what: every compute ended before its kill; no zombie run was checked"
}

# check_survivor_read: with a fifo_server on the store, a fifoctl compute is
# kill -9'ed mid-run; the server's ListComputations (fifoctl --server runs)
# must show the run failed/abandoned within 10 s, nothing restarted.
check_survivor_read() {
  local what="$KIND survivor read" pid id status start elapsed
  start_server || return
  "${F[@]}" compute --all-symbols >/dev/null 2>&1 &
  pid=$!
  id=$(wait_running_run "$pid")
  kill -9 "$pid" 2>/dev/null; { wait "$pid"; } 2>/dev/null
  status=$(if [[ -n "$id" ]]; then run_status "$id"; fi)
  if [[ -z "$id" || $status != "running "* ]]; then
    echo "-- $what: the run had ended before the kill (${status:-no run}); not checked"
  else
    start=$(now_ms)
    while true; do
      "$FIFOCTL" --server "$ADDRESS" -q runs --limit 1000 >"$WORK/runs.txt" 2>"$WORK/runs.err" ||
        fail "$what: fifoctl --server runs: $(cat "$WORK/runs.err")"
      runs_show_abandoned "$id" && break
      (($(now_ms) - start > 10000)) && break
      sleep 0.2
    done
    elapsed=$(($(now_ms) - start))
    if runs_show_abandoned "$id"; then
      ok "$what: run $id of a kill -9'ed fifoctl shows failed/abandoned in the server's ListComputations after $elapsed ms"
    else
      fail "$what: run $id after $elapsed ms in the server's ListComputations: $(awk -v id="$id" 'NR > 1 && $1 == id' "$WORK/runs.txt")"
    fi
  fi
  stop_server
}

# check_survivor_sweep: two fifo_server replicas; a computation in one of
# them is kill -9'ed mid-run (with the server); nothing reads runs, yet the
# other replica's sweep marks the run failed/abandoned in the store within
# 25 s (read in SQL), and says so in its log.
check_survivor_sweep() {
  local what="$KIND survivor sweep" cpid id status start elapsed
  : >"$WORK/server.err"  # only this survivor's log is searched below
  start_server || return
  start_replica || { stop_server; return; }
  "$FIFOCTL" --server "$REPLICA_ADDRESS" -q compute --all-symbols >/dev/null 2>&1 &
  cpid=$!
  id=$(wait_running_run "$cpid")
  kill -9 "$REPLICA_PID"; { wait "$REPLICA_PID"; } 2>/dev/null; REPLICA_PID=""
  wait "$cpid" 2>/dev/null
  status=$(if [[ -n "$id" ]]; then run_status "$id"; fi)
  if [[ -z "$id" || $status != "running "* ]]; then
    echo "-- $what: the run had ended before the kill (${status:-no run}); not checked"
  else
    start=$(now_ms)
    while true; do
      status=$(run_status "$id")
      [[ $status == "failed abandoned" ]] && break
      (($(now_ms) - start > 25000)) && break
      sleep 0.2
    done
    elapsed=$(($(now_ms) - start))
    if [[ $status == "failed abandoned" ]] && grep -q '"event":"abandoned_runs_marked".*"before":"sweep"\|"before":"sweep".*"event":"abandoned_runs_marked"' "$WORK/server.err"; then
      ok "$what: run $id of a kill -9'ed fifo_server marked failed/abandoned by the other replica's sweep after $elapsed ms"
    else
      fail "$what: run $id after $elapsed ms: '$status'; survivor log: $(grep abandoned "$WORK/server.err" | tail -2)"
    fi
  fi
  stop_server
}

run_store() {  # run_store KIND DB_URL
  KIND=$1 DB=$2
  F=("$FIFOCTL" --db "$DB" -q)
  RANDOM=$((SEED + ${#KIND}))  # per store, so each store's delays are reproducible alone
  COMMITTED_IMPORTS=0 COMMITTED_RUNS=0 AFTER_COMMIT=0 ABANDONED=0 MID_OP=0 FINISHED_FIRST=0
  echo "== $KIND: $DB"
  "${F[@]}" migrate >/dev/null || { fail "$KIND: migrate"; return; }
  local index=0 t0 t_import t_compute t_prune
  gen_trades "$WORK/$KIND.base.csv" "${KIND}base" "$BASE_TRADES" $index "$SEED"
  index=$((index + BASE_TRADES))
  gen_trades "$WORK/$KIND.calib.csv" "${KIND}calib" "$BATCH_TRADES" $index $((SEED + 1))
  index=$((index + BATCH_TRADES))
  "${F[@]}" import-trades "$WORK/$KIND.base.csv" >/dev/null || fail "$KIND: base import"
  t0=$(now_ms)
  "${F[@]}" import-trades "$WORK/$KIND.calib.csv" >/dev/null || fail "$KIND: calibration import"
  t_import=$(($(now_ms) - t0))
  t0=$(now_ms)
  "${F[@]}" compute --all-symbols >/dev/null 2>&1 || fail "$KIND: first compute"
  t_compute=$(($(now_ms) - t0))
  { head -1 "$WORK/$KIND.base.csv"; tail -n +2 "$WORK/$KIND.base.csv"; tail -n +2 "$WORK/$KIND.calib.csv"; } >"$WORK/committed.csv"
  export_latest "$WORK/prev.csv"
  runs_table
  PREV_VERSION=$(latest_version)
  echo "$KIND: $((BASE_TRADES + BATCH_TRADES)) trades, version $PREV_VERSION; an import of $BATCH_TRADES trades took $t_import ms, a full computation $t_compute ms"

  # A prune has work once a few versions exist: calibrate it on a dry run
  # after a second version (--rewrite: new rows, so segments to delete).
  "${F[@]}" compute --all-symbols --rewrite >/dev/null 2>&1 || fail "$KIND: second compute"
  export_latest "$WORK/prev.csv"
  runs_table
  PREV_VERSION=$(latest_version)
  t0=$(now_ms)
  "${F[@]}" prune --keep-last 1 --dry-run >/dev/null 2>&1 || fail "$KIND: prune --dry-run"
  t_prune=$(($(now_ms) - t0))
  local ops=(import compute-all compute-incremental compute-symbol prune) attempted=()
  for ((ROUND = 1; ROUND <= ROUNDS; ROUND++)); do
    PROC=fifoctl; ((ROUND % 2 == 0)) && PROC=server
    OP=${ops[$(((ROUND - 1) / 2 % 5))]}
    case $OP in
      import)
        local file="$WORK/$KIND.batch$ROUND.csv"
        gen_trades "$file" "${KIND}b$ROUND" "$BATCH_TRADES" $index $((SEED + 100 + ROUND))
        index=$((index + BATCH_TRADES))
        attempted+=("$file")
        kill_point import "$file" "$t_import" ;;
      compute-symbol) kill_point "$OP" "${SYMBOLS[$((ROUND % ${#SYMBOLS[@]}))]}" "$t_compute" ;;
      prune) kill_point prune "" "$t_prune" ;;
      *) kill_point "$OP" "" "$t_compute" ;;
    esac
  done

  # Abandoned runs noticed by the living, nothing restarted.
  ROUND=living PROC=fifoctl OP=compute-all
  check_zombie_run
  check_survivor_read
  check_survivor_sweep

  # Finally: every file is all or nothing, a clean full run equals the engine.
  ROUND=final PROC=fifoctl OP=compute-all
  local out
  out=$("${F[@]}" import-trades --dry-run "$WORK/committed.csv" 2>&1)
  [[ $out == *"would import 0 new trades"* ]] && ok "$KIND final: every committed trade is stored" || fail "$KIND final: $out"
  "${F[@]}" compute --all-symbols >/dev/null 2>&1 || fail "$KIND final: compute --all-symbols"
  check_versions compute-all "" 1
  check_unfinished
  check_validate
  runs_table
  [[ -z "$(running_ids)" ]] && ok "$KIND final: no run left running" || fail "$KIND final: runs left running: $(running_ids)"
  SUMMARY+=("$KIND: $ROUNDS kill points (fifoctl ${KILLS_BY["$KIND fifoctl"]:-0}, fifo_server ${KILLS_BY["$KIND server"]:-0}); $MID_OP killed mid-operation ($AFTER_COMMIT of them after the commit), $FINISHED_FIRST had finished; $COMMITTED_IMPORTS of ${#attempted[@]} killed imports committed; $COMMITTED_RUNS of $((ROUNDS - ${#attempted[@]})) killed computations committed; $ABANDONED abandoned runs marked; final ledger $(($(wc -l <"$WORK/committed.csv") - 1)) trades")
}

declare -A KILLS_BY
SUMMARY=()
SQLITE_PATH="$WORK/fault.db"
run_store sqlite "sqlite:$SQLITE_PATH"
if [[ -n "$PG_ADMIN_URL" ]]; then
  PG_DATABASE="fifo_fault_$$_$(date +%s)"
  if psql "$PG_ADMIN_URL" -qc "CREATE DATABASE $PG_DATABASE" >/dev/null; then
    base=${PG_ADMIN_URL%%\?*} query=""
    [[ $PG_ADMIN_URL == *\?* ]] && query="?${PG_ADMIN_URL#*\?}"
    run_store postgres "${base%/*}/$PG_DATABASE$query"
  else
    fail "postgres: cannot create database $PG_DATABASE"
  fi
else
  echo "FIFO_TEST_POSTGRES_URL not set: PostgreSQL skipped"
fi

echo "== kill points (seed $SEED)"
for line in "${SUMMARY[@]}"; do echo "$line"; done
for store in sqlite postgres; do
  for proc in fifoctl server; do
    for op in import compute-all compute-incremental compute-symbol; do
      n=${KILLS_BY["$store $proc $op"]:-0}
      ((n > 0)) && echo "  $store $proc $op: $n"
    done
  done
done
echo "$PASSED passed, $FAILED failed"
((FAILED == 0))
