// File: storage/testing/store_fixture.h
//
// StoreFixture: a GoogleTest fixture, parameterized by the store kind
// ("sqlite" or "postgresql"; instantiate with StoreKinds()), that gives each
// test a fresh, empty and unmigrated TestStore and a LedgerStore open on it
// (PostgreSQL in its keyword=value spelling). The PostgreSQL half is skipped,
// with a message, when FIFO_TEST_POSTGRES_URL is unset. RawStoreFixture
// adds a raw SOCI session on the same database.
//
// A derived fixture that overrides SetUp calls StoreFixture::SetUp() first
// and returns when IsSkipped() or HasFatalFailure(); one that overrides
// TearDown closes what it opened on the store and then calls
// StoreFixture::TearDown(), which closes store_ before the TestStore goes.
// Thread safety: as any fixture, driven by the test's thread.
#ifndef FIFO_STORAGE_TESTING_STORE_FIXTURE_H_
#define FIFO_STORAGE_TESTING_STORE_FIXTURE_H_

#include <memory>
#include <optional>
#include <string>

#include "gtest/gtest.h"
#include "storage/ledger_store.h"
#include "storage/testing/test_store.h"

namespace fifo::testing {

class StoreFixture : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override;
  void TearDown() override;

  bool sqlite() const { return GetParam() == "sqlite"; }

  std::optional<TestStore> test_store_;
  std::unique_ptr<LedgerStore> store_;
};

// A StoreFixture with a raw SOCI session on the same database, for SQL
// beside the store's API (raw_ is closed before the store and the
// TestStore).
class RawStoreFixture : public StoreFixture {
 protected:
  void SetUp() override;
  void TearDown() override;

  // ExecRaw on raw_: the error text, "" on success.
  std::string Raw(const std::string& sql) { return ExecRaw(*raw_, sql); }

  std::unique_ptr<soci::session> raw_;
};

}  // namespace fifo::testing

#endif  // FIFO_STORAGE_TESTING_STORE_FIXTURE_H_
