#include "formats/csv_writer.h"

#include <sstream>
#include <string>

#include "gtest/gtest.h"

namespace fifo {
namespace {

TEST(CsvWriterTest, QuotesOnlyWhenNeeded) {
  std::string out;
  AppendCsvRecord({"plain", "with,comma", "with \"quote\"", "cr\rlf\n", "",
                   " spaced ", "tab\t"},
                  &out);
  EXPECT_EQ(out,
            "plain,\"with,comma\",\"with \"\"quote\"\"\",\"cr\rlf\n\",, "
            "spaced ,tab\t\n");
  EXPECT_FALSE(CsvNeedsQuoting("1.5"));
  EXPECT_TRUE(CsvNeedsQuoting("\""));
}

TEST(CsvWriterTest, FieldsAppendToWhatIsThere) {
  std::string out = "x,";
  AppendCsvField("a\"b", &out);
  EXPECT_EQ(out, "x,\"a\"\"b\"");
  AppendCsvRecord({}, &out);
  EXPECT_EQ(out, "x,\"a\"\"b\"\n");
}

TEST(CsvWriterTest, WritesARecordToAStream) {
  std::ostringstream out;
  WriteCsvRecord(out, {"a", "b,c", ""});
  WriteCsvRecord(out, {"d"});
  EXPECT_EQ(out.str(), "a,\"b,c\",\nd\n");
}

}  // namespace
}  // namespace fifo
