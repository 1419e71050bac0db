#ifndef DXLEDGER_BASE_THREAD_NAME_H_
#define DXLEDGER_BASE_THREAD_NAME_H_

#include <pthread.h>

#include <thread>

namespace dxledger::base {

// Names a thread for top -H, perf and gdb (15 characters at most; Linux
// cuts longer names). Naming it from the side that started it means the name
// is there as soon as the constructor that started it returns.
inline void NameThread(std::thread& thread, const char* name) {
  pthread_setname_np(thread.native_handle(), name);
}

// For a thread that names itself (a detached one).
inline void NameThisThread(const char* name) { pthread_setname_np(pthread_self(), name); }

}  // namespace dxledger::base

#endif  // DXLEDGER_BASE_THREAD_NAME_H_
