// ReviewQueue in process: the items a computation left (the small ledger's
// unmatched sell), ResolveReviewItem with and without a note.
#include "service/review_queue_service.h"

#include <memory>

#include "fifo/v1/review_queue.grpc.pb.h"
#include "gtest/gtest.h"
#include "service/in_process_server.h"

namespace fifo {
namespace {

namespace pb = ::fifo::v1;

class ReviewQueueServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    absl::StatusOr<std::unique_ptr<testing::InProcessServer>> server =
        testing::InProcessServer::StartService<ReviewQueueService>(
            "review_queue");
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = *std::move(server);
    stub_ = pb::ReviewQueue::NewStub(server_->channel());
    ASSERT_TRUE(server_->SeedTrades().ok());
    ASSERT_TRUE(server_->Compute().ok());
  }

  pb::ListReviewItemsResponse List(pb::ReviewStatus status) {
    grpc::ClientContext context;
    pb::ListReviewItemsRequest request;
    request.set_status(status);
    pb::ListReviewItemsResponse response;
    grpc::Status s = stub_->ListReviewItems(&context, request, &response);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return response;
  }

  std::unique_ptr<testing::InProcessServer> server_;
  std::unique_ptr<pb::ReviewQueue::Stub> stub_;
};

TEST_F(ReviewQueueServiceTest, ResolveNeedsANote) {
  pb::ListReviewItemsResponse open = List(pb::REVIEW_STATUS_OPEN);
  ASSERT_GE(open.items_size(), 1);
  grpc::ClientContext context;
  pb::ResolveReviewItemRequest request;
  request.set_id(open.items(0).id());
  request.set_resolved_by("alice");
  pb::ReviewItem item;
  grpc::Status status = stub_->ResolveReviewItem(&context, request, &item);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(status.error_message(),
            "resolution_note: required (say how the item was resolved)");
  // Nothing was resolved.
  EXPECT_EQ(List(pb::REVIEW_STATUS_OPEN).items_size(), open.items_size());
}

TEST_F(ReviewQueueServiceTest, ListThenResolve) {
  pb::ListReviewItemsResponse open = List(pb::REVIEW_STATUS_OPEN);
  ASSERT_GE(open.items_size(), 1);
  bool found = false;
  for (const pb::ReviewItem& i : open.items()) {
    EXPECT_EQ(i.status(), pb::REVIEW_STATUS_OPEN);
    found = found || i.order_id() == "e3";
  }
  EXPECT_TRUE(found) << "the unmatched sell e3 is not in the queue";
  EXPECT_EQ(List(pb::REVIEW_STATUS_RESOLVED).items_size(), 0);

  grpc::ClientContext context;
  pb::ResolveReviewItemRequest request;
  request.set_id(open.items(0).id());
  request.set_resolution_note("checked with the exchange");
  request.set_resolved_by("alice");
  pb::ReviewItem item;
  grpc::Status status = stub_->ResolveReviewItem(&context, request, &item);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(item.id(), open.items(0).id());
  EXPECT_EQ(item.status(), pb::REVIEW_STATUS_RESOLVED);
  EXPECT_EQ(item.resolution_note(),
            "checked with the exchange (resolved by alice)");
  EXPECT_EQ(List(pb::REVIEW_STATUS_RESOLVED).items_size(), 1);
  EXPECT_EQ(List(pb::REVIEW_STATUS_OPEN).items_size(), open.items_size() - 1);
}

TEST_F(ReviewQueueServiceTest, BadPageTokenIsInvalid) {
  grpc::ClientContext context;
  pb::ListReviewItemsRequest request;
  request.set_page_token("abc");
  pb::ListReviewItemsResponse response;
  grpc::Status status = stub_->ListReviewItems(&context, request, &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(status.error_message(),
            "page_token: not a token from this list: \"abc\"");
}

}  // namespace
}  // namespace fifo
