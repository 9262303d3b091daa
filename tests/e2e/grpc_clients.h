// File: tests/e2e/grpc_clients.h
//
// Small clients the e2e tests need that Debian does not package (no grpcurl):
//  * ReflectionClient: gRPC server reflection v1alpha (the version gRPC 1.51
//    serves), over stubs generated from /usr/share/grpc-proto;
//  * CallWithEmptyRequest: calls any method by its path through the generic
//    stub, whatever its kind (unary or streaming), so tests can sweep every
//    method of a service descriptor without typed stubs;
//  * StreamTrades: one TradeLedger.ImportTrades stream of given messages.
//
// Thread safety: a ReflectionClient may be used from one thread at a time;
// CallWithEmptyRequest is thread-safe.
#ifndef FIFO_TESTS_E2E_GRPC_CLIENTS_H_
#define FIFO_TESTS_E2E_GRPC_CLIENTS_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "google/protobuf/descriptor.pb.h"
#include "grpc/reflection/v1alpha/reflection.grpc.pb.h"
#include "fifo/v1/trade_ledger.grpc.pb.h"
#include "grpcpp/grpcpp.h"

namespace fifo {
namespace e2e {

class ReflectionClient {
 public:
  explicit ReflectionClient(std::shared_ptr<grpc::Channel> channel);

  // The full names of the services the server lists. The server's error
  // (e.g. UNIMPLEMENTED when reflection is off) as a status.
  absl::StatusOr<std::vector<std::string>> ListServices();

  // The file that defines `symbol` (e.g. "fifo.v1.TradeLedger") followed by
  // the files it depends on, as the server sends them. NOT_FOUND etc. as
  // the server answers.
  absl::StatusOr<std::vector<google::protobuf::FileDescriptorProto>>
  FileContainingSymbol(const std::string& symbol);

 private:
  // One request, one response, on a fresh stream.
  absl::StatusOr<grpc::reflection::v1alpha::ServerReflectionResponse> Ask(
      const grpc::reflection::v1alpha::ServerReflectionRequest& request);

  std::unique_ptr<grpc::reflection::v1alpha::ServerReflection::Stub> stub_;
};

// Calls `method_path` ("/fifo.v1.TradeLedger/RecordTrade") with a single
// empty request message, then half-closes and reads every response. Sends
// "authorization: <authorization>" unless it is empty. Returns the call's
// final status (DEADLINE_EXCEEDED after `timeout`).
grpc::Status CallWithEmptyRequest(const std::shared_ptr<grpc::Channel>& channel,
                                  const std::string& method_path,
                                  const std::string& authorization,
                                  absl::Duration timeout = absl::Seconds(10));

// Streams `trades` through one TradeLedger.ImportTrades call (stops writing
// when the stream breaks), half-closes and returns the call's status;
// `response` receives the answer.
grpc::Status StreamTrades(const std::shared_ptr<grpc::Channel>& channel,
                          const std::vector<fifo::v1::Trade>& trades,
                          fifo::v1::ImportTradesResponse* response,
                          absl::Duration timeout = absl::Seconds(60));

}  // namespace e2e
}  // namespace fifo

#endif  // FIFO_TESTS_E2E_GRPC_CLIENTS_H_
