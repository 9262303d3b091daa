#include "cli/store_commands.h"

#include <unistd.h>

#include <iostream>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/clock.h"
#include "cli/backend.h"
#include "cli/table.h"
#include "common/log.h"
#include "common/status_macros.h"
#include "engine/timestamp.h"
#include "formats/allocations_csv.h"
#include "formats/coinbase_fills_csv.h"
#include "formats/trades_csv.h"

namespace fifo::cli {
namespace {

// Registers `cmd`'s callback: runs `body`, prints its error, sets the exit
// code.
void OnRun(CLI::App* cmd, int& exit_code, std::function<absl::Status()> body) {
  cmd->callback([body = std::move(body), &exit_code] {
    absl::Status status = body();
    exit_code = status.ok() ? kExitOk : ReportError(status);
  });
}

std::string OptionalTime(const std::optional<absl::Time>& t) {
  return t.has_value() ? FormatTimestamp(*t) : "";
}

// --- migrate -----------------------------------------------------------

absl::Status RunMigrate(const GlobalOptions& global) {
  FIFO_ASSIGN_OR_RETURN(std::unique_ptr<Backend> backend,
                        OpenBackend(global, /*for_migrate=*/true));
  FIFO_ASSIGN_OR_RETURN(std::vector<AppliedMigration> applied,
                        backend->Migrate());
  if (applied.empty()) {
    std::cout << "schema is up to date\n";
  }
  for (const AppliedMigration& m : applied) {
    std::cout << "applied migration " << m.version << " " << m.name << "\n";
  }
  return absl::OkStatus();
}

// --- import-trades -----------------------------------------------------

struct ImportOptions {
  std::string file;
  std::string format = "csv";
  bool dry_run = false;
};

absl::Status RunImport(const ImportOptions& options,
                       const GlobalOptions& global) {
  std::ifstream in(options.file, std::ios::binary);
  if (!in) {
    return absl::NotFoundError(
        absl::StrCat("cannot open trades file ", options.file));
  }
  if (options.format != "csv" && options.format != "coinbase-fills") {
    return UsageError(absl::StrCat(
        "--format must be csv or coinbase-fills, got ", options.format));
  }
  const bool progress = !global.quiet && isatty(STDERR_FILENO);
  FIFO_ASSIGN_OR_RETURN(std::unique_ptr<Backend> backend, OpenBackend(global));
  if (progress) {
    std::cerr << "importing " << options.file << " in one transaction"
              << (options.dry_run ? " (dry run)" : "") << "...\n";
  }
  // The file streams into the import: memory is bounded by a batch.
  int64_t read_count = 0;
  in.seekg(0, std::ios::end);
  const int64_t file_bytes = static_cast<int64_t>(in.tellg());
  in.seekg(0, std::ios::beg);
  const absl::Time start = absl::Now();
  auto read = [&](const Backend::TradeReceiver& receive) -> absl::Status {
    auto sink = [&](Trade&& trade, int64_t /*line*/) -> absl::Status {
      ++read_count;
      if (progress && read_count % 100000 == 0) {
        // The share of the file read gives the total and the ETA (the
        // reader is ahead of the trade by at most its buffer).
        const int64_t at = static_cast<int64_t>(in.tellg());
        std::cerr << "\rread " << read_count << " trades, "
                  << (at > 0 && file_bytes > 0
                          ? absl::StrCat(ProgressFigures(at >> 10,
                                                         file_bytes >> 10,
                                                         absl::Now() - start),
                                         " KiB of the file")
                          : std::string("..."))
                  << "\x1b[K" << std::flush;
      }
      return receive(std::move(trade));
    };
    absl::Status read_status =
        options.format == "csv" ? ReadTradesCsv(in, options.file, sink)
                                : ReadCoinbaseFillsCsv(in, options.file, sink);
    if (progress && read_count >= 100000) std::cerr << "\n";
    return read_status;
  };
  FIFO_ASSIGN_OR_RETURN(ImportResult result,
                        backend->ImportTrades(read, options.dry_run));
  std::cout << (options.dry_run ? "dry run: would import " : "imported ")
            << result.inserted << " new trades, " << result.unchanged
            << " already recorded, from " << options.file << "\n";
  return absl::OkStatus();
}

// --- compute -------------------------------------------------------------

struct ComputeCommandOptions {
  bool all_symbols = false;
  std::string symbol;
  bool incremental = false;
  std::string since;
  std::string triggered_by = "manual";
  bool rewrite = false;
};

// A run's version, or "-" before it published (or when it failed).
std::string VersionText(const ComputationRun& run) {
  return run.allocation_version > 0 ? std::to_string(run.allocation_version)
                                    : "-";
}

void PrintRun(const ComputationRun& run) {
  std::cout << "run " << run.id << ": version " << VersionText(run)
            << " " << RunStatusName(run.status) << " ("
            << RunModeName(run.mode) << ", " << RunTriggerName(run.triggered_by)
            << ")\n"
            << "  batch " << run.batch_id << "\n"
            << "  buys processed " << run.buys_processed << ", sells processed "
            << run.sells_processed << ", allocations created "
            << run.allocations_created << ", reused "
            << run.allocations_reused
            << (run.basis_version.has_value()
                    ? absl::StrCat(" (from version ", *run.basis_version, ")")
                    : std::string())
            << "\n"
            << "  total pnl "
            << (run.total_pnl.has_value() ? run.total_pnl->ToString() : "")
            << ", duration " << run.duration_ms.value_or(0) << " ms\n";
  if (!run.fallback_reason.empty()) {
    std::cout << "  full recomputation because: " << run.fallback_reason
              << "\n";
  }
}

absl::Status RunCompute(const ComputeCommandOptions& options,
                        const GlobalOptions& global) {
  int modes = (options.all_symbols ? 1 : 0) + (options.symbol.empty() ? 0 : 1) +
              (options.incremental ? 1 : 0);
  if (modes != 1) {
    return UsageError(
        "give exactly one of --all-symbols, --symbol S, --incremental");
  }
  FIFO_ASSIGN_OR_RETURN(RunTrigger trigger,
                        ParseRunTrigger(options.triggered_by));
  std::optional<absl::Time> since;
  if (!options.since.empty()) {
    if (!options.incremental) {
      return UsageError("--since goes with --incremental");
    }
    absl::CivilDay day;
    if (options.since.size() == 10 &&
        absl::ParseCivilTime(options.since, &day)) {
      since = absl::FromCivil(day, absl::UTCTimeZone());
    } else {
      FIFO_ASSIGN_OR_RETURN(since, ParseTimestamp(options.since));
    }
  }
  if (options.rewrite && options.incremental) {
    return UsageError(
        "--rewrite goes with --all-symbols or --symbol (an incremental run "
        "writes only new rows)");
  }
  FIFO_ASSIGN_OR_RETURN(std::unique_ptr<Backend> backend, OpenBackend(global));
  absl::StatusOr<ComputationRun> run =
      options.all_symbols
          ? backend->ComputeAllSymbols(trigger, options.rewrite)
          : options.incremental
                ? backend->ComputeIncremental(since, trigger)
                : backend->ComputeSymbol(options.symbol, trigger,
                                         options.rewrite);
  FIFO_RETURN_IF_ERROR(run.status());
  PrintRun(*run);
  return absl::OkStatus();
}

// --- validate --------------------------------------------------------------

struct ValidateCommandOptions {
  std::optional<int64_t> version;
  std::string symbol;
  std::vector<int64_t> compare;
};

absl::Status RunCompare(Backend& backend, int64_t a, int64_t b) {
  FIFO_ASSIGN_OR_RETURN(VersionComparison cmp, backend.CompareVersions(a, b));
  std::cout << "comparing version " << cmp.version_a << " with version "
            << cmp.version_b << "\n\n";
  Table pairs({"symbol", "sell_order_id", "change", "buy_order_id", "size_a",
               "size_b", "pnl_a", "pnl_b"});
  Table sells({"symbol", "sell_order_id", "pnl_a", "pnl_b", "pnl_delta"});
  for (const SellDiscrepancy& d : cmp.sells) {
    for (const PairChange& c : d.changes) {
      auto opt = [](const std::optional<Decimal>& v) {
        return v.has_value() ? v->ToString() : std::string();
      };
      pairs.AddRow({d.symbol, d.sell_order_id,
                    std::string(PairChangeKindName(c.kind)),
                    c.buy_order_id.value_or("(unmatched)"), opt(c.size_a),
                    opt(c.size_b), opt(c.pnl_a), opt(c.pnl_b)});
    }
    sells.AddRow({d.symbol, d.sell_order_id, d.pnl_a.ToString(),
                  d.pnl_b.ToString(), d.pnl_delta.ToString()});
  }
  if (cmp.sells.empty()) {
    std::cout << "no allocation differs\n\n";
  } else {
    std::cout << "pairs added, removed or changed:\n";
    pairs.Print(std::cout);
    std::cout << "\nper sell:\n";
    sells.Print(std::cout);
    std::cout << "\n";
  }
  Table symbols({"symbol", "rows_a", "rows_b", "sells_changed", "pnl_a",
                 "pnl_b", "pnl_delta"});
  for (const SymbolComparison& s : cmp.symbols) {
    symbols.AddRow({s.symbol, std::to_string(s.rows_a),
                    std::to_string(s.rows_b), std::to_string(s.sells_changed),
                    s.pnl_a.ToString(), s.pnl_b.ToString(),
                    s.pnl_delta.ToString()});
  }
  symbols.AddRow({"TOTAL", "", "", "", cmp.pnl_a.ToString(),
                  cmp.pnl_b.ToString(), cmp.pnl_delta.ToString()});
  std::cout << "per symbol:\n";
  symbols.Print(std::cout);
  return absl::OkStatus();
}

absl::Status RunValidate(const ValidateCommandOptions& options,
                         const GlobalOptions& global) {
  FIFO_ASSIGN_OR_RETURN(std::unique_ptr<Backend> backend, OpenBackend(global, /*for_migrate=*/false,
                                     /*read_only=*/true));
  if (!options.compare.empty()) {
    if (options.compare.size() != 2) {
      return absl::InvalidArgumentError(
          "--compare-versions takes two versions: A B");
    }
    return RunCompare(*backend, options.compare[0], options.compare[1]);
  }
  std::optional<std::string> symbol;
  if (!options.symbol.empty()) symbol = options.symbol;
  FIFO_ASSIGN_OR_RETURN(VersionValidation v,
                        backend->Validate(options.version, symbol));
  for (const InvariantViolation& s : v.store_violations) {
    std::cout << "VIOLATION (store) " << s.invariant << ": " << s.symbol << " "
              << s.order_id << ": " << s.message << "\n";
  }
  for (const Violation& m : v.violations) {
    std::cout << "VIOLATION " << m.ToString() << "\n";
  }
  std::cout << "version " << v.version << ": " << v.symbols_checked
            << " symbols, " << v.trades_checked << " trades, "
            << v.allocations_checked << " allocations checked; "
            << (v.store_violations.size() + v.violations.size())
            << " violations\n";
  if (!v.ok()) {
    return absl::FailedPreconditionError(absl::StrCat(
        "version ", v.version, " violates ",
        v.store_violations.size() + v.violations.size(), " invariant checks"));
  }
  return absl::OkStatus();
}

// --- export-allocations ------------------------------------------------------

struct ExportOptions {
  std::optional<int64_t> version;
  std::string symbol;
  std::string out;
};

absl::Status RunExport(const ExportOptions& options,
                       const GlobalOptions& global) {
  FIFO_ASSIGN_OR_RETURN(std::unique_ptr<Backend> backend, OpenBackend(global, /*for_migrate=*/false,
                                     /*read_only=*/true));
  FIFO_ASSIGN_OR_RETURN(int64_t version,
                        backend->ResolveVersion(options.version));
  std::optional<std::string> symbol;
  if (!options.symbol.empty()) symbol = options.symbol;
  FIFO_ASSIGN_OR_RETURN(std::unique_ptr<Output> out, Output::Open(options.out));
  AllocationsCsvWriter writer(out->stream());
  FIFO_RETURN_IF_ERROR(writer.WriteHeader());
  int64_t rows = 0;
  FIFO_RETURN_IF_ERROR(backend->ScanAllocations(
      version, symbol, [&](const std::vector<StoredAllocation>& page) {
        for (const StoredAllocation& s : page) {
          FIFO_RETURN_IF_ERROR(writer.Write(version, s.allocation));
        }
        rows += static_cast<int64_t>(page.size());
        return absl::OkStatus();
      }));
  FIFO_RETURN_IF_ERROR(out->Close());
  if (!global.quiet) {
    std::cerr << "exported " << rows << " allocations of version " << version
              << "\n";
  }
  return absl::OkStatus();
}

// --- runs ----------------------------------------------------------------

absl::Status RunRuns(int limit, const GlobalOptions& global) {
  FIFO_ASSIGN_OR_RETURN(std::unique_ptr<Backend> backend, OpenBackend(global, /*for_migrate=*/false,
                                     /*read_only=*/true));
  FIFO_ASSIGN_OR_RETURN(RunPage page, backend->ListRuns(limit, ""));
  Table table({"id", "version", "status", "mode", "triggered_by", "symbol",
               "start", "duration_ms", "buys", "sells", "allocations",
               "reused", "total_pnl", "error"});
  for (const ComputationRun& r : page.runs) {
    std::string note = !r.error_message.empty() ? r.error_message
                                                : r.fallback_reason;
    if (r.pruned_at.has_value()) {
      note = absl::StrCat("version pruned at ", FormatTimestamp(*r.pruned_at),
                          note.empty() ? "" : "; ", note);
    }
    table.AddRow({std::to_string(r.id), VersionText(r),
                  std::string(RunStatusName(r.status)),
                  std::string(RunModeName(r.mode)),
                  std::string(RunTriggerName(r.triggered_by)),
                  r.symbol.value_or(""), FormatTimestamp(r.start),
                  r.duration_ms.has_value() ? std::to_string(*r.duration_ms)
                                            : "",
                  std::to_string(r.buys_processed),
                  std::to_string(r.sells_processed),
                  std::to_string(r.allocations_created),
                  std::to_string(r.allocations_reused),
                  r.total_pnl.has_value() ? r.total_pnl->ToString() : "",
                  note});
  }
  table.Print(std::cout);
  return absl::OkStatus();
}

// --- prune ---------------------------------------------------------------

struct PruneCommandOptions {
  std::optional<int64_t> keep_last;
  std::string older_than;
  std::vector<int64_t> keep;
  bool dry_run = false;
};

// "30d", "2w", "12h", "90m", "1h30m" (absl::ParseDuration plus d and w).
absl::StatusOr<absl::Duration> ParseRetention(const std::string& text) {
  absl::Duration d;
  int64_t n = 0;
  if (text.size() > 1 && (text.back() == 'd' || text.back() == 'w') &&
      absl::SimpleAtoi(text.substr(0, text.size() - 1), &n) && n >= 0) {
    return absl::Hours(24) * n * (text.back() == 'w' ? 7 : 1);
  }
  if (absl::ParseDuration(text, &d) && d >= absl::ZeroDuration()) return d;
  return UsageError(absl::StrCat(
      "--older-than: expected a duration such as 30d, 2w, 12h or 90m, got \"",
      text, "\""));
}

absl::Status RunPrune(const PruneCommandOptions& options,
                      const GlobalOptions& global) {
  PruneOptions prune;
  prune.keep_last = options.keep_last;
  if (!options.older_than.empty()) {
    FIFO_ASSIGN_OR_RETURN(prune.older_than, ParseRetention(options.older_than));
  }
  if (!prune.keep_last.has_value() && !prune.older_than.has_value()) {
    return UsageError("say which versions to keep: --keep-last N and/or "
                      "--older-than DURATION");
  }
  if (prune.keep_last.has_value() && *prune.keep_last < 1) {
    return UsageError("--keep-last must be at least 1");
  }
  prune.keep = options.keep;
  prune.dry_run = options.dry_run;
  FIFO_ASSIGN_OR_RETURN(std::unique_ptr<Backend> backend, OpenBackend(global));
  FIFO_ASSIGN_OR_RETURN(PruneResult result, backend->PruneVersions(prune));
  const std::string removed =
      result.versions_removed.empty()
          ? "no version"
          : absl::StrCat("version", result.versions_removed.size() > 1 ? "s " : " ",
                         absl::StrJoin(result.versions_removed, ", "));
  std::cout << (options.dry_run ? "dry run: would remove " : "removed ")
            << removed << ": " << result.segments_removed << " segments, "
            << result.allocations_removed << " allocation rows, "
            << result.lots_removed << " inventory lots\n"
            << "kept versions "
            << (result.versions_kept.empty()
                    ? std::string("(none)")
                    : absl::StrJoin(result.versions_kept, ", "))
            << "\n";
  return absl::OkStatus();
}

// --- review --------------------------------------------------------------

absl::Status RunReviewList(const std::string& status,
                           const GlobalOptions& global) {
  ReviewFilter filter;
  if (status == "open") {
    filter = ReviewFilter::kOpen;
  } else if (status == "resolved") {
    filter = ReviewFilter::kResolved;
  } else if (status == "all") {
    filter = ReviewFilter::kAll;
  } else {
    return absl::InvalidArgumentError(
        absl::StrCat("--status must be open, resolved or all, got ", status));
  }
  FIFO_ASSIGN_OR_RETURN(std::unique_ptr<Backend> backend, OpenBackend(global, /*for_migrate=*/false,
                                     /*read_only=*/true));
  FIFO_ASSIGN_OR_RETURN(std::vector<ReviewItem> items,
                        backend->ListReviewItems(filter));
  Table table({"id", "order_id", "symbol", "issue_type", "severity", "status",
               "created_at", "version", "resolution_note"});
  for (const ReviewItem& i : items) {
    table.AddRow({std::to_string(i.id), i.order_id, i.symbol, i.issue_type,
                  i.severity, i.resolved ? "resolved" : "open",
                  FormatTimestamp(i.created_at),
                  i.allocation_version.has_value()
                      ? std::to_string(*i.allocation_version)
                      : "",
                  i.resolution_note});
  }
  table.Print(std::cout);
  return absl::OkStatus();
}

absl::Status RunReviewResolve(int64_t id, const std::string& note,
                              const GlobalOptions& global) {
  if (note.empty()) {
    return absl::InvalidArgumentError("--note must say how it was resolved");
  }
  FIFO_ASSIGN_OR_RETURN(std::unique_ptr<Backend> backend, OpenBackend(global));
  FIFO_ASSIGN_OR_RETURN(ReviewItem item, backend->ResolveReviewItem(id, note));
  std::cout << "review item " << item.id << " (" << item.order_id
            << ") resolved at " << OptionalTime(item.resolved_at) << "\n";
  return absl::OkStatus();
}

}  // namespace

void RegisterStoreCommands(CLI::App& app, GlobalOptions& global,
                           int& exit_code) {
  {
    CLI::App* cmd = app.add_subcommand(
        "migrate",
        "Apply pending schema migrations (idempotent; refuses a database "
        "newer than this binary)");
    OnRun(cmd, exit_code, [&global] { return RunMigrate(global); });
  }
  {
    auto options = std::make_shared<ImportOptions>();
    CLI::App* cmd = app.add_subcommand(
        "import-trades",
        "Record trades from a file in one transaction (re-importing is a "
        "no-op; a conflicting trade rejects the whole file)");
    cmd->add_option("file", options->file, "Trades file")->required();
    cmd->add_option("--format", options->format,
                    "csv (the trades CSV) or coinbase-fills (Coinbase's fills "
                    "export)")
        ->capture_default_str();
    cmd->add_flag("--dry-run", options->dry_run,
                  "Check and count, write nothing");
    OnRun(cmd, exit_code,
          [options, &global] { return RunImport(*options, global); });
  }
  {
    auto options = std::make_shared<ComputeCommandOptions>();
    CLI::App* cmd = app.add_subcommand(
        "compute", "Compute FIFO allocations into a version of the store");
    cmd->add_flag("--all-symbols", options->all_symbols,
                  "Full recomputation of every symbol into a new version");
    cmd->add_option("--symbol", options->symbol,
                    "Recompute one symbol into a new version (other symbols "
                    "referenced from the latest version, nothing copied)");
    cmd->add_flag("--incremental", options->incremental,
                  "Extend the latest version with new trades (falls back to "
                  "a full run when that is not safe)");
    cmd->add_option("--since", options->since,
                    "With --incremental: accepted for the design's scheduled "
                    "job; high-water marks decide what is new");
    cmd->add_option("--triggered-by", options->triggered_by,
                    "manual, scheduled or api (recorded in the run log)")
        ->capture_default_str();
    cmd->add_flag("--rewrite", options->rewrite,
                  "Write every row anew instead of referencing identical rows "
                  "of the latest version (when stored rows are suspected)");
    OnRun(cmd, exit_code,
          [options, &global] { return RunCompute(*options, global); });
  }
  {
    auto options = std::make_shared<PruneCommandOptions>();
    CLI::App* cmd = app.add_subcommand(
        "prune",
        "Delete old versions and the rows no remaining version references "
        "(never the latest completed version)");
    cmd->add_option("--keep-last", options->keep_last,
                    "Keep the N newest completed versions");
    cmd->add_option("--older-than", options->older_than,
                    "Remove only versions published longer ago than this "
                    "(30d, 2w, 12h, 90m)");
    cmd->add_option("--keep", options->keep,
                    "A version never to remove (repeatable)");
    cmd->add_flag("--dry-run", options->dry_run,
                  "Say what would be removed, remove nothing");
    OnRun(cmd, exit_code,
          [options, &global] { return RunPrune(*options, global); });
  }
  {
    auto options = std::make_shared<ValidateCommandOptions>();
    CLI::App* cmd = app.add_subcommand(
        "validate",
        "Check a version's invariants (exit 1 on any violation), or compare "
        "two versions");
    cmd->add_option("--version", options->version,
                    "Version to check (default: latest completed)");
    cmd->add_option("--symbol", options->symbol, "Only this symbol");
    cmd->add_option("--compare-versions", options->compare,
                    "Compare two versions: A B")
        ->expected(2);
    OnRun(cmd, exit_code,
          [options, &global] { return RunValidate(*options, global); });
  }
  {
    auto options = std::make_shared<ExportOptions>();
    CLI::App* cmd = app.add_subcommand(
        "export-allocations", "Write a version's allocations as CSV");
    cmd->add_option("--version", options->version,
                    "Version (default: latest completed)");
    cmd->add_option("--symbol", options->symbol, "Only this symbol");
    cmd->add_option("--out", options->out, "File (default: stdout)");
    OnRun(cmd, exit_code,
          [options, &global] { return RunExport(*options, global); });
  }
  {
    auto limit = std::make_shared<int>(50);
    CLI::App* cmd =
        app.add_subcommand("runs", "List computation runs, newest first");
    cmd->add_option("--limit", *limit, "How many")->capture_default_str();
    OnRun(cmd, exit_code, [limit, &global] { return RunRuns(*limit, global); });
  }
  {
    CLI::App* review =
        app.add_subcommand("review", "The manual review queue");
    review->require_subcommand(1);
    auto status = std::make_shared<std::string>("open");
    CLI::App* list = review->add_subcommand("list", "List review items");
    list->add_option("--status", *status, "open, resolved or all")
        ->capture_default_str();
    OnRun(list, exit_code,
          [status, &global] { return RunReviewList(*status, global); });
    auto id = std::make_shared<int64_t>(0);
    auto note = std::make_shared<std::string>();
    CLI::App* resolve =
        review->add_subcommand("resolve", "Resolve a review item");
    resolve->add_option("id", *id, "Review item id")->required();
    resolve->add_option("--note", *note, "How it was resolved")->required();
    OnRun(resolve, exit_code, [id, note, &global] {
      return RunReviewResolve(*id, *note, global);
    });
  }
}

}  // namespace fifo::cli
