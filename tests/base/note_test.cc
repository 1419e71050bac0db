#include "base/note.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "base/checkpoint.h"

namespace dxledger::note {
namespace {

using ::testing::HasSubstr;

// A key and note made by Go's golang.org/x/mod/sumdb/note (its package
// documentation's example): the exact bytes Go's clients accept.
constexpr std::string_view kGoSigner =
    "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz";
constexpr std::string_view kGoVerifier =
    "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW";
constexpr std::string_view kGoNote =
    "If you think cryptography is the answer to your problem,\n"
    "then you don't know what your problem is.\n"
    "\n"
    "\xe2\x80\x94 PeterNeumann "
    "x08go/ZJkuBS9UG/"
    "SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n";

TEST(NoteTest, GoSignedNotesAndKeysAreReadAsGoWritesThem) {
  absl::StatusOr<Signer> signer = Signer::FromPrivateKey(kGoSigner);
  ASSERT_TRUE(signer.ok()) << signer.status();
  EXPECT_EQ(signer->VerifierKey(), kGoVerifier);
  EXPECT_EQ(signer->PrivateKey(), kGoSigner);
  absl::StatusOr<Verifier> verifier = Verifier::FromKey(kGoVerifier);
  ASSERT_TRUE(verifier.ok()) << verifier.status();
  absl::StatusOr<Note> note = ParseNote(kGoNote);
  ASSERT_TRUE(note.ok()) << note.status();
  EXPECT_TRUE(VerifyNote(*note, *verifier).ok());
  EXPECT_EQ(FormatNote(*note), kGoNote);
  // Ed25519 is deterministic: signing the same text gives Go's note.
  EXPECT_EQ(signer->SignNote(note->text), kGoNote);
}

TEST(NoteTest, AChangedByteOrAnotherKeyIsRefused) {
  Note note = *ParseNote(kGoNote);
  const Verifier verifier = *Verifier::FromKey(kGoVerifier);
  note.text[3] ^= 1;
  absl::Status altered = VerifyNote(note, verifier);
  EXPECT_EQ(altered.code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(altered.message(), HasSubstr("the signature of PeterNeumann does not verify"));
  const Signer other = *Signer::Generate("someone-else");
  absl::Status missing = VerifyNote(*ParseNote(kGoNote), *Verifier::FromKey(other.VerifierKey()));
  EXPECT_EQ(missing.code(), absl::StatusCode::kNotFound);
}

TEST(NoteTest, MalformedKeysAndNotesSayWhatIsWrong) {
  EXPECT_THAT(Verifier::FromKey("name+zz+abc").status().message(), HasSubstr("name+keyid+key"));
  EXPECT_THAT(
      Verifier::FromKey("PeterNeumann+c74f20a4+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW")
          .status()
          .message(),
      HasSubstr("id does not match"));
  EXPECT_THAT(Signer::FromPrivateKey(kGoVerifier).status().message(), HasSubstr("PRIVATE+KEY+"));
  EXPECT_THAT(Signer::Generate("has space").status().message(), HasSubstr("space"));
  EXPECT_FALSE(ParseNote("no blank line\n").ok());
  EXPECT_FALSE(ParseNote("text\n\n- not a dash x\n").ok());
}

TEST(CheckpointTest, FormatsAndParsesTheC2spForm) {
  tlog::Checkpoint checkpoint{"example.com/log", 42, std::string(32, '\x07'), {"extra"}};
  const std::string text = tlog::FormatCheckpoint(checkpoint);
  EXPECT_EQ(text, "example.com/log\n42\nBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwc=\nextra\n");
  absl::StatusOr<tlog::Checkpoint> parsed = tlog::ParseCheckpoint(text);
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_EQ(parsed->size, 42u);
  EXPECT_EQ(parsed->root, checkpoint.root);
  EXPECT_EQ(parsed->extensions, checkpoint.extensions);
  EXPECT_THAT(tlog::ParseCheckpoint("o\n042\nBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwc=\n")
                  .status()
                  .message(),
              HasSubstr("not a tree size"));
  EXPECT_THAT(tlog::ParseCheckpoint("o\n1\nBwc=\n").status().message(), HasSubstr("third line"));
}

TEST(CheckpointTest, ACosignatureVerifiesUnderTheWitnessKeyOnly) {
  const Signer log = *Signer::Generate("log.example");
  const Signer witness = *Signer::Generate("witness.example");
  const std::string text = tlog::FormatCheckpoint({"log.example", 3, std::string(32, '\x01'), {}});
  Note note = *ParseNote(log.SignNote(text));
  note.signatures.push_back(tlog::Cosign(witness, text, 1700000000));
  const Verifier cosigner = *Verifier::FromCosignerKey(CosignerKey(witness));
  absl::StatusOr<uint64_t> time = tlog::VerifyCosignature(note, cosigner);
  ASSERT_TRUE(time.ok()) << time.status();
  EXPECT_EQ(*time, 1700000000u);
  // The log's own key is not a cosigner's.
  EXPECT_FALSE(Verifier::FromCosignerKey(log.VerifierKey()).ok());
  note.text = tlog::FormatCheckpoint({"log.example", 4, std::string(32, '\x01'), {}});
  EXPECT_EQ(tlog::VerifyCosignature(note, cosigner).status().code(), absl::StatusCode::kDataLoss);
}

}  // namespace
}  // namespace dxledger::note
