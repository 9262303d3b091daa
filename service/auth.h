// File: service/auth.h
//
// Bearer-token authentication and role-based authorization of the fifo.v1
// API.
//
// Roles. Two roles exist: `reader` (validation, reports, lists, Get*) and
// `writer` (record, import, compute, resolve). A writer is also a reader.
// Which role a method needs is NOT written here: every rpc declares it with
// the `(fifo.v1.required_role)` option in its .proto file, and MethodRoles
// reads those options from the compiled descriptors. A method without the
// option makes MethodRoles::ForFifoApi() fail, so the server refuses to
// start and auth_test fails: a new method cannot ship without a decision.
//
// Tokens. A token set comes from a file (--token-file) or from the
// environment variable FIFO_TOKENS, never both. The grammar is the same:
//
//   # comment (from '#' to the end of the line)
//   <token> <role> [<name>]
//
// Entries are separated by newlines (and, for convenience in FIFO_TOKENS, by
// ','); fields by spaces, tabs or ':'. So both of these work:
//
//   /etc/fifo/tokens:  Zm9vYmFyYmF6cXV4cXV1eA writer cronjob
//   FIFO_TOKENS="Zm9vYmFyYmF6cXV4cXV1eA:writer:cronjob,cmVhZG9ubHl0b2tlbjEy:reader"
//
// <token> is an RFC 6750 b64token ([A-Za-z0-9-._~+/]+ then '='s) of at least
// kMinTokenLength characters; <role> is `reader` or `writer`; <name>
// ([A-Za-z0-9._@-], at most 64) names the caller in logs and defaults to
// "token#<entry number>". Several tokens may share a name (rotation); a
// token may not appear twice. Tokens are kept only as SHA-256 digests and
// never appear in logs or error messages.
//
// Enforcement. Handlers call FIFO_AUTHORIZE_OR_RETURN first thing (a helper
// every handler calls, rather than an interceptor: gRPC 1.51's server
// interceptors cannot end a call with a status of their choice, and
// AuthMetadataProcessor does not run on plaintext ports). Callers send
// metadata "authorization: Bearer <token>". A missing, malformed or unknown
// token is UNAUTHENTICATED; a valid token without the method's role is
// PERMISSION_DENIED. tests/e2e checks every method of every fifo.v1 service,
// taken from the descriptors, so a handler that forgets the check fails that
// test. gRPC's own health and reflection services stay open (liveness
// probes; reflection reveals only the schema, and the server can turn it
// off with --reflection=false).
//
// Open mode. Without any token the Authorizer is "open": every caller is a
// writer named "anonymous". fifo_server only allows that on loopback
// addresses (service/server_options.h) and says so in its log.
//
// Thread safety: MethodRoles, TokenSet and Authorizer are immutable after
// construction; every const method may be called concurrently.
#ifndef FIFO_SERVICE_AUTH_H_
#define FIFO_SERVICE_AUTH_H_

#include <cstddef>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "google/protobuf/descriptor.h"
#include "grpcpp/server_context.h"
#include "grpcpp/support/status.h"

namespace fifo {

enum class Role { kReader, kWriter };

// "reader" / "writer".
absl::string_view RoleName(Role role);

// Exactly "reader" or "writer" (lower case). kInvalidArgument otherwise.
absl::StatusOr<Role> ParseRole(absl::string_view text);

// True when a caller holding `held` may call a method that needs `needed`.
bool RoleSatisfies(Role held, Role needed);

// The gRPC path of a method: "/fifo.v1.TradeLedger/RecordTrade".
std::string MethodPath(absl::string_view service_full_name,
                       absl::string_view method_name);

// Every service declared in a "fifo/v1/*.proto" file linked into this binary
// (//proto:fifo_cc_proto is alwayslink), sorted by full name.
std::vector<const google::protobuf::ServiceDescriptor*> FifoServices();

// The role each method requires, from the (fifo.v1.required_role) options.
class MethodRoles {
 public:
  // The table of the given services. kFailedPrecondition naming the method
  // when one has no role (option unset or ROLE_UNSPECIFIED); kInvalidArgument
  // when `services` is empty or has a null entry.
  static absl::StatusOr<MethodRoles> FromServices(
      const std::vector<const google::protobuf::ServiceDescriptor*>& services);

  // FromServices(FifoServices()).
  static absl::StatusOr<MethodRoles> ForFifoApi();

  // The role needed for a method path ("/pkg.Service/Method"); nullopt when
  // the method is not in the table.
  std::optional<Role> RequiredRole(absl::string_view method_path) const;

  // Method path -> role, sorted by path.
  const std::map<std::string, Role>& table() const { return table_; }

 private:
  explicit MethodRoles(std::map<std::string, Role> table)
      : table_(std::move(table)) {}

  std::map<std::string, Role> table_;
};

// Who is calling.
struct Principal {
  std::string name;  // from the token set; "anonymous" in open mode
  Role role = Role::kReader;
};

// Shortest accepted token.
inline constexpr size_t kMinTokenLength = 16;

// A set of bearer tokens with their roles and names.
class TokenSet {
 public:
  // Parses the grammar in the file comment. `source` names the text in
  // errors ("/etc/fifo/tokens", "FIFO_TOKENS"). kInvalidArgument naming the
  // source and line (never the token) for a malformed entry, an unknown
  // role, a short or invalid token, a duplicate token, or text without any
  // entry.
  static absl::StatusOr<TokenSet> Parse(absl::string_view text,
                                        absl::string_view source);

  // Reads and parses a file. kNotFound / kPermissionDenied / kDataLoss when
  // it cannot be read (message prefixed with the path), else as Parse.
  static absl::StatusOr<TokenSet> ReadFile(const std::string& path);

  // The principal a token belongs to; nullopt for an unknown token.
  std::optional<Principal> Find(absl::string_view token) const;

  size_t size() const { return by_digest_.size(); }

 private:
  TokenSet() = default;

  // SHA-256 digest (raw bytes) of the token -> principal.
  absl::flat_hash_map<std::string, Principal> by_digest_;
};

// The token set the server should use: from `token_file` when non-empty,
// else from `env_value` (the content of FIFO_TOKENS, null when unset) when
// non-empty, else nullopt (open mode). kInvalidArgument when both are given;
// otherwise errors of TokenSet::ReadFile / Parse.
absl::StatusOr<std::optional<TokenSet>> LoadTokens(
    const std::string& token_file, const char* env_value);

// A warning (no error) when a token file is readable by group or others;
// nullopt when the mode is fine or cannot be read.
std::optional<std::string> TokenFilePermissionWarning(const std::string& path);

// Decides whether a call may proceed.
class Authorizer {
 public:
  // Enforcing when `tokens` is set, open otherwise.
  Authorizer(MethodRoles roles, std::optional<TokenSet> tokens);

  Authorizer(const Authorizer&) = delete;
  Authorizer& operator=(const Authorizer&) = delete;

  // False in open mode.
  bool enforcing() const { return tokens_.has_value(); }

  const MethodRoles& roles() const { return roles_; }

  // The decision for a call of `method_path` whose "authorization" metadata
  // values are `authorization` (usually zero or one). Success: the caller.
  // Errors: kInternal when the method has no role (a server bug);
  // kUnauthenticated for no header, several headers, a value that is not
  // "Bearer <token>" (scheme case-insensitive) or an unknown token;
  // kPermissionDenied when the caller's role is not enough. Messages never
  // contain the token. In open mode only the kInternal case can fail.
  absl::StatusOr<Principal> Check(
      absl::string_view method_path,
      const std::vector<absl::string_view>& authorization) const;

  // Check() on the metadata of a server call, for the method
  // `service_full_name`/`method_name`, converted to grpc::Status. Logs a
  // denial (method, peer and reason; never the token). On success stores the
  // caller in `*principal` when it is not null.
  grpc::Status Authorize(const grpc::ServerContextBase& context,
                         absl::string_view service_full_name,
                         absl::string_view method_name,
                         Principal* principal = nullptr) const;

 private:
  const MethodRoles roles_;
  const std::optional<TokenSet> tokens_;
};

}  // namespace fifo

// The first statement of every handler of a class derived from
// `grpc_service_class`::Service (e.g. fifo::v1::TradeLedger). The method
// name is the handler's own name (__func__), so it cannot be misspelled:
//
//   grpc::Status RecordTrade(grpc::ServerContext* context, ...) override {
//     FIFO_AUTHORIZE_OR_RETURN(*authorizer_, context, fifo::v1::TradeLedger);
//     ...
//   }
#define FIFO_AUTHORIZE_OR_RETURN(authorizer, context, grpc_service_class)   \
  do {                                                                      \
    ::grpc::Status fifo_auth_status_ =                                      \
        (authorizer)                                                        \
            .Authorize(*(context), grpc_service_class::service_full_name(), \
                       __func__);                                           \
    if (!fifo_auth_status_.ok()) return fifo_auth_status_;                  \
  } while (0)

#endif  // FIFO_SERVICE_AUTH_H_
