// File: cli/store_commands.h
//
// fifoctl's store subcommands (the design's "CLI Commands"): migrate,
// import-trades, compute, validate, export-allocations, runs, review. They
// run against the local store (--db) or a fifo_server (--server) through
// cli/backend.h.
#ifndef FIFO_CLI_STORE_COMMANDS_H_
#define FIFO_CLI_STORE_COMMANDS_H_

#include "CLI/CLI.hpp"
#include "cli/cli_common.h"

namespace fifo::cli {

void RegisterStoreCommands(CLI::App& app, GlobalOptions& global,
                           int& exit_code);

}  // namespace fifo::cli

#endif  // FIFO_CLI_STORE_COMMANDS_H_
