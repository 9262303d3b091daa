// File: cli/report_command.h
//
// `fifoctl pnl-report [--version N] [--symbol S] [--period P] [--by day|month]
// [--format table|csv|json]`: realized PnL by symbol (and period), unmatched
// sells and open inventory of one version. Tables round half-even to each
// symbol's precision (the design's round_for_symbol); CSV and JSON carry
// exact values.
#ifndef FIFO_CLI_REPORT_COMMAND_H_
#define FIFO_CLI_REPORT_COMMAND_H_

#include "CLI/CLI.hpp"
#include "cli/cli_common.h"

namespace fifo::cli {

void RegisterReportCommand(CLI::App& app, GlobalOptions& global,
                           int& exit_code);

}  // namespace fifo::cli

#endif  // FIFO_CLI_REPORT_COMMAND_H_
