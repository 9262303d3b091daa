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
// Thread safety: handlers are stateless; the shared ServiceState is
// thread-safe (each LedgerStore serialises its own calls; the pool spreads
// concurrent calls over several connections).
#ifndef FIFO_SERVICE_HANDLERS_H_
#define FIFO_SERVICE_HANDLERS_H_

#include <atomic>
#include <memory>
#include <string>
#include <thread>  // NOLINT(build/c++11): the abandoned-run sweep.
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/notification.h"
#include "absl/time/time.h"
#include "engine/symbol_config.h"
#include "fifo/v1/allocation_engine.grpc.pb.h"
#include "fifo/v1/allocation_validator.grpc.pb.h"
#include "fifo/v1/pnl_reports.grpc.pb.h"
#include "fifo/v1/review_queue.grpc.pb.h"
#include "fifo/v1/trade_ledger.grpc.pb.h"
#include "grpcpp/grpcpp.h"
#include "common/alert_webhook.h"
#include "service/auth.h"
#include "core/computations.h"
#include "service/writer_queue.h"
#include "storage/ledger_store.h"

namespace fifo {

// What fifo_server hands to the handlers (from its flags).
struct ServerConfig {
  std::string db_url;              // --db
  std::string symbol_config_path;  // --symbol-config; empty: exact defaults
  int store_connections = 4;       // size of the store pool
  // --alert-webhook: where unmatched sells are announced; empty: no alerts.
  std::string alert_webhook_url;
};

// State shared by every handler: a pool of store connections, each with its
// Computations over the same symbol configuration.
class ServiceState {
 public:
  // Opens `config.store_connections` stores on `config.db_url`, checks the
  // schema is current (FAILED_PRECONDITION: run `fifoctl migrate`; an empty
  // SQLite file is migrated), marks abandoned runs failed, and loads the
  // symbol configuration. Then starts the abandoned-run sweep: a thread
  // that calls LedgerStore::MarkAbandonedRuns every kAbandonedRunSweep on a
  // store connection of its own, so that this replica marks the runs of
  // dead processes (other replicas, fifoctl) failed/abandoned even when
  // nobody reads runs; the destructor stops it.
  static absl::StatusOr<std::unique_ptr<ServiceState>> Open(
      const ServerConfig& config);

  struct Slot {
    std::unique_ptr<LedgerStore> store;
    std::unique_ptr<Computations> computations;
  };

  // A slot for one call, round robin.
  Slot& Next();

  // Waits, first come first served, until this server's earlier writers
  // (computations, imports) are done, when the store lets one writer in at
  // a time (SQLite; see service/writer_queue.h). Returns an empty turn at
  // once for PostgreSQL, whose runs proceed concurrently. CANCELLED when the
  // call is cancelled (or its deadline passes) while waiting.
  absl::StatusOr<WriterQueue::Turn> WriterTurn(grpc::ServerContext* context);
  const SymbolConfigs& configs() const { return configs_; }

  // A store of its own for one long call (a streamed import), so that the
  // call does not hold a pooled connection that other calls wait for.
  absl::StatusOr<std::unique_ptr<LedgerStore>> OpenDedicatedStore() const;

  static constexpr absl::Duration kAbandonedRunSweep = absl::Seconds(10);

  // Calls store.MarkAbandonedRuns() before `what` (e.g. "GetComputation")
  // reads runs, so that a dead process's run is never answered as running.
  // Best effort: a failure (read-only database, write lock busy) is logged
  // and the read goes on; so is a run marked.
  static void MarkAbandonedRuns(LedgerStore& store, absl::string_view what);

  // Stops the abandoned-run sweep (waits for a sweep in progress), then
  // delivers queued alerts for up to `grace` (at shutdown).
  ~ServiceState();

 private:
  ServiceState() = default;
  std::string db_url_;
  SymbolConfigs configs_;
  std::unique_ptr<AlertWebhook> alerts_;  // null without --alert-webhook
  std::vector<Slot> slots_;
  std::atomic<size_t> next_{0};
  std::unique_ptr<WriterQueue> writer_queue_;  // null unless SQLite
  // The abandoned-run sweep (Open): its own store, so that a sweep waiting
  // for SQLite's write lock never holds up a pooled connection; stopped by
  // stop_sweep_ and joined in the destructor.
  void SweepAbandonedRuns();
  std::unique_ptr<LedgerStore> sweep_store_;
  absl::Notification stop_sweep_;
  std::thread sweeper_;
};

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

class AllocationEngineService final
    : public fifo::v1::AllocationEngine::Service {
 public:
  AllocationEngineService(ServiceState* state, const Authorizer* authorizer)
      : state_(state), authorizer_(authorizer) {}
  grpc::Status ComputeAllSymbols(
      grpc::ServerContext* context,
      const fifo::v1::ComputeAllSymbolsRequest* request,
      fifo::v1::ComputeAllSymbolsResponse* response) override;
  grpc::Status ComputeSymbol(grpc::ServerContext* context,
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
  ServiceState* const state_;
  const Authorizer* const authorizer_;
};

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

// RecordTrade and ImportTrades read their requests as raw bytes and parse
// them here (service/raw_request.h): a message gRPC's parser would refuse
// (invalid UTF-8) is then INVALID_ARGUMENT naming the field and, in the
// stream, the message's index, instead of looking like the end of the
// stream. Both are registered as streams of raw messages (gRPC's "streamed"
// method handlers); on the wire nothing changes for clients.
class TradeLedgerService final : public fifo::v1::TradeLedger::Service {
 public:
  TradeLedgerService(ServiceState* state, const Authorizer* authorizer);
  grpc::Status ListTrades(grpc::ServerContext* context,
                          const fifo::v1::ListTradesRequest* request,
                          fifo::v1::ListTradesResponse* response) override;

  // Reads one raw RecordTradeRequest, authorizes, parses it and records the
  // trade.
  grpc::Status RecordTradeRaw(
      grpc::ServerContext* context,
      grpc::ServerReaderWriter<fifo::v1::RecordTradeResponse, grpc::ByteBuffer>*
          stream);

  // The whole client stream in ONE transaction, fed in batches: any message
  // that is not a valid trade, a stream that breaks off (cancelled, over the
  // message size limit, a transport error) or a store error writes nothing
  // and answers an error naming the message's index ("trade 3 (...): ...").
  grpc::Status ImportTradesRaw(
      grpc::ServerContext* context,
      grpc::ServerReaderWriter<fifo::v1::ImportTradesResponse,
                               grpc::ByteBuffer>* stream);

 private:
  // RecordTrade after authorization and parsing.
  grpc::Status RecordParsedTrade(grpc::ServerContext* context,
                                 const fifo::v1::RecordTradeRequest* request,
                                 fifo::v1::RecordTradeResponse* response);

  ServiceState* const state_;
  const Authorizer* const authorizer_;
};

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

class ReviewQueueService final : public fifo::v1::ReviewQueue::Service {
 public:
  ReviewQueueService(ServiceState* state, const Authorizer* authorizer)
      : state_(state), authorizer_(authorizer) {}
  grpc::Status ListReviewItems(
      grpc::ServerContext* context,
      const fifo::v1::ListReviewItemsRequest* request,
      fifo::v1::ListReviewItemsResponse* response) override;
  grpc::Status ResolveReviewItem(
      grpc::ServerContext* context,
      const fifo::v1::ResolveReviewItemRequest* request,
      fifo::v1::ReviewItem* response) override;

 private:
  ServiceState* const state_;
  const Authorizer* const authorizer_;
};

}  // namespace fifo

#endif  // FIFO_SERVICE_HANDLERS_H_
