// File: storage/trade_import.h
//
// TradeImport: one streaming import of trades, fed in batches into ONE
// transaction (LedgerStore::BeginImport, ledger_store.h, which states what
// is checked and which errors follow). The contract, including thread
// safety, is on the class.
#ifndef FIFO_STORAGE_TRADE_IMPORT_H_
#define FIFO_STORAGE_TRADE_IMPORT_H_

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "engine/trade.h"
#include "storage/records.h"

namespace fifo {

// One import transaction fed in batches (LedgerStore::BeginImport). Trades
// are numbered across batches ("trade #N" in errors counts from the first
// trade of the first batch). A duplicate order_id across batches is treated
// exactly as one within a batch: identical facts count as unchanged,
// different facts fail the import. Not thread-safe.
class TradeImport {
 public:
  // Rolls back unless Finish succeeded.
  virtual ~TradeImport() = default;

  // Checks `batch` and records it inside the open transaction. After an
  // error the import is dead: nothing is written, later calls fail.
  virtual absl::Status Add(absl::Span<const Trade> batch) = 0;

  // The counts of the trades added so far: what Finish returns when it
  // commits. Lets a caller answer its client before committing, so that an
  // answer that cannot be delivered leaves nothing written.
  virtual ImportResult counts() const = 0;

  // Commits (a dry run rolls back instead) and returns the counts.
  virtual absl::StatusOr<ImportResult> Finish() = 0;
};

}  // namespace fifo

#endif  // FIFO_STORAGE_TRADE_IMPORT_H_
