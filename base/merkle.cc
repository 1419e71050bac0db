#include "base/merkle.h"

#include <algorithm>
#include <bit>

#include "base/sha256.h"
#include "fmt/format.h"

namespace dxledger::merkle {
namespace {

constexpr char kLeafPrefix[] = {0x00};
constexpr char kNodePrefix[] = {0x01};

// The largest power of two smaller than n (n >= 2): where RFC 9162 splits.
uint64_t Split(uint64_t n) { return uint64_t{1} << (63 - std::countl_zero(n - 1)); }

struct Range {
  uint64_t begin, end;
};

// RFC 9162 PATH(m, D[begin:end]) as the ranges whose hashes it lists.
void InclusionRanges(uint64_t m, uint64_t begin, uint64_t end, std::vector<Range>& out) {
  if (end - begin == 1) return;
  const uint64_t k = Split(end - begin);
  if (m < begin + k) {
    InclusionRanges(m, begin, begin + k, out);
    out.push_back({begin + k, end});
  } else {
    InclusionRanges(m, begin + k, end, out);
    out.push_back({begin, begin + k});
  }
}

// RFC 9162 SUBPROOF(m, D[begin:end], b) as ranges.
void ConsistencyRanges(uint64_t m, uint64_t begin, uint64_t end, bool whole,
                       std::vector<Range>& out) {
  const uint64_t n = end - begin;
  if (m == n) {
    if (!whole) out.push_back({begin, end});
    return;
  }
  const uint64_t k = Split(n);
  if (m <= k) {
    ConsistencyRanges(m, begin, begin + k, whole, out);
    out.push_back({begin + k, end});
  } else {
    ConsistencyRanges(m - k, begin + k, end, false, out);
    out.push_back({begin, begin + k});
  }
}

// The hashes of the ranges, reading every subtree they need at once; a
// range that `border` holds is taken from it.
absl::StatusOr<std::vector<std::string>> HashRanges(const std::vector<Range>& ranges,
                                                    NodeReader read, const BorderFolds* border) {
  std::vector<Node> nodes;
  std::vector<const std::string*> folded(ranges.size(), nullptr);
  std::vector<size_t> ends;
  for (size_t i = 0; i < ranges.size(); ++i) {
    const Range& range = ranges[i];
    if (border != nullptr && range.end == border->size()) folded[i] = border->Find(range.begin);
    if (folded[i] == nullptr) {
      std::vector<Node> cover = Cover(range.begin, range.end);
      nodes.insert(nodes.end(), cover.begin(), cover.end());
    }
    ends.push_back(nodes.size());
  }
  std::vector<std::string> hashes;
  if (!nodes.empty()) {
    absl::StatusOr<std::vector<std::string>> read_hashes = read(nodes);
    if (!read_hashes.ok()) return read_hashes.status();
    hashes = *std::move(read_hashes);
  }
  if (hashes.size() != nodes.size()) {
    return absl::InternalError("the tree's node reader answered the wrong number of hashes");
  }
  std::vector<std::string> out;
  out.reserve(ranges.size());
  size_t from = 0;
  for (size_t i = 0; i < ranges.size(); ++i) {
    const size_t end = ends[i];
    if (folded[i] != nullptr) {
      out.push_back(*folded[i]);
    } else if (end - from == 1) {
      out.push_back(std::move(hashes[from]));  // a complete subtree: most of a proof
    } else {
      out.push_back(FoldRight(std::span<const std::string>(hashes).subspan(from, end - from)));
    }
    from = end;
  }
  return out;
}

bool Odd(uint64_t n) { return (n & 1) != 0; }

}  // namespace

std::string LeafHash(std::string_view leaf) {
  return base::Sha256({std::string_view(kLeafPrefix, 1), leaf});
}

std::string NodeHash(std::string_view left, std::string_view right) {
  return base::Sha256({std::string_view(kNodePrefix, 1), left, right});
}

std::string EmptyRoot() { return base::Sha256({}); }

std::vector<Node> Cover(uint64_t begin, uint64_t end) {
  std::vector<Node> nodes;
  while (begin < end) {
    int level = 63 - std::countl_zero(end - begin);
    if (begin != 0) level = std::min(level, std::countr_zero(begin));
    nodes.push_back({static_cast<uint8_t>(level), begin >> level});
    begin += uint64_t{1} << level;
  }
  return nodes;
}

std::string FoldRight(std::span<const std::string> hashes) {
  if (hashes.empty()) return EmptyRoot();
  std::string hash = hashes.back();
  for (size_t i = hashes.size() - 1; i-- > 0;) hash = NodeHash(hashes[i], hash);
  return hash;
}

Frontier::Frontier(uint64_t size, std::vector<std::string> border)
    : size_(size), border_(std::move(border)) {}

void Frontier::Append(std::string leaf_hash, std::vector<Completed>& completed) {
  const uint64_t index = size_;
  completed.push_back({Node{0, index}, leaf_hash});
  std::string hash = std::move(leaf_hash);
  // Each trailing one bit of the old size is a subtree the new leaf completes.
  uint8_t level = 0;
  for (uint64_t bits = index; Odd(bits); bits >>= 1) {
    hash = NodeHash(border_.back(), hash);
    border_.pop_back();
    ++level;
    completed.push_back({Node{level, index >> level}, hash});
  }
  border_.push_back(std::move(hash));
  ++size_;
}

std::string Frontier::Root() const { return FoldRight(border_); }

absl::StatusOr<BorderFolds> BorderFolds::Of(uint64_t size, NodeReader read) {
  BorderFolds border;
  border.size_ = size;
  if (size == 0) {
    border.begins_ = {0};
    border.folds_ = {EmptyRoot()};
    return border;
  }
  const std::vector<Node> cover = Cover(0, size);
  absl::StatusOr<std::vector<std::string>> hashes = read(cover);
  if (!hashes.ok()) return hashes.status();
  if (hashes->size() != cover.size()) {
    return absl::InternalError("the tree's node reader answered the wrong number of hashes");
  }
  border.begins_.resize(cover.size());
  border.folds_.resize(cover.size());
  for (size_t i = cover.size(); i-- > 0;) {
    border.begins_[i] = cover[i].index << cover[i].level;
    border.folds_[i] = i + 1 == cover.size() ? std::move((*hashes)[i])
                                             : NodeHash((*hashes)[i], border.folds_[i + 1]);
  }
  return border;
}

const std::string* BorderFolds::Find(uint64_t begin) const {
  auto it = std::lower_bound(begins_.begin(), begins_.end(), begin);
  if (it == begins_.end() || *it != begin) return nullptr;
  return &folds_[it - begins_.begin()];
}

absl::StatusOr<std::vector<std::string>> InclusionProof(uint64_t index, uint64_t size,
                                                        NodeReader read,
                                                        const BorderFolds* border) {
  if (index >= size) {
    return absl::InvalidArgumentError(
        fmt::format("leaf {} is not in a tree of {} leaves", index, size));
  }
  std::vector<Range> ranges;
  InclusionRanges(index, 0, size, ranges);
  return HashRanges(ranges, read, border != nullptr && border->size() == size ? border : nullptr);
}

absl::StatusOr<std::vector<std::string>> ConsistencyProof(uint64_t old_size, uint64_t size,
                                                          NodeReader read,
                                                          const BorderFolds* border) {
  if (old_size == 0 || old_size > size) {
    return absl::InvalidArgumentError(
        fmt::format("no consistency proof from a tree of {} leaves to one of {}", old_size, size));
  }
  std::vector<Range> ranges;
  ConsistencyRanges(old_size, 0, size, /*whole=*/true, ranges);
  return HashRanges(ranges, read, border != nullptr && border->size() == size ? border : nullptr);
}

absl::StatusOr<std::string> RootAt(uint64_t size, NodeReader read) {
  absl::StatusOr<BorderFolds> border = BorderFolds::Of(size, read);
  if (!border.ok()) return border.status();
  return border->root();
}

absl::Status VerifyInclusion(uint64_t index, uint64_t size, std::string_view leaf_hash,
                             std::span<const std::string> proof, std::string_view root) {
  if (index >= size) {
    return absl::DataLossError(
        fmt::format("leaf {} cannot be in a tree of {} leaves", index, size));
  }
  uint64_t fn = index, sn = size - 1;
  std::string hash(leaf_hash);
  for (const std::string& sibling : proof) {
    if (sn == 0) return absl::DataLossError("the inclusion proof is too long");
    if (Odd(fn) || fn == sn) {
      hash = NodeHash(sibling, hash);
      while (!Odd(fn) && fn != 0) {
        fn >>= 1;
        sn >>= 1;
      }
    } else {
      hash = NodeHash(hash, sibling);
    }
    fn >>= 1;
    sn >>= 1;
  }
  if (sn != 0) return absl::DataLossError("the inclusion proof is too short");
  if (hash != root) {
    return absl::DataLossError(fmt::format(
        "leaf {} is not in the tree of {} leaves: the proof leads to another root", index, size));
  }
  return absl::OkStatus();
}

absl::Status VerifyConsistency(uint64_t old_size, uint64_t size, std::string_view old_root,
                               std::string_view root, std::span<const std::string> proof) {
  if (old_size > size) {
    return absl::DataLossError(
        fmt::format("a tree of {} leaves cannot extend one of {}", size, old_size));
  }
  if (old_size == size) {
    if (!proof.empty()) return absl::DataLossError("a proof between equal sizes must be empty");
    if (old_root != root) {
      return absl::DataLossError(
          fmt::format("two different roots for the same tree size {}: the log forked", size));
    }
    return absl::OkStatus();
  }
  if (old_size == 0) {
    if (!proof.empty()) return absl::DataLossError("a proof from the empty tree must be empty");
    return absl::OkStatus();
  }
  std::vector<std::string> path(proof.begin(), proof.end());
  if (std::has_single_bit(old_size)) path.insert(path.begin(), std::string(old_root));
  if (path.empty()) return absl::DataLossError("the consistency proof is empty");
  uint64_t fn = old_size - 1, sn = size - 1;
  while (Odd(fn)) {
    fn >>= 1;
    sn >>= 1;
  }
  std::string old_hash = path[0], new_hash = path[0];
  for (size_t i = 1; i < path.size(); ++i) {
    if (sn == 0) return absl::DataLossError("the consistency proof is too long");
    if (Odd(fn) || fn == sn) {
      old_hash = NodeHash(path[i], old_hash);
      new_hash = NodeHash(path[i], new_hash);
      while (!Odd(fn) && fn != 0) {
        fn >>= 1;
        sn >>= 1;
      }
    } else {
      new_hash = NodeHash(new_hash, path[i]);
    }
    fn >>= 1;
    sn >>= 1;
  }
  if (sn != 0) return absl::DataLossError("the consistency proof is too short");
  if (old_hash != old_root || new_hash != root) {
    return absl::DataLossError(fmt::format(
        "the tree of {} leaves does not extend the tree of {}: the log was rewritten or forked",
        size, old_size));
  }
  return absl::OkStatus();
}

}  // namespace dxledger::merkle
