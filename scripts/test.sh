#!/usr/bin/env bash
# The whole test suite: installs what is missing, starts a throwaway
# PostgreSQL server, runs every Bazel test against SQLite and that server,
# and ends with "N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/.."

bash scripts/setup.sh || exit 1
source scripts/pg_throwaway.sh
trap pg_throwaway_stop EXIT
pg_throwaway_start || { echo "test: could not start PostgreSQL" >&2; exit 1; }
echo "test: PostgreSQL 15 on 127.0.0.1:$PG_PORT" >&2

BAZEL_ARGS=(--keep_going --test_env="FIFO_TEST_POSTGRES_URL=$PG_URL")
if [[ "${CI:-}" == "true" ]]; then
  BAZEL_ARGS+=(--noshow_progress --curses=no --color=no)
fi

bazel test "${BAZEL_ARGS[@]}" //...
status=$?

# Count test cases from the JUnit XML that every test target leaves behind.
passed=0
failed=0
testlogs=$(bazel info bazel-testlogs 2>/dev/null)
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
  else
    # A non-GoogleTest target: one case, judged by its <failure> element.
    if grep -q '<failure' "$xml"; then failed=$((failed + 1)); else passed=$((passed + 1)); fi
  fi
done < <(bazel query 'tests(//...)' 2>/dev/null)

if [[ $status -ne 0 && $failed -eq 0 ]]; then
  # The build itself failed, or a test crashed before writing its XML.
  failed=1
fi
echo "${passed} passed, ${failed} failed"
[[ $status -eq 0 && $failed -eq 0 ]]
