// File: core/test_ledger.h
//
// Test-only fixtures for the core's tests and the in-process service tests
// (service/*_service_test.cc): a fresh SQLite store under $TEST_TMPDIR,
// made ready by OpenStoreForUse (core/open_store.h), and a fixed six-trade
// ledger whose FIFO allocations are easy to check by hand. Not a ledger
// generator: benchmarks and large tests use the shared one.
//
// The ledger (fees 0 unless said):
//   BTC-USD  b1 buy  1 @ 100   2025-01-10T00:00:00Z
//            b2 buy  1 @ 200   2025-01-11T00:00:00Z
//            s1 sell 1.5 @ 300 2025-02-01T00:00:00Z   b1 1 (+200), b2 0.5 (+50)
//   ETH-USD  e1 buy  2 @ 10    2025-01-15T00:00:00Z
//            e2 sell 1 @ 15    2025-03-01T00:00:00Z   e1 1 (+5)
//            e3 sell 2 @ 20    2025-03-02T00:00:00Z   e1 1 (+10), 1 unmatched
// so a full computation has 5 allocation rows (1 unmatched), 3 matched
// sells, 3 buys used and a realized PnL of 265; 0.5 BTC-USD (cost 100)
// stays open.
//
// Thread safety: plain functions; TempSqliteUrl may be called concurrently.
#ifndef FIFO_CORE_TEST_LEDGER_H_
#define FIFO_CORE_TEST_LEDGER_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "engine/trade.h"
#include "storage/ledger_store.h"

namespace fifo::testing {

// "sqlite:$TEST_TMPDIR/<name>-<n>.db" for a file that does not exist yet
// (n counts the calls of this process).
std::string TempSqliteUrl(absl::string_view name);

// A trade with the given facts, source "manual"; `time` is RFC 3339.
// REQUIRES: valid decimals and timestamp (a test fixture).
Trade MakeTrade(absl::string_view order_id, absl::string_view symbol, Side side,
                absl::string_view size, absl::string_view price,
                absl::string_view time);

// The six trades above, in no particular order.
std::vector<Trade> SmallLedger();

// OpenStoreForUse(TempSqliteUrl(name)): a migrated, empty SQLite store.
absl::StatusOr<std::unique_ptr<LedgerStore>> OpenTempSqliteStore(
    absl::string_view name);

// A full computation of the store's trades (Computations::ComputeAllSymbols,
// exact symbol configuration, no alerts); the completed run.
absl::StatusOr<ComputationRun> ComputeAll(LedgerStore& store);

}  // namespace fifo::testing

#endif  // FIFO_CORE_TEST_LEDGER_H_
