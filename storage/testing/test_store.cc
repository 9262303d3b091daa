#include "storage/testing/test_store.h"

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <random>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "libpq-fe.h"
#include "soci/postgresql/soci-postgresql.h"
#include "soci/sqlite3/soci-sqlite3.h"

namespace fifo::testing {
namespace {

std::string RandomName() {
  std::random_device device;
  std::mt19937_64 rng(device() ^ (static_cast<uint64_t>(getpid()) << 32));
  return absl::StrCat("t", getpid(), "_", rng() % 1000000000);
}

// The URL with its database (the last path segment) replaced.
std::string WithDatabase(const std::string& url, const std::string& db) {
  size_t query = url.find('?');
  std::string base = url.substr(0, query);
  std::string rest = query == std::string::npos ? "" : url.substr(query);
  size_t slash = base.rfind('/');
  if (slash == std::string::npos || slash < base.find("://") + 3) {
    return absl::StrCat(base, "/", db, rest);
  }
  return absl::StrCat(base.substr(0, slash + 1), db, rest);
}

// Runs one statement on the server at `url` (libpq takes URIs as they are).
absl::Status Execute(const std::string& url, const std::string& sql) {
  PGconn* conn = PQconnectdb(url.c_str());
  if (PQstatus(conn) != CONNECTION_OK) {
    absl::Status status = absl::UnavailableError(PQerrorMessage(conn));
    PQfinish(conn);
    return status;
  }
  PGresult* result = PQexec(conn, sql.c_str());
  absl::Status status = PQresultStatus(result) == PGRES_COMMAND_OK
                            ? absl::OkStatus()
                            : absl::InternalError(PQerrorMessage(conn));
  PQclear(result);
  PQfinish(conn);
  return status;
}

// The libpq keyword='value' form of `url`.
absl::StatusOr<std::string> Conninfo(const std::string& url) {
  char* error = nullptr;
  PQconninfoOption* options = PQconninfoParse(url.c_str(), &error);
  if (options == nullptr) {
    std::string why = error != nullptr ? error : "out of memory";
    if (error != nullptr) PQfreemem(error);
    return absl::InvalidArgumentError(why);
  }
  std::vector<std::string> parts;
  for (PQconninfoOption* o = options; o->keyword != nullptr; ++o) {
    if (o->val == nullptr) continue;
    std::string value;
    for (const char* c = o->val; *c != '\0'; ++c) {
      if (*c == '\'' || *c == '\\') value.push_back('\\');
      value.push_back(*c);
    }
    parts.push_back(absl::StrCat(o->keyword, "='", value, "'"));
  }
  PQconninfoFree(options);
  return absl::StrJoin(parts, " ");
}

}  // namespace

std::vector<std::string> StoreKinds() { return {"sqlite", "postgresql"}; }

std::string ExecRaw(soci::session& session, const std::string& sql) {
  try {
    session << sql;
    return "";
  } catch (const std::exception& e) {
    return e.what();
  }
}

absl::StatusOr<TestStore> TestStore::Create(const std::string& kind) {
  TestStore store;
  store.kind_ = kind;
  if (kind == "sqlite") {
    const char* tmp = std::getenv("TEST_TMPDIR");
    store.sqlite_path_ =
        absl::StrCat(tmp != nullptr ? tmp : "/tmp", "/", RandomName(), ".db");
    store.url_ = absl::StrCat("sqlite:", store.sqlite_path_);
    store.keyword_url_ = store.url_;
    return store;
  }
  if (kind != "postgresql") {
    return absl::InvalidArgumentError(
        absl::StrCat("unknown store kind \"", kind, "\""));
  }
  const char* pg = std::getenv("FIFO_TEST_POSTGRES_URL");
  if (pg == nullptr || pg[0] == '\0') {
    return absl::FailedPreconditionError(
        "FIFO_TEST_POSTGRES_URL is not set (scripts/test.sh sets it)");
  }
  store.admin_url_ = pg;
  store.database_ = RandomName();
  absl::Status created =
      Execute(store.admin_url_, "CREATE DATABASE " + store.database_);
  if (!created.ok()) {
    return absl::UnavailableError(absl::StrCat(
        "cannot create a test database: ", created.message()));
  }
  store.url_ = WithDatabase(store.admin_url_, store.database_);
  absl::StatusOr<std::string> conninfo = Conninfo(store.url_);
  if (!conninfo.ok()) return conninfo.status();  // drops the database
  store.pg_conninfo_ = *std::move(conninfo);
  store.keyword_url_ = absl::StrCat("postgresql:", store.pg_conninfo_);
  return store;
}

TestStore::TestStore(TestStore&& other) noexcept
    : kind_(std::move(other.kind_)),
      url_(std::move(other.url_)),
      keyword_url_(std::move(other.keyword_url_)),
      pg_conninfo_(std::move(other.pg_conninfo_)),
      sqlite_path_(std::move(other.sqlite_path_)),
      admin_url_(std::move(other.admin_url_)),
      database_(std::move(other.database_)) {
  other.sqlite_path_.clear();
  other.database_.clear();
}

std::unique_ptr<soci::session> TestStore::OpenRawSession() const {
  if (kind_ == "sqlite") {
    return std::make_unique<soci::session>(
        soci::sqlite3, absl::StrCat("dbname=\"", sqlite_path_, "\""));
  }
  // SOCI takes libpq's keyword form (it mangles a URI).
  return std::make_unique<soci::session>(soci::postgresql, pg_conninfo_);
}

TestStore::~TestStore() {
  if (!sqlite_path_.empty()) {
    for (const char* suffix : {"", "-wal", "-shm", "-journal"}) {
      std::remove(absl::StrCat(sqlite_path_, suffix).c_str());
    }
  }
  if (!database_.empty()) {
    // Best effort: the throwaway server is deleted after the run anyway.
    Execute(admin_url_,
            "DROP DATABASE IF EXISTS " + database_ + " WITH (FORCE)")
        .IgnoreError();
  }
}

}  // namespace fifo::testing
