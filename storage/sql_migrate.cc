// SqlLedgerStore's schema: migrations and schema lookups (see
// sql_ledger_store.h). The legacy adoption steps that run inside
// migrations 0001 and 0002 are in sql_legacy.cc.
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "common/status_macros.h"
#include "migrations/migrations.h"
#include "storage/sql_ledger_store.h"
#include "storage/sql_rows.h"

namespace fifo {
namespace storage_internal {
namespace {

absl::Status NewerSchema(int current, int latest) {
  return absl::FailedPreconditionError(absl::StrCat(
      "the database schema is at version ", current,
      ", newer than this binary knows (", latest,
      "): use a newer fifoctl"));
}

}  // namespace

absl::StatusOr<std::vector<AppliedMigration>> SqlLedgerStore::Migrate() {
  const std::vector<Migration>& migrations = Migrations();
  return MigrateTo(migrations.empty() ? 0 : migrations.back().version);
}

absl::StatusOr<std::vector<AppliedMigration>> SqlLedgerStore::MigrateTo(
    int version) {
  absl::MutexLock lock(&mu_);
  const std::vector<Migration>& migrations = Migrations();
  const int latest = migrations.empty() ? 0 : migrations.back().version;
  if (version < 1 || version > latest) {
    return absl::InvalidArgumentError(absl::StrCat(
        "no migration ", version, ": this binary has 1..", latest));
  }
  FIFO_RETURN_IF_ERROR(BeginLocked("migrate", kMigrationLockClass, 0));
  absl::Status created = db_->Exec("migrate",
                                   absl::StrCat(
                                       "CREATE TABLE IF NOT EXISTS "
                                       "schema_migrations (version INTEGER "
                                       "PRIMARY KEY, name TEXT NOT NULL, "
                                       "applied_at ",
                                       db_->sqlite() ? "TEXT" : "TIMESTAMPTZ",
                                       " NOT NULL)"))
                             .status();
  if (created.ok()) created = db_->Commit("migrate");
  if (!created.ok()) {
    db_->Rollback();
    return created;
  }
  std::vector<AppliedMigration> applied;
  for (const Migration& m : migrations) {
    if (m.version > version) break;
    FIFO_RETURN_IF_ERROR(BeginLocked("migrate", kMigrationLockClass, 0));
    absl::StatusOr<int> current = SchemaVersionLocked();
    if (!current.ok()) {
      db_->Rollback();
      return current.status();
    }
    if (*current > latest) {
      db_->Rollback();
      return NewerSchema(*current, latest);
    }
    absl::StatusOr<std::optional<Row>> done =
        db_->QueryOne("migrate",
                      "SELECT version FROM schema_migrations WHERE "
                      "version = :v",
                      {Param::Int(m.version)}, 1);
    if (!done.ok() || done->has_value()) {
      db_->Rollback();
      if (!done.ok()) return done.status();
      continue;
    }
    const absl::Time now = NowMicros();
    // C++ steps around the scripts (same transaction): adopting an old
    // system's trade_records table (see ledger_store.h, legacy columns).
    absl::Status s = BeforeMigrationLocked(m.version);
    if (s.ok()) {
      s = db_->ExecScript(absl::StrCat("migration ", m.name), m.sql);
    }
    if (s.ok()) s = AfterMigrationLocked(m.version);
    if (s.ok()) {
      s = db_->Exec("migrate",
                    absl::StrCat("INSERT INTO schema_migrations (version, "
                                 "name, applied_at) VALUES (:v, :n, ",
                                 db_->TsParam(":a"), ")"),
                    {Param::Int(m.version), Param::Text(m.name),
                     Param::Text(Ts(now))})
              .status();
    }
    if (s.ok()) s = db_->Commit("migrate");
    if (!s.ok()) {
      db_->Rollback();
      return s;
    }
    applied.push_back(AppliedMigration{m.version, m.name, now});
  }
  return applied;
}

absl::StatusOr<int> SqlLedgerStore::SchemaVersion() {
  absl::MutexLock lock(&mu_);
  return SchemaVersionLocked();
}

absl::Status SqlLedgerStore::CheckSchema() {
  FIFO_ASSIGN_OR_RETURN(int current, SchemaVersion());
  const std::vector<Migration>& migrations = Migrations();
  const int latest = migrations.empty() ? 0 : migrations.back().version;
  if (current > latest) return NewerSchema(current, latest);
  if (current < latest) {
    return absl::FailedPreconditionError(absl::StrCat(
        "the database schema is at version ", current, ", this binary needs ",
        latest, ": run `fifoctl migrate` first"));
  }
  return absl::OkStatus();
}

const std::vector<Migration>& SqlLedgerStore::Migrations() const {
  return url_.dialect == Dialect::kSqlite ? SqliteMigrations()
                                          : PostgresqlMigrations();
}

absl::StatusOr<int> SqlLedgerStore::SchemaVersionLocked() {
  const std::string exists_sql =
      db_->sqlite()
          ? "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND "
            "name = 'schema_migrations'"
          : "SELECT CASE WHEN to_regclass('schema_migrations') IS NULL "
            "THEN 0 ELSE 1 END";
  FIFO_ASSIGN_OR_RETURN(std::optional<Row> exists,
                        db_->QueryOne("schema version", exists_sql, {}, 1));
  if (Str((*exists)[0]) == "0") return 0;
  FIFO_ASSIGN_OR_RETURN(
      std::optional<Row> row,
      db_->QueryOne("schema version",
                    "SELECT COALESCE(MAX(version), 0) FROM schema_migrations",
                    {}, 1));
  FIFO_ASSIGN_OR_RETURN(int64_t v, Int((*row)[0], "schema version"));
  return static_cast<int>(v);
}

absl::StatusOr<bool> SqlLedgerStore::TableExistsLocked(
    absl::string_view ctx, const std::string& table) {
  FIFO_ASSIGN_OR_RETURN(
      std::optional<Row> row,
      db_->QueryOne(ctx,
                    db_->sqlite()
                        ? "SELECT COUNT(*) FROM sqlite_master WHERE type = "
                          "'table' AND name = :t"
                        : "SELECT CASE WHEN to_regclass(CAST(:t AS TEXT)) "
                          "IS NULL THEN 0 ELSE 1 END",
                    {Param::Text(table)}, 1));
  return Str((*row)[0]) != "0";
}

absl::StatusOr<std::vector<SqlLedgerStore::ColumnInfo>>
SqlLedgerStore::TableColumnsLocked(
    absl::string_view ctx, const std::string& table) {
  FIFO_ASSIGN_OR_RETURN(
      std::vector<Row> rows,
      db_->QueryAll(ctx,
                    db_->sqlite()
                        ? "SELECT name, type FROM pragma_table_info(:t) "
                          "ORDER BY cid"
                        : "SELECT CAST(column_name AS TEXT), "
                          "CAST(data_type AS TEXT) FROM "
                          "information_schema.columns WHERE table_schema = "
                          "current_schema() AND table_name = :t ORDER BY "
                          "ordinal_position",
                    {Param::Text(table)}, 2));
  std::vector<ColumnInfo> out;
  for (const Row& r : rows) {
    ColumnInfo c;
    c.name = Str(r[0]);
    c.lower_name = absl::AsciiStrToLower(c.name);
    c.type = absl::AsciiStrToLower(Str(r[1]));
    out.push_back(std::move(c));
  }
  return out;
}

absl::Status SqlLedgerStore::BeforeMigrationLocked(int version) {
  if (version == 1) return StageLegacyTableLocked();
  return absl::OkStatus();
}

absl::Status SqlLedgerStore::AfterMigrationLocked(int version) {
  if (version == 3) return DigestMigratedSegmentsLocked();
  if (version != 2) return absl::OkStatus();
  FIFO_ASSIGN_OR_RETURN(bool staged,
                        TableExistsLocked("migrate", kLegacyTradeTable));
  if (!staged) return absl::OkStatus();
  return AdoptLegacyTradesLocked();
}

}  // namespace storage_internal
}  // namespace fifo
