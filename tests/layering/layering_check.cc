// layering_check ROOT: reads the #include lines of every source file of
// the layers under ROOT and prints each one its layer may not make (see
// layers.h). Exit status 1 when there is any, 0 when there is none, 2 when
// ROOT cannot be read.
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

#include "tests/layering/layers.h"

int main(int argc, char** argv) {
  namespace fs = std::filesystem;
  if (argc != 2) {
    std::cerr << "usage: layering_check ROOT\n";
    return 2;
  }
  const fs::path root(argv[1]);
  std::vector<std::string> files;
  std::error_code error;
  for (const char* top : {"base", "proto", "service", "storage", "client"}) {
    if (!fs::exists(root / top)) continue;
    for (auto it = fs::recursive_directory_iterator(root / top, error);
         !error && it != fs::recursive_directory_iterator(); it.increment(error)) {
      const fs::path& path = it->path();
      if (it->is_regular_file() && (path.extension() == ".h" || path.extension() == ".cc")) {
        files.push_back(fs::relative(path, root).generic_string());
      }
    }
  }
  if (error) {
    std::cerr << "layering_check: cannot read " << root << ": " << error.message() << "\n";
    return 2;
  }
  std::sort(files.begin(), files.end());
  int violations = 0;
  for (const std::string& file : files) {
    std::ifstream in(root / file);
    std::stringstream content;
    content << in.rdbuf();
    for (const dxledger::layering::Violation& v :
         dxledger::layering::CheckFile(file, content.str())) {
      std::cout << v.ToString() << "\n";
      ++violations;
    }
  }
  if (violations != 0) {
    std::cout << violations << " include(s) cross the layers (tests/layering/layers.h)\n";
    return 1;
  }
  std::cout << files.size() << " files, no include crosses the layers\n";
  return 0;
}
