// File: service/allocation_validator_service.h
//
// fifo.v1.AllocationValidator: validate one allocation version
// (ValidateAllocations: the store's invariant queries and the in-memory
// validator) and compare two (FindDiscrepancies), over core/validations.h.
// Read-only: neither call takes the writer turn.
//
// Thread safety: stateless beyond the shared ServiceState (thread-safe);
// gRPC may call every method concurrently.
#ifndef FIFO_SERVICE_ALLOCATION_VALIDATOR_SERVICE_H_
#define FIFO_SERVICE_ALLOCATION_VALIDATOR_SERVICE_H_

#include "fifo/v1/allocation_validator.grpc.pb.h"
#include "grpcpp/grpcpp.h"
#include "service/auth.h"
#include "service/service_state.h"

namespace fifo {

// REQUIRES: `state` and `authorizer` outlive the service.
class AllocationValidatorService final
    : public fifo::v1::AllocationValidator::Service {
 public:
  AllocationValidatorService(ServiceState* state, const Authorizer* authorizer)
      : state_(state), authorizer_(authorizer) {}
  grpc::Status ValidateAllocations(
      grpc::ServerContext* context,
      const fifo::v1::ValidateAllocationsRequest* request,
      fifo::v1::ValidateAllocationsResponse* response) override;
  grpc::Status FindDiscrepancies(
      grpc::ServerContext* context,
      const fifo::v1::FindDiscrepanciesRequest* request,
      fifo::v1::FindDiscrepanciesResponse* response) override;

 private:
  ServiceState* const state_;
  const Authorizer* const authorizer_;
};

}  // namespace fifo

#endif  // FIFO_SERVICE_ALLOCATION_VALIDATOR_SERVICE_H_
