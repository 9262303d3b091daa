#include "service/auth.h"

#include <sys/stat.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "common/log.h"
#include "fifo/v1/options.pb.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/descriptor_database.h"
#include "openssl/sha.h"
#include "api/grpc_status.h"

namespace fifo {
namespace {

constexpr absl::string_view kFifoProtoPrefix = "fifo/v1/";
constexpr size_t kMaxNameLength = 64;

std::string Sha256(absl::string_view text) {
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(text.data()), text.size(),
         digest);
  return std::string(reinterpret_cast<const char*>(digest), sizeof(digest));
}

// RFC 6750: b64token = 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" /
// "/" ) *"=".
bool IsB64Token(absl::string_view token) {
  size_t i = 0;
  while (i < token.size()) {
    const char c = token[i];
    if (absl::ascii_isalnum(static_cast<unsigned char>(c)) || c == '-' ||
        c == '.' || c == '_' || c == '~' || c == '+' || c == '/') {
      ++i;
    } else {
      break;
    }
  }
  if (i == 0) return false;
  while (i < token.size() && token[i] == '=') ++i;
  return i == token.size();
}

bool IsValidName(absl::string_view name) {
  if (name.empty() || name.size() > kMaxNameLength) return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return absl::ascii_isalnum(static_cast<unsigned char>(c)) || c == '.' ||
           c == '_' || c == '@' || c == '-';
  });
}

absl::StatusOr<Role> RoleFromOption(fifo::v1::Role role) {
  switch (role) {
    case fifo::v1::ROLE_READER:
      return Role::kReader;
    case fifo::v1::ROLE_WRITER:
      return Role::kWriter;
    default:
      return absl::FailedPreconditionError("no role");
  }
}

}  // namespace

absl::string_view RoleName(Role role) {
  return role == Role::kWriter ? "writer" : "reader";
}

absl::StatusOr<Role> ParseRole(absl::string_view text) {
  if (text == "reader") return Role::kReader;
  if (text == "writer") return Role::kWriter;
  return absl::InvalidArgumentError(
      absl::StrCat("unknown role \"", text, "\" (want reader or writer)"));
}

bool RoleSatisfies(Role held, Role needed) {
  return held == Role::kWriter || needed == Role::kReader;
}

std::string MethodPath(absl::string_view service_full_name,
                       absl::string_view method_name) {
  return absl::StrCat("/", service_full_name, "/", method_name);
}

std::vector<const google::protobuf::ServiceDescriptor*> FifoServices() {
  std::vector<std::string> files;
  google::protobuf::DescriptorPool::internal_generated_database()
      ->FindAllFileNames(&files);
  std::vector<const google::protobuf::ServiceDescriptor*> services;
  const google::protobuf::DescriptorPool* pool =
      google::protobuf::DescriptorPool::generated_pool();
  for (const std::string& name : files) {
    if (!absl::StartsWith(name, kFifoProtoPrefix)) continue;
    const google::protobuf::FileDescriptor* file = pool->FindFileByName(name);
    if (file == nullptr) continue;
    for (int i = 0; i < file->service_count(); ++i) {
      services.push_back(file->service(i));
    }
  }
  std::sort(services.begin(), services.end(),
            [](const google::protobuf::ServiceDescriptor* a,
               const google::protobuf::ServiceDescriptor* b) {
              return a->full_name() < b->full_name();
            });
  return services;
}

absl::StatusOr<MethodRoles> MethodRoles::FromServices(
    const std::vector<const google::protobuf::ServiceDescriptor*>& services) {
  if (services.empty()) {
    return absl::InvalidArgumentError("no services to build a role table of");
  }
  std::map<std::string, Role> table;
  for (const google::protobuf::ServiceDescriptor* service : services) {
    if (service == nullptr) {
      return absl::InvalidArgumentError("null service descriptor");
    }
    for (int i = 0; i < service->method_count(); ++i) {
      const google::protobuf::MethodDescriptor* method = service->method(i);
      absl::StatusOr<Role> role = RoleFromOption(
          method->options().GetExtension(fifo::v1::required_role));
      if (!role.ok()) {
        return absl::FailedPreconditionError(absl::StrCat(
            "method ", method->full_name(), " (", method->file()->name(),
            ") declares no role: add option (fifo.v1.required_role) = "
            "ROLE_READER or ROLE_WRITER"));
      }
      table[MethodPath(service->full_name(), method->name())] = *role;
    }
  }
  return MethodRoles(std::move(table));
}

absl::StatusOr<MethodRoles> MethodRoles::ForFifoApi() {
  return FromServices(FifoServices());
}

std::optional<Role> MethodRoles::RequiredRole(
    absl::string_view method_path) const {
  auto it = table_.find(std::string(method_path));
  if (it == table_.end()) return std::nullopt;
  return it->second;
}

absl::StatusOr<TokenSet> TokenSet::Parse(absl::string_view text,
                                         absl::string_view source) {
  TokenSet set;
  // Where each digest was defined, to name the first one in a duplicate
  // error.
  absl::flat_hash_map<std::string, int> line_of;
  int line_number = 0;
  int entry_number = 0;
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    ++line_number;
    const size_t hash = line.find('#');
    if (hash != absl::string_view::npos) line = line.substr(0, hash);
    for (absl::string_view entry : absl::StrSplit(line, ',')) {
      std::vector<absl::string_view> fields =
          absl::StrSplit(entry, absl::ByAnyChar(" \t\r:"), absl::SkipEmpty());
      if (fields.empty()) continue;
      ++entry_number;
      const std::string where = absl::StrCat(source, " line ", line_number);
      if (fields.size() < 2 || fields.size() > 3) {
        return absl::InvalidArgumentError(
            absl::StrCat(where, ": want \"<token> <role> [<name>]\", got ",
                         fields.size(), " field(s)"));
      }
      const absl::string_view token = fields[0];
      if (!IsB64Token(token)) {
        return absl::InvalidArgumentError(
            absl::StrCat(where,
                         ": the token has characters outside [A-Za-z0-9-._~+/] "
                         "(trailing '=' allowed)"));
      }
      if (token.size() < kMinTokenLength) {
        return absl::InvalidArgumentError(
            absl::StrCat(where, ": the token is shorter than ", kMinTokenLength,
                         " characters"));
      }
      absl::StatusOr<Role> role = ParseRole(fields[1]);
      if (!role.ok()) {
        return absl::InvalidArgumentError(
            absl::StrCat(where, ": ", role.status().message()));
      }
      if (fields.size() == 3 && !IsValidName(fields[2])) {
        return absl::InvalidArgumentError(
            absl::StrCat(where, ": the name must be 1 to ", kMaxNameLength,
                         " characters of [A-Za-z0-9._@-]"));
      }
      std::string name = fields.size() == 3
                             ? std::string(fields[2])
                             : absl::StrCat("token#", entry_number);
      std::string digest = Sha256(token);
      auto [it, inserted] = line_of.emplace(digest, line_number);
      if (!inserted) {
        return absl::InvalidArgumentError(absl::StrCat(
            where, ": duplicate token (already on line ", it->second, ")"));
      }
      set.by_digest_.emplace(std::move(digest),
                             Principal{std::move(name), *role});
    }
  }
  if (set.by_digest_.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat(source,
                     ": no token (want lines \"<token> <role> "
                     "[<name>]\")"));
  }
  return set;
}

absl::StatusOr<TokenSet> TokenSet::ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    struct stat st;
    if (::stat(path.c_str(), &st) != 0) {
      return absl::NotFoundError(
          absl::StrCat(path, ": cannot open the token file"));
    }
    return absl::PermissionDeniedError(
        absl::StrCat(path, ": cannot read the token file"));
  }
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) {
    return absl::DataLossError(
        absl::StrCat(path, ": error while reading the token file"));
  }
  return Parse(text.str(), path);
}

std::optional<Principal> TokenSet::Find(absl::string_view token) const {
  auto it = by_digest_.find(Sha256(token));
  if (it == by_digest_.end()) return std::nullopt;
  return it->second;
}

absl::StatusOr<std::optional<TokenSet>> LoadTokens(
    const std::string& token_file, const char* env_value) {
  const bool from_env = env_value != nullptr && *env_value != '\0';
  if (!token_file.empty() && from_env) {
    return absl::InvalidArgumentError(
        "tokens are set both by --token-file and by FIFO_TOKENS: use one");
  }
  if (!token_file.empty()) {
    absl::StatusOr<TokenSet> set = TokenSet::ReadFile(token_file);
    if (!set.ok()) return set.status();
    return std::optional<TokenSet>(*std::move(set));
  }
  if (from_env) {
    absl::StatusOr<TokenSet> set = TokenSet::Parse(env_value, "FIFO_TOKENS");
    if (!set.ok()) return set.status();
    return std::optional<TokenSet>(*std::move(set));
  }
  return std::optional<TokenSet>();
}

std::optional<std::string> TokenFilePermissionWarning(const std::string& path) {
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) return std::nullopt;
  if ((st.st_mode & (S_IRWXG | S_IRWXO)) == 0) return std::nullopt;
  char mode[8];
  snprintf(mode, sizeof(mode), "%04o", st.st_mode & 07777);
  return absl::StrCat("token file ", path, " has mode ", mode,
                      ": group and others can read it (chmod 600)");
}

Authorizer::Authorizer(MethodRoles roles, std::optional<TokenSet> tokens)
    : roles_(std::move(roles)), tokens_(std::move(tokens)) {}

absl::StatusOr<Principal> Authorizer::Check(
    absl::string_view method_path,
    const std::vector<absl::string_view>& authorization) const {
  const std::optional<Role> needed = roles_.RequiredRole(method_path);
  if (!needed.has_value()) {
    return absl::InternalError(
        absl::StrCat("no role is defined for ", method_path));
  }
  if (!tokens_.has_value()) return Principal{"anonymous", Role::kWriter};

  if (authorization.empty()) {
    return absl::UnauthenticatedError(
        "missing bearer token: send metadata \"authorization: Bearer "
        "<token>\"");
  }
  if (authorization.size() > 1) {
    return absl::UnauthenticatedError(
        "more than one \"authorization\" metadata entry");
  }
  absl::string_view value = absl::StripAsciiWhitespace(authorization[0]);
  constexpr absl::string_view kScheme = "bearer";
  if (value.size() <= kScheme.size() ||
      !absl::EqualsIgnoreCase(value.substr(0, kScheme.size()), kScheme) ||
      (value[kScheme.size()] != ' ' && value[kScheme.size()] != '\t')) {
    return absl::UnauthenticatedError(
        "the \"authorization\" metadata must be \"Bearer <token>\"");
  }
  const absl::string_view token =
      absl::StripLeadingAsciiWhitespace(value.substr(kScheme.size()));
  const std::optional<Principal> principal = tokens_->Find(token);
  if (!principal.has_value()) {
    return absl::UnauthenticatedError("unknown bearer token");
  }
  if (!RoleSatisfies(principal->role, *needed)) {
    return absl::PermissionDeniedError(absl::StrCat(
        method_path, " requires role ", RoleName(*needed), "; token \"",
        principal->name, "\" has role ", RoleName(principal->role)));
  }
  return *principal;
}

grpc::Status Authorizer::Authorize(const grpc::ServerContextBase& context,
                                   absl::string_view service_full_name,
                                   absl::string_view method_name,
                                   Principal* principal) const {
  const std::string path = MethodPath(service_full_name, method_name);
  std::vector<absl::string_view> authorization;
  const auto range = context.client_metadata().equal_range("authorization");
  for (auto it = range.first; it != range.second; ++it) {
    authorization.emplace_back(it->second.data(), it->second.size());
  }
  absl::StatusOr<Principal> caller = Check(path, authorization);
  if (!caller.ok()) {
    std::string peer = context.peer();  // empty without a live call (tests)
    if (peer.empty()) peer = "unknown";
    const bool bug = caller.status().code() == absl::StatusCode::kInternal;
    LogEvent(bug ? LogLevel::kError : LogLevel::kWarning,
             bug ? "auth_no_role" : "auth_denied",
             {{"method", path},
              {"peer", peer},
              {"code", absl::StatusCodeToString(caller.status().code())},
              {"reason", std::string(caller.status().message())}});
    return ToGrpcStatus(caller.status());
  }
  if (principal != nullptr) *principal = *std::move(caller);
  return grpc::Status::OK;
}

}  // namespace fifo
