#include "cli/legacy_command.h"

#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/string_view.h"
#include "absl/time/clock.h"
#include "cli/table.h"
#include "common/log.h"
#include "common/status_macros.h"
#include "engine/timestamp.h"
#include "formats/csv_writer.h"
#include "core/legacy_comparison.h"
#include "core/validations.h"
#include "storage/ledger_store.h"

namespace fifo::cli {
namespace {

void OnRun(CLI::App* cmd, int& exit_code, std::function<absl::Status()> body) {
  cmd->callback([body = std::move(body), &exit_code] {
    absl::Status status = body();
    exit_code = status.ok() ? kExitOk : ReportError(status);
  });
}

// The local store, which must be at the current schema.
absl::StatusOr<std::unique_ptr<LedgerStore>> OpenStore(
    const GlobalOptions& global) {
  if (!global.server.empty()) {
    return absl::FailedPreconditionError(
        "fifoctl legacy works on the database itself: use --db, not --server");
  }
  const std::string url = global.db.empty() ? DefaultStoreUrl() : global.db;
  FIFO_RETURN_IF_ERROR(RequireExistingSqliteFile(url));
  FIFO_ASSIGN_OR_RETURN(std::unique_ptr<LedgerStore> store,
                        OpenLedgerStore(url));
  FIFO_RETURN_IF_ERROR(store->CheckSchema());
  return store;
}

std::string Opt(const std::optional<Decimal>& d) {
  return d.has_value() ? d->ToString() : "";
}

std::string JsonOpt(const std::optional<Decimal>& d) {
  return d.has_value() ? JsonQuote(d->ToString()) : "null";
}

// --- status ----------------------------------------------------------------

absl::Status RunLegacyStatus(const GlobalOptions& global) {
  FIFO_ASSIGN_OR_RETURN(std::unique_ptr<LedgerStore> store, OpenStore(global));
  FIFO_ASSIGN_OR_RETURN(LegacyStatus s, store->GetLegacyStatus());
  std::cout << "legacy columns: "
            << (s.columns.empty() ? "none (dropped)"
                                  : absl::StrCat(absl::StrJoin(s.columns, ", "),
                                                 " (deprecated, read-only)"))
            << "\n"
            << "sells: " << s.sells << ", with a legacy pnl_usd: "
            << s.sells_with_pnl << "\n"
            << "adopted old table: "
            << (s.legacy_table ? kLegacyTradeTable : "none") << "\n"
            << "snapshots: "
            << (s.snapshot_tables.empty()
                    ? "none"
                    : absl::StrJoin(s.snapshot_tables, ", "))
            << "\n"
            << "backup table: "
            << (s.backup_table ? kLegacyBackupTable : "none") << "\n";
  return absl::OkStatus();
}

// --- snapshot --------------------------------------------------------------

absl::Status RunSnapshot(const GlobalOptions& global) {
  FIFO_ASSIGN_OR_RETURN(std::unique_ptr<LedgerStore> store, OpenStore(global));
  const absl::CivilDay today =
      absl::ToCivilDay(absl::Now(), absl::UTCTimeZone());
  FIFO_ASSIGN_OR_RETURN(LegacySnapshotResult r,
                        store->CreateLegacySnapshot(today));
  std::cout << "created " << r.table << " with " << r.rows
            << " sells (note 'corrupted_historical', snapshot_time "
            << FormatTimestamp(r.snapshot_time) << ")\n";
  return absl::OkStatus();
}

// --- compare ---------------------------------------------------------------

struct CompareOptions {
  std::optional<int64_t> version;
  std::string symbol;
  std::string format = "table";
};

void PrintTable(const LegacyPnlComparison& c) {
  std::cout << "legacy pnl_usd (old system) vs allocation version "
            << c.version << "; difference = new - old, exact\n";
  for (const LegacyPnlSymbol& s : c.symbols) {
    std::cout << "\n" << s.symbol << "\n";
    Table t({"sell_order_id", "sell_time", "old_pnl_usd", "new_pnl_usd",
             "difference_usd", "unmatched_size"});
    for (const LegacyPnlRow& r : s.rows) {
      t.AddRow({r.order_id, FormatTimestamp(r.sell_time), Opt(r.old_pnl),
                Opt(r.new_pnl), Opt(r.difference),
                r.unmatched_size.is_zero() ? "" : r.unmatched_size.ToString()});
    }
    t.Print(std::cout);
  }
  std::cout << "\nper symbol:\n";
  Table totals({"symbol", "sells", "sells_with_old", "old_pnl_usd",
                "new_pnl_usd", "difference_usd"});
  for (const LegacyPnlSymbol& s : c.symbols) {
    totals.AddRow({s.symbol, std::to_string(s.sells),
                   std::to_string(s.sells_with_old), s.old_total.ToString(),
                   s.new_total.ToString(), s.difference.ToString()});
  }
  totals.AddRow({"TOTAL", "", "", c.old_total.ToString(),
                 c.new_total.ToString(), c.difference.ToString()});
  totals.Print(std::cout);
}

void PrintCsv(const LegacyPnlComparison& c) {
  std::ostream& o = std::cout;
  o << "record,version,symbol,sell_order_id,sell_time,old_pnl_usd,"
       "new_pnl_usd,difference_usd,unmatched_size,sells,sells_with_old\n";
  const std::string version = absl::StrCat(c.version);
  for (const LegacyPnlSymbol& s : c.symbols) {
    for (const LegacyPnlRow& r : s.rows) {
      WriteCsvRecord(
          o, {"sell", version, s.symbol, r.order_id,
              FormatTimestamp(r.sell_time), Opt(r.old_pnl), Opt(r.new_pnl),
              Opt(r.difference), r.unmatched_size.ToString(), "", ""});
    }
  }
  for (const LegacyPnlSymbol& s : c.symbols) {
    WriteCsvRecord(o,
                   {"symbol", version, s.symbol, "", "", s.old_total.ToString(),
                    s.new_total.ToString(), s.difference.ToString(), "",
                    absl::StrCat(s.sells), absl::StrCat(s.sells_with_old)});
  }
  WriteCsvRecord(o,
                 {"total", version, "", "", "", c.old_total.ToString(),
                  c.new_total.ToString(), c.difference.ToString(), "", "", ""});
}

void PrintJson(const LegacyPnlComparison& c) {
  std::ostream& o = std::cout;
  o << "{\"version\":" << c.version
    << ",\"old_pnl_usd\":" << JsonQuote(c.old_total.ToString())
    << ",\"new_pnl_usd\":" << JsonQuote(c.new_total.ToString())
    << ",\"difference_usd\":" << JsonQuote(c.difference.ToString())
    << ",\"symbols\":[";
  for (size_t i = 0; i < c.symbols.size(); ++i) {
    const LegacyPnlSymbol& s = c.symbols[i];
    o << (i ? "," : "") << "{\"symbol\":" << JsonQuote(s.symbol)
      << ",\"sells\":" << s.sells << ",\"sells_with_old\":" << s.sells_with_old
      << ",\"old_pnl_usd\":" << JsonQuote(s.old_total.ToString())
      << ",\"new_pnl_usd\":" << JsonQuote(s.new_total.ToString())
      << ",\"difference_usd\":" << JsonQuote(s.difference.ToString())
      << ",\"sells_compared\":[";
    for (size_t j = 0; j < s.rows.size(); ++j) {
      const LegacyPnlRow& r = s.rows[j];
      o << (j ? "," : "") << "{\"sell_order_id\":" << JsonQuote(r.order_id)
        << ",\"sell_time\":" << JsonQuote(FormatTimestamp(r.sell_time))
        << ",\"old_pnl_usd\":" << JsonOpt(r.old_pnl)
        << ",\"new_pnl_usd\":" << JsonOpt(r.new_pnl)
        << ",\"difference_usd\":" << JsonOpt(r.difference)
        << ",\"unmatched_size\":" << JsonQuote(r.unmatched_size.ToString())
        << "}";
    }
    o << "]}";
  }
  o << "]}\n";
}

absl::Status RunCompare(const CompareOptions& options,
                        const GlobalOptions& global) {
  if (options.format != "table" && options.format != "csv" &&
      options.format != "json") {
    return absl::InvalidArgumentError(absl::StrCat(
        "--format must be table, csv or json, got ", options.format));
  }
  FIFO_ASSIGN_OR_RETURN(std::unique_ptr<LedgerStore> store, OpenStore(global));
  FIFO_ASSIGN_OR_RETURN(int64_t version,
                        ResolveVersion(*store, options.version));
  std::optional<std::string> symbol;
  if (!options.symbol.empty()) symbol = options.symbol;
  FIFO_ASSIGN_OR_RETURN(LegacyPnlComparison c,
                        CompareLegacyPnl(*store, version, symbol));
  if (options.format == "json") {
    PrintJson(c);
  } else if (options.format == "csv") {
    PrintCsv(c);
  } else {
    PrintTable(c);
  }
  return absl::OkStatus();
}

// --- drop-columns ----------------------------------------------------------

absl::Status RunDropColumns(bool yes, const GlobalOptions& global) {
  FIFO_ASSIGN_OR_RETURN(std::unique_ptr<LedgerStore> store, OpenStore(global));
  if (!yes) {
    FIFO_ASSIGN_OR_RETURN(LegacyStatus s, store->GetLegacyStatus());
    if (s.columns.empty()) {
      return absl::FailedPreconditionError(
          "trade_records has no legacy PnL column left: nothing to drop");
    }
    return absl::FailedPreconditionError(absl::StrCat(
        "drop-columns needs --yes. It would, in one transaction (design "
        "Phase 3): copy order_id, parent_id, parent_ids, pnl_usd, "
        "cost_basis_usd of the ",
        s.sells, " sells into ", kLegacyBackupTable,
        " (created if missing), then DROP the columns ",
        absl::StrJoin(s.columns, ", "),
        " from trade_records. It cannot be undone except from that backup",
        s.snapshot_tables.empty()
            ? "; consider `fifoctl legacy snapshot` first"
            : "",
        "."));
  }
  FIFO_ASSIGN_OR_RETURN(LegacyDropResult r, store->DropLegacyColumns());
  FIFO_ASSIGN_OR_RETURN(LegacyStatus after, store->GetLegacyStatus());
  std::cout << "backed up " << r.backed_up_rows << " sells into "
            << r.backup_table << "\n"
            << "dropped columns: " << absl::StrJoin(r.dropped, ", ") << "\n"
            << "reclaim the space with "
            << (store->dialect() == "sqlite" ? "VACUUM"
                                             : "VACUUM FULL trade_records")
            << " at a quiet time\n";
  if (after.legacy_table) {
    std::cout << "note: the adopted old table " << kLegacyTradeTable
              << " still holds the old values; drop it when it is no longer "
                 "needed\n";
  }
  return absl::OkStatus();
}

}  // namespace

void RegisterLegacyCommand(CLI::App& app, GlobalOptions& global,
                           int& exit_code) {
  CLI::App* legacy = app.add_subcommand(
      "legacy",
      "The old system's deprecated PnL columns: status, snapshot, compare "
      "with a version, drop (design: Migration Strategy)");
  legacy->require_subcommand(1);
  {
    CLI::App* cmd = legacy->add_subcommand(
        "status", "Legacy columns, tables and how many sells carry values");
    OnRun(cmd, exit_code, [&global] { return RunLegacyStatus(global); });
  }
  {
    CLI::App* cmd = legacy->add_subcommand(
        "snapshot",
        "Create historical_pnl_snapshot_YYYYMMDD (UTC today) of every sell's "
        "old parent_id, pnl_usd and cost_basis_usd (refuses if it exists)");
    OnRun(cmd, exit_code, [&global] { return RunSnapshot(global); });
  }
  {
    auto options = std::make_shared<CompareOptions>();
    CLI::App* cmd = legacy->add_subcommand(
        "compare",
        "Old PnL (legacy pnl_usd) vs new PnL (a version's allocations) per "
        "sell, largest difference first, and per symbol");
    cmd->add_option("--version", options->version,
                    "Version (default: latest completed)");
    cmd->add_option("--symbol", options->symbol, "Only this symbol");
    cmd->add_option("--format", options->format, "table, csv or json")
        ->capture_default_str();
    OnRun(cmd, exit_code,
          [options, &global] { return RunCompare(*options, global); });
  }
  {
    auto yes = std::make_shared<bool>(false);
    CLI::App* cmd = legacy->add_subcommand(
        "drop-columns",
        "Phase 3: back the legacy values up into trade_records_backup_old_pnl "
        "and drop the legacy columns, in one transaction (needs --yes)");
    cmd->add_flag("--yes", *yes, "Really drop them");
    OnRun(cmd, exit_code,
          [yes, &global] { return RunDropColumns(*yes, global); });
  }
}

}  // namespace fifo::cli
