#include "cli/cli_common.h"

#include "absl/time/time.h"
#include "gtest/gtest.h"

namespace fifo::cli {
namespace {

TEST(ProgressFiguresTest, CountTotalRateAndEta) {
  EXPECT_EQ(ProgressFigures(12, 50, absl::Seconds(4)), "12/50 (24%), 3.0/s, ETA 13s");
  EXPECT_EQ(ProgressFigures(300000, 1000000, absl::Seconds(2)),
            "300000/1000000 (30%), 150000/s, ETA 5s");
  EXPECT_EQ(ProgressFigures(1, 1000, absl::Seconds(1)),
            "1/1000 (0%), 1.0/s, ETA 16m39s");
  EXPECT_EQ(ProgressFigures(50, 50, absl::Seconds(10)), "50/50 (100%), 5.0/s");
}

TEST(ProgressFiguresTest, NoRateBeforeItMeansSomething) {
  EXPECT_EQ(ProgressFigures(0, 50, absl::Seconds(3)), "0/50 (0%)");
  EXPECT_EQ(ProgressFigures(5, 50, absl::Milliseconds(20)), "5/50 (10%)");
  EXPECT_EQ(ProgressFigures(7, 0, absl::Seconds(7)), "7, 1.0/s");
}

}  // namespace
}  // namespace fifo::cli
