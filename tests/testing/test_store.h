// File: tests/testing/test_store.h
//
// A fresh, empty store for a test: "sqlite" (a file under $TEST_TMPDIR) or
// "postgresql" (a new database on the server named by
// FIFO_TEST_POSTGRES_URL, dropped again when the TestStore is destroyed).
// Real stores, never mocks.
#ifndef FIFO_TESTS_TESTING_TEST_STORE_H_
#define FIFO_TESTS_TESTING_TEST_STORE_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace fifo::testing {

class TestStore {
 public:
  // kFailedPrecondition for "postgresql" when FIFO_TEST_POSTGRES_URL is
  // unset (callers GTEST_SKIP on it).
  static absl::StatusOr<TestStore> Create(const std::string& kind);

  TestStore(TestStore&& other) noexcept;
  TestStore& operator=(TestStore&&) = delete;
  TestStore(const TestStore&) = delete;
  ~TestStore();

  // The store URL, for OpenLedgerStore, fifoctl --db or fifo_server --db.
  const std::string& url() const { return url_; }

 private:
  TestStore() = default;
  std::string kind_;
  std::string url_;
  std::string sqlite_path_;
  std::string admin_url_;
  std::string database_;
};

// The store kinds to run a parameterized test over.
std::vector<std::string> StoreKinds();

}  // namespace fifo::testing

#endif  // FIFO_TESTS_TESTING_TEST_STORE_H_
