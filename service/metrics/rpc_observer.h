// File: service/metrics/rpc_observer.h
//
// A gRPC server interceptor that observes every call without touching the
// handlers: when the call's status is sent it records
// fifo_rpc_requests_total / fifo_rpc_duration_seconds (ServerMetrics) and
// writes one access-log line (event "rpc": method, peer, caller and role,
// code, duration in ms). For the three compute RPCs it also records the
// computation (mode, status, duration, rows written) from the response's
// Computation record, or a failed computation of the asked-for mode when the
// call ends in an error.
//
// The caller's name and role come from the same Authorizer the handlers use,
// applied to the call's "authorization" metadata; a call it refuses is
// logged with role "-" (the handler answers the refusal itself).
//
// Thread safety: the factory is thread-safe; one interceptor per call, used
// by gRPC from one thread at a time.
#ifndef FIFO_SERVICE_METRICS_RPC_OBSERVER_H_
#define FIFO_SERVICE_METRICS_RPC_OBSERVER_H_

#include "grpcpp/support/server_interceptor.h"
#include "service/auth.h"
#include "service/metrics/metrics.h"

namespace fifo {

class RpcObserverFactory
    : public grpc::experimental::ServerInterceptorFactoryInterface {
 public:
  // REQUIRES: both outlive the server. `metrics` may be null (access log
  // only).
  RpcObserverFactory(ServerMetrics* metrics, const Authorizer* authorizer)
      : metrics_(metrics), authorizer_(authorizer) {}

  grpc::experimental::Interceptor* CreateServerInterceptor(
      grpc::experimental::ServerRpcInfo* info) override;

 private:
  ServerMetrics* const metrics_;
  const Authorizer* const authorizer_;
};

}  // namespace fifo

#endif  // FIFO_SERVICE_METRICS_RPC_OBSERVER_H_
