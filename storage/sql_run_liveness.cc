// SqlLedgerStore's run bookkeeping: StartRun's log row and the liveness of
// its owner (PostgreSQL's session advisory lock, SQLite's pid and process
// start time), and MarkAbandonedRuns, which fails the runs whose owner is
// gone (see LedgerStore::MarkAbandonedRuns for how death is told).
#include <unistd.h>
#include <uuid/uuid.h>

#include <fstream>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/status_macros.h"
#include "storage/sql_ledger_store.h"
#include "storage/sql_rows.h"

namespace fifo {
namespace storage_internal {
namespace {

// SQLite: how long MarkAbandonedRuns waits for the write lock (ms), instead
// of SqlSession::kDefaultBusyTimeoutMs.
constexpr int kMarkLockWaitMs = 2000;
// StartRun: attempts of a new version before giving up, when concurrent
// runs keep taking the one it read.
constexpr int kMaxVersionAttempts = 50;

std::string NewUuid() {
  uuid_t id;
  uuid_generate_random(id);
  char text[37];
  uuid_unparse_lower(id, text);
  return text;
}

std::string HostName() {
  char name[256] = {0};
  if (gethostname(name, sizeof(name) - 1) != 0) return "unknown";
  return name;
}

// Field 22 of /proc/PID/stat (start time in clock ticks since boot), or ""
// when the process does not exist or has exited: a process killed (even by
// kill -9) stays a zombie, with the same stat line, until its parent reaps
// it, so state Z (zombie) or X/x (dead) counts as gone.
std::string ProcessStartTicks(int64_t pid) {
  std::ifstream in(absl::StrCat("/proc/", pid, "/stat"));
  if (!in) return "";
  std::stringstream buffer;
  buffer << in.rdbuf();
  const std::string stat = buffer.str();
  const size_t paren = stat.rfind(')');
  if (paren == std::string::npos) return "";
  std::vector<std::string> fields =
      absl::StrSplit(stat.substr(paren + 1), ' ', absl::SkipEmpty());
  // fields[0] is field 3 (state); field 22 is fields[19].
  if (fields.size() <= 19) return "";
  if (fields[0] == "Z" || fields[0] == "X" || fields[0] == "x") return "";
  return fields[19];
}

std::string SqliteOwner() {
  const int64_t pid = getpid();
  return absl::StrCat("pid:", pid, ":", ProcessStartTicks(pid), "@",
                      HostName());
}

// "pid:<pid>:<start ticks>@<host>": alive when on another host (cannot
// tell) or when that process still exists, is not a zombie, and has the
// same start time (a reused pid has another).
bool SqliteOwnerAlive(const std::string& owner, const std::string& host) {
  const size_t at = owner.rfind('@');
  if (!absl::StartsWith(owner, "pid:") || at == std::string::npos) {
    return false;
  }
  if (owner.substr(at + 1) != host) return true;
  std::vector<std::string> parts =
      absl::StrSplit(owner.substr(4, at - 4), ':');
  int64_t pid = 0;
  if (parts.size() != 2 || !absl::SimpleAtoi(parts[0], &pid) || pid <= 0) {
    return false;
  }
  const std::string ticks = ProcessStartTicks(pid);
  return !ticks.empty() && ticks == parts[1];
}

// Marks the 'running' runs whose owner is gone as failed/"abandoned" on
// `db`, in `db`'s open transaction if any (each UPDATE commits on its own
// otherwise); returns how many. Runs that end meanwhile are never touched
// (each UPDATE re-checks status = 'running'). PostgreSQL: `db` must not
// hold any run's advisory lock: the locks are re-entrant per session, so
// a try-lock by the holder itself would succeed and mark a live run. Only
// the store's db_ is passed here, never a RunWriter's session.
absl::StatusOr<int64_t> MarkDeadRuns(SqlSession& db) {
  const std::string ctx = "mark abandoned runs";
  FIFO_ASSIGN_OR_RETURN(
      std::vector<Row> rows,
      db.QueryAll(ctx,
                  "SELECT id, owner FROM fifo_computation_log WHERE "
                  "status = 'running' ORDER BY id",
                  {}, 2));
  const std::string host = HostName();
  int64_t marked = 0;
  for (const Row& row : rows) {
    FIFO_ASSIGN_OR_RETURN(int64_t id, Int(row[0], "id"));
    bool abandoned = false;
    if (db.sqlite()) {
      abandoned = !SqliteOwnerAlive(Str(row[1]), host);
    } else {
      // The run's own session holds this lock from before its row was
      // committed until after its final status was (StartRun, Commit,
      // Abort), and PostgreSQL releases it when that session ends: taking
      // it means the owner is gone. Held here only for the UPDATE.
      FIFO_ASSIGN_OR_RETURN(
          std::optional<Row> got,
          db.QueryOne(ctx,
                      "SELECT CAST(pg_try_advisory_lock(CAST(:c AS "
                      "INTEGER), CAST(:id AS INTEGER)) AS TEXT)",
                      {Param::Int(kRunLockClass), Param::Int(id)}, 1));
      abandoned = Str((*got)[0]) == "true";
    }
    if (!abandoned) continue;
    absl::StatusOr<int64_t> n = db.Exec(
        ctx,
        absl::StrCat("UPDATE fifo_computation_log SET status = 'failed', "
                     "error_message = 'abandoned', computation_end = ",
                     db.TsParam(":e"),
                     " WHERE id = :id AND status = 'running'"),
        {Param::Text(Ts(NowMicros())), Param::Int(id)});
    if (!db.sqlite()) {
      db.QueryOne(ctx,
                  "SELECT CAST(pg_advisory_unlock(CAST(:c AS INTEGER), "
                  "CAST(:id AS INTEGER)) AS TEXT)",
                  {Param::Int(kRunLockClass), Param::Int(id)}, 1)
          .status()
          .IgnoreError();
    }
    FIFO_RETURN_IF_ERROR(n.status());
    marked += *n;
  }
  return marked;
}

}  // namespace

absl::StatusOr<std::unique_ptr<RunWriter>> SqlLedgerStore::StartRun(
    const RunOptions& options) {
  const bool incremental = options.mode == RunMode::kIncremental;
  if (options.mode == RunMode::kSymbol &&
      (!options.symbol.has_value() || options.symbol->empty())) {
    return absl::InvalidArgumentError("a symbol run needs a symbol");
  }
  if (incremental != options.extend_version.has_value()) {
    return absl::InvalidArgumentError(
        "extend_version is required for incremental runs and only for them");
  }
  FIFO_ASSIGN_OR_RETURN(std::unique_ptr<SqlSession> db, SqlSession::Open(url_));
  if (incremental) {
    FIFO_ASSIGN_OR_RETURN(bool completed,
                          VersionCompleted(*db, *options.extend_version));
    if (!completed) {
      return absl::FailedPreconditionError(
          absl::StrCat("cannot extend version ", *options.extend_version,
                       ": it has no completed run"));
    }
  }
  const std::string ctx = "start run";
  const absl::Time start = NowMicros();
  const std::string batch = NewUuid();
  const std::string owner =
      db->sqlite() ? SqliteOwner()
                   : absl::StrCat("pid:", getpid(), "@", HostName());
  // Full and symbol runs take their version number when they publish
  // (RunWriter::Commit); an incremental run names the version it extends.
  const std::string sql = absl::StrCat(
      "INSERT INTO fifo_computation_log (symbol, allocation_version, "
      "allocation_batch_id, computation_start, status, computation_mode, "
      "triggered_by, algorithm_version, config_hash, fallback_reason, owner, "
      "basis_version) VALUES (:sym, ",
      db->IntParam(":v"), ", ", db->UuidParam(":b"), ", ", db->TsParam(":st"),
      ", 'running', :m, :tr, :al, :h, :f, :ow, ", db->IntParam(":bv"),
      ") RETURNING id");
  for (int attempt = 1;; ++attempt) {
    std::vector<Param> params = {Param::OptText(options.symbol)};
    params.push_back(incremental ? Param::Int(*options.extend_version)
                                 : Param::Null());
    for (Param p :
         {Param::Text(batch), Param::Text(Ts(start)),
          Param::Text(std::string(RunModeName(options.mode))),
          Param::Text(std::string(RunTriggerName(options.triggered_by))),
          Param::Int(options.algorithm_version),
          Param::Text(options.config_hash),
          Param::OptText(NullIfEmpty(options.fallback_reason)),
          Param::Text(owner),
          options.basis_version.has_value() ? Param::Int(*options.basis_version)
                                            : Param::Null()}) {
      params.push_back(std::move(p));
    }
    FIFO_RETURN_IF_ERROR(db->BeginWrite(ctx));
    if (db->sqlite()) {
      // Under the write lock, before this run holds it for its whole
      // duration: a dead run of this host is marked by the next run to
      // start even if no read or sweep came first (a read's mark would
      // otherwise wait for this run to end). Never on PostgreSQL: this
      // session is about to hold the new run's lock (MarkDeadRuns).
      absl::StatusOr<int64_t> marked = MarkDeadRuns(*db);
      if (!marked.ok()) {
        db->Rollback();
        return marked.status();
      }
    }
    absl::StatusOr<std::optional<Row>> row =
        db->QueryOne(ctx, sql, std::move(params), 1);
    absl::Status s = row.status();
    std::optional<int64_t> id;
    if (s.ok()) {
      absl::StatusOr<int64_t> parsed = Int((**row)[0], "id");
      s = parsed.status();
      if (s.ok()) id = *parsed;
    }
    if (s.ok() && !db->sqlite()) {
      // A live run holds this session lock (MarkAbandonedRuns); taken
      // before the row commits so the row is never seen without it.
      s = db->QueryOne(ctx,
                       "SELECT CAST(pg_advisory_lock(CAST(:c AS INTEGER), "
                       "CAST(:id AS INTEGER)) AS TEXT)",
                       {Param::Int(kRunLockClass), Param::Int(*id)}, 1)
              .status();
    }
    if (s.ok()) s = db->Commit(ctx);
    if (s.ok()) {
      FIFO_ASSIGN_OR_RETURN(ComputationRun run, LoadRun(*db, *id));
      return NewSqlRunWriter(std::move(db), std::move(run),
                             options.extend_version);
    }
    db->Rollback();
    if (id.has_value() && !db->sqlite()) {
      db->QueryOne(ctx,
                   "SELECT CAST(pg_advisory_unlock(CAST(:c AS INTEGER), "
                   "CAST(:id AS INTEGER)) AS TEXT)",
                   {Param::Int(kRunLockClass), Param::Int(*id)}, 1)
          .status()
          .IgnoreError();
    }
    // Another run took the same version first: read MAX again.
    if (s.code() == absl::StatusCode::kAlreadyExists && !incremental &&
        attempt < kMaxVersionAttempts) {
      continue;
    }
    return s;
  }
}

absl::StatusOr<int64_t> SqlLedgerStore::MarkAbandonedRuns() {
  absl::MutexLock lock(&mu_);
  // db_ is the store's own session: it never takes a run's advisory lock
  // (StartRun opens a session of its own for each run), so its try-locks
  // below tell exactly whether another session holds one. SQLite: the
  // marking UPDATE needs the database's write lock, which a live run of
  // another process may hold for its whole duration; wait for it only
  // briefly (callers retry: the next read, run start or sweep), so that a
  // read path is never held up for the full busy timeout.
  if (db_->sqlite()) db_->SetBusyTimeoutMs(kMarkLockWaitMs);
  absl::StatusOr<int64_t> marked = MarkDeadRuns(*db_);
  if (db_->sqlite()) {
    db_->SetBusyTimeoutMs(SqlSession::kDefaultBusyTimeoutMs);
  }
  return marked;
}

}  // namespace storage_internal
}  // namespace fifo
