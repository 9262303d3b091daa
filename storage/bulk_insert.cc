// SqlSession::InsertRows, the bulk write path (see sql_session.h), and the
// BulkRows it inserts (bulk_insert.h).
#include "storage/bulk_insert.h"

#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "engine/timestamp.h"
#include "soci/postgresql/soci-postgresql.h"
#include "soci/sqlite3/soci-sqlite3.h"
#include "storage/sql_errors.h"
#include "storage/sql_session.h"

namespace fifo {
namespace storage_internal {

SqlSession::InsertCache::~InsertCache() {
  for (auto& entry : statements) sqlite_api::sqlite3_finalize(entry.second);
}

absl::Status SqlSession::InsertRows(absl::string_view context,
                                    const BulkTable& target,
                                    const BulkRows& rows) {
  const size_t n = target.columns.size();
  if (n == 0 || rows.cells_.size() % n != 0) {
    return absl::InternalError(absl::StrCat(
        "storage: ", context, ": ", rows.cells_.size(),
        " cells do not make whole rows of ", n, " columns of ", target.table));
  }
  if (rows.cells_.empty()) return absl::OkStatus();
  return sqlite() ? SqliteInsertRows(context, target, rows)
                                      : PgCopyRows(context, target, rows);
}

absl::Status SqlSession::SqliteInsertRows(absl::string_view context,
                                          const BulkTable& target,
                                          const BulkRows& rows) {
  sqlite_api::sqlite3* conn = sqlite_connection();
  auto error = [&](int rc) {
    std::string message = sqlite_api::sqlite3_errmsg(conn);
    const absl::StatusCode code = SqliteErrorCode(rc, message);
    return StorageError(code, context, std::move(message), password_);
  };
  if (insert_cache_ == nullptr) insert_cache_ = std::make_unique<InsertCache>();
  const std::string names = absl::StrJoin(target.columns, ", ");
  sqlite_api::sqlite3_stmt*& st =
      insert_cache_->statements[absl::StrCat(target.table, " (", names, ")")];
  if (st == nullptr) {
    std::string sql = absl::StrCat("INSERT INTO ", target.table, " (", names,
                                   ") VALUES (?");
    for (size_t c = 1; c < target.columns.size(); ++c) sql += ", ?";
    sql += ")";
    int rc = sqlite_api::sqlite3_prepare_v2(conn, sql.c_str(),
                                            static_cast<int>(sql.size() + 1),
                                            &st, nullptr);
    if (rc != SQLITE_OK) {
      absl::Status s = error(rc);
      sqlite_api::sqlite3_finalize(st);
      insert_cache_->statements.erase(
          absl::StrCat(target.table, " (", names, ")"));
      return s;
    }
  }
  const auto kStatic = static_cast<sqlite_api::sqlite3_destructor_type>(nullptr);
  const size_t n = target.columns.size();
  const char* text = rows.text_.data();
  absl::Status status;
  for (size_t begin = 0; begin < rows.cells_.size() && status.ok();
       begin += n) {
    int rc = SQLITE_OK;
    for (size_t c = 0; c < n && rc == SQLITE_OK; ++c) {
      const BulkRows::Cell& cell = rows.cells_[begin + c];
      const int index = static_cast<int>(c + 1);
      switch (cell.kind) {
        case BulkRows::Kind::kText:
          rc = sqlite_api::sqlite3_bind_text(st, index, text + cell.value,
                                             static_cast<int>(cell.size),
                                             kStatic);
          break;
        case BulkRows::Kind::kInt:
          rc = sqlite_api::sqlite3_bind_int64(st, index, cell.value);
          break;
        case BulkRows::Kind::kNull:
          rc = sqlite_api::sqlite3_bind_null(st, index);
          break;
      }
    }
    if (rc == SQLITE_OK) {
      rc = sqlite_api::sqlite3_step(st);
      if (rc == SQLITE_DONE) rc = SQLITE_OK;
    }
    if (rc != SQLITE_OK) status = error(rc);
    sqlite_api::sqlite3_reset(st);
  }
  // No binding may outlive `rows`.
  sqlite_api::sqlite3_clear_bindings(st);
  return status;
}

namespace {

// PostgreSQL COPY: bytes buffered before each PQputCopyData.
constexpr size_t kCopyBuffer = 1 << 20;

// COPY text format: backslash, tab, newline and carriage return escaped.
void AppendCopyText(const char* data, size_t size, std::string* out) {
  const char* end = data + size;
  const char* run = data;
  for (const char* p = data; p < end; ++p) {
    const char c = *p;
    if (c != '\\' && c != '\t' && c != '\n' && c != '\r') continue;
    out->append(run, p - run);
    out->push_back('\\');
    out->push_back(c == '\\' ? '\\' : c == '\t' ? 't' : c == '\n' ? 'n' : 'r');
    run = p + 1;
  }
  out->append(run, end - run);
}

}  // namespace

absl::Status SqlSession::PgCopyRows(absl::string_view context,
                                    const BulkTable& target,
                                    const BulkRows& rows) {
  PGconn* conn = pg_connection();
  // The status of `result` (nullptr: the connection's message).
  auto error = [&](const PGresult* result) {
    return PgResultError(context, result, "COPY failed");
  };
  // Reads the results of the COPY until libpq has none left; the first
  // error wins over `status`.
  auto finish = [&](absl::Status status) {
    while (PGresult* result = PQgetResult(conn)) {
      if (status.ok() && PQresultStatus(result) != PGRES_COMMAND_OK) {
        status = error(result);
      }
      PQclear(result);
      if (PQstatus(conn) != CONNECTION_OK) break;
    }
    return status;
  };

  const std::string sql =
      absl::StrCat("COPY ", target.table, " (",
                   absl::StrJoin(target.columns, ", "), ") FROM STDIN");
  PGresult* started = PQexec(conn, sql.c_str());
  if (started == nullptr || PQresultStatus(started) != PGRES_COPY_IN) {
    absl::Status s = error(started);
    if (started != nullptr) PQclear(started);
    return finish(s);
  }
  PQclear(started);

  const size_t n = target.columns.size();
  const char* text = rows.text_.data();
  std::string buffer;
  buffer.reserve(kCopyBuffer + (64 << 10));
  absl::Status status;
  auto flush = [&]() {
    if (!buffer.empty() &&
        PQputCopyData(conn, buffer.data(), static_cast<int>(buffer.size())) !=
            1) {
      status = error(nullptr);
    }
    buffer.clear();
  };
  for (size_t i = 0; i < rows.cells_.size() && status.ok(); ++i) {
    const BulkRows::Cell& cell = rows.cells_[i];
    switch (cell.kind) {
      case BulkRows::Kind::kText:
        AppendCopyText(text + cell.value, cell.size, &buffer);
        break;
      case BulkRows::Kind::kInt:
        absl::StrAppend(&buffer, cell.value);
        break;
      case BulkRows::Kind::kNull:
        buffer.append("\\N");
        break;
    }
    if ((i + 1) % n != 0) {
      buffer.push_back('\t');
      continue;
    }
    buffer.push_back('\n');
    if (buffer.size() >= kCopyBuffer) flush();
  }
  if (status.ok()) flush();
  if (status.ok()) {
    if (PQputCopyEnd(conn, nullptr) != 1) status = error(nullptr);
  } else {
    PQputCopyEnd(conn, "client error");
  }
  return finish(status);
}

// ---------------------------------------------------------- BulkRows ----

void BulkRows::Reserve(size_t cells, size_t bytes) {
  cells_.reserve(cells);
  text_.reserve(bytes);
}

void BulkRows::Clear() {
  cells_.clear();
  text_.clear();
}

void BulkRows::Text(absl::string_view value) {
  cells_.push_back(Cell{static_cast<int64_t>(text_.size()),
                        static_cast<uint32_t>(value.size()), Kind::kText});
  text_.append(value.data(), value.size());
}

void BulkRows::Int(int64_t value) {
  cells_.push_back(Cell{value, 0, Kind::kInt});
}

void BulkRows::Null() { cells_.push_back(Cell{0, 0, Kind::kNull}); }

void BulkRows::Time(absl::Time t) {
  const size_t offset = text_.size();
  AppendTimestamp(t, &text_);
  cells_.push_back(Cell{static_cast<int64_t>(offset),
                        static_cast<uint32_t>(text_.size() - offset),
                        Kind::kText});
}

}  // namespace storage_internal
}  // namespace fifo
