#!/usr/bin/env bash
# Checks that Bazel visibility allows only the dependency arrows of
# docs/architecture.md ("Layering"), so that a new wrong edge cannot build.
# Each check names a set of protected targets and the packages that may see
# them; it runs `bazel query 'visible(//P:*, PROTECTED except //P:*)'` for
# every other package P of the workspace (one query, a union) and fails when
# that is not empty. `visible(T, X)` keeps the targets of X that are visible
# to all of T; visibility is per package, so //P:* stands for any target of
# P. The checks (the TODO(layering) edges of the BUILD files are allowed):
#   soci      the wrappers that link SOCI: only storage/ and storage/testing
#   storage   every target of storage/: only core/, api/, service/, cli/,
#             tests/... (and fuzz/, a TODO)
#   grpc      every library that links gRPC (//third_party:grpc and its
#             rdeps, e.g. proto:fifo_cc_grpc, api:grpc_status): only
#             proto/, service/ (not core/), cli/, tests/e2e, bench/
#   protobuf  //third_party:protobuf: only proto/, service/, cli/,
#             tests/e2e, bench/, fuzz/ (and formats/, a TODO)
#   fifo_v1_messages  //proto:fifo_cc_proto: the same, formats/ not included
#   curl      only common/ (the package of common:alert_webhook), and
#   curl_edges  no target but common:alert_webhook depends on it
#   engine    engine/ sees nothing of the workspace but
#             //common:status_macros and the Abseil, Boost, gtest wrappers
#             (config_settings aside: Bazel 4.2 does not check theirs)
# Prints each failing query and what it found; exit 0 when all pass.
# Run alone with `bash scripts/check_layering.sh` (-v prints every query);
# scripts/test.sh runs it.
set -uo pipefail
cd "$(dirname "$0")/.."

verbose=0
[[ "${1:-}" == "-v" ]] && verbose=1
failures=0
checks=0
err=$(mktemp)
trap 'rm -f "$err"' EXIT

# query EXPR [FLAGS...]: the result on stdout; on a query error prints it
# and returns 1 (an error must not pass for an empty result).
query() {
  local expr=$1
  shift
  [[ $verbose -eq 1 ]] && echo "layering: bazel query ${*:+$* }'$expr'" >&2
  if ! bazel query --noshow_progress "$@" "$expr" 2>"$err"; then
    echo "layering: query failed: bazel query '$expr'" >&2
    grep -v '^Loading' "$err" >&2
    return 1
  fi
}

fail() {
  echo "layering: FAIL $1" >&2
  failures=$((failures + 1))
}

# must_be_empty NAME EXPR
must_be_empty() {
  local name=$1 expr=$2 out
  checks=$((checks + 1))
  if ! out=$(query "$expr"); then
    fail "$name (query error)"
    return
  fi
  if [[ -n "$out" ]]; then
    fail "$name: bazel query '$expr' is not empty:"
    sed 's/^/    /' <<<"$out" >&2
  fi
}

# check NAME PROTECTED ALLOWED: no package outside ALLOWED (a query
# expression over the packages that may see PROTECTED, as //pkg:* or
# //pkg/...) sees a target of PROTECTED outside its own package.
check() {
  local name=$1 protected=$2 allowed=$3 packages p expr out
  local -a terms=()
  checks=$((checks + 1))
  if ! out=$(query "$protected"); then
    fail "$name (query error)"
    return
  fi
  if [[ -z "$out" ]]; then
    fail "$name: nothing to check, bazel query '$protected' is empty"
    return
  fi
  if ! packages=$(query "//... except ($allowed)" --output=package); then
    fail "$name (query error)"
    return
  fi
  while IFS= read -r p; do  # "" is the root package
    [[ -n "$p" ]] && terms+=("visible(//$p:*, ($protected) except //$p:*)")
  done <<<"$packages"
  [[ ${#terms[@]} -gt 0 ]] || return
  expr=""
  for p in "${terms[@]}"; do
    expr+="${expr:+ + }$p"
  done
  if ! out=$(query "$expr"); then
    fail "$name (query error)"
    return
  fi
  [[ -z "$out" ]] && return
  fail "$name: visible outside its allowed users ($allowed)"
  for p in "${terms[@]}"; do  # name each query that fails
    out=$(query "$p") || continue
    if [[ -n "$out" ]]; then
      echo "    bazel query '$p' is not empty:" >&2
      sed 's/^/      /' <<<"$out" >&2
    fi
  done
}

check soci \
  'attr(linkopts, "soci", //third_party:*)' \
  '//storage/... + //storage/testing/...'

check storage \
  'kind(rule, //storage/...)' \
  '//storage/... + //core:* + //api:* + //service/... + //cli/... + //tests/... + //fuzz:*'

check grpc \
  'kind(cc_library, rdeps(//..., //third_party:grpc))' \
  '//proto:* + //api:* + //service:* + //service/metrics:* + //cli/... + //tests/e2e/... + //bench/...'

check protobuf \
  '//third_party:protobuf' \
  '//proto:* + //api:* + //service:* + //service/metrics:* + //cli/... + //tests/e2e/... + //bench/... + //fuzz:* + //formats:*'

check fifo_v1_messages \
  '//proto:fifo_cc_proto' \
  '//api:* + //service:* + //service/metrics:* + //cli/... + //tests/e2e/... + //bench/... + //fuzz:*'

check curl \
  '//third_party:curl' \
  '//common:*'

must_be_empty curl_edges \
  'rdeps(//..., //third_party:curl, 1) except //third_party:curl except //common:alert_webhook'

must_be_empty engine \
  'visible(//engine:*, kind(rule, //... except //engine/...) except kind(config_setting, //...)) except //common:status_macros except //third_party:absl except //third_party:boost except //third_party:gtest_main'

if [[ $failures -ne 0 ]]; then
  echo "layering: $failures of $checks checks failed (docs/architecture.md, \"Layering\")" >&2
  exit 1
fi
echo "layering: all $checks checks passed"
