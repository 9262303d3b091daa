#include "service/handlers.h"

#include <algorithm>
#include <set>
#include <utility>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/log.h"
#include "common/status_macros.h"
#include "formats/symbol_config_json.h"
#include "api/convert.h"
#include "core/reports.h"
#include "core/validations.h"
#include "api/grpc_status.h"
#include "service/raw_request.h"

namespace fifo {
namespace {

namespace pb = ::fifo::v1;

constexpr int kDefaultPageSize = 100;
constexpr int kMaxPageSize = 1000;

int PageSize(int32_t requested) {
  if (requested <= 0) return kDefaultPageSize;
  return std::min<int>(requested, kMaxPageSize);
}

// Offset page tokens for lists assembled in memory.
absl::StatusOr<size_t> OffsetFromToken(const std::string& token) {
  if (token.empty()) return 0;
  uint64_t offset = 0;
  if (!absl::SimpleAtoi(token, &offset)) {
    return absl::InvalidArgumentError(
        absl::StrCat("page_token: not a token from this list: \"", token, "\""));
  }
  return static_cast<size_t>(offset);
}

std::optional<int64_t> OptionalVersion(bool has, int64_t version) {
  return has ? std::optional<int64_t>(version) : std::nullopt;
}

std::optional<std::string> OptionalText(const std::string& text) {
  return text.empty() ? std::nullopt : std::optional<std::string>(text);
}

ComputeOptions OptionsFor(grpc::ServerContext* context,
                          pb::TriggeredBy trigger) {
  ComputeOptions options;
  options.triggered_by = TriggerFromProto(trigger, RunTrigger::kApi);
  options.should_stop = [context] { return context->IsCancelled(); };
  return options;
}

}  // namespace

// --- ServiceState -------------------------------------------------------------

absl::StatusOr<std::unique_ptr<ServiceState>> ServiceState::Open(
    const ServerConfig& config) {
  if (config.db_url.empty()) {
    return absl::InvalidArgumentError("--db must not be empty");
  }
  std::unique_ptr<ServiceState> state(new ServiceState());
  state->db_url_ = config.db_url;
  if (!config.symbol_config_path.empty()) {
    FIFO_ASSIGN_OR_RETURN(state->configs_,
                          ReadSymbolConfigFile(config.symbol_config_path));
  }
  if (!config.alert_webhook_url.empty()) {
    FIFO_ASSIGN_OR_RETURN(state->alerts_,
                          AlertWebhook::Create(config.alert_webhook_url));
  }
  const int connections = std::max(1, config.store_connections);
  for (int i = 0; i < connections; ++i) {
    FIFO_ASSIGN_OR_RETURN(std::unique_ptr<LedgerStore> store,
                          OpenLedgerStore(config.db_url));
    if (i == 0) {
      absl::Status schema = store->CheckSchema();
      if (!schema.ok()) {
        FIFO_ASSIGN_OR_RETURN(int version, store->SchemaVersion());
        if (store->dialect() != "sqlite" || version != 0) return schema;
        FIFO_RETURN_IF_ERROR(store->Migrate().status());
      }
      MarkAbandonedRuns(*store, "start");  // the sweep retries a failure
    }
    Slot slot;
    slot.computations = std::make_unique<Computations>(
        store.get(), state->configs_, state->alerts_.get());
    slot.store = std::move(store);
    state->slots_.push_back(std::move(slot));
  }
  if (state->slots_.front().store->dialect() == "sqlite") {
    state->writer_queue_ = std::make_unique<WriterQueue>();
  }
  FIFO_ASSIGN_OR_RETURN(state->sweep_store_, OpenLedgerStore(config.db_url));
  ServiceState* raw = state.get();
  state->sweeper_ = std::thread([raw] { raw->SweepAbandonedRuns(); });
  return state;
}

ServiceState::~ServiceState() {
  // Before any member goes: the sweep uses sweep_store_.
  stop_sweep_.Notify();
  if (sweeper_.joinable()) sweeper_.join();
  if (alerts_ != nullptr) alerts_->Flush(absl::Now() + absl::Seconds(10));
}

void ServiceState::MarkAbandonedRuns(LedgerStore& store,
                                     absl::string_view what) {
  absl::StatusOr<int64_t> marked = store.MarkAbandonedRuns();
  if (!marked.ok()) {
    LogEvent(LogLevel::kWarning, "mark_abandoned_runs_failed",
             {{"before", std::string(what)},
              {"error", std::string(marked.status().message())}});
  } else if (*marked > 0) {
    LogEvent(LogLevel::kWarning, "abandoned_runs_marked",
             {{"before", std::string(what)}, {"runs", absl::StrCat(*marked)}});
  }
}

// The sweep thread: marks abandoned runs every kAbandonedRunSweep until the
// destructor notifies stop_sweep_ (a sweep in progress finishes first; on
// SQLite it waits at most ~2 s for the write lock). It is the only user of
// sweep_store_, so it never contends with the handlers' pooled stores. A
// failure that repeats (e.g. a read-only database) is logged once, until a
// sweep succeeds again.
void ServiceState::SweepAbandonedRuns() {
  std::string last_error;
  while (!stop_sweep_.WaitForNotificationWithTimeout(kAbandonedRunSweep)) {
    absl::StatusOr<int64_t> marked = sweep_store_->MarkAbandonedRuns();
    if (!marked.ok()) {
      const std::string error(marked.status().message());
      if (error != last_error) {
        LogEvent(LogLevel::kWarning, "mark_abandoned_runs_failed",
                 {{"before", "sweep"}, {"error", error}});
      }
      last_error = error;
      continue;
    }
    last_error.clear();
    if (*marked > 0) {
      LogEvent(LogLevel::kWarning, "abandoned_runs_marked",
               {{"before", "sweep"}, {"runs", absl::StrCat(*marked)}});
    }
  }
}

absl::StatusOr<WriterQueue::Turn> ServiceState::WriterTurn(
    grpc::ServerContext* context) {
  if (writer_queue_ == nullptr) return WriterQueue::Turn();
  return writer_queue_->Wait([context] { return context->IsCancelled(); });
}

absl::StatusOr<std::unique_ptr<LedgerStore>> ServiceState::OpenDedicatedStore()
    const {
  return OpenLedgerStore(db_url_);
}

ServiceState::Slot& ServiceState::Next() {
  return slots_[next_.fetch_add(1, std::memory_order_relaxed) % slots_.size()];
}

absl::StatusOr<ServiceHandlers> CreateServiceHandlers(
    const ServerConfig& config, const Authorizer* authorizer) {
  ServiceHandlers handlers;
  FIFO_ASSIGN_OR_RETURN(handlers.state, ServiceState::Open(config));
  ServiceState* state = handlers.state.get();
  handlers.services.push_back(
      std::make_unique<AllocationEngineService>(state, authorizer));
  handlers.services.push_back(
      std::make_unique<AllocationValidatorService>(state, authorizer));
  handlers.services.push_back(
      std::make_unique<PnlReportsService>(state, authorizer));
  handlers.services.push_back(
      std::make_unique<ReviewQueueService>(state, authorizer));
  handlers.services.push_back(
      std::make_unique<TradeLedgerService>(state, authorizer));
  return handlers;
}

// --- AllocationEngine -----------------------------------------------------------

grpc::Status AllocationEngineService::ComputeAllSymbols(
    grpc::ServerContext* context, const pb::ComputeAllSymbolsRequest* request,
    pb::ComputeAllSymbolsResponse* response) {
  FIFO_AUTHORIZE_OR_RETURN(*authorizer_, context, pb::AllocationEngine);
  absl::StatusOr<WriterQueue::Turn> turn = state_->WriterTurn(context);
  if (!turn.ok()) return ToGrpcStatus(turn.status());
  absl::StatusOr<ComputationRun> run =
      state_->Next().computations->ComputeAllSymbols(
          OptionsFor(context, request->triggered_by()));
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
  absl::StatusOr<ComputationRun> run =
      state_->Next().computations->ComputeSymbol(
          request->symbol(), OptionsFor(context, request->triggered_by()));
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

// --- AllocationValidator ------------------------------------------------------

grpc::Status AllocationValidatorService::ValidateAllocations(
    grpc::ServerContext* context, const pb::ValidateAllocationsRequest* request,
    pb::ValidateAllocationsResponse* response) {
  FIFO_AUTHORIZE_OR_RETURN(*authorizer_, context, pb::AllocationValidator);
  absl::StatusOr<VersionValidation> v = ValidateVersion(
      *state_->Next().store, state_->configs(),
      OptionalVersion(request->has_allocation_version(),
                      request->allocation_version()),
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
  absl::StatusOr<VersionComparison> c = CompareVersions(
      *state_->Next().store, request->version_a(), request->version_b());
  if (!c.ok()) return ToGrpcStatus(c.status());
  if (!request->symbol().empty()) {
    VersionComparison only;
    only.version_a = c->version_a;
    only.version_b = c->version_b;
    for (SellDiscrepancy& d : c->sells) {
      if (d.symbol == request->symbol()) only.sells.push_back(std::move(d));
    }
    for (SymbolComparison& s : c->symbols) {
      if (s.symbol != request->symbol()) continue;
      only.pnl_a = s.pnl_a;
      only.pnl_b = s.pnl_b;
      only.pnl_delta = s.pnl_delta;
      only.symbols.push_back(std::move(s));
    }
    *c = std::move(only);
  }
  *response = ComparisonToProto(
      *c, request->max_sells() == 0 ? 1000 : request->max_sells());
  return grpc::Status::OK;
}

// --- TradeLedger --------------------------------------------------------------

TradeLedgerService::TradeLedgerService(ServiceState* state,
                                       const Authorizer* authorizer)
    : state_(state), authorizer_(authorizer) {
  // Method indices follow the rpc order of trade_ledger.proto.
  constexpr int kRecordTrade = 0;
  constexpr int kImportTrades = 1;
  MarkMethodStreamed(
      kRecordTrade,
      new grpc::internal::BidiStreamingHandler<
          TradeLedgerService, grpc::ByteBuffer, pb::RecordTradeResponse>(
          [](TradeLedgerService* service, grpc::ServerContext* context,
             grpc::ServerReaderWriter<pb::RecordTradeResponse,
                                      grpc::ByteBuffer>* stream) {
            return service->RecordTradeRaw(context, stream);
          },
          this));
  MarkMethodStreamed(
      kImportTrades,
      new grpc::internal::BidiStreamingHandler<
          TradeLedgerService, grpc::ByteBuffer, pb::ImportTradesResponse>(
          [](TradeLedgerService* service, grpc::ServerContext* context,
             grpc::ServerReaderWriter<pb::ImportTradesResponse,
                                      grpc::ByteBuffer>* stream) {
            return service->ImportTradesRaw(context, stream);
          },
          this));
}

grpc::Status TradeLedgerService::RecordTradeRaw(
    grpc::ServerContext* context,
    grpc::ServerReaderWriter<pb::RecordTradeResponse, grpc::ByteBuffer>*
        stream) {
  // By the rpc's name: FIFO_AUTHORIZE_OR_RETURN would take this function's.
  grpc::Status allowed = authorizer_->Authorize(
      *context, pb::TradeLedger::service_full_name(), "RecordTrade");
  if (!allowed.ok()) return allowed;
  grpc::ByteBuffer raw;
  if (!stream->Read(&raw)) {
    if (context->IsCancelled()) {
      return grpc::Status(grpc::StatusCode::CANCELLED,
                          "the call ended before its request arrived");
    }
    return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                        "no RecordTradeRequest message was sent");
  }
  pb::RecordTradeRequest request;
  absl::Status parsed = ParseRequestBuffer(raw, &request);
  if (!parsed.ok()) return ToGrpcStatus(parsed);
  pb::RecordTradeResponse response;
  grpc::Status status = RecordParsedTrade(context, &request, &response);
  if (status.ok() && !stream->Write(response)) {
    // The trade is recorded; only the answer was lost (a retry is a no-op).
    return grpc::Status(grpc::StatusCode::CANCELLED,
                        "the client went away before the answer was sent");
  }
  return status;
}

grpc::Status TradeLedgerService::RecordParsedTrade(
    grpc::ServerContext* context, const pb::RecordTradeRequest* request,
    pb::RecordTradeResponse* response) {
  absl::StatusOr<Trade> trade = TradeFromProto("trade", request->trade());
  if (!trade.ok()) return ToGrpcStatus(trade.status());
  absl::StatusOr<WriterQueue::Turn> turn = state_->WriterTurn(context);
  if (!turn.ok()) return ToGrpcStatus(turn.status());
  absl::StatusOr<ImportResult> result =
      state_->Next().store->ImportTrades({*trade}, /*dry_run=*/false);
  if (!result.ok()) return ToGrpcStatus(result.status());
  *response->mutable_trade() = TradeToProto(*trade);
  response->set_created(result->inserted == 1);
  return grpc::Status::OK;
}

grpc::Status TradeLedgerService::ImportTradesRaw(
    grpc::ServerContext* context,
    grpc::ServerReaderWriter<pb::ImportTradesResponse, grpc::ByteBuffer>*
        stream) {
  grpc::Status allowed = authorizer_->Authorize(
      *context, pb::TradeLedger::service_full_name(), "ImportTrades");
  if (!allowed.ok()) return allowed;
  // Trades go to the store in batches, inside one transaction on a
  // connection of its own, so memory stays bounded by one batch whatever the
  // stream's length. Nothing commits before the stream has ended cleanly and
  // every message was a valid trade; any earlier return destroys `import`,
  // which rolls the transaction back.
  constexpr size_t kBatch = 10000;
  absl::StatusOr<WriterQueue::Turn> turn = state_->WriterTurn(context);
  if (!turn.ok()) return ToGrpcStatus(turn.status());
  absl::StatusOr<std::unique_ptr<LedgerStore>> store =
      state_->OpenDedicatedStore();
  if (!store.ok()) return ToGrpcStatus(store.status());
  absl::StatusOr<std::unique_ptr<TradeImport>> import =
      (*store)->BeginImport(/*dry_run=*/false);
  if (!import.ok()) return ToGrpcStatus(import.status());
  std::vector<Trade> batch;
  batch.reserve(kBatch);
  int64_t received = 0;
  grpc::ByteBuffer raw;
  pb::ImportTradesRequest message;
  // The documented prefix of a per-message error: "trade <index> (<order
  // id>): ", counting messages from 0.
  auto message_error = [&](const absl::Status& s) {
    const std::string& id = message.trade().order_id();
    const std::string which =
        !id.empty() && CheckTradeText(id, TradeText::kIdentifier).ok()
            ? absl::StrCat("trade ", received, " (", id, ")")
            : absl::StrCat("trade ", received);
    return ToGrpcStatus(
        absl::Status(s.code(), absl::StrCat(which, ": ", s.message())));
  };
  while (stream->Read(&raw)) {
    message.Clear();
    absl::Status parsed = ParseRequestBuffer(raw, &message);
    if (!parsed.ok()) {
      message.Clear();
      return message_error(parsed);
    }
    absl::StatusOr<Trade> trade = TradeFromProto("trade", message.trade());
    if (!trade.ok()) return message_error(trade.status());
    batch.push_back(*std::move(trade));
    ++received;
    if (batch.size() == kBatch) {
      absl::Status added = (*import)->Add(batch);
      if (!added.ok()) return ToGrpcStatus(added);
      batch.clear();
    }
  }
  // Read() is false both at a clean end of the stream and when the stream
  // broke off (a message over the transport's size limit, a cancelled or
  // reset call), and IsCancelled() does not always know the second case
  // yet. What does: gRPC cancels a broken call before it completes the
  // failed read, so every later operation on it fails. So the answer is
  // sent first and the transaction commits only when it went out; a commit
  // that then fails still answers with its error status, which the client
  // sees instead of the answer.
  absl::Status added = (*import)->Add(batch);
  if (!added.ok()) return ToGrpcStatus(added);
  const ImportResult counts = (*import)->counts();
  pb::ImportTradesResponse response;
  response.set_received(received);
  response.set_created(counts.inserted);
  response.set_unchanged(counts.unchanged);
  if (context->IsCancelled() || !stream->Write(response)) {
    return grpc::Status(
        grpc::StatusCode::CANCELLED,
        absl::StrCat("the stream broke off after ", received,
                     " valid messages (cancelled, or a message over the size "
                     "limit); nothing written"));
  }
  absl::StatusOr<ImportResult> result = (*import)->Finish();
  if (!result.ok()) return ToGrpcStatus(result.status());
  return grpc::Status::OK;
}

grpc::Status TradeLedgerService::ListTrades(
    grpc::ServerContext* context, const pb::ListTradesRequest* request,
    pb::ListTradesResponse* response) {
  FIFO_AUTHORIZE_OR_RETURN(*authorizer_, context, pb::TradeLedger);
  std::optional<absl::Time> from, to;
  if (request->has_start_time()) {
    absl::StatusOr<absl::Time> t =
        TimeFromProto("start_time", request->start_time());
    if (!t.ok()) return ToGrpcStatus(t.status());
    from = *t;
  }
  if (request->has_end_time()) {
    absl::StatusOr<absl::Time> t = TimeFromProto("end_time", request->end_time());
    if (!t.ok()) return ToGrpcStatus(t.status());
    to = *t;
  }
  const int page_size = PageSize(request->page_size());
  LedgerStore& store = *state_->Next().store;
  TradeFilter filter;
  filter.symbol = OptionalText(request->symbol());
  filter.page_token = request->page_token();
  // The store is read in chunks of at most kChunk trades and never more than
  // the page still needs, so a page holds at most page_size trades (a
  // filter that skips trades reads more chunks, never a bigger page), and
  // reading stops once the answer passes kSoftMaxBytes: a chunk adds at most
  // kChunk trades within the text limits of engine/trade.h (under 5 KB
  // each), so an answer stays below gRPC's default 4 MB message limit
  // whatever the page size. A page cut short still has its next_page_token.
  constexpr int kChunk = 100;
  constexpr size_t kSoftMaxBytes = 3 * 1024 * 1024;
  while (true) {
    filter.page_size = std::min(kChunk, page_size - response->trades_size());
    absl::StatusOr<TradePage> page = store.ListTrades(filter);
    if (!page.ok()) return ToGrpcStatus(page.status());
    for (const Trade& t : page->trades) {
      if (request->side() == pb::SIDE_BUY && t.side != Side::kBuy) continue;
      if (request->side() == pb::SIDE_SELL && t.side != Side::kSell) continue;
      if (from && t.order_time < *from) continue;
      if (to && t.order_time >= *to) continue;
      *response->add_trades() = TradeToProto(t);
    }
    filter.page_token = page->next_page_token;
    if (filter.page_token.empty() || response->trades_size() >= page_size ||
        response->ByteSizeLong() >= kSoftMaxBytes) {
      break;
    }
  }
  response->set_next_page_token(filter.page_token);
  return grpc::Status::OK;
}

// --- PnlReports ---------------------------------------------------------------

grpc::Status PnlReportsService::GetPnlReport(
    grpc::ServerContext* context, const pb::GetPnlReportRequest* request,
    pb::PnlReport* response) {
  FIFO_AUTHORIZE_OR_RETURN(*authorizer_, context, pb::PnlReports);
  PnlReportQuery query;
  query.version = OptionalVersion(request->has_allocation_version(),
                                  request->allocation_version());
  query.symbol = OptionalText(request->symbol());
  query.period = request->period().empty() ? "all" : request->period();
  query.grouping = GroupingFromProto(request->group_by());
  query.now = absl::Now();
  absl::StatusOr<PnlReport> report =
      BuildPnlReport(*state_->Next().store, query);
  if (!report.ok()) return ToGrpcStatus(report.status());
  *response = PnlReportToProto(*report, query.grouping);
  return grpc::Status::OK;
}

grpc::Status PnlReportsService::ListUnmatchedSells(
    grpc::ServerContext* context, const pb::ListUnmatchedSellsRequest* request,
    pb::ListUnmatchedSellsResponse* response) {
  FIFO_AUTHORIZE_OR_RETURN(*authorizer_, context, pb::PnlReports);
  LedgerStore& store = *state_->Next().store;
  absl::StatusOr<int64_t> version = ResolveVersion(
      store, OptionalVersion(request->has_allocation_version(),
                             request->allocation_version()));
  if (!version.ok()) return ToGrpcStatus(version.status());
  absl::StatusOr<size_t> offset = OffsetFromToken(request->page_token());
  if (!offset.ok()) return ToGrpcStatus(offset.status());
  const size_t page_size = PageSize(request->page_size());
  AllocationFilter filter;
  filter.version = *version;
  filter.symbol = OptionalText(request->symbol());
  filter.kind = AllocationFilter::Kind::kUnmatchedOnly;
  size_t index = 0;
  bool more = false;
  absl::Status scanned = store.ScanAllocations(
      filter, [&](const std::vector<StoredAllocation>& page) {
        for (const StoredAllocation& s : page) {
          if (index++ < *offset) continue;
          if (static_cast<size_t>(response->unmatched_sells_size()) >=
              page_size) {
            more = true;
            return absl::CancelledError("page full");
          }
          pb::UnmatchedSell* u = response->add_unmatched_sells();
          u->set_sell_order_id(s.allocation.sell_order_id);
          u->set_symbol(s.allocation.symbol);
          *u->mutable_sell_time() = TimeToProto(s.allocation.sell_time);
          u->set_unmatched_size(s.allocation.allocated_size.ToString());
          u->set_sell_price(s.allocation.sell_price.ToString());
        }
        return absl::OkStatus();
      });
  if (!scanned.ok() && !more) return ToGrpcStatus(scanned);
  response->set_allocation_version(*version);
  if (more) {
    response->set_next_page_token(
        absl::StrCat(*offset + response->unmatched_sells_size()));
  }
  return grpc::Status::OK;
}

grpc::Status PnlReportsService::GetAllocationHealth(
    grpc::ServerContext* context, const pb::GetAllocationHealthRequest* request,
    pb::AllocationHealth* response) {
  FIFO_AUTHORIZE_OR_RETURN(*authorizer_, context, pb::PnlReports);
  LedgerStore& store = *state_->Next().store;
  absl::StatusOr<int64_t> version = ResolveVersion(
      store, OptionalVersion(request->has_allocation_version(),
                             request->allocation_version()));
  if (!version.ok()) return ToGrpcStatus(version.status());
  int64_t rows = 0, unmatched = 0;
  std::set<std::string> sells, buys;
  Decimal pnl;
  std::optional<absl::Time> first, last;
  AllocationFilter filter;
  filter.version = *version;
  absl::Status scanned = store.ScanAllocations(
      filter, [&](const std::vector<StoredAllocation>& page) {
        if (context->IsCancelled()) return absl::CancelledError("cancelled");
        for (const StoredAllocation& s : page) {
          const Allocation& a = s.allocation;
          ++rows;
          if (a.matched()) {
            sells.insert(a.sell_order_id);
            buys.insert(*a.buy_order_id);
            pnl += a.pnl_usd;
          } else {
            ++unmatched;
          }
          if (!first || a.sell_time < *first) first = a.sell_time;
          if (!last || a.sell_time > *last) last = a.sell_time;
        }
        return absl::OkStatus();
      });
  if (!scanned.ok()) return ToGrpcStatus(scanned);
  response->set_allocation_version(*version);
  response->set_total_allocations(rows);
  response->set_unmatched_allocations(unmatched);
  response->set_sells_matched(static_cast<int64_t>(sells.size()));
  response->set_buys_used(static_cast<int64_t>(buys.size()));
  response->set_total_pnl_usd(pnl.ToString());
  if (first) *response->mutable_first_sell_time() = TimeToProto(*first);
  if (last) *response->mutable_last_sell_time() = TimeToProto(*last);
  absl::StatusOr<std::optional<ComputationRun>> run =
      store.LatestCompletedRun(*version);
  if (!run.ok()) return ToGrpcStatus(run.status());
  if (run->has_value()) {
    *response->mutable_latest_computation() = ComputationToProto(**run);
  }
  return grpc::Status::OK;
}

grpc::Status PnlReportsService::ListAllocations(
    grpc::ServerContext* context, const pb::ListAllocationsRequest* request,
    grpc::ServerWriter<pb::Allocation>* writer) {
  FIFO_AUTHORIZE_OR_RETURN(*authorizer_, context, pb::PnlReports);
  LedgerStore& store = *state_->Next().store;
  absl::StatusOr<int64_t> version = ResolveVersion(
      store, OptionalVersion(request->has_allocation_version(),
                             request->allocation_version()));
  if (!version.ok()) return ToGrpcStatus(version.status());
  AllocationFilter filter;
  filter.version = *version;
  filter.symbol = OptionalText(request->symbol());
  if (request->unmatched_only()) {
    filter.kind = AllocationFilter::Kind::kUnmatchedOnly;
  }
  absl::Status scanned = store.ScanAllocations(
      filter, [&](const std::vector<StoredAllocation>& page) {
        for (const StoredAllocation& s : page) {
          const Allocation& a = s.allocation;
          if (!request->sell_order_id().empty() &&
              a.sell_order_id != request->sell_order_id()) {
            continue;
          }
          if (!request->buy_order_id().empty() &&
              a.buy_order_id.value_or("") != request->buy_order_id()) {
            continue;
          }
          if (!writer->Write(AllocationToProto(s))) {
            return absl::CancelledError("the client stopped reading");
          }
        }
        return absl::OkStatus();
      });
  return ToGrpcStatus(scanned);
}

// --- ReviewQueue --------------------------------------------------------------

grpc::Status ReviewQueueService::ListReviewItems(
    grpc::ServerContext* context, const pb::ListReviewItemsRequest* request,
    pb::ListReviewItemsResponse* response) {
  FIFO_AUTHORIZE_OR_RETURN(*authorizer_, context, pb::ReviewQueue);
  ReviewFilter filter = ReviewFilter::kAll;
  if (request->status() == pb::REVIEW_STATUS_OPEN) filter = ReviewFilter::kOpen;
  if (request->status() == pb::REVIEW_STATUS_RESOLVED) {
    filter = ReviewFilter::kResolved;
  }
  absl::StatusOr<size_t> offset = OffsetFromToken(request->page_token());
  if (!offset.ok()) return ToGrpcStatus(offset.status());
  absl::StatusOr<std::vector<ReviewItem>> items =
      state_->Next().store->ListReviewItems(filter);
  if (!items.ok()) return ToGrpcStatus(items.status());
  const size_t page_size = PageSize(request->page_size());
  size_t index = 0;
  for (const ReviewItem& item : *items) {
    if (!request->symbol().empty() && item.symbol != request->symbol()) continue;
    if (!request->issue_type().empty() &&
        item.issue_type != request->issue_type()) {
      continue;
    }
    if (index++ < *offset) continue;
    if (static_cast<size_t>(response->items_size()) >= page_size) {
      response->set_next_page_token(absl::StrCat(index - 1));
      break;
    }
    *response->add_items() = ReviewItemToProto(item);
  }
  return grpc::Status::OK;
}

grpc::Status ReviewQueueService::ResolveReviewItem(
    grpc::ServerContext* context, const pb::ResolveReviewItemRequest* request,
    pb::ReviewItem* response) {
  FIFO_AUTHORIZE_OR_RETURN(*authorizer_, context, pb::ReviewQueue);
  if (request->resolution_note().empty()) {
    return ToGrpcStatus(absl::InvalidArgumentError(
        "resolution_note: required (say how the item was resolved)"));
  }
  const std::string& resolved_by = request->resolved_by();
  std::string note = request->resolution_note();
  if (!resolved_by.empty()) {
    note = absl::StrCat(note, " (resolved by ", resolved_by, ")");
  }
  // A write like any other: on SQLite it waits its turn behind earlier
  // writers instead of contending for the file's lock (writer_queue.h).
  absl::StatusOr<WriterQueue::Turn> turn = state_->WriterTurn(context);
  if (!turn.ok()) return ToGrpcStatus(turn.status());
  absl::StatusOr<ReviewItem> item =
      state_->Next().store->ResolveReviewItem(request->id(), note);
  if (!item.ok()) return ToGrpcStatus(item.status());
  *response = ReviewItemToProto(*item);
  return grpc::Status::OK;
}

}  // namespace fifo
