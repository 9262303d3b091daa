#include "formats/first_line_index.h"

#include <map>
#include <random>
#include <string>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"

namespace fifo {
namespace {

TEST(FirstLineIndexTest, ReportsTheFirstLineOfARepeatedKey) {
  FirstLineIndex index;
  EXPECT_EQ(index.Insert("BUY-1", 2), std::nullopt);
  EXPECT_EQ(index.Insert("SELL-1", 3), std::nullopt);
  EXPECT_EQ(index.Insert("BUY-1", 7), 2);
  EXPECT_EQ(index.Insert("BUY-1", 9), 2);  // still the first line
  EXPECT_EQ(index.Insert("buy-1", 10), std::nullopt);  // bytewise keys
  EXPECT_EQ(index.Insert("", 11), std::nullopt);
  EXPECT_EQ(index.Insert("", 12), 11);
  EXPECT_EQ(index.Insert(std::string("a\0b", 3), 13), std::nullopt);
  EXPECT_EQ(index.Insert(std::string("a\0c", 3), 14), std::nullopt);
  EXPECT_EQ(index.size(), 6u);
}

TEST(FirstLineIndexTest, KeysLongerThanABlockAndManyBlocks) {
  FirstLineIndex index;
  const std::string huge(3 << 20, 'x');  // larger than a 1 MiB block
  EXPECT_EQ(index.Insert(huge, 1), std::nullopt);
  EXPECT_EQ(index.Insert("after-huge", 2), std::nullopt);
  EXPECT_EQ(index.Insert(huge, 3), 1);
  EXPECT_EQ(index.Insert("after-huge", 4), 2);
}

TEST(FirstLineIndexTest, AgreesWithAMapOverRandomKeys) {
  std::mt19937_64 rng(42);
  FirstLineIndex index;
  std::map<std::string, int64_t> reference;
  for (int64_t line = 1; line <= 300000; ++line) {
    // Ids of 1-40 characters from a small alphabet: many repeats.
    std::string key;
    const int length = 1 + static_cast<int>(rng() % 40);
    for (int i = 0; i < length; ++i) key.push_back("ab9-"[rng() % 4]);
    if (rng() % 3 == 0) key = absl::StrCat("t", rng() % 5000);
    auto [it, inserted] = reference.emplace(key, line);
    std::optional<int64_t> first = index.Insert(key, line);
    if (inserted) {
      ASSERT_EQ(first, std::nullopt) << key;
    } else {
      ASSERT_EQ(first, it->second) << key;
    }
  }
  EXPECT_EQ(index.size(), reference.size());
}

}  // namespace
}  // namespace fifo
