// Writes valid inputs for the binary fuzzers (requests with their selector
// byte; stored log values with their events) into <dir>/request and
// <dir>/event_decode, so fuzzing starts from inputs that pass the decoders.
#include <filesystem>
#include <fstream>
#include <iostream>
#include <string>

#include "absl/time/time.h"
#include "dxledger/v1/ledger.pb.h"
#include "service/domain/commands.h"
#include "service/domain/goal.h"
#include "service/requests.h"
#include "storage/hash_chain.h"

namespace {

using dxledger::service::RequestScope;

void Save(const std::filesystem::path& file, const std::string& bytes) {
  std::ofstream(file, std::ios::binary) << bytes;
}

template <typename Request>
void SaveRequest(const std::filesystem::path& dir, char selector, const Request& request,
                 const std::string& name) {
  Save(dir / name, std::string(1, selector) + request.SerializeAsString());
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: fuzz_seeds DIR\n";
    return 2;
  }
  const std::filesystem::path requests = std::filesystem::path(argv[1]) / "request";
  const std::filesystem::path events = std::filesystem::path(argv[1]) / "event_decode";
  std::filesystem::create_directories(requests);
  std::filesystem::create_directories(events);

  dxledger::v1::CreateGoalRequest create;
  create.set_goal_id("g1");
  create.set_fiscal_year(2021);
  create.add_departments("総務部");
  create.add_departments("企画振興部");
  create.set_title("行政手続のオンライン化");
  create.set_request_id("r1");
  SaveRequest(requests, 0, create, "create");
  dxledger::v1::ReviseGoalRequest revise;
  revise.set_name("g1");
  revise.set_title("行政手続のオンライン化（改）");
  SaveRequest(requests, 1, revise, "revise");
  dxledger::v1::RecordActivityRequest activity;
  activity.set_name("g1");
  activity.set_text("・申請様式を見直した。");
  activity.add_tags(dxledger::v1::TAG_DX);
  SaveRequest(requests, 4, activity, "activity");
  dxledger::v1::SetRatingRequest rating;
  rating.set_name("organizations/050008/goals/g1");
  rating.set_rating(dxledger::v1::RATING_B);
  rating.set_rationale("計画どおり");
  rating.set_expected_version(1);
  SaveRequest(requests, 5, rating, "rating");
  dxledger::v1::AddIssueRequest issue;
  issue.set_name("g1");
  issue.set_text("予算の確保");
  SaveRequest(requests, 6, issue, "issue");

  // A goal's first events, stored as the log stores them.
  const dxledger::domain::CommandContext context{.actor = "seed",
                                                 .now = absl::FromUnixSeconds(1700000000),
                                                 .request_id = "r1",
                                                 .reason = "",
                                                 .year = nullptr};
  dxledger::v1::Goal goal;
  std::string prev_hash(32, '\0');
  int n = 0;
  auto record = [&](const auto& request) {
    auto command = dxledger::service::ToCommand(request, RequestScope{"seed", "050008"});
    if (!command.ok()) return;
    auto decided = dxledger::domain::Decide(n == 0 ? nullptr : &goal, command->command, context);
    if (!decided.ok()) return;
    for (dxledger::v1::Event& event : *decided) {
      dxledger::domain::Apply(event, goal);
      const std::string body = event.SerializeAsString();
      const std::string hash = dxledger::storage::EventHash(prev_hash, ++n, body);
      Save(events / ("event-" + std::to_string(n)),
           dxledger::storage::EncodeLogValue(prev_hash, hash, body));
      prev_hash = hash;
    }
  };
  record(create);
  record(activity);
  record(rating);
  record(issue);
  std::cout << "seeds in " << argv[1] << "\n";
  return 0;
}
