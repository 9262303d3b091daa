// File: service/in_process_server.h
//
// Test-only: one fifo.v1 service (or several) in this process, for the
// in-process service tests (service/*_service_test.cc). A ServiceState over a
// fresh SQLite store under $TEST_TMPDIR (ServiceState::Open, so the empty
// file is migrated as fifo_server would), the services built by the caller
// and registered on a grpc::Server without a listening port, and an
// in-process channel to it, so calls go through the generated stubs,
// serialisation and status mapping exactly as over the wire. The
// Authorizer is open (every caller is a writer), as fifo_server without
// tokens.
//
// Thread safety: channel() may be used from any thread; SeedTrades() and
// Compute() must not run concurrently with calls that write.
#ifndef FIFO_SERVICE_IN_PROCESS_SERVER_H_
#define FIFO_SERVICE_IN_PROCESS_SERVER_H_

#include <functional>
#include <memory>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "core/test_ledger.h"
#include "grpcpp/grpcpp.h"
#include "grpcpp/impl/service_type.h"
#include "service/auth.h"
#include "service/service_state.h"
#include "storage/ledger_store.h"

namespace fifo::testing {

class InProcessServer {
 public:
  using MakeService = std::function<std::unique_ptr<grpc::Service>(
      ServiceState* state, const Authorizer* authorizer)>;

  // Opens the state on a new SQLite file named after `name`, builds one
  // service per `make` and starts the server. Errors: ServiceState::Open's;
  // kInternal when the server does not start.
  static absl::StatusOr<std::unique_ptr<InProcessServer>> Start(
      absl::string_view name, const std::vector<MakeService>& make);

  // Start with the one service `S`, built as S(state, authorizer).
  template <typename S>
  static absl::StatusOr<std::unique_ptr<InProcessServer>> StartService(
      absl::string_view name) {
    return Start(name, {[](ServiceState* state, const Authorizer* authorizer) {
                   return std::make_unique<S>(state, authorizer);
                 }});
  }

  // Shuts the server down (calls in flight are cancelled), then the
  // services and the state go.
  ~InProcessServer();

  std::shared_ptr<grpc::Channel> channel() const { return channel_; }
  ServiceState& state() { return *state_; }
  // A pooled store of the state, for setting up and checking a test.
  LedgerStore& store() { return *state_->Next().store; }

  // Records `trades` (core/test_ledger.h's SmallLedger() by default)
  // directly in the store.
  absl::Status SeedTrades(const std::vector<Trade>& trades = SmallLedger());
  // A full computation through the core (not the API): ComputeAll(store()).
  absl::StatusOr<ComputationRun> Compute() { return ComputeAll(store()); }

 private:
  InProcessServer() = default;
  std::unique_ptr<Authorizer> authorizer_;
  std::unique_ptr<ServiceState> state_;
  std::vector<std::unique_ptr<grpc::Service>> services_;
  std::unique_ptr<grpc::Server> server_;
  std::shared_ptr<grpc::Channel> channel_;
};

}  // namespace fifo::testing

#endif  // FIFO_SERVICE_IN_PROCESS_SERVER_H_
