#include "client/terminal_text.h"

#include <unistd.h>

#include <ext/stdio_sync_filebuf.h>
#include <iostream>

#include "fmt/format.h"

namespace dxledger::client {
namespace {

// Bytes in the UTF-8 sequence led by `lead` (1 for anything not a lead).
size_t SequenceLength(unsigned char lead) {
  if (lead >= 0xF0 && lead <= 0xF4) return 4;
  if (lead >= 0xE0) return lead <= 0xEF ? 3 : 1;
  if (lead >= 0xC2) return 2;
  return 1;
}

// The code point of a whole sequence, when it is one to escape.
int EscapedCodePoint(std::string_view s) {
  const auto b = [&](size_t i) { return static_cast<unsigned char>(s[i]); };
  if (s.size() == 1) {
    const unsigned char c = b(0);
    if ((c < 0x20 && c != '\n' && c != '\t') || c == 0x7F) return c;
    return -1;
  }
  if (s.size() == 2 && b(0) == 0xC2 && b(1) >= 0x80 && b(1) <= 0x9F) return b(1);  // C1
  if (s.size() == 3 && b(0) == 0xE2) {
    if (b(1) == 0x80 && b(2) >= 0xAA && b(2) <= 0xAE) return 0x2000 + (b(2) - 0x80);  // 202A-E
    if (b(1) == 0x81 && b(2) >= 0xA6 && b(2) <= 0xA9) return 0x2040 + (b(2) - 0x80);  // 2066-9
  }
  return -1;
}

void Emit(std::string_view sequence, std::string& out) {
  const int c = EscapedCodePoint(sequence);
  if (c < 0) {
    out.append(sequence);
  } else {
    out.append(fmt::format("\\u{:04x}", c));
  }
}

struct Cookie {
  FILE* raw;
  TerminalEscaper escaper;
  std::string buffer;
};

ssize_t CookieWrite(void* cookie, const char* data, size_t size) {
  auto* c = static_cast<Cookie*>(cookie);
  c->buffer.clear();
  c->escaper.Feed(std::string_view(data, size), c->buffer);
  if (!c->buffer.empty() && std::fwrite(c->buffer.data(), 1, c->buffer.size(), c->raw) == 0) {
    return -1;
  }
  std::fflush(c->raw);
  return static_cast<ssize_t>(size);
}

int CookieClose(void* cookie) {
  auto* c = static_cast<Cookie*>(cookie);
  c->buffer.clear();
  c->escaper.Flush(c->buffer);
  std::fwrite(c->buffer.data(), 1, c->buffer.size(), c->raw);
  std::fflush(c->raw);
  return 0;  // the cookie lives on: the process is ending
}

// The streams' cookies live as long as the process (a stream may be
// flushed at exit after every destructor ran); kept reachable from here.
Cookie* cookies[2] = {nullptr, nullptr};

FILE* Escaping(FILE* raw, int buffering, Cookie*& cookie) {
  static cookie_io_functions_t functions{nullptr, CookieWrite, nullptr, CookieClose};
  if (cookie == nullptr) cookie = new Cookie{raw, {}, {}};
  FILE* escaped = fopencookie(cookie, "w", functions);
  if (escaped == nullptr) return raw;
  std::setvbuf(escaped, nullptr, buffering, BUFSIZ);
  return escaped;
}

}  // namespace

void TerminalEscaper::Feed(std::string_view bytes, std::string& out) {
  for (char byte : bytes) {
    pending_.push_back(byte);
    const size_t want = SequenceLength(static_cast<unsigned char>(pending_[0]));
    // A continuation byte where a sequence should go on ends it early: the
    // bytes so far pass as they are.
    if (pending_.size() > 1 && (static_cast<unsigned char>(byte) & 0xC0) != 0x80) {
      out.append(pending_, 0, pending_.size() - 1);
      pending_.erase(0, pending_.size() - 1);
      if (SequenceLength(static_cast<unsigned char>(pending_[0])) > 1) continue;
    } else if (pending_.size() < want) {
      continue;
    }
    Emit(pending_, out);
    pending_.clear();
  }
}

void TerminalEscaper::Flush(std::string& out) {
  out.append(pending_);
  pending_.clear();
}

std::string EscapeForTerminal(std::string_view text) {
  TerminalEscaper escaper;
  std::string out;
  escaper.Feed(text, out);
  escaper.Flush(out);
  return out;
}

FILE* EscapeStandardStreams() {
  FILE* raw_out = stdout;
  stdout = Escaping(raw_out, _IOFBF, cookies[0]);
  stderr = Escaping(stderr, _IOLBF, cookies[1]);
  // Never destroyed: std::cout is flushed after every static destructor.
  static auto* out_buffer = new __gnu_cxx::stdio_sync_filebuf<char>(stdout);
  static auto* err_buffer = new __gnu_cxx::stdio_sync_filebuf<char>(stderr);
  std::cout.rdbuf(out_buffer);
  std::cerr.rdbuf(err_buffer);
  std::atexit([] {
    std::fflush(stdout);
    std::fflush(stderr);
  });
  return raw_out;
}

}  // namespace dxledger::client
