#include "tests/service/stopped_server.h"

#include <gtest/gtest.h>

#include "fmt/format.h"

namespace dxledger::testsupport {

std::unique_ptr<storage::RocksDbKv> OpenStore(const TestServer& server) {
  absl::StatusOr<std::unique_ptr<storage::RocksDbKv>> kv =
      storage::RocksDbKv::Open(server.data_dir() + "/db", {});
  EXPECT_TRUE(kv.ok()) << kv.status();
  return kv.ok() ? *std::move(kv) : nullptr;
}

std::string RefusedStart(const TestServer& server) {
  std::string out, err;
  const int code =
      RunCommand(fmt::format("timeout 30 {} --data-dir {} --listen 127.0.0.1:0 --metrics-listen ''",
                             DXLEDGERD_PATH, server.data_dir()),
                 &out, &err);
  EXPECT_EQ(code, 1) << out << err;
  return err;
}

}  // namespace dxledger::testsupport
