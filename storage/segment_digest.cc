#include "storage/segment_digest.h"

#include <openssl/evp.h>

#include <cstdlib>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "engine/timestamp.h"

namespace fifo {

struct SegmentDigest::Context {
  EVP_MD_CTX* md = nullptr;
  Context() : md(EVP_MD_CTX_new()) { Reset(); }
  ~Context() { EVP_MD_CTX_free(md); }
  void Reset() {
    // Only an OpenSSL misconfiguration fails: never a silent wrong digest.
    if (md == nullptr || EVP_DigestInit_ex(md, EVP_sha256(), nullptr) != 1) {
      std::abort();
    }
  }
};

SegmentDigest::SegmentDigest() : context_(std::make_unique<Context>()) {}
SegmentDigest::~SegmentDigest() = default;

void SegmentDigest::Add(const Allocation& a) {
  buffer_.clear();
  auto field = [&](const std::string& text) {
    absl::StrAppend(&buffer_, text.size(), ":", text);
  };
  field(a.sell_order_id);
  field(a.symbol);
  field(a.allocated_size.ToString());
  field(a.sell_price.ToString());
  field(a.sell_fees_per_unit.ToString());
  field(a.sell_fee_share.ToString());
  field(a.proceeds_usd.ToString());
  field(a.net_proceeds_usd.ToString());
  field(FormatTimestamp(a.sell_time));
  if (a.matched()) {
    buffer_ += "+";
    field(*a.buy_order_id);
    field(a.buy_price.ToString());
    field(a.buy_fees_per_unit.ToString());
    field(a.buy_fee_share.ToString());
    field(a.cost_basis_usd.ToString());
    field(a.pnl_usd.ToString());
    field(FormatTimestamp(a.buy_time));
  } else {
    buffer_ += "-";
  }
  buffer_ += "\n";
  if (EVP_DigestUpdate(context_->md, buffer_.data(), buffer_.size()) != 1) {
    std::abort();
  }
  ++count_;
}

std::string SegmentDigest::Finish() {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  if (EVP_DigestFinal_ex(context_->md, digest, &length) != 1) std::abort();
  context_->Reset();
  count_ = 0;
  return absl::BytesToHexString(absl::string_view(
      reinterpret_cast<const char*>(digest), static_cast<size_t>(length)));
}

}  // namespace fifo
