// File: cli/allocate_command.h
//
// `fifoctl allocate --trades FILE [--symbol-config FILE] [--out FILE]`: runs
// the engine in memory on a trades CSV, writes the allocations CSV (stdout by
// default) and a per-symbol summary to stderr. Touches no store.
#ifndef FIFO_CLI_ALLOCATE_COMMAND_H_
#define FIFO_CLI_ALLOCATE_COMMAND_H_

#include "CLI/CLI.hpp"
#include "cli/cli_common.h"

namespace fifo::cli {

void RegisterAllocateCommand(CLI::App& app, GlobalOptions& global,
                             int& exit_code);

}  // namespace fifo::cli

#endif  // FIFO_CLI_ALLOCATE_COMMAND_H_
