#include "base/merkle.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <map>

#include "absl/strings/escaping.h"

namespace dxledger::merkle {
namespace {

using ::testing::HasSubstr;

// RFC 9162 section 2.1, written out as the RFC states it (recursion over
// the leaves), to check the stored-node version against.
struct Reference {
  std::vector<std::string> leaves;  // leaf hashes

  static uint64_t Split(uint64_t n) {
    uint64_t k = 1;
    while (k * 2 < n) k *= 2;
    return k;
  }
  std::string Mth(uint64_t begin, uint64_t end) const {
    if (end - begin == 1) return leaves[begin];
    const uint64_t k = Split(end - begin);
    return NodeHash(Mth(begin, begin + k), Mth(begin + k, end));
  }
  std::vector<std::string> Path(uint64_t m, uint64_t begin, uint64_t end) const {
    if (end - begin == 1) return {};
    const uint64_t k = Split(end - begin);
    std::vector<std::string> path;
    if (m < k) {
      path = Path(m, begin, begin + k);
      path.push_back(Mth(begin + k, end));
    } else {
      path = Path(m - k, begin + k, end);
      path.push_back(Mth(begin, begin + k));
    }
    return path;
  }
  std::vector<std::string> Subproof(uint64_t m, uint64_t begin, uint64_t end, bool whole) const {
    const uint64_t n = end - begin;
    if (m == n) return whole ? std::vector<std::string>{} : std::vector{Mth(begin, end)};
    const uint64_t k = Split(n);
    std::vector<std::string> proof;
    if (m <= k) {
      proof = Subproof(m, begin, begin + k, whole);
      proof.push_back(Mth(begin + k, end));
    } else {
      proof = Subproof(m - k, begin + k, end, false);
      proof.push_back(Mth(begin, begin + k));
    }
    return proof;
  }
};

// A tree grown leaf by leaf through Frontier, its completed nodes kept as a
// store would keep them.
struct StoredTree {
  Frontier frontier;
  std::map<std::pair<uint8_t, uint64_t>, std::string> nodes;
  int reads = 0;

  void Append(std::string_view leaf) {
    std::vector<Frontier::Completed> completed;
    frontier.Append(LeafHash(leaf), completed);
    for (auto& c : completed) nodes[{c.node.level, c.node.index}] = c.hash;
  }
  absl::StatusOr<std::vector<std::string>> Read(std::span<const Node> wanted) {
    std::vector<std::string> out;
    for (const Node& node : wanted) {
      ++reads;
      auto it = nodes.find({node.level, node.index});
      if (it == nodes.end()) return absl::NotFoundError("node not stored");
      out.push_back(it->second);
    }
    return out;
  }
  // A callable a NodeReader can refer to while it lives.
  auto Reader() {
    return [this](std::span<const Node> wanted) { return Read(wanted); };
  }
};

std::string Hex(std::string_view bytes) {
  return absl::BytesToHexString(absl::string_view(bytes.data(), bytes.size()));
}

// The test vectors of RFC 6962's reference implementation (Certificate
// Transparency's merkle_tree_test), also used by transparency-dev/merkle.
const std::vector<std::string> kVectorLeaves = {
    "",
    std::string("\x00", 1),
    "\x10",
    "\x20\x21",
    "\x30\x31",
    "\x40\x41\x42\x43",
    "\x50\x51\x52\x53\x54\x55\x56\x57",
    "\x60\x61\x62\x63\x64\x65\x66\x67\x68\x69\x6a\x6b\x6c\x6d\x6e\x6f"};
const char* const kVectorRoots[] = {
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328"};

TEST(MerkleTest, RootsMatchTheRfcTestVectors) {
  EXPECT_EQ(Hex(EmptyRoot()), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  StoredTree tree;
  for (size_t i = 0; i < kVectorLeaves.size(); ++i) {
    tree.Append(kVectorLeaves[i]);
    EXPECT_EQ(Hex(tree.frontier.Root()), kVectorRoots[i]) << "size " << i + 1;
    absl::StatusOr<std::string> stored = RootAt(i + 1, tree.Reader());
    ASSERT_TRUE(stored.ok());
    EXPECT_EQ(Hex(*stored), kVectorRoots[i]);
  }
}

TEST(MerkleTest, CoverIsTheRightBorder) {
  EXPECT_THAT(Cover(0, 13), ::testing::ElementsAre(Node{3, 0}, Node{2, 2}, Node{0, 12}));
  EXPECT_THAT(Cover(12, 16), ::testing::ElementsAre(Node{2, 3}));
  EXPECT_THAT(Cover(6, 13), ::testing::ElementsAre(Node{1, 3}, Node{2, 2}, Node{0, 12}));
  EXPECT_TRUE(Cover(5, 5).empty());
}

TEST(MerkleTest, ProofsFromStoredNodesEqualTheRfcDefinitionsAndVerify) {
  StoredTree tree;
  Reference reference;
  std::vector<std::string> roots = {EmptyRoot()};
  for (uint64_t size = 1; size <= 70; ++size) {
    const std::string leaf = "event " + std::to_string(size);
    tree.Append(leaf);
    reference.leaves.push_back(LeafHash(leaf));
    roots.push_back(tree.frontier.Root());
    ASSERT_EQ(roots.back(), reference.Mth(0, size)) << "size " << size;
  }
  for (uint64_t size = 1; size <= 70; ++size) {
    absl::StatusOr<BorderFolds> border = BorderFolds::Of(size, tree.Reader());
    ASSERT_TRUE(border.ok()) << border.status();
    ASSERT_EQ(border->root(), roots[size]);
    // Each proof as read from the nodes alone, with the border's folds, and
    // with the folds of another size (which must be ignored).
    absl::StatusOr<BorderFolds> other = BorderFolds::Of(size == 1 ? 2 : size - 1, tree.Reader());
    ASSERT_TRUE(other.ok());
    const BorderFolds* const all_folds[] = {nullptr, &*border, &*other};
    for (const BorderFolds* folds : all_folds) {
      for (uint64_t index = 0; index < size; ++index) {
        absl::StatusOr<std::vector<std::string>> proof =
            InclusionProof(index, size, tree.Reader(), folds);
        ASSERT_TRUE(proof.ok()) << proof.status();
        ASSERT_EQ(*proof, reference.Path(index, 0, size)) << index << " in " << size;
        ASSERT_TRUE(
            VerifyInclusion(index, size, reference.leaves[index], *proof, roots[size]).ok());
      }
      for (uint64_t old_size = 1; old_size <= size; ++old_size) {
        absl::StatusOr<std::vector<std::string>> proof =
            ConsistencyProof(old_size, size, tree.Reader(), folds);
        ASSERT_TRUE(proof.ok()) << proof.status();
        ASSERT_EQ(*proof, reference.Subproof(old_size, 0, size, true))
            << old_size << " to " << size;
        ASSERT_TRUE(VerifyConsistency(old_size, size, roots[old_size], roots[size], *proof).ok())
            << old_size << " to " << size;
      }
    }
  }
}

// With the border's folds, a proof reads no node of the border again: it
// reads only the subtrees on its leaf's path.
TEST(MerkleTest, ABordersFoldsSpareEveryProofItsReads) {
  StoredTree tree;
  const uint64_t size = 0b1011011;  // 91: border of 64, 16, 8, 2, 1
  for (uint64_t i = 0; i < size; ++i) tree.Append("event " + std::to_string(i));
  absl::StatusOr<BorderFolds> border = BorderFolds::Of(size, tree.Reader());
  ASSERT_TRUE(border.ok());
  tree.reads = 0;
  ASSERT_TRUE(InclusionProof(0, size, tree.Reader()).ok());
  const size_t without = tree.reads;
  tree.reads = 0;
  ASSERT_TRUE(InclusionProof(0, size, tree.Reader(), &*border).ok());
  // Leaf 0's path: 6 subtrees inside the first 64, then [64, 91) folded
  // from the border's last four subtrees.
  EXPECT_EQ(without, 6u + 4u);
  EXPECT_EQ(tree.reads, 6u);
}

TEST(MerkleTest, AProofReadsLogarithmicallyManyNodes) {
  StoredTree tree;
  for (int i = 0; i < 5000; ++i) tree.Append(std::to_string(i));
  tree.reads = 0;
  ASSERT_TRUE(InclusionProof(1234, 4999, tree.Reader()).ok());
  EXPECT_LE(tree.reads, 2 * 13);
  tree.reads = 0;
  ASSERT_TRUE(ConsistencyProof(3333, 4999, tree.Reader()).ok());
  EXPECT_LE(tree.reads, 3 * 13);
}

TEST(MerkleTest, AChangedByteFailsVerification) {
  StoredTree tree;
  for (int i = 0; i < 21; ++i) tree.Append(std::to_string(i));
  const std::string root = tree.frontier.Root();
  std::vector<std::string> proof = *InclusionProof(7, 21, tree.Reader());
  ASSERT_TRUE(VerifyInclusion(7, 21, LeafHash("7"), proof, root).ok());
  EXPECT_THAT(VerifyInclusion(7, 21, LeafHash("7!"), proof, root).message(),
              HasSubstr("leaf 7 is not in the tree of 21 leaves"));
  proof[2][5] ^= 1;
  absl::Status status = VerifyInclusion(7, 21, LeafHash("7"), proof, root);
  EXPECT_EQ(status.code(), absl::StatusCode::kDataLoss);
  proof.pop_back();
  EXPECT_THAT(VerifyInclusion(7, 21, LeafHash("7"), proof, root).message(), HasSubstr("too short"));

  StoredTree old_tree;
  for (int i = 0; i < 13; ++i) old_tree.Append(std::to_string(i));
  std::vector<std::string> consistency = *ConsistencyProof(13, 21, tree.Reader());
  ASSERT_TRUE(VerifyConsistency(13, 21, old_tree.frontier.Root(), root, consistency).ok());
  // A log that rewrote leaf 3 after the old checkpoint cannot prove it
  // extends that checkpoint.
  StoredTree forked;
  for (int i = 0; i < 21; ++i) forked.Append(i == 3 ? "three" : std::to_string(i));
  std::vector<std::string> forked_proof = *ConsistencyProof(13, 21, forked.Reader());
  EXPECT_THAT(
      VerifyConsistency(13, 21, old_tree.frontier.Root(), forked.frontier.Root(), forked_proof)
          .message(),
      HasSubstr("does not extend the tree of 13"));
  EXPECT_THAT(VerifyConsistency(21, 21, root, forked.frontier.Root(), {}).message(),
              HasSubstr("the log forked"));
  EXPECT_EQ(InclusionProof(21, 21, tree.Reader()).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ConsistencyProof(22, 21, tree.Reader()).status().code(),
            absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace dxledger::merkle
