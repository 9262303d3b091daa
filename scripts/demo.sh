#!/usr/bin/env bash
# The main job on the embedded default, from a fresh Debian 12 machine:
# installs what is missing, builds fifoctl, imports the sample ledger into
# SQLite (fifo.db here, or $FIFO_DB), computes a version of the allocations,
# validates it and prints the PnL report.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bazel build -c opt //cli:fifoctl >&2
FIFOCTL=(bazel-bin/cli/fifoctl --symbol-config examples/symbol_config.json)
export FIFO_DB=${FIFO_DB:-sqlite:fifo.db}
echo "== store: $FIFO_DB" >&2
"${FIFOCTL[@]}" migrate
"${FIFOCTL[@]}" import-trades examples/sample_trades.csv
"${FIFOCTL[@]}" compute --all-symbols
"${FIFOCTL[@]}" validate
"${FIFOCTL[@]}" pnl-report
