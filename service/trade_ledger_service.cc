#include "service/trade_ledger_service.h"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "api/convert.h"
#include "api/grpc_status.h"
#include "engine/trade.h"
#include "service/raw_request.h"
#include "service/request_fields.h"
#include "service/writer_queue.h"
#include "storage/ledger_store.h"

namespace fifo {
namespace {

namespace pb = ::fifo::v1;

}  // namespace

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
    absl::StatusOr<absl::Time> t =
        TimeFromProto("end_time", request->end_time());
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

}  // namespace fifo
