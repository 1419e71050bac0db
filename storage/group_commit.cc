#include "storage/group_commit.h"

#include <chrono>
#include <optional>

#include "base/thread_name.h"
#include "fmt/format.h"
#include "storage/log_tree.h"

namespace dxledger::storage {

GroupCommitWriter::GroupCommitWriter(KvBackend& kv, Head head, LogTree tree, bool sync)
    : kv_(kv), sync_(sync), state_(kv), tree_(std::move(tree)), head_(std::move(head)) {
  // Replies overlap the next batch's sync on a thread of their own. With no
  // sync to overlap, the writer answers itself: a hand-over between threads
  // (a futex wake and a context switch, dearer than the answer on a
  // virtual machine) for nothing.
  if (sync_) {
    answer_thread_ = std::thread([this] { RunAnswers(); });
    base::NameThread(answer_thread_, "dxl-answers");
  }
  thread_ = std::thread([this] { Run(); });
  base::NameThread(thread_, "dxl-writer");
}

void GroupCommitWriter::Close() {
  if (!thread_.joinable()) return;
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
    work_.Signal();
  }
  thread_.join();
  if (!answer_thread_.joinable()) return;
  // Only now: the writer's last batch may still have answers to hand over.
  {
    absl::MutexLock lock(&answers_mu_);
    answers_stopping_ = true;
    answers_ready_.Signal();
  }
  answer_thread_.join();
}

void GroupCommitWriter::Submit(AppendRequest request, EventStore::AppendCallback done) {
  absl::MutexLock lock(&mu_);
  // The writer waits only on an empty queue, so only the first append of a
  // batch needs to wake it.
  if (queue_.empty()) work_.Signal();
  queue_.push_back(Pending{std::move(request), std::move(done)});
  ++unanswered_;
}

Head GroupCommitWriter::head() const {
  absl::MutexLock lock(&mu_);
  return head_;
}

WriterStats GroupCommitWriter::stats() const {
  return WriterStats{batches_.load(std::memory_order_relaxed),
                     appends_.load(std::memory_order_relaxed)};
}

void GroupCommitWriter::Run() {
  std::vector<Pending> batch;
  for (;;) {
    {
      absl::MutexLock lock(&mu_);
      // A condition variable, not Mutex::Await: ThreadSanitizer can follow
      // it (tests/sanitizers/tsan_absl_mutex.cc).
      while (queue_.empty() && !(stopping_ && unanswered_ == 0)) work_.Wait(&mu_);
      if (queue_.empty()) return;  // stopping, and everything answered
      batch.swap(queue_);
    }
    CommitBatch(batch);
    batch.clear();
  }
}

void GroupCommitWriter::CommitBatch(std::vector<Pending>& batch) {
  Head head = this->head();
  std::vector<Put> puts;
  std::vector<std::optional<absl::StatusOr<AppendResult>>> results(batch.size());
  size_t planned = 0;
  bool written_ok = false;
  absl::Status tree_read;
  if (tree_stale_) {
    absl::StatusOr<LogTree> tree = OpenTree(kv_, head.position);
    tree_read = tree.status();
    if (tree.ok()) {
      tree_ = *std::move(tree);
      tree_stale_ = false;
    }
  }
  const int64_t now = std::chrono::duration_cast<std::chrono::microseconds>(
                          std::chrono::system_clock::now().time_since_epoch())
                          .count();
  // The system clock stepped back (NTP, a VM migration): record times stay
  // at the log's last until it passes it again.
  const int64_t clock_behind = head.record_micros - now;
  std::vector<Put> time_index;
  for (size_t i = 0; i < batch.size(); ++i) {
    if (!tree_read.ok()) {
      results[i] = tree_read;
      continue;
    }
    // Record times never go back in log order, so "the log as of time T" is
    // one floor lookup in the time index, and includes what was recorded at T.
    const int64_t record_micros = batch[i].request.record_micros != 0
                                      ? batch[i].request.record_micros
                                      : std::max(now, head.record_micros);
    if (record_micros < head.record_micros) {
      results[i] = absl::AbortedError(
          fmt::format("the record time {} is before the log's last, {}: decide again",
                      record_micros, head.record_micros));
      continue;
    }
    absl::StatusOr<AppendPlan> plan = PlanAppend(std::move(batch[i].request), head, state_, tree_);
    if (!plan.ok()) {
      results[i] = plan.status();
      continue;
    }
    std::move(plan->puts.begin(), plan->puts.end(), std::back_inserter(puts));
    results[i] = std::move(plan->result);
    head = std::move(plan->head_after);
    head.record_micros = record_micros;
    // Appends recorded at the same time: the later entry, written later, wins.
    time_index.push_back(CommitTimePut(record_micros, head.position));
    ++planned;
  }
  if (planned > 0) {
    puts.push_back(HeadPut(head));
    std::move(time_index.begin(), time_index.end(), std::back_inserter(puts));
    CommitStats stats{.appends = planned,
                      .synced = sync_,
                      .clock_behind_micros = std::max<int64_t>(0, clock_behind)};
    for (const Put& put : puts) {
      stats.bytes += put.key.size() + put.value.size();
      if (put.family == Family::kLog) ++stats.events;
    }
    const auto started = std::chrono::steady_clock::now();
    absl::Status written = kv_.Write(puts, sync_);
    stats.write_micros = std::chrono::duration_cast<std::chrono::microseconds>(
                             std::chrono::steady_clock::now() - started)
                             .count();
    stats.ok = written.ok();
    written_ok = written.ok();
    std::function<void(const CommitStats&)> listener;
    {
      absl::MutexLock lock(&mu_);
      if (written.ok()) head_ = head;
      listener = listener_;
    }
    if (!written.ok()) {
      tree_stale_ = true;  // it holds events that are not stored
      for (auto& result : results) {
        if (result->ok()) result = written;
      }
    }
    if (listener) listener(stats);
    batches_.fetch_add(1, std::memory_order_relaxed);
    appends_.fetch_add(planned, std::memory_order_relaxed);
  }
  // The pending versions and request keys are only valid within one batch:
  // after a failed write they are wrong, after a good one they are on disk.
  state_.EndBatch(/*stored=*/planned == 0 || written_ok);
  if (!answer_thread_.joinable()) {
    for (size_t i = 0; i < batch.size(); ++i) std::move(batch[i].done)(std::move(*results[i]));
    absl::MutexLock lock(&mu_);
    unanswered_ -= batch.size();
    return;
  }
  absl::MutexLock lock(&answers_mu_);
  if (answers_.empty()) answers_ready_.Signal();
  for (size_t i = 0; i < batch.size(); ++i) {
    answers_.push_back(Answer{std::move(batch[i].done), std::move(*results[i])});
  }
}

void GroupCommitWriter::RunAnswers() {
  std::vector<Answer> answers;
  for (;;) {
    {
      absl::MutexLock lock(&answers_mu_);
      while (answers_.empty() && !answers_stopping_) answers_ready_.Wait(&answers_mu_);
      if (answers_.empty()) return;  // and stopping
      answers.swap(answers_);
    }
    for (Answer& answer : answers) std::move(answer.done)(std::move(answer.result));
    const size_t answered = answers.size();
    answers.clear();
    absl::MutexLock lock(&mu_);
    unanswered_ -= answered;
    if (unanswered_ == 0) work_.Signal();  // a stopping writer may exit
  }
}

}  // namespace dxledger::storage
