#include "formats/csv_table.h"

#include <csv.h>

#include <cerrno>
#include <cstring>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "engine/timestamp.h"

namespace fifo {
namespace {

// libcsv's state between records (ROW_NOT_BEGUN in libcsv.c).
constexpr int kLibcsvRowNotBegun = 0;

constexpr size_t kReadChunk = 1 << 16;

// RFC 4180: spaces are part of a field. libcsv trims spaces and tabs around
// unquoted fields unless told that no character is a space.
int NoSpace(unsigned char) { return 0; }

std::string Quoted(absl::string_view text) {
  return absl::StrCat("\"", absl::CEscape(text), "\"");
}

struct ReadState {
  ReadState(absl::string_view source_name, const CsvColumns& columns,
            const std::function<absl::Status(const CsvRow&)>& on_row)
      : source_name(source_name), columns(columns), on_row(on_row) {}

  absl::string_view source_name;
  const CsvColumns& columns;
  const std::function<absl::Status(const CsvRow&)>& on_row;

  int64_t line = 1;               // physical line being fed to the parser
  int64_t record_start_line = 1;  // where the record being parsed started
  std::vector<std::string> fields;
  size_t field_count = 0;

  bool header_done = false;
  size_t header_width = 0;
  std::vector<std::string> header;
  std::vector<int> positions;  // column index -> field position, or -1

  absl::Status status;  // first error; once set, callbacks do nothing
};

absl::Status ProcessHeader(ReadState& s) {
  const int64_t line = s.record_start_line;
  s.header.assign(s.fields.begin(), s.fields.begin() + s.field_count);
  s.header_width = s.field_count;
  for (size_t pos = 0; pos < s.header.size(); ++pos) {
    absl::Status utf8 = CheckUtf8(s.header[pos]);
    if (!utf8.ok()) {
      return CsvLineError(
          s.source_name, line,
          absl::StrCat("header field ", pos + 1, ": ", utf8.message()));
    }
  }
  absl::flat_hash_map<std::string, int> index_of;
  for (int i = 0; i < s.columns.size(); ++i) index_of[s.columns.name(i)] = i;
  s.positions.assign(s.columns.size(), -1);
  std::vector<std::string> unknown;
  for (size_t pos = 0; pos < s.header.size(); ++pos) {
    auto it = index_of.find(s.header[pos]);
    if (it == index_of.end()) {
      unknown.push_back(Quoted(s.header[pos]));
      continue;
    }
    int& slot = s.positions[it->second];
    if (slot >= 0) {
      return CsvLineError(
          s.source_name, line,
          absl::StrCat("duplicate column ", Quoted(s.header[pos]),
                       " (header fields ", slot + 1, " and ", pos + 1, ")"));
    }
    slot = static_cast<int>(pos);
  }
  if (!unknown.empty()) {
    std::string expected = absl::StrJoin(s.columns.required, ",");
    if (!s.columns.optional.empty()) {
      absl::StrAppend(&expected,
                      " (optional: ", absl::StrJoin(s.columns.optional, ","),
                      ")");
    }
    return CsvLineError(
        s.source_name, line,
        absl::StrCat("unknown column", unknown.size() > 1 ? "s " : " ",
                     absl::StrJoin(unknown, ", "), "; expected ", expected));
  }
  std::vector<std::string> missing;
  for (size_t i = 0; i < s.columns.required.size(); ++i) {
    if (s.positions[i] < 0) missing.push_back(s.columns.required[i]);
  }
  if (!missing.empty()) {
    return CsvLineError(
        s.source_name, line,
        absl::StrCat("missing required column", missing.size() > 1 ? "s " : " ",
                     absl::StrJoin(missing, ", ")));
  }
  return absl::OkStatus();
}

absl::Status ProcessRecord(ReadState& s) {
  if (!s.header_done) {
    s.header_done = true;
    return ProcessHeader(s);
  }
  const int64_t line = s.record_start_line;
  if (s.field_count != s.header_width) {
    return CsvLineError(
        s.source_name, line,
        absl::StrCat("expected ", s.header_width,
                     " fields (as in the header), got ", s.field_count));
  }
  for (size_t pos = 0; pos < s.field_count; ++pos) {
    absl::Status utf8 = CheckUtf8(s.fields[pos]);
    if (!utf8.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat(s.source_name, " line ", line, ", column ",
                       s.header[pos], ": ", utf8.message()));
    }
  }
  CsvRow row(s.source_name, s.columns, s.positions, s.fields, line);
  return s.on_row(row);
}

void OnField(void* data, size_t len, void* user) {
  auto& s = *static_cast<ReadState*>(user);
  if (!s.status.ok()) return;
  if (s.field_count == s.fields.size()) s.fields.emplace_back();
  std::string& field = s.fields[s.field_count++];
  if (len == 0) {
    field.clear();
  } else {
    field.assign(static_cast<const char*>(data), len);
  }
}

void OnRecord(int /*terminator*/, void* user) {
  auto& s = *static_cast<ReadState*>(user);
  if (!s.status.ok()) return;
  s.status = ProcessRecord(s);
  s.field_count = 0;
  // Another record can only start on this line after a bare CR.
  s.record_start_line = s.line;
}

// Owns a libcsv parser.
class Parser {
 public:
  Parser() {
    ok_ = csv_init(&p_, CSV_STRICT | CSV_STRICT_FINI) == 0;
    if (ok_) csv_set_space_func(&p_, NoSpace);
  }
  ~Parser() {
    if (ok_) csv_free(&p_);
  }
  Parser(const Parser&) = delete;
  Parser& operator=(const Parser&) = delete;

  bool ok() const { return ok_; }
  csv_parser* get() { return &p_; }

 private:
  csv_parser p_;
  bool ok_ = false;
};

}  // namespace

const std::string& CsvColumns::name(int index) const {
  return index < static_cast<int>(required.size())
             ? required[index]
             : optional[index - required.size()];
}

absl::Status CsvRow::ColumnError(int index, absl::string_view what) const {
  return absl::InvalidArgumentError(
      absl::StrCat(source_name_, " line ", line_, ", column ",
                   columns_.name(index), ": ", what));
}

absl::Status CsvRow::RowError(absl::string_view what) const {
  return CsvLineError(source_name_, line_, what);
}

absl::Status CsvLineError(absl::string_view source_name, int64_t line,
                          absl::string_view what) {
  return absl::InvalidArgumentError(
      absl::StrCat(source_name, " line ", line, ": ", what));
}

absl::StatusOr<std::string> NonEmptyField(const CsvRow& row, int index) {
  absl::string_view text = row[index];
  if (text.empty()) return row.ColumnError(index, "must not be empty");
  return std::string(text);
}

absl::StatusOr<Decimal> DecimalField(const CsvRow& row, int index) {
  absl::string_view text = row[index];
  if (text.empty()) {
    return row.ColumnError(index, "must not be empty (expected a decimal)");
  }
  absl::StatusOr<Decimal> value = Decimal::Parse(text);
  if (!value.ok()) return row.ColumnError(index, value.status().message());
  return value;
}

absl::StatusOr<Decimal> PositiveDecimalField(const CsvRow& row, int index) {
  absl::StatusOr<Decimal> value = DecimalField(row, index);
  if (value.ok() && !value->is_positive()) {
    return row.ColumnError(
        index, absl::StrCat("must be > 0, got ", value->ToString()));
  }
  return value;
}

absl::StatusOr<Decimal> NonNegativeDecimalField(const CsvRow& row, int index,
                                                bool empty_is_zero) {
  if (empty_is_zero && row[index].empty()) return Decimal();
  absl::StatusOr<Decimal> value = DecimalField(row, index);
  if (value.ok() && value->is_negative()) {
    return row.ColumnError(
        index, absl::StrCat("must be >= 0, got ", value->ToString()));
  }
  return value;
}

absl::StatusOr<absl::Time> TimestampField(const CsvRow& row, int index) {
  absl::string_view text = row[index];
  if (text.empty()) {
    return row.ColumnError(
        index, "must not be empty (expected an RFC 3339 timestamp)");
  }
  absl::StatusOr<absl::Time> value = ParseTimestamp(text);
  if (!value.ok()) return row.ColumnError(index, value.status().message());
  return value;
}

absl::Status FileOpenError(const std::string& path, int error_number) {
  std::string what =
      absl::StrCat("cannot open ", path, ": ", std::strerror(error_number));
  switch (error_number) {
    case ENOENT:
    case ENOTDIR:
      return absl::NotFoundError(what);
    case EACCES:
    case EPERM:
      return absl::PermissionDeniedError(what);
    default:
      return absl::UnavailableError(what);
  }
}

absl::Status CheckUtf8(absl::string_view text) {
  const auto* b = reinterpret_cast<const unsigned char*>(text.data());
  const size_t n = text.size();
  size_t i = 0;
  while (i < n) {
    unsigned char c = b[i];
    if (c == 0) {
      return absl::InvalidArgumentError(
          absl::StrCat("NUL byte at byte offset ", i));
    }
    if (c < 0x80) {
      ++i;
      continue;
    }
    int extra;
    unsigned lo = 0x80, hi = 0xBF;  // range of the first continuation byte
    if (c >= 0xC2 && c <= 0xDF) {
      extra = 1;
    } else if (c >= 0xE0 && c <= 0xEF) {
      extra = 2;
      if (c == 0xE0) lo = 0xA0;  // overlong
      if (c == 0xED) hi = 0x9F;  // UTF-16 surrogates
    } else if (c >= 0xF0 && c <= 0xF4) {
      extra = 3;
      if (c == 0xF0) lo = 0x90;  // overlong
      if (c == 0xF4) hi = 0x8F;  // above U+10FFFF
    } else {
      return absl::InvalidArgumentError(absl::StrFormat(
          "not valid UTF-8 (byte 0x%02X at byte offset %d)", c, i));
    }
    for (int k = 1; k <= extra; ++k) {
      unsigned char cc = i + k < n ? b[i + k] : 0;
      unsigned min = k == 1 ? lo : 0x80, max = k == 1 ? hi : 0xBF;
      if (i + k >= n || cc < min || cc > max) {
        return absl::InvalidArgumentError(absl::StrFormat(
            "not valid UTF-8 (bad or missing continuation of the sequence "
            "starting with byte 0x%02X at byte offset %d)",
            c, i));
      }
    }
    i += extra + 1;
  }
  return absl::OkStatus();
}

absl::Status ReadCsvTable(
    std::istream& in, absl::string_view source_name, const CsvColumns& columns,
    const std::function<absl::Status(const CsvRow& row)>& on_row) {
  Parser parser;
  if (!parser.ok()) return absl::ResourceExhaustedError("csv_init failed");
  csv_parser* p = parser.get();
  ReadState s(source_name, columns, on_row);

  std::string buffer(kReadChunk, '\0');
  bool first_chunk = true;
  bool at_line_start = true;
  while (s.status.ok()) {
    in.read(&buffer[0], buffer.size());
    size_t n = static_cast<size_t>(in.gcount());
    if (n == 0) break;
    const char* data = buffer.data();
    if (first_chunk) {
      first_chunk = false;
      if (n >= 3 && std::memcmp(data, "\xEF\xBB\xBF", 3) == 0) {
        data += 3;
        n -= 3;
      }
    }
    // Feed one physical line (or the part of it in this chunk) at a time, so
    // that each record's starting line is known.
    while (n > 0 && s.status.ok()) {
      if (at_line_start && p->pstate == kLibcsvRowNotBegun) {
        s.record_start_line = s.line;
      }
      const void* newline = std::memchr(data, '\n', n);
      size_t segment =
          newline ? static_cast<const char*>(newline) - data + 1 : n;
      size_t parsed = csv_parse(p, data, segment, OnField, OnRecord, &s);
      if (!s.status.ok()) break;
      if (parsed != segment) {
        if (csv_error(p) == CSV_EPARSE) {
          return CsvLineError(
              source_name, s.line,
              "malformed CSV quoting (a '\"' inside an unquoted field, or "
              "text after a closing quote; quote the whole field and double "
              "the quotes inside it)");
        }
        return absl::ResourceExhaustedError(
            absl::StrCat(source_name, " line ", s.line,
                         ": CSV parser error: ", csv_strerror(csv_error(p))));
      }
      data += segment;
      n -= segment;
      at_line_start = newline != nullptr;
      if (newline != nullptr) ++s.line;
    }
  }
  if (!s.status.ok()) return s.status;
  if (in.bad()) {
    return absl::DataLossError(
        absl::StrCat(source_name, " line ", s.line, ": read error"));
  }
  if (csv_fini(p, OnField, OnRecord, &s) != 0) {
    if (!s.status.ok()) return s.status;
    return CsvLineError(source_name, s.record_start_line,
                        "unterminated quoted field (a '\"' opened in this "
                        "record is never closed)");
  }
  if (!s.status.ok()) return s.status;
  if (!s.header_done) {
    return absl::InvalidArgumentError(
        absl::StrCat(source_name, ": empty file, expected a header line"));
  }
  return absl::OkStatus();
}

}  // namespace fifo
