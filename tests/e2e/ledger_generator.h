// File: tests/e2e/ledger_generator.h
//
// Deterministic synthetic ledgers for the end-to-end tests: a few thousand
// trades over several symbols, with partial fills, fees that do not divide
// evenly, sells that exceed the inventory (unmatched rows, review items) and
// optionally a symbol that has only sells. The same options always give the
// same trades, so a test can build the ledger twice (a remote store and a
// local one) or extend it later with trades that come after it in time.
//
//   LedgerOptions options;
//   options.trades = 3000;
//   std::vector<Trade> trades = GenerateLedger(options);
//
// Thread safety: pure functions.
#ifndef FIFO_TESTS_E2E_LEDGER_GENERATOR_H_
#define FIFO_TESTS_E2E_LEDGER_GENERATOR_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "engine/trade.h"

namespace fifo {
namespace e2e {

struct LedgerOptions {
  // Trades over `symbols` (buys and sells), in time order.
  int trades = 1000;
  std::vector<std::string> symbols = {"BTC-USD", "ETH-USD", "LTC-USD"};
  // Extra sells (no buys at all) of `orphan_symbol`, each one an unmatched
  // sell; 0 for none.
  int orphan_sells = 0;
  std::string orphan_symbol = "ZZZ-USD";
  // order_id prefix; ledgers meant to be combined need different prefixes.
  std::string id_prefix = "G";
  // Time of the first trade; trades are `spacing` apart.
  absl::Time start = absl::FromUnixSeconds(1735689600);  // 2025-01-01Z
  absl::Duration spacing = absl::Seconds(37);
  uint32_t seed = 1;
};

// The trades described by `options`, valid (ValidateTrade), ordered by
// order_time.
std::vector<Trade> GenerateLedger(const LedgerOptions& options);

// The trades as a trades CSV (formats/trades_csv.h), header included.
std::string LedgerCsv(const std::vector<Trade>& trades);

}  // namespace e2e
}  // namespace fifo

#endif  // FIFO_TESTS_E2E_LEDGER_GENERATOR_H_
