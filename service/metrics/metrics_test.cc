#include "service/metrics/metrics.h"

#include <string>

#include "absl/strings/match.h"
#include "gtest/gtest.h"

namespace fifo {
namespace {

TEST(ServerMetricsTest, RecordsRpcsAndComputationsInTheTextFormat) {
  int scrapes = 0;
  ServerMetrics metrics([&] {
    ++scrapes;
    StoreGauges gauges;
    gauges.unmatched_sells_open = 14;
    gauges.latest_version = 3;
    return gauges;
  });
  metrics.RecordRpc("/fifo.v1.TradeLedger/ListTrades", "OK",
                    absl::Milliseconds(3));
  metrics.RecordRpc("/fifo.v1.TradeLedger/ListTrades", "OK",
                    absl::Milliseconds(4));
  metrics.RecordRpc("/fifo.v1.AllocationEngine/GetComputation", "NOT_FOUND",
                    absl::Milliseconds(1));
  metrics.RecordComputation("full", "completed", absl::Seconds(2), 851535);
  metrics.RecordComputation("symbol", "failed", absl::Milliseconds(5), 0);
  const std::string text = metrics.Scrape();
  EXPECT_EQ(scrapes, 1);
  for (const char* want : {
           "# TYPE fifo_rpc_requests_total counter",
           "fifo_rpc_requests_total{code=\"OK\",method=\"/fifo.v1.TradeLedger/"
           "ListTrades\"} 2",
           "fifo_rpc_requests_total{code=\"NOT_FOUND\",method=\"/fifo.v1."
           "AllocationEngine/GetComputation\"} 1",
           "# TYPE fifo_rpc_duration_seconds histogram",
           "fifo_rpc_duration_seconds_count{method=\"/fifo.v1.TradeLedger/"
           "ListTrades\"} 2",
           "fifo_computations_total{mode=\"full\",status=\"completed\"} 1",
           "fifo_computations_total{mode=\"symbol\",status=\"failed\"} 1",
           "fifo_computation_duration_seconds_count{mode=\"full\"} 1",
           "fifo_allocations_written_total 851535",
           "fifo_unmatched_sells_open 14",
           "fifo_latest_version 3",
       }) {
    EXPECT_TRUE(absl::StrContains(text, want)) << want << "\n" << text;
  }
}

TEST(ServerMetricsTest, AStoreThatCannotAnswerKeepsTheLastValue) {
  bool answer = true;
  ServerMetrics metrics([&] {
    StoreGauges gauges;
    if (answer) gauges.latest_version = 7;
    return gauges;
  });
  EXPECT_TRUE(absl::StrContains(metrics.Scrape(), "fifo_latest_version 7"));
  answer = false;
  EXPECT_TRUE(absl::StrContains(metrics.Scrape(), "fifo_latest_version 7"));
}

}  // namespace
}  // namespace fifo
