// File: storage/sql_ledger_store.h
//
// Internal to //storage: the SOCI implementation of LedgerStore for SQLite
// and PostgreSQL. Use OpenLedgerStore (ledger_store.h) instead.
#ifndef FIFO_STORAGE_SQL_LEDGER_STORE_H_
#define FIFO_STORAGE_SQL_LEDGER_STORE_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "storage/ledger_store.h"

namespace fifo {
namespace storage_internal {

// See OpenLedgerStore.
absl::StatusOr<std::unique_ptr<LedgerStore>> OpenSqlLedgerStore(
    const std::string& url);

}  // namespace storage_internal
}  // namespace fifo

#endif  // FIFO_STORAGE_SQL_LEDGER_STORE_H_
