// TradeLedger in process: RecordTrade (created, unchanged, conflicting),
// ImportTrades all or nothing, ListTrades paging and filters, through the
// generated stub (so the raw-message handlers are on the path) over a real
// SQLite store.
#include "service/trade_ledger_service.h"

#include <memory>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "api/convert.h"
#include "core/test_ledger.h"
#include "fifo/v1/trade_ledger.grpc.pb.h"
#include "gtest/gtest.h"
#include "service/in_process_server.h"

namespace fifo {
namespace {

namespace pb = ::fifo::v1;

class TradeLedgerServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    absl::StatusOr<std::unique_ptr<testing::InProcessServer>> server =
        testing::InProcessServer::StartService<TradeLedgerService>(
            "trade_ledger");
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = *std::move(server);
    stub_ = pb::TradeLedger::NewStub(server_->channel());
  }

  // Streams `trades` to ImportTrades.
  grpc::Status Import(const std::vector<pb::Trade>& trades,
                      pb::ImportTradesResponse* response) {
    grpc::ClientContext context;
    std::unique_ptr<grpc::ClientWriter<pb::ImportTradesRequest>> writer =
        stub_->ImportTrades(&context, response);
    for (const pb::Trade& t : trades) {
      pb::ImportTradesRequest request;
      *request.mutable_trade() = t;
      if (!writer->Write(request)) break;  // the server answered early
    }
    writer->WritesDone();
    return writer->Finish();
  }

  pb::ListTradesResponse List(pb::ListTradesRequest request) {
    grpc::ClientContext context;
    pb::ListTradesResponse response;
    grpc::Status status = stub_->ListTrades(&context, request, &response);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return response;
  }

  static std::vector<pb::Trade> SmallLedgerProtos() {
    std::vector<pb::Trade> trades;
    for (const Trade& t : testing::SmallLedger()) {
      trades.push_back(TradeToProto(t));
    }
    return trades;
  }

  std::unique_ptr<testing::InProcessServer> server_;
  std::unique_ptr<pb::TradeLedger::Stub> stub_;
};

TEST_F(TradeLedgerServiceTest, RecordTradeCreatedThenUnchangedThenConflict) {
  pb::RecordTradeRequest request;
  *request.mutable_trade() = SmallLedgerProtos()[0];
  for (bool created : {true, false}) {
    grpc::ClientContext context;
    pb::RecordTradeResponse response;
    grpc::Status status = stub_->RecordTrade(&context, request, &response);
    ASSERT_TRUE(status.ok()) << status.error_message();
    EXPECT_EQ(response.created(), created);
    EXPECT_EQ(response.trade().order_id(), "b1");
  }
  request.mutable_trade()->set_price("101");
  grpc::ClientContext context;
  pb::RecordTradeResponse response;
  grpc::Status status = stub_->RecordTrade(&context, request, &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::ALREADY_EXISTS)
      << status.error_message();
}

TEST_F(TradeLedgerServiceTest, RecordTradeInvalidTradeNamesTheField) {
  pb::RecordTradeRequest request;
  *request.mutable_trade() = SmallLedgerProtos()[0];
  request.mutable_trade()->set_size("-1");
  grpc::ClientContext context;
  pb::RecordTradeResponse response;
  grpc::Status status = stub_->RecordTrade(&context, request, &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_TRUE(absl::StrContains(status.error_message(), "size"))
      << status.error_message();
}

TEST_F(TradeLedgerServiceTest, ImportTradesIsAllOrNothing) {
  std::vector<pb::Trade> trades = SmallLedgerProtos();
  trades[2].set_price("not a number");  // the message at index 2, "s1"
  pb::ImportTradesResponse response;
  grpc::Status status = Import(trades, &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_TRUE(absl::StartsWith(status.error_message(), "trade 2 (s1): "))
      << status.error_message();
  // Nothing of the stream was written, not even the two trades before it.
  EXPECT_EQ(List(pb::ListTradesRequest()).trades_size(), 0);

  status = Import(SmallLedgerProtos(), &response);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(response.received(), 6);
  EXPECT_EQ(response.created(), 6);
  EXPECT_EQ(response.unchanged(), 0);
  EXPECT_EQ(List(pb::ListTradesRequest()).trades_size(), 6);

  // Again: every trade unchanged.
  status = Import(SmallLedgerProtos(), &response);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(response.created(), 0);
  EXPECT_EQ(response.unchanged(), 6);
}

TEST_F(TradeLedgerServiceTest, ListTradesPagesAndFilters) {
  ASSERT_TRUE(server_->SeedTrades().ok());
  pb::ListTradesRequest request;
  request.set_page_size(4);
  pb::ListTradesResponse first = List(request);
  ASSERT_EQ(first.trades_size(), 4);
  ASSERT_FALSE(first.next_page_token().empty());
  request.set_page_token(first.next_page_token());
  pb::ListTradesResponse second = List(request);
  ASSERT_EQ(second.trades_size(), 2);
  EXPECT_TRUE(second.next_page_token().empty());
  // By symbol, then time: BTC-USD's three trades first.
  EXPECT_EQ(first.trades(0).order_id(), "b1");
  EXPECT_EQ(first.trades(3).order_id(), "e1");
  EXPECT_EQ(second.trades(1).order_id(), "e3");

  pb::ListTradesRequest sells;
  sells.set_side(pb::SIDE_SELL);
  sells.set_symbol("ETH-USD");
  pb::ListTradesResponse eth_sells = List(sells);
  ASSERT_EQ(eth_sells.trades_size(), 2);
  EXPECT_EQ(eth_sells.trades(0).order_id(), "e2");
  EXPECT_EQ(eth_sells.trades(1).order_id(), "e3");
}

TEST_F(TradeLedgerServiceTest, ListTradesBadTimeIsInvalid) {
  grpc::ClientContext context;
  pb::ListTradesRequest request;
  request.mutable_start_time()->set_nanos(-1);
  pb::ListTradesResponse response;
  grpc::Status status = stub_->ListTrades(&context, request, &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_TRUE(absl::StartsWith(status.error_message(), "start_time"))
      << status.error_message();
}

}  // namespace
}  // namespace fifo
