#!/usr/bin/env bash
# Builds every libFuzzer target (//fuzz, tag "fuzz_target"; see fuzz/fuzz.bzl)
# with clang, ASan and UBSan (--config=fuzz in .bazelrc) and runs each for a
# bounded time, starting from its seed corpus in tests/fuzz_corpus/<short>/.
# Prints the executions per target and exits non-zero on any crash, leak,
# sanitizer report or violated property (fuzz/format_properties.h).
#
# Environment:
#   FUZZ_SECONDS      seconds per target (default 20), libFuzzer -max_total_time
#   FUZZ_TARGETS      space-separated target names to run (default: all)
#   FUZZ_OUTPUT_BASE  Bazel output base for the clang build (default: one per
#                     work tree under ~/.cache/bazel). Kept apart from the
#                     default output base so the gcc build's cache is never
#                     invalidated by the toolchain switch; that Bazel server
#                     exits after 5 idle minutes.
#   FUZZ_WORK         where generated corpora and crash artifacts go (default:
#                     a fresh temp dir, kept when something was found)
#
# A crash found: the script prints the input's path. Copy it to
# tests/fuzz_corpus/<short>/regression-<what> and fix the bug;
# //tests/bad_inputs:fuzz_regression_test then replays it under the default
# build forever.
set -uo pipefail
cd "$(dirname "$0")/.."

FUZZ_SECONDS=${FUZZ_SECONDS:-20}
if ! [[ "$FUZZ_SECONDS" =~ ^[0-9]+$ ]] || ((FUZZ_SECONDS < 1)); then
  echo "fuzz_smoke: FUZZ_SECONDS must be a positive integer, got '$FUZZ_SECONDS'" >&2
  exit 2
fi
if ! command -v clang >/dev/null 2>&1; then
  echo "fuzz_smoke: clang not found; run scripts/setup.sh (clang, libclang-rt-14-dev)" >&2
  exit 1
fi

tree_id=$(pwd -P | md5sum | cut -c1-12)
OUTPUT_BASE=${FUZZ_OUTPUT_BASE:-$HOME/.cache/bazel/fifo-fuzz-$tree_id}
BAZEL=(bazel --output_base="$OUTPUT_BASE" --max_idle_secs=300)
WORK=${FUZZ_WORK:-$(mktemp -d /tmp/fifo-fuzz.XXXXXX)}
mkdir -p "$WORK"
QUIET=(--noshow_progress --curses=no --color=no)

if [[ -n "${FUZZ_TARGETS:-}" ]]; then
  read -r -a targets <<<"$FUZZ_TARGETS"
  targets=("${targets[@]/#/\/\/fuzz:}")
else
  mapfile -t targets < <("${BAZEL[@]}" query "${QUIET[@]}" \
    'attr(tags, "fuzz_target", //fuzz/...)' 2>"$WORK/query.log")
fi
if ((${#targets[@]} == 0)); then
  echo "fuzz_smoke: no fuzz target found" >&2
  cat "$WORK/query.log" >&2 2>/dev/null
  exit 1
fi

echo "fuzz_smoke: building ${#targets[@]} targets with clang (output base $OUTPUT_BASE)" >&2
if ! "${BAZEL[@]}" build "${QUIET[@]}" --config=fuzz "${targets[@]}" >"$WORK/build.log" 2>&1; then
  grep -v "Cannot export local symbol" "$WORK/build.log" | tail -40 >&2
  echo "fuzz_smoke: build failed (log: $WORK/build.log)" >&2
  exit 1
fi
bin=$("${BAZEL[@]}" info "${QUIET[@]}" --config=fuzz bazel-bin 2>/dev/null)

crashed=0
total_execs=0
printf '%-24s %12s %10s  %s\n' target executions exec/s result
for target in "${targets[@]}"; do
  name=${target##*:}
  short=${name%_fuzzer}
  seeds=tests/fuzz_corpus/$short
  out=$WORK/$short
  mkdir -p "$out/corpus"
  args=(-max_total_time="$FUZZ_SECONDS" -timeout=10 -rss_limit_mb=2048
        -print_final_stats=1 -artifact_prefix="$out/")
  [[ -f fuzz/dicts/$short.dict ]] && args+=(-dict="fuzz/dicts/$short.dict")
  corpora=("$out/corpus")
  [[ -d $seeds ]] && corpora+=("$seeds")
  "$bin/fuzz/$name" "${args[@]}" "${corpora[@]}" >"$out/log" 2>&1
  rc=$?
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$out/log" | tail -1)
  rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$out/log" | tail -1)
  artifacts=$(ls "$out"/crash-* "$out"/leak-* "$out"/timeout-* "$out"/oom-* 2>/dev/null)
  if [[ $rc -ne 0 || -n "$artifacts" ]]; then
    crashed=$((crashed + 1))
    printf '%-24s %12s %10s  %s\n' "$name" "${execs:-?}" "${rate:-?}" "CRASH (exit $rc)"
    grep -m1 -E "PROPERTY VIOLATED|ERROR: (AddressSanitizer|LeakSanitizer|libFuzzer)|runtime error" "$out/log" | cut -c1-400 | sed 's/^/    /'
    for a in $artifacts; do echo "    input: $a"; done
    echo "    log: $out/log"
  else
    printf '%-24s %12s %10s  %s\n' "$name" "${execs:-?}" "${rate:-?}" ok
  fi
  total_execs=$((total_execs + ${execs:-0}))
done

echo "fuzz_smoke: ${#targets[@]} targets, $total_execs executions, $crashed crashed (${FUZZ_SECONDS}s each)"
if ((crashed > 0)); then
  echo "fuzz_smoke: inputs and logs kept in $WORK" >&2
  exit 1
fi
[[ -z "${FUZZ_WORK:-}" ]] && rm -rf "$WORK"
exit 0
