#include "formats/symbol_config_json.h"

#include <cstdlib>
#include <fstream>
#include <string>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace fifo {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

Decimal D(const char* text) { return Decimal::Parse(text).value(); }

constexpr char kDesignExample[] = R"json({
  "BTC-USD": {"base_precision": 8, "quote_precision": 2,
              "dust_threshold": "0.00001", "min_trade_size": "0.0001"},
  "ETH-USD": {"base_precision": 8, "quote_precision": 2,
              "dust_threshold": "0.0001", "min_trade_size": "0.001"},
  "SHIB-USD": {"base_precision": 0, "quote_precision": 10,
               "dust_threshold": "1000", "min_trade_size": "10000"}
})json";

TEST(SymbolConfigJsonTest, ParsesTheDesignExample) {
  absl::StatusOr<SymbolConfigs> c = ParseSymbolConfigJson(kDesignExample);
  ASSERT_TRUE(c.ok()) << c.status();
  ASSERT_EQ(c->by_symbol.size(), 3u);
  const SymbolConfig& btc = c->by_symbol.at("BTC-USD");
  EXPECT_EQ(btc.base_precision, 8);
  EXPECT_EQ(btc.quote_precision, 2);
  EXPECT_EQ(btc.dust_threshold, D("0.00001"));
  ASSERT_TRUE(btc.min_trade_size.has_value());
  EXPECT_EQ(*btc.min_trade_size, D("0.0001"));
  const SymbolConfig& shib = c->by_symbol.at("SHIB-USD");
  EXPECT_EQ(shib.base_precision, 0);
  EXPECT_EQ(shib.quote_precision, 10);
  EXPECT_EQ(shib.dust_threshold, D("1000"));
  // Unlisted symbols get the (exact) default.
  const SymbolConfig& other = c->For("XRP-USD");
  EXPECT_FALSE(other.base_precision.has_value());
  EXPECT_FALSE(other.quote_precision.has_value());
  EXPECT_TRUE(other.dust_threshold.is_zero());
  EXPECT_FALSE(other.min_trade_size.has_value());
}

TEST(SymbolConfigJsonTest, EveryKeyIsOptionalAndNullMeansUnset) {
  absl::StatusOr<SymbolConfigs> c = ParseSymbolConfigJson(
      R"({"A": {}, "B": {"base_precision": null, "dust_threshold": null,
                        "min_trade_size": null, "quote_precision": 40}})");
  ASSERT_TRUE(c.ok()) << c.status();
  const SymbolConfig& a = c->by_symbol.at("A");
  EXPECT_FALSE(a.base_precision.has_value());
  EXPECT_TRUE(a.dust_threshold.is_zero());
  const SymbolConfig& b = c->by_symbol.at("B");
  EXPECT_FALSE(b.base_precision.has_value());
  EXPECT_EQ(b.quote_precision, 40);
  EXPECT_TRUE(b.dust_threshold.is_zero());
  EXPECT_FALSE(b.min_trade_size.has_value());

  c = ParseSymbolConfigJson("{}");
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_TRUE(c->by_symbol.empty());
}

TEST(SymbolConfigJsonTest, DefaultEntryConfiguresUnlistedSymbols) {
  absl::StatusOr<SymbolConfigs> c = ParseSymbolConfigJson(
      R"({"default": {"dust_threshold": "0.01", "quote_precision": 4},
          "BTC-USD": {"dust_threshold": "0"}})");
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->by_symbol.count("default"), 0u);
  EXPECT_EQ(c->For("DOGE-USD").dust_threshold, D("0.01"));
  EXPECT_EQ(c->For("DOGE-USD").quote_precision, 4);
  EXPECT_TRUE(c->For("BTC-USD").dust_threshold.is_zero());
  EXPECT_FALSE(c->For("BTC-USD").quote_precision.has_value());
}

TEST(SymbolConfigJsonTest, FortyDigitDecimalsStayExact) {
  absl::StatusOr<SymbolConfigs> c = ParseSymbolConfigJson(
      R"({"X": {"dust_threshold": "0.0000000000000000000000000000000000000001",
                "min_trade_size": "1234567890123456789012345678901234567890"}})");
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->by_symbol.at("X").dust_threshold.ToString(),
            "0.0000000000000000000000000000000000000001");
  EXPECT_EQ(c->by_symbol.at("X").min_trade_size->ToString(),
            "1234567890123456789012345678901234567890");
}

struct ErrorCase {
  const char* name;
  const char* json;
  std::string message;  // exact, or a prefix when `prefix_only`
  bool prefix_only = false;
};

class SymbolConfigJsonErrorTest : public ::testing::TestWithParam<ErrorCase> {};

TEST_P(SymbolConfigJsonErrorTest, NamesSymbolKeyAndReason) {
  const ErrorCase& c = GetParam();
  absl::StatusOr<SymbolConfigs> r = ParseSymbolConfigJson(c.json);
  EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument)
      << c.name << ": " << r.status();
  if (c.prefix_only) {
    EXPECT_THAT(std::string(r.status().message()), StartsWith(c.message))
        << c.name;
  } else {
    EXPECT_EQ(r.status().message(), c.message) << c.name;
  }
}

INSTANTIATE_TEST_SUITE_P(
    Errors, SymbolConfigJsonErrorTest,
    ::testing::Values(
        ErrorCase{"decimal_as_number",
                  R"({"BTC-USD": {"dust_threshold": 0.1}})",
                  "symbol config \"BTC-USD\", key \"dust_threshold\": must be "
                  "a decimal in a JSON string (e.g. \"0.00001\"), not a JSON "
                  "number (numbers pass through a double and lose digits)"},
        ErrorCase{"min_trade_size_as_number",
                  R"({"ETH-USD": {"min_trade_size": 1}})",
                  "symbol config \"ETH-USD\", key \"min_trade_size\": must be "
                  "a decimal in a JSON string (e.g. \"0.00001\"), not a JSON "
                  "number (numbers pass through a double and lose digits)"},
        ErrorCase{"decimal_as_bool", R"({"X": {"dust_threshold": true}})",
                  "symbol config \"X\", key \"dust_threshold\": must be a "
                  "decimal in a JSON string, got a JSON boolean"},
        ErrorCase{"negative_dust", R"({"X": {"dust_threshold": "-0.5"}})",
                  "symbol config \"X\", key \"dust_threshold\": must be >= 0, "
                  "got -0.5"},
        ErrorCase{"negative_min_trade_size",
                  R"({"X": {"min_trade_size": "-1"}})",
                  "symbol config \"X\", key \"min_trade_size\": must be >= 0, "
                  "got -1"},
        ErrorCase{"dust_not_a_decimal", R"({"X": {"dust_threshold": "lots"}})",
                  "symbol config \"X\", key \"dust_threshold\": not a decimal "
                  "number: \"lots\"",
                  true},
        ErrorCase{"precision_as_string", R"({"X": {"base_precision": "8"}})",
                  "symbol config \"X\", key \"base_precision\": must be an "
                  "integer 0..40, got a JSON string"},
        ErrorCase{"precision_too_big", R"({"X": {"quote_precision": 41}})",
                  "symbol config \"X\", key \"quote_precision\": must be an "
                  "integer 0..40, got 41"},
        ErrorCase{"precision_negative", R"({"X": {"base_precision": -1}})",
                  "symbol config \"X\", key \"base_precision\": must be an "
                  "integer 0..40, got -1"},
        ErrorCase{"precision_fractional", R"({"X": {"base_precision": 2.5}})",
                  "symbol config \"X\", key \"base_precision\": must be an "
                  "integer 0..40, got 2.5"},
        ErrorCase{"unknown_key",
                  R"({"BTC-USD": {"base_precision": 8, "dust": "1"}})",
                  "symbol config \"BTC-USD\": unknown key \"dust\" (expected "
                  "base_precision, quote_precision, dust_threshold, "
                  "min_trade_size)"},
        ErrorCase{"entry_not_an_object", R"({"BTC-USD": 8})",
                  "symbol config \"BTC-USD\": must be a JSON object, got a "
                  "JSON number"},
        ErrorCase{"star_key", R"({"*": {}})",
                  "symbol config \"*\": not a symbol; use \"default\" for the "
                  "configuration of symbols not listed"},
        ErrorCase{"empty_symbol", R"({"": {}})",
                  "symbol config: a symbol must not be the empty string"},
        ErrorCase{"bad_default", R"({"default": {"dust_threshold": 1}})",
                  "symbol config \"default\", key \"dust_threshold\": must be "
                  "a decimal in a JSON string",
                  true},
        ErrorCase{"duplicate_symbol", R"({"A": {}, "A": {}})",
                  "symbol config: not a JSON object of symbols: ", true},
        ErrorCase{"duplicate_key",
                  R"({"A": {"dust_threshold": "1", "dust_threshold": "2"}})",
                  "symbol config: not a JSON object of symbols: ", true},
        ErrorCase{"top_level_array", R"([1, 2])",
                  "symbol config: not a JSON object of symbols: ", true},
        ErrorCase{"not_json", R"({"BTC-USD": {"base_precision": 8)",
                  "symbol config: not a JSON object of symbols: ", true},
        ErrorCase{"empty_text", "",
                  "symbol config: not a JSON object of symbols: ", true}),
    [](const ::testing::TestParamInfo<ErrorCase>& info) {
      return std::string(info.param.name);
    });

TEST(SymbolConfigJsonTest, CanonicalTextIsSortedAndCanonical) {
  absl::StatusOr<SymbolConfigs> c = ParseSymbolConfigJson(
      R"({"BTC-USD": {"min_trade_size": "0.00010", "quote_precision": 2,
                      "dust_threshold": "1e-5", "base_precision": 8}})");
  ASSERT_TRUE(c.ok()) << c.status();
  const std::string canonical = CanonicalSymbolConfig(*c);
  EXPECT_EQ(canonical,
            "{\"BTC-USD\":{\"base_precision\":8,\"dust_threshold\":"
            "\"0.00001\",\"min_trade_size\":\"0.0001\",\"quote_precision\":2},"
            "\"default\":{\"dust_threshold\":\"0\"}}");
  // Known answer: sha256 of the text above.
  EXPECT_EQ(SymbolConfigHash(*c),
            "99a7aa1ad85e5b39d4e6215d4a925fe68c2d0ac32d7b6d82c3113f2e4cb9a787");
  EXPECT_EQ(SymbolConfigHash(SymbolConfigs()),
            "b30dfca97b4b5099c8b58731aed69a35c9cb973d2a554be6f775c3fc7ee1e310");
}

TEST(SymbolConfigJsonTest, SameMeaningSameHashDifferentMeaningDifferentHash) {
  absl::StatusOr<SymbolConfigs> a = ParseSymbolConfigJson(
      R"({"ETH-USD": {"dust_threshold": "0.00010"}, "BTC-USD": {}})");
  absl::StatusOr<SymbolConfigs> b = ParseSymbolConfigJson(
      R"({"BTC-USD": {"dust_threshold": "0"},
          "ETH-USD": {"dust_threshold": "1E-4"}, "default": {}})");
  absl::StatusOr<SymbolConfigs> c = ParseSymbolConfigJson(
      R"({"ETH-USD": {"dust_threshold": "0.0002"}, "BTC-USD": {}})");
  ASSERT_TRUE(a.ok() && b.ok() && c.ok());
  EXPECT_EQ(CanonicalSymbolConfig(*a), CanonicalSymbolConfig(*b));
  EXPECT_EQ(SymbolConfigHash(*a), SymbolConfigHash(*b));
  EXPECT_NE(SymbolConfigHash(*a), SymbolConfigHash(*c));
  EXPECT_EQ(SymbolConfigHash(*a).size(), 64u);
}

TEST(SymbolConfigJsonTest, CanonicalTextParsesBackToTheSameConfig) {
  absl::StatusOr<SymbolConfigs> c = ParseSymbolConfigJson(kDesignExample);
  ASSERT_TRUE(c.ok());
  c->by_symbol["odd \"sym\"\\\n"].quote_precision = 3;
  c->default_config.min_trade_size = D("5");
  const std::string canonical = CanonicalSymbolConfig(*c);
  absl::StatusOr<SymbolConfigs> back = ParseSymbolConfigJson(canonical);
  ASSERT_TRUE(back.ok()) << back.status() << "\n" << canonical;
  EXPECT_EQ(CanonicalSymbolConfig(*back), canonical);
  EXPECT_EQ(back->by_symbol.at("odd \"sym\"\\\n").quote_precision, 3);
  EXPECT_EQ(back->default_config.min_trade_size, D("5"));
}

TEST(SymbolConfigJsonTest, ReadsAFile) {
  const std::string path =
      absl::StrCat(std::getenv("TEST_TMPDIR"), "/symbols.json");
  {
    std::ofstream out(path);
    out << kDesignExample;
  }
  absl::StatusOr<SymbolConfigs> c = ReadSymbolConfigFile(path);
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->by_symbol.size(), 3u);

  const std::string bad =
      absl::StrCat(std::getenv("TEST_TMPDIR"), "/bad_symbols.json");
  {
    std::ofstream out(bad);
    out << R"({"BTC-USD": {"base_precision": 99}})";
  }
  c = ReadSymbolConfigFile(bad);
  EXPECT_EQ(c.status(),
            absl::InvalidArgumentError(absl::StrCat(
                bad,
                ": symbol config \"BTC-USD\", key \"base_precision\": must be "
                "an integer 0..40, got 99")));

  c = ReadSymbolConfigFile(path + ".missing");
  EXPECT_EQ(c.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(std::string(c.status().message()), HasSubstr(path));
}

}  // namespace
}  // namespace fifo
