#include "core/open_store.h"

#include <utility>

#include "common/status_macros.h"

namespace fifo {

absl::Status PrepareStoreForUse(LedgerStore& store) {
  absl::Status schema = store.CheckSchema();
  if (schema.ok()) return absl::OkStatus();
  FIFO_ASSIGN_OR_RETURN(int version, store.SchemaVersion());
  if (store.dialect() != "sqlite" || version != 0) return schema;
  // The embedded default needs no set-up: create the schema.
  return store.Migrate().status();
}

absl::StatusOr<std::unique_ptr<LedgerStore>> OpenStoreForUse(
    const std::string& url) {
  FIFO_ASSIGN_OR_RETURN(std::unique_ptr<LedgerStore> store,
                        OpenLedgerStore(url));
  FIFO_RETURN_IF_ERROR(PrepareStoreForUse(*store));
  return store;
}

}  // namespace fifo
