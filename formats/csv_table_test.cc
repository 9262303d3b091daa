#include "formats/csv_table.h"

#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "formats/csv_writer.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace fifo {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

const CsvColumns& Columns() {
  static const CsvColumns* const kColumns =
      new CsvColumns{{"a", "b", "c"}, {"opt"}};
  return *kColumns;
}

struct Read {
  absl::Status status;
  std::vector<std::vector<std::string>> rows;  // a, b, c, opt
  std::vector<int64_t> lines;
  std::vector<bool> has_opt;
};

Read ReadText(const std::string& text) {
  std::istringstream in(text);
  Read r;
  r.status = ReadCsvTable(in, "t.csv", Columns(), [&](const CsvRow& row) {
    r.rows.push_back({std::string(row[0]), std::string(row[1]),
                      std::string(row[2]), std::string(row[3])});
    r.lines.push_back(row.line());
    r.has_opt.push_back(row.has(3));
    return absl::OkStatus();
  });
  return r;
}

TEST(CsvTableTest, ReadsColumnsInAnyOrderWithOptionalAbsent) {
  Read r = ReadText("c,a,b\n3,1,2\n6,4,5\n");
  ASSERT_TRUE(r.status.ok()) << r.status;
  ASSERT_EQ(r.rows.size(), 2u);
  EXPECT_THAT(r.rows[0], ElementsAre("1", "2", "3", ""));
  EXPECT_THAT(r.rows[1], ElementsAre("4", "5", "6", ""));
  EXPECT_THAT(r.lines, ElementsAre(2, 3));
  EXPECT_THAT(r.has_opt, ElementsAre(false, false));
}

TEST(CsvTableTest, ReadsOptionalColumn) {
  Read r = ReadText("opt,a,b,c\nx,1,2,3\n");
  ASSERT_TRUE(r.status.ok()) << r.status;
  EXPECT_THAT(r.rows[0], ElementsAre("1", "2", "3", "x"));
  EXPECT_THAT(r.has_opt, ElementsAre(true));
}

TEST(CsvTableTest, QuotedFieldsAndSpacesAreData) {
  Read r = ReadText(
      "a,b,c\n"
      "\"x,y\",\"say \"\"hi\"\"\", padded \n"
      "\"multi\nline\",\"\",\"cr\r\nlf\"\n"
      "last,row,here\n");
  ASSERT_TRUE(r.status.ok()) << r.status;
  ASSERT_EQ(r.rows.size(), 3u);
  EXPECT_THAT(r.rows[0], ElementsAre("x,y", "say \"hi\"", " padded ", ""));
  EXPECT_THAT(r.rows[1], ElementsAre("multi\nline", "", "cr\r\nlf", ""));
  // The record on lines 3-5 (two quoted line breaks) starts on line 3; the
  // next one is on line 6.
  EXPECT_THAT(r.lines, ElementsAre(2, 3, 6));
}

TEST(CsvTableTest, CrlfBomAndBlankLines) {
  Read r = ReadText(
      "\xEF\xBB\xBF"
      "a,b,c\r\n1,2,3\r\n\r\n4,5,6\r\n\r\n\n");
  ASSERT_TRUE(r.status.ok()) << r.status;
  ASSERT_EQ(r.rows.size(), 2u);
  EXPECT_THAT(r.rows[0], ElementsAre("1", "2", "3", ""));
  EXPECT_THAT(r.rows[1], ElementsAre("4", "5", "6", ""));
  EXPECT_THAT(r.lines, ElementsAre(2, 4));
}

TEST(CsvTableTest, NoTrailingNewline) {
  Read r = ReadText("a,b,c\n1,2,\"3\"");
  ASSERT_TRUE(r.status.ok()) << r.status;
  EXPECT_THAT(r.rows[0], ElementsAre("1", "2", "3", ""));
}

TEST(CsvTableTest, HeaderOnlyIsAnEmptyTable) {
  Read r = ReadText("a,b,c\n");
  ASSERT_TRUE(r.status.ok()) << r.status;
  EXPECT_TRUE(r.rows.empty());
}

TEST(CsvTableTest, LineNumbersAcrossReadChunks) {
  // Well over the 64 KiB read chunk, with multi-line fields in between.
  std::string text = "a,b,c\n";
  int64_t line = 2;
  for (int i = 0; i < 3000; ++i) {
    absl::StrAppend(&text, i, ",", std::string(40, 'x'), ",\"two\nlines\"\n");
    line += 2;
  }
  absl::StrAppend(&text, "1,2\n");  // wrong field count on `line`
  Read r = ReadText(text);
  EXPECT_EQ(r.rows.size(), 3000u);
  EXPECT_EQ(r.lines.back(), line - 2);
  EXPECT_EQ(r.status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(r.status.message(),
            absl::StrCat("t.csv line ", line,
                         ": expected 3 fields (as in the header), got 2"));
}

struct ErrorCase {
  const char* name;
  std::string text;
  std::string message;  // exact
};

class CsvTableErrorTest : public ::testing::TestWithParam<ErrorCase> {};

TEST_P(CsvTableErrorTest, RejectsWithLineAndReason) {
  Read r = ReadText(GetParam().text);
  EXPECT_EQ(r.status.code(), absl::StatusCode::kInvalidArgument)
      << GetParam().name << ": " << r.status;
  EXPECT_EQ(r.status.message(), GetParam().message) << GetParam().name;
}

INSTANTIATE_TEST_SUITE_P(
    Errors, CsvTableErrorTest,
    ::testing::Values(
        ErrorCase{"empty", "", "t.csv: empty file, expected a header line"},
        ErrorCase{"only_bom", "\xEF\xBB\xBF",
                  "t.csv: empty file, expected a header line"},
        ErrorCase{"only_blank_lines", "\n\r\n\n",
                  "t.csv: empty file, expected a header line"},
        ErrorCase{"missing_column", "a,opt\n",
                  "t.csv line 1: missing required columns b, c"},
        ErrorCase{"missing_one_column", "a,c\n",
                  "t.csv line 1: missing required column b"},
        ErrorCase{"duplicate_column", "a,b,c,b\n",
                  "t.csv line 1: duplicate column \"b\" (header fields 2 and "
                  "4)"},
        ErrorCase{"unknown_columns", "a,b,c,x,B\n",
                  "t.csv line 1: unknown columns \"x\", \"B\"; expected "
                  "a,b,c (optional: opt)"},
        ErrorCase{"header_space_is_data", "a, b,c\n",
                  "t.csv line 1: unknown column \" b\"; expected a,b,c "
                  "(optional: opt)"},
        ErrorCase{"header_after_blank_lines", "\n\na,a\n",
                  "t.csv line 3: duplicate column \"a\" (header fields 1 and "
                  "2)"},
        ErrorCase{"too_many_fields", "a,b,c\n1,2,3\n1,2,3,4\n",
                  "t.csv line 3: expected 3 fields (as in the header), got 4"},
        ErrorCase{"too_few_fields", "a,b,c\n1,2,3\n\n1\n",
                  "t.csv line 4: expected 3 fields (as in the header), got 1"},
        ErrorCase{"quote_inside_unquoted", "a,b,c\n1,2,3\n1,x\"y,3\n",
                  "t.csv line 3: malformed CSV quoting (a '\"' inside an "
                  "unquoted field, or text after a closing quote; quote the "
                  "whole field and double the quotes inside it)"},
        ErrorCase{"text_after_closing_quote", "a,b,c\n\"1\"x,2,3\n",
                  "t.csv line 2: malformed CSV quoting (a '\"' inside an "
                  "unquoted field, or text after a closing quote; quote the "
                  "whole field and double the quotes inside it)"},
        ErrorCase{"space_after_closing_quote", "a,b,c\n\"1\" ,2,3\n",
                  "t.csv line 2: malformed CSV quoting (a '\"' inside an "
                  "unquoted field, or text after a closing quote; quote the "
                  "whole field and double the quotes inside it)"},
        ErrorCase{"unterminated_quote", "a,b,c\n1,2,3\n1,2,\"3\n4\n5\n",
                  "t.csv line 3: unterminated quoted field (a '\"' opened in "
                  "this record is never closed)"},
        ErrorCase{"bad_utf8_field", "a,b,c\n1,2,3\n1,\xff,3\n",
                  "t.csv line 3, column b: not valid UTF-8 (byte 0xFF at "
                  "byte offset 0)"},
        ErrorCase{"truncated_utf8_field", "c,b,a\n1,2,ok\xC3\n",
                  "t.csv line 2, column a: not valid UTF-8 (bad or missing "
                  "continuation of the sequence starting with byte 0xC3 at "
                  "byte offset 2)"},
        ErrorCase{"nul_byte", std::string("a,b,c\n1,2,x\0y\n", 14),
                  "t.csv line 2, column c: NUL byte at byte offset 1"},
        ErrorCase{"bad_utf8_header", "a,b,c,\xC0\xAF\n",
                  "t.csv line 1: header field 4: not valid UTF-8 (byte 0xC0 "
                  "at byte offset 0)"}),
    [](const ::testing::TestParamInfo<ErrorCase>& info) {
      return std::string(info.param.name);
    });

TEST(CsvTableTest, CallbackErrorIsReturnedUnchangedAndStopsTheRead) {
  std::istringstream in("a,b,c\n1,2,3\n4,5,6\n7,8,9\n");
  int calls = 0;
  absl::Status status =
      ReadCsvTable(in, "t.csv", Columns(), [&](const CsvRow& row) {
        ++calls;
        if (row[0] == "4") return absl::AbortedError("stop here");
        return absl::OkStatus();
      });
  EXPECT_EQ(status, absl::AbortedError("stop here"));
  EXPECT_EQ(calls, 2);
}

TEST(CsvTableTest, RowErrorsNameLineAndColumn) {
  std::istringstream in("b,c,a\n\n2,3,\"1\n\"\n");
  absl::Status status = ReadCsvTable(
      in, "x.csv", Columns(),
      [&](const CsvRow& row) { return row.ColumnError(0, "must be good"); });
  EXPECT_EQ(status,
            absl::InvalidArgumentError("x.csv line 3, column a: must be good"));
}

TEST(CsvTableTest, ReadFailureIsDataLoss) {
  std::istringstream in("a,b,c\n1,2,3\n");
  in.setstate(std::ios::badbit);
  absl::Status status = ReadCsvTable(
      in, "t.csv", Columns(), [](const CsvRow&) { return absl::OkStatus(); });
  EXPECT_EQ(status.code(), absl::StatusCode::kDataLoss) << status;
}

TEST(CheckUtf8Test, AcceptsValidText) {
  for (const char* text : {"", "plain ASCII", "caf\xC3\xA9", "\xE2\x82\xAC 100",
                           "\xF0\x9F\x9A\x80", "\xEF\xBF\xBF",
                           "\xF4\x8F\xBF\xBF", "\xED\x9F\xBF"}) {
    EXPECT_TRUE(CheckUtf8(text).ok()) << absl::CEscape(text);
  }
}

TEST(CheckUtf8Test, RejectsInvalidText) {
  for (const char* text : {
           "\x80",              // lone continuation byte
           "\xC0\x80",          // overlong NUL
           "\xC1\xBF",          // overlong
           "\xE0\x80\x80",      // overlong 3-byte
           "\xE0\x9F\xBF",      // overlong 3-byte
           "\xED\xA0\x80",      // UTF-16 surrogate
           "\xF0\x8F\xBF\xBF",  // overlong 4-byte
           "\xF4\x90\x80\x80",  // above U+10FFFF
           "\xF5\x80\x80\x80",  // invalid lead byte
           "\xE2\x82",          // truncated
           "ab\xE2\x28\xA1",    // bad continuation
       }) {
    absl::Status status = CheckUtf8(text);
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument)
        << absl::CEscape(text);
    EXPECT_THAT(status.message(), HasSubstr("not valid UTF-8"))
        << absl::CEscape(text);
  }
}

// The writer (formats/csv_writer.h) against this reader.
TEST(CsvWriteTest, WrittenFieldsReadBack) {
  const std::vector<std::string> values = {
      "a,b", "\"",    "\"\"",   "x\r\ny",   "\n",
      "",    " lead", "trail ", "\xC3\xA9", ",\",\r\n"};
  std::string text = "a,b,c\n";
  for (const std::string& v : values) {
    AppendCsvRecord({v, "k", v}, &text);
  }
  Read r = ReadText(text);
  ASSERT_TRUE(r.status.ok()) << r.status;
  ASSERT_EQ(r.rows.size(), values.size());
  for (size_t i = 0; i < values.size(); ++i) {
    EXPECT_EQ(r.rows[i][0], values[i]) << i;
    EXPECT_EQ(r.rows[i][2], values[i]) << i;
  }
}

}  // namespace
}  // namespace fifo
