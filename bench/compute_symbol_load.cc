// compute_symbol_load: a closed-loop load client for
// AllocationEngine.ComputeSymbol against a running fifo_server.
//
//   compute_symbol_load --server 127.0.0.1:50051 --symbol SYM0000-USD
//       [--token T] [--callers 8] [--calls-per-caller 5] [--warmup 1]
//       [--deadline-s 600] [--shared-channel] [--rewrite]
//       [--latencies-out FILE] [--label TEXT]
//
// A call publishes a new version in every case. By default a symbol whose
// trades did not change since the latest version references that
// version's segments of it (issue 11: nothing is written but the manifest
// and the log row); --rewrite sets ComputeSymbolRequest.rewrite, so every
// call writes the symbol's rows anew (the write path). The other symbols
// are always referenced, never copied.
//
// Each of `callers` threads first makes `warmup` calls (not recorded), waits
// for every other caller to finish its warm-up, then makes
// `calls-per-caller` calls back to back, timing each from just before the
// stub call to just after it returns. So at most `callers` calls are in
// flight at any time (a closed loop: latency includes the time a call waits
// behind the others on the server).
//
// Every call must succeed: a non-OK gRPC status, a record whose status is not
// COMPLETED, a record of another symbol, or an allocation version that two
// calls share makes the run fail (exit 1) after the report, because a
// failed call is not a sample. Exit 2 for bad flags or an unreachable
// server.
//
// Channels: by default each caller has its own channel on its own TCP
// connection (a local subchannel pool), as eight independent clients
// (cron jobs, services) would; --shared-channel multiplexes every caller on
// one HTTP/2 connection instead, for comparison.
//
// Output (stdout): count, min, p50, p90, p99, max and mean latency in ms
// (nearest-rank percentiles over the recorded calls), throughput in calls/s
// over the wall time of the timed phase, and the same for the server's own
// run duration (Computation.duration: from the run's log row to its commit).
// The last line is machine-readable:
//   RESULT label=... callers=8 count=40 p50_ms=... p90_ms=... p99_ms=...
//          max_ms=... mean_ms=... calls_per_s=... run_p50_ms=... ...
//          rewrite=0|1 created_mean=... reused_mean=...
// (created/reused: the mean of Computation.allocations_created and
// allocations_reused over the timed calls: rows written and referenced.)
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "CLI/CLI.hpp"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "fifo/v1/allocation_engine.grpc.pb.h"
#include "fifo/v1/allocation_engine.pb.h"
#include "fifo/v1/types.pb.h"
#include "grpcpp/grpcpp.h"

namespace {

namespace pb = ::fifo::v1;
using Clock = std::chrono::steady_clock;

struct Flags {
  std::string server;
  std::string token;
  std::string symbol;
  int callers = 8;
  int calls_per_caller = 5;
  int warmup = 1;
  double deadline_s = 600;
  bool shared_channel = false;
  bool rewrite = false;
  std::string latencies_out;
  std::string label;
};

// One recorded call.
struct Sample {
  int caller = 0;
  double latency_ms = 0;
  double run_ms = 0;  // the server's Computation.duration
  int64_t version = 0;
  int64_t run_id = 0;
  int64_t created = 0;  // Computation.allocations_created
  int64_t reused = 0;   // Computation.allocations_reused
  double start_s = 0;  // since the timed phase began
};

// Counts callers in and releases them together.
class Barrier {
 public:
  explicit Barrier(int count) : left_(count) {}
  void ArriveAndWait() {
    std::unique_lock<std::mutex> lock(mu_);
    if (--left_ == 0) {
      cv_.notify_all();
      return;
    }
    cv_.wait(lock, [this] { return left_ == 0; });
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  int left_;
};

std::shared_ptr<grpc::Channel> NewChannel(const std::string& server,
                                          bool private_connection) {
  grpc::ChannelArguments args;
  // gRPC shares subchannels (TCP connections) between channels with equal
  // arguments through a global pool; a local pool gives this channel its own.
  if (private_connection) args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
  // ComputeSymbol responses are small, but leave room for a large record.
  args.SetMaxReceiveMessageSize(64 << 20);
  return grpc::CreateCustomChannel(server, grpc::InsecureChannelCredentials(),
                                   args);
}

// Nearest-rank percentile of sorted values: the smallest value with at least
// p% of the values at or below it.
double Percentile(const std::vector<double>& sorted, double p) {
  if (sorted.empty()) return 0;
  size_t rank = static_cast<size_t>(std::ceil(p / 100.0 * sorted.size()));
  rank = std::max<size_t>(rank, 1);
  return sorted[std::min(rank, sorted.size()) - 1];
}

struct Summary {
  double min = 0, p50 = 0, p90 = 0, p99 = 0, max = 0, mean = 0;
};

Summary Summarize(std::vector<double> values) {
  Summary s;
  if (values.empty()) return s;
  std::sort(values.begin(), values.end());
  s.min = values.front();
  s.p50 = Percentile(values, 50);
  s.p90 = Percentile(values, 90);
  s.p99 = Percentile(values, 99);
  s.max = values.back();
  double sum = 0;
  for (double v : values) sum += v;
  s.mean = sum / values.size();
  return s;
}

// One ComputeSymbol call; on success fills `sample` (but not its timing
// against the phase) and returns an empty string, else the failure.
std::string CallOnce(pb::AllocationEngine::Stub& stub, const Flags& flags,
                     Sample* sample) {
  grpc::ClientContext context;
  context.set_deadline(
      std::chrono::system_clock::now() +
      std::chrono::milliseconds(static_cast<int64_t>(flags.deadline_s * 1000)));
  if (!flags.token.empty()) {
    context.AddMetadata("authorization", "Bearer " + flags.token);
  }
  pb::ComputeSymbolRequest request;
  request.set_symbol(flags.symbol);
  request.set_triggered_by(pb::TRIGGERED_BY_API);
  request.set_rewrite(flags.rewrite);
  pb::ComputeSymbolResponse response;
  const Clock::time_point start = Clock::now();
  grpc::Status status = stub.ComputeSymbol(&context, request, &response);
  const Clock::time_point end = Clock::now();
  sample->latency_ms =
      std::chrono::duration<double, std::milli>(end - start).count();
  if (!status.ok()) {
    return absl::StrCat("gRPC status ", status.error_code(), ": ",
                        status.error_message());
  }
  const pb::Computation& run = response.computation();
  if (run.status() != pb::COMPUTATION_STATUS_COMPLETED) {
    return absl::StrCat("run ", run.id(), " has status ",
                        pb::ComputationStatus_Name(run.status()), ": ",
                        run.error_message());
  }
  if (run.symbol() != flags.symbol) {
    return absl::StrCat("run ", run.id(), " is of symbol \"", run.symbol(),
                        "\"");
  }
  if (run.buys_processed() + run.sells_processed() == 0) {
    return absl::StrCat("run ", run.id(), " processed no trade");
  }
  sample->version = run.allocation_version();
  sample->run_id = run.id();
  sample->created = run.allocations_created();
  sample->reused = run.allocations_reused();
  sample->run_ms = run.duration().seconds() * 1e3 + run.duration().nanos() / 1e6;
  return "";
}

int Run(const Flags& flags) {
  // Connect every channel before anything is timed.
  std::vector<std::shared_ptr<grpc::Channel>> channels;
  const int channel_count = flags.shared_channel ? 1 : flags.callers;
  for (int i = 0; i < channel_count; ++i) {
    channels.push_back(NewChannel(flags.server, !flags.shared_channel));
    if (!channels.back()->WaitForConnected(std::chrono::system_clock::now() +
                                           std::chrono::seconds(10))) {
      std::cerr << "compute_symbol_load: cannot connect to " << flags.server
                << "\n";
      return 2;
    }
  }

  std::mutex mu;
  std::vector<Sample> samples;
  std::vector<std::string> failures;
  Barrier warmed(flags.callers);
  std::atomic<int64_t> phase_start_ns{0};
  Clock::time_point phase_end;

  auto caller = [&](int index) {
    std::unique_ptr<pb::AllocationEngine::Stub> stub =
        pb::AllocationEngine::NewStub(channels[index % channels.size()]);
    for (int i = 0; i < flags.warmup; ++i) {
      Sample ignored;
      std::string error = CallOnce(*stub, flags, &ignored);
      if (!error.empty()) {
        std::lock_guard<std::mutex> lock(mu);
        failures.push_back(absl::StrCat("caller ", index, " warm-up: ", error));
      }
    }
    warmed.ArriveAndWait();
    // The first caller through sets the phase's start (all are released at
    // once; the spread is microseconds).
    int64_t expected = 0;
    const int64_t now_ns = Clock::now().time_since_epoch().count();
    phase_start_ns.compare_exchange_strong(expected, now_ns);
    for (int i = 0; i < flags.calls_per_caller; ++i) {
      Sample sample;
      sample.caller = index;
      const Clock::time_point start = Clock::now();
      std::string error = CallOnce(*stub, flags, &sample);
      sample.start_s =
          std::chrono::duration<double>(
              start.time_since_epoch() -
              Clock::duration(phase_start_ns.load()))
              .count();
      std::lock_guard<std::mutex> lock(mu);
      if (error.empty()) {
        samples.push_back(sample);
      } else {
        failures.push_back(absl::StrCat("caller ", index, " call ", i, " (",
                                        absl::StrFormat("%.1f", sample.latency_ms),
                                        " ms): ", error));
      }
      phase_end = std::max(phase_end, Clock::now());
    }
  };

  std::vector<std::thread> threads;
  for (int i = 0; i < flags.callers; ++i) threads.emplace_back(caller, i);
  for (std::thread& t : threads) t.join();

  // Each call must have made its own version.
  std::set<int64_t> versions;
  for (const Sample& s : samples) {
    if (!versions.insert(s.version).second) {
      failures.push_back(
          absl::StrCat("allocation version ", s.version, " returned twice"));
    }
  }

  const double wall_s =
      std::chrono::duration<double>(phase_end.time_since_epoch() -
                                    Clock::duration(phase_start_ns.load()))
          .count();
  std::vector<double> latencies, runs;
  double created_sum = 0, reused_sum = 0;
  for (const Sample& s : samples) {
    latencies.push_back(s.latency_ms);
    runs.push_back(s.run_ms);
    created_sum += s.created;
    reused_sum += s.reused;
  }
  const double created_mean =
      samples.empty() ? 0 : created_sum / samples.size();
  const double reused_mean = samples.empty() ? 0 : reused_sum / samples.size();
  const Summary lat = Summarize(latencies);
  const Summary run = Summarize(runs);
  const double throughput = wall_s > 0 ? samples.size() / wall_s : 0;

  if (!flags.latencies_out.empty()) {
    std::ofstream out(flags.latencies_out, std::ios::trunc);
    out << "caller,start_s,latency_ms,run_ms,allocation_version,run_id,"
           "allocations_created,allocations_reused\n";
    for (const Sample& s : samples) {
      out << absl::StrFormat("%d,%.6f,%.3f,%.3f,%d,%d,%d,%d\n", s.caller,
                             s.start_s, s.latency_ms, s.run_ms, s.version,
                             s.run_id, s.created, s.reused);
    }
  }

  std::printf(
      "ComputeSymbol(%s%s) on %s: %d callers (%s), %d warm-up + %d timed "
      "calls each\n",
      flags.symbol.c_str(), flags.rewrite ? ", rewrite" : "",
      flags.server.c_str(), flags.callers,
      flags.shared_channel ? "one shared channel" : "a channel each",
      flags.warmup, flags.calls_per_caller);
  std::printf("%-22s %6s %9s %9s %9s %9s %9s %9s\n", "", "count", "min",
              "p50", "p90", "p99", "max", "mean");
  std::printf("%-22s %6zu %9.1f %9.1f %9.1f %9.1f %9.1f %9.1f\n",
              "latency (ms)", latencies.size(), lat.min, lat.p50, lat.p90,
              lat.p99, lat.max, lat.mean);
  std::printf("%-22s %6zu %9.1f %9.1f %9.1f %9.1f %9.1f %9.1f\n",
              "server run (ms)", runs.size(), run.min, run.p50, run.p90,
              run.p99, run.max, run.mean);
  std::printf("throughput: %.2f calls/s over %.2f s; failures: %zu\n",
              throughput, wall_s, failures.size());
  std::printf("rows per call (mean): %.0f written, %.0f referenced\n",
              created_mean, reused_mean);
  std::printf(
      "RESULT label=%s callers=%d count=%zu failures=%zu p50_ms=%.1f "
      "p90_ms=%.1f p99_ms=%.1f max_ms=%.1f mean_ms=%.1f calls_per_s=%.3f "
      "run_p50_ms=%.1f run_p99_ms=%.1f run_mean_ms=%.1f rewrite=%d "
      "created_mean=%.0f reused_mean=%.0f\n",
      flags.label.empty() ? "-" : flags.label.c_str(), flags.callers,
      latencies.size(), failures.size(), lat.p50, lat.p90, lat.p99, lat.max,
      lat.mean, throughput, run.p50, run.p99, run.mean, flags.rewrite ? 1 : 0,
      created_mean, reused_mean);
  std::fflush(stdout);
  for (const std::string& f : failures) {
    std::cerr << "compute_symbol_load: FAILED " << f << "\n";
  }
  return failures.empty() ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Closed-loop ComputeSymbol load against a running fifo_server."};
  Flags flags;
  app.add_option("--server", flags.server, "HOST:PORT of fifo_server")
      ->required();
  app.add_option("--token", flags.token,
                 "bearer token with the writer role (omit for an open server)");
  app.add_option("--symbol", flags.symbol, "symbol to recompute")->required();
  app.add_option("--callers", flags.callers, "concurrent callers")
      ->check(CLI::Range(1, 1024));
  app.add_option("--calls-per-caller", flags.calls_per_caller,
                 "timed calls per caller")
      ->check(CLI::Range(1, 1000000));
  app.add_option("--warmup", flags.warmup,
                 "untimed calls per caller before the timed phase")
      ->check(CLI::Range(0, 1000000));
  app.add_option("--deadline-s", flags.deadline_s, "deadline of each call")
      ->check(CLI::PositiveNumber);
  app.add_flag("--shared-channel", flags.shared_channel,
               "every caller on one channel (one HTTP/2 connection)");
  app.add_flag("--rewrite", flags.rewrite,
               "ask every call to write the symbol's rows anew instead of "
               "referencing unchanged ones (ComputeSymbolRequest.rewrite)");
  app.add_option("--latencies-out", flags.latencies_out,
                 "CSV of every timed call");
  app.add_option("--label", flags.label, "tag for the RESULT line");
  CLI11_PARSE(app, argc, argv);
  if (flags.symbol.empty()) {
    std::cerr << "compute_symbol_load: --symbol must not be empty\n";
    return 2;
  }
  return Run(flags);
}
