// File: service/request_fields.h
//
// What several fifo.v1 handlers read from their requests the same way: the
// page size of a list (default and cap), the offset page tokens of lists
// assembled in memory, and proto3 fields whose default value means "unset"
// (an optional allocation version, an empty string). Internal to service/.
//
// Thread safety: pure functions.
#ifndef FIFO_SERVICE_REQUEST_FIELDS_H_
#define FIFO_SERVICE_REQUEST_FIELDS_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

#include "absl/status/statusor.h"

namespace fifo {

inline constexpr int kDefaultPageSize = 100;
inline constexpr int kMaxPageSize = 1000;

// kDefaultPageSize for a request's page_size <= 0, else at most
// kMaxPageSize.
int PageSize(int32_t requested);

// Offset page tokens for lists assembled in memory: "" is 0, else the
// decimal offset. kInvalidArgument ("page_token: not a token from this
// list: ...") otherwise.
absl::StatusOr<size_t> OffsetFromToken(const std::string& token);

// An optional field: `version` when `has` is set.
std::optional<int64_t> OptionalVersion(bool has, int64_t version);

// A request's `optional int64 allocation_version` field.
template <typename Request>
std::optional<int64_t> RequestedVersion(const Request& request) {
  return OptionalVersion(request.has_allocation_version(),
                         request.allocation_version());
}

// A string field where "" means unset.
std::optional<std::string> OptionalText(const std::string& text);

}  // namespace fifo

#endif  // FIFO_SERVICE_REQUEST_FIELDS_H_
