#include "service/allocation_validator_service.h"

#include "absl/status/status.h"
#include "api/convert.h"
#include "api/grpc_status.h"
#include "core/validations.h"
#include "service/request_fields.h"

namespace fifo {
namespace {

namespace pb = ::fifo::v1;

}  // namespace

grpc::Status AllocationValidatorService::ValidateAllocations(
    grpc::ServerContext* context, const pb::ValidateAllocationsRequest* request,
    pb::ValidateAllocationsResponse* response) {
  FIFO_AUTHORIZE_OR_RETURN(*authorizer_, context, pb::AllocationValidator);
  absl::StatusOr<VersionValidation> v = ValidateVersion(
      *state_->Next().store, state_->configs(), RequestedVersion(*request),
      OptionalText(request->symbol()));
  if (!v.ok()) return ToGrpcStatus(v.status());
  *response = ValidationToProto(
      *v, request->max_violations() == 0 ? 1000 : request->max_violations());
  return grpc::Status::OK;
}

grpc::Status AllocationValidatorService::FindDiscrepancies(
    grpc::ServerContext* context, const pb::FindDiscrepanciesRequest* request,
    pb::FindDiscrepanciesResponse* response) {
  FIFO_AUTHORIZE_OR_RETURN(*authorizer_, context, pb::AllocationValidator);
  if (request->version_a() <= 0 || request->version_b() <= 0) {
    return ToGrpcStatus(absl::InvalidArgumentError(
        "version_a and version_b: required, positive versions"));
  }
  absl::StatusOr<VersionComparison> c = fifo::FindDiscrepancies(
      *state_->Next().store, request->version_a(), request->version_b(),
      OptionalText(request->symbol()));
  if (!c.ok()) return ToGrpcStatus(c.status());
  *response = ComparisonToProto(
      *c, request->max_sells() == 0 ? 1000 : request->max_sells());
  return grpc::Status::OK;
}

}  // namespace fifo
