// PnlReports in process: GetPnlReport, GetAllocationHealth,
// ListUnmatchedSells and ListAllocations on the small ledger, through the
// generated stub over a real SQLite store.
#include "service/pnl_reports_service.h"

#include <memory>
#include <string>

#include "fifo/v1/pnl_reports.grpc.pb.h"
#include "gtest/gtest.h"
#include "service/in_process_server.h"

namespace fifo {
namespace {

namespace pb = ::fifo::v1;

class PnlReportsServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    absl::StatusOr<std::unique_ptr<testing::InProcessServer>> server =
        testing::InProcessServer::StartService<PnlReportsService>(
            "pnl_reports");
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = *std::move(server);
    stub_ = pb::PnlReports::NewStub(server_->channel());
  }

  void ComputeSmallLedger() {
    ASSERT_TRUE(server_->SeedTrades().ok());
    absl::StatusOr<ComputationRun> run = server_->Compute();
    ASSERT_TRUE(run.ok()) << run.status();
    run_ = *run;
  }

  std::unique_ptr<testing::InProcessServer> server_;
  std::unique_ptr<pb::PnlReports::Stub> stub_;
  ComputationRun run_;
};

TEST_F(PnlReportsServiceTest, NothingComputedIsNotFound) {
  grpc::ClientContext context;
  pb::GetPnlReportRequest request;
  pb::PnlReport report;
  grpc::Status status = stub_->GetPnlReport(&context, request, &report);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(status.error_message(),
            "no completed allocation version yet: run `fifoctl compute` first");
}

TEST_F(PnlReportsServiceTest, GetPnlReport) {
  ComputeSmallLedger();
  grpc::ClientContext context;
  pb::GetPnlReportRequest request;  // period "" is "all"
  pb::PnlReport report;
  grpc::Status status = stub_->GetPnlReport(&context, request, &report);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(report.allocation_version(), run_.allocation_version);
  EXPECT_EQ(report.period(), "all");
  EXPECT_EQ(report.totals().realized_pnl_usd(), "265");
  ASSERT_EQ(report.symbols_size(), 2);
  EXPECT_EQ(report.symbols(0).symbol(), "BTC-USD");
  EXPECT_EQ(report.symbols(0).totals().realized_pnl_usd(), "250");
  EXPECT_EQ(report.symbols(0).open_inventory().remaining_size(), "0.5");
  ASSERT_EQ(report.unmatched_sells_size(), 1);
  EXPECT_EQ(report.unmatched_sells(0).sell_order_id(), "e3");
}

TEST_F(PnlReportsServiceTest, GetPnlReportBadPeriodIsInvalid) {
  ComputeSmallLedger();
  grpc::ClientContext context;
  pb::GetPnlReportRequest request;
  request.set_period("2025-02-01..2025-01-01");
  pb::PnlReport report;
  grpc::Status status = stub_->GetPnlReport(&context, request, &report);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(status.error_message(),
            "period \"2025-02-01..2025-01-01\": TO must come after FROM");
}

TEST_F(PnlReportsServiceTest, GetAllocationHealth) {
  ComputeSmallLedger();
  grpc::ClientContext context;
  pb::GetAllocationHealthRequest request;
  pb::AllocationHealth health;
  grpc::Status status = stub_->GetAllocationHealth(&context, request, &health);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(health.allocation_version(), run_.allocation_version);
  EXPECT_EQ(health.total_allocations(), 5);
  EXPECT_EQ(health.unmatched_allocations(), 1);
  EXPECT_EQ(health.sells_matched(), 3);
  EXPECT_EQ(health.buys_used(), 3);
  EXPECT_EQ(health.total_pnl_usd(), "265");
  EXPECT_EQ(health.first_sell_time().seconds(), 1738368000);  // 2025-02-01
  EXPECT_EQ(health.last_sell_time().seconds(), 1740873600);   // 2025-03-02
  EXPECT_EQ(health.latest_computation().id(), run_.id);

  grpc::ClientContext unknown_context;
  request.set_allocation_version(run_.allocation_version + 1);
  status = stub_->GetAllocationHealth(&unknown_context, request, &health);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::NOT_FOUND);
}

TEST_F(PnlReportsServiceTest, ListUnmatchedSellsAndAllocations) {
  ComputeSmallLedger();
  {
    grpc::ClientContext context;
    pb::ListUnmatchedSellsRequest request;
    pb::ListUnmatchedSellsResponse response;
    grpc::Status status =
        stub_->ListUnmatchedSells(&context, request, &response);
    ASSERT_TRUE(status.ok()) << status.error_message();
    ASSERT_EQ(response.unmatched_sells_size(), 1);
    EXPECT_EQ(response.unmatched_sells(0).sell_order_id(), "e3");
    EXPECT_EQ(response.unmatched_sells(0).unmatched_size(), "1");
    EXPECT_TRUE(response.next_page_token().empty());
  }
  grpc::ClientContext context;
  pb::ListAllocationsRequest request;
  request.set_symbol("BTC-USD");
  std::unique_ptr<grpc::ClientReader<pb::Allocation>> reader =
      stub_->ListAllocations(&context, request);
  pb::Allocation allocation;
  int rows = 0;
  while (reader->Read(&allocation)) {
    EXPECT_EQ(allocation.sell_order_id(), "s1");
    ++rows;
  }
  grpc::Status status = reader->Finish();
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(rows, 2);
}

}  // namespace
}  // namespace fifo
