// File: service/allocation_engine_service.h
//
// fifo.v1.AllocationEngine: computations (all symbols, one symbol,
// incremental) and the computation runs (GetComputation, ListComputations),
// over core/computations.h. Every computation waits for the SQLite writer
// turn (ServiceState::WriterTurn) and polls ServerContext::IsCancelled()
// between pages of work, so a deadline, a cancelled call or the server's
// shutdown deadline rolls back an unfinished run. Reads of runs first mark
// the runs of dead processes abandoned (ServiceState::MarkAbandonedRuns).
//
// Thread safety: stateless beyond the shared ServiceState (thread-safe);
// gRPC may call every method concurrently.
#ifndef FIFO_SERVICE_ALLOCATION_ENGINE_SERVICE_H_
#define FIFO_SERVICE_ALLOCATION_ENGINE_SERVICE_H_

#include "fifo/v1/allocation_engine.grpc.pb.h"
#include "grpcpp/grpcpp.h"
#include "service/auth.h"
#include "service/service_state.h"

namespace fifo {

// REQUIRES: `state` and `authorizer` outlive the service.
class AllocationEngineService final
    : public fifo::v1::AllocationEngine::Service {
 public:
  AllocationEngineService(ServiceState* state, const Authorizer* authorizer)
      : state_(state), authorizer_(authorizer) {}
  grpc::Status ComputeAllSymbols(
      grpc::ServerContext* context,
      const fifo::v1::ComputeAllSymbolsRequest* request,
      fifo::v1::ComputeAllSymbolsResponse* response) override;
  grpc::Status ComputeSymbol(
      grpc::ServerContext* context,
      const fifo::v1::ComputeSymbolRequest* request,
      fifo::v1::ComputeSymbolResponse* response) override;
  grpc::Status ComputeIncremental(
      grpc::ServerContext* context,
      const fifo::v1::ComputeIncrementalRequest* request,
      fifo::v1::ComputeIncrementalResponse* response) override;
  grpc::Status GetComputation(grpc::ServerContext* context,
                              const fifo::v1::GetComputationRequest* request,
                              fifo::v1::Computation* response) override;
  grpc::Status ListComputations(
      grpc::ServerContext* context,
      const fifo::v1::ListComputationsRequest* request,
      fifo::v1::ListComputationsResponse* response) override;
  grpc::Status PruneVersions(grpc::ServerContext* context,
                             const fifo::v1::PruneVersionsRequest* request,
                             fifo::v1::PruneVersionsResponse* response) override;

 private:
  ServiceState* const state_;
  const Authorizer* const authorizer_;
};

}  // namespace fifo

#endif  // FIFO_SERVICE_ALLOCATION_ENGINE_SERVICE_H_
