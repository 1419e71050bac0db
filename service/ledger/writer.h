#ifndef DXLEDGER_SERVICE_LEDGER_WRITER_H_
#define DXLEDGER_SERVICE_LEDGER_WRITER_H_

#include <functional>
#include <string>
#include <vector>

#include "absl/functional/any_invocable.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "dxledger/v1/ledger.pb.h"
#include "service/domain/fiscal_years.h"
#include "service/ledger/pending_views.h"
#include "service/ledger/queries.h"
#include "service/ledger/write.h"
#include "storage/event_store.h"

// The one write pipeline. Every write (a goal command, a principal command,
// an import or a rollover) goes the same way: look its request id up and
// replay the original answer if it was seen; plan its commands; decide each
// against its stream's view; append the events, views, index entries and
// request record in one atomic batch; retry from the top when another write
// got in first; answer with the events positioned and hashed. Thread-safe.
namespace dxledger::ledger {

class Writer {
 public:
  using Clock = std::function<absl::Time()>;
  using WriteCallback = absl::AnyInvocable<void(absl::StatusOr<WriteOutcome>) &&>;
  using CommandCallback = absl::AnyInvocable<void(absl::StatusOr<CommandOutcome>) &&>;
  using PrincipalCallback = absl::AnyInvocable<void(absl::StatusOr<PrincipalOutcome>) &&>;

  // `store` and `queries` must outlive the writer.
  Writer(storage::EventStore& store, Queries& queries, Clock clock);

  // Decides and appends `request` and calls `done` once its events are
  // durable, possibly on the store's answer thread. Errors are those of the
  // domain's Decide functions (a planned write's name the goal), plus
  // INVALID_ARGUMENT when the request id was used for a different request,
  // and ABORTED when other writes kept getting in first. A write that
  // decides no event writes nothing; a validate_only one never writes.
  void Write(WriteRequest request, WriteCallback done);
  absl::StatusOr<WriteOutcome> WriteAndWait(WriteRequest request);

  // A goal command: a write of one, answered with the goal after it.
  void Execute(CommandRequest request, CommandCallback done);
  absl::StatusOr<CommandOutcome> ExecuteAndWait(CommandRequest request);

  // A principal command: a write of one, answered with the principal after it.
  void ExecutePrincipal(PrincipalCommand command, PrincipalCallback done);
  absl::StatusOr<PrincipalOutcome> ExecutePrincipalAndWait(PrincipalCommand command);

  // Rolls `from` over to the next year (see domain::PlanRollover) in one
  // write: the new goals, a decision for every open goal, the year closed
  // and the next opened (years.cc).
  void RollOver(const domain::FiscalYearName& from, domain::RolloverRequest rollover,
                std::string actor, std::string request_id, std::string reason, WriteCallback done);

  // Checked before each append and security record, after the write was
  // decided (bad input is refused as such first): a non-OK status refuses
  // it whole. Set before the first write.
  void SetWriteGate(std::function<absl::Status()> gate) { gate_ = std::move(gate); }

  // The security log: a refused call, kept apart from the event log, best
  // effort and unsynced, so a flood of refusals never slows writers.
  absl::Status RecordSecurityEvent(const v1::SecurityEvent& event);

 private:
  // A write decided against its streams' views: the append to submit and
  // the outcome it will answer (write_decision.cc).
  struct Decision {
    storage::AppendRequest append;
    WriteOutcome outcome;
  };
  void Attempt(WriteRequest request, int attempts_left, WriteCallback done);
  absl::StatusOr<Decision> Decide(const WriteRequest& request,
                                  const std::vector<StreamCommand>& commands,
                                  const std::vector<std::string>& keys, PendingViews::Claim& claim);
  // Appends a decided write; tries again from the top when another write
  // got in first.
  void Append(WriteRequest request, int attempts_left, Decision decision,
              std::vector<std::pair<std::string, uint64_t>> tickets, WriteCallback done);
  // The original answer to a request id seen before.
  absl::StatusOr<WriteOutcome> Replay(const WriteRequest& request,
                                      const storage::RequestRecord& record);

  storage::EventStore& store_;
  Queries& queries_;
  const Clock clock_;
  PendingViews pending_;
  std::function<absl::Status()> gate_;
};

}  // namespace dxledger::ledger

#endif  // DXLEDGER_SERVICE_LEDGER_WRITER_H_
