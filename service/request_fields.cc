#include "service/request_fields.h"

#include <algorithm>

#include "absl/status/status.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace fifo {

int PageSize(int32_t requested) {
  if (requested <= 0) return kDefaultPageSize;
  return std::min<int>(requested, kMaxPageSize);
}

// Offset page tokens for lists assembled in memory.
absl::StatusOr<size_t> OffsetFromToken(const std::string& token) {
  if (token.empty()) return 0;
  uint64_t offset = 0;
  if (!absl::SimpleAtoi(token, &offset)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "page_token: not a token from this list: \"", token, "\""));
  }
  return static_cast<size_t>(offset);
}

std::optional<int64_t> OptionalVersion(bool has, int64_t version) {
  return has ? std::optional<int64_t>(version) : std::nullopt;
}

std::optional<std::string> OptionalText(const std::string& text) {
  return text.empty() ? std::nullopt : std::optional<std::string>(text);
}

}  // namespace fifo
