// File: core/retention.h
//
// Retention of allocation versions: removes old versions' manifests and the
// segments no version references any more (LedgerStore::PruneVersions),
// and logs what it removed. The latest completed version, versions named in
// PruneOptions::keep and the bases of running runs are never removed.
//
// Thread safety: as the store's (safe against concurrent computations).
#ifndef FIFO_CORE_RETENTION_H_
#define FIFO_CORE_RETENTION_H_

#include "absl/status/statusor.h"
#include "storage/ledger_store.h"

namespace fifo {

// Errors: those of LedgerStore::PruneVersions (kInvalidArgument for rules
// that keep nothing or are malformed; kUnavailable when the database stays
// locked by a long run).
absl::StatusOr<PruneResult> PruneVersions(LedgerStore& store,
                                          const PruneOptions& options);

}  // namespace fifo

#endif  // FIFO_CORE_RETENTION_H_
