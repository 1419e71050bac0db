// Verifiable history from outside: Go's checksum-database verifier accepts
// our checkpoints and proofs and rejects a changed byte; the server refuses
// to start on a log that lost or rewrote checkpointed history or whose WAL
// is damaged; the client catches a fork or a rollback.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "absl/strings/escaping.h"
#include "base/checkpoint.h"
#include "base/note.h"
#include "client/ledger_client.h"
#include "fmt/format.h"
#include "nlohmann/json.hpp"
#include "storage/hash_chain.h"
#include "storage/keys.h"
#include "storage/rocksdb_kv.h"
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
using testsupport::RunCommand;
using testsupport::TestServer;

void WriteGoals(LedgerClient& client, int from, int count) {
  for (int i = from; i < from + count; ++i) {
    v1::CreateGoalRequest create;
    create.set_goal_id(fmt::format("g{}", i));
    create.set_fiscal_year(2025);
    create.add_departments("総務部");
    create.set_title(fmt::format("目標 {}", i));
    ASSERT_TRUE(client.CreateGoal(create).ok());
  }
}

v1::GetCheckpointResponse Checkpoint(LedgerClient& client) {
  v1::GetCheckpointRequest request;
  request.set_refresh(true);
  absl::StatusOr<v1::GetCheckpointResponse> response = client.GetCheckpoint(request);
  EXPECT_TRUE(response.ok()) << response.status();
  return response.ok() ? *response : v1::GetCheckpointResponse();
}

std::string Base64(const std::string& bytes) { return absl::Base64Escape(bytes); }

// Runs the Go verifier on `input`; returns its output.
int GoVerify(const nlohmann::json& input, std::string* out) {
  const std::string path =
      std::filesystem::temp_directory_path() / fmt::format("go-verify-{}.json", ::getpid());
  std::ofstream(path) << input.dump();
  return RunCommand(fmt::format("{} {}", GO_VERIFIER_PATH, path), out);
}

TEST(TransparencyTest, GosChecksumDatabaseVerifierAcceptsOurCheckpointsAndProofs) {
  ASSERT_STRNE(GO_VERIFIER_PATH, "") << "install golang-go and golang-golang-x-mod-dev "
                                        "(deploy/dev.sh test does)";
  TestServer server;
  server.Start();
  LedgerClient client(ClientOptions{server.address(), server.tester_token()});
  WriteGoals(client, 0, 5);
  const v1::GetCheckpointResponse old_checkpoint = Checkpoint(client);
  WriteGoals(client, 5, 8);
  const v1::GetCheckpointResponse checkpoint = Checkpoint(client);
  ASSERT_GT(checkpoint.tree_size(), old_checkpoint.tree_size());
  const std::string key = server.verifier_key();
  ASSERT_EQ(key, checkpoint.verifier_key());

  nlohmann::json input;
  input["verifierKey"] = key;
  input["checkpoint"] = checkpoint.signed_checkpoint();
  input["oldCheckpoint"] = old_checkpoint.signed_checkpoint();
  v1::GetConsistencyProofRequest consistency;
  consistency.set_from_tree_size(old_checkpoint.tree_size());
  consistency.set_to_tree_size(checkpoint.tree_size());
  absl::StatusOr<v1::GetConsistencyProofResponse> proof = client.GetConsistencyProof(consistency);
  ASSERT_TRUE(proof.ok()) << proof.status();
  input["consistency"] = nlohmann::json::array();
  for (const std::string& hash : proof->hashes()) input["consistency"].push_back(Base64(hash));
  input["inclusions"] = nlohmann::json::array();
  int withheld = 0;
  for (uint64_t position = 1; position <= checkpoint.tree_size(); ++position) {
    v1::GetInclusionProofRequest request;
    request.set_position(position);
    request.set_tree_size(checkpoint.tree_size());
    absl::StatusOr<v1::GetInclusionProofResponse> inclusion = client.GetInclusionProof(request);
    ASSERT_TRUE(inclusion.ok()) << inclusion.status();
    // The tester is no admin: a token event's leaf comes as its hash.
    nlohmann::json entry{{"position", position}};
    if (inclusion->proof().leaf().empty()) {
      ++withheld;
      entry["leafHash"] = Base64(inclusion->proof().leaf_hash());
    } else {
      entry["leaf"] = Base64(inclusion->proof().leaf());
    }
    entry["hashes"] = nlohmann::json::array();
    for (const std::string& hash : inclusion->proof().hashes())
      entry["hashes"].push_back(Base64(hash));
    input["inclusions"].push_back(entry);
  }
  EXPECT_EQ(withheld, 2);  // admin's and tester's tokens
  std::string out;
  ASSERT_EQ(GoVerify(input, &out), 0) << out;
  EXPECT_EQ(out, "OK\n");

  // One changed byte anywhere, and Go's verifier refuses.
  auto flip = [](std::string text, size_t at) {
    text[at] ^= 1;
    return text;
  };
  auto flip_b64 = [&](const nlohmann::json& value, size_t at) {
    std::string bytes;
    absl::Base64Unescape(value.get<std::string>(), &bytes);
    return Base64(flip(bytes, at));
  };
  nlohmann::json bad = input;
  bad["inclusions"][3]["leaf"] = flip_b64(input["inclusions"][3]["leaf"], 20);
  ASSERT_EQ(GoVerify(bad, &out), 1);
  EXPECT_THAT(out, HasSubstr("REJECTED: inclusion of position 4"));
  bad = input;
  bad["inclusions"][7]["hashes"][1] = flip_b64(input["inclusions"][7]["hashes"][1], 0);
  ASSERT_EQ(GoVerify(bad, &out), 1);
  EXPECT_THAT(out, HasSubstr("REJECTED: inclusion of position 8"));
  bad = input;
  bad["consistency"][0] = flip_b64(input["consistency"][0], 31);
  ASSERT_EQ(GoVerify(bad, &out), 1);
  EXPECT_THAT(out, HasSubstr("REJECTED: consistency"));
  bad = input;
  const std::string signed_note = checkpoint.signed_checkpoint();
  bad["checkpoint"] = flip(signed_note, signed_note.find('\n') + 1);  // the tree size
  ASSERT_EQ(GoVerify(bad, &out), 1);
  EXPECT_THAT(out, HasSubstr("REJECTED: checkpoint: signature"));
  server.Stop();
}

TEST(TransparencyTest, AServerWhoseLogLostCheckpointedEventsRefusesToStart) {
  TestServer server;
  server.Start();
  LedgerClient client(ClientOptions{server.address(), server.tester_token()});
  WriteGoals(client, 0, 4);
  const uint64_t size = Checkpoint(client).tree_size();
  server.Stop();
  {
    // Delete the last event and roll the head back, the chain intact.
    std::unique_ptr<storage::RocksDbKv> kv = OpenStore(server);
    absl::StatusOr<std::optional<std::string>> previous =
        kv->Get(storage::Family::kLog, storage::keys::BigEndian64(size - 1));
    ASSERT_TRUE(previous.ok() && previous->has_value());
    std::string head = storage::keys::BigEndian64(size - 1);
    head.append((*previous)->substr(32, 32));
    std::vector<storage::Put> puts = {
        {storage::Family::kLog, storage::keys::BigEndian64(size), "", true},
        {storage::Family::kMeta, std::string(storage::keys::kHeadKey), head}};
    ASSERT_TRUE(kv->Write(puts, true).ok());
  }
  const std::string err = RefusedStart(server);
  EXPECT_THAT(err, HasSubstr(fmt::format(
                       "DATA_LOSS: the log holds {} events, but the checkpoint in", size - 1)));
  EXPECT_THAT(err,
              HasSubstr(fmt::format("events {} to {} were acknowledged and are gone", size, size)));
}

TEST(TransparencyTest, AServerWhoseCheckpointedHistoryWasRewrittenRefusesToStart) {
  TestServer server;
  server.Start();
  LedgerClient client(ClientOptions{server.address(), server.tester_token()});
  WriteGoals(client, 0, 3);
  const uint64_t size = Checkpoint(client).tree_size();
  server.Stop();
  {
    // Rewrite the last event's text with its hash recomputed, and the whole
    // Merkle tree erased so that the server builds it again from the forged log.
    std::unique_ptr<storage::RocksDbKv> kv = OpenStore(server);
    const std::string key = storage::keys::BigEndian64(size);
    std::string value = **kv->Get(storage::Family::kLog, key);
    const std::string prev = value.substr(0, 32);
    std::string body = value.substr(64);
    const size_t at = body.find("目標");
    ASSERT_NE(at, std::string::npos);
    body.replace(at, 6, "偽造");
    const std::string hash = storage::EventHash(prev, size, body);
    std::vector<storage::Put> puts = {
        {storage::Family::kLog, key, storage::EncodeLogValue(prev, hash, body)},
        {storage::Family::kMeta, std::string(storage::keys::kHeadKey),
         storage::keys::BigEndian64(size) + hash}};
    ASSERT_TRUE(kv->Scan(storage::Family::kTree, "", "", [&](std::string_view k, std::string_view) {
                    puts.push_back({storage::Family::kTree, std::string(k), "", true});
                    return true;
                  }).ok());
    ASSERT_TRUE(kv->Write(puts, true).ok());
  }
  EXPECT_THAT(RefusedStart(server),
              HasSubstr(fmt::format("DATA_LOSS: the log's first {} events no longer have the root "
                                    "that the checkpoint in",
                                    size)));
}

TEST(TransparencyTest, ADamagedRecordInTheMiddleOfTheWalRefusesTheStart) {
  TestServer server;
  server.Start();
  LedgerClient client(ClientOptions{server.address(), server.tester_token()});
  WriteGoals(client, 0, 40);
  server.Kill();  // the events stay in the write-ahead log only
  std::string wal;
  for (const auto& entry : std::filesystem::directory_iterator(server.data_dir() + "/db")) {
    if (entry.path().extension() == ".log" && entry.file_size() > 8192) wal = entry.path();
  }
  ASSERT_FALSE(wal.empty());
  {
    std::fstream file(wal, std::ios::in | std::ios::out | std::ios::binary);
    const auto middle = static_cast<std::streamoff>(std::filesystem::file_size(wal) / 2);
    file.seekg(middle);
    char byte = 0;
    file.read(&byte, 1);
    byte ^= 0x20;
    file.seekp(middle);
    file.write(&byte, 1);
  }
  const std::string err = RefusedStart(server);
  EXPECT_THAT(err, HasSubstr("DATA_LOSS: the store in"));
  EXPECT_THAT(err, HasSubstr("is damaged and was not opened"));
}

// What an operator with the data directory could do to hide history from
// the server's own check: cut the log back to `size` events and remove every
// checkpoint the server signed, so that it starts and signs afresh.
void RollBackAndForgetCheckpoints(const TestServer& server, uint64_t size) {
  std::unique_ptr<storage::RocksDbKv> kv = OpenStore(server);
  std::vector<storage::Put> puts;
  ASSERT_TRUE(kv->Scan(storage::Family::kLog, "", storage::keys::BigEndian64(size + 1),
                       [&](std::string_view k, std::string_view) {
                         puts.push_back({storage::Family::kLog, std::string(k), "", true});
                         return true;
                       })
                  .ok());
  ASSERT_TRUE(kv->Scan(storage::Family::kMeta, storage::keys::kCheckpointPrefix, "",
                       [&](std::string_view k, std::string_view) {
                         puts.push_back({storage::Family::kMeta, std::string(k), "", true});
                         return true;
                       })
                  .ok());
  std::string last = **kv->Get(storage::Family::kLog, storage::keys::BigEndian64(size));
  puts.push_back({storage::Family::kMeta, std::string(storage::keys::kHeadKey),
                  storage::keys::BigEndian64(size) + last.substr(32, 32)});
  ASSERT_TRUE(kv->Write(puts, true).ok());
  std::filesystem::remove(server.data_dir() + "/checkpoint");
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

TEST(TransparencyTest, TheClientCatchesARollbackTheServerCannotSee) {
  TestServer server;
  server.Start();
  LedgerClient client(ClientOptions{server.address(), server.tester_token()});
  WriteGoals(client, 0, 3);
  const std::string key = server.verifier_key();
  const std::string state = server.data_dir() + "-client-state";
  const std::string verify =
      fmt::format("verify --remote --refresh --log-key {} --state-file {}", key, state);
  std::string out, err;
  ASSERT_EQ(RunCli(server, verify, &out, &err), 0) << err;
  EXPECT_THAT(out, HasSubstr("first checkpoint this client has seen"));
  WriteGoals(client, 3, 2);
  ASSERT_EQ(RunCli(server, verify, &out, &err), 0) << err;
  EXPECT_THAT(out, HasSubstr("consistent with the checkpoint of"));
  const std::string seen = ReadFile(state);
  const uint64_t size = Checkpoint(client).tree_size();
  server.Stop();

  RollBackAndForgetCheckpoints(server, size - 2);
  server.Start();  // nothing left on the server to notice
  ASSERT_NE(RunCli(server, verify, &out, &err), 0);
  EXPECT_THAT(
      err, HasSubstr(fmt::format("DATA_LOSS: the log rolled back: it presents size {}", size - 2)));
  EXPECT_THAT(err, HasSubstr(fmt::format("but this client verified size {}", size)));
  EXPECT_EQ(ReadFile(state), seen);  // the evidence stays

  // The same length again, with other events: a fork.
  LedgerClient again(ClientOptions{server.address(), server.tester_token()});
  WriteGoals(again, 100, 2);
  ASSERT_NE(RunCli(server, verify, &out, &err), 0);
  EXPECT_THAT(err, HasSubstr("DATA_LOSS: the log forked"));
  EXPECT_EQ(ReadFile(state), seen);
  // A client pinning another key refuses the log outright.
  ASSERT_NE(
      RunCli(server,
             fmt::format("verify --remote --log-key {} --state-file {}-other",
                         "other+5f7a0b4c+AX+BBIUmlepkZyHFwbVhvtokpkjp4lDhWeBhXrKG27Ce", state),
             &out, &err),
      0);
  EXPECT_THAT(err, HasSubstr("--log-key"));
  server.Stop();
}

TEST(TransparencyTest, AWitnessCosignatureIsKeptAndServedWithTheCheckpoint) {
  TestServer server;
  const std::string auditor_token = server.AddPrincipal("witness-bot", {"auditor"});
  server.Start();
  LedgerClient writer(ClientOptions{server.address(), server.tester_token()});
  LedgerClient auditor(ClientOptions{server.address(), auditor_token});
  WriteGoals(writer, 0, 2);
  const v1::GetCheckpointResponse checkpoint = Checkpoint(writer);
  note::Note signed_note = *note::ParseNote(checkpoint.signed_checkpoint());
  const note::Signer witness = *note::Signer::Generate("witness.example");
  note::Note cosigned = signed_note;
  cosigned.signatures.push_back(tlog::Cosign(witness, signed_note.text, 1790000000));
  v1::AddCosignatureRequest request;
  request.set_witness_key(note::CosignerKey(witness));
  request.set_cosigned_checkpoint(note::FormatNote(cosigned));

  // Only an admin or auditor may add one; nothing is kept otherwise.
  EXPECT_EQ(writer.AddCosignature(request).status().code(), absl::StatusCode::kPermissionDenied);
  ASSERT_TRUE(auditor.AddCosignature(request).ok());
  absl::StatusOr<v1::GetCheckpointResponse> served = auditor.GetCheckpoint({});
  ASSERT_TRUE(served.ok()) << served.status();
  note::Note with_cosignature = *note::ParseNote(served->signed_checkpoint());
  EXPECT_EQ(with_cosignature.signatures.size(), 2u);
  absl::StatusOr<uint64_t> time = tlog::VerifyCosignature(
      with_cosignature, *note::Verifier::FromCosignerKey(note::CosignerKey(witness)));
  ASSERT_TRUE(time.ok()) << time.status();
  EXPECT_EQ(*time, 1790000000u);

  // Bad input is refused with what is wrong, and changes nothing served.
  v1::AddCosignatureRequest bad = request;
  bad.set_witness_key(witness.VerifierKey());  // the log key form, not a cosigner's
  absl::Status status = auditor.AddCosignature(bad).status();
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(status.message(), HasSubstr("not a cosigner's"));
  bad = request;
  std::string altered = request.cosigned_checkpoint();
  altered[altered.find('\n') + 1] ^= 1;  // the tree size, under the witness's signature
  bad.set_cosigned_checkpoint(altered);
  status = auditor.AddCosignature(bad).status();
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(status.message(), HasSubstr("does not verify"));
  note::Note unknown = signed_note;
  unknown.text = tlog::FormatCheckpoint({"dxledger/050008", 999, std::string(32, 'x'), {}});
  unknown.signatures = {tlog::Cosign(witness, unknown.text, 1790000000)};
  bad = request;
  bad.set_cosigned_checkpoint(note::FormatNote(unknown));
  status = auditor.AddCosignature(bad).status();
  EXPECT_EQ(status.code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(status.message(), HasSubstr("signed no checkpoint of size 999"));
  EXPECT_EQ(auditor.GetCheckpoint({})->signed_checkpoint(), served->signed_checkpoint());
  server.Stop();
}

// Runs `dxledger witness --once` as an auditor-like principal (the admin).
int WitnessOnce(const TestServer& server, const std::string& log_key, const std::string& dir,
                std::string* out, std::string* err) {
  return RunCommand(
      fmt::format("{} --server {} --token-file {}/admin.token witness --once "
                  "--log-key {} --key {}/witness.key --name witness.example --log "
                  "{}/witness.log",
                  DXLEDGER_PATH, server.address(), server.data_dir(), log_key, dir, dir),
      out, err);
}

TEST(TransparencyTest, AWitnessCosignsWhatExtendsWhatItSawAndRaisesTheAlarmOnARollback) {
  TestServer server;
  server.Start();
  LedgerClient client(ClientOptions{server.address(), server.tester_token()});
  WriteGoals(client, 0, 3);
  Checkpoint(client);
  const std::string key = server.verifier_key();
  const std::string dir = server.data_dir() + "-witness";
  std::filesystem::create_directories(dir);
  std::string out, err;
  ASSERT_EQ(WitnessOnce(server, key, dir, &out, &err), 0) << err;
  EXPECT_THAT(out, HasSubstr("cosigned: "));
  const size_t at = out.find("witness cosigner key: ");
  ASSERT_NE(at, std::string::npos);
  const std::string cosigner = out.substr(at + 22, out.find('\n', at) - at - 22);

  // A client that requires the witness's cosignature accepts the log; one
  // that requires an unknown witness's does not.
  const std::string verify = fmt::format(
      "verify --remote --log-key {} --state-file {}/client-state --cosignatures 1", key, dir);
  ASSERT_EQ(RunCli(server, verify + " --witness " + cosigner, &out, &err), 0) << err;
  const note::Signer stranger = *note::Signer::Generate("stranger.example");
  ASSERT_NE(RunCli(server, verify + " --witness " + note::CosignerKey(stranger), &out, &err), 0);
  EXPECT_THAT(err, HasSubstr("carries 0 of the 1 witness cosignatures required"));

  WriteGoals(client, 3, 2);
  const uint64_t size = Checkpoint(client).tree_size();
  ASSERT_EQ(WitnessOnce(server, key, dir, &out, &err), 0) << err;
  EXPECT_THAT(out, HasSubstr(fmt::format("cosigned: {} events", size)));
  const std::string seen = ReadFile(dir + "/witness.log");
  // Two checkpoints accepted and kept, each as the log signed it (one
  // signature line, whose em dash ends in byte 0x94).
  EXPECT_EQ(std::count(seen.begin(), seen.end(), '\x94'), 2);
  EXPECT_THAT(seen, HasSubstr(fmt::format("\n{}\n", size)));
  server.Stop();

  RollBackAndForgetCheckpoints(server, size - 2);
  server.Start();
  LedgerClient again(ClientOptions{server.address(), server.tester_token()});
  Checkpoint(again);
  ASSERT_NE(WitnessOnce(server, key, dir, &out, &err), 0);
  EXPECT_THAT(
      err, HasSubstr(fmt::format("DATA_LOSS: the log rolled back: it presents size {}", size - 2)));
  EXPECT_THAT(err, HasSubstr(fmt::format("this witness verified size {}", size)));
  EXPECT_EQ(ReadFile(dir + "/witness.log"), seen);  // everything it saw, kept
  // It did not cosign, so a client requiring it refuses the rolled-back log.
  ASSERT_NE(RunCli(server, verify + " --witness " + cosigner, &out, &err), 0);
  server.Stop();
}

TEST(TransparencyTest, VerifiedReadsCatchAnEventTheServerAltered) {
  TestServer server;
  server.Start();
  LedgerClient client(ClientOptions{server.address(), server.tester_token()});
  WriteGoals(client, 0, 3);
  const std::string trust =
      fmt::format("--log-key {} --state-file {}-state", server.verifier_key(), server.data_dir());
  std::string out, err;
  ASSERT_EQ(RunCli(server, "history g0 --verified " + trust, &out, &err), 0) << err;
  EXPECT_THAT(out, HasSubstr("目標 0"));
  EXPECT_THAT(err, HasSubstr("verified: 1 events are in the log's checkpoint of"));
  ASSERT_EQ(RunCli(server, "log --verified " + trust, &out, &err), 0) << err;
  EXPECT_THAT(out, HasSubstr("目標 2"));
  server.Stop();
  uint64_t position = 0;
  {
    // Rewrite the copy of g0's first event that history reads (the stream
    // index), its own hash recomputed; the log and its tree stay as signed.
    std::unique_ptr<storage::RocksDbKv> kv = OpenStore(server);
    const std::string key = storage::keys::StreamKey("050008/g0", 1);
    std::string entry = **kv->Get(storage::Family::kStreams, key);
    ASSERT_TRUE(storage::keys::ReadBigEndian64(entry, position));
    const std::string prev = entry.substr(8, 32);
    std::string body = entry.substr(8 + 64);
    const size_t at = body.find("目標");
    ASSERT_NE(at, std::string::npos);
    body.replace(at, 6, "偽造");
    entry = storage::keys::BigEndian64(position) +
            storage::EncodeLogValue(prev, storage::EventHash(prev, position, body), body);
    storage::Put put{storage::Family::kStreams, key, entry};
    ASSERT_TRUE(kv->Write({&put, 1}, true).ok());
  }
  server.Start();
  ASSERT_EQ(RunCli(server, "history g0", &out, &err), 0) << err;
  EXPECT_THAT(out, HasSubstr("偽造"));  // what a trusting reader is shown
  ASSERT_NE(RunCli(server, "history g0 --verified " + trust, &out, &err), 0);
  EXPECT_THAT(err, HasSubstr(fmt::format("DATA_LOSS: event {} as served differs from the event the "
                                         "verified log holds",
                                         position)));
  EXPECT_THAT(out, ::testing::Not(HasSubstr("偽造")));
  server.Stop();
}

TEST(TransparencyTest, AVerifiedAuditCatchesARatingChangeTheServerAltered) {
  TestServer server;
  server.Start();
  LedgerClient client(ClientOptions{server.address(), server.tester_token()});
  WriteGoals(client, 0, 1);
  v1::SetRatingRequest rate;
  rate.set_name("organizations/050008/goals/g0");
  rate.set_rating(v1::RATING_C);
  rate.set_rationale("遅れ");
  ASSERT_TRUE(client.SetRating(rate).ok());
  const std::string trust =
      fmt::format("--log-key {} --state-file {}-state", server.verifier_key(), server.data_dir());
  std::string out, err;
  ASSERT_EQ(RunCli(server, "audit ratings --verified " + trust, &out, &err), 0) << err;
  EXPECT_THAT(out, HasSubstr("tester"));
  EXPECT_THAT(err, HasSubstr("verified: 1 rating changes are in the log's checkpoint of"));
  server.Stop();
  uint64_t position = 0;
  {
    // Someone with the files makes the audit say the rating was B, and
    // that another principal set it: the event and the tree stay as signed.
    std::unique_ptr<storage::RocksDbKv> kv = OpenStore(server);
    std::string key, value;
    ASSERT_TRUE(
        kv->Scan(storage::Family::kIndex, "", "", [&](std::string_view k, std::string_view v) {
            if (v.find("遅れ") == std::string_view::npos) return true;
            key = std::string(k);
            value = std::string(v);
            return false;
          }).ok());
    v1::RatingChange change;
    ASSERT_TRUE(change.ParseFromString(value)) << "no rating change in the index";
    ASSERT_TRUE(storage::keys::ReadBigEndian64(key.substr(key.size() - 8), position));
    change.set_rating(v1::RATING_B);
    change.set_actor("someone-else");
    storage::Put put{storage::Family::kIndex, key, change.SerializeAsString()};
    ASSERT_TRUE(kv->Write({&put, 1}, true).ok());
  }
  server.Start();
  ASSERT_EQ(RunCli(server, "audit ratings", &out, &err), 0) << err;
  EXPECT_THAT(out, HasSubstr("someone-else"));  // what a trusting reader is shown
  ASSERT_NE(RunCli(server, "audit ratings --verified " + trust, &out, &err), 0);
  EXPECT_THAT(err, HasSubstr(fmt::format("DATA_LOSS: the rating change at position {} as served "
                                         "differs from the event the verified log holds there",
                                         position)));
  EXPECT_THAT(out, ::testing::Not(HasSubstr("someone-else")));
  server.Stop();
}

TEST(TransparencyTest, AVerifiedTailChecksEveryEventAgainstTheCheckpointsItReceives) {
  TestServer server;
  server.Start();
  LedgerClient client(ClientOptions{server.address(), server.tester_token()});
  WriteGoals(client, 0, 5);
  const std::string state = server.data_dir() + "-tail-state";
  const std::string trust =
      fmt::format("--log-key {} --state-file {}", server.verifier_key(), state);
  std::string out, err;
  ASSERT_EQ(RunCli(server, "tail --verified " + trust, &out, &err), 0) << err;
  EXPECT_THAT(out, HasSubstr("organizations/050008/goals/g4"));
  EXPECT_THAT(err, HasSubstr("verified: "));
  EXPECT_THAT(err, HasSubstr("events are in the log's checkpoints (dxledger/050008)"));
  // The checkpoint the stream carried was kept: a later verify extends it.
  EXPECT_THAT(testsupport::ReadFile(state), HasSubstr("dxledger/050008\n"));

  // Pinned to a key the log does not sign with: refused, nothing printed.
  absl::StatusOr<note::Signer> stranger = note::Signer::Generate("dxledger/050008");
  ASSERT_TRUE(stranger.ok());
  ASSERT_NE(RunCli(server,
                   fmt::format("tail --verified --log-key {} --state-file {}-other",
                               stranger->VerifierKey(), state),
                   &out, &err),
            0);
  EXPECT_THAT(err, HasSubstr("DATA_LOSS: the checkpoint is not signed by the pinned key"));
  EXPECT_THAT(out, ::testing::Not(HasSubstr("goals/g0")));
  server.Stop();
  std::filesystem::remove(state);
}

}  // namespace
}  // namespace dxledger
