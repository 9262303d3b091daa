#include "storage/ledger_store.h"

#include <cstdlib>

#include "absl/strings/str_cat.h"
#include "common/status_macros.h"
#include "storage/sql_ledger_store.h"
#include "storage/store_url.h"

namespace fifo {

absl::StatusOr<ImportResult> LedgerStore::ImportTrades(
    const std::vector<Trade>& trades, bool dry_run) {
  FIFO_ASSIGN_OR_RETURN(std::unique_ptr<TradeImport> import,
                        BeginImport(dry_run));
  FIFO_RETURN_IF_ERROR(import->Add(trades));
  return import->Finish();
}

absl::StatusOr<std::unique_ptr<LedgerStore>> OpenLedgerStore(
    const std::string& url) {
  return storage_internal::OpenSqlLedgerStore(url);
}

std::string DefaultStoreUrl() {
  const char* env = std::getenv("FIFO_DB");
  if (env != nullptr && env[0] != '\0') return env;
  return "sqlite:fifo.db";
}

std::string RedactStoreUrl(const std::string& url) {
  absl::StatusOr<storage_internal::StoreUrl> parsed =
      storage_internal::ParseStoreUrl(url);
  if (parsed.ok()) return parsed->redacted;
  if (url.find("://") != std::string::npos) {
    return storage_internal::RedactPostgresUri(url);
  }
  // Unparsable: keep only the scheme.
  const size_t colon = url.find(':');
  return colon == std::string::npos ? std::string("<store url>")
                                    : absl::StrCat(url.substr(0, colon), ":***");
}

}  // namespace fifo
