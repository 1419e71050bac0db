#include "service/readiness.h"

#include <chrono>

#include "base/thread_name.h"
#include "service/log.h"

namespace dxledger::service {
namespace {

constexpr absl::Duration kLookEvery = absl::Milliseconds(250);
// A resume after a full disk flushes the memtables: not more often than this.
constexpr int64_t kResumeEveryNanos = 2'000'000'000;

int64_t SteadyNanos() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

}  // namespace

absl::Status Readiness::Check() {
  // The store first: its failure is the one that needs the operator most.
  if (absl::Status s = store_.WriteHealth(); !s.ok()) return s;
  if (absl::Status s = disk_.CheckReserve(); !s.ok()) return s;
  return notary_.SigningHealth();
}

void Readiness::Start() {
  thread_ = std::thread([this] { Run(); });
  base::NameThread(thread_, "dxl-readiness");
}

void Readiness::Stop() {
  if (!thread_.joinable()) return;
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
    wake_.Signal();
  }
  thread_.join();
}

void Readiness::Run() {
  for (;;) {
    {
      absl::MutexLock lock(&mu_);
      wake_.WaitWithTimeout(&mu_, kLookEvery);
      if (stopping_) return;
    }
    Look();
  }
}

void Readiness::Look() {
  absl::Status stopped = store_.WriteHealth();
  const int64_t now = SteadyNanos();
  if (!stopped.ok() && disk_.CheckReserve().ok() &&
      (resume_tried_at_ == 0 || now - resume_tried_at_ >= kResumeEveryNanos)) {
    resume_tried_at_ = now;
    const absl::Status resumed = store_.ResumeWrites();
    // A failed attempt is logged when its reason changes, not every 2 s.
    const std::string failed =
        resumed.ok() || resumed.code() == absl::StatusCode::kFailedPrecondition
            ? ""
            : std::string(resumed.message());
    if (resumed.ok()) {
      log::Info("the store takes writes again: space on the disk is back", {});
    } else if (!failed.empty() && failed != resume_failure_) {
      log::Warning("the store could not resume writing yet", {{"error", failed}});
    }
    resume_failure_ = failed;
  }
  const absl::Status state = Check();
  const std::string reason = state.ok() ? "" : std::string(state.message());
  if (reason != reported_) {
    if (state.ok()) {
      log::Info("writes can succeed again; health answers SERVING", {});
    } else {
      log::Error("writes cannot succeed; health answers NOT_SERVING", {{"reason", reason}});
    }
    reported_ = reason;
  }
  health_.Refresh();
}

}  // namespace dxledger::service
