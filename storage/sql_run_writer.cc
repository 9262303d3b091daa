// The RunWriter of SqlLedgerStore::StartRun (see run_writer.h for the
// contract, sql_ledger_store.h for the store).
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/status_macros.h"
#include "storage/bulk_insert.h"
#include "storage/ordered_worker.h"
#include "storage/run_writer.h"
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
// of such a queued write is returned by the next write, CarryForward or
// Commit, and the run must then be aborted.
class SqlRunWriter : public RunWriter {
 public:
  SqlRunWriter(std::unique_ptr<SqlSession> db, ComputationRun run)
      : db_(std::move(db)), run_(std::move(run)) {}

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
    static const BulkTable* const kTable = new BulkTable{
        "fifo_allocations",
        {"allocation_version", "seq", "sell_order_id", "buy_order_id",
         "symbol", "allocated_size", "buy_price", "sell_price",
         "buy_fees_per_unit", "sell_fees_per_unit", "buy_fee_share_usd",
         "sell_fee_share_usd", "cost_basis_usd", "proceeds_usd",
         "net_proceeds_usd", "pnl_usd", "buy_time", "sell_time",
         "allocation_time", "allocation_batch_id"}};
    const std::string now = Ts(NowMicros());
    auto shared_rows = std::make_shared<BulkRows>();
    BulkRows& rows = *shared_rows;
    rows.Reserve(allocations.size() * kTable->columns.size(),
                 allocations.size() * 384);
    int64_t seq = next_seq_;
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
      rows.Int(run_.allocation_version);
      rows.Int(seq++);
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
    }
    next_seq_ = seq;
    return Write(allocations.size() >= kPipelineRows, [this, shared_rows] {
      return db_->InsertRows("write allocations", *kTable, *shared_rows);
    });
  }

  absl::Status WriteSnapshot(const std::string& symbol,
                             const SymbolState& state,
                             int64_t ingest_seq_seen) override {
    FIFO_RETURN_IF_ERROR(Ready());
    static const BulkTable* const kTable = new BulkTable{
        "fifo_inventory_snapshot",
        {"symbol", "buy_order_id", "remaining_size", "snapshot_time",
         "allocation_version", "lot_seq", "buy_time", "price", "size",
         "total_fees_usd", "consumed_size", "consumed_fee_share"}};
    const std::string now = Ts(NowMicros());
    auto shared_rows = std::make_shared<BulkRows>();
    BulkRows& rows = *shared_rows;
    rows.Reserve(state.open_lots.size() * kTable->columns.size(),
                 state.open_lots.size() * 192);
    int64_t lot_seq = 0;
    for (const OpenLot& lot : state.open_lots) {
      rows.Text(symbol);
      rows.Text(lot.buy_order_id);
      rows.Text(lot.remaining_size().ToString());
      rows.Text(now);
      rows.Int(run_.allocation_version);
      rows.Int(++lot_seq);
      rows.Time(lot.buy_time);
      rows.Text(lot.price.ToString());
      rows.Text(lot.size.ToString());
      rows.Text(lot.total_fees_usd.ToString());
      rows.Text(lot.consumed_size.ToString());
      rows.Text(lot.consumed_fee_share.ToString());
    }
    const auto& hwm = state.high_water_mark;
    const std::string mark_sql = absl::StrCat(
        "INSERT INTO fifo_snapshot_watermark (allocation_version, symbol, "
        "hwm_time, hwm_order_id, ingest_seq_seen, snapshot_time) VALUES (:v, "
        ":s, ",
        db_->TsParam(":t"), ", :o, :q, ", db_->TsParam(":n"), ")");
    const std::vector<Param> mark = {
        Param::Int(run_.allocation_version), Param::Text(symbol),
        hwm ? Param::Text(Ts(hwm->order_time)) : Param::Null(),
        hwm ? Param::Text(hwm->order_id) : Param::Null(),
        Param::Int(ingest_seq_seen), Param::Text(now)};
    return Write(false, [this, symbol, shared_rows, mark_sql,
                         mark]() -> absl::Status {
      const std::string ctx = "write snapshot";
      for (const char* table :
           {"fifo_inventory_snapshot", "fifo_snapshot_watermark"}) {
        FIFO_RETURN_IF_ERROR(
            db_->Exec(ctx,
                      absl::StrCat("DELETE FROM ", table,
                                   " WHERE allocation_version = :v AND "
                                   "symbol = :s"),
                      {Param::Int(run_.allocation_version),
                       Param::Text(symbol)})
                .status());
      }
      FIFO_RETURN_IF_ERROR(db_->InsertRows(ctx, *kTable, *shared_rows));
      return db_->Exec(ctx, mark_sql, mark).status();
    });
  }

  absl::StatusOr<int64_t> CarryForward(
      int64_t from_version,
      const std::vector<std::string>& exclude_symbols) override {
    FIFO_RETURN_IF_ERROR(Ready());
    FIFO_RETURN_IF_ERROR(Settle());
    if (from_version == run_.allocation_version) {
      return absl::FailedPreconditionError(absl::StrCat(
          "cannot carry version ", from_version, " forward into itself"));
    }
    absl::StatusOr<bool> completed = VersionCompleted(*db_, from_version);
    FIFO_RETURN_IF_ERROR(Check(completed.status()));
    if (!*completed) {
      return absl::FailedPreconditionError(absl::StrCat(
          "cannot carry version ", from_version,
          " forward: it has no completed run"));
    }
    const std::string ctx = "carry forward";
    const std::string excluded = db_->EncodeList(exclude_symbols);
    const std::string amounts =
        "sell_order_id, buy_order_id, symbol, allocated_size, buy_price, "
        "sell_price, buy_fees_per_unit, sell_fees_per_unit, buy_fee_share_usd, "
        "sell_fee_share_usd, cost_basis_usd, proceeds_usd, net_proceeds_usd, "
        "pnl_usd, buy_time, sell_time, allocation_time";
    absl::StatusOr<int64_t> copied = db_->Exec(
        ctx,
        absl::StrCat(
            "INSERT INTO fifo_allocations (allocation_version, seq, ", amounts,
            ", allocation_batch_id) SELECT ", db_->IntParam(":nv"), ", ",
            db_->IntParam(":base"),
            " + ROW_NUMBER() OVER (ORDER BY symbol, seq), ", amounts, ", ",
            db_->UuidParam(":b"),
            " FROM fifo_allocations WHERE allocation_version = :fv AND NOT (",
            db_->InList("symbol", ":ex"), ")"),
        {Param::Int(run_.allocation_version), Param::Int(next_seq_ - 1),
         Param::Text(run_.batch_id), Param::Int(from_version),
         Param::Text(excluded)});
    FIFO_RETURN_IF_ERROR(Check(copied.status()));
    next_seq_ += *copied;
    const std::string lots =
        "symbol, buy_order_id, remaining_size, snapshot_time, lot_seq, "
        "buy_time, price, size, total_fees_usd, consumed_size, "
        "consumed_fee_share";
    FIFO_RETURN_IF_ERROR(Check(
        db_->Exec(ctx,
                  absl::StrCat("INSERT INTO fifo_inventory_snapshot "
                               "(allocation_version, ",
                               lots, ") SELECT ", db_->IntParam(":nv"), ", ",
                               lots,
                               " FROM fifo_inventory_snapshot WHERE "
                               "allocation_version = :fv AND NOT (",
                               db_->InList("symbol", ":ex"), ")"),
                  {Param::Int(run_.allocation_version),
                   Param::Int(from_version), Param::Text(excluded)})
            .status()));
    const std::string marks =
        "symbol, hwm_time, hwm_order_id, ingest_seq_seen, snapshot_time";
    FIFO_RETURN_IF_ERROR(Check(
        db_->Exec(ctx,
                  absl::StrCat("INSERT INTO fifo_snapshot_watermark "
                               "(allocation_version, ",
                               marks, ") SELECT ", db_->IntParam(":nv"), ", ",
                               marks,
                               " FROM fifo_snapshot_watermark WHERE "
                               "allocation_version = :fv AND NOT (",
                               db_->InList("symbol", ":ex"), ")"),
                  {Param::Int(run_.allocation_version),
                   Param::Int(from_version), Param::Text(excluded)})
            .status()));
    return *copied;
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
    const std::string update_sql = absl::StrCat(
        "UPDATE manual_review_queue SET allocation_version = :v, details = ",
        db_->JsonParam(":d"),
        ", symbol = :s WHERE order_id = :o AND issue_type = "
        "'unmatched_sell' AND status = 'open'");
    const std::vector<Param> update = {
        Param::Int(run_.allocation_version), Param::Text(details),
        Param::Text(u.symbol), Param::Text(u.sell_order_id)};
    // A concurrent run (PostgreSQL: another transaction) may file the same
    // open item between the UPDATE and the INSERT: refresh it then, as the
    // UPDATE would have, instead of failing the run on the unique index.
    const std::string insert_sql = absl::StrCat(
        "INSERT INTO manual_review_queue (order_id, symbol, issue_type, "
        "severity, created_at, status, allocation_version, details) VALUES "
        "(:o, :s, 'unmatched_sell', 'high', ",
        db_->TsParam(":c"), ", 'open', :v, ", db_->JsonParam(":d"),
        ") ON CONFLICT (order_id, issue_type) WHERE status = 'open' DO UPDATE "
        "SET allocation_version = excluded.allocation_version, details = "
        "excluded.details, symbol = excluded.symbol");
    const std::vector<Param> insert = {
        Param::Text(u.sell_order_id), Param::Text(u.symbol),
        Param::Text(Ts(NowMicros())), Param::Int(run_.allocation_version),
        Param::Text(details)};
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
    const absl::Time end = NowMicros();
    absl::StatusOr<int64_t> updated = db_->Exec(
        "commit run",
        absl::StrCat(
            "UPDATE fifo_computation_log SET status = 'completed', "
            "computation_end = ",
            db_->TsParam(":e"), ", computation_duration_ms = :d, "
            "buys_processed = :b, sells_processed = :s, allocations_created = "
            ":a, total_pnl_computed = ",
            db_->NumParam(":p"), ", symbols_processed = ",
            db_->ListParam(":y"), " WHERE id = :id AND status = 'running'"),
        {Param::Text(Ts(end)),
         Param::Int(absl::ToInt64Milliseconds(end - run_.start)),
         Param::Int(stats.buys_processed), Param::Int(stats.sells_processed),
         Param::Int(stats.allocations_created),
         Param::Text(stats.total_pnl.ToString()),
         Param::Text(db_->EncodeList(stats.symbols_processed)),
         Param::Int(run_.id)});
    FIFO_RETURN_IF_ERROR(Check(updated.status()));
    if (*updated != 1) {
      db_->Rollback();
      done_ = true;
      Unlock();
      return absl::AbortedError(absl::StrCat(
          "run ", run_.id,
          " is no longer running (marked failed or abandoned meanwhile); "
          "nothing was committed"));
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
    if (!db_->sqlite()) {
      // Serialises writers of one version (incremental runs extend one).
      FIFO_RETURN_IF_ERROR(Check(
          db_->QueryOne("lock version",
                        "SELECT CAST(pg_advisory_xact_lock(CAST(:c AS "
                        "INTEGER), CAST(:v AS INTEGER)) AS TEXT)",
                        {Param::Int(kVersionLockClass),
                         Param::Int(run_.allocation_version)},
                        1)
              .status()));
    }
    absl::StatusOr<std::optional<Row>> max = db_->QueryOne(
        "begin run transaction",
        "SELECT COALESCE(MAX(seq), 0) FROM fifo_allocations WHERE "
        "allocation_version = :v",
        {Param::Int(run_.allocation_version)}, 1);
    FIFO_RETURN_IF_ERROR(Check(max.status()));
    absl::StatusOr<int64_t> last = Int((**max)[0], "MAX(seq)");
    FIFO_RETURN_IF_ERROR(Check(last.status()));
    next_seq_ = *last + 1;
    begun_ = true;
    return absl::OkStatus();
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
  bool done_ = false;
  bool failed_ = false;
  int64_t next_seq_ = 1;
  bool begun_ = false;  // the run's transaction is open
  // Writes of at least this many rows hand the inserts to worker_, so that
  // the caller computes the next rows meanwhile; smaller runs stay
  // synchronous (each write's error is its own return value).
  static constexpr size_t kPipelineRows = 1024;
  // At most one write waits while another runs (bounded memory). Declared
  // last: destroyed (joined) before db_.
  OrderedWorker worker_{1};
};

}  // namespace

std::unique_ptr<RunWriter> NewSqlRunWriter(std::unique_ptr<SqlSession> db,
                                           ComputationRun run) {
  return std::make_unique<SqlRunWriter>(std::move(db), std::move(run));
}

}  // namespace storage_internal
}  // namespace fifo
