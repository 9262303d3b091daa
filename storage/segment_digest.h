// File: storage/segment_digest.h
//
// SegmentDigest: the SHA-256 digest of a segment's allocation rows in
// canonical form, recorded when the rows are written (fifo_segments.digest)
// and recomputed from stored rows by validation and by a full recompute
// that decides whether its rows equal those a version already holds.
//
// Canonical form, per row in order: every field of the Allocation (sell and
// buy order ids, symbol, the twelve decimals in Decimal::ToString notation,
// buy and sell times in FormatTimestamp notation), each as "<byte length>:"
// followed by its bytes, the buy side as "-" for an unmatched row. Equal
// digests and counts mean equal rows, field by field (up to SHA-256).
//
// Thread safety: a SegmentDigest is not thread-safe; one owner feeds it.
#ifndef FIFO_STORAGE_SEGMENT_DIGEST_H_
#define FIFO_STORAGE_SEGMENT_DIGEST_H_

#include <cstdint>
#include <memory>
#include <string>

#include "engine/allocation.h"

namespace fifo {

class SegmentDigest {
 public:
  SegmentDigest();
  ~SegmentDigest();
  SegmentDigest(const SegmentDigest&) = delete;
  SegmentDigest& operator=(const SegmentDigest&) = delete;

  // Adds the next row.
  void Add(const Allocation& allocation);
  // Rows added since construction or the last Finish.
  int64_t count() const { return count_; }
  // The lower-case hex digest of the rows added; starts over afterwards.
  std::string Finish();

 private:
  struct Context;
  std::unique_ptr<Context> context_;
  std::string buffer_;
  int64_t count_ = 0;
};

}  // namespace fifo

#endif  // FIFO_STORAGE_SEGMENT_DIGEST_H_
