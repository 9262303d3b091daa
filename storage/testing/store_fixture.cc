#include "storage/testing/store_fixture.h"

#include <utility>

#include "absl/status/statusor.h"

namespace fifo::testing {

void StoreFixture::SetUp() {
  absl::StatusOr<TestStore> test_store = TestStore::Create(GetParam());
  if (absl::IsFailedPrecondition(test_store.status())) {
    GTEST_SKIP() << test_store.status().message()
                 << ": skipping the PostgreSQL half";
  }
  ASSERT_TRUE(test_store.ok()) << test_store.status();
  test_store_.emplace(*std::move(test_store));
  absl::StatusOr<std::unique_ptr<LedgerStore>> store =
      OpenLedgerStore(test_store_->keyword_url());
  ASSERT_TRUE(store.ok()) << store.status();
  store_ = *std::move(store);
}

void StoreFixture::TearDown() {
  store_.reset();
  test_store_.reset();
}

void RawStoreFixture::SetUp() {
  StoreFixture::SetUp();
  if (IsSkipped() || HasFatalFailure()) return;
  raw_ = test_store_->OpenRawSession();
}

void RawStoreFixture::TearDown() {
  raw_.reset();
  StoreFixture::TearDown();
}

}  // namespace fifo::testing
