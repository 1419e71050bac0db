#include "service/domain/names.h"

#include <gtest/gtest.h>

#include "service/domain/text.h"

namespace dxledger::domain {
namespace {

TEST(ParseGoalNameTest, AcceptsFullNamesAndBareIds) {
  absl::StatusOr<GoalName> full = ParseGoalName("organizations/130001/goals/fy2021-04", "050008");
  ASSERT_TRUE(full.ok()) << full.status();
  EXPECT_EQ(full->organization, "130001");
  EXPECT_EQ(full->goal_id, "fy2021-04");
  absl::StatusOr<GoalName> bare = ParseGoalName("fy2021-04", "050008");
  ASSERT_TRUE(bare.ok());
  EXPECT_EQ(bare->Format(), "organizations/050008/goals/fy2021-04");
}

TEST(ParseGoalNameTest, RefusesMalformedNames) {
  for (const std::string& text : std::vector<std::string>{
           "", "organizations/050008/goals/", "organizations/5008/goals/x", "goals/x",
           "organizations/050008/projects/x", "Upper", "-lead", "with space", "目標",
           "organizations/050008/goals/x/extra", std::string(64, 'a')}) {
    EXPECT_EQ(ParseGoalName(text, "050008").status().code(), absl::StatusCode::kInvalidArgument)
        << text;
  }
}

TEST(ParseOrganizationTest, DefaultsAndValidates) {
  EXPECT_EQ(*ParseOrganization("", "050008"), "050008");
  EXPECT_EQ(*ParseOrganization("organizations/130001", "050008"), "130001");
  EXPECT_EQ(ParseOrganization("050008", "050008").status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ParseOrganization("organizations/abc", "050008").status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(ValidateTextTest, ChecksUtf8LengthAndContent) {
  EXPECT_TRUE(ValidateText("title", "県庁のデジタル化", 100, true).ok());
  EXPECT_EQ(ValidateText("title", "\xff\xfe", 100, true).code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ValidateText("title", "\xe7\x9c", 100, true).code(),  // truncated 県
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ValidateText("title", "\u3000 \t", 100, true).code(),  // only white space
            absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(ValidateText("note", "", 100, false).ok());
  absl::Status too_long = ValidateText("title", std::string(101, 'x'), 100, true);
  EXPECT_EQ(too_long.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(too_long.message().find("title"), absl::string_view::npos);
}

}  // namespace
}  // namespace dxledger::domain
