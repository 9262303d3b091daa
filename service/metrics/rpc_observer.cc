#include "service/metrics/rpc_observer.h"

#include <optional>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/log.h"
#include "fifo/v1/allocation_engine.pb.h"
#include "grpcpp/server_context.h"

namespace fifo {
namespace {

namespace pb = ::fifo::v1;

using grpc::experimental::InterceptionHookPoints;

// The names gRPC's documentation uses for the codes (grpc/status.h).
const char* CodeName(grpc::StatusCode code) {
  switch (code) {
    case grpc::OK: return "OK";
    case grpc::CANCELLED: return "CANCELLED";
    case grpc::UNKNOWN: return "UNKNOWN";
    case grpc::INVALID_ARGUMENT: return "INVALID_ARGUMENT";
    case grpc::DEADLINE_EXCEEDED: return "DEADLINE_EXCEEDED";
    case grpc::NOT_FOUND: return "NOT_FOUND";
    case grpc::ALREADY_EXISTS: return "ALREADY_EXISTS";
    case grpc::PERMISSION_DENIED: return "PERMISSION_DENIED";
    case grpc::RESOURCE_EXHAUSTED: return "RESOURCE_EXHAUSTED";
    case grpc::FAILED_PRECONDITION: return "FAILED_PRECONDITION";
    case grpc::ABORTED: return "ABORTED";
    case grpc::OUT_OF_RANGE: return "OUT_OF_RANGE";
    case grpc::UNIMPLEMENTED: return "UNIMPLEMENTED";
    case grpc::INTERNAL: return "INTERNAL";
    case grpc::UNAVAILABLE: return "UNAVAILABLE";
    case grpc::DATA_LOSS: return "DATA_LOSS";
    case grpc::UNAUTHENTICATED: return "UNAUTHENTICATED";
    default: return "UNKNOWN";
  }
}

// The compute RPCs and the mode each asks for.
enum class ComputeRpc { kNone, kAll, kSymbol, kIncremental };

ComputeRpc ComputeRpcOf(absl::string_view method) {
  if (method == "/fifo.v1.AllocationEngine/ComputeAllSymbols") {
    return ComputeRpc::kAll;
  }
  if (method == "/fifo.v1.AllocationEngine/ComputeSymbol") {
    return ComputeRpc::kSymbol;
  }
  if (method == "/fifo.v1.AllocationEngine/ComputeIncremental") {
    return ComputeRpc::kIncremental;
  }
  return ComputeRpc::kNone;
}

const char* AskedMode(ComputeRpc rpc) {
  switch (rpc) {
    case ComputeRpc::kAll: return "full";
    case ComputeRpc::kSymbol: return "symbol";
    case ComputeRpc::kIncremental: return "incremental";
    case ComputeRpc::kNone: break;
  }
  return "";
}

const char* ModeName(pb::ComputationMode mode, const char* asked) {
  switch (mode) {
    case pb::COMPUTATION_MODE_FULL: return "full";
    case pb::COMPUTATION_MODE_INCREMENTAL: return "incremental";
    case pb::COMPUTATION_MODE_SYMBOL: return "symbol";
    default: return asked;
  }
}

const char* StatusName(pb::ComputationStatus status) {
  switch (status) {
    case pb::COMPUTATION_STATUS_COMPLETED: return "completed";
    case pb::COMPUTATION_STATUS_PARTIAL: return "partial";
    default: return "failed";
  }
}

class RpcObserver : public grpc::experimental::Interceptor {
 public:
  RpcObserver(grpc::experimental::ServerRpcInfo* info, ServerMetrics* metrics,
              const Authorizer* authorizer)
      : info_(info),
        metrics_(metrics),
        authorizer_(authorizer),
        method_(info->method()),
        compute_(ComputeRpcOf(method_)),
        start_(absl::Now()) {}

  void Intercept(grpc::experimental::InterceptorBatchMethods* methods) override {
    if (methods->QueryInterceptionHookPoint(
            InterceptionHookPoints::POST_RECV_INITIAL_METADATA)) {
      IdentifyCaller(*methods->GetRecvInitialMetadata());
    }
    if (compute_ != ComputeRpc::kNone &&
        methods->QueryInterceptionHookPoint(
            InterceptionHookPoints::PRE_SEND_MESSAGE)) {
      ReadComputation(methods->GetSendMessage());
    }
    if (methods->QueryInterceptionHookPoint(
            InterceptionHookPoints::PRE_SEND_STATUS)) {
      Finish(methods->GetSendStatus());
    }
    methods->Proceed();
  }

 private:
  void IdentifyCaller(
      const std::multimap<grpc::string_ref, grpc::string_ref>& metadata) {
    if (authorizer_ == nullptr) return;
    std::vector<absl::string_view> authorization;
    auto range = metadata.equal_range("authorization");
    for (auto it = range.first; it != range.second; ++it) {
      authorization.emplace_back(it->second.data(), it->second.size());
    }
    absl::StatusOr<Principal> principal =
        authorizer_->Check(method_, authorization);
    if (principal.ok()) {
      caller_ = principal->name;
      role_ = std::string(RoleName(principal->role));
    }
  }

  // The response of a compute RPC: its Computation record. gRPC hands the
  // handler's message object itself (the sync API), whose type the method
  // fixes.
  void ReadComputation(const void* message) {
    if (message == nullptr) return;
    switch (compute_) {
      case ComputeRpc::kAll:
        computation_ =
            static_cast<const pb::ComputeAllSymbolsResponse*>(message)->computation();
        break;
      case ComputeRpc::kSymbol:
        computation_ =
            static_cast<const pb::ComputeSymbolResponse*>(message)->computation();
        break;
      case ComputeRpc::kIncremental:
        computation_ = static_cast<const pb::ComputeIncrementalResponse*>(message)
                           ->computation();
        break;
      case ComputeRpc::kNone:
        break;
    }
  }

  void Finish(const grpc::Status& status) {
    const absl::Duration elapsed = absl::Now() - start_;
    const char* code = CodeName(status.error_code());
    if (metrics_ != nullptr) {
      metrics_->RecordRpc(method_, code, elapsed);
      if (compute_ != ComputeRpc::kNone) {
        const char* asked = AskedMode(compute_);
        if (status.ok() && computation_.has_value()) {
          const pb::Computation& c = *computation_;
          const absl::Duration run =
              absl::Seconds(c.duration().seconds()) +
              absl::Nanoseconds(c.duration().nanos());
          metrics_->RecordComputation(ModeName(c.mode(), asked),
                                      StatusName(c.status()), run,
                                      c.allocations_created());
        } else {
          metrics_->RecordComputation(asked, "failed", elapsed, 0);
        }
      }
    }
    // Health checks are probes, every few seconds: metrics only.
    if (absl::StartsWith(method_, "/grpc.health.v1.")) return;
    LogEvent(status.ok() ? LogLevel::kInfo : LogLevel::kWarning, "rpc",
             {{"method", method_},
              {"peer", info_->server_context()->peer()},
              {"caller", caller_},
              {"role", role_},
              {"code", code},
              {"duration_ms",
               absl::ToInt64Milliseconds(elapsed)}});
  }

  grpc::experimental::ServerRpcInfo* const info_;
  ServerMetrics* const metrics_;
  const Authorizer* const authorizer_;
  const std::string method_;
  const ComputeRpc compute_;
  const absl::Time start_;
  std::string caller_ = "-";
  std::string role_ = "-";
  std::optional<pb::Computation> computation_;
};

}  // namespace

grpc::experimental::Interceptor* RpcObserverFactory::CreateServerInterceptor(
    grpc::experimental::ServerRpcInfo* info) {
  return new RpcObserver(info, metrics_, authorizer_);
}

}  // namespace fifo
