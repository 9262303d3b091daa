// PENDING — placeholder handlers; see the banner in handlers_pending.h.
#include "service/handlers_pending.h"

#include <memory>
#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "service/auth.h"

namespace fifo {
namespace {

// What every placeholder answers once the caller is authorized.
grpc::Status Pending(absl::string_view service, absl::string_view method) {
  return grpc::Status(
      grpc::StatusCode::UNIMPLEMENTED,
      absl::StrCat(MethodPath(service, method),
                   " is not implemented yet (service/handlers_pending.cc)"));
}

}  // namespace

absl::StatusOr<ServiceHandlers> CreateServiceHandlers(
    const ServerConfig& config, const Authorizer* authorizer) {
  if (config.db_url.empty()) {
    return absl::InvalidArgumentError("--db must not be empty");
  }
  ServiceHandlers handlers;
  handlers.services.push_back(
      std::make_unique<PendingAllocationEngine>(authorizer));
  handlers.services.push_back(
      std::make_unique<PendingAllocationValidator>(authorizer));
  handlers.services.push_back(std::make_unique<PendingPnlReports>(authorizer));
  handlers.services.push_back(std::make_unique<PendingReviewQueue>(authorizer));
  handlers.services.push_back(std::make_unique<PendingTradeLedger>(authorizer));
  return handlers;
}

grpc::Status PendingAllocationEngine::ComputeAllSymbols(
    grpc::ServerContext* context,
    const fifo::v1::ComputeAllSymbolsRequest* /*request*/,
    fifo::v1::ComputeAllSymbolsResponse* /*response*/) {
  FIFO_AUTHORIZE_OR_RETURN(*authorizer_, context, fifo::v1::AllocationEngine);
  return Pending(fifo::v1::AllocationEngine::service_full_name(), __func__);
}

grpc::Status PendingAllocationEngine::ComputeSymbol(
    grpc::ServerContext* context,
    const fifo::v1::ComputeSymbolRequest* /*request*/,
    fifo::v1::ComputeSymbolResponse* /*response*/) {
  FIFO_AUTHORIZE_OR_RETURN(*authorizer_, context, fifo::v1::AllocationEngine);
  return Pending(fifo::v1::AllocationEngine::service_full_name(), __func__);
}

grpc::Status PendingAllocationEngine::ComputeIncremental(
    grpc::ServerContext* context,
    const fifo::v1::ComputeIncrementalRequest* /*request*/,
    fifo::v1::ComputeIncrementalResponse* /*response*/) {
  FIFO_AUTHORIZE_OR_RETURN(*authorizer_, context, fifo::v1::AllocationEngine);
  return Pending(fifo::v1::AllocationEngine::service_full_name(), __func__);
}

grpc::Status PendingAllocationEngine::GetComputation(
    grpc::ServerContext* context,
    const fifo::v1::GetComputationRequest* /*request*/,
    fifo::v1::Computation* /*response*/) {
  FIFO_AUTHORIZE_OR_RETURN(*authorizer_, context, fifo::v1::AllocationEngine);
  return Pending(fifo::v1::AllocationEngine::service_full_name(), __func__);
}

grpc::Status PendingAllocationEngine::ListComputations(
    grpc::ServerContext* context,
    const fifo::v1::ListComputationsRequest* /*request*/,
    fifo::v1::ListComputationsResponse* /*response*/) {
  FIFO_AUTHORIZE_OR_RETURN(*authorizer_, context, fifo::v1::AllocationEngine);
  return Pending(fifo::v1::AllocationEngine::service_full_name(), __func__);
}

grpc::Status PendingAllocationValidator::ValidateAllocations(
    grpc::ServerContext* context,
    const fifo::v1::ValidateAllocationsRequest* /*request*/,
    fifo::v1::ValidateAllocationsResponse* /*response*/) {
  FIFO_AUTHORIZE_OR_RETURN(*authorizer_, context,
                           fifo::v1::AllocationValidator);
  return Pending(fifo::v1::AllocationValidator::service_full_name(), __func__);
}

grpc::Status PendingAllocationValidator::FindDiscrepancies(
    grpc::ServerContext* context,
    const fifo::v1::FindDiscrepanciesRequest* /*request*/,
    fifo::v1::FindDiscrepanciesResponse* /*response*/) {
  FIFO_AUTHORIZE_OR_RETURN(*authorizer_, context,
                           fifo::v1::AllocationValidator);
  return Pending(fifo::v1::AllocationValidator::service_full_name(), __func__);
}

grpc::Status PendingTradeLedger::RecordTrade(
    grpc::ServerContext* context,
    const fifo::v1::RecordTradeRequest* /*request*/,
    fifo::v1::RecordTradeResponse* /*response*/) {
  FIFO_AUTHORIZE_OR_RETURN(*authorizer_, context, fifo::v1::TradeLedger);
  return Pending(fifo::v1::TradeLedger::service_full_name(), __func__);
}

grpc::Status PendingTradeLedger::ImportTrades(
    grpc::ServerContext* context,
    grpc::ServerReader<fifo::v1::ImportTradesRequest>* /*reader*/,
    fifo::v1::ImportTradesResponse* /*response*/) {
  FIFO_AUTHORIZE_OR_RETURN(*authorizer_, context, fifo::v1::TradeLedger);
  return Pending(fifo::v1::TradeLedger::service_full_name(), __func__);
}

grpc::Status PendingTradeLedger::ListTrades(
    grpc::ServerContext* context,
    const fifo::v1::ListTradesRequest* /*request*/,
    fifo::v1::ListTradesResponse* /*response*/) {
  FIFO_AUTHORIZE_OR_RETURN(*authorizer_, context, fifo::v1::TradeLedger);
  return Pending(fifo::v1::TradeLedger::service_full_name(), __func__);
}

grpc::Status PendingPnlReports::GetPnlReport(
    grpc::ServerContext* context,
    const fifo::v1::GetPnlReportRequest* /*request*/,
    fifo::v1::PnlReport* /*response*/) {
  FIFO_AUTHORIZE_OR_RETURN(*authorizer_, context, fifo::v1::PnlReports);
  return Pending(fifo::v1::PnlReports::service_full_name(), __func__);
}

grpc::Status PendingPnlReports::ListUnmatchedSells(
    grpc::ServerContext* context,
    const fifo::v1::ListUnmatchedSellsRequest* /*request*/,
    fifo::v1::ListUnmatchedSellsResponse* /*response*/) {
  FIFO_AUTHORIZE_OR_RETURN(*authorizer_, context, fifo::v1::PnlReports);
  return Pending(fifo::v1::PnlReports::service_full_name(), __func__);
}

grpc::Status PendingPnlReports::GetAllocationHealth(
    grpc::ServerContext* context,
    const fifo::v1::GetAllocationHealthRequest* /*request*/,
    fifo::v1::AllocationHealth* /*response*/) {
  FIFO_AUTHORIZE_OR_RETURN(*authorizer_, context, fifo::v1::PnlReports);
  return Pending(fifo::v1::PnlReports::service_full_name(), __func__);
}

grpc::Status PendingPnlReports::ListAllocations(
    grpc::ServerContext* context,
    const fifo::v1::ListAllocationsRequest* /*request*/,
    grpc::ServerWriter<fifo::v1::Allocation>* /*writer*/) {
  FIFO_AUTHORIZE_OR_RETURN(*authorizer_, context, fifo::v1::PnlReports);
  return Pending(fifo::v1::PnlReports::service_full_name(), __func__);
}

grpc::Status PendingReviewQueue::ListReviewItems(
    grpc::ServerContext* context,
    const fifo::v1::ListReviewItemsRequest* /*request*/,
    fifo::v1::ListReviewItemsResponse* /*response*/) {
  FIFO_AUTHORIZE_OR_RETURN(*authorizer_, context, fifo::v1::ReviewQueue);
  return Pending(fifo::v1::ReviewQueue::service_full_name(), __func__);
}

grpc::Status PendingReviewQueue::ResolveReviewItem(
    grpc::ServerContext* context,
    const fifo::v1::ResolveReviewItemRequest* /*request*/,
    fifo::v1::ReviewItem* /*response*/) {
  FIFO_AUTHORIZE_OR_RETURN(*authorizer_, context, fifo::v1::ReviewQueue);
  return Pending(fifo::v1::ReviewQueue::service_full_name(), __func__);
}

}  // namespace fifo
