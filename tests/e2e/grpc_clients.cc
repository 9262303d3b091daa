#include "tests/e2e/grpc_clients.h"

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "grpcpp/generic/generic_stub.h"
#include "api/grpc_status.h"

namespace fifo {
namespace e2e {

namespace reflection = grpc::reflection::v1alpha;

ReflectionClient::ReflectionClient(std::shared_ptr<grpc::Channel> channel)
    : stub_(reflection::ServerReflection::NewStub(std::move(channel))) {}

absl::StatusOr<reflection::ServerReflectionResponse> ReflectionClient::Ask(
    const reflection::ServerReflectionRequest& request) {
  grpc::ClientContext context;
  context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(10)));
  std::unique_ptr<
      grpc::ClientReaderWriter<reflection::ServerReflectionRequest,
                               reflection::ServerReflectionResponse>>
      stream = stub_->ServerReflectionInfo(&context);
  reflection::ServerReflectionResponse response;
  const bool written = stream->Write(request);
  stream->WritesDone();
  const bool got = written && stream->Read(&response);
  reflection::ServerReflectionResponse extra;
  while (got && stream->Read(&extra)) {
  }
  grpc::Status status = stream->Finish();
  if (!status.ok()) return FromGrpcStatus(status);
  if (!got) return absl::InternalError("reflection: no response");
  if (response.has_error_response()) {
    return absl::Status(
        static_cast<absl::StatusCode>(response.error_response().error_code()),
        response.error_response().error_message());
  }
  return response;
}

absl::StatusOr<std::vector<std::string>> ReflectionClient::ListServices() {
  reflection::ServerReflectionRequest request;
  request.set_list_services("*");
  absl::StatusOr<reflection::ServerReflectionResponse> response = Ask(request);
  if (!response.ok()) return response.status();
  if (!response->has_list_services_response()) {
    return absl::InternalError("reflection: not a list_services response");
  }
  std::vector<std::string> names;
  for (const reflection::ServiceResponse& service :
       response->list_services_response().service()) {
    names.push_back(service.name());
  }
  return names;
}

absl::StatusOr<std::vector<google::protobuf::FileDescriptorProto>>
ReflectionClient::FileContainingSymbol(const std::string& symbol) {
  reflection::ServerReflectionRequest request;
  request.set_file_containing_symbol(symbol);
  absl::StatusOr<reflection::ServerReflectionResponse> response = Ask(request);
  if (!response.ok()) return response.status();
  if (!response->has_file_descriptor_response()) {
    return absl::InternalError("reflection: not a file_descriptor response");
  }
  std::vector<google::protobuf::FileDescriptorProto> files;
  for (const std::string& bytes :
       response->file_descriptor_response().file_descriptor_proto()) {
    google::protobuf::FileDescriptorProto file;
    if (!file.ParseFromString(bytes)) {
      return absl::DataLossError("reflection: unparsable FileDescriptorProto");
    }
    files.push_back(std::move(file));
  }
  return files;
}

grpc::Status CallWithEmptyRequest(const std::shared_ptr<grpc::Channel>& channel,
                                  const std::string& method_path,
                                  const std::string& authorization,
                                  absl::Duration timeout) {
  grpc::GenericStub stub(channel);
  grpc::ClientContext context;
  context.set_deadline(absl::ToChronoTime(absl::Now() + timeout));
  if (!authorization.empty())
    context.AddMetadata("authorization", authorization);
  grpc::CompletionQueue cq;
  std::unique_ptr<grpc::GenericClientAsyncReaderWriter> call =
      stub.PrepareCall(&context, method_path, &cq);

  // Each step waits for its own completion; `ok` false means the stream is
  // over (the server may answer before reading the request).
  auto step = [&cq](void* expected) {
    void* tag = nullptr;
    bool ok = false;
    if (!cq.Next(&tag, &ok) || tag != expected) return false;
    return ok;
  };
  int start_tag, write_tag, done_tag, read_tag, finish_tag;
  call->StartCall(&start_tag);
  if (step(&start_tag)) {
    // An empty message is zero bytes on the wire, for every message type.
    grpc::Slice empty("");
    grpc::ByteBuffer request(&empty, 1);
    call->Write(request, &write_tag);
    if (step(&write_tag)) {
      call->WritesDone(&done_tag);
      step(&done_tag);
    }
    grpc::ByteBuffer response;
    do {
      call->Read(&response, &read_tag);
    } while (step(&read_tag));
  }
  grpc::Status status;
  call->Finish(&status, &finish_tag);
  step(&finish_tag);
  cq.Shutdown();
  void* tag;
  bool ok;
  while (cq.Next(&tag, &ok)) {
  }
  return status;
}

grpc::Status StreamTrades(const std::shared_ptr<grpc::Channel>& channel,
                          const std::vector<fifo::v1::Trade>& trades,
                          fifo::v1::ImportTradesResponse* response,
                          absl::Duration timeout) {
  auto stub = fifo::v1::TradeLedger::NewStub(channel);
  grpc::ClientContext context;
  context.set_deadline(absl::ToChronoTime(absl::Now() + timeout));
  auto writer = stub->ImportTrades(&context, response);
  fifo::v1::ImportTradesRequest request;
  for (const fifo::v1::Trade& t : trades) {
    *request.mutable_trade() = t;
    if (!writer->Write(request)) break;
  }
  writer->WritesDone();
  return writer->Finish();
}

}  // namespace e2e
}  // namespace fifo
