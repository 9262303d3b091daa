// File: storage/store_url.h
//
// Internal to //storage. The store URL OpenLedgerStore takes, parsed:
// "sqlite:PATH" (also "sqlite://PATH"), "postgresql://..." and
// "postgres://..." (libpq URIs), or "postgresql:" followed by a libpq
// keyword=value string. PostgreSQL connection strings are normalised to the
// keyword='value' form (SOCI 4.0.3 mangles URIs) with the password kept
// apart, so that messages and logs only ever show the redacted URL.
//
// Thread safety: pure functions.
#ifndef FIFO_STORAGE_STORE_URL_H_
#define FIFO_STORAGE_STORE_URL_H_

#include <string>

#include "absl/status/statusor.h"
#include "storage/sql_dialect.h"

namespace fifo {
namespace storage_internal {

// A parsed store URL.
struct StoreUrl {
  Dialect dialect = Dialect::kSqlite;
  std::string sqlite_path;     // kSqlite
  std::string pg_conninfo;     // kPostgresql: libpq keyword='value' string
  std::string password;        // kPostgresql, to scrub from messages
  std::string redacted;        // the URL with the password replaced
};

// Errors: kInvalidArgument (unknown scheme, empty or in-memory SQLite path,
// a path with a double quote, an unparsable PostgreSQL URI).
absl::StatusOr<StoreUrl> ParseStoreUrl(const std::string& url);

// `url` with the password of a postgresql:// URI (user:PASSWORD@ or
// ?password=) replaced by "***", even when libpq cannot parse it.
std::string RedactPostgresUri(const std::string& url);

}  // namespace storage_internal
}  // namespace fifo

#endif  // FIFO_STORAGE_STORE_URL_H_
