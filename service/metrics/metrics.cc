#include "service/metrics/metrics.h"

#include <utility>
#include <vector>

#include "prometheus/text_serializer.h"

namespace fifo {
namespace {

// RPC latencies: from a health check (sub-millisecond) to a long import.
const prometheus::Histogram::BucketBoundaries& RpcBuckets() {
  static const auto* const kBuckets = new prometheus::Histogram::BucketBoundaries{
      0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5,
      1,     2.5,    5,     10,   30,    60,   300};
  return *kBuckets;
}

// Computations: a symbol run in milliseconds to a full recompute of 1e7
// trades in minutes.
const prometheus::Histogram::BucketBoundaries& ComputationBuckets() {
  static const auto* const kBuckets = new prometheus::Histogram::BucketBoundaries{
      0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800};
  return *kBuckets;
}

}  // namespace

ServerMetrics::ServerMetrics(std::function<StoreGauges()> read_store)
    : registry_(std::make_shared<prometheus::Registry>()),
      rpc_requests_(prometheus::BuildCounter()
                        .Name("fifo_rpc_requests_total")
                        .Help("RPCs answered, by method and final gRPC code.")
                        .Register(*registry_)),
      rpc_duration_(prometheus::BuildHistogram()
                        .Name("fifo_rpc_duration_seconds")
                        .Help("Time from the call's arrival to its status, "
                              "by method.")
                        .Register(*registry_)),
      computations_(prometheus::BuildCounter()
                        .Name("fifo_computations_total")
                        .Help("Compute RPCs by mode (full, incremental, "
                              "symbol) and outcome (completed, partial, "
                              "failed).")
                        .Register(*registry_)),
      computation_duration_(
          prometheus::BuildHistogram()
              .Name("fifo_computation_duration_seconds")
              .Help("Duration of the computation runs, by mode.")
              .Register(*registry_)),
      allocations_written_(prometheus::BuildCounter()
                               .Name("fifo_allocations_written_total")
                               .Help("Allocation rows written by this "
                                     "process's computations.")
                               .Register(*registry_)
                               .Add({})),
      unmatched_sells_open_(prometheus::BuildGauge()
                                .Name("fifo_unmatched_sells_open")
                                .Help("Unmatched sells awaiting review "
                                      "(open items of the manual review "
                                      "queue), read from the store.")
                                .Register(*registry_)
                                .Add({})),
      latest_version_(prometheus::BuildGauge()
                          .Name("fifo_latest_version")
                          .Help("The latest completed allocation version (0: "
                                "none), read from the store.")
                          .Register(*registry_)
                          .Add({})),
      read_store_(std::move(read_store)) {}

void ServerMetrics::RecordRpc(absl::string_view method, absl::string_view code,
                              absl::Duration duration) {
  rpc_requests_.Add({{"method", std::string(method)}, {"code", std::string(code)}})
      .Increment();
  rpc_duration_.Add({{"method", std::string(method)}}, RpcBuckets())
      .Observe(absl::ToDoubleSeconds(duration));
}

void ServerMetrics::RecordComputation(absl::string_view mode,
                                      absl::string_view status,
                                      absl::Duration duration,
                                      int64_t allocations_written) {
  computations_.Add({{"mode", std::string(mode)}, {"status", std::string(status)}})
      .Increment();
  computation_duration_.Add({{"mode", std::string(mode)}}, ComputationBuckets())
      .Observe(absl::ToDoubleSeconds(duration));
  if (allocations_written > 0) {
    allocations_written_.Increment(static_cast<double>(allocations_written));
  }
}

std::string ServerMetrics::Scrape() {
  if (read_store_) {
    const StoreGauges gauges = read_store_();
    if (gauges.unmatched_sells_open.has_value()) {
      unmatched_sells_open_.Set(static_cast<double>(*gauges.unmatched_sells_open));
    }
    if (gauges.latest_version.has_value()) {
      latest_version_.Set(static_cast<double>(*gauges.latest_version));
    }
  }
  return prometheus::TextSerializer().Serialize(registry_->Collect());
}

}  // namespace fifo
