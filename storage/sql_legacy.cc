// SqlLedgerStore's legacy PnL columns (see ledger_store.h, "legacy PnL
// columns"): adopting an old system's trade_records during migrations 0001
// and 0002, the legacy status, the forensic snapshot, the scan of legacy
// values and the final drop.
#include <algorithm>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "common/status_macros.h"
#include "engine/timestamp.h"
#include "storage/bulk_insert.h"
#include "storage/sql_ledger_store.h"
#include "storage/sql_rows.h"

namespace fifo {
namespace storage_internal {
namespace {

std::string QuoteIdent(absl::string_view name) {
  return absl::StrCat("\"", absl::StrReplaceAll(name, {{"\"", "\"\""}}),
                      "\"");
}

}  // namespace

absl::StatusOr<LegacyStatus> SqlLedgerStore::GetLegacyStatus() {
  absl::MutexLock lock(&mu_);
  const std::string ctx = "legacy status";
  LegacyStatus out;
  FIFO_ASSIGN_OR_RETURN(out.columns, LegacyColumnsLocked(ctx));
  FIFO_ASSIGN_OR_RETURN(out.legacy_table,
                        TableExistsLocked(ctx, kLegacyTradeTable));
  FIFO_ASSIGN_OR_RETURN(out.backup_table,
                        TableExistsLocked(ctx, kLegacyBackupTable));
  FIFO_ASSIGN_OR_RETURN(
      std::vector<Row> tables,
      db_->QueryAll(
          ctx,
          db_->sqlite()
              ? "SELECT name FROM sqlite_master WHERE type = 'table' AND "
                "name LIKE 'historical_pnl_snapshot_%' ORDER BY name"
              : "SELECT CAST(table_name AS TEXT) FROM "
                "information_schema.tables WHERE table_schema = "
                "current_schema() AND table_name LIKE "
                "'historical_pnl_snapshot_%' ORDER BY 1",
          {}, 1));
  for (const Row& r : tables) out.snapshot_tables.push_back(Str(r[0]));
  const bool has_pnl = std::find(out.columns.begin(), out.columns.end(),
                                 "pnl_usd") != out.columns.end();
  FIFO_ASSIGN_OR_RETURN(
      std::optional<Row> counts,
      db_->QueryOne(ctx,
                    absl::StrCat("SELECT COUNT(*), ",
                                 has_pnl ? "COUNT(pnl_usd)" : "0",
                                 " FROM trade_records WHERE side = 'sell'"),
                    {}, 2));
  FIFO_ASSIGN_OR_RETURN(out.sells, Int((*counts)[0], "COUNT(*)"));
  FIFO_ASSIGN_OR_RETURN(out.sells_with_pnl, Int((*counts)[1], "COUNT(pnl_usd)"));
  return out;
}

absl::StatusOr<LegacySnapshotResult> SqlLedgerStore::CreateLegacySnapshot(
    absl::CivilDay day) {
  if (day.year() < 1 || day.year() > 9999) {
    return absl::InvalidArgumentError(
        absl::StrCat("snapshot date must be in years 0001..9999, got ",
                     absl::FormatCivilTime(day)));
  }
  LegacySnapshotResult result;
  result.table = absl::StrFormat("historical_pnl_snapshot_%04d%02d%02d",
                                 day.year(), day.month(), day.day());
  result.snapshot_time = NowMicros();
  absl::MutexLock lock(&mu_);
  const std::string ctx = "legacy snapshot";
  FIFO_RETURN_IF_ERROR(BeginLocked(ctx, kMigrationLockClass, 0));
  absl::Status s = [&]() -> absl::Status {
    FIFO_RETURN_IF_ERROR(RequireLegacyColumnsLocked(
        ctx, {"parent_id", "pnl_usd", "cost_basis_usd"}));
    FIFO_ASSIGN_OR_RETURN(bool exists, TableExistsLocked(ctx, result.table));
    if (exists) {
      return absl::AlreadyExistsError(absl::StrCat(
          "table ", result.table,
          " already exists: a snapshot is never replaced (drop the table "
          "yourself to take another one the same day)"));
    }
    const bool lite = db_->sqlite();
    FIFO_RETURN_IF_ERROR(
        db_->Exec(ctx,
                  absl::StrCat(
                      "CREATE TABLE ", result.table, " (order_id TEXT ",
                      lite ? "" : "COLLATE \"C\" ",
                      "NOT NULL PRIMARY KEY, old_parent_id TEXT, "
                      "old_pnl_usd ",
                      lite ? "TEXT" : "NUMERIC", ", old_cost_basis ",
                      lite ? "TEXT" : "NUMERIC",
                      ", note TEXT NOT NULL, snapshot_time ",
                      lite ? "TEXT" : "TIMESTAMPTZ", " NOT NULL)"))
            .status());
    if (!lite) {
      FIFO_RETURN_IF_ERROR(
          db_->Exec(ctx, absl::StrCat(
                             "COMMENT ON TABLE ", result.table,
                             " IS 'The old system''s (corrupted) PnL of "
                             "every sell before the FIFO allocations "
                             "replaced it (design: Historical Corrupted "
                             "Data). Forensic reference; never updated.'"))
              .status());
    }
    FIFO_ASSIGN_OR_RETURN(
        result.rows,
        db_->Exec(ctx,
                  absl::StrCat("INSERT INTO ", result.table,
                               " (order_id, old_parent_id, old_pnl_usd, "
                               "old_cost_basis, note, snapshot_time) SELECT "
                               "order_id, parent_id, pnl_usd, "
                               "cost_basis_usd, 'corrupted_historical', ",
                               db_->TsParam(":t"),
                               " FROM trade_records WHERE side = 'sell'"),
                  {Param::Text(Ts(result.snapshot_time))}));
    return db_->Commit(ctx);
  }();
  if (!s.ok()) {
    db_->Rollback();
    return s;
  }
  return result;
}

absl::Status SqlLedgerStore::ScanLegacySells(
    const std::optional<std::string>& symbol, const LegacySellSink& sink,
    int page_size) {
  if (page_size < 1) {
    return absl::InvalidArgumentError("page_size must be positive");
  }
  const std::string ctx = "scan legacy sells";
  {
    absl::MutexLock lock(&mu_);
    FIFO_RETURN_IF_ERROR(RequireLegacyColumnsLocked(ctx, LegacyColumnNames()));
  }
  std::optional<std::pair<std::string, std::string>> cursor;
  while (true) {
    std::vector<LegacySell> page;
    {
      absl::MutexLock lock(&mu_);
      std::vector<Param> params;
      std::string sql = absl::StrCat(
          "SELECT order_id, symbol, ", db_->TsCol("order_time"),
          ", parent_id, parent_ids, ", db_->NumCol("pnl_usd"), ", ",
          db_->NumCol("cost_basis_usd"), ", ",
          db_->NumCol("sale_proceeds_usd"), ", ",
          db_->NumCol("net_sale_proceeds_usd"), ", ",
          db_->NumCol("realized_profit"),
          " FROM trade_records WHERE side = 'sell'");
      if (symbol.has_value()) {
        sql += " AND symbol = :s";
        params.push_back(Param::Text(*symbol));
      }
      if (cursor.has_value()) {
        sql += " AND (symbol, order_id) > (:ks, :ko)";
        params.push_back(Param::Text(cursor->first));
        params.push_back(Param::Text(cursor->second));
      }
      sql += " ORDER BY symbol, order_id LIMIT :n";
      params.push_back(Param::Int(page_size));
      FIFO_RETURN_IF_ERROR(db_->Query(
          ctx, sql, params, 10, [&](const Row& row) -> absl::Status {
            LegacySell s;
            FIFO_ASSIGN_OR_RETURN(s.order_id, Req(row[0], "order_id"));
            FIFO_ASSIGN_OR_RETURN(s.symbol, Req(row[1], "symbol"));
            FIFO_ASSIGN_OR_RETURN(s.order_time, Time(row[2], "order_time"));
            s.parent_id = row[3];
            s.parent_ids = row[4];
            std::optional<Decimal>* const decimals[] = {
                &s.pnl_usd, &s.cost_basis_usd, &s.sale_proceeds_usd,
                &s.net_sale_proceeds_usd, &s.realized_profit};
            const char* const names[] = {
                "pnl_usd", "cost_basis_usd", "sale_proceeds_usd",
                "net_sale_proceeds_usd", "realized_profit"};
            for (int i = 0; i < 5; ++i) {
              if (!row[5 + i].has_value()) continue;
              FIFO_ASSIGN_OR_RETURN(*decimals[i], Dec(row[5 + i], names[i]));
            }
            page.push_back(std::move(s));
            return absl::OkStatus();
          }));
    }
    if (page.empty()) return absl::OkStatus();
    cursor = std::make_pair(page.back().symbol, page.back().order_id);
    const bool last = page.size() < static_cast<size_t>(page_size);
    FIFO_RETURN_IF_ERROR(sink(page));
    if (last) return absl::OkStatus();
  }
}

absl::StatusOr<LegacyDropResult> SqlLedgerStore::DropLegacyColumns() {
  absl::MutexLock lock(&mu_);
  const std::string ctx = "drop legacy columns";
  LegacyDropResult result;
  result.backup_table = kLegacyBackupTable;
  FIFO_RETURN_IF_ERROR(BeginLocked(ctx, kMigrationLockClass, 0));
  absl::Status s = [&]() -> absl::Status {
    FIFO_ASSIGN_OR_RETURN(std::vector<std::string> present,
                          LegacyColumnsLocked(ctx));
    if (present.empty()) {
      return absl::FailedPreconditionError(
          "trade_records has no legacy PnL column left: they were already "
          "dropped");
    }
    const bool lite = db_->sqlite();
    FIFO_ASSIGN_OR_RETURN(bool exists,
                          TableExistsLocked(ctx, kLegacyBackupTable));
    const std::vector<std::string> backed = {
        "order_id", "parent_id", "parent_ids", "pnl_usd", "cost_basis_usd"};
    if (exists) {
      FIFO_ASSIGN_OR_RETURN(std::vector<ColumnInfo> cols,
                            TableColumnsLocked(ctx, kLegacyBackupTable));
      for (const std::string& name : backed) {
        bool found = false;
        for (const ColumnInfo& c : cols) found |= c.lower_name == name;
        if (!found) {
          return absl::FailedPreconditionError(absl::StrCat(
              "the existing table ", kLegacyBackupTable, " has no column ",
              name, "; rename it and run drop-columns again"));
        }
      }
    } else {
      FIFO_RETURN_IF_ERROR(
          db_->Exec(ctx,
                    absl::StrCat("CREATE TABLE ", kLegacyBackupTable,
                                 " (order_id TEXT ",
                                 lite ? "" : "COLLATE \"C\" ",
                                 "NOT NULL PRIMARY KEY, parent_id TEXT, "
                                 "parent_ids TEXT, pnl_usd ",
                                 lite ? "TEXT" : "NUMERIC",
                                 ", cost_basis_usd ",
                                 lite ? "TEXT" : "NUMERIC", ")"))
              .status());
    }
    std::vector<std::string> selected;
    for (const std::string& name : backed) {
      const bool has =
          name == "order_id" ||
          std::find(present.begin(), present.end(), name) != present.end();
      selected.push_back(has ? absl::StrCat("t.", name) : "NULL");
    }
    FIFO_ASSIGN_OR_RETURN(
        result.backed_up_rows,
        db_->Exec(ctx, absl::StrCat(
                           "INSERT INTO ", kLegacyBackupTable, " (",
                           absl::StrJoin(backed, ", "), ") SELECT ",
                           absl::StrJoin(selected, ", "),
                           " FROM trade_records t WHERE t.side = 'sell' AND "
                           "NOT EXISTS (SELECT 1 FROM ",
                           kLegacyBackupTable, " b WHERE b.order_id = ",
                           lite ? "t.order_id" : "t.order_id COLLATE \"C\"",
                           ")")));
    FIFO_RETURN_IF_ERROR(
        db_->Exec(ctx, lite ? "DROP TRIGGER IF EXISTS "
                              "trade_records_legacy_immutable"
                            : "DROP TRIGGER IF EXISTS "
                              "trade_records_legacy_immutable ON "
                              "trade_records")
            .status());
    if (!lite) {
      FIFO_RETURN_IF_ERROR(
          db_->Exec(ctx,
                    "DROP FUNCTION IF EXISTS trade_records_guard_legacy()")
              .status());
      std::vector<std::string> drops;
      for (const std::string& c : present) {
        drops.push_back(absl::StrCat("DROP COLUMN ", c));
      }
      FIFO_RETURN_IF_ERROR(
          db_->Exec(ctx, absl::StrCat("ALTER TABLE trade_records ",
                                      absl::StrJoin(drops, ", ")))
              .status());
    } else {
      for (const std::string& c : present) {
        FIFO_RETURN_IF_ERROR(
            db_->Exec(ctx, absl::StrCat("ALTER TABLE trade_records DROP "
                                        "COLUMN ",
                                        c))
                .status());
      }
    }
    result.dropped = present;
    return db_->Commit(ctx);
  }();
  if (!s.ok()) {
    db_->Rollback();
    return s;
  }
  return result;
}

absl::StatusOr<std::vector<std::string>> SqlLedgerStore::LegacyColumnsLocked(
    absl::string_view ctx) {
  FIFO_ASSIGN_OR_RETURN(std::vector<ColumnInfo> cols,
                        TableColumnsLocked(ctx, "trade_records"));
  std::vector<std::string> out;
  for (const std::string& name : LegacyColumnNames()) {
    for (const ColumnInfo& c : cols) {
      if (c.lower_name == name) {
        out.push_back(name);
        break;
      }
    }
  }
  return out;
}

absl::Status SqlLedgerStore::RequireLegacyColumnsLocked(
    absl::string_view ctx, const std::vector<std::string>& needed) {
  FIFO_ASSIGN_OR_RETURN(std::vector<std::string> present,
                        LegacyColumnsLocked(ctx));
  std::vector<std::string> missing;
  for (const std::string& n : needed) {
    if (std::find(present.begin(), present.end(), n) == present.end()) {
      missing.push_back(n);
    }
  }
  if (missing.empty()) return absl::OkStatus();
  return absl::FailedPreconditionError(absl::StrCat(
      "trade_records has no legacy column ", absl::StrJoin(missing, ", "),
      ": the legacy PnL columns were dropped (fifoctl legacy drop-columns; "
      "their backup is in ",
      kLegacyBackupTable, ")"));
}

absl::Status SqlLedgerStore::StageLegacyTableLocked() {
  const std::string ctx = "stage legacy trade_records";
  FIFO_ASSIGN_OR_RETURN(bool legacy, TableExistsLocked(ctx, "trade_records"));
  if (!legacy) return absl::OkStatus();
  FIFO_ASSIGN_OR_RETURN(std::vector<ColumnInfo> cols,
                        TableColumnsLocked(ctx, "trade_records"));
  std::vector<std::string> missing;
  for (const char* required :
       {"order_id", "symbol", "side", "size", "price", "order_time"}) {
    bool found = false;
    for (const ColumnInfo& c : cols) found |= c.lower_name == required;
    if (!found) missing.push_back(required);
  }
  if (!missing.empty()) {
    return absl::FailedPreconditionError(absl::StrCat(
        "the database has a table trade_records that this schema did not "
        "create and that lacks column(s) ",
        absl::StrJoin(missing, ", "),
        ": it cannot be adopted as a legacy ledger; nothing was changed"));
  }
  FIFO_ASSIGN_OR_RETURN(bool taken, TableExistsLocked(ctx, kLegacyTradeTable));
  if (taken) {
    return absl::FailedPreconditionError(absl::StrCat(
        "cannot adopt the legacy table trade_records: a table ",
        kLegacyTradeTable, " already exists; nothing was changed"));
  }
  if (db_->sqlite()) {
    // Index and trigger names are database-wide in SQLite and 0001 may
    // need them; the renamed table is only read once more.
    FIFO_ASSIGN_OR_RETURN(
        std::vector<Row> objects,
        db_->QueryAll(ctx,
                      "SELECT type, name FROM sqlite_master WHERE "
                      "lower(tbl_name) = 'trade_records' AND type IN "
                      "('index', 'trigger') AND sql IS NOT NULL",
                      {}, 2));
    for (const Row& o : objects) {
      FIFO_RETURN_IF_ERROR(
          db_->Exec(ctx, absl::StrCat("DROP ", Str(o[0]) == "index"
                                                   ? "INDEX "
                                                   : "TRIGGER ",
                                      QuoteIdent(Str(o[1]))))
              .status());
    }
  }
  FIFO_RETURN_IF_ERROR(
      db_->Exec(ctx, absl::StrCat("ALTER TABLE trade_records RENAME TO ",
                                  kLegacyTradeTable))
          .status());
  if (!db_->sqlite()) {
    // Index (and key constraint) names are schema-wide in PostgreSQL.
    FIFO_ASSIGN_OR_RETURN(
        std::vector<Row> indexes,
        db_->QueryAll(ctx,
                      "SELECT CAST(indexname AS TEXT) FROM pg_indexes "
                      "WHERE schemaname = current_schema() AND tablename = "
                      ":t ORDER BY 1",
                      {Param::Text(kLegacyTradeTable)}, 1));
    for (const Row& i : indexes) {
      const std::string name = Str(i[0]);
      std::string renamed = absl::StrCat("legacy_", name);
      if (renamed.size() > 63) renamed.resize(63);
      FIFO_RETURN_IF_ERROR(
          db_->Exec(ctx, absl::StrCat("ALTER INDEX ", QuoteIdent(name),
                                      " RENAME TO ", QuoteIdent(renamed)))
              .status());
    }
  }
  return absl::OkStatus();
}

absl::Status SqlLedgerStore::AdoptLegacyTradesLocked() {
  const std::string ctx = "adopt legacy trade_records";
  FIFO_ASSIGN_OR_RETURN(std::vector<ColumnInfo> cols,
                        TableColumnsLocked(ctx, kLegacyTradeTable));
  enum Kind { kText, kDecimal, kTime };
  struct Spec {
    const char* name;
    Kind kind;
  };
  // The design's trade_records columns, then the legacy ones.
  static constexpr Spec kSpecs[] = {
      {"order_id", kText},
      {"symbol", kText},
      {"side", kText},
      {"size", kDecimal},
      {"price", kDecimal},
      {"order_time", kTime},
      {"total_fees_usd", kDecimal},
      {"status", kText},
      {"order_type", kText},
      {"trigger", kText},
      {"source", kText},
      {"ingest_via", kText},
      {"last_reconciled_at", kTime},
      {"last_reconciled_via", kText},
      {"remaining_size", kDecimal},
      {"created_at", kTime},
      {"updated_at", kTime},
      {"parent_id", kText},
      {"parent_ids", kText},
      {"pnl_usd", kDecimal},
      {"cost_basis_usd", kDecimal},
      {"sale_proceeds_usd", kDecimal},
      {"net_sale_proceeds_usd", kDecimal},
      {"realized_profit", kDecimal},
  };
  constexpr int kSpecCount = sizeof(kSpecs) / sizeof(kSpecs[0]);
  enum {
    kOrderId, kSymbol, kSide, kSize, kPrice, kOrderTime, kFees, kStatus,
    kOrderType, kTrigger, kSource, kIngestVia, kReconciledAt,
    kReconciledVia, kRemaining, kCreatedAt, kUpdatedAt
  };
  std::vector<std::string> select;
  for (const Spec& spec : kSpecs) {
    const ColumnInfo* col = nullptr;
    for (const ColumnInfo& c : cols) {
      if (c.lower_name == spec.name) col = &c;
    }
    if (col == nullptr) {
      select.push_back("NULL");
      continue;
    }
    const std::string q = QuoteIdent(col->name);
    if (spec.kind == kTime && !db_->sqlite() &&
        col->type == "timestamp with time zone") {
      select.push_back(absl::StrCat("fifo_ts_text(", q, ")"));
    } else if (spec.kind == kTime && !db_->sqlite() &&
               col->type == "timestamp without time zone") {
      select.push_back(absl::StrCat("fifo_ts_text(", q, " AT TIME ZONE 'UTC')"));
    } else {
      select.push_back(absl::StrCat("CAST(", q, " AS TEXT)"));
    }
  }
  FIFO_ASSIGN_OR_RETURN(
      std::vector<Row> rows,
      db_->QueryAll(ctx,
                    absl::StrCat("SELECT ", absl::StrJoin(select, ", "),
                                 " FROM ", kLegacyTradeTable),
                    {}, kSpecCount));

  const std::string now = Ts(NowMicros());
  struct Adopted {
    TradeKey key;
    std::vector<std::optional<std::string>> values;  // per kSpecs
  };
  std::vector<Adopted> adopted;
  adopted.reserve(rows.size());
  for (size_t index = 0; index < rows.size(); ++index) {
    const Row& row = rows[index];
    const std::string id = Str(row[kOrderId]);
    auto bad = [&](absl::string_view column, absl::string_view why) {
      return absl::FailedPreconditionError(absl::StrCat(
          "cannot adopt the legacy trade_records (now ", kLegacyTradeTable,
          "): order ", Quoted(id), ": ", column, " ", why,
          "; fix the row there and run migrate again"));
    };
    Adopted a;
    a.values.resize(kSpecCount);
    for (int i = 0; i < kSpecCount; ++i) {
      const std::optional<std::string>& v = row[i];
      if (!v.has_value()) continue;
      if (kSpecs[i].kind == kDecimal) {
        absl::StatusOr<Decimal> d = Decimal::ParseWithLimits(*v, Decimal::kDerivedLimits);
        if (!d.ok()) {
          return bad(kSpecs[i].name, absl::StrCat(Quoted(*v), " is not a decimal (",
                                                  d.status().message(), ")"));
        }
        a.values[i] = d->ToString();
      } else if (kSpecs[i].kind == kTime) {
        absl::StatusOr<absl::Time> t = ParseTimestamp(*v);
        if (!t.ok()) t = ParseTimestamp(absl::StrCat(*v, "Z"));  // naive = UTC
        if (!t.ok()) {
          return bad(kSpecs[i].name,
                     absl::StrCat(Quoted(*v), " is not a timestamp"));
        }
        a.values[i] = Ts(*t);
      } else {
        a.values[i] = *v;
      }
    }
    Trade t;
    t.order_id = id;
    t.symbol = Str(a.values[kSymbol]);
    absl::StatusOr<Side> side = ParseSide(Str(a.values[kSide]));
    if (!side.ok()) {
      return bad("side", absl::StrCat(Quoted(Str(a.values[kSide])),
                                      " is neither buy nor sell"));
    }
    t.side = *side;
    a.values[kSide] = std::string(SideName(*side));
    if (!a.values[kSize].has_value() || !a.values[kPrice].has_value() ||
        !a.values[kOrderTime].has_value()) {
      return bad("size, price or order_time", "is NULL");
    }
    if (!a.values[kFees].has_value()) a.values[kFees] = "0";
    if (!a.values[kSource].has_value() || a.values[kSource]->empty()) {
      a.values[kSource] = "legacy";
    }
    if (!a.values[kCreatedAt].has_value()) a.values[kCreatedAt] = now;
    if (!a.values[kUpdatedAt].has_value()) a.values[kUpdatedAt] = now;
    t.size = *Decimal::ParseWithLimits(*a.values[kSize], Decimal::kDerivedLimits);
    t.price = *Decimal::ParseWithLimits(*a.values[kPrice], Decimal::kDerivedLimits);
    t.total_fees_usd = *Decimal::ParseWithLimits(*a.values[kFees], Decimal::kDerivedLimits);
    t.order_time = *ParseTimestamp(*a.values[kOrderTime]);
    t.source = *a.values[kSource];
    absl::Status valid = ValidateForStore(t, index);
    if (!valid.ok()) {
      return absl::FailedPreconditionError(absl::StrCat(
          "cannot adopt the legacy trade_records (now ", kLegacyTradeTable,
          "): ", valid.message(), "; fix the row there and run migrate again"));
    }
    a.key = KeyOf(t);
    adopted.push_back(std::move(a));
  }
  // Engine order, so that no legacy trade looks like a backfill of another.
  std::sort(adopted.begin(), adopted.end(),
            [](const Adopted& x, const Adopted& y) { return x.key < y.key; });
  FIFO_ASSIGN_OR_RETURN(int64_t next_seq, MaxIngestSeqLocked(ctx));
  BulkTable target{"trade_records", {}};
  for (const Spec& spec : kSpecs) {
    const std::string name = spec.name;
    target.columns.push_back(name == "trigger" ? "\"trigger\"" : name);
  }
  target.columns.push_back("ingest_seq");
  BulkRows cells;
  for (const Adopted& a : adopted) {
    for (int i = 0; i < kSpecCount; ++i) cells.OptText(a.values[i]);
    cells.Int(++next_seq);
  }
  return db_->InsertRows(ctx, target, cells);
}

}  // namespace storage_internal
}  // namespace fifo
