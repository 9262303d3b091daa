// File: cli/summary.h
//
// The per-symbol summary fifoctl prints after a computation: realized PnL,
// matched and unmatched size, open inventory size and cost. Exact values.
#ifndef FIFO_CLI_SUMMARY_H_
#define FIFO_CLI_SUMMARY_H_

#include <ostream>
#include <vector>

#include "engine/fifo_engine.h"

namespace fifo::cli {

void PrintComputationSummary(std::ostream& os,
                             const std::vector<SymbolComputation>& computed);

}  // namespace fifo::cli

#endif  // FIFO_CLI_SUMMARY_H_
