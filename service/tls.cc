#include "service/tls.h"

#include <sys/stat.h>

#include <fstream>
#include <memory>
#include <sstream>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "grpcpp/security/server_credentials.h"
#include "openssl/bio.h"
#include "openssl/err.h"
#include "openssl/evp.h"
#include "openssl/pem.h"
#include "openssl/x509.h"

namespace fifo {
namespace {

struct BioDeleter {
  void operator()(BIO* bio) const { BIO_free(bio); }
};
struct X509Deleter {
  void operator()(X509* cert) const { X509_free(cert); }
};
struct KeyDeleter {
  void operator()(EVP_PKEY* key) const { EVP_PKEY_free(key); }
};
using BioPtr = std::unique_ptr<BIO, BioDeleter>;
using X509Ptr = std::unique_ptr<X509, X509Deleter>;
using KeyPtr = std::unique_ptr<EVP_PKEY, KeyDeleter>;

absl::StatusOr<std::string> ReadPemFile(const std::string& path,
                                        const char* what) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    struct stat st;
    if (::stat(path.c_str(), &st) != 0) {
      return absl::NotFoundError(
          absl::StrCat(what, " ", path, ": no such file"));
    }
    return absl::PermissionDeniedError(
        absl::StrCat(what, " ", path, ": cannot read it"));
  }
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

BioPtr MemoryBio(const std::string& pem) {
  return BioPtr(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
}

// The first certificate of a PEM text, or null.
X509Ptr FirstCertificate(const std::string& pem) {
  BioPtr bio = MemoryBio(pem);
  X509Ptr cert(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
  ERR_clear_error();
  return cert;
}

absl::Status CheckValidNow(X509* cert, const std::string& path) {
  if (X509_cmp_current_time(X509_get0_notBefore(cert)) > 0) {
    return absl::FailedPreconditionError(absl::StrCat(
        "TLS certificate ", path, " is not valid yet (notBefore is later)"));
  }
  if (X509_cmp_current_time(X509_get0_notAfter(cert)) < 0) {
    return absl::FailedPreconditionError(
        absl::StrCat("TLS certificate ", path, " has expired"));
  }
  return absl::OkStatus();
}

}  // namespace

bool TlsRequested(const TlsFiles& files) {
  return !files.cert.empty() || !files.key.empty();
}

absl::StatusOr<grpc::SslServerCredentialsOptions> LoadSslServerOptions(
    const TlsFiles& files) {
  if (files.cert.empty() || files.key.empty()) {
    return absl::InvalidArgumentError(
        "TLS needs both --tls-cert and --tls-key");
  }
  absl::StatusOr<std::string> cert_pem =
      ReadPemFile(files.cert, "TLS certificate");
  if (!cert_pem.ok()) return cert_pem.status();
  absl::StatusOr<std::string> key_pem = ReadPemFile(files.key, "TLS key");
  if (!key_pem.ok()) return key_pem.status();

  X509Ptr cert = FirstCertificate(*cert_pem);
  if (cert == nullptr) {
    return absl::InvalidArgumentError(absl::StrCat(
        "TLS certificate ", files.cert, ": no PEM certificate in it"));
  }
  KeyPtr key;
  {
    BioPtr bio = MemoryBio(*key_pem);
    key.reset(PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr));
    ERR_clear_error();
  }
  if (key == nullptr) {
    return absl::InvalidArgumentError(absl::StrCat(
        "TLS key ", files.key, ": no unencrypted PEM private key in it"));
  }
  if (X509_check_private_key(cert.get(), key.get()) != 1) {
    ERR_clear_error();
    return absl::InvalidArgumentError(absl::StrCat(
        "TLS key ", files.key, " does not match certificate ", files.cert));
  }
  if (absl::Status valid = CheckValidNow(cert.get(), files.cert); !valid.ok()) {
    return valid;
  }

  grpc::SslServerCredentialsOptions options(
      GRPC_SSL_DONT_REQUEST_CLIENT_CERTIFICATE);
  options.pem_key_cert_pairs.push_back({*key_pem, *cert_pem});
  if (!files.client_ca.empty()) {
    absl::StatusOr<std::string> ca_pem =
        ReadPemFile(files.client_ca, "TLS client CA");
    if (!ca_pem.ok()) return ca_pem.status();
    if (FirstCertificate(*ca_pem) == nullptr) {
      return absl::InvalidArgumentError(absl::StrCat(
          "TLS client CA ", files.client_ca, ": no PEM certificate in it"));
    }
    options.pem_root_certs = *ca_pem;
    options.client_certificate_request =
        GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_AND_VERIFY;
  }
  return options;
}

absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> MakeServerCredentials(
    const TlsFiles& files) {
  if (!TlsRequested(files)) {
    if (!files.client_ca.empty()) {
      return absl::InvalidArgumentError(
          "--tls-client-ca needs --tls-cert and --tls-key");
    }
    return grpc::InsecureServerCredentials();
  }
  absl::StatusOr<grpc::SslServerCredentialsOptions> options =
      LoadSslServerOptions(files);
  if (!options.ok()) return options.status();
  return grpc::SslServerCredentials(*options);
}

}  // namespace fifo
