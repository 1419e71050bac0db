#ifndef DXLEDGER_STORAGE_THREAD_NAME_H_
#define DXLEDGER_STORAGE_THREAD_NAME_H_

#include <pthread.h>

namespace dxledger::storage {

// Names the calling thread for top -H, perf and gdb (15 characters at most;
// Linux cuts longer names).
inline void NameThisThread(const char* name) { pthread_setname_np(pthread_self(), name); }

}  // namespace dxledger::storage

#endif  // DXLEDGER_STORAGE_THREAD_NAME_H_
