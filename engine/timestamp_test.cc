#include "engine/timestamp.h"

#include "gtest/gtest.h"

namespace fifo {
namespace {

TEST(TimestampTest, RoundTripsUtc) {
  auto t = ParseTimestamp("2025-11-20T10:00:00.5+02:00");
  ASSERT_TRUE(t.ok()) << t.status();
  EXPECT_EQ(FormatTimestamp(*t), "2025-11-20T08:00:00.500000Z");
}

}  // namespace
}  // namespace fifo
