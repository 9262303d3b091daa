// LedgerStore over SOCI for SQLite and PostgreSQL (see ledger_store.h).
//
// One class serves both dialects; the differences are confined to
// SqlSession's SQL fragments (casts, list parameters) and a few statements
// (locks, RETURNING, liveness of runs). Every value crosses SOCI as text or
// a 64-bit integer, and decimals are parsed with Decimal::Parse.
#include <unistd.h>
#include <uuid/uuid.h>

#include <algorithm>
#include <fstream>
#include <memory>
#include <sstream>
#include <utility>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "common/status_macros.h"
#include "engine/timestamp.h"
#include "migrations/migrations.h"
#include "storage/ledger_store.h"
#include "storage/sql_ledger_store.h"
#include "storage/sql_session.h"

namespace fifo {
namespace storage_internal {
namespace {

// PostgreSQL advisory lock classes ("FIF0", "FIF1", "FIF2").
constexpr int kMigrationLockClass = 1179207216;
constexpr int kRunLockClass = 1179207217;
constexpr int kVersionLockClass = 1179207218;
constexpr int kImportChunk = 1000;
// SQLite busy timeouts (ms): SqlSession::Open's default, and the wait of
// MarkAbandonedRuns for the write lock.
constexpr int kSqliteBusyTimeoutMs = 30000;
constexpr int kMarkLockWaitMs = 2000;
constexpr int kMaxVersionAttempts = 50;

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

std::string NewUuid() {
  uuid_t id;
  uuid_generate_random(id);
  char text[37];
  uuid_unparse_lower(id, text);
  return text;
}

std::string HostName() {
  char name[256] = {0};
  if (gethostname(name, sizeof(name) - 1) != 0) return "unknown";
  return name;
}

// Field 22 of /proc/PID/stat (start time in clock ticks since boot), or ""
// when the process does not exist or has exited: a process killed (even by
// kill -9) stays a zombie, with the same stat line, until its parent reaps
// it, so state Z (zombie) or X/x (dead) counts as gone.
std::string ProcessStartTicks(int64_t pid) {
  std::ifstream in(absl::StrCat("/proc/", pid, "/stat"));
  if (!in) return "";
  std::stringstream buffer;
  buffer << in.rdbuf();
  const std::string stat = buffer.str();
  const size_t paren = stat.rfind(')');
  if (paren == std::string::npos) return "";
  std::vector<std::string> fields =
      absl::StrSplit(stat.substr(paren + 1), ' ', absl::SkipEmpty());
  // fields[0] is field 3 (state); field 22 is fields[19].
  if (fields.size() <= 19) return "";
  if (fields[0] == "Z" || fields[0] == "X" || fields[0] == "x") return "";
  return fields[19];
}

std::string SqliteOwner() {
  const int64_t pid = getpid();
  return absl::StrCat("pid:", pid, ":", ProcessStartTicks(pid), "@",
                      HostName());
}

// ------------------------------------------------------------ trades ----

constexpr int kTradeCols = 11;

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

// The first fact that differs, with both values; nullopt when identical.
struct FactDiff {
  std::string field, stored, incoming;
};

std::optional<FactDiff> DiffFacts(const Trade& stored, const Trade& incoming) {
  auto text = [](absl::string_view f, const std::string& a,
                 const std::string& b) -> std::optional<FactDiff> {
    if (a == b) return std::nullopt;
    return FactDiff{std::string(f), Quoted(a), Quoted(b)};
  };
  auto dec = [](absl::string_view f, const Decimal& a,
                const Decimal& b) -> std::optional<FactDiff> {
    if (a == b) return std::nullopt;
    return FactDiff{std::string(f), a.ToString(), b.ToString()};
  };
  if (auto d = text("symbol", stored.symbol, incoming.symbol)) return d;
  if (stored.side != incoming.side) {
    return FactDiff{"side", std::string(SideName(stored.side)),
                    std::string(SideName(incoming.side))};
  }
  if (auto d = dec("size", stored.size, incoming.size)) return d;
  if (auto d = dec("price", stored.price, incoming.price)) return d;
  if (stored.order_time != incoming.order_time) {
    return FactDiff{"order_time", Ts(stored.order_time),
                    Ts(incoming.order_time)};
  }
  if (auto d = dec("total_fees_usd", stored.total_fees_usd,
                   incoming.total_fees_usd)) {
    return d;
  }
  if (auto d = text("source", stored.source, incoming.source)) return d;
  if (auto d = text("status", stored.status, incoming.status)) return d;
  if (auto d = text("order_type", stored.order_type, incoming.order_type)) {
    return d;
  }
  if (auto d = text("ingest_via", stored.ingest_via, incoming.ingest_via)) {
    return d;
  }
  return std::nullopt;
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

constexpr int kRunCols = 19;

std::string RunCols(const SqlSession& db) {
  return absl::StrCat(
      "id, symbol, allocation_version, ", db.UuidCol("allocation_batch_id"),
      ", ", db.TsCol("computation_start"), ", ", db.TsCol("computation_end"),
      ", computation_duration_ms, status, computation_mode, triggered_by, "
      "algorithm_version, config_hash, fallback_reason, buys_processed, "
      "sells_processed, allocations_created, ",
      db.NumCol("total_pnl_computed"), ", ",
      db.ListColAsJson("symbols_processed"), ", error_message");
}

absl::StatusOr<ComputationRun> RowToRun(const Row& row) {
  ComputationRun r;
  FIFO_ASSIGN_OR_RETURN(r.id, Int(row[0], "id"));
  r.symbol = row[1];
  FIFO_ASSIGN_OR_RETURN(r.allocation_version, Int(row[2], "allocation_version"));
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

constexpr int kAllocationCols = 20;

std::string AllocationCols(const SqlSession& db) {
  return absl::StrCat(
      "allocation_version, seq, ", db.UuidCol("allocation_batch_id"), ", ",
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
  FIFO_ASSIGN_OR_RETURN(s.version, Int(row[0], "allocation_version"));
  FIFO_ASSIGN_OR_RETURN(s.seq, Int(row[1], "seq"));
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

// ----------------------------------------------------------- writer -----

// Writes a run in its own session and transaction. Rows are formatted on
// the caller's thread into BulkRows and inserted with SqlSession::InsertRows
// (SQLite: a kept native statement; PostgreSQL: COPY). From the first write
// of kPipelineRows rows on, the inserts (and the later snapshot and review
// writes, in call order) run on worker_ while the caller computes; an error
// of such a queued write is returned by the next write, CarryForward or
// Commit, and the run must then be aborted.
class SqlRunWriter : public RunWriter {
 public:
  SqlRunWriter(std::unique_ptr<SqlSession> db, ComputationRun run)
      : db_(std::move(db)), run_(std::move(run)) {}

  ~SqlRunWriter() override {
    if (!done_) {
      Abort("run writer destroyed without Commit or Abort").IgnoreError();
    }
    worker_.Stop();
  }

  const ComputationRun& run() const override { return run_; }

  absl::Status Begin() override { return Ready(); }

  absl::Status WriteAllocations(
      absl::Span<const Allocation> allocations) override {
    FIFO_RETURN_IF_ERROR(Ready());
    if (allocations.empty()) return absl::OkStatus();
    static const BulkTable* const kTable = new BulkTable{
        "fifo_allocations",
        {"allocation_version", "seq", "sell_order_id", "buy_order_id",
         "symbol", "allocated_size", "buy_price", "sell_price",
         "buy_fees_per_unit", "sell_fees_per_unit", "buy_fee_share_usd",
         "sell_fee_share_usd", "cost_basis_usd", "proceeds_usd",
         "net_proceeds_usd", "pnl_usd", "buy_time", "sell_time",
         "allocation_time", "allocation_batch_id"}};
    const std::string now = Ts(NowMicros());
    auto shared_rows = std::make_shared<BulkRows>();
    BulkRows& rows = *shared_rows;
    rows.Reserve(allocations.size() * kTable->columns.size(),
                 allocations.size() * 384);
    int64_t seq = next_seq_;
    for (const Allocation& a : allocations) {
      const bool m = a.matched();
      // The buy side of an unmatched row is NULL.
      auto buy = [&](const Decimal& d) {
        if (m) {
          rows.Text(d.ToString());
        } else {
          rows.Null();
        }
      };
      rows.Int(run_.allocation_version);
      rows.Int(seq++);
      rows.Text(a.sell_order_id);
      rows.OptText(a.buy_order_id);
      rows.Text(a.symbol);
      rows.Text(a.allocated_size.ToString());
      buy(a.buy_price);
      rows.Text(a.sell_price.ToString());
      buy(a.buy_fees_per_unit);
      rows.Text(a.sell_fees_per_unit.ToString());
      buy(a.buy_fee_share);
      rows.Text(a.sell_fee_share.ToString());
      buy(a.cost_basis_usd);
      rows.Text(a.proceeds_usd.ToString());
      rows.Text(a.net_proceeds_usd.ToString());
      buy(a.pnl_usd);
      if (m) {
        rows.Time(a.buy_time);
      } else {
        rows.Null();
      }
      rows.Time(a.sell_time);
      rows.Text(now);
      rows.Text(run_.batch_id);
    }
    next_seq_ = seq;
    return Write(allocations.size() >= kPipelineRows, [this, shared_rows] {
      return db_->InsertRows("write allocations", *kTable, *shared_rows);
    });
  }

  absl::Status WriteSnapshot(const std::string& symbol,
                             const SymbolState& state,
                             int64_t ingest_seq_seen) override {
    FIFO_RETURN_IF_ERROR(Ready());
    static const BulkTable* const kTable = new BulkTable{
        "fifo_inventory_snapshot",
        {"symbol", "buy_order_id", "remaining_size", "snapshot_time",
         "allocation_version", "lot_seq", "buy_time", "price", "size",
         "total_fees_usd", "consumed_size", "consumed_fee_share"}};
    const std::string now = Ts(NowMicros());
    auto shared_rows = std::make_shared<BulkRows>();
    BulkRows& rows = *shared_rows;
    rows.Reserve(state.open_lots.size() * kTable->columns.size(),
                 state.open_lots.size() * 192);
    int64_t lot_seq = 0;
    for (const OpenLot& lot : state.open_lots) {
      rows.Text(symbol);
      rows.Text(lot.buy_order_id);
      rows.Text(lot.remaining_size().ToString());
      rows.Text(now);
      rows.Int(run_.allocation_version);
      rows.Int(++lot_seq);
      rows.Time(lot.buy_time);
      rows.Text(lot.price.ToString());
      rows.Text(lot.size.ToString());
      rows.Text(lot.total_fees_usd.ToString());
      rows.Text(lot.consumed_size.ToString());
      rows.Text(lot.consumed_fee_share.ToString());
    }
    const auto& hwm = state.high_water_mark;
    const std::string mark_sql = absl::StrCat(
        "INSERT INTO fifo_snapshot_watermark (allocation_version, symbol, "
        "hwm_time, hwm_order_id, ingest_seq_seen, snapshot_time) VALUES (:v, "
        ":s, ",
        db_->TsParam(":t"), ", :o, :q, ", db_->TsParam(":n"), ")");
    const std::vector<Param> mark = {
        Param::Int(run_.allocation_version), Param::Text(symbol),
        hwm ? Param::Text(Ts(hwm->order_time)) : Param::Null(),
        hwm ? Param::Text(hwm->order_id) : Param::Null(),
        Param::Int(ingest_seq_seen), Param::Text(now)};
    return Write(false, [this, symbol, shared_rows, mark_sql,
                         mark]() -> absl::Status {
      const std::string ctx = "write snapshot";
      for (const char* table :
           {"fifo_inventory_snapshot", "fifo_snapshot_watermark"}) {
        FIFO_RETURN_IF_ERROR(
            db_->Exec(ctx,
                      absl::StrCat("DELETE FROM ", table,
                                   " WHERE allocation_version = :v AND "
                                   "symbol = :s"),
                      {Param::Int(run_.allocation_version),
                       Param::Text(symbol)})
                .status());
      }
      FIFO_RETURN_IF_ERROR(db_->InsertRows(ctx, *kTable, *shared_rows));
      return db_->Exec(ctx, mark_sql, mark).status();
    });
  }

  absl::StatusOr<int64_t> CarryForward(
      int64_t from_version,
      const std::vector<std::string>& exclude_symbols) override {
    FIFO_RETURN_IF_ERROR(Ready());
    FIFO_RETURN_IF_ERROR(Settle());
    if (from_version == run_.allocation_version) {
      return absl::FailedPreconditionError(absl::StrCat(
          "cannot carry version ", from_version, " forward into itself"));
    }
    absl::StatusOr<bool> completed = VersionCompleted(*db_, from_version);
    FIFO_RETURN_IF_ERROR(Check(completed.status()));
    if (!*completed) {
      return absl::FailedPreconditionError(absl::StrCat(
          "cannot carry version ", from_version,
          " forward: it has no completed run"));
    }
    const std::string ctx = "carry forward";
    const std::string excluded = db_->EncodeList(exclude_symbols);
    const std::string amounts =
        "sell_order_id, buy_order_id, symbol, allocated_size, buy_price, "
        "sell_price, buy_fees_per_unit, sell_fees_per_unit, buy_fee_share_usd, "
        "sell_fee_share_usd, cost_basis_usd, proceeds_usd, net_proceeds_usd, "
        "pnl_usd, buy_time, sell_time, allocation_time";
    absl::StatusOr<int64_t> copied = db_->Exec(
        ctx,
        absl::StrCat(
            "INSERT INTO fifo_allocations (allocation_version, seq, ", amounts,
            ", allocation_batch_id) SELECT ", db_->IntParam(":nv"), ", ",
            db_->IntParam(":base"),
            " + ROW_NUMBER() OVER (ORDER BY symbol, seq), ", amounts, ", ",
            db_->UuidParam(":b"),
            " FROM fifo_allocations WHERE allocation_version = :fv AND NOT (",
            db_->InList("symbol", ":ex"), ")"),
        {Param::Int(run_.allocation_version), Param::Int(next_seq_ - 1),
         Param::Text(run_.batch_id), Param::Int(from_version),
         Param::Text(excluded)});
    FIFO_RETURN_IF_ERROR(Check(copied.status()));
    next_seq_ += *copied;
    const std::string lots =
        "symbol, buy_order_id, remaining_size, snapshot_time, lot_seq, "
        "buy_time, price, size, total_fees_usd, consumed_size, "
        "consumed_fee_share";
    FIFO_RETURN_IF_ERROR(Check(
        db_->Exec(ctx,
                  absl::StrCat("INSERT INTO fifo_inventory_snapshot "
                               "(allocation_version, ",
                               lots, ") SELECT ", db_->IntParam(":nv"), ", ",
                               lots,
                               " FROM fifo_inventory_snapshot WHERE "
                               "allocation_version = :fv AND NOT (",
                               db_->InList("symbol", ":ex"), ")"),
                  {Param::Int(run_.allocation_version),
                   Param::Int(from_version), Param::Text(excluded)})
            .status()));
    const std::string marks =
        "symbol, hwm_time, hwm_order_id, ingest_seq_seen, snapshot_time";
    FIFO_RETURN_IF_ERROR(Check(
        db_->Exec(ctx,
                  absl::StrCat("INSERT INTO fifo_snapshot_watermark "
                               "(allocation_version, ",
                               marks, ") SELECT ", db_->IntParam(":nv"), ", ",
                               marks,
                               " FROM fifo_snapshot_watermark WHERE "
                               "allocation_version = :fv AND NOT (",
                               db_->InList("symbol", ":ex"), ")"),
                  {Param::Int(run_.allocation_version),
                   Param::Int(from_version), Param::Text(excluded)})
            .status()));
    return *copied;
  }

  absl::Status EnqueueReview(const UnmatchedSell& u) override {
    FIFO_RETURN_IF_ERROR(Ready());
    std::vector<std::string> inventory;
    for (const auto& [buy, remaining] : u.available_inventory) {
      inventory.push_back(absl::StrCat("{\"buy_order_id\":", JsonQuote(buy),
                                       ",\"remaining_size\":",
                                       JsonQuote(remaining.ToString()), "}"));
    }
    const std::string details = absl::StrCat(
        "{\"symbol\":", JsonQuote(u.symbol),
        ",\"sell_time\":", JsonQuote(Ts(u.sell_time)),
        ",\"sell_size\":", JsonQuote(u.sell_size.ToString()),
        ",\"unmatched_size\":", JsonQuote(u.unmatched_size.ToString()),
        ",\"available_inventory\":[", absl::StrJoin(inventory, ","), "]}");
    const std::string update_sql = absl::StrCat(
        "UPDATE manual_review_queue SET allocation_version = :v, details = ",
        db_->JsonParam(":d"),
        ", symbol = :s WHERE order_id = :o AND issue_type = "
        "'unmatched_sell' AND status = 'open'");
    const std::vector<Param> update = {
        Param::Int(run_.allocation_version), Param::Text(details),
        Param::Text(u.symbol), Param::Text(u.sell_order_id)};
    // A concurrent run (PostgreSQL: another transaction) may file the same
    // open item between the UPDATE and the INSERT: refresh it then, as the
    // UPDATE would have, instead of failing the run on the unique index.
    const std::string insert_sql = absl::StrCat(
        "INSERT INTO manual_review_queue (order_id, symbol, issue_type, "
        "severity, created_at, status, allocation_version, details) VALUES "
        "(:o, :s, 'unmatched_sell', 'high', ",
        db_->TsParam(":c"), ", 'open', :v, ", db_->JsonParam(":d"),
        ") ON CONFLICT (order_id, issue_type) WHERE status = 'open' DO UPDATE "
        "SET allocation_version = excluded.allocation_version, details = "
        "excluded.details, symbol = excluded.symbol");
    const std::vector<Param> insert = {
        Param::Text(u.sell_order_id), Param::Text(u.symbol),
        Param::Text(Ts(NowMicros())), Param::Int(run_.allocation_version),
        Param::Text(details)};
    return Write(false, [this, update_sql, update, insert_sql,
                         insert]() -> absl::Status {
      const std::string ctx = "enqueue review";
      absl::StatusOr<int64_t> updated = db_->Exec(ctx, update_sql, update);
      FIFO_RETURN_IF_ERROR(updated.status());
      if (*updated > 0) return absl::OkStatus();
      return db_->Exec(ctx, insert_sql, insert).status();
    });
  }

  absl::StatusOr<ComputationRun> Commit(const RunStats& stats) override {
    FIFO_RETURN_IF_ERROR(Ready());
    FIFO_RETURN_IF_ERROR(Settle());
    const absl::Time end = NowMicros();
    absl::StatusOr<int64_t> updated = db_->Exec(
        "commit run",
        absl::StrCat(
            "UPDATE fifo_computation_log SET status = 'completed', "
            "computation_end = ",
            db_->TsParam(":e"), ", computation_duration_ms = :d, "
            "buys_processed = :b, sells_processed = :s, allocations_created = "
            ":a, total_pnl_computed = ",
            db_->NumParam(":p"), ", symbols_processed = ",
            db_->ListParam(":y"), " WHERE id = :id AND status = 'running'"),
        {Param::Text(Ts(end)),
         Param::Int(absl::ToInt64Milliseconds(end - run_.start)),
         Param::Int(stats.buys_processed), Param::Int(stats.sells_processed),
         Param::Int(stats.allocations_created),
         Param::Text(stats.total_pnl.ToString()),
         Param::Text(db_->EncodeList(stats.symbols_processed)),
         Param::Int(run_.id)});
    FIFO_RETURN_IF_ERROR(Check(updated.status()));
    if (*updated != 1) {
      db_->Rollback();
      done_ = true;
      Unlock();
      return absl::AbortedError(absl::StrCat(
          "run ", run_.id,
          " is no longer running (marked failed or abandoned meanwhile); "
          "nothing was committed"));
    }
    // Read the final row inside the transaction: an error here leaves the
    // run uncommitted, so the caller's Abort tells the truth (a read after
    // COMMIT could fail and report a committed version as rolled back).
    FIFO_ASSIGN_OR_RETURN(ComputationRun final_run, LoadRun(*db_, run_.id));
    FIFO_RETURN_IF_ERROR(Check(db_->Commit("commit run")));
    done_ = true;
    Unlock();
    return final_run;
  }

  absl::Status Abort(const std::string& error_message) override {
    if (done_) {
      return absl::FailedPreconditionError(
          absl::StrCat("run ", run_.id, " was already committed or aborted"));
    }
    done_ = true;
    worker_.Stop();  // drops the queued writes, joins the thread
    if (db_->in_transaction()) db_->Rollback();
    const absl::Time end = NowMicros();
    absl::Status s =
        db_->Exec("abort run",
                  absl::StrCat("UPDATE fifo_computation_log SET status = "
                               "'failed', error_message = :m, computation_end "
                               "= ",
                               db_->TsParam(":e"),
                               ", computation_duration_ms = :d WHERE id = :id "
                               "AND status = 'running'"),
                  {Param::Text(error_message), Param::Text(Ts(end)),
                   Param::Int(absl::ToInt64Milliseconds(end - run_.start)),
                   Param::Int(run_.id)})
            .status();
    Unlock();
    return s;
  }

 private:
  // OK when writes may go on; begins the run's transaction on first use.
  absl::Status Ready() {
    if (done_) {
      return absl::FailedPreconditionError(
          absl::StrCat("run ", run_.id, " was already committed or aborted"));
    }
    if (failed_) {
      return absl::FailedPreconditionError(absl::StrCat(
          "run ", run_.id, ": an earlier write failed; call Abort"));
    }
    if (begun_) return absl::OkStatus();
    FIFO_RETURN_IF_ERROR(Check(db_->BeginWrite("begin run transaction")));
    if (!db_->sqlite()) {
      // Serialises writers of one version (incremental runs extend one).
      FIFO_RETURN_IF_ERROR(Check(
          db_->QueryOne("lock version",
                        "SELECT CAST(pg_advisory_xact_lock(CAST(:c AS "
                        "INTEGER), CAST(:v AS INTEGER)) AS TEXT)",
                        {Param::Int(kVersionLockClass),
                         Param::Int(run_.allocation_version)},
                        1)
              .status()));
    }
    absl::StatusOr<std::optional<Row>> max = db_->QueryOne(
        "begin run transaction",
        "SELECT COALESCE(MAX(seq), 0) FROM fifo_allocations WHERE "
        "allocation_version = :v",
        {Param::Int(run_.allocation_version)}, 1);
    FIFO_RETURN_IF_ERROR(Check(max.status()));
    absl::StatusOr<int64_t> last = Int((**max)[0], "MAX(seq)");
    FIFO_RETURN_IF_ERROR(Check(last.status()));
    next_seq_ = *last + 1;
    begun_ = true;
    return absl::OkStatus();
  }

  // Runs `job`, the run's next database work: on the worker thread once a
  // bulk write (`bulk`) has started it, at once otherwise. A queued job's
  // error is returned by a later Write, Settle or Commit.
  absl::Status Write(bool bulk, OrderedWorker::Job job) {
    if (!worker_.started() && !bulk) return Check(job());
    return Check(worker_.Submit(std::move(job)));
  }

  // Waits for the queued writes and stops the worker: the caller's thread
  // may use db_ again. Returns the first error of a queued write.
  absl::Status Settle() {
    absl::Status s = worker_.Drain();
    worker_.Stop();
    return Check(s);
  }

  absl::Status Check(absl::Status s) {
    if (!s.ok()) failed_ = true;
    return s;
  }

  // PostgreSQL: releases the session advisory lock that marks the run live.
  void Unlock() {
    if (db_->sqlite()) return;
    db_->QueryOne("unlock run",
                  "SELECT CAST(pg_advisory_unlock(CAST(:c AS INTEGER), "
                  "CAST(:id AS INTEGER)) AS TEXT)",
                  {Param::Int(kRunLockClass), Param::Int(run_.id)}, 1)
        .status()
        .IgnoreError();
  }

  const std::unique_ptr<SqlSession> db_;
  const ComputationRun run_;
  bool done_ = false;
  bool failed_ = false;
  int64_t next_seq_ = 1;
  bool begun_ = false;  // the run's transaction is open
  // Writes of at least this many rows hand the inserts to worker_, so that
  // the caller computes the next rows meanwhile; smaller runs stay
  // synchronous (each write's error is its own return value).
  static constexpr size_t kPipelineRows = 1024;
  // At most one write waits while another runs (bounded memory). Declared
  // last: destroyed (joined) before db_.
  OrderedWorker worker_{1};
};

// ------------------------------------------------------------ store -----

class SqlLedgerStore : public LedgerStore {
 public:
  using LedgerStore::ScanTrades;

  SqlLedgerStore(StoreUrl url, std::unique_ptr<SqlSession> db)
      : url_(std::move(url)), db_(std::move(db)) {}

  absl::string_view dialect() const override {
    return url_.dialect == Dialect::kSqlite ? "sqlite" : "postgresql";
  }

  // ------------------------------------------------------------ schema --

  absl::StatusOr<std::vector<AppliedMigration>> Migrate() override {
    absl::MutexLock lock(&mu_);
    const std::vector<Migration>& migrations = Migrations();
    const int latest = migrations.empty() ? 0 : migrations.back().version;
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

  absl::StatusOr<int> SchemaVersion() override {
    absl::MutexLock lock(&mu_);
    return SchemaVersionLocked();
  }

  absl::Status CheckSchema() override {
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

  // ------------------------------------------------------------ trades --

  absl::StatusOr<std::unique_ptr<TradeImport>> BeginImport(
      bool dry_run) override ABSL_NO_THREAD_SAFETY_ANALYSIS {
    mu_.Lock();
    auto import = std::make_unique<SqlTradeImport>(this, dry_run);
    const std::string ctx = "import trades";
    absl::Status s = db_->BeginWrite(ctx);
    if (s.ok()) {
      import->open_ = true;
      s = StartImportLocked(&import->next_seq_);
    }
    if (!s.ok()) return s;  // ~SqlTradeImport rolls back and unlocks
    import->first_seq_ = import->next_seq_;
    return import;
  }

  absl::StatusOr<std::vector<std::string>> ListSymbols() override {
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

  absl::StatusOr<int64_t> CountTrades(
      const std::optional<std::string>& symbol) override {
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

  absl::StatusOr<TradePage> ListTrades(const TradeFilter& filter) override {
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

  absl::Status ScanTrades(const std::string& symbol,
                          const std::optional<TradeKey>& after,
                          const TradeSink& sink, int page_size) override {
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

  absl::StatusOr<int64_t> MaxIngestSeq() override {
    absl::MutexLock lock(&mu_);
    FIFO_ASSIGN_OR_RETURN(
        std::optional<Row> row,
        db_->QueryOne("max ingest_seq",
                      "SELECT COALESCE(MAX(ingest_seq), 0) FROM trade_records",
                      {}, 1));
    return Int((*row)[0], "MAX(ingest_seq)");
  }

  absl::StatusOr<bool> HasTradesIngestedAfter(
      int64_t ingest_seq, const std::string& symbol,
      const TradeKey& at_or_before) override {
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

  // -------------------------------------------------------------- runs --

  absl::StatusOr<std::unique_ptr<RunWriter>> StartRun(
      const RunOptions& options) override {
    const bool incremental = options.mode == RunMode::kIncremental;
    if (options.mode == RunMode::kSymbol &&
        (!options.symbol.has_value() || options.symbol->empty())) {
      return absl::InvalidArgumentError("a symbol run needs a symbol");
    }
    if (incremental != options.extend_version.has_value()) {
      return absl::InvalidArgumentError(
          "extend_version is required for incremental runs and only for them");
    }
    FIFO_ASSIGN_OR_RETURN(std::unique_ptr<SqlSession> db, SqlSession::Open(url_));
    if (incremental) {
      FIFO_ASSIGN_OR_RETURN(bool completed,
                            VersionCompleted(*db, *options.extend_version));
      if (!completed) {
        return absl::FailedPreconditionError(
            absl::StrCat("cannot extend version ", *options.extend_version,
                         ": it has no completed run"));
      }
    }
    const std::string ctx = "start run";
    const absl::Time start = NowMicros();
    const std::string batch = NewUuid();
    const std::string owner =
        db->sqlite() ? SqliteOwner()
                     : absl::StrCat("pid:", getpid(), "@", HostName());
    const std::string version_expr =
        incremental ? db->IntParam(":v")
                    : "(SELECT COALESCE(MAX(allocation_version), 0) + 1 FROM "
                      "fifo_computation_log)";
    const std::string sql = absl::StrCat(
        "INSERT INTO fifo_computation_log (symbol, allocation_version, "
        "allocation_batch_id, computation_start, status, computation_mode, "
        "triggered_by, algorithm_version, config_hash, fallback_reason, owner) "
        "VALUES (:sym, ",
        version_expr, ", ", db->UuidParam(":b"), ", ", db->TsParam(":st"),
        ", 'running', :m, :tr, :al, :h, :f, :ow) RETURNING id");
    for (int attempt = 1;; ++attempt) {
      std::vector<Param> params = {Param::OptText(options.symbol)};
      if (incremental) params.push_back(Param::Int(*options.extend_version));
      for (Param p :
           {Param::Text(batch), Param::Text(Ts(start)),
            Param::Text(std::string(RunModeName(options.mode))),
            Param::Text(std::string(RunTriggerName(options.triggered_by))),
            Param::Int(options.algorithm_version),
            Param::Text(options.config_hash),
            Param::OptText(NullIfEmpty(options.fallback_reason)),
            Param::Text(owner)}) {
        params.push_back(std::move(p));
      }
      FIFO_RETURN_IF_ERROR(db->BeginWrite(ctx));
      if (db->sqlite()) {
        // Under the write lock, before this run holds it for its whole
        // duration: a dead run of this host is marked by the next run to
        // start even if no read or sweep came first (a read's mark would
        // otherwise wait for this run to end). Never on PostgreSQL: this
        // session is about to hold the new run's lock (MarkDeadRuns).
        absl::StatusOr<int64_t> marked = MarkDeadRuns(*db);
        if (!marked.ok()) {
          db->Rollback();
          return marked.status();
        }
      }
      absl::StatusOr<std::optional<Row>> row =
          db->QueryOne(ctx, sql, std::move(params), 1);
      absl::Status s = row.status();
      std::optional<int64_t> id;
      if (s.ok()) {
        absl::StatusOr<int64_t> parsed = Int((**row)[0], "id");
        s = parsed.status();
        if (s.ok()) id = *parsed;
      }
      if (s.ok() && !db->sqlite()) {
        // A live run holds this session lock (MarkAbandonedRuns); taken
        // before the row commits so the row is never seen without it.
        s = db->QueryOne(ctx,
                         "SELECT CAST(pg_advisory_lock(CAST(:c AS INTEGER), "
                         "CAST(:id AS INTEGER)) AS TEXT)",
                         {Param::Int(kRunLockClass), Param::Int(*id)}, 1)
                .status();
      }
      if (s.ok()) s = db->Commit(ctx);
      if (s.ok()) {
        FIFO_ASSIGN_OR_RETURN(ComputationRun run, LoadRun(*db, *id));
        return std::unique_ptr<RunWriter>(
            new SqlRunWriter(std::move(db), std::move(run)));
      }
      db->Rollback();
      if (id.has_value() && !db->sqlite()) {
        db->QueryOne(ctx,
                     "SELECT CAST(pg_advisory_unlock(CAST(:c AS INTEGER), "
                     "CAST(:id AS INTEGER)) AS TEXT)",
                     {Param::Int(kRunLockClass), Param::Int(*id)}, 1)
            .status()
            .IgnoreError();
      }
      // Another run took the same version first: read MAX again.
      if (s.code() == absl::StatusCode::kAlreadyExists && !incremental &&
          attempt < kMaxVersionAttempts) {
        continue;
      }
      return s;
    }
  }

  absl::StatusOr<int64_t> MarkAbandonedRuns() override {
    absl::MutexLock lock(&mu_);
    // db_ is the store's own session: it never takes a run's advisory lock
    // (StartRun opens a session of its own for each run), so its try-locks
    // below tell exactly whether another session holds one. SQLite: the
    // marking UPDATE needs the database's write lock, which a live run of
    // another process may hold for its whole duration; wait for it only
    // briefly (callers retry: the next read, run start or sweep), so that a
    // read path is never held up for the full busy timeout.
    if (db_->sqlite()) db_->SetBusyTimeoutMs(kMarkLockWaitMs);
    absl::StatusOr<int64_t> marked = MarkDeadRuns(*db_);
    if (db_->sqlite()) db_->SetBusyTimeoutMs(kSqliteBusyTimeoutMs);
    return marked;
  }

  absl::StatusOr<std::optional<int64_t>> LatestCompletedVersion() override {
    absl::MutexLock lock(&mu_);
    FIFO_ASSIGN_OR_RETURN(
        std::optional<Row> row,
        db_->QueryOne("latest version",
                      "SELECT MAX(allocation_version) FROM "
                      "fifo_computation_log WHERE status = 'completed'",
                      {}, 1));
    if (!(*row)[0].has_value()) return std::optional<int64_t>();
    FIFO_ASSIGN_OR_RETURN(int64_t v, Int((*row)[0], "version"));
    return std::optional<int64_t>(v);
  }

  absl::StatusOr<ComputationRun> GetRun(int64_t id) override {
    absl::MutexLock lock(&mu_);
    return LoadRun(*db_, id);
  }

  absl::StatusOr<std::optional<ComputationRun>> LatestCompletedRun(
      int64_t version) override {
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

  absl::StatusOr<RunPage> ListRuns(int limit,
                                   const std::string& page_token) override {
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

  // ---------------------------------------------------------- versions --

  absl::Status ScanAllocations(const AllocationFilter& filter,
                               const AllocationSink& sink) override {
    if (filter.page_size < 1) {
      return absl::InvalidArgumentError("page_size must be positive");
    }
    std::optional<std::pair<std::string, int64_t>> cursor;
    while (true) {
      std::vector<StoredAllocation> page;
      {
        absl::MutexLock lock(&mu_);
        std::vector<Param> params = {Param::Int(filter.version)};
        std::string sql =
            absl::StrCat("SELECT ", AllocationCols(*db_),
                         " FROM fifo_allocations WHERE allocation_version = :v");
        if (filter.symbol.has_value()) {
          sql += " AND symbol = :s";
          params.push_back(Param::Text(*filter.symbol));
        }
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
        if (cursor.has_value() && filter.symbol.has_value()) {
          // Within one symbol the key is seq alone: a (symbol, seq) row
          // comparison next to symbol = :s made SQLite range over every
          // later symbol of the version and sort, for every page (quadratic
          // in a symbol's rows).
          absl::StrAppend(&sql, " AND seq > ", db_->IntParam(":kq"));
          params.push_back(Param::Int(cursor->second));
        } else if (cursor.has_value()) {
          absl::StrAppend(&sql, " AND (symbol, seq) > (:ks, ",
                          db_->IntParam(":kq"), ")");
          params.push_back(Param::Text(cursor->first));
          params.push_back(Param::Int(cursor->second));
        }
        sql += " ORDER BY symbol, seq LIMIT :n";
        params.push_back(Param::Int(filter.page_size));
        FIFO_RETURN_IF_ERROR(db_->Query(
            "scan allocations", sql, params, kAllocationCols,
            [&](const Row& row) -> absl::Status {
              FIFO_ASSIGN_OR_RETURN(StoredAllocation a, RowToAllocation(row));
              page.push_back(std::move(a));
              return absl::OkStatus();
            }));
      }
      if (page.empty()) return absl::OkStatus();
      cursor = std::make_pair(page.back().allocation.symbol, page.back().seq);
      const bool last = page.size() < static_cast<size_t>(filter.page_size);
      FIFO_RETURN_IF_ERROR(sink(page));
      if (last) return absl::OkStatus();
    }
  }

  absl::StatusOr<StoredSnapshot> LoadSnapshot(
      int64_t version, const std::string& symbol) override {
    absl::MutexLock lock(&mu_);
    const std::string ctx = "load snapshot";
    FIFO_ASSIGN_OR_RETURN(
        std::optional<Row> mark,
        db_->QueryOne(
            ctx,
            absl::StrCat("SELECT ", db_->TsCol("hwm_time"),
                         ", hwm_order_id, ingest_seq_seen, ",
                         db_->TsCol("snapshot_time"),
                         " FROM fifo_snapshot_watermark WHERE "
                         "allocation_version = :v AND symbol = :s"),
            {Param::Int(version), Param::Text(symbol)}, 4));
    if (!mark.has_value()) {
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
    FIFO_RETURN_IF_ERROR(db_->Query(
        ctx,
        absl::StrCat("SELECT buy_order_id, ", db_->TsCol("buy_time"), ", ",
                     db_->NumCol("price"), ", ", db_->NumCol("size"), ", ",
                     db_->NumCol("total_fees_usd"), ", ",
                     db_->NumCol("consumed_size"), ", ",
                     db_->NumCol("consumed_fee_share"),
                     " FROM fifo_inventory_snapshot WHERE allocation_version "
                     "= :v AND symbol = :s ORDER BY lot_seq"),
        {Param::Int(version), Param::Text(symbol)}, 7,
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

  absl::StatusOr<std::vector<std::string>> ListSnapshotSymbols(
      int64_t version) override {
    absl::MutexLock lock(&mu_);
    FIFO_ASSIGN_OR_RETURN(
        std::vector<Row> rows,
        db_->QueryAll("list snapshot symbols",
                      "SELECT symbol FROM fifo_snapshot_watermark WHERE "
                      "allocation_version = :v ORDER BY symbol",
                      {Param::Int(version)}, 1));
    std::vector<std::string> out;
    for (const Row& r : rows) out.push_back(Str(r[0]));
    return out;
  }

  absl::StatusOr<std::vector<InvariantViolation>> RunInvariantQueries(
      int64_t version, const InvariantOptions& options) override;

  // ------------------------------------------------------------ review --

  absl::StatusOr<std::vector<ReviewItem>> ListReviewItems(
      ReviewFilter filter) override {
    absl::MutexLock lock(&mu_);
    std::string sql = absl::StrCat("SELECT ", ReviewCols(),
                                   " FROM manual_review_queue");
    if (filter == ReviewFilter::kOpen) sql += " WHERE status = 'open'";
    if (filter == ReviewFilter::kResolved) sql += " WHERE status = 'resolved'";
    sql += " ORDER BY id";
    std::vector<ReviewItem> out;
    FIFO_RETURN_IF_ERROR(db_->Query("list review items", sql, {}, kReviewCols,
                                    [&](const Row& row) -> absl::Status {
                                      FIFO_ASSIGN_OR_RETURN(ReviewItem item,
                                                            RowToReview(row));
                                      out.push_back(std::move(item));
                                      return absl::OkStatus();
                                    }));
    return out;
  }

  absl::StatusOr<ReviewItem> ResolveReviewItem(
      int64_t id, const std::string& note) override {
    absl::MutexLock lock(&mu_);
    const std::string ctx = "resolve review item";
    FIFO_ASSIGN_OR_RETURN(std::optional<ReviewItem> item, LoadReview(id));
    if (!item.has_value()) {
      return absl::NotFoundError(absl::StrCat("no review item ", id));
    }
    if (item->resolved) {
      return absl::FailedPreconditionError(
          absl::StrCat("review item ", id, " is already resolved"));
    }
    FIFO_ASSIGN_OR_RETURN(
        int64_t n,
        db_->Exec(ctx,
                  absl::StrCat("UPDATE manual_review_queue SET status = "
                               "'resolved', resolution_note = :n, resolved_at "
                               "= ",
                               db_->TsParam(":r"),
                               " WHERE id = :id AND status = 'open'"),
                  {Param::Text(note), Param::Text(Ts(NowMicros())),
                   Param::Int(id)}));
    if (n != 1) {
      return absl::FailedPreconditionError(
          absl::StrCat("review item ", id, " is already resolved"));
    }
    FIFO_ASSIGN_OR_RETURN(item, LoadReview(id));
    return *item;
  }

  // ------------------------------------------------------------ legacy --

  absl::StatusOr<LegacyStatus> GetLegacyStatus() override {
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

  absl::StatusOr<LegacySnapshotResult> CreateLegacySnapshot(
      absl::CivilDay day) override {
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

  absl::Status ScanLegacySells(const std::optional<std::string>& symbol,
                               const LegacySellSink& sink,
                               int page_size) override {
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

  absl::StatusOr<LegacyDropResult> DropLegacyColumns() override {
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

 private:
  static constexpr int kReviewCols = 11;

  // ------------------------------------------------------------ legacy --

  struct ColumnInfo {
    std::string name;        // as declared
    std::string lower_name;  // for matching
    std::string type;        // lower case declared / information_schema type
  };

  absl::StatusOr<bool> TableExistsLocked(absl::string_view ctx,
                                         const std::string& table)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
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

  absl::StatusOr<std::vector<ColumnInfo>> TableColumnsLocked(
      absl::string_view ctx, const std::string& table)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
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

  // The legacy columns trade_records has, in LegacyColumnNames() order.
  absl::StatusOr<std::vector<std::string>> LegacyColumnsLocked(
      absl::string_view ctx) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
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

  absl::Status RequireLegacyColumnsLocked(absl::string_view ctx,
                                          const std::vector<std::string>& needed)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
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

  static std::string QuoteIdent(absl::string_view name) {
    return absl::StrCat("\"", absl::StrReplaceAll(name, {{"\"", "\"\""}}),
                        "\"");
  }

  // Migration steps in C++, inside the migration's transaction.
  absl::Status BeforeMigrationLocked(int version)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    if (version == 1) return StageLegacyTableLocked();
    return absl::OkStatus();
  }

  absl::Status AfterMigrationLocked(int version)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    if (version != 2) return absl::OkStatus();
    FIFO_ASSIGN_OR_RETURN(bool staged,
                          TableExistsLocked("migrate", kLegacyTradeTable));
    if (!staged) return absl::OkStatus();
    return AdoptLegacyTradesLocked();
  }

  // Before 0001: an old system's trade_records is renamed out of the way.
  absl::Status StageLegacyTableLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
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

  // After 0002: copies the staged legacy rows into trade_records.
  absl::Status AdoptLegacyTradesLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
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
    FIFO_ASSIGN_OR_RETURN(
        std::optional<Row> max,
        db_->QueryOne(ctx,
                      "SELECT COALESCE(MAX(ingest_seq), 0) FROM trade_records",
                      {}, 1));
    FIFO_ASSIGN_OR_RETURN(int64_t next_seq, Int((*max)[0], "MAX(ingest_seq)"));
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


  const std::vector<Migration>& Migrations() const {
    return url_.dialect == Dialect::kSqlite ? SqliteMigrations()
                                            : PostgresqlMigrations();
  }

  static absl::Status NewerSchema(int current, int latest) {
    return absl::FailedPreconditionError(absl::StrCat(
        "the database schema is at version ", current,
        ", newer than this binary knows (", latest,
        "): use a newer fifoctl"));
  }

  // Begins a write transaction; on PostgreSQL also takes the transaction
  // advisory lock (cls, key).
  absl::Status BeginLocked(absl::string_view ctx, int cls, int64_t key)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
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

  absl::StatusOr<int> SchemaVersionLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
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

  // One import transaction (BeginImport): holds mu_ from BeginImport until
  // Finish or destruction.
  class SqlTradeImport : public TradeImport {
   public:
    SqlTradeImport(SqlLedgerStore* store, bool dry_run)
        : store_(store), dry_run_(dry_run) {}

    ~SqlTradeImport() override ABSL_NO_THREAD_SAFETY_ANALYSIS {
      if (!finished_) {
        if (open_) store_->db_->Rollback();
        store_->mu_.Unlock();
      }
    }

    absl::Status Add(absl::Span<const Trade> batch) override
        ABSL_NO_THREAD_SAFETY_ANALYSIS {
      if (finished_ || !status_.ok()) {
        return absl::FailedPreconditionError(
            finished_ ? "import already finished"
                      : absl::StrCat("import already failed: ",
                                     status_.message()));
      }
      status_ = AddBatch(batch);
      return status_;
    }

    ImportResult counts() const override { return result_; }

    absl::StatusOr<ImportResult> Finish() override
        ABSL_NO_THREAD_SAFETY_ANALYSIS {
      FIFO_RETURN_IF_ERROR(Add({}));
      absl::Status s;
      if (dry_run_) {
        store_->db_->Rollback();
      } else {
        s = store_->db_->Commit("import trades");
        if (!s.ok()) store_->db_->Rollback();
      }
      finished_ = true;
      store_->mu_.Unlock();
      if (!s.ok()) return s;
      return result_;
    }

   private:
    friend class SqlLedgerStore;

    absl::Status AddBatch(absl::Span<const Trade> batch)
        ABSL_NO_THREAD_SAFETY_ANALYSIS {
      std::vector<const Trade*> unique;
      unique.reserve(batch.size());
      absl::flat_hash_map<absl::string_view, const Trade*> seen;
      seen.reserve(batch.size());
      for (size_t i = 0; i < batch.size(); ++i) {
        FIFO_RETURN_IF_ERROR(ValidateForStore(batch[i], numbered_ + i));
        auto [it, inserted] = seen.emplace(batch[i].order_id, &batch[i]);
        if (inserted) {
          unique.push_back(&batch[i]);
          continue;
        }
        if (std::optional<FactDiff> d = DiffFacts(*it->second, batch[i])) {
          return TwiceInImport(batch[i].order_id, *d);
        }
        ++result_.unchanged;
      }
      numbered_ += batch.size();
      return store_->ImportBatchLocked(unique, first_seq_, &next_seq_,
                                       &result_);
    }

    SqlLedgerStore* store_;
    const bool dry_run_;
    bool open_ = false;       // the transaction is open
    bool finished_ = false;   // Finish ran (mu_ released)
    absl::Status status_;     // the first error; the import is dead after it
    int64_t first_seq_ = 0;   // ingest_seq of this import's first new trade
    int64_t next_seq_ = 0;
    size_t numbered_ = 0;     // trades given to Add so far
    ImportResult result_;
  };

  static absl::Status TwiceInImport(const std::string& order_id,
                                    const FactDiff& d) {
    return absl::AlreadyExistsError(absl::StrCat(
        "order_id ", Quoted(order_id),
        " appears twice in the import with different ", d.field, ": ",
        d.stored, " then ", d.incoming));
  }

  // In the open import transaction: takes PostgreSQL's import lock and
  // returns the first free ingest_seq.
  absl::Status StartImportLocked(int64_t* next_seq)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    const std::string ctx = "import trades";
    if (!db_->sqlite()) {
      // Serialises imports so that ingest_seq order is commit order.
      FIFO_RETURN_IF_ERROR(
          db_->Exec(ctx, "LOCK TABLE trade_records IN SHARE ROW EXCLUSIVE MODE")
              .status());
    }
    FIFO_ASSIGN_OR_RETURN(
        std::optional<Row> max,
        db_->QueryOne(ctx,
                      "SELECT COALESCE(MAX(ingest_seq), 0) FROM trade_records",
                      {}, 1));
    FIFO_ASSIGN_OR_RETURN(int64_t max_seq, Int((*max)[0], "MAX(ingest_seq)"));
    *next_seq = max_seq + 1;
    return absl::OkStatus();
  }

  // Records `trades` (distinct order ids) in the open import transaction.
  // A stored trade with ingest_seq >= first_seq came from this import (an
  // earlier batch): a conflict with it is reported as within the import.
  // Rows are written even for a dry run, whose Finish rolls back: so a dry
  // run sees its own earlier batches exactly as a real import does.
  absl::Status ImportBatchLocked(const std::vector<const Trade*>& trades,
                                 int64_t first_seq, int64_t* next_seq,
                                 ImportResult* result)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    const std::string ctx = "import trades";
    for (size_t begin = 0; begin < trades.size(); begin += kImportChunk) {
      const size_t end = std::min(trades.size(), begin + kImportChunk);
      std::vector<std::string> ids;
      for (size_t i = begin; i < end; ++i) ids.push_back(trades[i]->order_id);
      absl::flat_hash_map<std::string, std::pair<Trade, int64_t>> stored;
      FIFO_RETURN_IF_ERROR(db_->Query(
          ctx,
          absl::StrCat("SELECT ", TradeCols(*db_),
                       ", ingest_seq FROM trade_records WHERE ",
                       db_->InList("order_id", ":ids")),
          {Param::Text(db_->EncodeList(ids))}, kTradeCols + 1,
          [&](const Row& row) -> absl::Status {
            FIFO_ASSIGN_OR_RETURN(Trade t, RowToTrade(row));
            FIFO_ASSIGN_OR_RETURN(int64_t seq,
                                  Int(row[kTradeCols], "ingest_seq"));
            std::string id = t.order_id;
            stored.emplace(std::move(id), std::make_pair(std::move(t), seq));
            return absl::OkStatus();
          }));
      static const BulkTable* const kTable = new BulkTable{
          "trade_records",
          {"order_id", "symbol", "side", "size", "price", "order_time",
           "total_fees_usd", "status", "order_type", "source", "ingest_via",
           "ingest_seq"}};
      BulkRows rows;
      for (size_t i = begin; i < end; ++i) {
        const Trade& t = *trades[i];
        auto it = stored.find(t.order_id);
        if (it != stored.end()) {
          const auto& [stored_trade, stored_seq] = it->second;
          if (std::optional<FactDiff> d = DiffFacts(stored_trade, t)) {
            if (stored_seq >= first_seq) return TwiceInImport(t.order_id, *d);
            return absl::AlreadyExistsError(absl::StrCat(
                "order_id ", Quoted(t.order_id),
                " already exists with different facts: ", d->field, " is ",
                d->stored, " in the store, ", d->incoming,
                " in the import (trades are immutable, ERRATA 9); nothing "
                "was imported"));
          }
          ++result->unchanged;
          continue;
        }
        ++result->inserted;
        rows.Text(t.order_id);
        rows.Text(t.symbol);
        rows.Text(SideName(t.side));
        rows.Text(t.size.ToString());
        rows.Text(t.price.ToString());
        rows.Time(t.order_time);
        rows.Text(t.total_fees_usd.ToString());
        rows.OptText(NullIfEmpty(t.status));
        rows.OptText(NullIfEmpty(t.order_type));
        rows.Text(t.source);
        rows.OptText(NullIfEmpty(t.ingest_via));
        rows.Int((*next_seq)++);
      }
      FIFO_RETURN_IF_ERROR(db_->InsertRows(ctx, *kTable, rows));
    }
    return absl::OkStatus();
  }

  std::string ReviewCols() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    return absl::StrCat("id, order_id, symbol, issue_type, severity, ",
                        db_->TsCol("created_at"),
                        ", status, resolution_note, ",
                        db_->TsCol("resolved_at"), ", allocation_version, ",
                        db_->JsonCol("details"));
  }

  static absl::StatusOr<ReviewItem> RowToReview(const Row& row) {
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

  absl::StatusOr<std::optional<ReviewItem>> LoadReview(int64_t id)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    FIFO_ASSIGN_OR_RETURN(
        std::optional<Row> row,
        db_->QueryOne("load review item",
                      absl::StrCat("SELECT ", ReviewCols(),
                                   " FROM manual_review_queue WHERE id = :id"),
                      {Param::Int(id)}, kReviewCols));
    if (!row.has_value()) return std::optional<ReviewItem>();
    FIFO_ASSIGN_OR_RETURN(ReviewItem item, RowToReview(*row));
    return std::optional<ReviewItem>(std::move(item));
  }

  // Marks the 'running' runs whose owner is gone as failed/"abandoned" on
  // `db`, in `db`'s open transaction if any (each UPDATE commits on its own
  // otherwise); returns how many. Runs that end meanwhile are never touched
  // (each UPDATE re-checks status = 'running'). PostgreSQL: `db` must not
  // hold any run's advisory lock: the locks are re-entrant per session, so
  // a try-lock by the holder itself would succeed and mark a live run. Only
  // the store's db_ is passed here, never a RunWriter's session.
  static absl::StatusOr<int64_t> MarkDeadRuns(SqlSession& db) {
    const std::string ctx = "mark abandoned runs";
    FIFO_ASSIGN_OR_RETURN(
        std::vector<Row> rows,
        db.QueryAll(ctx,
                    "SELECT id, owner FROM fifo_computation_log WHERE "
                    "status = 'running' ORDER BY id",
                    {}, 2));
    const std::string host = HostName();
    int64_t marked = 0;
    for (const Row& row : rows) {
      FIFO_ASSIGN_OR_RETURN(int64_t id, Int(row[0], "id"));
      bool abandoned = false;
      if (db.sqlite()) {
        abandoned = !SqliteOwnerAlive(Str(row[1]), host);
      } else {
        // The run's own session holds this lock from before its row was
        // committed until after its final status was (StartRun, Commit,
        // Abort), and PostgreSQL releases it when that session ends: taking
        // it means the owner is gone. Held here only for the UPDATE.
        FIFO_ASSIGN_OR_RETURN(
            std::optional<Row> got,
            db.QueryOne(ctx,
                        "SELECT CAST(pg_try_advisory_lock(CAST(:c AS "
                        "INTEGER), CAST(:id AS INTEGER)) AS TEXT)",
                        {Param::Int(kRunLockClass), Param::Int(id)}, 1));
        abandoned = Str((*got)[0]) == "true";
      }
      if (!abandoned) continue;
      absl::StatusOr<int64_t> n = db.Exec(
          ctx,
          absl::StrCat("UPDATE fifo_computation_log SET status = 'failed', "
                       "error_message = 'abandoned', computation_end = ",
                       db.TsParam(":e"),
                       " WHERE id = :id AND status = 'running'"),
          {Param::Text(Ts(NowMicros())), Param::Int(id)});
      if (!db.sqlite()) {
        db.QueryOne(ctx,
                    "SELECT CAST(pg_advisory_unlock(CAST(:c AS INTEGER), "
                    "CAST(:id AS INTEGER)) AS TEXT)",
                    {Param::Int(kRunLockClass), Param::Int(id)}, 1)
            .status()
            .IgnoreError();
      }
      FIFO_RETURN_IF_ERROR(n.status());
      marked += *n;
    }
    return marked;
  }

  // "pid:<pid>:<start ticks>@<host>": alive when on another host (cannot
  // tell) or when that process still exists, is not a zombie, and has the
  // same start time (a reused pid has another).
  static bool SqliteOwnerAlive(const std::string& owner,
                               const std::string& host) {
    const size_t at = owner.rfind('@');
    if (!absl::StartsWith(owner, "pid:") || at == std::string::npos) {
      return false;
    }
    if (owner.substr(at + 1) != host) return true;
    std::vector<std::string> parts =
        absl::StrSplit(owner.substr(4, at - 4), ':');
    int64_t pid = 0;
    if (parts.size() != 2 || !absl::SimpleAtoi(parts[0], &pid) || pid <= 0) {
      return false;
    }
    const std::string ticks = ProcessStartTicks(pid);
    return !ticks.empty() && ticks == parts[1];
  }

  const StoreUrl url_;
  absl::Mutex mu_;
  const std::unique_ptr<SqlSession> db_ ABSL_PT_GUARDED_BY(mu_);
};

// --------------------------------------------------------- invariants ----

absl::StatusOr<std::vector<InvariantViolation>>
SqlLedgerStore::RunInvariantQueries(int64_t version,
                                    const InvariantOptions& options) {
  std::vector<std::string> symbols;
  {
    absl::MutexLock lock(&mu_);
    FIFO_ASSIGN_OR_RETURN(
        std::optional<Row> run,
        db_->QueryOne("invariants",
                      "SELECT id FROM fifo_computation_log WHERE "
                      "allocation_version = :v LIMIT 1",
                      {Param::Int(version)}, 1));
    if (!run.has_value()) {
      return absl::NotFoundError(
          absl::StrCat("no computation run has version ", version));
    }
    FIFO_ASSIGN_OR_RETURN(
        std::vector<Row> rows,
        db_->QueryAll("invariants",
                      "SELECT symbol FROM fifo_snapshot_watermark WHERE "
                      "allocation_version = :v UNION SELECT DISTINCT symbol "
                      "FROM fifo_allocations WHERE allocation_version = :v2",
                      {Param::Int(version), Param::Int(version)}, 1));
    for (const Row& r : rows) {
      std::string s = Str(r[0]);
      if (!options.symbol.has_value() || s == *options.symbol) {
        symbols.push_back(std::move(s));
      }
    }
    std::sort(symbols.begin(), symbols.end());
  }

  std::vector<InvariantViolation> out;
  for (const std::string& symbol : symbols) {
    std::optional<TradeKey> hwm;
    bool has_snapshot = true;
    absl::StatusOr<StoredSnapshot> snapshot = LoadSnapshot(version, symbol);
    if (snapshot.ok()) {
      hwm = snapshot->state.high_water_mark;
    } else if (absl::IsNotFound(snapshot.status())) {
      has_snapshot = false;
    } else {
      return snapshot.status();
    }
    struct TradeInfo {
      Side side;
      Decimal size;
      bool covered;  // at or before the version's high-water mark
      Decimal allocated;
    };
    absl::flat_hash_map<std::string, TradeInfo> trades;
    FIFO_RETURN_IF_ERROR(ScanTrades(
        symbol, std::nullopt,
        [&](const std::vector<Trade>& page) {
          for (const Trade& t : page) {
            const bool covered =
                !has_snapshot || (hwm.has_value() && KeyOf(t) <= *hwm);
            trades.emplace(t.order_id,
                           TradeInfo{t.side, t.size, covered, Decimal()});
          }
          return absl::OkStatus();
        },
        kDefaultScanPageSize));
    auto violation = [&](absl::string_view name, const std::string& order_id,
                         std::optional<int64_t> seq, std::string message) {
      out.push_back(InvariantViolation{std::string(name), symbol, order_id,
                                       seq, std::move(message)});
    };
    AllocationFilter filter;
    filter.version = version;
    filter.symbol = symbol;
    FIFO_RETURN_IF_ERROR(ScanAllocations(
        filter, [&](const std::vector<StoredAllocation>& page) {
          for (const StoredAllocation& s : page) {
            const Allocation& a = s.allocation;
            auto sell = trades.find(a.sell_order_id);
            if (sell == trades.end() || sell->second.side != Side::kSell) {
              violation("no_orphans", a.sell_order_id, s.seq,
                        absl::StrCat("allocation seq ", s.seq, " names sell ",
                                     Quoted(a.sell_order_id),
                                     ", which is not a sell of ", symbol));
            } else {
              sell->second.allocated += a.allocated_size;
            }
            if (!a.matched()) continue;  // ERRATA 3: unmatched rows
            auto buy = trades.find(*a.buy_order_id);
            if (buy == trades.end() || buy->second.side != Side::kBuy) {
              violation("no_orphans", *a.buy_order_id, s.seq,
                        absl::StrCat("allocation seq ", s.seq, " names buy ",
                                     Quoted(*a.buy_order_id),
                                     ", which is not a buy of ", symbol));
            } else {
              buy->second.allocated += a.allocated_size;
            }
            if (a.pnl_usd != a.net_proceeds_usd - a.cost_basis_usd) {
              violation("pnl_consistent", a.sell_order_id, s.seq,
                        absl::StrCat("allocation seq ", s.seq, ": pnl_usd ",
                                     a.pnl_usd.ToString(),
                                     " != net_proceeds_usd - cost_basis_usd ",
                                     (a.net_proceeds_usd - a.cost_basis_usd)
                                         .ToString()));
            }
            if (a.sell_time < a.buy_time) {
              violation("buy_before_sell", a.sell_order_id, s.seq,
                        absl::StrCat("allocation seq ", s.seq, ": buy ",
                                     Quoted(*a.buy_order_id), " at ",
                                     Ts(a.buy_time), " is after the sell at ",
                                     Ts(a.sell_time)));
            }
          }
          return absl::OkStatus();
        }));
    auto tol_it = options.sell_tolerance_by_symbol.find(symbol);
    const Decimal& tolerance = tol_it == options.sell_tolerance_by_symbol.end()
                                   ? options.default_sell_tolerance
                                   : tol_it->second;
    std::vector<std::string> ids;
    for (const auto& entry : trades) ids.push_back(entry.first);
    std::sort(ids.begin(), ids.end());
    for (const std::string& id : ids) {
      const TradeInfo& t = trades.at(id);
      if (t.side == Side::kSell) {
        if (!t.covered) {
          if (!t.allocated.is_zero()) {
            violation("sell_fully_allocated", id, std::nullopt,
                      absl::StrCat("sell ", Quoted(id),
                                   " is after the version's high-water mark "
                                   "but has allocated size ",
                                   t.allocated.ToString()));
          }
          continue;
        }
        if ((t.size - t.allocated).Abs() > tolerance) {
          violation("sell_fully_allocated", id, std::nullopt,
                    absl::StrCat("sell ", Quoted(id), " of size ",
                                 t.size.ToString(), " has ",
                                 t.allocated.ToString(),
                                 " allocated (matched + unmatched)"));
        }
      } else if (t.allocated > t.size) {
        violation("buy_not_over_allocated", id, std::nullopt,
                  absl::StrCat("buy ", Quoted(id), " of size ",
                               t.size.ToString(), " has ",
                               t.allocated.ToString(), " allocated"));
      }
    }
  }
  return out;
}

}  // namespace

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
