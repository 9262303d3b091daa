// File: service/pnl_reports_service.h
//
// fifo.v1.PnlReports: the PnL report of one completed version
// (GetPnlReport, core/reports.h), its unmatched sells (ListUnmatchedSells,
// paged), the version's health figures (GetAllocationHealth) and its
// allocations as a server stream (ListAllocations). Read-only: no call takes
// the writer turn. Each call resolves its version once (the latest
// completed one unless the request names one; NOT_FOUND otherwise).
//
// Thread safety: stateless beyond the shared ServiceState (thread-safe);
// gRPC may call every method concurrently.
#ifndef FIFO_SERVICE_PNL_REPORTS_SERVICE_H_
#define FIFO_SERVICE_PNL_REPORTS_SERVICE_H_

#include "fifo/v1/pnl_reports.grpc.pb.h"
#include "grpcpp/grpcpp.h"
#include "service/auth.h"
#include "service/service_state.h"

namespace fifo {

// REQUIRES: `state` and `authorizer` outlive the service.
class PnlReportsService final : public fifo::v1::PnlReports::Service {
 public:
  PnlReportsService(ServiceState* state, const Authorizer* authorizer)
      : state_(state), authorizer_(authorizer) {}
  grpc::Status GetPnlReport(grpc::ServerContext* context,
                            const fifo::v1::GetPnlReportRequest* request,
                            fifo::v1::PnlReport* response) override;
  grpc::Status ListUnmatchedSells(
      grpc::ServerContext* context,
      const fifo::v1::ListUnmatchedSellsRequest* request,
      fifo::v1::ListUnmatchedSellsResponse* response) override;
  grpc::Status GetAllocationHealth(
      grpc::ServerContext* context,
      const fifo::v1::GetAllocationHealthRequest* request,
      fifo::v1::AllocationHealth* response) override;
  grpc::Status ListAllocations(
      grpc::ServerContext* context,
      const fifo::v1::ListAllocationsRequest* request,
      grpc::ServerWriter<fifo::v1::Allocation>* writer) override;

 private:
  ServiceState* const state_;
  const Authorizer* const authorizer_;
};

}  // namespace fifo

#endif  // FIFO_SERVICE_PNL_REPORTS_SERVICE_H_
