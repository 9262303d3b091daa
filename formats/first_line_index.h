// File: formats/first_line_index.h
//
// FirstLineIndex: the line on which each key (an order id) of an input file
// was first seen, so that a repeated key can be reported with both lines.
// It holds every distinct key of the file, compactly: the keys' bytes and
// lines sit in 1 MiB blocks and a hash set keeps one pointer per key, about
// 30 bytes per 15-byte key all told (a flat_hash_map<std::string, int64_t>
// took about 90), so a 1e7-row import indexes its order ids in some 300 MB.
// Not thread-safe.
#ifndef FIFO_FORMATS_FIRST_LINE_INDEX_H_
#define FIFO_FORMATS_FIRST_LINE_INDEX_H_

#include <cstdint>
#include <cstring>
#include <memory>
#include <optional>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/hash/hash.h"
#include "absl/strings/string_view.h"

namespace fifo {

class FirstLineIndex {
 public:
  // Records that `key` appears on `line`. Returns nullopt the first time a
  // key is seen, and the line of its first appearance after that.
  std::optional<int64_t> Insert(absl::string_view key, int64_t line);

  // Distinct keys recorded.
  size_t size() const { return entries_.size(); }

 private:
  // An entry in a block: int64 line, uint32 key length, the key's bytes.
  static constexpr size_t kHeader = sizeof(int64_t) + sizeof(uint32_t);
  static constexpr size_t kBlockSize = size_t{1} << 20;

  static absl::string_view KeyOf(const char* entry) {
    uint32_t length;
    std::memcpy(&length, entry + sizeof(int64_t), sizeof(length));
    return absl::string_view(entry + kHeader, length);
  }
  static int64_t LineOf(const char* entry) {
    int64_t line;
    std::memcpy(&line, entry, sizeof(line));
    return line;
  }

  // Hash and equality over entries, looked up by key (heterogeneous).
  struct Hash {
    using is_transparent = void;
    size_t operator()(absl::string_view key) const {
      return absl::Hash<absl::string_view>()(key);
    }
    size_t operator()(const char* entry) const { return (*this)(KeyOf(entry)); }
  };
  struct Eq {
    using is_transparent = void;
    static absl::string_view View(absl::string_view key) { return key; }
    static absl::string_view View(const char* entry) { return KeyOf(entry); }
    template <typename A, typename B>
    bool operator()(const A& a, const B& b) const {
      return View(a) == View(b);
    }
  };

  // Copies a new entry into the blocks; returns where it lives.
  const char* Store(absl::string_view key, int64_t line);

  std::vector<std::unique_ptr<char[]>> blocks_;
  char* free_ = nullptr;  // the unused rest of blocks_.back()
  size_t free_size_ = 0;
  absl::flat_hash_set<const char*, Hash, Eq> entries_;
};

}  // namespace fifo

#endif  // FIFO_FORMATS_FIRST_LINE_INDEX_H_
