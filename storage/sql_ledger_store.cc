// SqlLedgerStore's construction and the transaction helper its schema and
// legacy steps share; the rest of the class lives in files with one job
// each (see sql_ledger_store.h).
#include "storage/sql_ledger_store.h"

#include <utility>

#include "common/status_macros.h"

namespace fifo {
namespace storage_internal {

SqlLedgerStore::SqlLedgerStore(StoreUrl url, std::unique_ptr<SqlSession> db)
    : url_(std::move(url)), db_(std::move(db)) {}

absl::string_view SqlLedgerStore::dialect() const {
  return url_.dialect == Dialect::kSqlite ? "sqlite" : "postgresql";
}

absl::Status SqlLedgerStore::BeginLocked(absl::string_view ctx, int cls,
                                         int64_t key) {
  FIFO_RETURN_IF_ERROR(db_->BeginWrite(ctx));
  if (db_->sqlite()) return absl::OkStatus();
  absl::Status s =
      db_->QueryOne(ctx,
                    "SELECT CAST(pg_advisory_xact_lock(CAST(:c AS INTEGER), "
                    "CAST(:k AS INTEGER)) AS TEXT)",
                    {Param::Int(cls), Param::Int(key)}, 1)
          .status();
  if (!s.ok()) db_->Rollback();
  return s;
}

absl::StatusOr<std::unique_ptr<LedgerStore>> OpenSqlLedgerStore(
    const std::string& url) {
  FIFO_ASSIGN_OR_RETURN(StoreUrl parsed, ParseStoreUrl(url));
  FIFO_ASSIGN_OR_RETURN(std::unique_ptr<SqlSession> db,
                        SqlSession::Open(parsed));
  return std::unique_ptr<LedgerStore>(
      new SqlLedgerStore(std::move(parsed), std::move(db)));
}

}  // namespace storage_internal
}  // namespace fifo
