// File: service/review_queue_service.h
//
// fifo.v1.ReviewQueue: the items a computation left for a person to review
// (ListReviewItems, filtered and paged) and their resolution with a note
// (ResolveReviewItem, a write that waits for the SQLite writer turn like
// any other).
//
// Thread safety: stateless beyond the shared ServiceState (thread-safe);
// gRPC may call every method concurrently.
#ifndef FIFO_SERVICE_REVIEW_QUEUE_SERVICE_H_
#define FIFO_SERVICE_REVIEW_QUEUE_SERVICE_H_

#include "fifo/v1/review_queue.grpc.pb.h"
#include "grpcpp/grpcpp.h"
#include "service/auth.h"
#include "service/service_state.h"

namespace fifo {

// REQUIRES: `state` and `authorizer` outlive the service.
class ReviewQueueService final : public fifo::v1::ReviewQueue::Service {
 public:
  ReviewQueueService(ServiceState* state, const Authorizer* authorizer)
      : state_(state), authorizer_(authorizer) {}
  grpc::Status ListReviewItems(
      grpc::ServerContext* context,
      const fifo::v1::ListReviewItemsRequest* request,
      fifo::v1::ListReviewItemsResponse* response) override;
  grpc::Status ResolveReviewItem(
      grpc::ServerContext* context,
      const fifo::v1::ResolveReviewItemRequest* request,
      fifo::v1::ReviewItem* response) override;

 private:
  ServiceState* const state_;
  const Authorizer* const authorizer_;
};

}  // namespace fifo

#endif  // FIFO_SERVICE_REVIEW_QUEUE_SERVICE_H_
