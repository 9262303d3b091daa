// File: service/tls.h
//
// Server transport security from PEM files: --tls-cert and --tls-key turn on
// TLS; --tls-client-ca additionally requires every client to present a
// certificate signed by that CA (mutual TLS). Without cert and key the
// server speaks plaintext (fine on loopback or behind a TLS-terminating
// proxy; bearer tokens then travel in clear on the wire).
//
// The files are read and checked once, at start-up, so that a mistake fails
// there with a message naming the file instead of at the first handshake:
// each file must exist and parse, the key must match the certificate, and
// the certificate must be valid now. Certificates are not reloaded; restart
// the server after rotating them.
//
// Thread safety: pure functions (they read files).
#ifndef FIFO_SERVICE_TLS_H_
#define FIFO_SERVICE_TLS_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "grpcpp/security/server_credentials.h"

namespace fifo {

// Paths of PEM files; empty means "not given".
struct TlsFiles {
  std::string cert;       // server certificate chain, leaf first
  std::string key;        // the leaf's private key (unencrypted)
  std::string client_ca;  // CA bundle that client certificates must chain to
};

// True when cert or key is given.
bool TlsRequested(const TlsFiles& files);

// The gRPC options for `files`, checked as the file comment says.
// Errors: kInvalidArgument when only one of cert and key is given, or
// client_ca without them; kNotFound / kPermissionDenied when a file cannot
// be read; kInvalidArgument when a file holds no valid PEM certificate / key
// or the key does not match the certificate; kFailedPrecondition when the
// certificate is expired or not yet valid. REQUIRES: TlsRequested(files).
absl::StatusOr<grpc::SslServerCredentialsOptions> LoadSslServerOptions(
    const TlsFiles& files);

// SslServerCredentials over LoadSslServerOptions(files) when TLS is
// requested, else InsecureServerCredentials. Errors as LoadSslServerOptions,
// plus kInvalidArgument for client_ca without cert and key.
absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> MakeServerCredentials(
    const TlsFiles& files);

}  // namespace fifo

#endif  // FIFO_SERVICE_TLS_H_
