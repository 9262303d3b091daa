// SqlLedgerStore's manual review queue: list and resolve (see
// sql_ledger_store.h; RunWriter::EnqueueReview files the items).
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/status_macros.h"
#include "storage/sql_ledger_store.h"
#include "storage/sql_rows.h"

namespace fifo {
namespace storage_internal {

absl::StatusOr<std::vector<ReviewItem>> SqlLedgerStore::ListReviewItems(
    ReviewFilter filter) {
  absl::MutexLock lock(&mu_);
  std::string sql = absl::StrCat("SELECT ", ReviewCols(*db_),
                                 " FROM manual_review_queue");
  if (filter == ReviewFilter::kOpen) sql += " WHERE status = 'open'";
  if (filter == ReviewFilter::kResolved) sql += " WHERE status = 'resolved'";
  sql += " ORDER BY id";
  std::vector<ReviewItem> out;
  FIFO_RETURN_IF_ERROR(db_->Query("list review items", sql, {}, kReviewCols,
                                  [&](const Row& row) -> absl::Status {
                                    FIFO_ASSIGN_OR_RETURN(ReviewItem item,
                                                          RowToReview(row));
                                    out.push_back(std::move(item));
                                    return absl::OkStatus();
                                  }));
  return out;
}

absl::StatusOr<int64_t> SqlLedgerStore::CountReviewItems(ReviewFilter filter) {
  absl::MutexLock lock(&mu_);
  std::string sql = "SELECT COUNT(*) FROM manual_review_queue";
  if (filter == ReviewFilter::kOpen) sql += " WHERE status = 'open'";
  if (filter == ReviewFilter::kResolved) sql += " WHERE status = 'resolved'";
  FIFO_ASSIGN_OR_RETURN(std::optional<Row> row,
                        db_->QueryOne("count review items", sql, {}, 1));
  return Int((*row)[0], "count");
}

absl::StatusOr<ReviewItem> SqlLedgerStore::ResolveReviewItem(
    int64_t id, const std::string& note) {
  absl::MutexLock lock(&mu_);
  const std::string ctx = "resolve review item";
  FIFO_ASSIGN_OR_RETURN(std::optional<ReviewItem> item, LoadReview(id));
  if (!item.has_value()) {
    return absl::NotFoundError(absl::StrCat("no review item ", id));
  }
  if (item->resolved) {
    return absl::FailedPreconditionError(
        absl::StrCat("review item ", id, " is already resolved"));
  }
  FIFO_ASSIGN_OR_RETURN(
      int64_t n,
      db_->Exec(ctx,
                absl::StrCat("UPDATE manual_review_queue SET status = "
                             "'resolved', resolution_note = :n, resolved_at "
                             "= ",
                             db_->TsParam(":r"),
                             " WHERE id = :id AND status = 'open'"),
                {Param::Text(note), Param::Text(Ts(NowMicros())),
                 Param::Int(id)}));
  if (n != 1) {
    return absl::FailedPreconditionError(
        absl::StrCat("review item ", id, " is already resolved"));
  }
  FIFO_ASSIGN_OR_RETURN(item, LoadReview(id));
  return *item;
}

absl::StatusOr<std::optional<ReviewItem>> SqlLedgerStore::LoadReview(
    int64_t id) {
  FIFO_ASSIGN_OR_RETURN(
      std::optional<Row> row,
      db_->QueryOne("load review item",
                    absl::StrCat("SELECT ", ReviewCols(*db_),
                                 " FROM manual_review_queue WHERE id = :id"),
                    {Param::Int(id)}, kReviewCols));
  if (!row.has_value()) return std::optional<ReviewItem>();
  FIFO_ASSIGN_OR_RETURN(ReviewItem item, RowToReview(*row));
  return std::optional<ReviewItem>(std::move(item));
}

}  // namespace storage_internal
}  // namespace fifo
