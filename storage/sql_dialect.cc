#include "storage/sql_dialect.h"

#include <algorithm>
#include <cstdint>

#include "absl/strings/str_cat.h"
#include "common/log.h"

namespace fifo {
namespace storage_internal {

// ---------------------------------------------------------- fragments ----

std::string SqlDialect::NumCol(const std::string& expr) const {
  return sqlite() ? expr : absl::StrCat("CAST(", expr, " AS TEXT)");
}
std::string SqlDialect::NumParam(const std::string& p) const {
  return sqlite() ? p : absl::StrCat("CAST(", p, " AS NUMERIC)");
}
std::string SqlDialect::TsCol(const std::string& expr) const {
  return sqlite() ? expr : absl::StrCat("fifo_ts_text(", expr, ")");
}
std::string SqlDialect::TsParam(const std::string& p) const {
  return sqlite() ? p : absl::StrCat("CAST(", p, " AS TIMESTAMPTZ)");
}
std::string SqlDialect::UuidCol(const std::string& expr) const {
  return sqlite() ? expr : absl::StrCat("CAST(", expr, " AS TEXT)");
}
std::string SqlDialect::UuidParam(const std::string& p) const {
  return sqlite() ? p : absl::StrCat("CAST(", p, " AS UUID)");
}
std::string SqlDialect::JsonCol(const std::string& expr) const {
  return sqlite() ? expr : absl::StrCat("CAST(", expr, " AS TEXT)");
}
std::string SqlDialect::JsonParam(const std::string& p) const {
  return sqlite() ? p : absl::StrCat("CAST(", p, " AS JSONB)");
}
std::string SqlDialect::IntParam(const std::string& p) const {
  return sqlite() ? p : absl::StrCat("CAST(", p, " AS BIGINT)");
}
std::string SqlDialect::InList(const std::string& expr,
                               const std::string& p) const {
  return sqlite()
             ? absl::StrCat(expr, " IN (SELECT value FROM json_each(", p, "))")
             : absl::StrCat(expr, " = ANY(CAST(", p, " AS TEXT[]))");
}
std::string SqlDialect::EncodeList(
    const std::vector<std::string>& values) const {
  if (sqlite()) return JsonStringArray(values);
  std::vector<std::optional<std::string>> opt(values.begin(), values.end());
  return PgArrayLiteral(opt);
}
std::string SqlDialect::ListParam(const std::string& p) const {
  return sqlite() ? p : absl::StrCat("CAST(", p, " AS TEXT[])");
}
std::string SqlDialect::ListColAsJson(const std::string& expr) const {
  return sqlite() ? expr
                  : absl::StrCat("CAST(array_to_json(", expr, ") AS TEXT)");
}

// ----------------------------------------------------------- encoders ----

std::string JsonQuote(absl::string_view text) {
  return absl::StrCat("\"", JsonEscape(text), "\"");
}

std::string JsonStringArray(const std::vector<std::string>& values) {
  std::string out = "[";
  for (size_t i = 0; i < values.size(); ++i) {
    if (i > 0) out.push_back(',');
    out += JsonQuote(values[i]);
  }
  out.push_back(']');
  return out;
}

namespace {

void AppendUtf8(uint32_t cp, std::string* out) {
  if (cp < 0x80) {
    out->push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out->push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out->push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out->push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

bool ParseHex4(absl::string_view s, size_t at, uint32_t* out) {
  if (at + 4 > s.size()) return false;
  uint32_t v = 0;
  for (size_t i = at; i < at + 4; ++i) {
    char c = s[i];
    v <<= 4;
    if (c >= '0' && c <= '9') {
      v |= c - '0';
    } else if (c >= 'a' && c <= 'f') {
      v |= c - 'a' + 10;
    } else if (c >= 'A' && c <= 'F') {
      v |= c - 'A' + 10;
    } else {
      return false;
    }
  }
  *out = v;
  return true;
}

}  // namespace

absl::StatusOr<std::vector<std::string>> ParseJsonStringArray(
    absl::string_view json) {
  auto bad = [&]() {
    return absl::InvalidArgumentError(
        absl::StrCat("malformed JSON string array: ",
                     json.substr(0, std::min<size_t>(json.size(), 80))));
  };
  size_t i = 0;
  auto skip_ws = [&]() {
    while (i < json.size() && (json[i] == ' ' || json[i] == '\n' ||
                               json[i] == '\t' || json[i] == '\r')) {
      ++i;
    }
  };
  std::vector<std::string> out;
  skip_ws();
  if (i >= json.size() || json[i] != '[') return bad();
  ++i;
  skip_ws();
  if (i < json.size() && json[i] == ']') {
    ++i;
    skip_ws();
    if (i != json.size()) return bad();
    return out;
  }
  while (true) {
    skip_ws();
    if (i >= json.size() || json[i] != '"') return bad();
    ++i;
    std::string value;
    while (true) {
      if (i >= json.size()) return bad();
      char c = json[i++];
      if (c == '"') break;
      if (c != '\\') {
        value.push_back(c);
        continue;
      }
      if (i >= json.size()) return bad();
      char e = json[i++];
      switch (e) {
        case '"': value.push_back('"'); break;
        case '\\': value.push_back('\\'); break;
        case '/': value.push_back('/'); break;
        case 'b': value.push_back('\b'); break;
        case 'f': value.push_back('\f'); break;
        case 'n': value.push_back('\n'); break;
        case 'r': value.push_back('\r'); break;
        case 't': value.push_back('\t'); break;
        case 'u': {
          uint32_t cp;
          if (!ParseHex4(json, i, &cp)) return bad();
          i += 4;
          if (cp >= 0xD800 && cp <= 0xDBFF && i + 6 <= json.size() &&
              json[i] == '\\' && json[i + 1] == 'u') {
            uint32_t low;
            if (ParseHex4(json, i + 2, &low) && low >= 0xDC00 &&
                low <= 0xDFFF) {
              cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
              i += 6;
            }
          }
          AppendUtf8(cp, &value);
          break;
        }
        default:
          return bad();
      }
    }
    out.push_back(std::move(value));
    skip_ws();
    if (i >= json.size()) return bad();
    if (json[i] == ',') {
      ++i;
      continue;
    }
    if (json[i] != ']') return bad();
    ++i;
    skip_ws();
    if (i != json.size()) return bad();
    return out;
  }
}

std::string PgArrayLiteral(
    const std::vector<std::optional<std::string>>& values) {
  std::string out = "{";
  for (size_t i = 0; i < values.size(); ++i) {
    if (i > 0) out.push_back(',');
    if (!values[i].has_value()) {
      out += "NULL";
      continue;
    }
    out.push_back('"');
    for (char c : *values[i]) {
      if (c == '"' || c == '\\') out.push_back('\\');
      out.push_back(c);
    }
    out.push_back('"');
  }
  out.push_back('}');
  return out;
}

}  // namespace storage_internal
}  // namespace fifo
