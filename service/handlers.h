// File: service/handlers.h
//
// The fifo.v1 gRPC handlers: thin adapters over the service core
// (core/). Every handler
//   1. authorizes the caller (FIFO_AUTHORIZE_OR_RETURN, first line),
//   2. parses and validates the request into domain types
//      (api/convert.h; INVALID_ARGUMENT naming the field),
//   3. calls the core with a store from the pool,
//   4. converts the reply, and maps any absl::Status to a grpc::Status in one
//      place (api/grpc_status.h): NOT_FOUND for an unknown version or
//      symbol, ALREADY_EXISTS for a conflicting trade, ABORTED for a
//      computation that lost a race, CANCELLED/DEADLINE_EXCEEDED when the
//      caller gave up (the computation is rolled back).
// A computation polls ServerContext::IsCancelled() between pages of work, so
// deadlines, cancelled calls and the server's shutdown deadline roll back an
// unfinished run instead of leaving it half done.
//
// One file pair per service: service/allocation_engine_service.h,
// allocation_validator_service.h, trade_ledger_service.h,
// pnl_reports_service.h, review_queue_service.h; the state they share in
// service/service_state.h. This file builds all of them for fifo_server.
//
// Thread safety: handlers are stateless; the shared ServiceState is
// thread-safe (each LedgerStore serialises its own calls; the pool spreads
// concurrent calls over several connections). CreateServiceHandlers may be
// called from any thread.
#ifndef FIFO_SERVICE_HANDLERS_H_
#define FIFO_SERVICE_HANDLERS_H_

#include <memory>
#include <vector>

#include "absl/status/statusor.h"
#include "grpcpp/impl/service_type.h"
#include "service/auth.h"
#include "service/service_state.h"

namespace fifo {

// The services fifo_server registers, owned, and the state they share. The
// server must not outlive this object.
struct ServiceHandlers {
  std::unique_ptr<ServiceState> state;
  std::vector<std::unique_ptr<grpc::Service>> services;
};

// Builds every fifo.v1 service over `config`. Errors: kInvalidArgument for
// an empty db_url or a bad symbol configuration; store errors.
// REQUIRES: `authorizer` outlives the result.
absl::StatusOr<ServiceHandlers> CreateServiceHandlers(
    const ServerConfig& config, const Authorizer* authorizer);

}  // namespace fifo

#endif  // FIFO_SERVICE_HANDLERS_H_
