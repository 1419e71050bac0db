// The text rules every stored field goes through.
#include "service/domain/text.h"

#include <gtest/gtest.h>

namespace dxledger::domain {
namespace {

TEST(TextTest, ClipTextCutsOnACharacterBoundaryAndSaysHowLongItWas) {
  EXPECT_EQ(ClipText("短い", 100), "短い");
  // 総 is 3 bytes: a cut at 4 bytes keeps 1 character, never half of one.
  EXPECT_EQ(ClipText("総務部", 4), "総… (9 bytes)");
  EXPECT_EQ(ClipText("総務部", 2), "… (9 bytes)");
  EXPECT_EQ(ClipText("abcdef", 3), "abc… (6 bytes)");
}

TEST(TextTest, OneLineFieldsRefuseLineBreaksManyLineFieldsKeepThem) {
  EXPECT_TRUE(ValidateText("text", "一\n\t二", 100, true).ok());
  const absl::Status one = ValidateText("title", "一\n二", 100, true, Lines::kOne);
  EXPECT_EQ(one.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(one.message(),
            "title holds U+000A at character 2: a line break or tab, which this one-line field "
            "cannot hold; such characters are not allowed");
  // U+3000 and other white space are text; U+200F (a mark) does not reorder.
  EXPECT_TRUE(ValidateText("title", "全角\u3000空白\u200F", 100, true, Lines::kOne).ok());
}

}  // namespace
}  // namespace dxledger::domain
