// File: fuzz/rpc_properties.h
//
// The property of the rpc_request fuzz target: the request validation that
// fifo_server's handlers (service/*_service.cc) run before touching storage,
// applied to an arbitrary request of any fifo.v1 RPC.
//
// Input layout: the first byte selects the request type (low 4 bits, in the
// order of kRpcRequestTypes in rpc_properties.cc: RecordTrade, ImportTrades,
// ComputeSymbol, ComputeIncremental, ComputeAllSymbols, GetComputation,
// ListComputations, ValidateAllocations, FindDiscrepancies, GetPnlReport,
// ListUnmatchedSells, GetAllocationHealth, ListAllocations, ListTrades,
// ListReviewItems, ResolveReviewItem) and the encoding of the rest: bit 0x10
// clear is protobuf binary (MessageLite::ParseFromString), set is proto3 JSON
// (util::JsonStringToMessage, as grpcurl sends it), with bit 0x20 setting
// JsonParseOptions::ignore_unknown_fields. Input that does not parse is
// uninteresting and OK. An empty input is OK.
//
// What must hold for a parsed request:
//   * validation (api/convert.h *FromProto, core/reports.h
//     ParsePeriod, and the handlers' own required-field checks) never
//     crashes, and rejects with kInvalidArgument or kOutOfRange whose message
//     starts with the field path ("trade.", "trade:", "since: ", "period ");
//   * an accepted trade passes ValidateTrade and survives TradeToProto ->
//     TradeFromProto unchanged, and that second TradeToProto is identical
//     (the reply is canonical);
//   * an accepted time survives TimeToProto -> TimeFromProto, and
//     TimeToProto gives back the request's own Timestamp;
//   * an accepted period has FROM < TO when it has both ends;
//   * enum conversions (TriggerFromProto, GroupingFromProto) are total for
//     any int32 an open proto3 enum can carry;
//   * the verdict does not depend on the encoding: the message serialized to
//     binary and parsed again is validated to the same status.
//
// Success: OK. A violated property: kInternal "rpc_request: <type>: <what>,
// input \"<escaped input>\"".
//
// Thread safety: a free function without shared state.
#ifndef FIFO_FUZZ_RPC_PROPERTIES_H_
#define FIFO_FUZZ_RPC_PROPERTIES_H_

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace fifo::fuzz {

// See the file comment.
absl::Status CheckRpcRequestInput(absl::string_view input);

}  // namespace fifo::fuzz

#endif  // FIFO_FUZZ_RPC_PROPERTIES_H_
