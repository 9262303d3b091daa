// File: tests/e2e/ledger_generator.h
//
// The end-to-end tests' ledgers: bench/ledger_generator.h (the project's
// one ledger generator) with the defaults these tests were written for. A
// few thousand trades of the balanced shape over BTC-USD, ETH-USD and
// LTC-USD, 37 s apart from 2025-01-01Z, with partial fills, fees that do not
// divide evenly, sells that exceed the inventory (unmatched rows, review
// items) and optionally a symbol that has only sells (orphan_sells). The
// same options always give the same trades, so a test can build the ledger
// twice (a remote store and a local one) or extend it later with trades that
// come after it in time (a later `start`, another `id_prefix`).
//
//   LedgerOptions options;
//   options.trades = 3000;
//   std::vector<Trade> trades = GenerateLedger(options);
//
// Thread safety: pure functions.
#ifndef FIFO_TESTS_E2E_LEDGER_GENERATOR_H_
#define FIFO_TESTS_E2E_LEDGER_GENERATOR_H_

#include <string>
#include <vector>

#include "absl/time/time.h"
#include "bench/ledger_generator.h"
#include "engine/trade.h"

namespace fifo {
namespace e2e {

// bench::LedgerOptions with the end-to-end defaults; every field of it
// applies (see bench/ledger_generator.h).
struct LedgerOptions : bench::LedgerOptions {
  LedgerOptions() {
    shape = bench::LedgerShape::kBalanced;
    symbol_names = {"BTC-USD", "ETH-USD", "LTC-USD"};
    id_prefix = "G-";  // "G-000000", "G-000001", ...
    id_digits = 6;
    start = absl::FromUnixSeconds(1735689600);  // 2025-01-01Z
    spacing = absl::Seconds(37);
  }
};

// The trades described by `options` (valid, ordered by order_time).
using bench::GenerateLedger;

// The trades as a trades CSV (formats/trades_csv.h), header included.
std::string LedgerCsv(const std::vector<Trade>& trades);

}  // namespace e2e
}  // namespace fifo

#endif  // FIFO_TESTS_E2E_LEDGER_GENERATOR_H_
