// File: storage/sql_ledger_store.h
//
// Internal to //storage: the SOCI implementation of LedgerStore for SQLite
// and PostgreSQL. Use OpenLedgerStore (ledger_store.h) instead.
//
// One class serves both dialects; the differences are confined to
// SqlSession's SQL fragments (casts, list parameters; sql_dialect.h) and a
// few statements (locks, RETURNING, liveness of runs). Every value crosses
// SOCI as text or a 64-bit integer, and decimals are parsed with
// Decimal::Parse (sql_rows.h). The class is declared here and implemented in
// files with one job each:
//
//   sql_ledger_store.cc   construction, OpenSqlLedgerStore, BeginLocked
//   sql_migrate.cc        Migrate, SchemaVersion, CheckSchema; schema lookups
//   sql_trade_import.cc   BeginImport and its SqlTradeImport
//   sql_reads.cc          trades, runs, allocations and snapshots read back
//   sql_review.cc         the manual review queue
//   sql_legacy.cc         the legacy PnL columns: adoption, status, snapshot,
//                         scan, drop
//   sql_run_liveness.cc   StartRun's log row and liveness lock,
//                         MarkAbandonedRuns
//   sql_invariants.cc     RunInvariantQueries
//   sql_run_writer.cc     the RunWriter of a run (its own session)
//
// Locking: mu_ serialises every use of the store's own session db_: a
// method holds it while it uses db_, a scan once per page and never while
// the caller's sink runs. A TradeImport holds it from BeginImport until
// Finish or its destruction. StartRun opens a session of its own for each
// run, which its RunWriter owns: runs never touch db_ (and db_ never takes
// a run's advisory lock, which MarkAbandonedRuns relies on).
#ifndef FIFO_STORAGE_SQL_LEDGER_STORE_H_
#define FIFO_STORAGE_SQL_LEDGER_STORE_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "migrations/migrations.h"
#include "storage/ledger_store.h"
#include "storage/sql_session.h"
#include "storage/store_url.h"

namespace fifo {
namespace storage_internal {

// PostgreSQL advisory lock classes ("FIF0", "FIF1", "FIF2").
constexpr int kMigrationLockClass = 1179207216;
constexpr int kRunLockClass = 1179207217;
constexpr int kVersionLockClass = 1179207218;
// Publishing a version and pruning ("FIF3"), one lock for both.
constexpr int kPublishLockClass = 1179207219;

// The writer of the run `run` (as StartRun logged it), on `db`, a session
// of its own that the writer owns from now on.
// `extend_version`: the version an incremental run extends.
std::unique_ptr<RunWriter> NewSqlRunWriter(
    std::unique_ptr<SqlSession> db, ComputationRun run,
    std::optional<int64_t> extend_version);

class SqlTradeImport;

class SqlLedgerStore : public LedgerStore {
 public:
  using LedgerStore::ScanTrades;

  SqlLedgerStore(StoreUrl url, std::unique_ptr<SqlSession> db);

  absl::string_view dialect() const override;

  // Schema (sql_migrate.cc).
  absl::StatusOr<std::vector<AppliedMigration>> Migrate() override;
  absl::StatusOr<std::vector<AppliedMigration>> MigrateTo(int version) override;
  absl::StatusOr<int> SchemaVersion() override;
  absl::Status CheckSchema() override;

  // Trades (sql_trade_import.cc: BeginImport; sql_reads.cc: the reads).
  absl::StatusOr<std::unique_ptr<TradeImport>> BeginImport(
      bool dry_run) override ABSL_NO_THREAD_SAFETY_ANALYSIS;
  absl::StatusOr<std::vector<std::string>> ListSymbols() override;
  absl::StatusOr<int64_t> CountTrades(
      const std::optional<std::string>& symbol) override;
  absl::StatusOr<TradePage> ListTrades(const TradeFilter& filter) override;
  absl::Status ScanTrades(const std::string& symbol,
                          const std::optional<TradeKey>& after,
                          const TradeSink& sink, int page_size) override;
  absl::StatusOr<int64_t> MaxIngestSeq() override;
  absl::StatusOr<bool> HasTradesIngestedAfter(
      int64_t ingest_seq, const std::string& symbol,
      const TradeKey& at_or_before) override;

  // Runs (sql_run_liveness.cc: StartRun, MarkAbandonedRuns; sql_reads.cc:
  // the reads).
  absl::StatusOr<std::unique_ptr<RunWriter>> StartRun(
      const RunOptions& options) override;
  absl::StatusOr<int64_t> MarkAbandonedRuns() override;
  absl::StatusOr<std::optional<int64_t>> LatestCompletedVersion() override;
  absl::StatusOr<ComputationRun> GetRun(int64_t id) override;
  absl::StatusOr<std::optional<ComputationRun>> LatestCompletedRun(
      int64_t version) override;
  absl::StatusOr<RunPage> ListRuns(int limit,
                                   const std::string& page_token) override;

  // Versions (sql_reads.cc; sql_invariants.cc: RunInvariantQueries).
  absl::Status ScanAllocations(const AllocationFilter& filter,
                               const AllocationSink& sink) override;
  absl::StatusOr<StoredSnapshot> LoadSnapshot(
      int64_t version, const std::string& symbol) override;
  absl::StatusOr<std::vector<std::string>> ListSnapshotSymbols(
      int64_t version) override;
  absl::StatusOr<std::vector<SegmentRef>> ListVersionSegments(
      int64_t version, const std::optional<std::string>& symbol) override;
  // Retention (sql_prune.cc).
  absl::StatusOr<PruneResult> PruneVersions(
      const PruneOptions& options) override;
  absl::StatusOr<std::vector<InvariantViolation>> RunInvariantQueries(
      int64_t version, const InvariantOptions& options) override;

  // Review queue (sql_review.cc).
  absl::StatusOr<std::vector<ReviewItem>> ListReviewItems(
      ReviewFilter filter) override;
  absl::StatusOr<int64_t> CountReviewItems(ReviewFilter filter) override;
  absl::StatusOr<ReviewItem> ResolveReviewItem(
      int64_t id, const std::string& note) override;

  // Legacy PnL columns (sql_legacy.cc).
  absl::StatusOr<LegacyStatus> GetLegacyStatus() override;
  absl::StatusOr<LegacySnapshotResult> CreateLegacySnapshot(
      absl::CivilDay day) override;
  absl::Status ScanLegacySells(const std::optional<std::string>& symbol,
                               const LegacySellSink& sink,
                               int page_size) override;
  absl::StatusOr<LegacyDropResult> DropLegacyColumns() override;

 private:
  friend class SqlTradeImport;

  struct ColumnInfo {
    std::string name;        // as declared
    std::string lower_name;  // for matching
    std::string type;        // lower case declared / information_schema type
  };

  // ---- schema (sql_migrate.cc) ----

  // The embedded migrations of this store's dialect, by version.
  const std::vector<Migration>& Migrations() const;

  // The highest applied migration; 0 without schema_migrations.
  absl::StatusOr<int> SchemaVersionLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  // Begins a write transaction; on PostgreSQL also takes the transaction
  // advisory lock (cls, key).
  absl::Status BeginLocked(absl::string_view ctx, int cls, int64_t key)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  // Whether `table` exists / its columns, in declaration order.
  absl::StatusOr<bool> TableExistsLocked(absl::string_view ctx,
                                         const std::string& table)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  absl::StatusOr<std::vector<ColumnInfo>> TableColumnsLocked(
      absl::string_view ctx, const std::string& table)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  // Migration steps in C++, inside the migration's transaction.
  absl::Status BeforeMigrationLocked(int version)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  absl::Status AfterMigrationLocked(int version)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  // ---- legacy PnL columns (sql_legacy.cc) ----

  // The legacy columns trade_records has, in LegacyColumnNames() order.
  absl::StatusOr<std::vector<std::string>> LegacyColumnsLocked(
      absl::string_view ctx) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  // OK when trade_records has every legacy column of `needed`;
  // kFailedPrecondition naming the missing ones otherwise.
  absl::Status RequireLegacyColumnsLocked(
      absl::string_view ctx, const std::vector<std::string>& needed)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  // Before 0001: an old system's trade_records is renamed out of the way.
  absl::Status StageLegacyTableLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  // After 0002: copies the staged legacy rows into trade_records.
  absl::Status AdoptLegacyTradesLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  // ---- trade import (sql_trade_import.cc) ----

  // In the open import transaction: takes PostgreSQL's import lock and
  // returns the first free ingest_seq.
  absl::Status StartImportLocked(int64_t* next_seq)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  // Records `trades` (distinct order ids) in the open import transaction.
  // A stored trade with ingest_seq >= first_seq came from this import (an
  // earlier batch): a conflict with it is reported as within the import.
  // Rows are written even for a dry run, whose Finish rolls back: so a dry
  // run sees its own earlier batches exactly as a real import does.
  absl::Status ImportBatchLocked(const std::vector<const Trade*>& trades,
                                 int64_t first_seq, int64_t* next_seq,
                                 ImportResult* result)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  // ---- reads (sql_reads.cc) ----

  // The highest ingest_seq of any trade, 0 when none; `ctx` names the
  // operation in errors.
  absl::StatusOr<int64_t> MaxIngestSeqLocked(absl::string_view ctx)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  absl::StatusOr<std::vector<SegmentRef>> ListVersionSegmentsLocked(
      int64_t version, const std::optional<std::string>& symbol)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  // Appends to `out` at most `limit` rows of segment `segment_id` with seq
  // above `after_seq` that pass `filter`'s time and kind filters (by seq;
  // version set to filter.version); `*last_seq` becomes the last row's seq.
  absl::Status ScanSegmentRows(int64_t segment_id,
                               const AllocationFilter& filter,
                               int64_t after_seq, int limit,
                               std::vector<StoredAllocation>* out,
                               int64_t* last_seq);

  // ---- segments (sql_invariants.cc) ----

  // Recomputes the digest and count of segment `segment_id` from its
  // stored rows (SegmentDigest), in the caller's transaction if any.
  absl::StatusOr<std::pair<std::string, int64_t>> StoredSegmentDigestLocked(
      int64_t segment_id) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  // After 0003: records the digest of every migrated segment.
  absl::Status DigestMigratedSegmentsLocked()
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  // ---- review queue (sql_review.cc) ----

  // The item `id`; nullopt when there is none.
  absl::StatusOr<std::optional<ReviewItem>> LoadReview(int64_t id)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  const StoreUrl url_;
  absl::Mutex mu_;
  const std::unique_ptr<SqlSession> db_ ABSL_PT_GUARDED_BY(mu_);
};

// See OpenLedgerStore.
absl::StatusOr<std::unique_ptr<LedgerStore>> OpenSqlLedgerStore(
    const std::string& url);

}  // namespace storage_internal
}  // namespace fifo

#endif  // FIFO_STORAGE_SQL_LEDGER_STORE_H_
