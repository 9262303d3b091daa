// Replays every input of the fuzz corpus (tests/fuzz_corpus/<target>/: the
// seeds and every input that once broke a property) through the same property
// checks as the libFuzzer targets of fuzz/, under the default build, and pins
// the bugs the fuzzers found.
#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "engine/timestamp.h"
#include "fuzz/format_properties.h"
#include "fuzz/rpc_properties.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace fifo::fuzz {
namespace {

using ::testing::HasSubstr;

struct Target {
  const char* name;  // directory under tests/fuzz_corpus
  absl::Status (*check)(absl::string_view);
};

constexpr Target kTargets[] = {
    {"decimal", &CheckDecimalInput},
    {"timestamp", &CheckTimestampInput},
    {"trades_csv", &CheckTradesCsvInput},
    {"coinbase_fills", &CheckCoinbaseFillsInput},
    {"allocations_csv", &CheckAllocationsCsvInput},
    {"symbol_config", &CheckSymbolConfigInput},
    {"rpc_request", &CheckRpcRequestInput},
};

std::filesystem::path CorpusDir(const char* target) {
  const char* srcdir = std::getenv("TEST_SRCDIR");
  const char* workspace = std::getenv("TEST_WORKSPACE");
  return std::filesystem::path(srcdir ? srcdir : ".") /
         (workspace ? workspace : "fifo") / "tests" / "fuzz_corpus" / target;
}

std::string ReadFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)),
                     std::istreambuf_iterator<char>());
}

class CorpusTest : public ::testing::TestWithParam<Target> {};

TEST_P(CorpusTest, EveryInputKeepsItsProperties) {
  const Target& target = GetParam();
  std::vector<std::filesystem::path> files;
  for (const auto& entry :
       std::filesystem::directory_iterator(CorpusDir(target.name))) {
    if (entry.is_regular_file()) files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  // A corpus that went missing must not pass silently.
  ASSERT_GE(files.size(), 2u) << "corpus of " << target.name;
  for (const auto& file : files) {
    absl::Status status = target.check(ReadFile(file));
    EXPECT_TRUE(status.ok()) << file.filename() << ": " << status;
  }
}

INSTANTIATE_TEST_SUITE_P(
    Targets, CorpusTest, ::testing::ValuesIn(kTargets),
    [](const ::testing::TestParamInfo<Target>& info) {
      return std::string(info.param.name);
    });

// Found by timestamp_fuzzer and every CSV target: FormatTimestamp wrote years
// before 1000 without zero padding ("506-11-20T..."), which ParseTimestamp
// rejects, and ParseTimestamp accepted offsets that move the instant to year
// 0 or 10000, which have no four-digit form.
TEST(TimestampRegression, YearsBeforeOneThousandArePadded) {
  absl::StatusOr<absl::Time> t = ParseTimestamp("0506-11-20T10:00:00+01:00");
  ASSERT_TRUE(t.ok()) << t.status();
  EXPECT_EQ(FormatTimestamp(*t), "0506-11-20T09:00:00.000000Z");
  EXPECT_EQ(FormatTimestamp(ParseTimestamp("0001-01-01T00:00:00Z").value()),
            "0001-01-01T00:00:00.000000Z");
  EXPECT_EQ(FormatTimestamp(
                ParseTimestamp("9999-12-31T23:59:59.999999Z").value()),
            "9999-12-31T23:59:59.999999Z");
}

TEST(TimestampRegression, InstantsOutsideFourDigitYearsAreRejected) {
  for (const char* text :
       {"0000-01-01T00:00:00Z", "0001-01-01T00:00:00+00:01",
        "0000-12-31T23:59:59-00:00", "9999-12-31T23:59:59-00:01",
        "9999-12-31T23:30:00.5-01:00"}) {
    absl::StatusOr<absl::Time> t = ParseTimestamp(text);
    ASSERT_FALSE(t.ok()) << text;
    EXPECT_EQ(t.status().code(), absl::StatusCode::kInvalidArgument) << text;
    EXPECT_THAT(t.status().message(),
                HasSubstr("outside years 0001..9999 in UTC"))
        << text;
  }
  // The offset can also bring a year-0000 or year-10000 local time back in.
  EXPECT_TRUE(ParseTimestamp("0000-12-31T23:30:00-01:00").ok());
}

}  // namespace
}  // namespace fifo::fuzz
