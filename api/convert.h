// File: api/convert.h
//
// Conversions between the fifo.v1 protobuf messages and the domain types of
// engine/, storage/ and core/. The server's handlers use the
// *FromProto functions on requests and the *ToProto functions on replies;
// fifoctl's remote mode does the reverse, so both sides print the same.
//
// Decimals travel as plain-notation strings (Decimal::ToString), times as
// google.protobuf.Timestamp (whole microseconds), versions as int64.
//
// Errors: the *FromProto functions return kInvalidArgument naming the field
// path (e.g. "trade.size: not a decimal number ...").
//
// Thread safety: pure functions.
#ifndef FIFO_API_CONVERT_H_
#define FIFO_API_CONVERT_H_

#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "engine/decimal.h"
#include "engine/trade.h"
#include "fifo/v1/allocation_engine.pb.h"
#include "fifo/v1/allocation_validator.pb.h"
#include "fifo/v1/pnl_reports.pb.h"
#include "fifo/v1/review_queue.pb.h"
#include "fifo/v1/types.pb.h"
#include "google/protobuf/timestamp.pb.h"
#include "core/reports.h"
#include "core/validations.h"
#include "storage/ledger_store.h"

namespace fifo {

// --- scalars ---------------------------------------------------------------

// True when `text` is the wire's decimal grammar (fifo/v1/types.proto):
// an optional "-", digits, optionally "." and more digits. No exponent, no
// "+", no bare "." (".5", "5."), no spaces.
bool IsPlainDecimal(absl::string_view text);

// Parses a decimal string from `field`; an empty string is zero when
// `empty_is_zero`, else an error. kInvalidArgument naming `field` for text
// outside the wire's grammar (IsPlainDecimal) and for more digits or places
// than `limits` allow. Derived values (allocations, reports) may have more
// digits than inputs; trade fields use Decimal::kInputLimits.
absl::StatusOr<Decimal> DecimalFromProto(
    absl::string_view field, const std::string& text,
    bool empty_is_zero = false,
    const Decimal::ParseLimits& limits = Decimal::kDerivedLimits);
google::protobuf::Timestamp TimeToProto(absl::Time t);
// kInvalidArgument for out-of-range seconds or nanos, or a time that is not
// a whole microsecond.
absl::StatusOr<absl::Time> TimeFromProto(absl::string_view field,
                                         const google::protobuf::Timestamp& t);

fifo::v1::TriggeredBy TriggerToProto(RunTrigger trigger);
// TRIGGERED_BY_UNSPECIFIED is `default_trigger`.
RunTrigger TriggerFromProto(fifo::v1::TriggeredBy trigger,
                            RunTrigger default_trigger);

// --- records ---------------------------------------------------------------

fifo::v1::Trade TradeToProto(const Trade& trade);
// Parses and validates (ValidateTrade) a trade; `field` prefixes errors.
absl::StatusOr<Trade> TradeFromProto(absl::string_view field,
                                     const fifo::v1::Trade& trade);

fifo::v1::Allocation AllocationToProto(const StoredAllocation& stored);
absl::StatusOr<StoredAllocation> AllocationFromProto(
    const fifo::v1::Allocation& allocation);

fifo::v1::Computation ComputationToProto(const ComputationRun& run);
absl::StatusOr<ComputationRun> ComputationFromProto(
    const fifo::v1::Computation& computation);

fifo::v1::ReviewItem ReviewItemToProto(const ReviewItem& item);
absl::StatusOr<ReviewItem> ReviewItemFromProto(const fifo::v1::ReviewItem& item);

// --- results -----------------------------------------------------------------

// At most `max_violations` violations are listed (0: all); the count is
// always complete.
fifo::v1::ValidateAllocationsResponse ValidationToProto(
    const VersionValidation& validation, int max_violations);
absl::StatusOr<VersionValidation> ValidationFromProto(
    const fifo::v1::ValidateAllocationsResponse& response);

// At most `max_sells` sells are listed (0: all).
fifo::v1::FindDiscrepanciesResponse ComparisonToProto(
    const VersionComparison& comparison, int max_sells);
absl::StatusOr<VersionComparison> ComparisonFromProto(
    const fifo::v1::FindDiscrepanciesResponse& response);

fifo::v1::PnlReport PnlReportToProto(const PnlReport& report,
                                     PnlGrouping grouping);
absl::StatusOr<PnlReport> PnlReportFromProto(const fifo::v1::PnlReport& report);

PnlGrouping GroupingFromProto(fifo::v1::GroupBy group_by);
fifo::v1::GroupBy GroupingToProto(PnlGrouping grouping);

}  // namespace fifo

#endif  // FIFO_API_CONVERT_H_
