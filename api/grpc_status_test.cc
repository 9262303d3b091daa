#include "api/grpc_status.h"

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "grpcpp/support/status.h"
#include "gtest/gtest.h"

namespace fifo {
namespace {

struct CodePair {
  absl::StatusCode absl_code;
  grpc::StatusCode grpc_code;
  const char* name;
};

// Written out by hand (not derived from the numeric values) so that a
// mapping error cannot hide behind the same arithmetic in test and code.
const std::vector<CodePair>& AllCodes() {
  static const auto* codes = new std::vector<CodePair>{
      {absl::StatusCode::kCancelled, grpc::StatusCode::CANCELLED, "CANCELLED"},
      {absl::StatusCode::kUnknown, grpc::StatusCode::UNKNOWN, "UNKNOWN"},
      {absl::StatusCode::kInvalidArgument, grpc::StatusCode::INVALID_ARGUMENT,
       "INVALID_ARGUMENT"},
      {absl::StatusCode::kDeadlineExceeded, grpc::StatusCode::DEADLINE_EXCEEDED,
       "DEADLINE_EXCEEDED"},
      {absl::StatusCode::kNotFound, grpc::StatusCode::NOT_FOUND, "NOT_FOUND"},
      {absl::StatusCode::kAlreadyExists, grpc::StatusCode::ALREADY_EXISTS,
       "ALREADY_EXISTS"},
      {absl::StatusCode::kPermissionDenied, grpc::StatusCode::PERMISSION_DENIED,
       "PERMISSION_DENIED"},
      {absl::StatusCode::kResourceExhausted,
       grpc::StatusCode::RESOURCE_EXHAUSTED, "RESOURCE_EXHAUSTED"},
      {absl::StatusCode::kFailedPrecondition,
       grpc::StatusCode::FAILED_PRECONDITION, "FAILED_PRECONDITION"},
      {absl::StatusCode::kAborted, grpc::StatusCode::ABORTED, "ABORTED"},
      {absl::StatusCode::kOutOfRange, grpc::StatusCode::OUT_OF_RANGE,
       "OUT_OF_RANGE"},
      {absl::StatusCode::kUnimplemented, grpc::StatusCode::UNIMPLEMENTED,
       "UNIMPLEMENTED"},
      {absl::StatusCode::kInternal, grpc::StatusCode::INTERNAL, "INTERNAL"},
      {absl::StatusCode::kUnavailable, grpc::StatusCode::UNAVAILABLE,
       "UNAVAILABLE"},
      {absl::StatusCode::kDataLoss, grpc::StatusCode::DATA_LOSS, "DATA_LOSS"},
      {absl::StatusCode::kUnauthenticated, grpc::StatusCode::UNAUTHENTICATED,
       "UNAUTHENTICATED"},
  };
  return *codes;
}

TEST(GrpcStatusTest, OkBothWays) {
  EXPECT_TRUE(ToGrpcStatus(absl::OkStatus()).ok());
  EXPECT_TRUE(FromGrpcStatus(grpc::Status::OK).ok());
}

TEST(GrpcStatusTest, EveryCodeMapsOneToOneAndKeepsTheMessage) {
  for (const CodePair& c : AllCodes()) {
    const std::string message = absl::StrCat("message for ", c.name);
    grpc::Status g = ToGrpcStatus(absl::Status(c.absl_code, message));
    EXPECT_EQ(g.error_code(), c.grpc_code) << c.name;
    EXPECT_EQ(g.error_message(), message) << c.name;

    absl::Status a = FromGrpcStatus(grpc::Status(c.grpc_code, message));
    EXPECT_EQ(a.code(), c.absl_code) << c.name;
    EXPECT_EQ(a.message(), message) << c.name;
  }
}

// grpc::StatusCode has no fixed underlying type: only 0..31 are valid values
// of it in C++, so the test uses 20.
TEST(GrpcStatusTest, OutOfRangeCodesBecomeUnknown) {
  grpc::Status g =
      ToGrpcStatus(absl::Status(static_cast<absl::StatusCode>(42), "odd"));
  EXPECT_EQ(g.error_code(), grpc::StatusCode::UNKNOWN);
  EXPECT_EQ(g.error_message(), "odd");

  absl::Status a =
      FromGrpcStatus(grpc::Status(static_cast<grpc::StatusCode>(20), "odd"));
  EXPECT_EQ(a.code(), absl::StatusCode::kUnknown);
  EXPECT_EQ(a.message(), "odd");
}

TEST(GrpcStatusTest, ShortMessagesAreUntouched) {
  const std::string exactly(kMaxStatusMessageBytes, 'x');
  EXPECT_EQ(CapStatusMessage(exactly), exactly);
  EXPECT_EQ(CapStatusMessage(""), "");
}

TEST(GrpcStatusTest, LongMessagesAreCappedWithAMarker) {
  const std::string long_message(kMaxStatusMessageBytes + 1, 'x');
  grpc::Status g = ToGrpcStatus(absl::InvalidArgumentError(long_message));
  EXPECT_EQ(g.error_message().size(), kMaxStatusMessageBytes);
  EXPECT_EQ(g.error_message().substr(0, 10), "xxxxxxxxxx");
  EXPECT_TRUE(absl::EndsWith(g.error_message(), kTruncationMarker));

  absl::Status a = FromGrpcStatus(
      grpc::Status(grpc::StatusCode::INTERNAL, std::string(100000, 'y')));
  EXPECT_EQ(a.message().size(), kMaxStatusMessageBytes);
  EXPECT_TRUE(absl::EndsWith(a.message(), kTruncationMarker));
}

TEST(GrpcStatusTest, TruncationNeverSplitsAUtf8Character) {
  // "€" is three bytes. Whatever the cap, the kept prefix holds whole euros.
  std::string euros;
  for (int i = 0; i < 50; ++i) euros += "\xE2\x82\xAC";
  for (size_t cap = kTruncationMarker.size();
       cap < kTruncationMarker.size() + 12; ++cap) {
    const std::string capped = CapStatusMessage(euros, cap);
    ASSERT_LE(capped.size(), cap) << "cap " << cap;
    ASSERT_TRUE(absl::EndsWith(capped, kTruncationMarker)) << "cap " << cap;
    const size_t kept = capped.size() - kTruncationMarker.size();
    EXPECT_EQ(kept % 3, 0u) << "cap " << cap << " kept " << kept;
    EXPECT_EQ(kept, ((cap - kTruncationMarker.size()) / 3) * 3)
        << "cap " << cap;
  }
}

}  // namespace
}  // namespace fifo
