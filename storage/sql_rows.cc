// Row <-> record conversion for SqlLedgerStore (see sql_rows.h).
#include "storage/sql_rows.h"

#include <utility>

#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/status_macros.h"
#include "engine/timestamp.h"

namespace fifo {
namespace storage_internal {

// ------------------------------------------------------- conversions ----

absl::Time NowMicros() {
  return absl::FromUnixMicros(absl::ToUnixMicros(absl::Now()));
}

std::string Ts(absl::Time t) { return FormatTimestamp(t); }

absl::Status Corrupt(absl::string_view what) {
  return absl::InternalError(absl::StrCat("storage: unexpected stored value: ",
                                          what));
}

absl::StatusOr<std::string> Req(const std::optional<std::string>& v,
                                absl::string_view field) {
  if (!v.has_value()) return Corrupt(absl::StrCat(field, " is NULL"));
  return *v;
}

absl::StatusOr<Decimal> Dec(const std::optional<std::string>& v,
                            absl::string_view field) {
  FIFO_ASSIGN_OR_RETURN(std::string text, Req(v, field));
  // Stored values include derived ones (cost basis = price * size), which
  // may have more digits than an input may.
  absl::StatusOr<Decimal> d =
      Decimal::ParseWithLimits(text, Decimal::kDerivedLimits);
  if (!d.ok()) {
    return Corrupt(absl::StrCat(field, " \"", text, "\": ", d.status().message()));
  }
  return *d;
}

absl::StatusOr<absl::Time> Time(const std::optional<std::string>& v,
                                absl::string_view field) {
  FIFO_ASSIGN_OR_RETURN(std::string text, Req(v, field));
  absl::StatusOr<absl::Time> t = ParseTimestamp(text);
  if (!t.ok()) {
    return Corrupt(absl::StrCat(field, " \"", text, "\": ", t.status().message()));
  }
  return *t;
}

absl::StatusOr<int64_t> Int(const std::optional<std::string>& v,
                            absl::string_view field) {
  FIFO_ASSIGN_OR_RETURN(std::string text, Req(v, field));
  int64_t out = 0;
  if (!absl::SimpleAtoi(text, &out)) {
    return Corrupt(absl::StrCat(field, " \"", text, "\" is not an integer"));
  }
  return out;
}

std::string Str(const std::optional<std::string>& v) {
  return v.has_value() ? *v : std::string();
}

std::optional<std::string> NullIfEmpty(const std::string& s) {
  if (s.empty()) return std::nullopt;
  return s;
}

std::string Quoted(absl::string_view id) {
  return absl::StrCat("\"", absl::CEscape(id), "\"");
}

// ------------------------------------------------------------ trades ----

std::string TradeCols(const SqlSession& db) {
  return absl::StrCat("order_id, symbol, side, ", db.NumCol("size"), ", ",
                      db.NumCol("price"), ", ", db.TsCol("order_time"), ", ",
                      db.NumCol("total_fees_usd"),
                      ", source, status, order_type, ingest_via");
}

absl::StatusOr<Trade> RowToTrade(const Row& row) {
  Trade t;
  FIFO_ASSIGN_OR_RETURN(t.order_id, Req(row[0], "order_id"));
  FIFO_ASSIGN_OR_RETURN(t.symbol, Req(row[1], "symbol"));
  FIFO_ASSIGN_OR_RETURN(std::string side, Req(row[2], "side"));
  absl::StatusOr<Side> parsed = ParseSide(side);
  if (!parsed.ok()) return Corrupt(absl::StrCat("side \"", side, "\""));
  t.side = *parsed;
  FIFO_ASSIGN_OR_RETURN(t.size, Dec(row[3], "size"));
  FIFO_ASSIGN_OR_RETURN(t.price, Dec(row[4], "price"));
  FIFO_ASSIGN_OR_RETURN(t.order_time, Time(row[5], "order_time"));
  FIFO_ASSIGN_OR_RETURN(t.total_fees_usd, Dec(row[6], "total_fees_usd"));
  t.source = Str(row[7]);
  t.status = Str(row[8]);
  t.order_type = Str(row[9]);
  t.ingest_via = Str(row[10]);
  return t;
}

absl::Status ValidateForStore(const Trade& t, size_t index) {
  absl::Status s = ValidateTrade(t);
  if (!s.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("trade #", index + 1, ": ", s.message()));
  }
  const int64_t year = absl::ToCivilSecond(t.order_time, absl::UTCTimeZone()).year();
  if (year < 1 || year > 9999) {
    return absl::InvalidArgumentError(absl::StrCat(
        "trade #", index + 1, " ", Quoted(t.order_id),
        ": order_time must be in years 0001..9999"));
  }
  return absl::OkStatus();
}

// ------------------------------------------------------------- runs -----

std::string RunCols(const SqlSession& db) {
  return absl::StrCat(
      "id, symbol, allocation_version, ", db.UuidCol("allocation_batch_id"),
      ", ", db.TsCol("computation_start"), ", ", db.TsCol("computation_end"),
      ", computation_duration_ms, status, computation_mode, triggered_by, "
      "algorithm_version, config_hash, fallback_reason, buys_processed, "
      "sells_processed, allocations_created, ",
      db.NumCol("total_pnl_computed"), ", ",
      db.ListColAsJson("symbols_processed"),
      ", error_message, allocations_reused, basis_version, ",
      db.TsCol("pruned_at"));
}

absl::StatusOr<ComputationRun> RowToRun(const Row& row) {
  ComputationRun r;
  FIFO_ASSIGN_OR_RETURN(r.id, Int(row[0], "id"));
  r.symbol = row[1];
  if (row[2].has_value()) {
    FIFO_ASSIGN_OR_RETURN(r.allocation_version,
                          Int(row[2], "allocation_version"));
  }
  FIFO_ASSIGN_OR_RETURN(r.batch_id, Req(row[3], "allocation_batch_id"));
  FIFO_ASSIGN_OR_RETURN(r.start, Time(row[4], "computation_start"));
  if (row[5].has_value()) {
    FIFO_ASSIGN_OR_RETURN(r.end, Time(row[5], "computation_end"));
  }
  if (row[6].has_value()) {
    FIFO_ASSIGN_OR_RETURN(r.duration_ms, Int(row[6], "computation_duration_ms"));
  }
  absl::StatusOr<RunStatus> status = ParseRunStatus(Str(row[7]));
  absl::StatusOr<RunMode> mode = ParseRunMode(Str(row[8]));
  absl::StatusOr<RunTrigger> trigger = ParseRunTrigger(Str(row[9]));
  if (!status.ok() || !mode.ok() || !trigger.ok()) {
    return Corrupt("status, computation_mode or triggered_by");
  }
  r.status = *status;
  r.mode = *mode;
  r.triggered_by = *trigger;
  FIFO_ASSIGN_OR_RETURN(int64_t algorithm, Int(row[10], "algorithm_version"));
  r.algorithm_version = static_cast<int>(algorithm);
  r.config_hash = Str(row[11]);
  r.fallback_reason = Str(row[12]);
  FIFO_ASSIGN_OR_RETURN(r.buys_processed, Int(row[13], "buys_processed"));
  FIFO_ASSIGN_OR_RETURN(r.sells_processed, Int(row[14], "sells_processed"));
  FIFO_ASSIGN_OR_RETURN(r.allocations_created,
                        Int(row[15], "allocations_created"));
  if (row[16].has_value()) {
    FIFO_ASSIGN_OR_RETURN(r.total_pnl, Dec(row[16], "total_pnl_computed"));
  }
  if (row[17].has_value()) {
    absl::StatusOr<std::vector<std::string>> symbols =
        ParseJsonStringArray(*row[17]);
    if (!symbols.ok()) return Corrupt("symbols_processed");
    r.symbols_processed = *std::move(symbols);
  }
  r.error_message = Str(row[18]);
  FIFO_ASSIGN_OR_RETURN(r.allocations_reused, Int(row[19], "allocations_reused"));
  if (row[20].has_value()) {
    FIFO_ASSIGN_OR_RETURN(r.basis_version, Int(row[20], "basis_version"));
  }
  if (row[21].has_value()) {
    FIFO_ASSIGN_OR_RETURN(r.pruned_at, Time(row[21], "pruned_at"));
  }
  return r;
}

absl::StatusOr<ComputationRun> LoadRun(SqlSession& db, int64_t id) {
  FIFO_ASSIGN_OR_RETURN(
      std::optional<Row> row,
      db.QueryOne("get run",
                  absl::StrCat("SELECT ", RunCols(db),
                               " FROM fifo_computation_log WHERE id = :id"),
                  {Param::Int(id)}, kRunCols));
  if (!row.has_value()) {
    return absl::NotFoundError(absl::StrCat("no computation run ", id));
  }
  return RowToRun(*row);
}

absl::StatusOr<std::optional<int64_t>> LatestCompletedVersionOn(
    SqlSession& db) {
  FIFO_ASSIGN_OR_RETURN(
      std::optional<Row> row,
      db.QueryOne("latest version",
                  "SELECT MAX(allocation_version) FROM fifo_computation_log "
                  "WHERE status = 'completed'",
                  {}, 1));
  if (!(*row)[0].has_value()) return std::optional<int64_t>();
  FIFO_ASSIGN_OR_RETURN(int64_t v, Int((*row)[0], "version"));
  return std::optional<int64_t>(v);
}

absl::StatusOr<bool> VersionCompleted(SqlSession& db, int64_t version) {
  FIFO_ASSIGN_OR_RETURN(
      std::optional<Row> row,
      db.QueryOne("check version",
                  "SELECT id FROM fifo_computation_log WHERE "
                  "allocation_version = :v AND status = 'completed' LIMIT 1",
                  {Param::Int(version)}, 1));
  return row.has_value();
}

// ------------------------------------------------------- allocations ----

std::string AllocationCols(const SqlSession& db) {
  return absl::StrCat(
      "seq, id, ", db.UuidCol("allocation_batch_id"), ", ",
      db.TsCol("allocation_time"), ", sell_order_id, buy_order_id, symbol, ",
      db.NumCol("allocated_size"), ", ", db.NumCol("buy_price"), ", ",
      db.NumCol("sell_price"), ", ", db.NumCol("buy_fees_per_unit"), ", ",
      db.NumCol("sell_fees_per_unit"), ", ", db.NumCol("buy_fee_share_usd"),
      ", ", db.NumCol("sell_fee_share_usd"), ", ", db.NumCol("cost_basis_usd"),
      ", ", db.NumCol("proceeds_usd"), ", ", db.NumCol("net_proceeds_usd"),
      ", ", db.NumCol("pnl_usd"), ", ", db.TsCol("buy_time"), ", ",
      db.TsCol("sell_time"));
}

absl::StatusOr<StoredAllocation> RowToAllocation(const Row& row) {
  StoredAllocation s;
  FIFO_ASSIGN_OR_RETURN(s.seq, Int(row[1], "id"));
  FIFO_ASSIGN_OR_RETURN(s.batch_id, Req(row[2], "allocation_batch_id"));
  FIFO_ASSIGN_OR_RETURN(s.allocation_time, Time(row[3], "allocation_time"));
  Allocation& a = s.allocation;
  FIFO_ASSIGN_OR_RETURN(a.sell_order_id, Req(row[4], "sell_order_id"));
  a.buy_order_id = row[5];
  FIFO_ASSIGN_OR_RETURN(a.symbol, Req(row[6], "symbol"));
  FIFO_ASSIGN_OR_RETURN(a.allocated_size, Dec(row[7], "allocated_size"));
  FIFO_ASSIGN_OR_RETURN(a.sell_price, Dec(row[9], "sell_price"));
  FIFO_ASSIGN_OR_RETURN(a.sell_fees_per_unit, Dec(row[11], "sell_fees_per_unit"));
  FIFO_ASSIGN_OR_RETURN(a.sell_fee_share, Dec(row[13], "sell_fee_share_usd"));
  FIFO_ASSIGN_OR_RETURN(a.proceeds_usd, Dec(row[15], "proceeds_usd"));
  FIFO_ASSIGN_OR_RETURN(a.net_proceeds_usd, Dec(row[16], "net_proceeds_usd"));
  FIFO_ASSIGN_OR_RETURN(a.sell_time, Time(row[19], "sell_time"));
  if (a.matched()) {
    FIFO_ASSIGN_OR_RETURN(a.buy_price, Dec(row[8], "buy_price"));
    FIFO_ASSIGN_OR_RETURN(a.buy_fees_per_unit, Dec(row[10], "buy_fees_per_unit"));
    FIFO_ASSIGN_OR_RETURN(a.buy_fee_share, Dec(row[12], "buy_fee_share_usd"));
    FIFO_ASSIGN_OR_RETURN(a.cost_basis_usd, Dec(row[14], "cost_basis_usd"));
    FIFO_ASSIGN_OR_RETURN(a.pnl_usd, Dec(row[17], "pnl_usd"));
    FIFO_ASSIGN_OR_RETURN(a.buy_time, Time(row[18], "buy_time"));
  }
  return s;
}

// ------------------------------------------------------------ review ----

std::string ReviewCols(const SqlSession& db) {
  return absl::StrCat("id, order_id, symbol, issue_type, severity, ",
                      db.TsCol("created_at"), ", status, resolution_note, ",
                      db.TsCol("resolved_at"), ", allocation_version, ",
                      db.JsonCol("details"));
}

absl::StatusOr<ReviewItem> RowToReview(const Row& row) {
  ReviewItem r;
  FIFO_ASSIGN_OR_RETURN(r.id, Int(row[0], "id"));
  FIFO_ASSIGN_OR_RETURN(r.order_id, Req(row[1], "order_id"));
  r.symbol = Str(row[2]);
  r.issue_type = Str(row[3]);
  r.severity = Str(row[4]);
  FIFO_ASSIGN_OR_RETURN(r.created_at, Time(row[5], "created_at"));
  r.resolved = Str(row[6]) == "resolved";
  r.resolution_note = Str(row[7]);
  if (row[8].has_value()) {
    FIFO_ASSIGN_OR_RETURN(r.resolved_at, Time(row[8], "resolved_at"));
  }
  if (row[9].has_value()) {
    FIFO_ASSIGN_OR_RETURN(r.allocation_version,
                          Int(row[9], "allocation_version"));
  }
  r.details = Str(row[10]);
  return r;
}

// ------------------------------------------------------------- pages ----

std::string EncodeToken(const std::vector<std::string>& parts) {
  return absl::WebSafeBase64Escape(JsonStringArray(parts));
}

absl::StatusOr<std::vector<std::string>> DecodeToken(const std::string& token,
                                                     size_t parts) {
  std::string json;
  absl::StatusOr<std::vector<std::string>> out =
      absl::WebSafeBase64Unescape(token, &json)
          ? ParseJsonStringArray(json)
          : absl::InvalidArgumentError("not base64");
  if (!out.ok() || out->size() != parts) {
    return absl::InvalidArgumentError("invalid page token");
  }
  return out;
}

}  // namespace storage_internal
}  // namespace fifo
