#include "service/auth.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>

namespace dxledger::service {
namespace {

class PrincipalsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char pattern[] = "/tmp/dxledger-auth-XXXXXX";
    dir_ = ::mkdtemp(pattern);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::string dir_;
};

TEST_F(PrincipalsTest, FirstStartCreatesAdminWithAnOwnerOnlyToken) {
  absl::StatusOr<PrincipalRegistry> registry = LoadOrInitializePrincipals(dir_);
  ASSERT_TRUE(registry.ok()) << registry.status();
  std::ifstream in(dir_ + "/admin.token");
  std::string token;
  in >> token;
  EXPECT_EQ(token.size(), 64u);
  struct stat st;
  ASSERT_EQ(::stat((dir_ + "/admin.token").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600);
  absl::StatusOr<Principal> admin = registry->Authenticate("Bearer " + token);
  ASSERT_TRUE(admin.ok());
  EXPECT_EQ(admin->name, "admin");
  EXPECT_TRUE(admin->CanWrite());

  // The principals file holds the token's hash, never the token.
  std::ifstream file(dir_ + "/principals.json");
  std::string content((std::istreambuf_iterator<char>(file)), {});
  EXPECT_EQ(content.find(token), std::string::npos);
  EXPECT_NE(content.find(TokenHash(token)), std::string::npos);

  // A second start keeps the same admin.
  absl::StatusOr<PrincipalRegistry> again = LoadOrInitializePrincipals(dir_);
  ASSERT_TRUE(again.ok());
  EXPECT_TRUE(again->Authenticate("Bearer " + token).ok());
}

TEST_F(PrincipalsTest, RefusesMissingMalformedUnknownAndDisabledCredentials) {
  PrincipalRegistry registry;
  ASSERT_TRUE(registry.Add({"reader", {Role::kAuditor}, {}, TokenHash("t-reader"), false}).ok());
  ASSERT_TRUE(registry.Add({"gone", {Role::kEditor}, {}, TokenHash("t-gone"), true}).ok());
  EXPECT_EQ(registry.Authenticate("").status().code(), absl::StatusCode::kUnauthenticated);
  EXPECT_EQ(registry.Authenticate("Basic abc").status().code(), absl::StatusCode::kUnauthenticated);
  EXPECT_EQ(registry.Authenticate("Bearer ").status().code(), absl::StatusCode::kUnauthenticated);
  absl::Status unknown = registry.Authenticate("Bearer secret-guess").status();
  EXPECT_EQ(unknown.code(), absl::StatusCode::kUnauthenticated);
  EXPECT_EQ(unknown.message().find("secret-guess"), absl::string_view::npos);
  EXPECT_EQ(registry.Authenticate("Bearer t-gone").status().code(),
            absl::StatusCode::kUnauthenticated);
  absl::StatusOr<Principal> reader = registry.Authenticate("Bearer t-reader");
  ASSERT_TRUE(reader.ok());
  EXPECT_FALSE(reader->CanWrite());
  EXPECT_EQ(registry.Add({"reader", {Role::kHq}, {}, "x", false}).code(),
            absl::StatusCode::kInvalidArgument);
}

TEST_F(PrincipalsTest, MalformedFileIsInvalidArgument) {
  std::ofstream(dir_ + "/principals.json") << "{\"principals\": [{\"name\": 3}]}";
  EXPECT_EQ(PrincipalRegistry::Load(dir_ + "/principals.json").status().code(),
            absl::StatusCode::kInvalidArgument);
  std::ofstream(dir_ + "/principals.json") << "not json";
  EXPECT_EQ(LoadOrInitializePrincipals(dir_).status().code(), absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace dxledger::service
