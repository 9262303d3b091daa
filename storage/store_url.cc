#include "storage/store_url.h"

#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "libpq-fe.h"

namespace fifo {
namespace storage_internal {
namespace {

// libpq keyword='value' quoting: backslash before ' and \.
std::string PgQuote(absl::string_view value) {
  std::string out = "'";
  for (char c : value) {
    if (c == '\'' || c == '\\') out.push_back('\\');
    out.push_back(c);
  }
  out.push_back('\'');
  return out;
}

// Parses a libpq URI or keyword=value string into a keyword='value' string
// (SOCI 4.0.3 mangles URIs), returning the password separately.
absl::Status PgConninfo(const std::string& text, std::string* conninfo,
                        std::string* password, std::string* redacted_kv) {
  char* error = nullptr;
  PQconninfoOption* options = PQconninfoParse(text.c_str(), &error);
  if (options == nullptr) {
    std::string why = error != nullptr ? error : "out of memory";
    if (error != nullptr) PQfreemem(error);
    absl::StripAsciiWhitespace(&why);
    return absl::InvalidArgumentError(
        absl::StrCat("cannot parse the PostgreSQL connection string: ", why));
  }
  std::vector<std::string> parts, redacted_parts;
  for (PQconninfoOption* o = options; o->keyword != nullptr; ++o) {
    if (o->val == nullptr) continue;
    const std::string keyword = o->keyword;
    parts.push_back(absl::StrCat(keyword, "=", PgQuote(o->val)));
    if (keyword == "password") {
      *password = o->val;
      redacted_parts.push_back("password=***");
    } else {
      redacted_parts.push_back(parts.back());
    }
  }
  PQconninfoFree(options);
  *conninfo = absl::StrJoin(parts, " ");
  *redacted_kv = absl::StrJoin(redacted_parts, " ");
  return absl::OkStatus();
}

// postgresql://user:secret@host/db?password=x -> password parts as "***".
std::string RedactUri(const std::string& url) {
  std::string out = url;
  size_t scheme = out.find("://");
  if (scheme != std::string::npos) {
    size_t start = scheme + 3;
    size_t end = out.find_first_of("/?", start);
    if (end == std::string::npos) end = out.size();
    size_t at = out.rfind('@', end);
    if (at != std::string::npos && at >= start) {
      size_t colon = out.find(':', start);
      if (colon != std::string::npos && colon < at) {
        out = absl::StrCat(out.substr(0, colon + 1), "***", out.substr(at));
      }
    }
  }
  size_t q = out.find('?');
  if (q != std::string::npos) {
    std::vector<std::string> params = absl::StrSplit(out.substr(q + 1), '&');
    for (std::string& p : params) {
      if (absl::StartsWith(p, "password=")) p = "password=***";
    }
    out = absl::StrCat(out.substr(0, q + 1), absl::StrJoin(params, "&"));
  }
  return out;
}

}  // namespace

std::string RedactPostgresUri(const std::string& url) { return RedactUri(url); }

absl::StatusOr<StoreUrl> ParseStoreUrl(const std::string& url) {
  StoreUrl out;
  if (absl::StartsWith(url, "sqlite:")) {
    std::string path = url.substr(7);
    if (absl::StartsWith(path, "//")) path = path.substr(2);
    if (path.empty() || path == ":memory:" ||
        absl::StartsWith(path, "file:")) {
      return absl::InvalidArgumentError(absl::StrCat(
          "store URL \"", url,
          "\": need sqlite:PATH with a file path (the store opens several "
          "connections, which an in-memory database cannot share)"));
    }
    if (absl::StrContains(path, "\"")) {
      return absl::InvalidArgumentError(absl::StrCat(
          "store URL \"", url, "\": the path must not contain '\"'"));
    }
    out.dialect = Dialect::kSqlite;
    out.sqlite_path = path;
    out.redacted = url;
    return out;
  }
  if (absl::StartsWith(url, "postgresql://") ||
      absl::StartsWith(url, "postgres://")) {
    out.dialect = Dialect::kPostgresql;
    out.redacted = RedactUri(url);
    std::string ignored;
    absl::Status s = PgConninfo(url, &out.pg_conninfo, &out.password, &ignored);
    if (!s.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat("store URL \"", out.redacted, "\": ", s.message()));
    }
    return out;
  }
  if (absl::StartsWith(url, "postgresql:")) {
    out.dialect = Dialect::kPostgresql;
    std::string redacted_kv;
    absl::Status s =
        PgConninfo(url.substr(11), &out.pg_conninfo, &out.password, &redacted_kv);
    out.redacted = absl::StrCat("postgresql:", redacted_kv);
    if (!s.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat("store URL: ", s.message()));
    }
    return out;
  }
  return absl::InvalidArgumentError(
      absl::StrCat("store URL \"", RedactUri(url),
                   "\": expected sqlite:PATH, postgresql://... or "
                   "postgres://..."));
}

}  // namespace storage_internal
}  // namespace fifo
