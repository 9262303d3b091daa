#include "service/in_process_server.h"

#include <optional>
#include <utility>

#include "absl/status/status.h"
#include "common/status_macros.h"

namespace fifo::testing {

absl::StatusOr<std::unique_ptr<InProcessServer>> InProcessServer::Start(
    absl::string_view name, const std::vector<MakeService>& make) {
  std::unique_ptr<InProcessServer> server(new InProcessServer());
  FIFO_ASSIGN_OR_RETURN(MethodRoles roles, MethodRoles::ForFifoApi());
  server->authorizer_ =
      std::make_unique<Authorizer>(std::move(roles), std::nullopt);
  ServerConfig config;
  config.db_url = TempSqliteUrl(name);
  config.store_connections = 2;
  FIFO_ASSIGN_OR_RETURN(server->state_, ServiceState::Open(config));
  grpc::ServerBuilder builder;  // no listening port: in-process only
  for (const MakeService& m : make) {
    server->services_.push_back(
        m(server->state_.get(), server->authorizer_.get()));
    builder.RegisterService(server->services_.back().get());
  }
  server->server_ = builder.BuildAndStart();
  if (server->server_ == nullptr) {
    return absl::InternalError("the in-process server did not start");
  }
  server->channel_ =
      server->server_->InProcessChannel(grpc::ChannelArguments());
  return server;
}

InProcessServer::~InProcessServer() {
  if (server_ != nullptr) server_->Shutdown();
}

absl::Status InProcessServer::SeedTrades(const std::vector<Trade>& trades) {
  return store().ImportTrades(trades, /*dry_run=*/false).status();
}

}  // namespace fifo::testing
