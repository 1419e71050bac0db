// The layering rules, and the check that CI runs over the tree: a wrong
// include fails it, naming the file, the line and the rule.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

#include "tests/layering/layers.h"

namespace dxledger::layering {
namespace {

// Runs the check over `root`; its exit status, and its output in `out`.
int RunCheck(const std::filesystem::path& root, std::string& out) {
  out.clear();
  FILE* pipe = ::popen((std::string(LAYERING_CHECK_PATH) + " " + root.string()).c_str(), "r");
  if (pipe == nullptr) return -1;
  char buffer[4096];
  for (size_t n; (n = std::fread(buffer, 1, sizeof buffer, pipe)) > 0;) out.append(buffer, n);
  const int status = ::pclose(pipe);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

struct Edge {
  std::string file;
  std::string include;
  std::string why;  // empty: allowed
};

TEST(LayersTest, EachLayerIncludesOnlyWhatItMay) {
  const Edge edges[] = {
      {"service/domain/goal.cc", "\"rocksdb/db.h\"",
       "the domain may not use RocksDB: only storage may"},
      {"service/domain/goal.cc", "<grpcpp/grpcpp.h>",
       "the domain may not use gRPC: only the service and the client may"},
      {"service/domain/fiscal_years.h", "\"dxledger/v1/ledger.pb.h\"",
       "the domain may not take the service's wire requests (ledger.pb.h)"},
      {"service/domain/goal.cc", "\"service/ledger/ledger.h\"",
       "the domain may not depend on a layer above it or beside it"},
      {"service/report/csv.cc", "\"storage/event_store.h\"",
       "report may not depend on a layer above it or beside it"},
      {"storage/keys.cc", "\"dxledger/v1/events.pb.h\"",
       "storage may not depend on a layer above it or beside it"},
      {"storage/kv.h", "\"service/domain/goal.h\"",
       "storage may not depend on a layer above it or beside it"},
      {"service/ledger/backup.cc", "\"rocksdb/utilities/checkpoint.h\"",
       "the ledger may not use RocksDB: only storage may"},
      {"service/ledger/writer.cc", "\"dxledger/v1/ledger.grpc.pb.h\"",
       "the ledger may not use gRPC: only the service and the client may"},
      {"client/cli/output.cc", "\"service/domain/limits.h\"",
       "the client may not depend on a layer above it or beside it"},
      {"client/cli/main.cc", "\"storage/stores.h\"",
       "the client may not depend on a layer above it or beside it"},
      {"base/sha256.cc", "\"storage/keys.h\"",
       "base may not depend on a layer above it or beside it"},
      {"proto/notation/rating.cc", "\"service/domain/limits.h\"",
       "proto may not depend on a layer above it or beside it"},
      // Allowed.
      {"service/domain/goal.cc", "\"dxledger/v1/events.pb.h\"", ""},
      {"service/domain/goal.cc", "\"proto/notation/rating.h\"", ""},
      {"service/domain/goal.cc", "<absl/status/status.h>", ""},
      {"service/report/csv.cc", "\"service/domain/names.h\"", ""},
      {"storage/rocksdb_kv.cc", "\"rocksdb/table.h\"", ""},
      {"storage/hash_chain.cc", "\"base/sha256.h\"", ""},
      {"service/ledger/writer.cc", "\"storage/event_store.h\"", ""},
      {"service/ledger/queries.h", "\"dxledger/v1/ledger.pb.h\"", ""},
      {"service/server.cc", "<grpcpp/server_builder.h>", ""},
      {"service/server.cc", "\"storage/stores.h\"", ""},
      {"client/cli/cli.h", "\"dxledger/v1/ledger.grpc.pb.h\"", ""},
      {"client/cli/cli.h", "\"proto/notation/event_text.h\"", ""},
      {"tests/ledger/ledger_test.cc", "\"rocksdb/db.h\"", ""},  // tests are outside the layers
  };
  for (const Edge& edge : edges) {
    std::vector<Violation> found =
        CheckFile(edge.file, "// a file\n#include <string>\n  #  include " + edge.include + "\n");
    if (edge.why.empty()) {
      EXPECT_TRUE(found.empty()) << edge.file << " " << edge.include << ": " << found[0].why;
      continue;
    }
    ASSERT_EQ(found.size(), 1u) << edge.file << " " << edge.include;
    EXPECT_EQ(found[0].ToString(), edge.file + ":3: #include " + edge.include + ": " + edge.why);
  }
}

// The check as CI runs it, over a tree with one deliberately wrong include:
// it fails and says where.
TEST(LayeringCheckTest, AWrongIncludeFailsTheCheck) {
  const std::filesystem::path root =
      std::filesystem::temp_directory_path() / ("layering-" + std::to_string(::getpid()));
  std::filesystem::create_directories(root / "service/domain");
  std::filesystem::create_directories(root / "storage");
  auto write = [&](const std::string& file, const std::string& text) {
    std::ofstream(root / file) << text;
  };
  write("storage/kv.h", "#include <string>\n#include \"base/sha256.h\"\n");
  write("service/domain/goal.cc", "#include \"service/domain/goal.h\"\n");
  std::string out;
  EXPECT_EQ(RunCheck(root, out), 0) << out;
  EXPECT_EQ(out, "2 files, no include crosses the layers\n");

  write("service/domain/goal.cc",
        "#include \"service/domain/goal.h\"\n\n#include \"rocksdb/db.h\"\n");
  EXPECT_EQ(RunCheck(root, out), 1);
  EXPECT_EQ(out,
            "service/domain/goal.cc:3: #include \"rocksdb/db.h\": the domain may not use RocksDB: "
            "only storage may\n1 include(s) cross the layers (tests/layering/layers.h)\n");
  std::filesystem::remove_all(root);
}

}  // namespace
}  // namespace dxledger::layering
