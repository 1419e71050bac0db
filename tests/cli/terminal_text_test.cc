// What the CLI prints never acts on the terminal: control and bidirectional
// formatting characters are shown escaped, whatever the server sends.
#include "client/terminal_text.h"

#include <gtest/gtest.h>

#include "tests/service/test_server.h"

namespace dxledger {
namespace {

using client::EscapeForTerminal;
using client::TerminalEscaper;

TEST(TerminalTextTest, ControlAndBidiCharactersAreEscaped) {
  EXPECT_EQ(EscapeForTerminal("画面\x1b[2Jを消す"), "画面\\u001b[2Jを消す");
  EXPECT_EQ(EscapeForTerminal(std::string("総務部\0", 10)), "総務部\\u0000");
  EXPECT_EQ(EscapeForTerminal("txt.exe\u202Efdp.doc"), "txt.exe\\u202efdp.doc");
  EXPECT_EQ(EscapeForTerminal("\u2066隔離\u2069"), "\\u2066隔離\\u2069");
  EXPECT_EQ(EscapeForTerminal("C1\xc2\x85 DEL\x7f CR\r"), "C1\\u0085 DEL\\u007f CR\\u000d");
  // What a table or a multi-line text needs passes: line feeds, tabs, and
  // every other character (U+200F, a mark, does not override).
  EXPECT_EQ(EscapeForTerminal("一行目\n\t二行目 \u200F 🙂"),
            "一行目\n\t二行目 \u200F 🙂");
}

TEST(TerminalTextTest, ACharacterSplitBetweenWritesIsEscapedWhole) {
  const std::string text = "a\u202Eb画\xc2\x9b";
  for (size_t cut = 0; cut <= text.size(); ++cut) {
    TerminalEscaper escaper;
    std::string out;
    escaper.Feed(std::string_view(text).substr(0, cut), out);
    escaper.Feed(std::string_view(text).substr(cut), out);
    escaper.Flush(out);
    EXPECT_EQ(out, "a\\u202eb画\\u009b") << "cut at " << cut;
  }
  // Bytes that are no UTF-8 pass as they are; what follows is still read.
  EXPECT_EQ(EscapeForTerminal("\xe2\x80"
                              "x\x1b"),
            "\xe2\x80"
            "x\\u001b");
}

// The CLI end to end: the server's error quotes the name it was given, and
// the terminal sees the escape sequence escaped.
TEST(TerminalTextTest, TheCliEscapesWhatTheServerQuotes) {
  testsupport::TestServer server;
  server.Start();
  std::string out, err;
  EXPECT_NE(
      testsupport::RunCli(server, "history \"$(printf 'g\\033[2J\\342\\200\\256')\"", &out, &err),
      0);
  EXPECT_EQ(err.find('\x1b'), std::string::npos) << err;
  EXPECT_NE(err.find("name \"g\\u001b[2J\\u202e\" is not a valid id"), std::string::npos) << err;
}

}  // namespace
}  // namespace dxledger
