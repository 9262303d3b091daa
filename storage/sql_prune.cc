// SqlLedgerStore::PruneVersions: retention of old versions (see
// LedgerStore::PruneVersions for the contract).
#include <algorithm>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/status_macros.h"
#include "storage/sql_ledger_store.h"
#include "storage/sql_rows.h"

namespace fifo {
namespace storage_internal {
namespace {

// The segments no version references (a run's own segments are invisible
// to other sessions until it publishes them with their manifest).
constexpr char kUnreferenced[] =
    "SELECT s.id FROM fifo_segments s WHERE NOT EXISTS (SELECT 1 FROM "
    "fifo_version_segments vs WHERE vs.segment_id = s.id)";

}  // namespace

absl::StatusOr<PruneResult> SqlLedgerStore::PruneVersions(
    const PruneOptions& options) {
  if (!options.keep_last.has_value() && !options.older_than.has_value()) {
    return absl::InvalidArgumentError(
        "say which versions to keep: --keep-last N and/or --older-than "
        "DURATION");
  }
  if (options.keep_last.has_value() && *options.keep_last < 1) {
    return absl::InvalidArgumentError(absl::StrCat(
        "keep_last must be at least 1 (the latest completed version is "
        "always kept), got ", *options.keep_last));
  }
  if (options.older_than.has_value() && *options.older_than < absl::ZeroDuration()) {
    return absl::InvalidArgumentError("older_than must not be negative");
  }
  const std::string ctx = "prune versions";
  absl::MutexLock lock(&mu_);
  FIFO_RETURN_IF_ERROR(db_->BeginWrite(ctx));
  absl::StatusOr<PruneResult> result = [&]() -> absl::StatusOr<PruneResult> {
    if (!db_->sqlite()) {
      // The publish lock: no version is published while this runs.
      FIFO_RETURN_IF_ERROR(
          db_->QueryOne(ctx,
                        "SELECT CAST(pg_advisory_xact_lock(CAST(:c AS "
                        "INTEGER), 0) AS TEXT)",
                        {Param::Int(kPublishLockClass)}, 1)
              .status());
    }
    struct Published {
      int64_t version;
      absl::Time at;
    };
    std::vector<Published> versions;
    FIFO_RETURN_IF_ERROR(db_->Query(
        ctx,
        absl::StrCat("SELECT allocation_version, ",
                     db_->TsCol("MAX(computation_end)"),
                     " FROM fifo_computation_log WHERE status = 'completed' "
                     "AND allocation_version IS NOT NULL AND pruned_at IS "
                     "NULL GROUP BY allocation_version ORDER BY "
                     "allocation_version"),
        {}, 2, [&](const Row& r) -> absl::Status {
          Published p;
          FIFO_ASSIGN_OR_RETURN(p.version, Int(r[0], "allocation_version"));
          FIFO_ASSIGN_OR_RETURN(p.at, Time(r[1], "computation_end"));
          versions.push_back(p);
          return absl::OkStatus();
        }));
    std::set<int64_t> protect(options.keep.begin(), options.keep.end());
    // Versions that running runs reference or extend.
    FIFO_RETURN_IF_ERROR(db_->Query(
        ctx,
        "SELECT basis_version, allocation_version FROM fifo_computation_log "
        "WHERE status = 'running'",
        {}, 2, [&](const Row& r) -> absl::Status {
          for (int i = 0; i < 2; ++i) {
            if (!r[i].has_value()) continue;
            FIFO_ASSIGN_OR_RETURN(int64_t v, Int(r[i], "version"));
            protect.insert(v);
          }
          return absl::OkStatus();
        }));
    const int64_t keep_last = options.keep_last.value_or(1);
    const absl::Time now = NowMicros();
    PruneResult out;
    std::vector<int64_t> remove;
    for (size_t i = 0; i < versions.size(); ++i) {
      const Published& p = versions[i];
      const bool among_newest =
          static_cast<int64_t>(versions.size() - i) <= keep_last;
      const bool recent = options.older_than.has_value() &&
                          p.at > now - *options.older_than;
      if (among_newest || recent || protect.count(p.version) > 0) {
        out.versions_kept.push_back(p.version);
      } else {
        remove.push_back(p.version);
      }
    }
    for (int64_t v : remove) {
      FIFO_RETURN_IF_ERROR(
          db_->Exec(ctx,
                    "DELETE FROM fifo_version_segments WHERE "
                    "allocation_version = :v",
                    {Param::Int(v)})
              .status());
      FIFO_RETURN_IF_ERROR(
          db_->Exec(ctx,
                    absl::StrCat("UPDATE fifo_computation_log SET pruned_at = ",
                                 db_->TsParam(":t"),
                                 " WHERE allocation_version = :v AND "
                                 "pruned_at IS NULL"),
                    {Param::Text(Ts(now)), Param::Int(v)})
              .status());
    }
    out.versions_removed = remove;
    if (!remove.empty()) {
      FIFO_ASSIGN_OR_RETURN(
          out.lots_removed,
          db_->Exec(ctx,
                    absl::StrCat("DELETE FROM fifo_inventory_snapshot WHERE "
                                 "segment_id IN (",
                                 kUnreferenced, ")"),
                    {}));
      FIFO_ASSIGN_OR_RETURN(
          out.allocations_removed,
          db_->Exec(ctx,
                    absl::StrCat("DELETE FROM fifo_allocations WHERE "
                                 "segment_id IN (",
                                 kUnreferenced, ")"),
                    {}));
      FIFO_ASSIGN_OR_RETURN(
          out.segments_removed,
          db_->Exec(ctx,
                    absl::StrCat("DELETE FROM fifo_segments WHERE id IN (",
                                 kUnreferenced, ")"),
                    {}));
    }
    return out;
  }();
  if (!result.ok() || options.dry_run) {
    db_->Rollback();
    return result;
  }
  FIFO_RETURN_IF_ERROR(db_->Commit(ctx));
  return result;
}

}  // namespace storage_internal
}  // namespace fifo
