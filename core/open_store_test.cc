// OpenStoreForUse / PrepareStoreForUse: an empty SQLite file is migrated,
// a current one is left alone, bad URLs keep OpenLedgerStore's errors.
// (A PostgreSQL database is never migrated here; the CLI and end-to-end
// tests cover that message, "run `fifoctl migrate` first".)
#include "core/open_store.h"

#include <memory>
#include <string>

#include "absl/status/status.h"
#include "core/test_ledger.h"
#include "gtest/gtest.h"

namespace fifo {
namespace {

TEST(OpenStoreForUseTest, MigratesAnEmptySqliteFile) {
  const std::string url = testing::TempSqliteUrl("open_store");
  {
    // OpenLedgerStore alone creates the file but no schema.
    absl::StatusOr<std::unique_ptr<LedgerStore>> raw = OpenLedgerStore(url);
    ASSERT_TRUE(raw.ok()) << raw.status();
    absl::StatusOr<int> version = (*raw)->SchemaVersion();
    ASSERT_TRUE(version.ok()) << version.status();
    EXPECT_EQ(*version, 0);
    absl::Status schema = (*raw)->CheckSchema();
    EXPECT_EQ(schema.code(), absl::StatusCode::kFailedPrecondition);
    EXPECT_NE(schema.message().find("run `fifoctl migrate` first"),
              std::string::npos)
        << schema;
  }
  absl::StatusOr<std::unique_ptr<LedgerStore>> store = OpenStoreForUse(url);
  ASSERT_TRUE(store.ok()) << store.status();
  EXPECT_TRUE((*store)->CheckSchema().ok());
  absl::StatusOr<int> migrated = (*store)->SchemaVersion();
  ASSERT_TRUE(migrated.ok());
  EXPECT_GT(*migrated, 0);
  // Usable at once.
  EXPECT_TRUE((*store)->ImportTrades(testing::SmallLedger(), false).ok());
}

TEST(OpenStoreForUseTest, LeavesACurrentStoreAlone) {
  const std::string url = testing::TempSqliteUrl("open_store_current");
  ASSERT_TRUE(OpenStoreForUse(url).ok());
  absl::StatusOr<std::unique_ptr<LedgerStore>> again = OpenStoreForUse(url);
  ASSERT_TRUE(again.ok()) << again.status();
  // Nothing left to apply.
  absl::StatusOr<std::vector<AppliedMigration>> applied = (*again)->Migrate();
  ASSERT_TRUE(applied.ok()) << applied.status();
  EXPECT_TRUE(applied->empty());
  EXPECT_TRUE(PrepareStoreForUse(**again).ok());
}

TEST(OpenStoreForUseTest, BadUrlsKeepOpenLedgerStoresErrors) {
  for (const std::string url :
       {"mysql://localhost/fifo", "sqlite:", "sqlite::memory:"}) {
    SCOPED_TRACE(url);
    absl::StatusOr<std::unique_ptr<LedgerStore>> store = OpenStoreForUse(url);
    EXPECT_EQ(store.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_EQ(store.status(), OpenLedgerStore(url).status());
  }
}

}  // namespace
}  // namespace fifo
