// The security log from outside: refusals are chained and sealed (at the
// latest when the server stops), `dxledger verify` reports them, and a
// server whose security log was wiped, head, seal record and all, refuses
// to start.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>

#include "client/ledger_client.h"
#include "fmt/format.h"
#include "storage/keys.h"
#include "tests/fixture.h"
#include "tests/service/stopped_server.h"
#include "tests/service/test_server.h"

namespace dxledger {
namespace {

using client::ClientOptions;
using client::LedgerClient;
using ::testing::HasSubstr;
using testsupport::OpenStore;
using testsupport::RefusedStart;
using testsupport::RunCli;
using testsupport::TestServer;

TEST(SecurityLogTest, AServerWhoseSecurityLogWasWipedRefusesToStart) {
  // No seal within the test's time: the one that counts is made on stopping.
  TestServer server({"--checkpoint-sign-seconds", "3600"});
  server.Start();
  LedgerClient intruder(ClientOptions{server.address(), "not-a-token"});
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(intruder.ListGoals(v1::ListGoalsRequest()).status().code(),
              absl::StatusCode::kUnauthenticated);
  }
  std::string out, err;
  ASSERT_EQ(RunCli(server, "verify", &out, &err), 0) << err;
  EXPECT_THAT(out, HasSubstr("security log intact: 3 records"));
  server.Stop();
  EXPECT_THAT(testsupport::ReadFile(server.data_dir() + "/security-seal"),
              HasSubstr("dxledger security log\ndxledger/050008\n3\n"));
  {
    // The thorough forger: every record, the chain's head and the seal kept
    // in the store.
    std::unique_ptr<storage::RocksDbKv> kv = OpenStore(server);
    std::vector<storage::Put> puts = {{storage::Family::kMeta, "s", "", true},
                                      {storage::Family::kMeta, "ss", "", true}};
    ASSERT_TRUE(
        kv->Scan(storage::Family::kSecurity, "", "", [&](std::string_view key, std::string_view) {
            puts.push_back({storage::Family::kSecurity, std::string(key), "", true});
            return true;
          }).ok());
    ASSERT_EQ(puts.size(), 5u);
    ASSERT_TRUE(kv->Write(puts, true).ok());
  }
  const std::string refusal = RefusedStart(server);
  EXPECT_THAT(refusal,
              HasSubstr(fmt::format("DATA_LOSS: the security log holds 0 records, but the seal in "
                                    "{}/security-seal that this log's key signed covers 3",
                                    server.data_dir())));
  EXPECT_THAT(refusal, HasSubstr("Restore the data directory from a backup"));
}

}  // namespace
}  // namespace dxledger
