#include "service/auth.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>

#include "storage/stores.h"
#include "tests/fixture.h"

namespace dxledger::service {
namespace {

TEST(TokenHashTest, IsTheLowercaseHexSha256OfTheToken) {
  // FIPS 180-2's example: SHA-256("abc").
  EXPECT_EQ(TokenHash("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

class PrincipalsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char pattern[] = "/tmp/dxledger-auth-XXXXXX";
    dir_ = ::mkdtemp(pattern);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::string dir_;
  std::unique_ptr<storage::LogStore> store_ = storage::NewMemoryEventStore();
  ledger::Ledger ledger_{*store_, "050008"};
  Principals principals_;
};

TEST_F(PrincipalsTest, FirstStartAddsAdminWithAnOwnerOnlyToken) {
  ASSERT_TRUE(LoadPrincipals(ledger_, dir_, principals_).ok());
  std::string token = testsupport::ReadFile(dir_ + "/admin.token");
  token.pop_back();
  EXPECT_EQ(token.size(), 64u);
  struct stat st;
  ASSERT_EQ(::stat((dir_ + "/admin.token").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600);
  absl::StatusOr<PrincipalRef> admin = principals_.ByToken("Bearer " + token);
  ASSERT_TRUE(admin.ok()) << admin.status();
  EXPECT_EQ((*admin)->principal(), "admin");
  // The ledger keeps the token's hash, never the token, and who added it.
  absl::StatusOr<ledger::Page<v1::Event>> log = ledger_.queries().ReadLog(1, 10, "");
  ASSERT_EQ(log->items.size(), 1u);
  EXPECT_EQ(log->items[0].actor(), "dxledgerd");
  EXPECT_EQ(log->items[0].principal_added().token_sha256(), TokenHash(token));
  EXPECT_EQ(log->items[0].SerializeAsString().find(token), std::string::npos);

  // A second start keeps the same admin and writes nothing.
  Principals again;
  ASSERT_TRUE(LoadPrincipals(ledger_, dir_, again).ok());
  EXPECT_TRUE(again.ByToken("Bearer " + token).ok());
  EXPECT_EQ(ledger_.queries().head().position, 1u);
}

TEST_F(PrincipalsTest, RefusesMissingMalformedUnknownAndDisabledCredentials) {
  absl::StatusOr<std::string> token =
      AddPrincipal(ledger_, "admin", "reader", {v1::ROLE_AUDITOR}, {});
  ASSERT_TRUE(token.ok()) << token.status();
  principals_.Replace(*ledger_.queries().ListPrincipals());
  EXPECT_EQ(principals_.ByToken("").status().code(), absl::StatusCode::kUnauthenticated);
  EXPECT_EQ(principals_.ByToken("Basic abc").status().code(), absl::StatusCode::kUnauthenticated);
  EXPECT_EQ(principals_.ByToken("Bearer ").status().code(), absl::StatusCode::kUnauthenticated);
  absl::Status unknown = principals_.ByToken("Bearer secret-guess").status();
  EXPECT_EQ(unknown.code(), absl::StatusCode::kUnauthenticated);
  EXPECT_EQ(std::string(unknown.message()).find("secret-guess"), std::string::npos);
  ASSERT_TRUE(principals_.ByToken("Bearer " + *token).ok());

  ledger::PrincipalCommand disable{"reader", {}, "admin", "", "left the office"};
  disable.proposal.mutable_principal_disabled()->set_reason("left the office");
  absl::StatusOr<ledger::PrincipalOutcome> disabled =
      ledger_.writer().ExecutePrincipalAndWait(disable);
  ASSERT_TRUE(disabled.ok()) << disabled.status();
  principals_.Update(disabled->principal);
  EXPECT_EQ(principals_.ByToken("Bearer " + *token).status().code(),
            absl::StatusCode::kUnauthenticated);
}

TEST_F(PrincipalsTest, CertificatesMapToTheirPrincipal) {
  ASSERT_TRUE(
      AddPrincipal(ledger_, "admin", "tooling", {v1::ROLE_INTEGRATION}, {}, "hq-dashboard").ok());
  principals_.Replace(*ledger_.queries().ListPrincipals());
  absl::StatusOr<PrincipalRef> principal = principals_.ByCertificate("hq-dashboard");
  ASSERT_TRUE(principal.ok());
  EXPECT_EQ((*principal)->principal(), "tooling");
  EXPECT_EQ(principals_.ByCertificate("someone-else").status().code(),
            absl::StatusCode::kUnauthenticated);
}

TEST_F(PrincipalsTest, BadPrincipalsAreRefused) {
  EXPECT_EQ(AddPrincipal(ledger_, "admin", "Bad Name", {v1::ROLE_HQ}, {}).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(AddPrincipal(ledger_, "admin", "nodepts", {v1::ROLE_EDITOR}, {}).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(AddPrincipal(ledger_, "admin", "noroles", {}, {}).status().code(),
            absl::StatusCode::kInvalidArgument);
  ASSERT_TRUE(AddPrincipal(ledger_, "admin", "twice", {v1::ROLE_HQ}, {}).ok());
  EXPECT_EQ(AddPrincipal(ledger_, "admin", "twice", {v1::ROLE_HQ}, {}).status().code(),
            absl::StatusCode::kAlreadyExists);
  EXPECT_EQ(ParseRole("hq").value(), v1::ROLE_HQ);
  EXPECT_EQ(ParseRole("root").status().code(), absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace dxledger::service
