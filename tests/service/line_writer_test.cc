#include "service/line_writer.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_split.h"
#include "nlohmann/json.hpp"

namespace dxledger::service::log {
namespace {

class LineWriterTest : public testing::Test {
 protected:
  std::vector<std::string> Written() { return Lines(file_.get()); }
  static std::vector<std::string> Lines(std::FILE* file) {
    std::fflush(file);
    std::rewind(file);
    std::string text;
    char chunk[4096];
    for (size_t n; (n = std::fread(chunk, 1, sizeof(chunk), file)) > 0;) text.append(chunk, n);
    std::fseek(file, 0, SEEK_END);
    return absl::StrSplit(text, '\n', absl::SkipEmpty());
  }

  std::unique_ptr<std::FILE, int (*)(std::FILE*)> file_{std::tmpfile(), &std::fclose};
};

TEST_F(LineWriterTest, NothingIsWrittenUntilDrainedThenEveryLineInOrder) {
  LineWriter writer(file_.get(), 1 << 20);
  writer.Append("one");
  writer.Append("two");
  EXPECT_TRUE(Written().empty());
  writer.Drain();
  EXPECT_EQ(Written(), (std::vector<std::string>{"one", "two"}));
  writer.Append("three");
  writer.Drain();
  EXPECT_EQ(Written(), (std::vector<std::string>{"one", "two", "three"}));
}

TEST_F(LineWriterTest, AFullBufferDropsNewLinesAndTheNextDrainCountsThem) {
  LineWriter writer(file_.get(), 20);  // room for two 9-byte lines
  for (int i = 0; i < 5; ++i) writer.Append("line " + std::to_string(i) + "..");
  writer.Drain();
  const std::vector<std::string> lines = Written();
  ASSERT_EQ(lines.size(), 3u);
  EXPECT_EQ(lines[0], "line 0..");
  EXPECT_EQ(lines[1], "line 1..");
  const nlohmann::json warning = nlohmann::json::parse(lines[2]);
  EXPECT_EQ(warning["level"], "warning");
  EXPECT_EQ(warning["lines"], 3);
  // Drained, the buffer takes lines again.
  writer.Append("after");
  writer.Drain();
  EXPECT_EQ(Written().back(), "after");
}

TEST_F(LineWriterTest, TheDrainingThreadWritesWithoutBeingAsked) {
  // Once draining, the writer and its file live as long as the process.
  std::FILE* out = std::tmpfile();
  auto* writer = new LineWriter(out, 1 << 20);
  writer->StartDraining(absl::Milliseconds(10));
  writer->Append("by itself");
  for (int i = 0; i < 500 && Lines(out).empty(); ++i) absl::SleepFor(absl::Milliseconds(10));
  EXPECT_EQ(Lines(out), std::vector<std::string>{"by itself"});
}

}  // namespace
}  // namespace dxledger::service::log
