// File: service/trade_ledger_service.h
//
// fifo.v1.TradeLedger: record one trade (RecordTrade), import a client
// stream of trades all or nothing (ImportTrades), and list trades
// (ListTrades, paged). Writes wait for the SQLite writer turn
// (ServiceState::WriterTurn); an import runs on a dedicated store
// connection (ServiceState::OpenDedicatedStore) in one transaction.
//
// Thread safety: stateless beyond the shared ServiceState (thread-safe);
// gRPC may call every method concurrently.
#ifndef FIFO_SERVICE_TRADE_LEDGER_SERVICE_H_
#define FIFO_SERVICE_TRADE_LEDGER_SERVICE_H_

#include "fifo/v1/trade_ledger.grpc.pb.h"
#include "grpcpp/grpcpp.h"
#include "service/auth.h"
#include "service/service_state.h"

namespace fifo {

// RecordTrade and ImportTrades read their requests as raw bytes and parse
// them here (service/raw_request.h): a message gRPC's parser would refuse
// (invalid UTF-8) is then INVALID_ARGUMENT naming the field and, in the
// stream, the message's index, instead of looking like the end of the
// stream. Both are registered as streams of raw messages (gRPC's "streamed"
// method handlers); on the wire nothing changes for clients.
// REQUIRES: `state` and `authorizer` outlive the service.
class TradeLedgerService final : public fifo::v1::TradeLedger::Service {
 public:
  TradeLedgerService(ServiceState* state, const Authorizer* authorizer);
  grpc::Status ListTrades(grpc::ServerContext* context,
                          const fifo::v1::ListTradesRequest* request,
                          fifo::v1::ListTradesResponse* response) override;

  // Reads one raw RecordTradeRequest, authorizes, parses it and records the
  // trade.
  grpc::Status RecordTradeRaw(
      grpc::ServerContext* context,
      grpc::ServerReaderWriter<fifo::v1::RecordTradeResponse, grpc::ByteBuffer>*
          stream);

  // The whole client stream in ONE transaction, fed in batches: any message
  // that is not a valid trade, a stream that breaks off (cancelled, over the
  // message size limit, a transport error) or a store error writes nothing
  // and answers an error naming the message's index ("trade 3 (...): ...").
  grpc::Status ImportTradesRaw(
      grpc::ServerContext* context,
      grpc::ServerReaderWriter<fifo::v1::ImportTradesResponse,
                               grpc::ByteBuffer>* stream);

 private:
  // RecordTrade after authorization and parsing.
  grpc::Status RecordParsedTrade(grpc::ServerContext* context,
                                 const fifo::v1::RecordTradeRequest* request,
                                 fifo::v1::RecordTradeResponse* response);

  ServiceState* const state_;
  const Authorizer* const authorizer_;
};

}  // namespace fifo

#endif  // FIFO_SERVICE_TRADE_LEDGER_SERVICE_H_
