#include "formats/first_line_index.h"

#include <algorithm>

namespace fifo {

std::optional<int64_t> FirstLineIndex::Insert(absl::string_view key,
                                              int64_t line) {
  auto it = entries_.find(key);
  if (it != entries_.end()) return LineOf(*it);
  entries_.insert(Store(key, line));
  return std::nullopt;
}

const char* FirstLineIndex::Store(absl::string_view key, int64_t line) {
  const size_t need = kHeader + key.size();
  if (need > free_size_) {
    // A key longer than a block gets a block of its own.
    const size_t size = std::max(need, kBlockSize);
    blocks_.push_back(std::make_unique<char[]>(size));
    free_ = blocks_.back().get();
    free_size_ = size;
  }
  char* entry = free_;
  const uint32_t length = static_cast<uint32_t>(key.size());
  std::memcpy(entry, &line, sizeof(line));
  std::memcpy(entry + sizeof(int64_t), &length, sizeof(length));
  std::memcpy(entry + kHeader, key.data(), key.size());
  free_ += need;
  free_size_ -= need;
  return entry;
}

}  // namespace fifo
