#include "common/log.h"

#include <cstdint>
#include <string>

#include "gtest/gtest.h"

namespace fifo {
namespace {

TEST(LogValueTest, IntegersAreJsonNumbersTextIsAJsonString) {
  EXPECT_EQ(LogValue(int64_t{42}).Json(), "42");
  EXPECT_EQ(LogValue(-7).Json(), "-7");
  EXPECT_EQ(LogValue(size_t{3}).Json(), "3");
  EXPECT_EQ(LogValue(true).Json(), "true");
  EXPECT_EQ(LogValue("42").Json(), "\"42\"");
  EXPECT_EQ(LogValue(std::string("a\"b")).Json(), "\"a\\\"b\"");
  // Decimals stay text (exact, never a float).
  EXPECT_EQ(LogValue(std::string("0.10")).Json(), "\"0.10\"");
}

TEST(LogValueTest, FieldsMixKinds) {
  const LogFields fields = {{"run_id", int64_t{5}},
                            {"symbol", "BTC-USD"},
                            {"duration_ms", 12},
                            {"ok", false}};
  std::string json;
  for (const auto& [key, value] : fields) json += key + "=" + value.Json() + ";";
  EXPECT_EQ(json, "run_id=5;symbol=\"BTC-USD\";duration_ms=12;ok=false;");
}

}  // namespace
}  // namespace fifo
