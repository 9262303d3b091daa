#!/usr/bin/env bash
# The whole test suite. Installs what is missing, starts a throwaway
# PostgreSQL server, then runs:
#   1. every Bazel test (unit, store, CLI, gRPC end-to-end, fault and
#      bad-input tests) against SQLite and that PostgreSQL;
#   2. the Kubernetes manifest check (scripts/check_k8s.sh, and its
#      self-test: broken copies must fail) and the layering check
#      (scripts/check_layering.sh: Bazel visibility allows only the
#      architecture's arrows);
#   3. the same Bazel tests under AddressSanitizer + UBSan (--config=asan);
#   4. a bounded fuzzing smoke run of every libFuzzer target;
#   5. the benchmarks in smoke mode (tiny sizes, no timing asserted): the
#      engine micro-benchmarks, bench/run.sh and bench/compute_symbol_load.sh
#      end to end, so that they keep working.
# Ends with "N passed, N failed" (test cases of every phase).
# FIFO_TEST_QUICK=1 runs phases 1 and 2 only; FUZZ_SECONDS sets the fuzzing
# time per target (default 10).
set -uo pipefail
cd "$(dirname "$0")/.."

bash scripts/setup.sh || exit 1
source scripts/pg_throwaway.sh
trap pg_throwaway_stop EXIT
pg_throwaway_start || { echo "test: could not start PostgreSQL" >&2; exit 1; }
echo "test: PostgreSQL on 127.0.0.1:$PG_PORT" >&2

BAZEL_ARGS=(--keep_going --test_env="FIFO_TEST_POSTGRES_URL=$PG_URL")
if [[ "${CI:-}" == "true" ]]; then
  BAZEL_ARGS+=(--noshow_progress --curses=no --color=no)
fi

passed=0
failed=0
overall=0

# Adds the test cases of the last `bazel test` (config args in "$@") to the
# totals, from the JUnit XML every test target leaves behind.
count_bazel_results() {
  local testlogs target rel xml line tests fails errs disabled bad
  testlogs=$(bazel info "$@" bazel-testlogs 2>/dev/null)
  while IFS= read -r target; do
    rel=${target#//}
    xml="$testlogs/${rel/://}/test.xml"
    if [[ ! -f "$xml" ]]; then
      echo "test: no result for $target" >&2
      failed=$((failed + 1))
      continue
    fi
    line=$(grep -m1 -o '<testsuites [^>]*>' "$xml" || true)
    if [[ -n "$line" ]]; then
      tests=$(sed -n 's/.* tests="\([0-9]*\)".*/\1/p' <<<"$line")
      fails=$(sed -n 's/.* failures="\([0-9]*\)".*/\1/p' <<<"$line")
      errs=$(sed -n 's/.* errors="\([0-9]*\)".*/\1/p' <<<"$line")
      disabled=$(sed -n 's/.* disabled="\([0-9]*\)".*/\1/p' <<<"$line")
      bad=$(( ${fails:-0} + ${errs:-0} ))
      passed=$(( passed + ${tests:-0} - ${disabled:-0} - bad ))
      failed=$(( failed + bad ))
    elif grep -q '<failure' "$xml"; then
      failed=$((failed + 1))
    else
      passed=$((passed + 1))
    fi
  done < <(bazel query 'tests(//...)' 2>/dev/null)
}

run_bazel_tests() {  # run_bazel_tests [CONFIG_ARGS...]
  local before=$failed status
  bazel test "${BAZEL_ARGS[@]}" "$@" //...
  status=$?
  count_bazel_results "$@"
  if [[ $status -ne 0 && $failed -eq $before ]]; then
    failed=$((failed + 1))  # the build failed, or a test left no XML
  fi
  [[ $status -eq 0 ]] || overall=1
}

echo "== test: bazel test //..." >&2
run_bazel_tests

echo "== test: Kubernetes manifests" >&2
if bash scripts/check_k8s.sh && bash scripts/check_k8s.sh --self-test; then
  passed=$((passed + 1))
else
  failed=$((failed + 1)); overall=1
fi

echo "== test: layering (Bazel visibility)" >&2
if bash scripts/check_layering.sh; then passed=$((passed + 1)); else failed=$((failed + 1)); overall=1; fi

if [[ "${FIFO_TEST_QUICK:-}" != "1" ]]; then
  echo "== test: bazel test --config=asan //..." >&2
  run_bazel_tests --config=asan

  echo "== test: fuzzing smoke run" >&2
  if FUZZ_SECONDS=${FUZZ_SECONDS:-10} bash scripts/fuzz_smoke.sh; then
    passed=$((passed + 1))
  else
    failed=$((failed + 1))
    overall=1
  fi

  echo "== test: benchmarks, smoke mode" >&2
  bench_engine() {
    bazel run -c opt //bench:engine_benchmark -- --benchmark_min_time=0.001 \
      --benchmark_filter='SymbolAllocator/mixed|Decimal(Add|Divide)/typical'
  }
  bench_paths() {
    bash bench/run.sh --trades 3000 --symbols 3 --increment 100 --repeat 2 \
      --no-peer
  }
  bench_compute_symbol() {
    bash bench/compute_symbol_load.sh --ledgers single --symbol-trades 500 \
      --callers 1,2 --calls 2 --warmup 0
  }
  for step in bench_engine bench_paths bench_compute_symbol; do
    if "$step"; then passed=$((passed + 1)); else
      echo "test: $step failed" >&2; failed=$((failed + 1)); overall=1; fi
  done
fi

echo "${passed} passed, ${failed} failed"
[[ $overall -eq 0 && $failed -eq 0 ]]
