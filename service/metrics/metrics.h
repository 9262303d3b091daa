// File: service/metrics/metrics.h
//
// fifo_server's Prometheus metrics: one registry per process
// (prometheus-cpp), the families an operator alerts on, and their text
// exposition for GET /metrics. Names follow Prometheus conventions: counters
// end in _total, durations are histograms in seconds, labels take few values
// (method, code, mode, status; never a symbol or an order id).
//
//   fifo_rpc_requests_total{method,code}       every RPC, by final code
//   fifo_rpc_duration_seconds{method}          histogram
//   fifo_computations_total{mode,status}       compute RPCs, by outcome
//   fifo_computation_duration_seconds{mode}    histogram
//   fifo_allocations_written_total             allocation rows written
//   fifo_unmatched_sells_open                  the open manual-review queue
//   fifo_latest_version                        latest completed version
//
// The two gauges describe the store, not this process: they are read from
// the store at each scrape (StoreGauges), so every replica reports the same
// values and a restart loses nothing.
//
// Thread safety: every method is thread-safe (prometheus-cpp's metrics are
// atomic; the family maps are guarded inside prometheus-cpp).
#ifndef FIFO_SERVICE_METRICS_METRICS_H_
#define FIFO_SERVICE_METRICS_METRICS_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "prometheus/counter.h"
#include "prometheus/family.h"
#include "prometheus/gauge.h"
#include "prometheus/histogram.h"
#include "prometheus/registry.h"

namespace fifo {

// What the store says at scrape time; a field is left unset when the store
// could not answer (the gauge then keeps its last value).
struct StoreGauges {
  std::optional<int64_t> unmatched_sells_open;
  std::optional<int64_t> latest_version;  // 0 when no version is complete
};

class ServerMetrics {
 public:
  // `read_store` is called at each scrape (from the HTTP listener's thread)
  // to refresh the store gauges; it may be empty (the gauges stay 0).
  explicit ServerMetrics(std::function<StoreGauges()> read_store = {});

  ServerMetrics(const ServerMetrics&) = delete;
  ServerMetrics& operator=(const ServerMetrics&) = delete;

  // One finished RPC: `method` is its full path ("/fifo.v1.TradeLedger/
  // ListTrades"), `code` the gRPC status code name ("OK", "NOT_FOUND").
  void RecordRpc(absl::string_view method, absl::string_view code,
                 absl::Duration duration);

  // One finished compute RPC: `mode` "full" | "incremental" | "symbol",
  // `status` "completed" | "partial" | "failed" (a run that was refused or
  // rolled back counts as failed, with the mode the caller asked for).
  void RecordComputation(absl::string_view mode, absl::string_view status,
                         absl::Duration duration, int64_t allocations_written);

  // Refreshes the store gauges and returns every metric in the Prometheus
  // text format (version 0.0.4).
  std::string Scrape();

 private:
  std::shared_ptr<prometheus::Registry> registry_;
  prometheus::Family<prometheus::Counter>& rpc_requests_;
  prometheus::Family<prometheus::Histogram>& rpc_duration_;
  prometheus::Family<prometheus::Counter>& computations_;
  prometheus::Family<prometheus::Histogram>& computation_duration_;
  prometheus::Counter& allocations_written_;
  prometheus::Gauge& unmatched_sells_open_;
  prometheus::Gauge& latest_version_;
  const std::function<StoreGauges()> read_store_;
};

}  // namespace fifo

#endif  // FIFO_SERVICE_METRICS_METRICS_H_
