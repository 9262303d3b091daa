// File: storage/sql_rows.h
//
// Internal to //storage: SqlLedgerStore's row <-> record conversion. The
// column lists a query selects (in each dialect's read form: see
// SqlSession's NumCol, TsCol, ...) and the functions that turn such a Row
// back into a record; the checks a trade passes before it is stored; and
// the opaque page tokens of the paged lists.
//
// Errors: a stored value that does not convert back (NULL where a value is
// required, a malformed decimal, time, integer or enum word) is kInternal,
// "storage: unexpected stored value: ..."; a bad page token is
// kInvalidArgument.
//
// Thread safety: functions of their arguments only, except LoadRun and
// VersionCompleted, which query the session they are given (a SqlSession is
// not thread-safe: the caller serialises its use).
#ifndef FIFO_STORAGE_SQL_ROWS_H_
#define FIFO_STORAGE_SQL_ROWS_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "engine/decimal.h"
#include "engine/trade.h"
#include "storage/records.h"
#include "storage/sql_session.h"

namespace fifo {
namespace storage_internal {

// ------------------------------------------------------- conversions ----

// Now, truncated to the microseconds the stores keep.
absl::Time NowMicros();
// FormatTimestamp(t): the text a time is stored and bound as.
std::string Ts(absl::Time t);
// kInternal "storage: unexpected stored value: <what>".
absl::Status Corrupt(absl::string_view what);

// A column value of a Row as a record field; `field` names the column in
// the kInternal error. Req: the text, which must not be NULL; Dec: a
// decimal (derived values may have more digits than an input may); Time: a
// FormatTimestamp instant; Int: a 64-bit integer.
absl::StatusOr<std::string> Req(const std::optional<std::string>& v,
                                absl::string_view field);
absl::StatusOr<Decimal> Dec(const std::optional<std::string>& v,
                            absl::string_view field);
absl::StatusOr<absl::Time> Time(const std::optional<std::string>& v,
                                absl::string_view field);
absl::StatusOr<int64_t> Int(const std::optional<std::string>& v,
                            absl::string_view field);
// The text, "" for NULL.
std::string Str(const std::optional<std::string>& v);
// nullopt for "", for optional text columns.
std::optional<std::string> NullIfEmpty(const std::string& s);
// `id` in double quotes, C-escaped: for names in error messages.
std::string Quoted(absl::string_view id);

// ------------------------------------------------------------ trades ----

// The trade_records columns RowToTrade reads, in its order.
constexpr int kTradeCols = 11;
std::string TradeCols(const SqlSession& db);
absl::StatusOr<Trade> RowToTrade(const Row& row);

// ValidateTrade plus what the stores can hold (order_time in years
// 0001..9999). kInvalidArgument naming the trade ("trade #<index + 1>").
absl::Status ValidateForStore(const Trade& t, size_t index);

// ------------------------------------------------------------- runs -----

// The fifo_computation_log columns RowToRun reads, in its order.
constexpr int kRunCols = 22;
std::string RunCols(const SqlSession& db);
absl::StatusOr<ComputationRun> RowToRun(const Row& row);

// The log row of run `id` on `db`; kNotFound when there is none.
absl::StatusOr<ComputationRun> LoadRun(SqlSession& db, int64_t id);
// The highest version with a completed run, on `db`; nullopt when none.
absl::StatusOr<std::optional<int64_t>> LatestCompletedVersionOn(SqlSession& db);
// Whether `version` has a completed run, on `db`.
absl::StatusOr<bool> VersionCompleted(SqlSession& db, int64_t version);

// ------------------------------------------------------- allocations ----

// The fifo_allocations columns RowToAllocation reads, in its order: the
// first is the row's seq within its segment (for paging; not kept), the
// second its id (StoredAllocation::seq). RowToAllocation leaves the
// StoredAllocation's version 0: the reader sets the version it reads.
constexpr int kAllocationCols = 20;
std::string AllocationCols(const SqlSession& db);
absl::StatusOr<StoredAllocation> RowToAllocation(const Row& row);

// ------------------------------------------------------------ review ----

// The manual_review_queue columns RowToReview reads, in its order.
constexpr int kReviewCols = 11;
std::string ReviewCols(const SqlSession& db);
absl::StatusOr<ReviewItem> RowToReview(const Row& row);

// ------------------------------------------------------------- pages ----

// An opaque page token of `parts` (web-safe base64 of a JSON array), and
// its inverse, which needs exactly `parts` parts (kInvalidArgument
// otherwise, or for a token that is not one).
std::string EncodeToken(const std::vector<std::string>& parts);
absl::StatusOr<std::vector<std::string>> DecodeToken(const std::string& token,
                                                     size_t parts);

}  // namespace storage_internal
}  // namespace fifo

#endif  // FIFO_STORAGE_SQL_ROWS_H_
