// The RunWriter of SqlLedgerStore::StartRun (see run_writer.h for the
// contract, sql_ledger_store.h for the store).
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/status_macros.h"
#include "storage/bulk_insert.h"
#include "storage/ordered_worker.h"
#include "storage/run_writer.h"
#include "storage/segment_digest.h"
#include "storage/sql_ledger_store.h"
#include "storage/sql_rows.h"
#include "storage/sql_session.h"

namespace fifo {
namespace storage_internal {
namespace {

// Writes a run in its own session and transaction. Rows are formatted on
// the caller's thread into BulkRows and inserted with SqlSession::InsertRows
// (SQLite: a kept native statement; PostgreSQL: COPY). From the first write
// of kPipelineRows rows on, the inserts (and the later snapshot and review
// writes, in call order) run on worker_ while the caller computes; an error
// of such a queued write is returned by the next call, and the run must
// then be aborted. Opening a segment needs its id first, so it drains the
// worker: the pipeline runs within a symbol.
class SqlRunWriter : public RunWriter {
 public:
  SqlRunWriter(std::unique_ptr<SqlSession> db, ComputationRun run,
               std::optional<int64_t> extend_version)
      : db_(std::move(db)),
        run_(std::move(run)),
        extend_version_(extend_version) {}

  ~SqlRunWriter() override {
    if (!done_) {
      Abort("run writer destroyed without Commit or Abort").IgnoreError();
    }
    worker_.Stop();
  }

  const ComputationRun& run() const override { return run_; }

  absl::Status Begin() override { return Ready(); }

  absl::Status WriteAllocations(
      absl::Span<const Allocation> allocations) override {
    FIFO_RETURN_IF_ERROR(Ready());
    if (allocations.empty()) return absl::OkStatus();
    const std::string& symbol = allocations.front().symbol;
    for (const Allocation& a : allocations) {
      if (a.symbol != symbol) {
        return Check(absl::InvalidArgumentError(absl::StrCat(
            "one WriteAllocations call holds rows of one symbol; got ",
            Quoted(symbol), " and ", Quoted(a.symbol))));
      }
    }
    FIFO_RETURN_IF_ERROR(OpenSegment(symbol));
    static const BulkTable* const kTable = new BulkTable{
        "fifo_allocations",
        {"segment_id", "seq", "sell_order_id", "buy_order_id", "symbol",
         "allocated_size", "buy_price", "sell_price", "buy_fees_per_unit",
         "sell_fees_per_unit", "buy_fee_share_usd", "sell_fee_share_usd",
         "cost_basis_usd", "proceeds_usd", "net_proceeds_usd", "pnl_usd",
         "buy_time", "sell_time", "allocation_time", "allocation_batch_id"}};
    const std::string now = Ts(NowMicros());
    auto shared_rows = std::make_shared<BulkRows>();
    BulkRows& rows = *shared_rows;
    rows.Reserve(allocations.size() * kTable->columns.size(),
                 allocations.size() * 384);
    Segment& segment = *open_;
    for (const Allocation& a : allocations) {
      const bool m = a.matched();
      // The buy side of an unmatched row is NULL.
      auto buy = [&](const Decimal& d) {
        if (m) {
          rows.Text(d.ToString());
        } else {
          rows.Null();
        }
      };
      rows.Int(segment.id);
      rows.Int(++segment.rows);
      rows.Text(a.sell_order_id);
      rows.OptText(a.buy_order_id);
      rows.Text(a.symbol);
      rows.Text(a.allocated_size.ToString());
      buy(a.buy_price);
      rows.Text(a.sell_price.ToString());
      buy(a.buy_fees_per_unit);
      rows.Text(a.sell_fees_per_unit.ToString());
      buy(a.buy_fee_share);
      rows.Text(a.sell_fee_share.ToString());
      buy(a.cost_basis_usd);
      rows.Text(a.proceeds_usd.ToString());
      rows.Text(a.net_proceeds_usd.ToString());
      buy(a.pnl_usd);
      if (m) {
        rows.Time(a.buy_time);
      } else {
        rows.Null();
      }
      rows.Time(a.sell_time);
      rows.Text(now);
      rows.Text(run_.batch_id);
      segment.digest.Add(a);
    }
    return Write(allocations.size() >= kPipelineRows, [this, shared_rows] {
      return db_->InsertRows("write allocations", *kTable, *shared_rows);
    });
  }

  absl::Status WriteSnapshot(const std::string& symbol,
                             const SymbolState& state,
                             int64_t ingest_seq_seen) override {
    FIFO_RETURN_IF_ERROR(Ready());
    FIFO_RETURN_IF_ERROR(OpenSegment(symbol));
    static const BulkTable* const kTable = new BulkTable{
        "fifo_inventory_snapshot",
        {"segment_id", "lot_seq", "symbol", "buy_order_id", "remaining_size",
         "snapshot_time", "buy_time", "price", "size", "total_fees_usd",
         "consumed_size", "consumed_fee_share"}};
    const int64_t segment_id = open_->id;
    const int64_t row_count = open_->rows;
    const std::string digest = open_->digest.Finish();
    lists_[symbol].push_back(segment_id);
    open_.reset();
    const std::string now = Ts(NowMicros());
    auto shared_rows = std::make_shared<BulkRows>();
    BulkRows& rows = *shared_rows;
    rows.Reserve(state.open_lots.size() * kTable->columns.size(),
                 state.open_lots.size() * 192);
    int64_t lot_seq = 0;
    for (const OpenLot& lot : state.open_lots) {
      rows.Int(segment_id);
      rows.Int(++lot_seq);
      rows.Text(symbol);
      rows.Text(lot.buy_order_id);
      rows.Text(lot.remaining_size().ToString());
      rows.Text(now);
      rows.Time(lot.buy_time);
      rows.Text(lot.price.ToString());
      rows.Text(lot.size.ToString());
      rows.Text(lot.total_fees_usd.ToString());
      rows.Text(lot.consumed_size.ToString());
      rows.Text(lot.consumed_fee_share.ToString());
    }
    const auto& hwm = state.high_water_mark;
    const std::string close_sql = absl::StrCat(
        "UPDATE fifo_segments SET row_count = :n, digest = :d, hwm_time = ",
        db_->TsParam(":t"), ", hwm_order_id = :o, ingest_seq_seen = :q, "
        "snapshot_time = ", db_->TsParam(":w"), " WHERE id = :g");
    const std::vector<Param> close = {
        Param::Int(row_count), Param::Text(digest),
        hwm ? Param::Text(Ts(hwm->order_time)) : Param::Null(),
        hwm ? Param::Text(hwm->order_id) : Param::Null(),
        Param::Int(ingest_seq_seen), Param::Text(now), Param::Int(segment_id)};
    return Write(false, [this, shared_rows, close_sql,
                         close]() -> absl::Status {
      const std::string ctx = "write snapshot";
      FIFO_RETURN_IF_ERROR(db_->Exec(ctx, close_sql, close).status());
      return db_->InsertRows(ctx, *kTable, *shared_rows);
    });
  }

  absl::StatusOr<int64_t> ReuseSegments(
      const std::string& symbol,
      const std::vector<SegmentRef>& segments) override {
    FIFO_RETURN_IF_ERROR(Ready());
    if (lists_.count(symbol) > 0 || (open_ && open_->symbol == symbol)) {
      return Check(absl::FailedPreconditionError(absl::StrCat(
          "run ", run_.id, " already has segments of ", Quoted(symbol),
          ": reused segments must come first")));
    }
    std::vector<int64_t>& list = lists_[symbol];
    int64_t rows = 0;
    for (const SegmentRef& segment : segments) {
      if (segment.symbol != symbol) {
        return Check(absl::FailedPreconditionError(absl::StrCat(
            "segment ", segment.id, " holds ", Quoted(segment.symbol),
            ", not ", Quoted(symbol))));
      }
      list.push_back(segment.id);
      rows += segment.row_count;
    }
    return rows;
  }

  absl::Status EnqueueReview(const UnmatchedSell& u) override {
    FIFO_RETURN_IF_ERROR(Ready());
    std::vector<std::string> inventory;
    for (const auto& [buy, remaining] : u.available_inventory) {
      inventory.push_back(absl::StrCat("{\"buy_order_id\":", JsonQuote(buy),
                                       ",\"remaining_size\":",
                                       JsonQuote(remaining.ToString()), "}"));
    }
    const std::string details = absl::StrCat(
        "{\"symbol\":", JsonQuote(u.symbol),
        ",\"sell_time\":", JsonQuote(Ts(u.sell_time)),
        ",\"sell_size\":", JsonQuote(u.sell_size.ToString()),
        ",\"unmatched_size\":", JsonQuote(u.unmatched_size.ToString()),
        ",\"available_inventory\":[", absl::StrJoin(inventory, ","), "]}");
    // The version is known now only when extending one; otherwise Commit
    // sets it on every item this run filed or refreshed (computation_id).
    const Param version = extend_version_.has_value()
                              ? Param::Int(*extend_version_)
                              : Param::Null();
    const std::string update_sql = absl::StrCat(
        "UPDATE manual_review_queue SET allocation_version = ",
        db_->IntParam(":v"), ", details = ", db_->JsonParam(":d"),
        ", symbol = :s, computation_id = :c WHERE order_id = :o AND "
        "issue_type = 'unmatched_sell' AND status = 'open'");
    const std::vector<Param> update = {version, Param::Text(details),
                                       Param::Text(u.symbol),
                                       Param::Int(run_.id),
                                       Param::Text(u.sell_order_id)};
    // A concurrent run (PostgreSQL: another transaction) may file the same
    // open item between the UPDATE and the INSERT: refresh it then, as the
    // UPDATE would have, instead of failing the run on the unique index.
    const std::string insert_sql = absl::StrCat(
        "INSERT INTO manual_review_queue (order_id, symbol, issue_type, "
        "severity, created_at, status, allocation_version, details, "
        "computation_id) VALUES (:o, :s, 'unmatched_sell', 'high', ",
        db_->TsParam(":c"), ", 'open', ", db_->IntParam(":v"), ", ",
        db_->JsonParam(":d"),
        ", :r) ON CONFLICT (order_id, issue_type) WHERE status = 'open' DO "
        "UPDATE SET allocation_version = excluded.allocation_version, "
        "details = excluded.details, symbol = excluded.symbol, "
        "computation_id = excluded.computation_id");
    const std::vector<Param> insert = {
        Param::Text(u.sell_order_id), Param::Text(u.symbol),
        Param::Text(Ts(NowMicros())), version, Param::Text(details),
        Param::Int(run_.id)};
    return Write(false, [this, update_sql, update, insert_sql,
                         insert]() -> absl::Status {
      const std::string ctx = "enqueue review";
      absl::StatusOr<int64_t> updated = db_->Exec(ctx, update_sql, update);
      FIFO_RETURN_IF_ERROR(updated.status());
      if (*updated > 0) return absl::OkStatus();
      return db_->Exec(ctx, insert_sql, insert).status();
    });
  }

  absl::StatusOr<ComputationRun> Commit(const RunStats& stats) override {
    FIFO_RETURN_IF_ERROR(Ready());
    FIFO_RETURN_IF_ERROR(Settle());
    const std::string ctx = "publish version";
    if (open_) {
      // Rows without a closing snapshot: the segment is kept, marked as
      // having none (an incremental run will not extend that symbol).
      FIFO_RETURN_IF_ERROR(Check(
          db_->Exec(ctx,
                    absl::StrCat("UPDATE fifo_segments SET row_count = :n, "
                                 "digest = :d, has_snapshot = ",
                                 db_->sqlite() ? "0" : "FALSE",
                                 " WHERE id = :g"),
                    {Param::Int(open_->rows), Param::Text(open_->digest.Finish()),
                     Param::Int(open_->id)})
              .status()));
      lists_[open_->symbol].push_back(open_->id);
      open_.reset();
    }
    // Publishing is serialised (PostgreSQL: this advisory lock, held to
    // the end of the transaction; SQLite: the write lock the run holds).
    if (!db_->sqlite()) {
      FIFO_RETURN_IF_ERROR(Check(
          db_->QueryOne(ctx,
                        "SELECT CAST(pg_advisory_xact_lock(CAST(:c AS "
                        "INTEGER), 0) AS TEXT)",
                        {Param::Int(kPublishLockClass)}, 1)
              .status()));
    }
    absl::StatusOr<std::optional<int64_t>> latest = LatestCompletedVersionOn(*db_);
    FIFO_RETURN_IF_ERROR(Check(latest.status()));
    int64_t version = 0;
    std::optional<int64_t> basis = run_.basis_version;
    std::map<std::string, int64_t> first_position;  // per symbol, 1-based
    if (extend_version_.has_value()) {
      version = *extend_version_;
      if (*latest != version) {
        return Fail(absl::AbortedError(absl::StrCat(
            "version ", version, " is no longer the latest completed version (",
            latest->has_value() ? absl::StrCat(**latest) : "none",
            " is): a newer version was published while this incremental run "
            "worked; nothing was committed, run it again")));
      }
      absl::StatusOr<std::vector<Row>> ends = db_->QueryAll(
          ctx,
          "SELECT symbol, MAX(position) FROM fifo_version_segments WHERE "
          "allocation_version = :v GROUP BY symbol",
          {Param::Int(version)}, 2);
      FIFO_RETURN_IF_ERROR(Check(ends.status()));
      for (const Row& r : *ends) {
        absl::StatusOr<int64_t> end = Int(r[1], "position");
        FIFO_RETURN_IF_ERROR(Check(end.status()));
        first_position[Str(r[0])] = *end + 1;
      }
    } else {
      absl::StatusOr<std::optional<Row>> max = db_->QueryOne(
          ctx,
          "SELECT COALESCE(MAX(allocation_version), 0) + 1 FROM "
          "fifo_computation_log",
          {}, 1);
      FIFO_RETURN_IF_ERROR(Check(max.status()));
      absl::StatusOr<int64_t> next = Int((**max)[0], "next version");
      FIFO_RETURN_IF_ERROR(Check(next.status()));
      version = *next;
      if (run_.mode == RunMode::kSymbol && latest->has_value()) {
        // Every other symbol as the latest completed version holds it now.
        basis = **latest;
        std::vector<std::string> own;
        for (const auto& entry : lists_) own.push_back(entry.first);
        FIFO_RETURN_IF_ERROR(Check(
            db_->Exec(ctx,
                      absl::StrCat("INSERT INTO fifo_version_segments "
                                   "(allocation_version, symbol, position, "
                                   "segment_id) SELECT ",
                                   db_->IntParam(":v"),
                                   ", symbol, position, segment_id FROM "
                                   "fifo_version_segments WHERE "
                                   "allocation_version = :b AND NOT (",
                                   db_->InList("symbol", ":own"), ")"),
                      {Param::Int(version), Param::Int(**latest),
                       Param::Text(db_->EncodeList(own))})
                .status()));
      }
    }
    static const BulkTable* const kManifest = new BulkTable{
        "fifo_version_segments",
        {"allocation_version", "symbol", "position", "segment_id"}};
    BulkRows manifest;
    for (const auto& [symbol, segments] : lists_) {
      auto it = first_position.find(symbol);
      int64_t position = it == first_position.end() ? 1 : it->second;
      for (int64_t segment : segments) {
        manifest.Int(version);
        manifest.Text(symbol);
        manifest.Int(position++);
        manifest.Int(segment);
      }
    }
    absl::Status listed = db_->InsertRows(ctx, *kManifest, manifest);
    if (absl::IsFailedPrecondition(listed)) {
      // The foreign key to fifo_segments: a reused segment is gone.
      listed = absl::AbortedError(absl::StrCat(
          "a segment this run reused from version ",
          basis.has_value() ? absl::StrCat(*basis) : "?",
          " no longer exists (that version was pruned while the run "
          "worked); nothing was committed, run it again (",
          listed.message(), ")"));
    }
    FIFO_RETURN_IF_ERROR(Check(listed));
    if (!extend_version_.has_value()) {
      FIFO_RETURN_IF_ERROR(Check(
          db_->Exec(ctx,
                    "UPDATE manual_review_queue SET allocation_version = :v "
                    "WHERE computation_id = :c",
                    {Param::Int(version), Param::Int(run_.id)})
              .status()));
    }
    const absl::Time end = NowMicros();
    absl::StatusOr<int64_t> updated = db_->Exec(
        ctx,
        absl::StrCat(
            "UPDATE fifo_computation_log SET status = 'completed', "
            "allocation_version = ",
            db_->IntParam(":v"), ", computation_end = ", db_->TsParam(":e"),
            ", computation_duration_ms = :d, buys_processed = :b, "
            "sells_processed = :s, allocations_created = :a, "
            "allocations_reused = :r, basis_version = ",
            db_->IntParam(":bv"), ", total_pnl_computed = ",
            db_->NumParam(":p"), ", symbols_processed = ",
            db_->ListParam(":y"), " WHERE id = :id AND status = 'running'"),
        {Param::Int(version), Param::Text(Ts(end)),
         Param::Int(absl::ToInt64Milliseconds(end - run_.start)),
         Param::Int(stats.buys_processed), Param::Int(stats.sells_processed),
         Param::Int(stats.allocations_created),
         Param::Int(stats.allocations_reused),
         basis.has_value() ? Param::Int(*basis) : Param::Null(),
         Param::Text(stats.total_pnl.ToString()),
         Param::Text(db_->EncodeList(stats.symbols_processed)),
         Param::Int(run_.id)});
    FIFO_RETURN_IF_ERROR(Check(updated.status()));
    if (*updated != 1) {
      return Fail(absl::AbortedError(absl::StrCat(
          "run ", run_.id,
          " is no longer running (marked failed or abandoned meanwhile); "
          "nothing was committed")));
    }
    // Read the final row inside the transaction: an error here leaves the
    // run uncommitted, so the caller's Abort tells the truth (a read after
    // COMMIT could fail and report a committed version as rolled back).
    FIFO_ASSIGN_OR_RETURN(ComputationRun final_run, LoadRun(*db_, run_.id));
    FIFO_RETURN_IF_ERROR(Check(db_->Commit("commit run")));
    done_ = true;
    Unlock();
    return final_run;
  }

  absl::Status Abort(const std::string& error_message) override {
    if (done_) {
      return absl::FailedPreconditionError(
          absl::StrCat("run ", run_.id, " was already committed or aborted"));
    }
    done_ = true;
    worker_.Stop();  // drops the queued writes, joins the thread
    if (db_->in_transaction()) db_->Rollback();
    const absl::Time end = NowMicros();
    absl::Status s =
        db_->Exec("abort run",
                  absl::StrCat("UPDATE fifo_computation_log SET status = "
                               "'failed', error_message = :m, computation_end "
                               "= ",
                               db_->TsParam(":e"),
                               ", computation_duration_ms = :d WHERE id = :id "
                               "AND status = 'running'"),
                  {Param::Text(error_message), Param::Text(Ts(end)),
                   Param::Int(absl::ToInt64Milliseconds(end - run_.start)),
                   Param::Int(run_.id)})
            .status();
    Unlock();
    return s;
  }

 private:
  // A segment being written: its id, symbol, rows so far and their digest.
  struct Segment {
    int64_t id = 0;
    std::string symbol;
    int64_t rows = 0;
    SegmentDigest digest;
  };

  // OK when writes may go on; begins the run's transaction on first use.
  absl::Status Ready() {
    if (done_) {
      return absl::FailedPreconditionError(
          absl::StrCat("run ", run_.id, " was already committed or aborted"));
    }
    if (failed_) {
      return absl::FailedPreconditionError(absl::StrCat(
          "run ", run_.id, ": an earlier write failed; call Abort"));
    }
    if (begun_) return absl::OkStatus();
    FIFO_RETURN_IF_ERROR(Check(db_->BeginWrite("begin run transaction")));
    if (!db_->sqlite() && extend_version_.has_value()) {
      // Serialises the writers of one version (incremental runs extend it).
      FIFO_RETURN_IF_ERROR(Check(
          db_->QueryOne("lock version",
                        "SELECT CAST(pg_advisory_xact_lock(CAST(:c AS "
                        "INTEGER), CAST(:v AS INTEGER)) AS TEXT)",
                        {Param::Int(kVersionLockClass),
                         Param::Int(*extend_version_)},
                        1)
              .status()));
    }
    begun_ = true;
    return absl::OkStatus();
  }

  // Makes `symbol`'s segment the open one, creating it (and its id) when
  // none is open; kInvalidArgument when another symbol's is.
  absl::Status OpenSegment(const std::string& symbol) {
    if (open_) {
      if (open_->symbol == symbol) return absl::OkStatus();
      return Check(absl::InvalidArgumentError(absl::StrCat(
          "rows of ", Quoted(symbol), " while the segment of ",
          Quoted(open_->symbol), " is open (close it with WriteSnapshot)")));
    }
    FIFO_RETURN_IF_ERROR(Settle());  // db_ is ours again
    absl::StatusOr<std::optional<Row>> row = db_->QueryOne(
        "open segment",
        absl::StrCat("INSERT INTO fifo_segments (symbol, computation_id, "
                     "row_count, digest, has_snapshot, ingest_seq_seen, "
                     "snapshot_time) VALUES (:s, :c, 0, '', ",
                     db_->sqlite() ? "1" : "TRUE", ", 0, ",
                     db_->TsParam(":t"), ") RETURNING id"),
        {Param::Text(symbol), Param::Int(run_.id), Param::Text(Ts(NowMicros()))},
        1);
    FIFO_RETURN_IF_ERROR(Check(row.status()));
    absl::StatusOr<int64_t> id = Int((**row)[0], "segment id");
    FIFO_RETURN_IF_ERROR(Check(id.status()));
    open_ = std::make_unique<Segment>();
    open_->id = *id;
    open_->symbol = symbol;
    return absl::OkStatus();
  }

  // Rolls back and ends the writer with `s` (nothing committed).
  absl::Status Fail(absl::Status s) {
    db_->Rollback();
    done_ = true;
    Unlock();
    return s;
  }

  // Runs `job`, the run's next database work: on the worker thread once a
  // bulk write (`bulk`) has started it, at once otherwise. A queued job's
  // error is returned by a later Write, Settle or Commit.
  absl::Status Write(bool bulk, OrderedWorker::Job job) {
    if (!worker_.started() && !bulk) return Check(job());
    return Check(worker_.Submit(std::move(job)));
  }

  // Waits for the queued writes and stops the worker: the caller's thread
  // may use db_ again. Returns the first error of a queued write.
  absl::Status Settle() {
    if (!worker_.started()) return absl::OkStatus();
    absl::Status s = worker_.Drain();
    worker_.Stop();
    return Check(s);
  }

  absl::Status Check(absl::Status s) {
    if (!s.ok()) failed_ = true;
    return s;
  }

  // PostgreSQL: releases the session advisory lock that marks the run live.
  void Unlock() {
    if (db_->sqlite()) return;
    db_->QueryOne("unlock run",
                  "SELECT CAST(pg_advisory_unlock(CAST(:c AS INTEGER), "
                  "CAST(:id AS INTEGER)) AS TEXT)",
                  {Param::Int(kRunLockClass), Param::Int(run_.id)}, 1)
        .status()
        .IgnoreError();
  }

  const std::unique_ptr<SqlSession> db_;
  const ComputationRun run_;
  const std::optional<int64_t> extend_version_;
  bool done_ = false;
  bool failed_ = false;
  bool begun_ = false;  // the run's transaction is open
  std::unique_ptr<Segment> open_;
  // The run's segments of each symbol, in order (reused ones first).
  std::map<std::string, std::vector<int64_t>> lists_;
  // Writes of at least this many rows hand the inserts to worker_, so that
  // the caller computes the next rows meanwhile; smaller runs stay
  // synchronous (each write's error is its own return value).
  static constexpr size_t kPipelineRows = 1024;
  // At most one write waits while another runs (bounded memory). Declared
  // last: destroyed (joined) before db_.
  OrderedWorker worker_{1};
};

}  // namespace

std::unique_ptr<RunWriter> NewSqlRunWriter(
    std::unique_ptr<SqlSession> db, ComputationRun run,
    std::optional<int64_t> extend_version) {
  return std::make_unique<SqlRunWriter>(std::move(db), std::move(run),
                                        extend_version);
}

}  // namespace storage_internal
}  // namespace fifo
