#ifndef DXLEDGER_CLIENT_TERMINAL_TEXT_H_
#define DXLEDGER_CLIENT_TERMINAL_TEXT_H_

#include <cstdio>
#include <string>
#include <string_view>

// Text from the server shown on a terminal never acts on it: control
// characters (C0 but line feed and tab, DEL, C1) and the bidirectional
// embeddings, overrides and isolates are shown escaped as \uXXXX (which
// keeps JSON output valid JSON), never written raw. An escape sequence in a
// stored title cannot clear the screen, a NUL cannot cut a line short, and
// U+202E cannot turn "txt.exe" around.
namespace dxledger::client {

// Escapes text as it streams by: a character split between two calls is
// held back until it is whole.
class TerminalEscaper {
 public:
  // Appends `bytes`, escaped, to `out`.
  void Feed(std::string_view bytes, std::string& out);
  // Appends what is held back (an incomplete character, as is).
  void Flush(std::string& out);

 private:
  std::string pending_;
};

std::string EscapeForTerminal(std::string_view text);

// Replaces stdout and stderr (and std::cout and std::cerr) with streams that
// escape what is written to them; returns the raw stdout, for bytes that
// must pass unchanged (an export written to stdout).
FILE* EscapeStandardStreams();

}  // namespace dxledger::client

#endif  // DXLEDGER_CLIENT_TERMINAL_TEXT_H_
