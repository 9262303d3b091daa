#include "core/retention.h"

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/time.h"
#include "common/log.h"
#include "common/status_macros.h"

namespace fifo {

absl::StatusOr<PruneResult> PruneVersions(LedgerStore& store,
                                          const PruneOptions& options) {
  FIFO_ASSIGN_OR_RETURN(PruneResult result, store.PruneVersions(options));
  LogEvent(LogLevel::kInfo,
           options.dry_run ? "prune_dry_run" : "versions_pruned",
           {{"versions_removed", absl::StrJoin(result.versions_removed, ",")},
            {"segments_removed", result.segments_removed},
            {"allocations_removed", result.allocations_removed},
            {"lots_removed", result.lots_removed},
            {"versions_kept", absl::StrJoin(result.versions_kept, ",")},
            {"keep_last", options.keep_last.has_value()
                              ? absl::StrCat(*options.keep_last)
                              : ""},
            {"older_than", options.older_than.has_value()
                               ? absl::FormatDuration(*options.older_than)
                               : ""}});
  return result;
}

}  // namespace fifo
