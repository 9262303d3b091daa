// SqlLedgerStore::BeginImport and its TradeImport (see trade_import.h for
// the contract, sql_ledger_store.h for the store).
#include <algorithm>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "common/status_macros.h"
#include "storage/bulk_insert.h"
#include "storage/sql_ledger_store.h"
#include "storage/sql_rows.h"
#include "storage/trade_import.h"

namespace fifo {
namespace storage_internal {
namespace {

constexpr int kImportChunk = 1000;

// The first fact that differs, with both values; nullopt when identical.
struct FactDiff {
  std::string field, stored, incoming;
};

std::optional<FactDiff> DiffFacts(const Trade& stored, const Trade& incoming) {
  auto text = [](absl::string_view f, const std::string& a,
                 const std::string& b) -> std::optional<FactDiff> {
    if (a == b) return std::nullopt;
    return FactDiff{std::string(f), Quoted(a), Quoted(b)};
  };
  auto dec = [](absl::string_view f, const Decimal& a,
                const Decimal& b) -> std::optional<FactDiff> {
    if (a == b) return std::nullopt;
    return FactDiff{std::string(f), a.ToString(), b.ToString()};
  };
  if (auto d = text("symbol", stored.symbol, incoming.symbol)) return d;
  if (stored.side != incoming.side) {
    return FactDiff{"side", std::string(SideName(stored.side)),
                    std::string(SideName(incoming.side))};
  }
  if (auto d = dec("size", stored.size, incoming.size)) return d;
  if (auto d = dec("price", stored.price, incoming.price)) return d;
  if (stored.order_time != incoming.order_time) {
    return FactDiff{"order_time", Ts(stored.order_time),
                    Ts(incoming.order_time)};
  }
  if (auto d = dec("total_fees_usd", stored.total_fees_usd,
                   incoming.total_fees_usd)) {
    return d;
  }
  if (auto d = text("source", stored.source, incoming.source)) return d;
  if (auto d = text("status", stored.status, incoming.status)) return d;
  if (auto d = text("order_type", stored.order_type, incoming.order_type)) {
    return d;
  }
  if (auto d = text("ingest_via", stored.ingest_via, incoming.ingest_via)) {
    return d;
  }
  return std::nullopt;
}

absl::Status TwiceInImport(const std::string& order_id, const FactDiff& d) {
  return absl::AlreadyExistsError(absl::StrCat(
      "order_id ", Quoted(order_id),
      " appears twice in the import with different ", d.field, ": ",
      d.stored, " then ", d.incoming));
}

}  // namespace

// One import transaction (BeginImport): holds mu_ from BeginImport until
// Finish or destruction.
class SqlTradeImport : public TradeImport {
 public:
  SqlTradeImport(SqlLedgerStore* store, bool dry_run)
      : store_(store), dry_run_(dry_run) {}

  ~SqlTradeImport() override ABSL_NO_THREAD_SAFETY_ANALYSIS {
    if (!finished_) {
      if (open_) store_->db_->Rollback();
      store_->mu_.Unlock();
    }
  }

  absl::Status Add(absl::Span<const Trade> batch) override
      ABSL_NO_THREAD_SAFETY_ANALYSIS {
    if (finished_ || !status_.ok()) {
      return absl::FailedPreconditionError(
          finished_ ? "import already finished"
                    : absl::StrCat("import already failed: ",
                                   status_.message()));
    }
    status_ = AddBatch(batch);
    return status_;
  }

  ImportResult counts() const override { return result_; }

  absl::StatusOr<ImportResult> Finish() override
      ABSL_NO_THREAD_SAFETY_ANALYSIS {
    FIFO_RETURN_IF_ERROR(Add({}));
    absl::Status s;
    if (dry_run_) {
      store_->db_->Rollback();
    } else {
      s = store_->db_->Commit("import trades");
      if (!s.ok()) store_->db_->Rollback();
    }
    finished_ = true;
    store_->mu_.Unlock();
    if (!s.ok()) return s;
    return result_;
  }

 private:
  friend class SqlLedgerStore;

  absl::Status AddBatch(absl::Span<const Trade> batch)
      ABSL_NO_THREAD_SAFETY_ANALYSIS {
    std::vector<const Trade*> unique;
    unique.reserve(batch.size());
    absl::flat_hash_map<absl::string_view, const Trade*> seen;
    seen.reserve(batch.size());
    for (size_t i = 0; i < batch.size(); ++i) {
      FIFO_RETURN_IF_ERROR(ValidateForStore(batch[i], numbered_ + i));
      auto [it, inserted] = seen.emplace(batch[i].order_id, &batch[i]);
      if (inserted) {
        unique.push_back(&batch[i]);
        continue;
      }
      if (std::optional<FactDiff> d = DiffFacts(*it->second, batch[i])) {
        return TwiceInImport(batch[i].order_id, *d);
      }
      ++result_.unchanged;
    }
    numbered_ += batch.size();
    return store_->ImportBatchLocked(unique, first_seq_, &next_seq_,
                                     &result_);
  }

  SqlLedgerStore* store_;
  const bool dry_run_;
  bool open_ = false;       // the transaction is open
  bool finished_ = false;   // Finish ran (mu_ released)
  absl::Status status_;     // the first error; the import is dead after it
  int64_t first_seq_ = 0;   // ingest_seq of this import's first new trade
  int64_t next_seq_ = 0;
  size_t numbered_ = 0;     // trades given to Add so far
  ImportResult result_;
};

absl::StatusOr<std::unique_ptr<TradeImport>> SqlLedgerStore::BeginImport(
    bool dry_run) ABSL_NO_THREAD_SAFETY_ANALYSIS {
  mu_.Lock();
  auto import = std::make_unique<SqlTradeImport>(this, dry_run);
  const std::string ctx = "import trades";
  absl::Status s = db_->BeginWrite(ctx);
  if (s.ok()) {
    import->open_ = true;
    s = StartImportLocked(&import->next_seq_);
  }
  if (!s.ok()) return s;  // ~SqlTradeImport rolls back and unlocks
  import->first_seq_ = import->next_seq_;
  return import;
}

absl::Status SqlLedgerStore::StartImportLocked(int64_t* next_seq) {
  const std::string ctx = "import trades";
  if (!db_->sqlite()) {
    // Serialises imports so that ingest_seq order is commit order.
    FIFO_RETURN_IF_ERROR(
        db_->Exec(ctx, "LOCK TABLE trade_records IN SHARE ROW EXCLUSIVE MODE")
            .status());
  }
  FIFO_ASSIGN_OR_RETURN(int64_t max_seq, MaxIngestSeqLocked(ctx));
  *next_seq = max_seq + 1;
  return absl::OkStatus();
}

absl::Status SqlLedgerStore::ImportBatchLocked(
    const std::vector<const Trade*>& trades, int64_t first_seq,
    int64_t* next_seq, ImportResult* result) {
  const std::string ctx = "import trades";
  for (size_t begin = 0; begin < trades.size(); begin += kImportChunk) {
    const size_t end = std::min(trades.size(), begin + kImportChunk);
    std::vector<std::string> ids;
    for (size_t i = begin; i < end; ++i) ids.push_back(trades[i]->order_id);
    absl::flat_hash_map<std::string, std::pair<Trade, int64_t>> stored;
    FIFO_RETURN_IF_ERROR(db_->Query(
        ctx,
        absl::StrCat("SELECT ", TradeCols(*db_),
                     ", ingest_seq FROM trade_records WHERE ",
                     db_->InList("order_id", ":ids")),
        {Param::Text(db_->EncodeList(ids))}, kTradeCols + 1,
        [&](const Row& row) -> absl::Status {
          FIFO_ASSIGN_OR_RETURN(Trade t, RowToTrade(row));
          FIFO_ASSIGN_OR_RETURN(int64_t seq,
                                Int(row[kTradeCols], "ingest_seq"));
          std::string id = t.order_id;
          stored.emplace(std::move(id), std::make_pair(std::move(t), seq));
          return absl::OkStatus();
        }));
    static const BulkTable* const kTable = new BulkTable{
        "trade_records",
        {"order_id", "symbol", "side", "size", "price", "order_time",
         "total_fees_usd", "status", "order_type", "source", "ingest_via",
         "ingest_seq"}};
    BulkRows rows;
    for (size_t i = begin; i < end; ++i) {
      const Trade& t = *trades[i];
      auto it = stored.find(t.order_id);
      if (it != stored.end()) {
        const auto& [stored_trade, stored_seq] = it->second;
        if (std::optional<FactDiff> d = DiffFacts(stored_trade, t)) {
          if (stored_seq >= first_seq) return TwiceInImport(t.order_id, *d);
          return absl::AlreadyExistsError(absl::StrCat(
              "order_id ", Quoted(t.order_id),
              " already exists with different facts: ", d->field, " is ",
              d->stored, " in the store, ", d->incoming,
              " in the import (trades are immutable, ERRATA 9); nothing "
              "was imported"));
        }
        ++result->unchanged;
        continue;
      }
      ++result->inserted;
      rows.Text(t.order_id);
      rows.Text(t.symbol);
      rows.Text(SideName(t.side));
      rows.Text(t.size.ToString());
      rows.Text(t.price.ToString());
      rows.Time(t.order_time);
      rows.Text(t.total_fees_usd.ToString());
      rows.OptText(NullIfEmpty(t.status));
      rows.OptText(NullIfEmpty(t.order_type));
      rows.Text(t.source);
      rows.OptText(NullIfEmpty(t.ingest_via));
      rows.Int((*next_seq)++);
    }
    FIFO_RETURN_IF_ERROR(db_->InsertRows(ctx, *kTable, rows));
  }
  return absl::OkStatus();
}

}  // namespace storage_internal
}  // namespace fifo
