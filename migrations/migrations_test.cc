#include "migrations/migrations.h"

#include <cstdio>
#include <string>

#include "gtest/gtest.h"

namespace fifo {
namespace {

void ExpectWellFormed(const std::vector<Migration>& migrations,
                      const std::string& dialect) {
  ASSERT_FALSE(migrations.empty()) << dialect;
  int previous = 0;
  for (const Migration& m : migrations) {
    EXPECT_GT(m.version, previous) << dialect << " " << m.name;
    previous = m.version;
    char prefix[8];
    std::snprintf(prefix, sizeof(prefix), "%04d_", m.version);
    EXPECT_EQ(std::string(m.name).rfind(prefix, 0), 0u) << dialect << " " << m.name;
    // Every migration changes the schema (tables or columns).
    const std::string sql = m.sql;
    EXPECT_TRUE(sql.find("CREATE TABLE") != std::string::npos ||
                sql.find("ALTER TABLE") != std::string::npos)
        << dialect << " " << m.name;
  }
}

TEST(MigrationsTest, BothDialectsEmbedTheSameVersions) {
  ExpectWellFormed(SqliteMigrations(), "sqlite");
  ExpectWellFormed(PostgresqlMigrations(), "postgresql");
  ASSERT_EQ(SqliteMigrations().size(), PostgresqlMigrations().size());
  for (size_t i = 0; i < SqliteMigrations().size(); ++i) {
    EXPECT_EQ(SqliteMigrations()[i].version, PostgresqlMigrations()[i].version);
    EXPECT_STREQ(SqliteMigrations()[i].name, PostgresqlMigrations()[i].name);
  }
}

TEST(MigrationsTest, InitialMigrationHasEveryTable) {
  for (const auto* set : {&SqliteMigrations(), &PostgresqlMigrations()}) {
    const std::string sql = (*set)[0].sql;
    for (const char* table :
         {"trade_records", "fifo_allocations", "fifo_computation_log",
          "fifo_inventory_snapshot", "fifo_snapshot_watermark",
          "manual_review_queue", "v_allocation_health", "v_unmatched_sells",
          "v_pnl_by_symbol"}) {
      EXPECT_NE(sql.find(table), std::string::npos) << table;
    }
  }
}

}  // namespace
}  // namespace fifo
