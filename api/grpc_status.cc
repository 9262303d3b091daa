#include "api/grpc_status.h"

#include <string>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "grpcpp/support/status.h"

namespace fifo {
namespace {

// Both enums are google.rpc.Code: OK = 0 ... UNAUTHENTICATED = 16.
constexpr int kLastCode = 16;

bool IsUtf8Continuation(char c) {
  return (static_cast<unsigned char>(c) & 0xC0) == 0x80;
}

}  // namespace

std::string CapStatusMessage(absl::string_view message, size_t max_bytes) {
  if (message.size() <= max_bytes) return std::string(message);
  size_t keep = max_bytes - kTruncationMarker.size();
  // Back up to the first byte of a character: cutting before it keeps every
  // earlier character whole.
  while (keep > 0 && IsUtf8Continuation(message[keep])) --keep;
  return absl::StrCat(message.substr(0, keep), kTruncationMarker);
}

grpc::Status ToGrpcStatus(const absl::Status& status) {
  if (status.ok()) return grpc::Status::OK;
  const int code = static_cast<int>(status.code());
  const grpc::StatusCode grpc_code = (code > 0 && code <= kLastCode)
                                         ? static_cast<grpc::StatusCode>(code)
                                         : grpc::StatusCode::UNKNOWN;
  return grpc::Status(grpc_code, CapStatusMessage(status.message()));
}

absl::Status FromGrpcStatus(const grpc::Status& status) {
  if (status.ok()) return absl::OkStatus();
  const int code = static_cast<int>(status.error_code());
  const absl::StatusCode absl_code = (code > 0 && code <= kLastCode)
                                         ? static_cast<absl::StatusCode>(code)
                                         : absl::StatusCode::kUnknown;
  return absl::Status(absl_code, CapStatusMessage(status.error_message()));
}

}  // namespace fifo
