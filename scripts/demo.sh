#!/usr/bin/env bash
# The main job on the embedded default: builds fifoctl and runs the FIFO
# engine on the sample ledger in examples/, printing the allocations and the
# per-symbol PnL summary.
set -euo pipefail
cd "$(dirname "$0")/.."
bazel build -c opt //cli:fifoctl >&2
FIFOCTL=bazel-bin/cli/fifoctl
$FIFOCTL --symbol-config examples/symbol_config.json \
  allocate --trades examples/sample_trades.csv
