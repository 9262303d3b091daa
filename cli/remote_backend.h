// File: cli/remote_backend.h
//
// RemoteBackend: fifoctl's Backend over the fifo.v1 gRPC API of a running
// fifo_server (--server HOST:PORT). Every Backend method is one RPC (or a
// paged/streamed series of them) whose reply is converted back into the
// domain types with api/convert.h, so the shared printing code of every
// subcommand prints exactly what it prints in local mode:
//
//   ImportTrades      TradeLedger.ImportTrades (client stream, one trade per
//                     message, one transaction on the server)
//   Compute*          AllocationEngine.Compute{AllSymbols,Symbol,Incremental}
//   Validate          AllocationValidator.ValidateAllocations (all violations)
//   CompareVersions   AllocationValidator.FindDiscrepancies (all sells)
//   GetPnlReport      PnlReports.GetPnlReport
//   ResolveVersion    PnlReports.ListUnmatchedSells with one row per page: the
//                     server resolves the version exactly as locally (same
//                     NOT_FOUND) and scans at most one unmatched row, where
//                     GetAllocationHealth would read the whole version
//   ScanAllocations   PnlReports.ListAllocations (server stream)
//   ListRuns          AllocationEngine.ListComputations
//   review            ReviewQueue.ListReviewItems (every page) and
//                     ResolveReviewItem
//
// Errors: the server's status, code and message unchanged (FromGrpcStatus),
// so a NOT_FOUND or ALREADY_EXISTS reads as it does locally; an unreachable
// server is kUnavailable naming the address. Remote mode has no dry-run
// import and no migrate (kUnimplemented: the migration runs against the
// database with --db).
//
// Credentials: `authorization: Bearer <--token>` on every call when a token
// is given (the token never appears in output or errors); TLS with
// --tls-ca's roots when given, else plaintext; with --tls-cert/--tls-key
// also a client certificate, for a server that requires mutual TLS
// (fifo_server --tls-client-ca).
//
// A failed TLS handshake is kUnavailable with gRPC's text plus a hint of
// what it probably means: a server that requires a client certificate and
// gets none (or one its CA did not sign) only closes the connection, which
// gRPC reports as "Socket closed"; the hint then names --tls-cert/--tls-key.
//
// Deadlines: 10 minutes for calls that scale with the ledger (import,
// compute, validate, compare, reports, the allocation stream), 60 s for the
// others; --timeout overrides both.
//
// Thread safety: not thread-safe; one per command.
#ifndef FIFO_CLI_REMOTE_BACKEND_H_
#define FIFO_CLI_REMOTE_BACKEND_H_

#include <memory>

#include "absl/status/statusor.h"
#include "cli/backend.h"
#include "cli/cli_common.h"

namespace fifo::cli {

// A RemoteBackend for `global.server`. No connection is made until the first
// call, but the TLS files are read and checked here. Errors:
// kInvalidArgument for a malformed --token or --timeout, for only one of
// --tls-cert and --tls-key, for them without --tls-ca, for a --tls-ca
// without a PEM certificate, a --tls-cert without one, a --tls-key without
// an unencrypted PEM private key or one that does not match --tls-cert;
// kFailedPrecondition when the --tls-cert certificate has expired or is not
// valid yet; kNotFound when --tls-ca, --tls-cert or --tls-key cannot be read
// (each message names the flag and the path).
// REQUIRES: !global.server.empty().
absl::StatusOr<std::unique_ptr<Backend>> OpenRemoteBackend(
    const GlobalOptions& global);

}  // namespace fifo::cli

#endif  // FIFO_CLI_REMOTE_BACKEND_H_
