// File: storage/testing/legacy_ledger.h
//
// The database an old system left behind, for the tests of the legacy PnL
// columns (storage/legacy_test.cc) and of the legacy comparison over them
// (core/legacy_comparison_test.cc): its own trade_records table, with the
// seven derived legacy columns filled with WRONG values, created with raw
// SQL before the first migration so that LedgerStore::Migrate adopts it.
//
// The ledger: BTC-USD buys BUY-1 (0.5 at 30000) and BUY-2 (0.3 at 31000),
// sells SELL-1 (0.7; legacy pnl_usd -12.345678901234567891, parent BUY-2)
// and SELL-2 (0.1; pnl_usd 250); ETH-USD buy E-BUY (2, a time without an
// offset), sells E-SELL (3, side written "SELL"; pnl_usd 999.99, parents
// E-BUY and BUY-1 of another symbol) and E-SELL2 (0.1, no legacy values).
//
// Thread safety: call from the test's thread, on a store nobody else uses.
#ifndef FIFO_STORAGE_TESTING_LEGACY_LEDGER_H_
#define FIFO_STORAGE_TESTING_LEGACY_LEDGER_H_

#include "absl/status/status.h"
#include "storage/testing/test_store.h"

namespace fifo::testing {

// Creates the old system's trade_records (with its indexes and, on SQLite,
// a trigger of its own) and its seven trades in `store`, which must be empty
// (never migrated), through a raw session of its own. Errors: kInternal
// naming the statement that failed and why.
absl::Status CreateOldSystemDatabase(const TestStore& store);

}  // namespace fifo::testing

#endif  // FIFO_STORAGE_TESTING_LEGACY_LEDGER_H_
