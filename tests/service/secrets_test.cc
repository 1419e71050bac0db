// Principals' token hashes are for admins only: every other reader of the
// log gets the token events without them, and proofs of those events carry
// the leaf's hash instead of its bytes. What it reads still verifies, and a
// server that withheld any other event's bytes is caught.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>

#include "base/merkle.h"
#include "base/note.h"
#include "client/ledger_client.h"
#include "client/log_verifier.h"
#include "tests/service/test_server.h"

namespace dxledger {
namespace {

using client::ClientOptions;
using client::LedgerClient;
using ::testing::HasSubstr;
using testsupport::TestServer;

class SecretsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auditor_token_ = server_.AddPrincipal("auditor1", {"auditor"});
    server_.Start();
    admin_ =
        std::make_unique<LedgerClient>(ClientOptions{server_.address(), server_.admin_token()});
    auditor_ = std::make_unique<LedgerClient>(ClientOptions{server_.address(), auditor_token_});
    v1::RotatePrincipalTokenRequest rotate;
    rotate.set_principal("auditor1");
    rotate.set_request_id("rotate-1");
    absl::StatusOr<v1::RotatePrincipalTokenResponse> rotated = admin_->RotatePrincipalToken(rotate);
    ASSERT_TRUE(rotated.ok()) << rotated.status();
    auditor_token_ = rotated->token();
    auditor_ = std::make_unique<LedgerClient>(ClientOptions{server_.address(), auditor_token_});
  }

  // The token events of a read of the whole log, and how many carry a hash.
  static std::pair<int, int> TokenEvents(const v1::ReadLogResponse& log) {
    int events = 0, hashes = 0;
    for (const v1::Event& event : log.events()) {
      if (event.has_principal_added()) {
        ++events;
        hashes += !event.principal_added().token_sha256().empty();
      }
      if (event.has_principal_token_rotated()) {
        ++events;
        hashes += !event.principal_token_rotated().token_sha256().empty();
      }
    }
    return {events, hashes};
  }

  TestServer server_;
  std::string auditor_token_;
  std::unique_ptr<LedgerClient> admin_, auditor_;
};

TEST_F(SecretsTest, OnlyAdminsReadTokenHashesAndTheRestStillVerifies) {
  v1::GetCheckpointRequest fresh;
  fresh.set_refresh(true);
  const uint64_t tree_size = auditor_->GetCheckpoint(fresh)->tree_size();
  v1::ReadLogRequest read;
  read.set_page_size(1000);
  read.set_proof_tree_size(tree_size);
  absl::StatusOr<v1::ReadLogResponse> as_admin = admin_->ReadLog(read);
  absl::StatusOr<v1::ReadLogResponse> as_auditor = auditor_->ReadLog(read);
  ASSERT_TRUE(as_admin.ok() && as_auditor.ok());
  // admin, tester and auditor1 added with tokens, and one rotation.
  EXPECT_EQ(TokenEvents(*as_admin), std::make_pair(4, 4));
  EXPECT_EQ(TokenEvents(*as_auditor), std::make_pair(4, 0));
  int withheld = 0;
  for (const v1::EventProof& proof : as_auditor->proofs()) {
    if (proof.leaf().empty()) {
      ++withheld;
      EXPECT_EQ(proof.leaf_hash().size(), 32u);
    }
  }
  EXPECT_EQ(withheld, 4);
  for (const v1::EventProof& proof : as_admin->proofs()) EXPECT_FALSE(proof.leaf().empty());

  // What the auditor read verifies against the signed checkpoint.
  absl::StatusOr<note::Verifier> key = note::Verifier::FromKey(server_.verifier_key());
  ASSERT_TRUE(key.ok());
  const std::string state = server_.data_dir() + "/auditor.state";
  client::LogVerifier verifier(*auditor_, *key, state);
  absl::StatusOr<client::VerifiedCheckpoint> checkpoint = verifier.VerifyLatest(false);
  ASSERT_TRUE(checkpoint.ok()) << checkpoint.status();
  ASSERT_EQ(checkpoint->checkpoint.size, tree_size);
  EXPECT_TRUE(
      client::VerifyEvents(as_auditor->events(), as_auditor->proofs(), checkpoint->checkpoint)
          .ok());

  // A server that withholds the bytes of another event, to show it altered,
  // is caught: only token events may come without them.
  v1::ReadLogResponse forged = *as_auditor;
  for (int i = 0; i < forged.events_size(); ++i) {
    if (forged.events(i).has_goal_created() || forged.events(i).has_fiscal_year_opened() ||
        forged.events(i).has_principal_changed()) {
      v1::EventProof& proof = *forged.mutable_proofs(i);
      proof.set_leaf_hash(merkle::LeafHash(proof.leaf()));
      proof.clear_leaf();
      absl::Status status =
          client::VerifyEvents(forged.events(), forged.proofs(), checkpoint->checkpoint);
      EXPECT_EQ(status.code(), absl::StatusCode::kDataLoss);
      EXPECT_THAT(std::string(status.message()), HasSubstr("withheld the bytes of event"));
      break;
    }
  }
  // Nor may a token event be shown with a hash other than the log's.
  v1::ReadLogResponse swapped = *as_auditor;
  for (v1::Event& event : *swapped.mutable_events()) {
    if (event.has_principal_token_rotated()) {
      event.mutable_principal_token_rotated()->set_token_sha256(std::string(64, 'a'));
    }
  }
  EXPECT_EQ(client::VerifyEvents(swapped.events(), swapped.proofs(), checkpoint->checkpoint).code(),
            absl::StatusCode::kDataLoss);

  // A single proof and a subscription keep the hash from the auditor too.
  for (const v1::Event& event : as_admin->events()) {
    if (!event.has_principal_token_rotated()) continue;
    v1::GetInclusionProofRequest proof;
    proof.set_position(event.position());
    proof.set_tree_size(tree_size);
    EXPECT_TRUE(auditor_->GetInclusionProof(proof)->proof().leaf().empty());
    EXPECT_FALSE(admin_->GetInclusionProof(proof)->proof().leaf().empty());
  }
  v1::SubscribeRequest subscribe;
  subscribe.set_start_position(1);
  int tokens_seen = 0, hashes_seen = 0;
  ASSERT_TRUE(auditor_
                  ->Subscribe(subscribe,
                              [&](const v1::SubscribeResponse& message) {
                                v1::ReadLogResponse page;
                                *page.mutable_events() = message.events();
                                auto [events, hashes] = TokenEvents(page);
                                tokens_seen += events;
                                hashes_seen += hashes;
                                return message.checkpoint_position() < tree_size;
                              })
                  .ok());
  EXPECT_EQ(tokens_seen, 4);
  EXPECT_EQ(hashes_seen, 0);
}

// A retry of a token request whose reply was lost gets the same token, as
// any other write's retry gets its first answer; another request gets
// another token, and the last one issued is the one that works.
TEST_F(SecretsTest, ARetriedTokenRequestAnswersWithTheSameToken) {
  v1::AddPrincipalRequest add;
  add.set_principal("hq2");
  add.add_roles(v1::ROLE_HQ);
  add.set_request_id("add-hq2");
  absl::StatusOr<v1::AddPrincipalResponse> first = admin_->AddPrincipal(add);
  absl::StatusOr<v1::AddPrincipalResponse> retry = admin_->AddPrincipal(add);
  ASSERT_TRUE(first.ok()) << first.status();
  ASSERT_TRUE(retry.ok()) << retry.status();
  EXPECT_EQ(retry->token(), first->token());
  EXPECT_EQ(first->token().size(), 64u);

  v1::RotatePrincipalTokenRequest rotate;
  rotate.set_principal("hq2");
  rotate.set_request_id("rotate-hq2");
  absl::StatusOr<v1::RotatePrincipalTokenResponse> rotated = admin_->RotatePrincipalToken(rotate);
  absl::StatusOr<v1::RotatePrincipalTokenResponse> again = admin_->RotatePrincipalToken(rotate);
  ASSERT_TRUE(rotated.ok() && again.ok()) << again.status();
  EXPECT_EQ(again->token(), rotated->token());
  EXPECT_NE(rotated->token(), first->token());
  v1::ListGoalsRequest list;
  list.set_fiscal_year(2021);
  LedgerClient old_token(ClientOptions{server_.address(), first->token()});
  LedgerClient new_token(ClientOptions{server_.address(), rotated->token()});
  EXPECT_EQ(old_token.ListGoals(list).status().code(), absl::StatusCode::kUnauthenticated);
  EXPECT_TRUE(new_token.ListGoals(list).ok()) << new_token.ListGoals(list).status();

  // The same request id for a different request is still refused.
  add.add_roles(v1::ROLE_AUDITOR);
  absl::Status reused = admin_->AddPrincipal(add).status();
  EXPECT_EQ(reused.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(reused.message()), HasSubstr("already used for a different request"));
}

}  // namespace
}  // namespace dxledger
