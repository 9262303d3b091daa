// File: api/grpc_status.h
//
// The one place where absl::Status and grpc::Status meet. Handlers work in
// absl::Status (like every module below them) and convert once, on the way
// out; clients (the e2e tests, fifoctl's remote mode) convert back once, on
// the way in.
//
// Codes map one to one: both follow google.rpc.Code, so OK stays OK,
// NOT_FOUND stays NOT_FOUND, and so on for all 17 codes. A code outside that
// range (impossible from well-behaved peers) becomes UNKNOWN.
//
// Messages travel unchanged except that they are capped at
// kMaxStatusMessageBytes: a longer message is cut at a UTF-8 character
// boundary and ends with kTruncationMarker, so one giant error (say, a list
// of every violating row) cannot blow up a response's trailers, which HTTP/2
// peers limit to a few KB. Payloads of absl::Status and error_details of
// grpc::Status are not carried.
//
// Thread safety: pure functions.
#ifndef FIFO_API_GRPC_STATUS_H_
#define FIFO_API_GRPC_STATUS_H_

#include <cstddef>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "grpcpp/support/status.h"

namespace fifo {

// Longest status message, in bytes, marker included.
inline constexpr size_t kMaxStatusMessageBytes = 4096;

// Appended to a message that was cut.
inline constexpr absl::string_view kTruncationMarker = "... [truncated]";

// `message` if it has at most `max_bytes` bytes; otherwise its longest prefix
// that ends on a UTF-8 character boundary and leaves room for the marker,
// followed by kTruncationMarker. REQUIRES: max_bytes >= kTruncationMarker
// size.
std::string CapStatusMessage(absl::string_view message,
                             size_t max_bytes = kMaxStatusMessageBytes);

// absl::Status -> grpc::Status: same code, capped message.
grpc::Status ToGrpcStatus(const absl::Status& status);

// grpc::Status -> absl::Status: same code, capped message.
absl::Status FromGrpcStatus(const grpc::Status& status);

}  // namespace fifo

#endif  // FIFO_API_GRPC_STATUS_H_
