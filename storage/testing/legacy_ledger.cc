#include "storage/testing/legacy_ledger.h"

#include <memory>
#include <string>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "soci/soci.h"

namespace fifo::testing {
namespace {

// The old system's trade_records: the design's table plus the seven derived
// columns, with the design's index names. SQLite's old system declared
// DECIMAL (NUMERIC affinity: 0.5 is stored as a REAL) and kept pnl_usd as
// TEXT; times without an offset (UTC by SQLite's convention) in one row.
const char kOldSqliteSchema[] = R"sql(
CREATE TABLE trade_records (
    order_id VARCHAR PRIMARY KEY,
    symbol VARCHAR NOT NULL,
    side VARCHAR NOT NULL,
    size DECIMAL NOT NULL,
    price DECIMAL NOT NULL,
    order_time TIMESTAMP NOT NULL,
    total_fees_usd DECIMAL DEFAULT 0,
    status VARCHAR,
    order_type VARCHAR,
    "trigger" TEXT,
    source VARCHAR NOT NULL,
    ingest_via VARCHAR,
    last_reconciled_at TIMESTAMP,
    last_reconciled_via VARCHAR,
    remaining_size DECIMAL,
    created_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP,
    updated_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP,
    parent_id VARCHAR,
    parent_ids TEXT,
    pnl_usd TEXT,
    cost_basis_usd DECIMAL,
    sale_proceeds_usd DECIMAL,
    net_sale_proceeds_usd DECIMAL,
    realized_profit DECIMAL
);
CREATE INDEX idx_trade_records_symbol_time ON trade_records(symbol, order_time);
CREATE INDEX idx_trade_records_side_symbol ON trade_records(side, symbol);
CREATE INDEX idx_trade_records_order_time ON trade_records(order_time DESC);
CREATE TRIGGER trade_records_old_touch AFTER UPDATE ON trade_records
BEGIN SELECT 1; END;
)sql";

const char kOldPostgresSchema[] = R"sql(
CREATE TABLE trade_records (
    order_id VARCHAR PRIMARY KEY,
    symbol VARCHAR NOT NULL,
    side VARCHAR NOT NULL,
    size DECIMAL NOT NULL CHECK (size > 0),
    price DECIMAL NOT NULL CHECK (price > 0),
    order_time TIMESTAMP WITH TIME ZONE NOT NULL,
    total_fees_usd DECIMAL DEFAULT 0,
    status VARCHAR,
    order_type VARCHAR,
    "trigger" JSONB,
    source VARCHAR NOT NULL,
    ingest_via VARCHAR,
    last_reconciled_at TIMESTAMP WITH TIME ZONE,
    last_reconciled_via VARCHAR,
    remaining_size DECIMAL,
    created_at TIMESTAMP WITH TIME ZONE DEFAULT NOW(),
    updated_at TIMESTAMP WITH TIME ZONE DEFAULT NOW(),
    parent_id VARCHAR,
    parent_ids TEXT[],
    pnl_usd DECIMAL,
    cost_basis_usd DECIMAL,
    sale_proceeds_usd DECIMAL,
    net_sale_proceeds_usd DECIMAL,
    realized_profit DECIMAL
);
CREATE INDEX idx_trade_records_symbol_time ON trade_records(symbol, order_time);
CREATE INDEX idx_trade_records_side_symbol ON trade_records(side, symbol);
CREATE INDEX idx_trade_records_order_time ON trade_records(order_time DESC);
)sql";

}  // namespace

absl::Status CreateOldSystemDatabase(const TestStore& store) {
  const bool sqlite = absl::StartsWith(store.url(), "sqlite:");
  std::unique_ptr<soci::session> raw = store.OpenRawSession();
  auto run = [&](const std::string& sql) -> absl::Status {
    const std::string error = ExecRaw(*raw, sql);
    if (error.empty()) return absl::OkStatus();
    return absl::InternalError(absl::StrCat(sql, ": ", error));
  };
  absl::Status created = run(sqlite ? kOldSqliteSchema : kOldPostgresSchema);
  if (!created.ok()) return created;
  const std::string ids_sell1 = sqlite ? "'[\"BUY-2\"]'" : "'{BUY-2}'";
  const std::string ids_esell =
      sqlite ? "'[\"E-BUY\",\"BUY-1\"]'" : "'{E-BUY,BUY-1}'";
  const std::string naive =
      sqlite ? "'2025-11-20 09:00:00'" : "'2025-11-20T09:00:00Z'";
  const std::string cols =
      "(order_id, symbol, side, size, price, order_time, total_fees_usd, "
      "source, status, parent_id, parent_ids, pnl_usd, cost_basis_usd, "
      "sale_proceeds_usd, net_sale_proceeds_usd, realized_profit, "
      "remaining_size)";
  for (const std::string& values : {
           // Buys: the old system left remaining_size on them.
           std::string("('BUY-1', 'BTC-USD', 'buy', 0.5, 30000, "
                       "'2025-11-20T10:00:00Z', 1.00, 'websocket', "
                       "'FILLED', NULL, NULL, NULL, NULL, NULL, NULL, NULL, "
                       "0)"),
           std::string("('BUY-2', 'BTC-USD', 'buy', 0.3, 31000, "
                       "'2025-11-20T10:05:00Z', 0.30, 'websocket', "
                       "'FILLED', NULL, NULL, NULL, NULL, NULL, NULL, NULL, "
                       "0.1)"),
           // Corrupted: matched to BUY-2 only, a nonsense PnL.
           absl::StrCat("('SELL-1', 'BTC-USD', 'sell', 0.7, 32000, "
                        "'2025-11-20T10:10:00Z', 0.70, 'websocket', "
                        "'FILLED', 'BUY-2', ",
                        ids_sell1,
                        ", '-12.345678901234567891', 21700, 22400, "
                        "22399.3, 1, NULL)"),
           std::string("('SELL-2', 'BTC-USD', 'sell', 0.1, 33000, "
                       "'2025-11-20T10:20:00Z', 0, 'websocket', 'FILLED', "
                       "'BUY-1', NULL, '250', 3000, 3300, 3300, 300, "
                       "NULL)"),
           absl::StrCat("('E-BUY', 'ETH-USD', 'buy', 2, 2000, ", naive,
                        ", 0.5, 'manual', NULL, NULL, NULL, NULL, NULL, "
                        "NULL, NULL, NULL, NULL)"),
           // Upper-case side, a parent from another symbol.
           absl::StrCat("('E-SELL', 'ETH-USD', 'SELL', 3, 2100, "
                        "'2025-11-21T09:00:00Z', 0.3, 'manual', NULL, "
                        "'E-BUY', ",
                        ids_esell,
                        ", '999.99', 4000, 6300, 6299.7, 2299.7, NULL)"),
           // A sell the old system never priced.
           std::string("('E-SELL2', 'ETH-USD', 'sell', 0.1, 2200, "
                       "'2025-11-21T10:00:00Z', 0, 'manual', NULL, NULL, "
                       "NULL, NULL, NULL, NULL, NULL, NULL, NULL)"),
       }) {
    absl::Status inserted =
        run(absl::StrCat("INSERT INTO trade_records ", cols, " VALUES ", values));
    if (!inserted.ok()) return inserted;
  }
  return absl::OkStatus();
}

}  // namespace fifo::testing
