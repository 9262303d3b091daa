#include "service/raw_request.h"

#include <optional>
#include <vector>

#include "absl/strings/str_cat.h"
#include "engine/trade.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/unknown_field_set.h"

namespace fifo {
namespace {

// The path of the first string field in `bytes` (a `descriptor` message)
// whose value is not valid UTF-8, or nullopt when there is none or the bytes
// are not a message. Walks the wire format schema-free (UnknownFieldSet) and
// names fields through the descriptor, so it needs no generated parser.
std::optional<std::string> FirstInvalidUtf8Field(
    absl::string_view bytes, const google::protobuf::Descriptor* descriptor,
    const std::string& prefix, int depth) {
  constexpr int kMaxDepth = 32;  // protobuf's own default is 100
  if (depth > kMaxDepth) return std::nullopt;
  google::protobuf::UnknownFieldSet fields;
  if (!fields.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) {
    return std::nullopt;
  }
  for (int i = 0; i < fields.field_count(); ++i) {
    const google::protobuf::UnknownField& field = fields.field(i);
    if (field.type() != google::protobuf::UnknownField::TYPE_LENGTH_DELIMITED) {
      continue;
    }
    const google::protobuf::FieldDescriptor* fd =
        descriptor->FindFieldByNumber(field.number());
    if (fd == nullptr) continue;
    const std::string path =
        prefix.empty() ? fd->name() : absl::StrCat(prefix, ".", fd->name());
    if (fd->type() == google::protobuf::FieldDescriptor::TYPE_STRING) {
      if (!IsValidUtf8(field.length_delimited())) return path;
    } else if (fd->type() == google::protobuf::FieldDescriptor::TYPE_MESSAGE) {
      std::optional<std::string> inner = FirstInvalidUtf8Field(
          field.length_delimited(), fd->message_type(), path, depth + 1);
      if (inner.has_value()) return inner;
    }
  }
  return std::nullopt;
}

}  // namespace

absl::Status ParseRequestBytes(absl::string_view bytes,
                               google::protobuf::Message* message) {
  if (message->ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) {
    return absl::OkStatus();
  }
  const google::protobuf::Descriptor* descriptor = message->GetDescriptor();
  if (std::optional<std::string> field =
          FirstInvalidUtf8Field(bytes, descriptor, "", 0)) {
    return absl::InvalidArgumentError(absl::StrCat(
        *field, ": not valid UTF-8 (every string field must be UTF-8 text)"));
  }
  return absl::InvalidArgumentError(
      absl::StrCat("not a valid ", descriptor->full_name(),
                   " message (malformed protobuf wire data)"));
}

absl::Status ParseRequestBuffer(const grpc::ByteBuffer& buffer,
                                google::protobuf::Message* message) {
  if (buffer.Length() > kMaxRequestMessageBytes) {
    return absl::ResourceExhaustedError(absl::StrCat(
        "message of ", buffer.Length(), " bytes; at most ",
        kMaxRequestMessageBytes, " bytes per message"));
  }
  std::vector<grpc::Slice> slices;
  if (!buffer.Dump(&slices).ok()) {
    return absl::InternalError("cannot read the request message");
  }
  std::string bytes;
  bytes.reserve(buffer.Length());
  for (const grpc::Slice& slice : slices) {
    bytes.append(reinterpret_cast<const char*>(slice.begin()), slice.size());
  }
  return ParseRequestBytes(bytes, message);
}

}  // namespace fifo
