// AllocationEngine in process: computations, GetComputation, ListComputations
// through the generated stub over a real SQLite store.
#include "service/allocation_engine_service.h"

#include <memory>
#include <string>

#include "fifo/v1/allocation_engine.grpc.pb.h"
#include "gtest/gtest.h"
#include "service/in_process_server.h"

namespace fifo {
namespace {

namespace pb = ::fifo::v1;

class AllocationEngineServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    absl::StatusOr<std::unique_ptr<testing::InProcessServer>> server =
        testing::InProcessServer::StartService<AllocationEngineService>(
            "allocation_engine");
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = *std::move(server);
    stub_ = pb::AllocationEngine::NewStub(server_->channel());
  }

  pb::Computation ComputeAll() {
    grpc::ClientContext context;
    pb::ComputeAllSymbolsRequest request;
    request.set_triggered_by(pb::TRIGGERED_BY_MANUAL);
    pb::ComputeAllSymbolsResponse response;
    grpc::Status status =
        stub_->ComputeAllSymbols(&context, request, &response);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return response.computation();
  }

  std::unique_ptr<testing::InProcessServer> server_;
  std::unique_ptr<pb::AllocationEngine::Stub> stub_;
};

TEST_F(AllocationEngineServiceTest, ComputeThenGetComputation) {
  ASSERT_TRUE(server_->SeedTrades().ok());
  const pb::Computation run = ComputeAll();
  EXPECT_EQ(run.status(), pb::COMPUTATION_STATUS_COMPLETED);
  EXPECT_GT(run.allocation_version(), 0);
  EXPECT_EQ(run.allocations_created(), 5);
  EXPECT_EQ(run.total_pnl_usd(), "265");
  EXPECT_EQ(run.triggered_by(), pb::TRIGGERED_BY_MANUAL);

  grpc::ClientContext context;
  pb::GetComputationRequest request;
  request.set_id(run.id());
  pb::Computation got;
  grpc::Status status = stub_->GetComputation(&context, request, &got);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(got.id(), run.id());
  EXPECT_EQ(got.allocation_version(), run.allocation_version());
  EXPECT_EQ(got.status(), pb::COMPUTATION_STATUS_COMPLETED);
}

TEST_F(AllocationEngineServiceTest, GetComputationIdZeroIsInvalid) {
  grpc::ClientContext context;
  pb::GetComputationRequest request;  // id 0
  pb::Computation got;
  grpc::Status status = stub_->GetComputation(&context, request, &got);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(status.error_message(),
            "id: must be a computation id (>= 1), got 0");
}

TEST_F(AllocationEngineServiceTest, GetComputationUnknownIdIsNotFound) {
  grpc::ClientContext context;
  pb::GetComputationRequest request;
  request.set_id(12345);
  pb::Computation got;
  grpc::Status status = stub_->GetComputation(&context, request, &got);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::NOT_FOUND);
}

TEST_F(AllocationEngineServiceTest, ComputeSymbolNeedsASymbol) {
  grpc::ClientContext context;
  pb::ComputeSymbolRequest request;
  pb::ComputeSymbolResponse response;
  grpc::Status status = stub_->ComputeSymbol(&context, request, &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(status.error_message(), "symbol: required");
}

TEST_F(AllocationEngineServiceTest, ComputeSymbolUnknownSymbolIsNotFound) {
  ASSERT_TRUE(server_->SeedTrades().ok());
  grpc::ClientContext context;
  pb::ComputeSymbolRequest request;
  request.set_symbol("DOGE-USD");
  pb::ComputeSymbolResponse response;
  grpc::Status status = stub_->ComputeSymbol(&context, request, &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::NOT_FOUND);
}

TEST_F(AllocationEngineServiceTest, ListComputationsPagesAndFilters) {
  ASSERT_TRUE(server_->SeedTrades().ok());
  const pb::Computation first = ComputeAll();
  const pb::Computation second = ComputeAll();
  ASSERT_NE(first.id(), second.id());

  // Page by page, one run each, every run exactly once.
  std::string token;
  int seen = 0;
  for (int page = 0; page < 5; ++page) {
    grpc::ClientContext context;
    pb::ListComputationsRequest request;
    request.set_page_size(1);
    request.set_page_token(token);
    pb::ListComputationsResponse response;
    grpc::Status status = stub_->ListComputations(&context, request, &response);
    ASSERT_TRUE(status.ok()) << status.error_message();
    EXPECT_LE(response.computations_size(), 1);
    seen += response.computations_size();
    token = response.next_page_token();
    if (token.empty()) break;
  }
  EXPECT_EQ(seen, 2);

  grpc::ClientContext context;
  pb::ListComputationsRequest request;
  request.set_allocation_version(second.allocation_version());
  pb::ListComputationsResponse response;
  grpc::Status status = stub_->ListComputations(&context, request, &response);
  ASSERT_TRUE(status.ok()) << status.error_message();
  ASSERT_EQ(response.computations_size(), 1);
  EXPECT_EQ(response.computations(0).id(), second.id());
}

}  // namespace
}  // namespace fifo
