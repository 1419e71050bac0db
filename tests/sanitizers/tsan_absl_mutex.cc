// ThreadSanitizer cannot see Debian's absl::Mutex (libabsl is not built with
// -fsanitize=thread), so every mutex-protected access looks like a race.
// Linked first into every TSan-built binary (CMakeLists.txt), this library
// interposes absl::Mutex and CondVar, for our code and for gRPC's alike: it
// calls the real function and tells TSan that a lock was acquired (after it
// is taken) or released (before it is given up). Mutex::Await evaluates its
// condition inside absl, where this cannot reach, so our code waits on
// CondVars instead.
#include <dlfcn.h>

#include "absl/synchronization/mutex.h"

extern "C" {
void __tsan_acquire(void* addr);
void __tsan_release(void* addr);
}

namespace {

template <typename Function>
Function Real(const char* symbol) {
  void* found = dlsym(RTLD_NEXT, symbol);
  if (found == nullptr) __builtin_trap();
  return reinterpret_cast<Function>(found);
}

using Plain = void (*)(absl::Mutex*);
using Try = bool (*)(absl::Mutex*);
using WithCondition = void (*)(absl::Mutex*, const absl::Condition&);
using TimedCondition = bool (*)(absl::Mutex*, const absl::Condition&, absl::Duration);
using DeadlineCondition = bool (*)(absl::Mutex*, const absl::Condition&, absl::Time);

}  // namespace

namespace absl {
ABSL_NAMESPACE_BEGIN

void Mutex::Lock() {
  static const Plain real = Real<Plain>("_ZN4absl7debian35Mutex4LockEv");
  real(this);
  __tsan_acquire(this);
}
void Mutex::ReaderLock() {
  static const Plain real = Real<Plain>("_ZN4absl7debian35Mutex10ReaderLockEv");
  real(this);
  __tsan_acquire(this);
}
bool Mutex::TryLock() {
  static const Try real = Real<Try>("_ZN4absl7debian35Mutex7TryLockEv");
  const bool locked = real(this);
  if (locked) __tsan_acquire(this);
  return locked;
}
bool Mutex::ReaderTryLock() {
  static const Try real = Real<Try>("_ZN4absl7debian35Mutex13ReaderTryLockEv");
  const bool locked = real(this);
  if (locked) __tsan_acquire(this);
  return locked;
}
void Mutex::Unlock() {
  static const Plain real = Real<Plain>("_ZN4absl7debian35Mutex6UnlockEv");
  __tsan_release(this);
  real(this);
}
void Mutex::ReaderUnlock() {
  static const Plain real = Real<Plain>("_ZN4absl7debian35Mutex12ReaderUnlockEv");
  __tsan_release(this);
  real(this);
}
void Mutex::LockWhen(const Condition& condition) {
  static const WithCondition real =
      Real<WithCondition>("_ZN4absl7debian35Mutex8LockWhenERKNS0_9ConditionE");
  real(this, condition);
  __tsan_acquire(this);
}
void Mutex::Await(const Condition& condition) {
  static const WithCondition real =
      Real<WithCondition>("_ZN4absl7debian35Mutex5AwaitERKNS0_9ConditionE");
  __tsan_release(this);
  real(this, condition);
  __tsan_acquire(this);
}
bool Mutex::AwaitWithTimeout(const Condition& condition, Duration timeout) {
  static const TimedCondition real = Real<TimedCondition>(
      "_ZN4absl7debian35Mutex16AwaitWithTimeoutERKNS0_9ConditionENS0_8DurationE");
  __tsan_release(this);
  const bool met = real(this, condition, timeout);
  __tsan_acquire(this);
  return met;
}
bool Mutex::AwaitWithDeadline(const Condition& condition, Time deadline) {
  static const DeadlineCondition real = Real<DeadlineCondition>(
      "_ZN4absl7debian35Mutex17AwaitWithDeadlineERKNS0_9ConditionENS0_4TimeE");
  __tsan_release(this);
  const bool met = real(this, condition, deadline);
  __tsan_acquire(this);
  return met;
}
bool Mutex::LockWhenWithTimeout(const Condition& condition, Duration timeout) {
  static const TimedCondition real = Real<TimedCondition>(
      "_ZN4absl7debian35Mutex19LockWhenWithTimeoutERKNS0_9ConditionENS0_8DurationE");
  const bool met = real(this, condition, timeout);
  __tsan_acquire(this);
  return met;
}
bool Mutex::LockWhenWithDeadline(const Condition& condition, Time deadline) {
  static const DeadlineCondition real = Real<DeadlineCondition>(
      "_ZN4absl7debian35Mutex20LockWhenWithDeadlineERKNS0_9ConditionENS0_4TimeE");
  const bool met = real(this, condition, deadline);
  __tsan_acquire(this);
  return met;
}

void CondVar::Wait(Mutex* mu) {
  using Function = void (*)(CondVar*, Mutex*);
  static const Function real = Real<Function>("_ZN4absl7debian37CondVar4WaitEPNS0_5MutexE");
  __tsan_release(mu);
  real(this, mu);
  __tsan_acquire(mu);
}
bool CondVar::WaitWithTimeout(Mutex* mu, Duration timeout) {
  using Function = bool (*)(CondVar*, Mutex*, Duration);
  static const Function real =
      Real<Function>("_ZN4absl7debian37CondVar15WaitWithTimeoutEPNS0_5MutexENS0_8DurationE");
  __tsan_release(mu);
  const bool timed_out = real(this, mu, timeout);
  __tsan_acquire(mu);
  return timed_out;
}
bool CondVar::WaitWithDeadline(Mutex* mu, Time deadline) {
  using Function = bool (*)(CondVar*, Mutex*, Time);
  static const Function real =
      Real<Function>("_ZN4absl7debian37CondVar16WaitWithDeadlineEPNS0_5MutexENS0_4TimeE");
  __tsan_release(mu);
  const bool timed_out = real(this, mu, deadline);
  __tsan_acquire(mu);
  return timed_out;
}
void CondVar::Signal() {
  using Function = void (*)(CondVar*);
  static const Function real = Real<Function>("_ZN4absl7debian37CondVar6SignalEv");
  __tsan_release(this);
  real(this);
}
void CondVar::SignalAll() {
  using Function = void (*)(CondVar*);
  static const Function real = Real<Function>("_ZN4absl7debian37CondVar9SignalAllEv");
  __tsan_release(this);
  real(this);
}

ABSL_NAMESPACE_END
}  // namespace absl
