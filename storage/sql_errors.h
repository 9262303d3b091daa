// File: storage/sql_errors.h
//
// Internal to //storage. The one mapping of database errors to
// absl::StatusCode, and the one form of a storage error message, shared by
// every path that talks to a database: SOCI exceptions (SqlSession), libpq
// results (scripts, COPY) and SQLite's native calls (bulk insert). Codes
// follow absl/status/status.h: the most specific first.
//
// Thread safety: pure functions.
#ifndef FIFO_STORAGE_SQL_ERRORS_H_
#define FIFO_STORAGE_SQL_ERRORS_H_

#include <cstddef>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace fifo {
namespace storage_internal {

// The longest message StorageError keeps (longer ones are cut, "...").
inline constexpr size_t kMaxErrorMessage = 1500;

// A PostgreSQL error's code. `sqlstate`: the error's five-character
// SQLSTATE, nullptr when there is none to read (libpq returned no result:
// the connection's own error). `connection_ok`: whether the session is
// still connected after the error (PQstatus == CONNECTION_OK).
//   connection lost, or no SQLSTATE                        kUnavailable
//   23505 (unique violation)                               kAlreadyExists
//   class 23 (integrity), P0001 (RAISE: the immutability
//     triggers), 42P01 / 42883 / 42703 (missing table,
//     function, column: schema not current)                kFailedPrecondition
//   class 08 (connection), 57P (shutdown), 53
//     (resources), 55P03 (lock not available)              kUnavailable
//   40001, 40P01 (serialization failure, deadlock)         kAborted
//   class 22 (data exception)                              kInvalidArgument
//   anything else                                          kInternal
absl::StatusCode PgErrorCode(const char* sqlstate, bool connection_ok);

// A SQLite error's code, from its result code (extended codes reduced to
// the primary one) and message: busy, locked, cannot open, I/O ->
// kUnavailable; full -> kResourceExhausted; a UNIQUE or PRIMARY KEY
// constraint -> kAlreadyExists; another constraint (or RAISE(ABORT) in a
// trigger), read-only, "no such table/column" -> kFailedPrecondition;
// "database is locked" -> kUnavailable; else kInternal.
absl::StatusCode SqliteErrorCode(int result, absl::string_view message);

// The status `code`, "storage: <context>: <message>", where `message` has
// every occurrence of `password` (when not empty) replaced by "***", the
// white space around it stripped, and is cut at kMaxErrorMessage
// characters (then followed by "...").
absl::Status StorageError(absl::StatusCode code, absl::string_view context,
                          std::string message, absl::string_view password);

}  // namespace storage_internal
}  // namespace fifo

#endif  // FIFO_STORAGE_SQL_ERRORS_H_
