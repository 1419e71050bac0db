#ifndef DXLEDGER_TESTS_FIXTURE_H_
#define DXLEDGER_TESTS_FIXTURE_H_

#include <fstream>
#include <sstream>
#include <string>

namespace dxledger::testsupport {

// The whole file, or "" when it cannot be read.
inline std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream content;
  content << in.rdbuf();
  return content.str();
}

}  // namespace dxledger::testsupport

#endif  // DXLEDGER_TESTS_FIXTURE_H_
