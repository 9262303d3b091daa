// AllocationValidator in process: ValidateAllocations on a computed version
// and FindDiscrepancies (all symbols, one symbol, bad versions) through the
// generated stub over a real SQLite store.
#include "service/allocation_validator_service.h"

#include <memory>

#include "core/test_ledger.h"
#include "fifo/v1/allocation_validator.grpc.pb.h"
#include "gtest/gtest.h"
#include "service/in_process_server.h"

namespace fifo {
namespace {

namespace pb = ::fifo::v1;

class AllocationValidatorServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    absl::StatusOr<std::unique_ptr<testing::InProcessServer>> server =
        testing::InProcessServer::StartService<AllocationValidatorService>(
            "allocation_validator");
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = *std::move(server);
    stub_ = pb::AllocationValidator::NewStub(server_->channel());
    ASSERT_TRUE(server_->SeedTrades().ok());
    absl::StatusOr<ComputationRun> run = server_->Compute();
    ASSERT_TRUE(run.ok()) << run.status();
    version_ = run->allocation_version;
  }

  std::unique_ptr<testing::InProcessServer> server_;
  std::unique_ptr<pb::AllocationValidator::Stub> stub_;
  int64_t version_ = 0;
};

TEST_F(AllocationValidatorServiceTest, ValidatesTheComputedVersion) {
  grpc::ClientContext context;
  pb::ValidateAllocationsRequest request;  // the latest version
  pb::ValidateAllocationsResponse response;
  grpc::Status status =
      stub_->ValidateAllocations(&context, request, &response);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(response.allocation_version(), version_);
  EXPECT_TRUE(response.valid());
  EXPECT_EQ(response.violation_count(), 0);
  EXPECT_EQ(response.symbols_checked(), 2);
  EXPECT_EQ(response.trades_checked(), 6);
  EXPECT_EQ(response.allocations_checked(), 5);
}

TEST_F(AllocationValidatorServiceTest, OneSymbolAndUnknownVersion) {
  {
    grpc::ClientContext context;
    pb::ValidateAllocationsRequest request;
    request.set_allocation_version(version_);
    request.set_symbol("ETH-USD");
    pb::ValidateAllocationsResponse response;
    grpc::Status status =
        stub_->ValidateAllocations(&context, request, &response);
    ASSERT_TRUE(status.ok()) << status.error_message();
    EXPECT_TRUE(response.valid());
    EXPECT_EQ(response.symbols_checked(), 1);
  }
  grpc::ClientContext context;
  pb::ValidateAllocationsRequest request;
  request.set_allocation_version(version_ + 10);
  pb::ValidateAllocationsResponse response;
  grpc::Status status =
      stub_->ValidateAllocations(&context, request, &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::NOT_FOUND);
}

TEST_F(AllocationValidatorServiceTest, FindDiscrepanciesNeedsPositiveVersions) {
  grpc::ClientContext context;
  pb::FindDiscrepanciesRequest request;
  request.set_version_a(version_);  // version_b 0
  pb::FindDiscrepanciesResponse response;
  grpc::Status status = stub_->FindDiscrepancies(&context, request, &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(status.error_message(),
            "version_a and version_b: required, positive versions");
}

TEST_F(AllocationValidatorServiceTest, FindDiscrepanciesBySymbol) {
  // A backfilled buy before b1 re-allocates BTC-USD's sell s1 only.
  ASSERT_TRUE(
      server_
          ->SeedTrades({testing::MakeTrade("b0", "BTC-USD", Side::kBuy, "1",
                                           "50", "2025-01-05T00:00:00Z")})
          .ok());
  absl::StatusOr<ComputationRun> second = server_->Compute();
  ASSERT_TRUE(second.ok()) << second.status();

  auto find = [&](const std::string& symbol, pb::FindDiscrepanciesResponse* r) {
    grpc::ClientContext context;
    pb::FindDiscrepanciesRequest request;
    request.set_version_a(version_);
    request.set_version_b(second->allocation_version);
    request.set_symbol(symbol);
    return stub_->FindDiscrepancies(&context, request, r);
  };
  pb::FindDiscrepanciesResponse all;
  ASSERT_TRUE(find("", &all).ok());
  EXPECT_EQ(all.sells_differing(), 1);
  ASSERT_EQ(all.sells_size(), 1);
  EXPECT_EQ(all.sells(0).sell_order_id(), "s1");
  EXPECT_EQ(all.sells(0).pnl_delta_usd(), "100");
  EXPECT_EQ(all.symbol_totals_size(), 2);

  pb::FindDiscrepanciesResponse eth;
  ASSERT_TRUE(find("ETH-USD", &eth).ok());
  EXPECT_EQ(eth.sells_size(), 0);
  ASSERT_EQ(eth.symbol_totals_size(), 1);
  EXPECT_EQ(eth.symbol_totals(0).symbol(), "ETH-USD");
  EXPECT_EQ(eth.symbol_totals(0).pnl_delta_usd(), "0");

  pb::FindDiscrepanciesResponse btc;
  ASSERT_TRUE(find("BTC-USD", &btc).ok());
  EXPECT_EQ(btc.sells_size(), 1);
  ASSERT_EQ(btc.symbol_totals_size(), 1);
  EXPECT_EQ(btc.symbol_totals(0).pnl_usd_a(), "250");
  EXPECT_EQ(btc.symbol_totals(0).pnl_usd_b(), "350");
}

}  // namespace
}  // namespace fifo
