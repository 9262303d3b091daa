// Tests of storage/sql_errors.h: the PostgreSQL and SQLite error mappings,
// case by case, and the form of a storage error message.
#include "storage/sql_errors.h"

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "gtest/gtest.h"

namespace fifo {
namespace storage_internal {
namespace {

TEST(PgErrorCodeTest, MapsEachSqlState) {
  struct Case {
    const char* sqlstate;  // nullptr: no result to read one from
    bool connection_ok;
    absl::StatusCode code;
  };
  const std::vector<Case> cases = {
      {"23505", true, absl::StatusCode::kAlreadyExists},
      {"23503", true, absl::StatusCode::kFailedPrecondition},  // foreign key
      {"23514", true, absl::StatusCode::kFailedPrecondition},  // check
      {"P0001", true, absl::StatusCode::kFailedPrecondition},  // RAISE
      {"42P01", true, absl::StatusCode::kFailedPrecondition},  // no table
      {"42883", true, absl::StatusCode::kFailedPrecondition},  // no function
      {"42703", true, absl::StatusCode::kFailedPrecondition},  // no column
      {"08006", true, absl::StatusCode::kUnavailable},
      {"57P01", true, absl::StatusCode::kUnavailable},  // admin shutdown
      {"53300", true, absl::StatusCode::kUnavailable},  // too many clients
      {"55P03", true, absl::StatusCode::kUnavailable},  // lock not available
      {"40001", true, absl::StatusCode::kAborted},
      {"40P01", true, absl::StatusCode::kAborted},
      {"22P02", true, absl::StatusCode::kInvalidArgument},
      {"42601", true, absl::StatusCode::kInternal},  // syntax error
      {"     ", true, absl::StatusCode::kInternal},  // SOCI's blank state
      {nullptr, true, absl::StatusCode::kUnavailable},
      {"23505", false, absl::StatusCode::kUnavailable},
      {"42601", false, absl::StatusCode::kUnavailable},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(PgErrorCode(c.sqlstate, c.connection_ok), c.code)
        << (c.sqlstate != nullptr ? c.sqlstate : "(none)")
        << (c.connection_ok ? "" : ", connection lost");
  }
}

TEST(SqliteErrorCodeTest, MapsResultCodesAndMessages) {
  struct Case {
    int result;
    std::string message;
    absl::StatusCode code;
  };
  const std::vector<Case> cases = {
      {5, "database is locked", absl::StatusCode::kUnavailable},  // BUSY
      {6, "database table is locked", absl::StatusCode::kUnavailable},
      {14, "unable to open database file", absl::StatusCode::kUnavailable},
      {10, "disk I/O error", absl::StatusCode::kUnavailable},
      {13, "database or disk is full", absl::StatusCode::kResourceExhausted},
      {19, "UNIQUE constraint failed: trade_records.order_id",
       absl::StatusCode::kAlreadyExists},
      {1555, "UNIQUE constraint failed: t.id (PRIMARY KEY)",
       absl::StatusCode::kAlreadyExists},  // extended CONSTRAINT_PRIMARYKEY
      {19, "FOREIGN KEY constraint failed",
       absl::StatusCode::kFailedPrecondition},
      {19, "trade facts are immutable", absl::StatusCode::kFailedPrecondition},
      {8, "attempt to write a readonly database",
       absl::StatusCode::kFailedPrecondition},
      {1, "no such table: fifo_allocations",
       absl::StatusCode::kFailedPrecondition},
      {1, "no such column: seq", absl::StatusCode::kFailedPrecondition},
      {1, "near \"SELEC\": syntax error", absl::StatusCode::kInternal},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(SqliteErrorCode(c.result, c.message), c.code)
        << c.result << " " << c.message;
  }
}

TEST(StorageErrorTest, NamesTheContextAndHidesThePassword) {
  absl::Status s =
      StorageError(absl::StatusCode::kUnavailable, "open",
                   "  password s3cret rejected (s3cret)\n", "s3cret");
  EXPECT_EQ(s.code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(s.message(), "storage: open: password *** rejected (***)");
  EXPECT_EQ(StorageError(absl::StatusCode::kInternal, "q", "x", "").message(),
            "storage: q: x");
}

TEST(StorageErrorTest, MasksThePasswordAsAWholeTokenOnly) {
  // A short password inside words is left alone; the password itself is
  // masked wherever it stands (URL, keyword form, quoted, at the ends).
  absl::Status s = StorageError(
      absl::StatusCode::kUnavailable, "open",
      "connection to postgresql://fifo:on@db failed: password=on; 'on' on",
      "on");
  EXPECT_EQ(s.message(),
            "storage: open: connection to postgresql://fifo:***@db failed: "
            "password=***; '***' ***");
}

TEST(StorageErrorTest, CapsLongMessages) {
  const std::string message(kMaxErrorMessage + 10, 'm');
  absl::Status s =
      StorageError(absl::StatusCode::kInternal, "q", message, "");
  EXPECT_EQ(s.message(), "storage: q: " +
                             std::string(kMaxErrorMessage, 'm') + "...");
  const std::string exact(kMaxErrorMessage, 'm');
  EXPECT_EQ(StorageError(absl::StatusCode::kInternal, "q", exact, "").message(),
            "storage: q: " + exact);
}

}  // namespace
}  // namespace storage_internal
}  // namespace fifo
