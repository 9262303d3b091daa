// File: core/open_store.h
//
// Opening a store for use: the one rule, shared by fifoctl's local mode and
// fifo_server, for what to do with a store whose schema is not current.
//
// Thread safety: stateless functions; safe to call concurrently. Two
// processes that migrate the same empty SQLite file at once are serialised
// by SQLite's lock (the second finds the schema current).
#ifndef FIFO_CORE_OPEN_STORE_H_
#define FIFO_CORE_OPEN_STORE_H_

#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "storage/ledger_store.h"

namespace fifo {

// Makes `store` ready for use. When LedgerStore::CheckSchema() is OK,
// nothing happens. Otherwise the store is migrated (LedgerStore::Migrate)
// exactly when it is a SQLite store (dialect() "sqlite") at schema version
// 0, i.e. an empty file: the embedded default needs no set-up. Every other
// case returns CheckSchema()'s error unchanged (kFailedPrecondition saying
// to run `fifoctl migrate`, or that the database is newer than this
// binary): a PostgreSQL database, and a SQLite file at an older or newer
// version, are migrated only by an explicit `fifoctl migrate`. Errors also:
// SchemaVersion()'s and Migrate()'s.
absl::Status PrepareStoreForUse(LedgerStore& store);

// OpenLedgerStore(url), then PrepareStoreForUse. Errors: OpenLedgerStore's
// (kInvalidArgument for a bad URL, kUnavailable when the store cannot be
// reached), then PrepareStoreForUse's. Not for `fifoctl migrate` itself,
// which opens the store with OpenLedgerStore and migrates whatever version
// it finds.
absl::StatusOr<std::unique_ptr<LedgerStore>> OpenStoreForUse(
    const std::string& url);

}  // namespace fifo

#endif  // FIFO_CORE_OPEN_STORE_H_
