#include "engine/decimal.h"

#include "gtest/gtest.h"

namespace fifo {
namespace {

Decimal D(const char* text) {
  auto d = Decimal::Parse(text);
  EXPECT_TRUE(d.ok()) << text << ": " << d.status();
  return d.ok() ? *d : Decimal();
}

TEST(DecimalTest, ParsesAndFormatsCanonically) {
  EXPECT_EQ(D("30000.00").ToString(), "30000");
  EXPECT_EQ(D("-0.0010").ToString(), "-0.001");
  EXPECT_EQ(D("1.5e-7").ToString(), "0.00000015");
  EXPECT_EQ(D("+3E2").ToString(), "300");
  EXPECT_EQ(D("-0").ToString(), "0");
  EXPECT_EQ(D("007.5").ToString(), "7.5");
}

}  // namespace
}  // namespace fifo
