// File: storage/testing/test_store.h
//
// A fresh, empty store for a test: "sqlite" (a file under $TEST_TMPDIR) or
// "postgresql" (a new database on the server named by
// FIFO_TEST_POSTGRES_URL, dropped again when the TestStore is destroyed).
// Real stores, never mocks.
//
// Lifetime: close every LedgerStore and raw session opened on the store
// before the TestStore is destroyed (the destructor removes the file, or
// drops the database WITH (FORCE), best effort and without reporting).
// Thread safety: the const members may be called concurrently.
#ifndef FIFO_STORAGE_TESTING_TEST_STORE_H_
#define FIFO_STORAGE_TESTING_TEST_STORE_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "soci/soci.h"

namespace fifo::testing {

class TestStore {
 public:
  // `kind` is "sqlite" or "postgresql". kFailedPrecondition for "postgresql"
  // when FIFO_TEST_POSTGRES_URL is unset (callers GTEST_SKIP on it);
  // kUnavailable when the test database cannot be created; kInvalidArgument
  // for another kind.
  static absl::StatusOr<TestStore> Create(const std::string& kind);

  TestStore(TestStore&& other) noexcept;
  TestStore& operator=(TestStore&&) = delete;
  TestStore(const TestStore&) = delete;
  ~TestStore();

  // The store URL, for OpenLedgerStore, fifoctl --db or fifo_server --db:
  // "sqlite:PATH", or FIFO_TEST_POSTGRES_URL with its database replaced by
  // the test database.
  const std::string& url() const { return url_; }

  // The same store in OpenLedgerStore's other PostgreSQL spelling,
  // "postgresql:" followed by a libpq keyword='value' string; for "sqlite",
  // url().
  const std::string& keyword_url() const { return keyword_url_; }

  // A new raw SOCI session on the store (the sqlite3 backend on the file,
  // the postgresql backend on the test database), for SQL beside the store's
  // API. The caller owns it and closes it before destroying this TestStore.
  // Throws soci::soci_error, as SOCI does, when it cannot connect (gtest
  // reports an exception in SetUp as a failure).
  std::unique_ptr<soci::session> OpenRawSession() const;

 private:
  TestStore() = default;
  std::string kind_;
  std::string url_;
  std::string keyword_url_;
  std::string pg_conninfo_;
  std::string sqlite_path_;
  std::string admin_url_;
  std::string database_;
};

// The store kinds to run a parameterized test over.
std::vector<std::string> StoreKinds();

// Runs `sql` (one statement, or a script on SQLite) on a raw session, for
// SQL beside the store's API; returns the error text, "" on success.
std::string ExecRaw(soci::session& session, const std::string& sql);

}  // namespace fifo::testing

#endif  // FIFO_STORAGE_TESTING_TEST_STORE_H_
