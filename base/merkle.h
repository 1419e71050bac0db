#ifndef DXLEDGER_BASE_MERKLE_H_
#define DXLEDGER_BASE_MERKLE_H_

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "absl/functional/function_ref.h"
#include "absl/status/statusor.h"

// The Merkle tree of RFC 9162 section 2.1 over a log of n leaves, as used by
// Certificate Transparency and Go's checksum database:
//   leaf hash = SHA-256(0x00 || leaf bytes)
//   node hash = SHA-256(0x01 || left || right)
// and the proofs that let a client trust one entry (inclusion) or one tree
// being an extension of another (consistency) from a signed root alone.
// Pure computation: the caller stores the nodes and reads them back.
namespace dxledger::merkle {

inline constexpr size_t kHashBytes = 32;

std::string LeafHash(std::string_view leaf);
std::string NodeHash(std::string_view left, std::string_view right);
// The root of the empty tree: SHA-256 of nothing.
std::string EmptyRoot();

// A complete subtree: level k, index i covers leaves [i * 2^k, (i+1) * 2^k).
// Level 0 is a leaf.
struct Node {
  uint8_t level = 0;
  uint64_t index = 0;
  bool operator==(const Node&) const = default;
};

// The complete subtrees that make up leaves [begin, end), left to right,
// each as large as alignment allows. For a tree of n leaves, Cover(0, n) is
// its right border: one subtree a set bit of n, largest first.
std::vector<Node> Cover(uint64_t begin, uint64_t end);
// The hash of a range from the hashes of its Cover, in order: each subtree
// joined with the fold of those right of it.
std::string FoldRight(std::span<const std::string> hashes);

// The right border of a growing tree: enough to append a leaf and to know the
// root without reading anything. Appending returns the complete subtrees the
// leaf completes, the leaf itself first, to be stored.
class Frontier {
 public:
  Frontier() = default;
  // `border` holds the hashes of Cover(0, size), in order.
  Frontier(uint64_t size, std::vector<std::string> border);

  struct Completed {
    Node node;
    std::string hash;
  };
  // Adds the leaf whose hash is `leaf_hash`; appends to `completed`.
  void Append(std::string leaf_hash, std::vector<Completed>& completed);
  uint64_t size() const { return size_; }
  std::string Root() const;

 private:
  uint64_t size_ = 0;
  std::vector<std::string> border_;  // the hashes of Cover(0, size_)
};

// Reads stored subtree hashes, one per node, in order (one batched read).
using NodeReader =
    absl::FunctionRef<absl::StatusOr<std::vector<std::string>>(std::span<const Node> nodes)>;

// The hashes of the ranges [b, size) for each b where a subtree of the
// tree's right border, Cover(0, size), begins: the root (b = 0) and what
// every proof at `size` would otherwise fold again from the border (one hash
// a set bit of `size`). Made once a size, from the border's hashes.
class BorderFolds {
 public:
  static absl::StatusOr<BorderFolds> Of(uint64_t size, NodeReader read);
  uint64_t size() const { return size_; }
  const std::string& root() const { return folds_.front(); }
  // The hash of [begin, size) when a border subtree begins at `begin`.
  const std::string* Find(uint64_t begin) const;

 private:
  uint64_t size_ = 0;
  std::vector<uint64_t> begins_;    // ascending, begins_[0] = 0
  std::vector<std::string> folds_;  // folds_[i]: [begins_[i], size)
};

// RFC 9162 2.1.3.1: the audit path of leaf `index` in the tree of `size`
// leaves, from the leaf's sibling up. INVALID_ARGUMENT unless index < size.
// With `border` (of the same size) its folds are not read nor hashed again.
absl::StatusOr<std::vector<std::string>> InclusionProof(uint64_t index, uint64_t size,
                                                        NodeReader read,
                                                        const BorderFolds* border = nullptr);
// RFC 9162 2.1.4.1: the proof that the tree of `size` leaves extends the
// one of `old_size`. Empty when the sizes are equal; INVALID_ARGUMENT unless
// 0 < old_size <= size.
absl::StatusOr<std::vector<std::string>> ConsistencyProof(uint64_t old_size, uint64_t size,
                                                          NodeReader read,
                                                          const BorderFolds* border = nullptr);
// The root of the tree of `size` leaves (EmptyRoot() for none).
absl::StatusOr<std::string> RootAt(uint64_t size, NodeReader read);

// RFC 9162 2.1.3.2 and 2.1.4.2. OK, or DATA_LOSS saying what does not hold.
absl::Status VerifyInclusion(uint64_t index, uint64_t size, std::string_view leaf_hash,
                             std::span<const std::string> proof, std::string_view root);
absl::Status VerifyConsistency(uint64_t old_size, uint64_t size, std::string_view old_root,
                               std::string_view root, std::span<const std::string> proof);

}  // namespace dxledger::merkle

#endif  // DXLEDGER_BASE_MERKLE_H_
