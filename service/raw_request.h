// File: service/raw_request.h
//
// Request messages parsed from their raw bytes by the handler itself rather
// than by gRPC's generated code. gRPC's parser refuses a proto3 string field
// that is not valid UTF-8 without saying so: a unary call then answers
// INTERNAL with an empty message, and in a client stream the bad message
// looks exactly like the end of the stream, so the messages before it would
// be taken for the whole stream. Parsing here turns both into an
// INVALID_ARGUMENT that names the field (and the caller adds the message's
// index in the stream).
//
// Thread safety: pure functions.
#ifndef FIFO_SERVICE_RAW_REQUEST_H_
#define FIFO_SERVICE_RAW_REQUEST_H_

#include <cstddef>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "google/protobuf/message.h"
#include "grpcpp/support/byte_buffer.h"

namespace fifo {

// Largest request message the raw handlers accept, in bytes: gRPC's default
// receive limit, so that a raw method refuses exactly what a generated one
// would, but with a message that says which one.
inline constexpr size_t kMaxRequestMessageBytes = 4 * 1024 * 1024;

// Parses `bytes` (protobuf wire format) into `message`, which is cleared
// first. Errors (kInvalidArgument): a string field, at any depth, that is not
// valid UTF-8 ("trade.order_id: not valid UTF-8 ..." with the field's path
// from `message`'s own fields), or bytes that are not a `message` at all.
// On error `message` holds no meaningful value.
absl::Status ParseRequestBytes(absl::string_view bytes,
                               google::protobuf::Message* message);

// The same over a gRPC ByteBuffer. Also kResourceExhausted when the buffer
// is over kMaxRequestMessageBytes.
absl::Status ParseRequestBuffer(const grpc::ByteBuffer& buffer,
                                google::protobuf::Message* message);

}  // namespace fifo

#endif  // FIFO_SERVICE_RAW_REQUEST_H_
