// File: storage/records.h
//
// The plain records the ledger store reads and writes (see ledger_store.h
// for the store itself): computation runs and their options, stored
// allocations, snapshots and pages, import counts, review items, invariant
// results and the legacy PnL columns' records, with the words the
// computation log stores for run modes, triggers and statuses.
//
// Values, no behaviour: every struct is copyable and has no invariants of
// its own beyond its field comments; decimals are exact (engine Decimal),
// times are UTC instants. Thread safety: as for any value type.
#ifndef FIFO_STORAGE_RECORDS_H_
#define FIFO_STORAGE_RECORDS_H_

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "engine/allocation.h"
#include "engine/decimal.h"
#include "engine/fifo_engine.h"
#include "engine/trade.h"

namespace fifo {

// ---------------------------------------------------------------- runs ----

enum class RunMode { kFull, kIncremental, kSymbol };
enum class RunTrigger { kManual, kScheduled, kApi };
enum class RunStatus { kRunning, kCompleted, kFailed, kPartial };

// The words stored in fifo_computation_log ("full", "manual", "running", ...).
absl::string_view RunModeName(RunMode mode);
absl::string_view RunTriggerName(RunTrigger trigger);
absl::string_view RunStatusName(RunStatus status);
// Inverses; kInvalidArgument for any other word (exact, lower case).
absl::StatusOr<RunMode> ParseRunMode(absl::string_view text);
absl::StatusOr<RunTrigger> ParseRunTrigger(absl::string_view text);
absl::StatusOr<RunStatus> ParseRunStatus(absl::string_view text);

// What a run is about to compute (LedgerStore::StartRun).
struct RunOptions {
  // The one symbol of a kSymbol run (required then); unset = all symbols.
  // Informational for kFull and kIncremental.
  std::optional<std::string> symbol;
  RunMode mode = RunMode::kFull;
  RunTrigger triggered_by = RunTrigger::kManual;
  int algorithm_version = kAlgorithmVersion;
  std::string config_hash;
  // kIncremental only (required then, forbidden otherwise): the completed
  // version the run extends. Full and symbol runs publish a new version,
  // numbered when they commit (RunWriter::Commit).
  std::optional<int64_t> extend_version;
  // The completed version whose segments the run may reference
  // (RunWriter::ReuseSegments): recorded in the log so that PruneVersions
  // keeps it while the run works. Unset: the run references nothing.
  std::optional<int64_t> basis_version;
  // Why this run is not incremental (e.g. "backfill detected"); may be empty.
  std::string fallback_reason;
};

// One row of fifo_computation_log.
struct ComputationRun {
  int64_t id = 0;
  std::optional<std::string> symbol;
  // The version the run published or extends; 0 while a full or symbol run
  // is running or after it failed (numbers are taken at publish).
  int64_t allocation_version = 0;
  std::string batch_id;  // lower-case UUID text
  absl::Time start;
  std::optional<absl::Time> end;
  std::optional<int64_t> duration_ms;
  RunStatus status = RunStatus::kRunning;
  RunMode mode = RunMode::kFull;
  RunTrigger triggered_by = RunTrigger::kManual;
  int algorithm_version = 0;
  std::string config_hash;
  std::string fallback_reason;
  int64_t buys_processed = 0;
  int64_t sells_processed = 0;
  int64_t allocations_created = 0;  // rows this run wrote
  int64_t allocations_reused = 0;   // rows it referenced from its basis
  std::optional<int64_t> basis_version;
  std::optional<Decimal> total_pnl;
  std::vector<std::string> symbols_processed;
  std::string error_message;
  // Set when PruneVersions removed the run's version.
  std::optional<absl::Time> pruned_at;
};

// Final statistics of a run (RunWriter::Commit).
struct RunStats {
  int64_t buys_processed = 0;
  int64_t sells_processed = 0;
  int64_t allocations_created = 0;  // rows written
  int64_t allocations_reused = 0;   // rows referenced (ReuseSegments)
  Decimal total_pnl;
  std::vector<std::string> symbols_processed;
};


// ------------------------------------------------------- other records ----

struct AppliedMigration {
  int version = 0;
  std::string name;
  absl::Time applied_at;
};

struct ImportResult {
  int64_t inserted = 0;   // new trades (would be inserted, for a dry run)
  int64_t unchanged = 0;  // already stored with identical facts
};


struct TradeFilter {
  std::optional<std::string> symbol;  // unset = every symbol
  int page_size = 1000;               // 1..100000
  std::string page_token;             // "" = first page
};

struct TradePage {
  std::vector<Trade> trades;    // by symbol, order_time, order_id
  std::string next_page_token;  // "" = no more pages
};

// A page of rows in order; a non-OK status stops the scan and is returned.
using TradeSink = std::function<absl::Status(const std::vector<Trade>& page)>;

// An allocation as stored in a version.
struct StoredAllocation {
  int64_t version = 0;  // the version it was read from
  // The row's id (fifo_allocations.id): unique in the store, and the same
  // in every version that references the row.
  int64_t seq = 0;
  std::string batch_id;  // of the run that wrote the row
  absl::Time allocation_time;
  Allocation allocation;
};

struct AllocationFilter {
  int64_t version = 0;
  std::optional<std::string> symbol;
  std::optional<absl::Time> sell_time_from;  // inclusive
  std::optional<absl::Time> sell_time_to;    // exclusive
  enum class Kind { kAll, kMatchedOnly, kUnmatchedOnly };
  Kind kind = Kind::kAll;
  int page_size = 10000;
};

using AllocationSink =
    std::function<absl::Status(const std::vector<StoredAllocation>& page)>;

// A segment: one symbol's allocation rows written once by one run, with
// the symbol's closing snapshot after them. A version's rows of a symbol
// are the rows of its ordered list of segments.
struct SegmentRef {
  int64_t id = 0;
  std::string symbol;
  int64_t computation_id = 0;  // the run that wrote it
  int64_t row_count = 0;
  std::string digest;  // segment_digest.h, recorded when written
};

// PruneVersions: what to keep. A version is removed only when every given
// rule allows it; at least one of keep_last / older_than is required.
struct PruneOptions {
  // Keep the N newest completed versions (N >= 1).
  std::optional<int64_t> keep_last;
  // Keep versions published less than this long ago.
  std::optional<absl::Duration> older_than;
  // Versions never removed, whatever the rules say.
  std::vector<int64_t> keep;
  bool dry_run = false;
};

struct PruneResult {
  std::vector<int64_t> versions_removed;  // ascending (to remove, if dry)
  int64_t segments_removed = 0;
  int64_t allocations_removed = 0;
  int64_t lots_removed = 0;
  std::vector<int64_t> versions_kept;  // completed versions left, ascending
};

// A version's snapshot of one symbol.
struct StoredSnapshot {
  SymbolState state;  // open lots in stored order, high-water mark
  int64_t ingest_seq_seen = 0;
  absl::Time snapshot_time;
};

struct RunPage {
  std::vector<ComputationRun> runs;  // newest first
  std::string next_page_token;
};

struct ReviewItem {
  int64_t id = 0;
  std::string order_id;
  std::string symbol;
  std::string issue_type;
  std::string severity;
  absl::Time created_at;
  bool resolved = false;
  std::string resolution_note;
  std::optional<absl::Time> resolved_at;
  std::optional<int64_t> allocation_version;
  std::string details;  // JSON text
};

enum class ReviewFilter { kAll, kOpen, kResolved };

// Allowed |sell size - allocated size| per symbol (its dust threshold,
// ERRATA 3/8); symbols not listed use `default_sell_tolerance` (0: exact).
struct InvariantOptions {
  std::map<std::string, Decimal> sell_tolerance_by_symbol;
  Decimal default_sell_tolerance;
  // Only this symbol's queries run when set; every symbol of the version
  // otherwise.
  std::optional<std::string> symbol;
};

struct InvariantViolation {
  // invariant::kSellFullyAllocated, kBuyNotOverAllocated, kPnlConsistent,
  // kNoOrphans or kBuyBeforeSell (validation/invariant_names.h; the
  // design's queries 1-5).
  std::string invariant;
  std::string symbol;
  std::string order_id;             // the sell or buy concerned
  std::optional<int64_t> seq;       // the allocation row's id, when one is
  std::string message;
};

// ------------------------------------------------- legacy PnL columns ----
//
// What the old system's derived values are and how the store adopts, keeps
// and finally drops them: ledger_store.h, "legacy PnL columns".

// The seven legacy columns, in this order.
const std::vector<std::string>& LegacyColumnNames();

// Renamed legacy table kept by an adoption, and the Phase 3 backup table.
inline constexpr char kLegacyTradeTable[] = "legacy_trade_records";
inline constexpr char kLegacyBackupTable[] = "trade_records_backup_old_pnl";

// One sell with its legacy values (NULL = nullopt).
struct LegacySell {
  std::string order_id;
  std::string symbol;
  absl::Time order_time;
  std::optional<std::string> parent_id;
  std::optional<std::string> parent_ids;
  std::optional<Decimal> pnl_usd;
  std::optional<Decimal> cost_basis_usd;
  std::optional<Decimal> sale_proceeds_usd;
  std::optional<Decimal> net_sale_proceeds_usd;
  std::optional<Decimal> realized_profit;
};

// A page of sells in (symbol, order_id) order; a non-OK status stops.
using LegacySellSink =
    std::function<absl::Status(const std::vector<LegacySell>& page)>;

struct LegacyStatus {
  // The legacy columns trade_records has, in LegacyColumnNames() order: all
  // seven after migration 0002, none after DropLegacyColumns.
  std::vector<std::string> columns;
  bool legacy_table = false;  // kLegacyTradeTable exists (an adoption ran)
  bool backup_table = false;  // kLegacyBackupTable exists
  std::vector<std::string> snapshot_tables;  // historical_pnl_snapshot_*
  int64_t sells = 0;             // sells in trade_records
  int64_t sells_with_pnl = 0;    // of which with a legacy pnl_usd
};

struct LegacySnapshotResult {
  std::string table;  // historical_pnl_snapshot_YYYYMMDD
  int64_t rows = 0;   // sells copied
  absl::Time snapshot_time;
};

struct LegacyDropResult {
  std::string backup_table;          // kLegacyBackupTable
  int64_t backed_up_rows = 0;        // sells inserted by this call
  std::vector<std::string> dropped;  // legacy columns dropped
};

}  // namespace fifo

#endif  // FIFO_STORAGE_RECORDS_H_
