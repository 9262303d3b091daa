#include "fuzz/rpc_properties.h"

#include <cstdint>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "engine/trade.h"
#include "fifo/v1/allocation_engine.pb.h"
#include "fifo/v1/allocation_validator.pb.h"
#include "fifo/v1/pnl_reports.pb.h"
#include "fifo/v1/review_queue.pb.h"
#include "fifo/v1/trade_ledger.pb.h"
#include "google/protobuf/message.h"
#include "google/protobuf/stubs/logging.h"
#include "google/protobuf/timestamp.pb.h"
#include "google/protobuf/util/json_util.h"
#include "api/convert.h"
#include "core/reports.h"
#include "storage/ledger_store.h"

namespace fifo::fuzz {
namespace {

namespace pb = ::fifo::v1;
using ::google::protobuf::Message;

// The verdict of a handler's validation of one request, and the first
// violated property (empty: none).
struct Validation {
  absl::Status verdict;
  std::string violation;

  void Violate(std::string what) {
    if (violation.empty()) violation = std::move(what);
  }

  // Records `status` as the handler's verdict on `field` and checks its
  // shape. True when the request may go on (status OK).
  bool Accept(absl::string_view field, const absl::Status& status) {
    if (status.ok()) return true;
    if (verdict.ok()) verdict = status;
    if (status.code() != absl::StatusCode::kInvalidArgument &&
        status.code() != absl::StatusCode::kOutOfRange) {
      Violate(absl::StrCat(field, ": unexpected error code: ",
                           status.ToString()));
    }
    const absl::string_view message = status.message();
    if (!absl::StartsWith(message, field) ||
        (message.size() > field.size() &&
         absl::string_view(".: (").find(message[field.size()]) ==
             absl::string_view::npos)) {
      Violate(absl::StrCat("error does not start with the field path \"",
                           field, "\": ", status.ToString()));
    }
    return false;
  }
};

bool SameTrade(const Trade& a, const Trade& b) {
  return a.order_id == b.order_id && a.symbol == b.symbol &&
         a.side == b.side && a.size == b.size && a.price == b.price &&
         a.order_time == b.order_time &&
         a.total_fees_usd == b.total_fees_usd && a.source == b.source &&
         a.status == b.status && a.order_type == b.order_type &&
         a.ingest_via == b.ingest_via;
}

// TradeFromProto as RecordTrade and ImportTrades call it.
void CheckTrade(const pb::Trade& in, Validation* v) {
  absl::StatusOr<Trade> trade = TradeFromProto("trade", in);
  if (!v->Accept("trade", trade.status())) return;
  absl::Status valid = ValidateTrade(*trade);
  if (!valid.ok()) {
    v->Violate(absl::StrCat("accepted trade fails ValidateTrade: ",
                            valid.ToString()));
  }
  const pb::Trade reply = TradeToProto(*trade);
  absl::StatusOr<Trade> again = TradeFromProto("trade", reply);
  if (!again.ok()) {
    v->Violate(absl::StrCat("TradeToProto of an accepted trade is rejected: ",
                            again.status().ToString()));
    return;
  }
  if (!SameTrade(*trade, *again)) {
    v->Violate(absl::StrCat("trade changed through TradeToProto: ",
                            reply.ShortDebugString()));
  }
  const pb::Trade second = TradeToProto(*again);
  if (second.SerializeAsString() != reply.SerializeAsString()) {
    v->Violate(absl::StrCat("TradeToProto is not canonical: ",
                            reply.ShortDebugString(), " then ",
                            second.ShortDebugString()));
  }
}

// TimeFromProto of an optional Timestamp field, as the handlers call it.
void CheckTime(absl::string_view field, const google::protobuf::Timestamp& in,
               Validation* v) {
  absl::StatusOr<absl::Time> t = TimeFromProto(field, in);
  if (!v->Accept(field, t.status())) return;
  const google::protobuf::Timestamp out = TimeToProto(*t);
  if (out.seconds() != in.seconds() || out.nanos() != in.nanos()) {
    v->Violate(absl::StrCat(field, ": TimeToProto gives ",
                            out.ShortDebugString(), " for ",
                            in.ShortDebugString()));
  }
  absl::StatusOr<absl::Time> again = TimeFromProto(field, out);
  if (!again.ok() || *again != *t) {
    v->Violate(absl::StrCat(field, ": time changed through TimeToProto: ",
                            in.ShortDebugString()));
  }
}

// An instant the server sends back (TimeToProto) must be one the client's
// TimeFromProto accepts, unchanged.
void CheckReplyTime(absl::string_view what, absl::Time t, Validation* v) {
  absl::StatusOr<absl::Time> back = TimeFromProto(what, TimeToProto(t));
  if (!back.ok() || *back != t) {
    v->Violate(absl::StrCat(what, " ", absl::FormatTime(t),
                            " does not survive TimeToProto -> TimeFromProto",
                            back.ok() ? "" : ": ",
                            back.ok() ? "" : back.status().message()));
  }
}

void CheckTrigger(pb::TriggeredBy in, Validation* v) {
  const RunTrigger t = TriggerFromProto(in, RunTrigger::kApi);
  const bool known = in == pb::TRIGGERED_BY_MANUAL ||
                     in == pb::TRIGGERED_BY_SCHEDULED ||
                     in == pb::TRIGGERED_BY_API;
  if (known ? TriggerToProto(t) != in : t != RunTrigger::kApi) {
    v->Violate(absl::StrCat("TriggerFromProto(", static_cast<int>(in),
                            ") gives ", static_cast<int>(t)));
  }
}

void CheckGrouping(pb::GroupBy in, Validation* v) {
  const PnlGrouping g = GroupingFromProto(in);
  const bool bucketed = in == pb::GROUP_BY_DAY || in == pb::GROUP_BY_MONTH;
  if (bucketed ? GroupingToProto(g) != in : g != PnlGrouping::kNone) {
    v->Violate(absl::StrCat("GroupingFromProto(", static_cast<int>(in),
                            ") gives ", static_cast<int>(g)));
  }
}

// --- one function per request type: what its handler validates -------------

void CheckRecordTrade(const pb::RecordTradeRequest& r, Validation* v) {
  CheckTrade(r.trade(), v);
}

// The handler adds "trade <index> (<order_id>): " in front of this.
void CheckImportTrades(const pb::ImportTradesRequest& r, Validation* v) {
  CheckTrade(r.trade(), v);
}

void CheckComputeSymbol(const pb::ComputeSymbolRequest& r, Validation* v) {
  if (r.symbol().empty()) {
    v->Accept("symbol", absl::InvalidArgumentError("symbol: required"));
    return;
  }
  CheckTrigger(r.triggered_by(), v);
}

void CheckComputeIncremental(const pb::ComputeIncrementalRequest& r,
                             Validation* v) {
  if (r.has_since()) {
    CheckTime("since", r.since(), v);
    if (!v->verdict.ok()) return;
  }
  CheckTrigger(r.triggered_by(), v);
}

void CheckComputeAllSymbols(const pb::ComputeAllSymbolsRequest& r,
                            Validation* v) {
  CheckTrigger(r.triggered_by(), v);
}

// Nothing to validate before storage: any id, filter or page.
void CheckGetComputation(const pb::GetComputationRequest&, Validation*) {}
void CheckListComputations(const pb::ListComputationsRequest&, Validation*) {}
void CheckValidateAllocations(const pb::ValidateAllocationsRequest&,
                              Validation*) {}
// Their page tokens are read by OffsetFromToken (service/request_fields.h).
void CheckListUnmatchedSells(const pb::ListUnmatchedSellsRequest&,
                             Validation*) {}
void CheckGetAllocationHealth(const pb::GetAllocationHealthRequest&,
                              Validation*) {}
void CheckListAllocations(const pb::ListAllocationsRequest&, Validation*) {}
void CheckListReviewItems(const pb::ListReviewItemsRequest&, Validation*) {}

void CheckFindDiscrepancies(const pb::FindDiscrepanciesRequest& r,
                            Validation* v) {
  if (r.version_a() <= 0 || r.version_b() <= 0) {
    v->Accept("version_a",
              absl::InvalidArgumentError(
                  "version_a and version_b: required, positive versions"));
  }
}

void CheckGetPnlReport(const pb::GetPnlReportRequest& r, Validation* v) {
  // BuildPnlReport's reading; a fixed `now` keeps replays deterministic.
  const std::string period = r.period().empty() ? "all" : r.period();
  const absl::Time now = absl::FromCivil(absl::CivilSecond(2025, 6, 15, 12, 0, 0),
                                         absl::UTCTimeZone());
  absl::StatusOr<TimeRange> range = ParsePeriod(period, now);
  if (!v->Accept("period", range.status())) return;
  if (range->from && range->to && *range->to <= *range->from) {
    v->Violate(absl::StrCat("period \"", absl::CEscape(period),
                            "\" accepted with TO <= FROM"));
  }
  // PnlReportToProto sends the range as period_start / period_end.
  if (range->from) CheckReplyTime("period_start", *range->from, v);
  if (range->to) CheckReplyTime("period_end", *range->to, v);
  CheckGrouping(r.group_by(), v);
}

void CheckListTrades(const pb::ListTradesRequest& r, Validation* v) {
  if (r.has_start_time()) {
    CheckTime("start_time", r.start_time(), v);
    if (!v->verdict.ok()) return;
  }
  if (r.has_end_time()) CheckTime("end_time", r.end_time(), v);
}

void CheckResolveReviewItem(const pb::ResolveReviewItemRequest& r,
                            Validation* v) {
  if (r.resolution_note().empty()) {
    v->Accept("resolution_note",
              absl::InvalidArgumentError(
                  "resolution_note: required (say how the item was resolved)"));
  }
}

// --- the type table ------------------------------------------------------------

struct RequestType {
  const char* name;
  const Message& (*prototype)();
  void (*check)(const Message&, Validation*);
};

template <typename Request, void (*kCheck)(const Request&, Validation*)>
void CheckAs(const Message& message, Validation* v) {
  kCheck(static_cast<const Request&>(message), v);
}

#define FIFO_RPC_REQUEST(Type, check)                                   \
  RequestType {                                                         \
    #Type, []() -> const Message& { return pb::Type::default_instance(); }, \
        &CheckAs<pb::Type, check>                                       \
  }

// Indexed by the low 4 bits of the first input byte: do not reorder (the
// corpus depends on it).
const RequestType kRpcRequestTypes[16] = {
    FIFO_RPC_REQUEST(RecordTradeRequest, CheckRecordTrade),
    FIFO_RPC_REQUEST(ImportTradesRequest, CheckImportTrades),
    FIFO_RPC_REQUEST(ComputeSymbolRequest, CheckComputeSymbol),
    FIFO_RPC_REQUEST(ComputeIncrementalRequest, CheckComputeIncremental),
    FIFO_RPC_REQUEST(ComputeAllSymbolsRequest, CheckComputeAllSymbols),
    FIFO_RPC_REQUEST(GetComputationRequest, CheckGetComputation),
    FIFO_RPC_REQUEST(ListComputationsRequest, CheckListComputations),
    FIFO_RPC_REQUEST(ValidateAllocationsRequest, CheckValidateAllocations),
    FIFO_RPC_REQUEST(FindDiscrepanciesRequest, CheckFindDiscrepancies),
    FIFO_RPC_REQUEST(GetPnlReportRequest, CheckGetPnlReport),
    FIFO_RPC_REQUEST(ListUnmatchedSellsRequest, CheckListUnmatchedSells),
    FIFO_RPC_REQUEST(GetAllocationHealthRequest, CheckGetAllocationHealth),
    FIFO_RPC_REQUEST(ListAllocationsRequest, CheckListAllocations),
    FIFO_RPC_REQUEST(ListTradesRequest, CheckListTrades),
    FIFO_RPC_REQUEST(ListReviewItemsRequest, CheckListReviewItems),
    FIFO_RPC_REQUEST(ResolveReviewItemRequest, CheckResolveReviewItem),
};

#undef FIFO_RPC_REQUEST

constexpr uint8_t kJsonBit = 0x10;
constexpr uint8_t kIgnoreUnknownBit = 0x20;

absl::Status Violation(absl::string_view type, absl::string_view input,
                       absl::string_view what) {
  constexpr size_t kShown = 300;
  return absl::InternalError(absl::StrCat(
      "rpc_request: ", type, ": ", what, ", input \"",
      absl::CEscape(input.substr(0, kShown)),
      input.size() > kShown ? "\"..." : "\""));
}

}  // namespace

absl::Status CheckRpcRequestInput(absl::string_view input) {
  // Proto3 parsing logs invalid UTF-8 at ERROR level; that is noise here.
  google::protobuf::LogSilencer quiet;
  if (input.empty()) return absl::OkStatus();
  const uint8_t mode = static_cast<uint8_t>(input[0]);
  const RequestType& type = kRpcRequestTypes[mode & 0x0F];
  const absl::string_view body = input.substr(1);

  std::unique_ptr<Message> request(type.prototype().New());
  if (mode & kJsonBit) {
    google::protobuf::util::JsonParseOptions options;
    options.ignore_unknown_fields = (mode & kIgnoreUnknownBit) != 0;
    if (!google::protobuf::util::JsonStringToMessage(
             google::protobuf::StringPiece(body.data(), body.size()),
             request.get(), options)
             .ok()) {
      return absl::OkStatus();
    }
  } else if (!request->ParseFromArray(body.data(),
                                      static_cast<int>(body.size()))) {
    return absl::OkStatus();
  }

  Validation first;
  type.check(*request, &first);
  if (!first.violation.empty()) {
    return Violation(type.name, input, first.violation);
  }

  // The same request in its canonical binary form gets the same verdict.
  std::string wire;
  if (!request->SerializeToString(&wire)) {
    return Violation(type.name, input, "a parsed request does not serialize");
  }
  std::unique_ptr<Message> again(type.prototype().New());
  if (!again->ParseFromString(wire)) {
    return Violation(type.name, input,
                     "a serialized request does not parse back");
  }
  Validation second;
  type.check(*again, &second);
  if (!second.violation.empty()) {
    return Violation(type.name, input,
                     absl::StrCat("after re-encoding: ", second.violation));
  }
  if (second.verdict != first.verdict) {
    return Violation(type.name, input,
                     absl::StrCat("verdict depends on the encoding: ",
                                  first.verdict.ToString(), " then ",
                                  second.verdict.ToString()));
  }
  return absl::OkStatus();
}

}  // namespace fifo::fuzz
