#include "service/review_queue_service.h"

#include <cstddef>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "api/convert.h"
#include "api/grpc_status.h"
#include "service/request_fields.h"
#include "service/writer_queue.h"
#include "storage/ledger_store.h"

namespace fifo {
namespace {

namespace pb = ::fifo::v1;

}  // namespace

grpc::Status ReviewQueueService::ListReviewItems(
    grpc::ServerContext* context, const pb::ListReviewItemsRequest* request,
    pb::ListReviewItemsResponse* response) {
  FIFO_AUTHORIZE_OR_RETURN(*authorizer_, context, pb::ReviewQueue);
  ReviewFilter filter = ReviewFilter::kAll;
  if (request->status() == pb::REVIEW_STATUS_OPEN) filter = ReviewFilter::kOpen;
  if (request->status() == pb::REVIEW_STATUS_RESOLVED) {
    filter = ReviewFilter::kResolved;
  }
  absl::StatusOr<size_t> offset = OffsetFromToken(request->page_token());
  if (!offset.ok()) return ToGrpcStatus(offset.status());
  absl::StatusOr<std::vector<ReviewItem>> items =
      state_->Next().store->ListReviewItems(filter);
  if (!items.ok()) return ToGrpcStatus(items.status());
  const size_t page_size = PageSize(request->page_size());
  size_t index = 0;
  for (const ReviewItem& item : *items) {
    if (!request->symbol().empty() && item.symbol != request->symbol())
      continue;
    if (!request->issue_type().empty() &&
        item.issue_type != request->issue_type()) {
      continue;
    }
    if (index++ < *offset) continue;
    if (static_cast<size_t>(response->items_size()) >= page_size) {
      response->set_next_page_token(absl::StrCat(index - 1));
      break;
    }
    *response->add_items() = ReviewItemToProto(item);
  }
  return grpc::Status::OK;
}

grpc::Status ReviewQueueService::ResolveReviewItem(
    grpc::ServerContext* context, const pb::ResolveReviewItemRequest* request,
    pb::ReviewItem* response) {
  FIFO_AUTHORIZE_OR_RETURN(*authorizer_, context, pb::ReviewQueue);
  if (request->resolution_note().empty()) {
    return ToGrpcStatus(absl::InvalidArgumentError(
        "resolution_note: required (say how the item was resolved)"));
  }
  const std::string& resolved_by = request->resolved_by();
  std::string note = request->resolution_note();
  if (!resolved_by.empty()) {
    note = absl::StrCat(note, " (resolved by ", resolved_by, ")");
  }
  // A write like any other: on SQLite it waits its turn behind earlier
  // writers instead of contending for the file's lock (writer_queue.h).
  absl::StatusOr<WriterQueue::Turn> turn = state_->WriterTurn(context);
  if (!turn.ok()) return ToGrpcStatus(turn.status());
  absl::StatusOr<ReviewItem> item =
      state_->Next().store->ResolveReviewItem(request->id(), note);
  if (!item.ok()) return ToGrpcStatus(item.status());
  *response = ReviewItemToProto(*item);
  return grpc::Status::OK;
}

}  // namespace fifo
