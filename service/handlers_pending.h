// File: service/handlers_pending.h
//
// ============================================================================
// PENDING — PLACEHOLDER HANDLERS, TO BE REPLACED BY THE LEAD.
// These classes exist so that fifo_server, its authentication, health,
// reflection, TLS and the e2e harness can be built and tested before the
// core (service/allocation_service.h) exists. Every handler authorizes the
// call exactly as a real one must (FIFO_AUTHORIZE_OR_RETURN first), then
// answers UNIMPLEMENTED. Replace this pair of files with
// service/*_service_impl.{h,cc} over the core, keeping:
//   * the FIFO_AUTHORIZE_OR_RETURN line at the top of every handler;
//   * CreateServiceHandlers() (or an equivalent that fifo_server_main.cc
//     calls) returning one registered service per fifo.v1 service.
// ============================================================================
//
// Thread safety: the handler classes are stateless apart from the borrowed
// Authorizer, which is immutable; gRPC may call them concurrently.
#ifndef FIFO_SERVICE_HANDLERS_PENDING_H_
#define FIFO_SERVICE_HANDLERS_PENDING_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "fifo/v1/allocation_engine.grpc.pb.h"
#include "fifo/v1/allocation_validator.grpc.pb.h"
#include "fifo/v1/pnl_reports.grpc.pb.h"
#include "fifo/v1/review_queue.grpc.pb.h"
#include "fifo/v1/trade_ledger.grpc.pb.h"
#include "grpcpp/grpcpp.h"
#include "service/auth.h"

namespace fifo {

// What fifo_server hands to the handlers (from its flags).
struct ServerConfig {
  std::string db_url;              // --db
  std::string symbol_config_path;  // --symbol-config; empty: exact defaults
};

// The services fifo_server registers, owned. The server must not outlive
// this object.
struct ServiceHandlers {
  std::vector<std::unique_ptr<grpc::Service>> services;
};

// PENDING: builds the placeholder handlers. kInvalidArgument for an empty
// db_url. REQUIRES: `authorizer` outlives the result.
absl::StatusOr<ServiceHandlers> CreateServiceHandlers(
    const ServerConfig& config, const Authorizer* authorizer);

// PENDING placeholder.
class PendingAllocationEngine final
    : public fifo::v1::AllocationEngine::Service {
 public:
  explicit PendingAllocationEngine(const Authorizer* authorizer)
      : authorizer_(authorizer) {}
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

 private:
  const Authorizer* const authorizer_;
};

// PENDING placeholder.
class PendingAllocationValidator final
    : public fifo::v1::AllocationValidator::Service {
 public:
  explicit PendingAllocationValidator(const Authorizer* authorizer)
      : authorizer_(authorizer) {}
  grpc::Status ValidateAllocations(
      grpc::ServerContext* context,
      const fifo::v1::ValidateAllocationsRequest* request,
      fifo::v1::ValidateAllocationsResponse* response) override;
  grpc::Status FindDiscrepancies(
      grpc::ServerContext* context,
      const fifo::v1::FindDiscrepanciesRequest* request,
      fifo::v1::FindDiscrepanciesResponse* response) override;

 private:
  const Authorizer* const authorizer_;
};

// PENDING placeholder.
class PendingTradeLedger final : public fifo::v1::TradeLedger::Service {
 public:
  explicit PendingTradeLedger(const Authorizer* authorizer)
      : authorizer_(authorizer) {}
  grpc::Status RecordTrade(grpc::ServerContext* context,
                           const fifo::v1::RecordTradeRequest* request,
                           fifo::v1::RecordTradeResponse* response) override;
  grpc::Status ImportTrades(
      grpc::ServerContext* context,
      grpc::ServerReader<fifo::v1::ImportTradesRequest>* reader,
      fifo::v1::ImportTradesResponse* response) override;
  grpc::Status ListTrades(grpc::ServerContext* context,
                          const fifo::v1::ListTradesRequest* request,
                          fifo::v1::ListTradesResponse* response) override;

 private:
  const Authorizer* const authorizer_;
};

// PENDING placeholder.
class PendingPnlReports final : public fifo::v1::PnlReports::Service {
 public:
  explicit PendingPnlReports(const Authorizer* authorizer)
      : authorizer_(authorizer) {}
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
  const Authorizer* const authorizer_;
};

// PENDING placeholder.
class PendingReviewQueue final : public fifo::v1::ReviewQueue::Service {
 public:
  explicit PendingReviewQueue(const Authorizer* authorizer)
      : authorizer_(authorizer) {}
  grpc::Status ListReviewItems(
      grpc::ServerContext* context,
      const fifo::v1::ListReviewItemsRequest* request,
      fifo::v1::ListReviewItemsResponse* response) override;
  grpc::Status ResolveReviewItem(
      grpc::ServerContext* context,
      const fifo::v1::ResolveReviewItemRequest* request,
      fifo::v1::ReviewItem* response) override;

 private:
  const Authorizer* const authorizer_;
};

}  // namespace fifo

#endif  // FIFO_SERVICE_HANDLERS_PENDING_H_
