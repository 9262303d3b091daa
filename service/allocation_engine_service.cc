#include "service/allocation_engine_service.h"

#include <optional>
#include <string>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "api/convert.h"
#include "api/grpc_status.h"
#include "core/computations.h"
#include "core/retention.h"
#include "service/request_fields.h"
#include "service/writer_queue.h"
#include "storage/ledger_store.h"

namespace fifo {
namespace {

namespace pb = ::fifo::v1;

ComputeOptions OptionsFor(grpc::ServerContext* context,
                          pb::TriggeredBy trigger) {
  ComputeOptions options;
  options.triggered_by = TriggerFromProto(trigger, RunTrigger::kApi);
  options.should_stop = [context] { return context->IsCancelled(); };
  return options;
}

}  // namespace

grpc::Status AllocationEngineService::ComputeAllSymbols(
    grpc::ServerContext* context, const pb::ComputeAllSymbolsRequest* request,
    pb::ComputeAllSymbolsResponse* response) {
  FIFO_AUTHORIZE_OR_RETURN(*authorizer_, context, pb::AllocationEngine);
  absl::StatusOr<WriterQueue::Turn> turn = state_->WriterTurn(context);
  if (!turn.ok()) return ToGrpcStatus(turn.status());
  ComputeOptions options = OptionsFor(context, request->triggered_by());
  options.rewrite = request->rewrite();
  absl::StatusOr<ComputationRun> run =
      state_->Next().computations->ComputeAllSymbols(options);
  if (!run.ok()) return ToGrpcStatus(run.status());
  *response->mutable_computation() = ComputationToProto(*run);
  return grpc::Status::OK;
}

grpc::Status AllocationEngineService::ComputeSymbol(
    grpc::ServerContext* context, const pb::ComputeSymbolRequest* request,
    pb::ComputeSymbolResponse* response) {
  FIFO_AUTHORIZE_OR_RETURN(*authorizer_, context, pb::AllocationEngine);
  if (request->symbol().empty()) {
    return ToGrpcStatus(absl::InvalidArgumentError("symbol: required"));
  }
  absl::StatusOr<WriterQueue::Turn> turn = state_->WriterTurn(context);
  if (!turn.ok()) return ToGrpcStatus(turn.status());
  ComputeOptions options = OptionsFor(context, request->triggered_by());
  options.rewrite = request->rewrite();
  absl::StatusOr<ComputationRun> run =
      state_->Next().computations->ComputeSymbol(request->symbol(), options);
  if (!run.ok()) return ToGrpcStatus(run.status());
  *response->mutable_computation() = ComputationToProto(*run);
  return grpc::Status::OK;
}

grpc::Status AllocationEngineService::ComputeIncremental(
    grpc::ServerContext* context, const pb::ComputeIncrementalRequest* request,
    pb::ComputeIncrementalResponse* response) {
  FIFO_AUTHORIZE_OR_RETURN(*authorizer_, context, pb::AllocationEngine);
  std::optional<absl::Time> since;
  if (request->has_since()) {
    absl::StatusOr<absl::Time> t = TimeFromProto("since", request->since());
    if (!t.ok()) return ToGrpcStatus(t.status());
    since = *t;
  }
  absl::StatusOr<WriterQueue::Turn> turn = state_->WriterTurn(context);
  if (!turn.ok()) return ToGrpcStatus(turn.status());
  absl::StatusOr<ComputationRun> run =
      state_->Next().computations->ComputeIncremental(
          since, OptionsFor(context, request->triggered_by()));
  if (!run.ok()) return ToGrpcStatus(run.status());
  *response->mutable_computation() = ComputationToProto(*run);
  return grpc::Status::OK;
}

grpc::Status AllocationEngineService::GetComputation(
    grpc::ServerContext* context, const pb::GetComputationRequest* request,
    pb::Computation* response) {
  FIFO_AUTHORIZE_OR_RETURN(*authorizer_, context, pb::AllocationEngine);
  if (request->id() <= 0) {
    return ToGrpcStatus(absl::InvalidArgumentError(absl::StrCat(
        "id: must be a computation id (>= 1), got ", request->id())));
  }
  ServiceState::Slot& slot = state_->Next();
  ServiceState::MarkAbandonedRuns(*slot.store, "GetComputation");
  absl::StatusOr<ComputationRun> run = slot.store->GetRun(request->id());
  if (!run.ok()) return ToGrpcStatus(run.status());
  *response = ComputationToProto(*run);
  return grpc::Status::OK;
}

grpc::Status AllocationEngineService::ListComputations(
    grpc::ServerContext* context, const pb::ListComputationsRequest* request,
    pb::ListComputationsResponse* response) {
  FIFO_AUTHORIZE_OR_RETURN(*authorizer_, context, pb::AllocationEngine);
  LedgerStore& store = *state_->Next().store;
  ServiceState::MarkAbandonedRuns(store, "ListComputations");
  const int page_size = PageSize(request->page_size());
  const bool filtered =
      request->status() != pb::COMPUTATION_STATUS_UNSPECIFIED ||
      request->has_allocation_version();
  std::string token = request->page_token();
  // Filters apply to the store's pages; keep reading until the page is full.
  while (true) {
    absl::StatusOr<RunPage> page = store.ListRuns(page_size, token);
    if (!page.ok()) return ToGrpcStatus(page.status());
    for (const ComputationRun& run : page->runs) {
      pb::Computation c = ComputationToProto(run);
      if (request->status() != pb::COMPUTATION_STATUS_UNSPECIFIED &&
          c.status() != request->status()) {
        continue;
      }
      if (request->has_allocation_version() &&
          run.allocation_version != request->allocation_version()) {
        continue;
      }
      *response->add_computations() = std::move(c);
    }
    token = page->next_page_token;
    if (token.empty() || !filtered ||
        response->computations_size() >= page_size) {
      break;
    }
  }
  response->set_next_page_token(token);
  return grpc::Status::OK;
}

grpc::Status AllocationEngineService::PruneVersions(
    grpc::ServerContext* context, const pb::PruneVersionsRequest* request,
    pb::PruneVersionsResponse* response) {
  FIFO_AUTHORIZE_OR_RETURN(*authorizer_, context, pb::AllocationEngine);
  PruneOptions options;
  if (request->has_keep_last()) options.keep_last = request->keep_last();
  if (request->has_older_than()) {
    const auto& d = request->older_than();
    if (d.seconds() < 0 || d.nanos() < 0) {
      return ToGrpcStatus(
          absl::InvalidArgumentError("older_than: must not be negative"));
    }
    options.older_than = absl::Seconds(d.seconds()) + absl::Nanoseconds(d.nanos());
  }
  options.keep.assign(request->keep().begin(), request->keep().end());
  options.dry_run = request->dry_run();
  absl::StatusOr<WriterQueue::Turn> turn = state_->WriterTurn(context);
  if (!turn.ok()) return ToGrpcStatus(turn.status());
  absl::StatusOr<PruneResult> result =
      fifo::PruneVersions(*state_->Next().store, options);
  if (!result.ok()) return ToGrpcStatus(result.status());
  for (int64_t v : result->versions_removed) response->add_versions_removed(v);
  for (int64_t v : result->versions_kept) response->add_versions_kept(v);
  response->set_segments_removed(result->segments_removed);
  response->set_allocations_removed(result->allocations_removed);
  response->set_lots_removed(result->lots_removed);
  return grpc::Status::OK;
}

}  // namespace fifo
