// File: cli/legacy_command.h
//
// `fifoctl legacy ...`: the old system's derived PnL columns during the
// migration (design: "Migration Strategy" Phases 1 and 3, "Historical
// Corrupted Data"; storage/ledger_store.h, "legacy PnL columns"):
//
//   legacy status        which legacy columns, tables and values exist
//   legacy snapshot      historical_pnl_snapshot_YYYYMMDD (UTC today) of every
//                        sell's old parent_id / pnl_usd / cost_basis_usd;
//                        refuses (kAlreadyExists) when it exists
//   legacy compare       old PnL vs a version's, per sell and per symbol
//                        [--version N] [--symbol S] [--format table|csv|json]
//   legacy drop-columns  Phase 3: backup into trade_records_backup_old_pnl,
//                        then drop the columns, in one transaction; does
//                        nothing without --yes
//
// These work on the database itself (--db / $FIFO_DB), never through
// --server, and need a current schema (`fifoctl migrate` first: migrate is
// also what adopts an old system's trade_records).
#ifndef FIFO_CLI_LEGACY_COMMAND_H_
#define FIFO_CLI_LEGACY_COMMAND_H_

#include "CLI/CLI.hpp"
#include "cli/cli_common.h"

namespace fifo::cli {

void RegisterLegacyCommand(CLI::App& app, GlobalOptions& global,
                           int& exit_code);

}  // namespace fifo::cli

#endif  // FIFO_CLI_LEGACY_COMMAND_H_
