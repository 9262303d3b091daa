// Bad input over the wire, against the real fifo_server on each store: a
// client stream that holds a bad message or breaks off writes nothing; text
// fields and decimals are checked at the edge the same way on SQLite and
// PostgreSQL, with INVALID_ARGUMENT naming the field (issue: reliability
// over the wire).
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "fifo/v1/allocation_engine.grpc.pb.h"
#include "fifo/v1/trade_ledger.grpc.pb.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "tests/e2e/grpc_clients.h"
#include "tests/e2e/server_process.h"

namespace fifo {
namespace e2e {
namespace {

namespace pb = ::fifo::v1;

pb::Trade Buy(const std::string& order_id) {
  pb::Trade t;
  t.set_order_id(order_id);
  t.set_symbol("BTC-USD");
  t.set_side(pb::SIDE_BUY);
  t.set_size("0.5");
  t.set_price("30000");
  t.mutable_order_time()->set_seconds(1732096800);
  t.set_source("manual");
  return t;
}

std::unique_ptr<grpc::ClientContext> Context() {
  auto context = std::make_unique<grpc::ClientContext>();
  context->set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(30)));
  return context;
}

grpc::Status Import(const std::shared_ptr<grpc::Channel>& channel,
                    const std::vector<pb::Trade>& trades,
                    pb::ImportTradesResponse* response) {
  return StreamTrades(channel, trades, response);
}

int StoredTrades(const std::shared_ptr<grpc::Channel>& channel) {
  auto stub = pb::TradeLedger::NewStub(channel);
  auto context = Context();
  pb::ListTradesRequest request;
  pb::ListTradesResponse response;
  grpc::Status status = stub->ListTrades(context.get(), request, &response);
  EXPECT_TRUE(status.ok()) << status.error_message();
  return response.trades_size();
}

grpc::Status Record(const std::shared_ptr<grpc::Channel>& channel,
                    const pb::Trade& trade) {
  auto stub = pb::TradeLedger::NewStub(channel);
  auto context = Context();
  pb::RecordTradeRequest request;
  *request.mutable_trade() = trade;
  pb::RecordTradeResponse response;
  return stub->RecordTrade(context.get(), request, &response);
}

class WireInputE2eTest : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    ServerOptions options;
    options.backend = GetParam();
    absl::StatusOr<std::unique_ptr<ServerProcess>> server =
        ServerProcess::Start(options);
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = *std::move(server);
    channel_ = server_->NewChannel();
  }

  std::unique_ptr<ServerProcess> server_;
  std::shared_ptr<grpc::Channel> channel_;
};

TEST_P(WireInputE2eTest, AStreamWithInvalidUtf8WritesNothingAndNamesTheMessage) {
  pb::Trade bad = Buy("B-2");
  bad.set_source("web\xff\xfe");  // not UTF-8: gRPC's parser refuses it
  pb::ImportTradesResponse response;
  grpc::Status status = Import(channel_, {Buy("B-1"), bad, Buy("B-3")}, &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT)
      << status.error_message();
  EXPECT_EQ(status.error_message(),
            "trade 1: trade.source: not valid UTF-8 (every string field must "
            "be UTF-8 text)");
  EXPECT_EQ(StoredTrades(channel_), 0);
}

TEST_P(WireInputE2eTest, AStreamWithAMessageOverTheSizeLimitWritesNothing) {
  // Several times: the outcome must not depend on timing.
  for (int attempt = 0; attempt < 5; ++attempt) {
    pb::Trade huge = Buy("B-2");
    huge.set_status(std::string(5 * 1024 * 1024, 'x'));
    pb::ImportTradesResponse response;
    grpc::Status status =
        Import(channel_, {Buy("B-1"), huge, Buy("B-3")}, &response);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED)
        << attempt << ": " << status.error_message();
    ASSERT_EQ(StoredTrades(channel_), 0) << attempt;
  }
}

TEST_P(WireInputE2eTest, AStreamWithAnInvalidTradeWritesNothing) {
  pb::Trade bad = Buy("B-2");
  bad.set_price("-3");
  pb::ImportTradesResponse response;
  grpc::Status status = Import(channel_, {Buy("B-1"), bad, Buy("B-3")}, &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_TRUE(absl::StartsWith(status.error_message(), "trade 1 (B-2): "))
      << status.error_message();
  EXPECT_EQ(StoredTrades(channel_), 0);
}

TEST_P(WireInputE2eTest, ACleanStreamIsRecordedWhole) {
  std::vector<pb::Trade> trades;
  for (int i = 0; i < 25; ++i) trades.push_back(Buy(absl::StrCat("B-", i)));
  pb::ImportTradesResponse response;
  grpc::Status status = Import(channel_, trades, &response);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(response.received(), 25);
  EXPECT_EQ(response.created(), 25);
  EXPECT_EQ(StoredTrades(channel_), 25);
}

TEST_P(WireInputE2eTest, RecordTradeWithInvalidUtf8NamesTheField) {
  pb::Trade bad = Buy("B-1");
  bad.set_symbol("BTC\xc3(USD");
  grpc::Status status = Record(channel_, bad);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(status.error_message(),
            "trade.symbol: not valid UTF-8 (every string field must be UTF-8 "
            "text)");
  EXPECT_EQ(StoredTrades(channel_), 0);
}

TEST_P(WireInputE2eTest, TextFieldsOutsideTheLimitsAreRefusedNamingTheField) {
  struct Case {
    const char* name;
    pb::Trade trade;
    const char* message;
  };
  std::vector<Case> cases;
  {
    pb::Trade t = Buy("B-1");
    t.set_symbol(std::string("BAD\0USD", 7));
    cases.push_back({"nul in symbol", t,
                     "trade.symbol (order B-1): contains control character "
                     "U+0000 at byte offset 3"});
  }
  {
    pb::Trade t = Buy(std::string("B\0-1", 4));
    cases.push_back({"nul in order_id", t,
                     "trade.order_id: contains control character U+0000 at "
                     "byte offset 1"});
  }
  {
    pb::Trade t = Buy(std::string(3000, 'x'));
    cases.push_back({"3000-byte order_id", t,
                     "trade.order_id: is 3000 bytes; at most 128 allowed"});
  }
  {
    pb::Trade t = Buy("B-1");
    t.set_source(std::string(1024 * 1024, 's'));
    cases.push_back({"1 MB source", t,
                     "trade.source (order B-1): is 1048576 bytes; at most "
                     "1024 allowed"});
  }
  {
    pb::Trade t = Buy("B-1");
    t.set_order_type(std::string("LIMIT\0", 6));
    cases.push_back({"nul in order_type", t,
                     "trade.order_type (order B-1): contains control "
                     "character U+0000 at byte offset 5"});
  }
  {
    pb::Trade t = Buy("B-1");
    t.set_symbol("BTC\tUSD");
    cases.push_back({"tab in symbol", t,
                     "trade.symbol (order B-1): contains control character "
                     "U+0009 at byte offset 3"});
  }
  for (const Case& c : cases) {
    grpc::Status status = Record(channel_, c.trade);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << c.name;
    EXPECT_EQ(status.error_message(), c.message) << c.name;
  }
  EXPECT_EQ(StoredTrades(channel_), 0);
}

TEST_P(WireInputE2eTest, DecimalsOutsideThePlainGrammarAreInvalidArgument) {
  const std::string digits(100000, '7');
  for (const std::string& size :
       {std::string("1e5"), std::string("+1"), std::string(".5"),
        std::string("5."), std::string(" 1"), std::string("0x10"), digits,
        std::string("0.") + digits}) {
    pb::Trade t = Buy("B-1");
    t.set_size(size);
    grpc::Status status = Record(channel_, t);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT)
        << size.substr(0, 20) << ": " << status.error_message();
    EXPECT_TRUE(absl::StartsWith(status.error_message(),
                                 "trade.size (order B-1): "))
        << status.error_message();
  }
  pb::Trade ok = Buy("B-1");
  ok.set_size("0.50");
  EXPECT_TRUE(Record(channel_, ok).ok());
  EXPECT_EQ(StoredTrades(channel_), 1);
}

TEST_P(WireInputE2eTest, ComputationIdsStartAtOne) {
  auto stub = pb::AllocationEngine::NewStub(channel_);
  for (int64_t id : {int64_t{0}, int64_t{-1}}) {
    auto context = Context();
    pb::GetComputationRequest request;
    request.set_id(id);
    pb::Computation response;
    grpc::Status status = stub->GetComputation(context.get(), request, &response);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << id;
  }
  auto context = Context();
  pb::GetComputationRequest request;
  request.set_id(12345);
  pb::Computation response;
  EXPECT_EQ(stub->GetComputation(context.get(), request, &response).error_code(),
            grpc::StatusCode::NOT_FOUND);
}

TEST_P(WireInputE2eTest, ComputeSymbolWithoutTradesIsNotFoundAndStartsNoRun) {
  ASSERT_TRUE(Record(channel_, Buy("B-1")).ok());
  auto stub = pb::AllocationEngine::NewStub(channel_);
  auto context = Context();
  pb::ComputeSymbolRequest request;
  request.set_symbol("NOPE-USD");
  pb::ComputeSymbolResponse response;
  grpc::Status status = stub->ComputeSymbol(context.get(), request, &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::NOT_FOUND)
      << status.error_message();
  auto list_context = Context();
  pb::ListComputationsRequest list;
  pb::ListComputationsResponse runs;
  ASSERT_TRUE(stub->ListComputations(list_context.get(), list, &runs).ok());
  EXPECT_EQ(runs.computations_size(), 0);
}

INSTANTIATE_TEST_SUITE_P(Backends, WireInputE2eTest,
                         ::testing::ValuesIn(AvailableBackends()),
                         [](const ::testing::TestParamInfo<Backend>& info) {
                           return BackendName(info.param);
                         });

}  // namespace
}  // namespace e2e
}  // namespace fifo
