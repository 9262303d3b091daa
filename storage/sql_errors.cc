#include "storage/sql_errors.h"

#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace fifo {
namespace storage_internal {

absl::StatusCode PgErrorCode(const char* sqlstate, bool connection_ok) {
  if (!connection_ok || sqlstate == nullptr) {
    return absl::StatusCode::kUnavailable;
  }
  const absl::string_view state = sqlstate;
  auto cls = [&](absl::string_view prefix) {
    return absl::StartsWith(state, prefix);
  };
  if (state == "23505") return absl::StatusCode::kAlreadyExists;
  if (cls("23") || state == "P0001" || state == "42P01" ||
      state == "42883" || state == "42703") {
    return absl::StatusCode::kFailedPrecondition;
  }
  if (cls("08") || cls("57P") || cls("53") || state == "55P03") {
    return absl::StatusCode::kUnavailable;
  }
  if (state == "40001" || state == "40P01") return absl::StatusCode::kAborted;
  if (cls("22")) return absl::StatusCode::kInvalidArgument;
  return absl::StatusCode::kInternal;
}

absl::StatusCode SqliteErrorCode(int result, absl::string_view message) {
  switch (result & 0xff) {
    case 5:   // SQLITE_BUSY
    case 6:   // SQLITE_LOCKED
    case 14:  // SQLITE_CANTOPEN
    case 10:  // SQLITE_IOERR
      return absl::StatusCode::kUnavailable;
    case 13:  // SQLITE_FULL
      return absl::StatusCode::kResourceExhausted;
    case 19:  // SQLITE_CONSTRAINT (also RAISE(ABORT) in triggers)
      if (absl::StrContains(message, "UNIQUE constraint failed") ||
          absl::StrContains(message, "PRIMARY KEY")) {
        return absl::StatusCode::kAlreadyExists;
      }
      return absl::StatusCode::kFailedPrecondition;
    case 8:   // SQLITE_READONLY
      return absl::StatusCode::kFailedPrecondition;
    default:
      break;
  }
  if (absl::StrContains(message, "no such table") ||
      absl::StrContains(message, "no such column")) {
    return absl::StatusCode::kFailedPrecondition;
  }
  if (absl::StrContains(message, "database is locked")) {
    return absl::StatusCode::kUnavailable;
  }
  return absl::StatusCode::kInternal;
}

namespace {

bool IsWordChar(char c) {
  return absl::ascii_isalnum(static_cast<unsigned char>(c)) || c == '_';
}

// Replaces each occurrence of `password` that stands as a whole token (no
// letter, digit or '_' right before or after it) with "***": a short
// password ("on") must not turn "connection" into "c***necti***", and
// wherever the password itself appears (a URL, "password=...") it is
// delimited.
void MaskPassword(absl::string_view password, std::string* message) {
  std::string out;
  size_t from = 0;
  while (true) {
    const size_t at = message->find(password.data(), from, password.size());
    if (at == std::string::npos) break;
    const size_t end = at + password.size();
    const bool whole = (at == 0 || !IsWordChar((*message)[at - 1])) &&
                       (end == message->size() || !IsWordChar((*message)[end]));
    if (whole) {
      out.append(*message, from, at - from);
      out += "***";
    } else {
      out.append(*message, from, end - from);
    }
    from = end;
  }
  out.append(*message, from, std::string::npos);
  *message = std::move(out);
}

}  // namespace

absl::Status StorageError(absl::StatusCode code, absl::string_view context,
                          std::string message, absl::string_view password) {
  if (!password.empty()) MaskPassword(password, &message);
  absl::StripAsciiWhitespace(&message);
  if (message.size() > kMaxErrorMessage) {
    message = absl::StrCat(message.substr(0, kMaxErrorMessage), "...");
  }
  return absl::Status(code, absl::StrCat("storage: ", context, ": ", message));
}

}  // namespace storage_internal
}  // namespace fifo
