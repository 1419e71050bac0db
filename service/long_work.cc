#include "service/long_work.h"

#include "base/thread_name.h"

namespace dxledger::service {

LongWork::LongWork(int threads) {
  for (int i = 0; i < threads; ++i) {
    threads_.emplace_back([this] { Work(); });
    base::NameThread(threads_.back(), "dxl-long-work");
  }
}

LongWork::~LongWork() { Drain(); }

void LongWork::Submit(Task task) {
  {
    absl::MutexLock lock(&mu_);
    if (!draining_) {
      queue_.push_back(std::move(task));
      wake_.Signal();
      return;
    }
  }
  task(false);
}

void LongWork::Drain() {
  std::deque<Task> cancelled;
  {
    absl::MutexLock lock(&mu_);
    draining_ = true;
    cancelled.swap(queue_);
    wake_.SignalAll();
  }
  for (Task& task : cancelled) task(false);
  for (std::thread& thread : threads_) {
    if (thread.joinable()) thread.join();
  }
}

void LongWork::Work() {
  while (true) {
    Task task;
    {
      absl::MutexLock lock(&mu_);
      // A condition variable, not Mutex::Await: ThreadSanitizer can follow
      // it (tests/sanitizers/tsan_absl_mutex.cc).
      while (!draining_ && queue_.empty()) wake_.Wait(&mu_);
      if (queue_.empty()) return;  // draining, nothing left
      task = std::move(queue_.front());
      queue_.pop_front();
    }
    task(true);
  }
}

}  // namespace dxledger::service
