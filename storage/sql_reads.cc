// SqlLedgerStore's reads: trades, runs, allocations and snapshots (see
// sql_ledger_store.h). Scans page with keysets and take mu_ once per page,
// never while the caller's sink runs.
#include <algorithm>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/status_macros.h"
#include "engine/timestamp.h"
#include "storage/sql_ledger_store.h"
#include "storage/sql_rows.h"

namespace fifo {
namespace storage_internal {

absl::StatusOr<std::vector<std::string>> SqlLedgerStore::ListSymbols() {
  absl::MutexLock lock(&mu_);
  FIFO_ASSIGN_OR_RETURN(
      std::vector<Row> rows,
      db_->QueryAll(
          "list symbols",
          // A loose index scan: one index probe per symbol over
          // (symbol, order_time, order_id), instead of reading every
          // trade (SELECT DISTINCT), so its cost does not grow with
          // history.
          "WITH RECURSIVE s(symbol) AS ("
          " SELECT MIN(symbol) FROM trade_records"
          " UNION ALL"
          " SELECT (SELECT MIN(t.symbol) FROM trade_records t"
          "         WHERE t.symbol > s.symbol)"
          " FROM s WHERE s.symbol IS NOT NULL)"
          " SELECT symbol FROM s WHERE symbol IS NOT NULL ORDER BY symbol",
          {}, 1));
  std::vector<std::string> out;
  for (const Row& r : rows) out.push_back(Str(r[0]));
  return out;
}

absl::StatusOr<int64_t> SqlLedgerStore::CountTrades(
    const std::optional<std::string>& symbol) {
  absl::MutexLock lock(&mu_);
  std::vector<Param> params;
  std::string sql = "SELECT COUNT(*) FROM trade_records";
  if (symbol.has_value()) {
    sql += " WHERE symbol = :s";
    params.push_back(Param::Text(*symbol));
  }
  FIFO_ASSIGN_OR_RETURN(std::optional<Row> row,
                        db_->QueryOne("count trades", sql, params, 1));
  return Int((*row)[0], "COUNT(*)");
}

absl::StatusOr<TradePage> SqlLedgerStore::ListTrades(
    const TradeFilter& filter) {
  if (filter.page_size < 1 || filter.page_size > 100000) {
    return absl::InvalidArgumentError(absl::StrCat(
        "page_size must be in 1..100000, got ", filter.page_size));
  }
  const bool by_symbol = filter.symbol.has_value();
  std::vector<std::string> key;
  if (!filter.page_token.empty()) {
    FIFO_ASSIGN_OR_RETURN(key, DecodeToken(filter.page_token, 3));
    if (!ParseTimestamp(key[1]).ok() || (by_symbol && key[0] != *filter.symbol)) {
      return absl::InvalidArgumentError("invalid page token");
    }
  }
  absl::MutexLock lock(&mu_);
  std::vector<Param> params;
  std::vector<std::string> where;
  if (by_symbol) {
    where.push_back("symbol = :s");
    params.push_back(Param::Text(*filter.symbol));
    if (!key.empty()) {
      where.push_back(absl::StrCat("(order_time, order_id) > (",
                                   db_->TsParam(":t"), ", :o)"));
      params.push_back(Param::Text(key[1]));
      params.push_back(Param::Text(key[2]));
    }
  } else if (!key.empty()) {
    where.push_back(absl::StrCat("(symbol, order_time, order_id) > (:ks, ",
                                 db_->TsParam(":t"), ", :o)"));
    params.push_back(Param::Text(key[0]));
    params.push_back(Param::Text(key[1]));
    params.push_back(Param::Text(key[2]));
  }
  params.push_back(Param::Int(filter.page_size + 1));
  std::string sql = absl::StrCat("SELECT ", TradeCols(*db_),
                                 " FROM trade_records");
  if (!where.empty()) absl::StrAppend(&sql, " WHERE ", absl::StrJoin(where, " AND "));
  absl::StrAppend(&sql, " ORDER BY ", by_symbol ? "" : "symbol, ",
                  "order_time, order_id LIMIT :n");
  TradePage page;
  absl::Status s = db_->Query("list trades", sql, params, kTradeCols,
                              [&](const Row& row) -> absl::Status {
                                FIFO_ASSIGN_OR_RETURN(Trade t, RowToTrade(row));
                                page.trades.push_back(std::move(t));
                                return absl::OkStatus();
                              });
  FIFO_RETURN_IF_ERROR(s);
  if (page.trades.size() > static_cast<size_t>(filter.page_size)) {
    page.trades.pop_back();
    const Trade& last = page.trades.back();
    page.next_page_token =
        EncodeToken({last.symbol, Ts(last.order_time), last.order_id});
  }
  return page;
}

absl::Status SqlLedgerStore::ScanTrades(const std::string& symbol,
                                        const std::optional<TradeKey>& after,
                                        const TradeSink& sink, int page_size) {
  if (page_size < 1) {
    return absl::InvalidArgumentError("page_size must be positive");
  }
  std::optional<TradeKey> cursor = after;
  while (true) {
    std::vector<Trade> page;
    {
      absl::MutexLock lock(&mu_);
      std::vector<Param> params = {Param::Text(symbol)};
      std::string sql = absl::StrCat("SELECT ", TradeCols(*db_),
                                     " FROM trade_records WHERE symbol = :s");
      if (cursor.has_value()) {
        absl::StrAppend(&sql, " AND (order_time, order_id) > (",
                        db_->TsParam(":t"), ", :o)");
        params.push_back(Param::Text(Ts(cursor->order_time)));
        params.push_back(Param::Text(cursor->order_id));
      }
      absl::StrAppend(&sql, " ORDER BY order_time, order_id LIMIT :n");
      params.push_back(Param::Int(page_size));
      page.reserve(page_size);
      FIFO_RETURN_IF_ERROR(db_->Query(
          "scan trades", sql, params, kTradeCols,
          [&](const Row& row) -> absl::Status {
            FIFO_ASSIGN_OR_RETURN(Trade t, RowToTrade(row));
            page.push_back(std::move(t));
            return absl::OkStatus();
          }));
    }
    if (page.empty()) return absl::OkStatus();
    cursor = KeyOf(page.back());
    const bool last = page.size() < static_cast<size_t>(page_size);
    FIFO_RETURN_IF_ERROR(sink(page));
    if (last) return absl::OkStatus();
  }
}

absl::StatusOr<int64_t> SqlLedgerStore::MaxIngestSeq() {
  absl::MutexLock lock(&mu_);
  return MaxIngestSeqLocked("max ingest_seq");
}

absl::StatusOr<int64_t> SqlLedgerStore::MaxIngestSeqLocked(
    absl::string_view ctx) {
  FIFO_ASSIGN_OR_RETURN(
      std::optional<Row> row,
      db_->QueryOne(ctx,
                    "SELECT COALESCE(MAX(ingest_seq), 0) FROM trade_records",
                    {}, 1));
  return Int((*row)[0], "MAX(ingest_seq)");
}

absl::StatusOr<bool> SqlLedgerStore::HasTradesIngestedAfter(
    int64_t ingest_seq, const std::string& symbol,
    const TradeKey& at_or_before) {
  absl::MutexLock lock(&mu_);
  FIFO_ASSIGN_OR_RETURN(
      std::optional<Row> row,
      db_->QueryOne(
          "detect backfill",
          // Only trades inserted after `ingest_seq` can be backfills: walk
          // the ingest_seq index (O(new trades)), never the symbol's
          // history. SQLite would pick the (symbol, order_time) index,
          // so a unary + keeps it off the other columns.
          absl::StrCat("SELECT order_id FROM trade_records WHERE ingest_seq "
                       "> :q AND ",
                       db_->sqlite() ? "+symbol = :s AND (+order_time, +order_id)"
                                     : "symbol = :s AND (order_time, order_id)",
                       " <= (", db_->TsParam(":t"), ", :o) LIMIT 1"),
          {Param::Int(ingest_seq), Param::Text(symbol),
           Param::Text(Ts(at_or_before.order_time)),
           Param::Text(at_or_before.order_id)},
          1));
  return row.has_value();
}

absl::StatusOr<std::optional<int64_t>>
SqlLedgerStore::LatestCompletedVersion() {
  absl::MutexLock lock(&mu_);
  return LatestCompletedVersionOn(*db_);
}

absl::StatusOr<ComputationRun> SqlLedgerStore::GetRun(int64_t id) {
  absl::MutexLock lock(&mu_);
  return LoadRun(*db_, id);
}

absl::StatusOr<std::optional<ComputationRun>>
SqlLedgerStore::LatestCompletedRun(int64_t version) {
  absl::MutexLock lock(&mu_);
  FIFO_ASSIGN_OR_RETURN(
      std::optional<Row> row,
      db_->QueryOne("latest completed run",
                    absl::StrCat("SELECT ", RunCols(*db_),
                                 " FROM fifo_computation_log WHERE "
                                 "allocation_version = :v AND status = "
                                 "'completed' ORDER BY id DESC LIMIT 1"),
                    {Param::Int(version)}, kRunCols));
  if (!row.has_value()) return std::optional<ComputationRun>();
  FIFO_ASSIGN_OR_RETURN(ComputationRun run, RowToRun(*row));
  return std::optional<ComputationRun>(std::move(run));
}

absl::StatusOr<RunPage> SqlLedgerStore::ListRuns(
    int limit, const std::string& page_token) {
  if (limit < 1 || limit > 1000) {
    return absl::InvalidArgumentError(
        absl::StrCat("limit must be in 1..1000, got ", limit));
  }
  std::optional<int64_t> before;
  if (!page_token.empty()) {
    FIFO_ASSIGN_OR_RETURN(std::vector<std::string> key,
                          DecodeToken(page_token, 1));
    int64_t id = 0;
    if (!absl::SimpleAtoi(key[0], &id)) {
      return absl::InvalidArgumentError("invalid page token");
    }
    before = id;
  }
  absl::MutexLock lock(&mu_);
  std::vector<Param> params;
  std::string sql = absl::StrCat("SELECT ", RunCols(*db_),
                                 " FROM fifo_computation_log");
  if (before.has_value()) {
    sql += " WHERE id < :b";
    params.push_back(Param::Int(*before));
  }
  sql += " ORDER BY id DESC LIMIT :n";
  params.push_back(Param::Int(limit + 1));
  RunPage page;
  FIFO_RETURN_IF_ERROR(db_->Query("list runs", sql, params, kRunCols,
                                  [&](const Row& row) -> absl::Status {
                                    FIFO_ASSIGN_OR_RETURN(ComputationRun r,
                                                          RowToRun(row));
                                    page.runs.push_back(std::move(r));
                                    return absl::OkStatus();
                                  }));
  if (page.runs.size() > static_cast<size_t>(limit)) {
    page.runs.pop_back();
    page.next_page_token = EncodeToken({absl::StrCat(page.runs.back().id)});
  }
  return page;
}

absl::StatusOr<std::vector<SegmentRef>> SqlLedgerStore::ListVersionSegments(
    int64_t version, const std::optional<std::string>& symbol) {
  absl::MutexLock lock(&mu_);
  return ListVersionSegmentsLocked(version, symbol);
}

absl::StatusOr<std::vector<SegmentRef>>
SqlLedgerStore::ListVersionSegmentsLocked(
    int64_t version, const std::optional<std::string>& symbol) {
  std::vector<Param> params = {Param::Int(version)};
  std::string sql =
      "SELECT s.id, vs.symbol, s.computation_id, s.row_count, s.digest FROM "
      "fifo_version_segments vs JOIN fifo_segments s ON s.id = "
      "vs.segment_id WHERE vs.allocation_version = :v";
  if (symbol.has_value()) {
    sql += " AND vs.symbol = :s";
    params.push_back(Param::Text(*symbol));
  }
  sql += " ORDER BY vs.symbol, vs.position";
  std::vector<SegmentRef> out;
  FIFO_RETURN_IF_ERROR(db_->Query(
      "list version segments", sql, std::move(params), 5,
      [&](const Row& r) -> absl::Status {
        SegmentRef ref;
        FIFO_ASSIGN_OR_RETURN(ref.id, Int(r[0], "segment id"));
        ref.symbol = Str(r[1]);
        FIFO_ASSIGN_OR_RETURN(ref.computation_id, Int(r[2], "computation_id"));
        FIFO_ASSIGN_OR_RETURN(ref.row_count, Int(r[3], "row_count"));
        ref.digest = Str(r[4]);
        out.push_back(std::move(ref));
        return absl::OkStatus();
      }));
  return out;
}

absl::Status SqlLedgerStore::ScanSegmentRows(
    int64_t segment_id, const AllocationFilter& filter, int64_t after_seq,
    int limit, std::vector<StoredAllocation>* out, int64_t* last_seq) {
  absl::MutexLock lock(&mu_);
  std::vector<Param> params = {Param::Int(segment_id)};
  std::string sql =
      absl::StrCat("SELECT ", AllocationCols(*db_),
                   " FROM fifo_allocations WHERE segment_id = :g AND seq > ",
                   db_->IntParam(":k"));
  params.push_back(Param::Int(after_seq));
  if (filter.sell_time_from.has_value()) {
    absl::StrAppend(&sql, " AND sell_time >= ", db_->TsParam(":f"));
    params.push_back(Param::Text(Ts(*filter.sell_time_from)));
  }
  if (filter.sell_time_to.has_value()) {
    absl::StrAppend(&sql, " AND sell_time < ", db_->TsParam(":t"));
    params.push_back(Param::Text(Ts(*filter.sell_time_to)));
  }
  if (filter.kind == AllocationFilter::Kind::kMatchedOnly) {
    sql += " AND buy_order_id IS NOT NULL";
  } else if (filter.kind == AllocationFilter::Kind::kUnmatchedOnly) {
    sql += " AND buy_order_id IS NULL";
  }
  sql += " ORDER BY seq LIMIT :n";
  params.push_back(Param::Int(limit));
  return db_->Query("scan allocations", sql, std::move(params),
                    kAllocationCols, [&](const Row& row) -> absl::Status {
                      FIFO_ASSIGN_OR_RETURN(*last_seq, Int(row[0], "seq"));
                      FIFO_ASSIGN_OR_RETURN(StoredAllocation a,
                                            RowToAllocation(row));
                      a.version = filter.version;
                      out->push_back(std::move(a));
                      return absl::OkStatus();
                    });
}

absl::Status SqlLedgerStore::ScanAllocations(const AllocationFilter& filter,
                                             const AllocationSink& sink) {
  if (filter.page_size < 1) {
    return absl::InvalidArgumentError("page_size must be positive");
  }
  // The version's segments in order (a few per symbol), then each
  // segment's rows by seq: keyset pages on the (segment_id, seq) key.
  FIFO_ASSIGN_OR_RETURN(std::vector<SegmentRef> segments,
                        ListVersionSegments(filter.version, filter.symbol));
  std::vector<StoredAllocation> page;
  page.reserve(std::min(filter.page_size, 10000));
  for (const SegmentRef& segment : segments) {
    if (segment.row_count == 0) continue;
    int64_t after = 0;
    while (true) {
      const int want = filter.page_size - static_cast<int>(page.size());
      const size_t before = page.size();
      FIFO_RETURN_IF_ERROR(
          ScanSegmentRows(segment.id, filter, after, want, &page, &after));
      const bool segment_done =
          page.size() - before < static_cast<size_t>(want);
      if (page.size() == static_cast<size_t>(filter.page_size)) {
        FIFO_RETURN_IF_ERROR(sink(page));
        page.clear();
      }
      if (segment_done) break;
    }
  }
  if (!page.empty()) FIFO_RETURN_IF_ERROR(sink(page));
  return absl::OkStatus();
}

absl::StatusOr<StoredSnapshot> SqlLedgerStore::LoadSnapshot(
    int64_t version, const std::string& symbol) {
  absl::MutexLock lock(&mu_);
  const std::string ctx = "load snapshot";
  // The symbol's snapshot in a version is that of its last segment.
  FIFO_ASSIGN_OR_RETURN(
      std::optional<Row> mark,
      db_->QueryOne(
          ctx,
          absl::StrCat("SELECT ", db_->TsCol("s.hwm_time"),
                       ", s.hwm_order_id, s.ingest_seq_seen, ",
                       db_->TsCol("s.snapshot_time"),
                       ", s.id, CASE WHEN s.has_snapshot THEN 1 ELSE 0 END "
                       "FROM fifo_version_segments vs JOIN fifo_segments s "
                       "ON s.id = vs.segment_id WHERE vs.allocation_version "
                       "= :v AND vs.symbol = :s ORDER BY vs.position DESC "
                       "LIMIT 1"),
          {Param::Int(version), Param::Text(symbol)}, 6));
  if (!mark.has_value() || Str((*mark)[5]) != "1") {
    return absl::NotFoundError(absl::StrCat(
        "version ", version, " has no snapshot of symbol ", Quoted(symbol)));
  }
  StoredSnapshot out;
  const Row& m = *mark;
  if (m[0].has_value()) {
    TradeKey key;
    FIFO_ASSIGN_OR_RETURN(key.order_time, Time(m[0], "hwm_time"));
    FIFO_ASSIGN_OR_RETURN(key.order_id, Req(m[1], "hwm_order_id"));
    out.state.high_water_mark = key;
  }
  FIFO_ASSIGN_OR_RETURN(out.ingest_seq_seen, Int(m[2], "ingest_seq_seen"));
  FIFO_ASSIGN_OR_RETURN(out.snapshot_time, Time(m[3], "snapshot_time"));
  FIFO_ASSIGN_OR_RETURN(int64_t segment_id, Int(m[4], "segment id"));
  FIFO_RETURN_IF_ERROR(db_->Query(
      ctx,
      absl::StrCat("SELECT buy_order_id, ", db_->TsCol("buy_time"), ", ",
                   db_->NumCol("price"), ", ", db_->NumCol("size"), ", ",
                   db_->NumCol("total_fees_usd"), ", ",
                   db_->NumCol("consumed_size"), ", ",
                   db_->NumCol("consumed_fee_share"),
                   " FROM fifo_inventory_snapshot WHERE segment_id = :g "
                   "ORDER BY lot_seq"),
      {Param::Int(segment_id)}, 7,
      [&](const Row& row) -> absl::Status {
        OpenLot lot;
        FIFO_ASSIGN_OR_RETURN(lot.buy_order_id, Req(row[0], "buy_order_id"));
        FIFO_ASSIGN_OR_RETURN(lot.buy_time, Time(row[1], "buy_time"));
        FIFO_ASSIGN_OR_RETURN(lot.price, Dec(row[2], "price"));
        FIFO_ASSIGN_OR_RETURN(lot.size, Dec(row[3], "size"));
        FIFO_ASSIGN_OR_RETURN(lot.total_fees_usd, Dec(row[4], "total_fees_usd"));
        FIFO_ASSIGN_OR_RETURN(lot.consumed_size, Dec(row[5], "consumed_size"));
        FIFO_ASSIGN_OR_RETURN(lot.consumed_fee_share,
                              Dec(row[6], "consumed_fee_share"));
        out.state.open_lots.push_back(std::move(lot));
        return absl::OkStatus();
      }));
  return out;
}

absl::StatusOr<std::vector<std::string>> SqlLedgerStore::ListSnapshotSymbols(
    int64_t version) {
  absl::MutexLock lock(&mu_);
  FIFO_ASSIGN_OR_RETURN(
      std::vector<Row> rows,
      db_->QueryAll(
          "list snapshot symbols",
          "SELECT vs.symbol FROM fifo_version_segments vs JOIN "
          "fifo_segments s ON s.id = vs.segment_id WHERE "
          "vs.allocation_version = :v AND s.has_snapshot AND vs.position = "
          "(SELECT MAX(x.position) FROM fifo_version_segments x WHERE "
          "x.allocation_version = vs.allocation_version AND x.symbol = "
          "vs.symbol) ORDER BY vs.symbol",
          {Param::Int(version)}, 1));
  std::vector<std::string> out;
  for (const Row& r : rows) out.push_back(Str(r[0]));
  return out;
}

}  // namespace storage_internal
}  // namespace fifo
