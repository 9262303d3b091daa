// fifo_server's /metrics, scraped from a running server on each store after
// real calls: the families of docs/deploy.md with the counts those calls
// must have left, and one access-log line per RPC.
#include <memory>
#include <string>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "fifo/v1/allocation_engine.grpc.pb.h"
#include "fifo/v1/trade_ledger.grpc.pb.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "httplib.h"
#include "tests/e2e/server_process.h"

namespace fifo {
namespace e2e {
namespace {

namespace pb = ::fifo::v1;

std::unique_ptr<grpc::ClientContext> Context() {
  auto context = std::make_unique<grpc::ClientContext>();
  context->set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(30)));
  return context;
}

pb::Trade MakeTrade(const std::string& id, pb::Side side, int64_t seconds) {
  pb::Trade t;
  t.set_order_id(id);
  t.set_symbol("BTC-USD");
  t.set_side(side);
  t.set_size("1");
  t.set_price(side == pb::SIDE_BUY ? "100" : "110");
  t.mutable_order_time()->set_seconds(seconds);
  t.set_source("manual");
  return t;
}

// The address of the HTTP listener, from the server's "http_serving" log.
std::string HttpAddress(const ServerProcess& server) {
  const std::string logs = server.Logs();
  const size_t event = logs.find("\"event\":\"http_serving\"");
  if (event == std::string::npos) return "";
  const std::string key = "\"address\":\"";
  const size_t at = logs.find(key, event);
  if (at == std::string::npos) return "";
  const size_t start = at + key.size();
  return logs.substr(start, logs.find('"', start) - start);
}

class MetricsE2eTest : public ::testing::TestWithParam<Backend> {};

TEST_P(MetricsE2eTest, ScrapeShowsWhatTheCallsDid) {
  ServerOptions options;
  options.backend = GetParam();
  options.flags = {"--http-listen=127.0.0.1:0"};
  absl::StatusOr<std::unique_ptr<ServerProcess>> server =
      ServerProcess::Start(options);
  ASSERT_TRUE(server.ok()) << server.status();
  const std::string http = HttpAddress(**server);
  ASSERT_FALSE(http.empty()) << (*server)->Logs();
  auto channel = (*server)->NewChannel();

  // Two trades (the sell is unmatched by one unit: one review item), one
  // full computation, one refused GetComputation.
  auto ledger = pb::TradeLedger::NewStub(channel);
  for (const pb::Trade& t : {MakeTrade("B-1", pb::SIDE_BUY, 1700000000),
                             MakeTrade("S-1", pb::SIDE_SELL, 1700000060)}) {
    auto context = Context();
    pb::RecordTradeRequest request;
    *request.mutable_trade() = t;
    pb::RecordTradeResponse response;
    ASSERT_TRUE(ledger->RecordTrade(context.get(), request, &response).ok());
  }
  {
    pb::Trade extra = MakeTrade("S-2", pb::SIDE_SELL, 1700000120);
    auto context = Context();
    pb::RecordTradeRequest request;
    *request.mutable_trade() = extra;
    pb::RecordTradeResponse response;
    ASSERT_TRUE(ledger->RecordTrade(context.get(), request, &response).ok());
  }
  auto engine = pb::AllocationEngine::NewStub(channel);
  {
    auto context = Context();
    pb::ComputeAllSymbolsRequest request;
    pb::ComputeAllSymbolsResponse response;
    grpc::Status status =
        engine->ComputeAllSymbols(context.get(), request, &response);
    ASSERT_TRUE(status.ok()) << status.error_message();
    EXPECT_EQ(response.computation().allocations_created(), 2);
  }
  {
    auto context = Context();
    pb::GetComputationRequest request;  // id 0: INVALID_ARGUMENT
    pb::Computation response;
    EXPECT_EQ(engine->GetComputation(context.get(), request, &response)
                  .error_code(),
              grpc::StatusCode::INVALID_ARGUMENT);
  }

  httplib::Client client(absl::StrCat("http://", http));
  client.set_read_timeout(10, 0);
  httplib::Result result = client.Get("/metrics");
  ASSERT_TRUE(result) << "GET /metrics from " << http << " failed";
  EXPECT_EQ(result->status, 200);
  EXPECT_TRUE(absl::StartsWith(result->get_header_value("Content-Type"),
                               "text/plain; version=0.0.4"));
  const std::string& text = result->body;
  for (const std::string& want : {
           std::string("fifo_rpc_requests_total{code=\"OK\",method=\"/fifo.v1."
                       "TradeLedger/RecordTrade\"} 3"),
           std::string("fifo_rpc_requests_total{code=\"INVALID_ARGUMENT\","
                       "method=\"/fifo.v1.AllocationEngine/GetComputation\"} 1"),
           std::string("fifo_rpc_duration_seconds_count{method=\"/fifo.v1."
                       "TradeLedger/RecordTrade\"} 3"),
           std::string("fifo_computations_total{mode=\"full\",status="
                       "\"completed\"} 1"),
           std::string("fifo_computation_duration_seconds_count{mode=\"full\"} 1"),
           std::string("fifo_allocations_written_total 2"),
           std::string("fifo_unmatched_sells_open 1"),
           std::string("fifo_latest_version 1"),
       }) {
    EXPECT_TRUE(absl::StrContains(text, want)) << want << "\n" << text;
  }
  // One access-log line per RPC, with its code.
  const std::string logs = (*server)->Logs();
  EXPECT_TRUE(absl::StrContains(
      logs,
      "\"event\":\"rpc\",\"method\":\"/fifo.v1.AllocationEngine/"
      "GetComputation\""))
      << logs;
  EXPECT_TRUE(absl::StrContains(logs, "\"code\":\"INVALID_ARGUMENT\""))
      << logs;
}

INSTANTIATE_TEST_SUITE_P(Backends, MetricsE2eTest,
                         ::testing::ValuesIn(AvailableBackends()),
                         [](const ::testing::TestParamInfo<Backend>& info) {
                           return BackendName(info.param);
                         });

}  // namespace
}  // namespace e2e
}  // namespace fifo
