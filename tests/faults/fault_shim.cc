// libdxledger_fault_shim.so: makes chosen writes and syncs fail, and steps
// the system clock, for the fault harness. Preloaded (LD_PRELOAD) into dxledgerd with
// DXLEDGER_FAULT_CONTROL naming a control file; while that file holds a line
//   <op> <errno> <path prefix> [<path suffix>]
// every call of <op> on a file whose path has that prefix (and suffix)
// fails with <errno>, and is logged to "<control file>.hits" as
// "<op> <path>". <op>: fsync (fsync, fdatasync) or write (write, pwrite,
// writev, pwritev). <errno>: EIO or ENOSPC. An empty or missing control
// file lets every call through. The control file is read on each call on
// a file (not a socket or pipe): it is for tests, not for speed.
//
// With DXLEDGER_CLOCK_OFFSET naming a file that holds a signed number of
// seconds, CLOCK_REALTIME reads (clock_gettime, gettimeofday, time) are that
// far off the real clock; the file is read again at most every 100 ms.
// Debian's libfaketime would do this, but it deadlocks at start in a
// process linked with jemalloc (Debian's RocksDB is): libfaketime issue
// #130. So the clock is read with the raw system call here, which neither
// allocates nor needs dlsym, and cannot recurse into an allocator.
#include <dlfcn.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>

namespace {

// The real function, next in lookup order after this library.
template <typename F>
F* Next(const char* name) {
  return reinterpret_cast<F*>(dlsym(RTLD_NEXT, name));
}

// The errno to fail `op` on `fd` with; 0 lets the call through.
int Injected(const char* op, int fd) {
  const char* control = getenv("DXLEDGER_FAULT_CONTROL");
  if (control == NULL) return 0;
  struct stat st;
  if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) return 0;
  int cfd = open(control, O_RDONLY | O_CLOEXEC);
  if (cfd < 0) return 0;
  char line[1024];
  ssize_t n = read(cfd, line, sizeof line - 1);
  close(cfd);
  if (n <= 0) return 0;
  line[n] = '\0';
  char want_op[16], err[16], prefix[512], suffix[64] = "";
  if (sscanf(line, "%15s %15s %511s %63s", want_op, err, prefix, suffix) < 3) return 0;
  if (strcmp(want_op, op) != 0) return 0;
  char link[64], path[1024];
  snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
  ssize_t len = readlink(link, path, sizeof path - 1);
  if (len <= 0) return 0;
  path[len] = '\0';
  if (strncmp(path, prefix, strlen(prefix)) != 0) return 0;
  size_t suffix_len = strlen(suffix);
  if (suffix_len > static_cast<size_t>(len) || strcmp(path + len - suffix_len, suffix) != 0)
    return 0;
  char hits[1100];
  snprintf(hits, sizeof hits, "%s.hits", control);
  int hfd = open(hits, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
  if (hfd >= 0) {
    char entry[1100];
    int m = snprintf(entry, sizeof entry, "%s %s\n", op, path);
    if (m > 0) (void)syscall(SYS_write, hfd, entry, static_cast<size_t>(m));
    close(hfd);
  }
  return strcmp(err, "ENOSPC") == 0 ? ENOSPC : EIO;
}

timespec RawClock(clockid_t clock) {
  timespec now{};
  syscall(SYS_clock_gettime, clock, &now);
  return now;
}

int64_t Nanos(const timespec& t) { return int64_t{t.tv_sec} * 1'000'000'000 + t.tv_nsec; }

std::atomic<int64_t> offset_nanos{0};
std::atomic<int64_t> offset_read_at{INT64_MIN / 2};  // CLOCK_MONOTONIC, ns

// The offset the clock file asks for, read again at most every 100 ms.
int64_t ClockOffset() {
  const char* file = getenv("DXLEDGER_CLOCK_OFFSET");
  if (file == nullptr) return 0;
  const int64_t now = Nanos(RawClock(CLOCK_MONOTONIC));
  int64_t read_at = offset_read_at.load(std::memory_order_relaxed);
  if (now - read_at >= 100'000'000 &&
      offset_read_at.compare_exchange_strong(read_at, now, std::memory_order_relaxed)) {
    int fd = open(file, O_RDONLY | O_CLOEXEC);
    if (fd >= 0) {
      char text[64];
      ssize_t n = read(fd, text, sizeof text - 1);
      close(fd);
      if (n > 0) {
        text[n] = '\0';
        offset_nanos.store(static_cast<int64_t>(strtod(text, nullptr) * 1e9),
                           std::memory_order_relaxed);
      }
    }
  }
  return offset_nanos.load(std::memory_order_relaxed);
}

timespec ShiftedRealtime() {
  const int64_t shifted = Nanos(RawClock(CLOCK_REALTIME)) + ClockOffset();
  return timespec{static_cast<time_t>(shifted / 1'000'000'000),
                  static_cast<long>(shifted % 1'000'000'000)};
}

}  // namespace

#define FAIL_IF_INJECTED(op, fd) \
  do {                           \
    int e = Injected(op, fd);    \
    if (e != 0) {                \
      errno = e;                 \
      return -1;                 \
    }                            \
  } while (0)

extern "C" {

int clock_gettime(clockid_t clock, timespec* out) {
  if (clock == CLOCK_REALTIME && getenv("DXLEDGER_CLOCK_OFFSET") != nullptr) {
    *out = ShiftedRealtime();
    return 0;
  }
  return static_cast<int>(syscall(SYS_clock_gettime, clock, out));
}

int gettimeofday(timeval* out, void*) {
  const timespec now = ShiftedRealtime();
  if (out != nullptr) *out = timeval{now.tv_sec, now.tv_nsec / 1000};
  return 0;
}

time_t time(time_t* out) {
  const time_t now = ShiftedRealtime().tv_sec;
  if (out != nullptr) *out = now;
  return now;
}

int fsync(int fd) {
  FAIL_IF_INJECTED("fsync", fd);
  return Next<int(int)>("fsync")(fd);
}

int fdatasync(int fd) {
  FAIL_IF_INJECTED("fsync", fd);
  return Next<int(int)>("fdatasync")(fd);
}

ssize_t write(int fd, const void* buf, size_t count) {
  FAIL_IF_INJECTED("write", fd);
  return Next<ssize_t(int, const void*, size_t)>("write")(fd, buf, count);
}

ssize_t pwrite(int fd, const void* buf, size_t count, off_t offset) {
  FAIL_IF_INJECTED("write", fd);
  return Next<ssize_t(int, const void*, size_t, off_t)>("pwrite")(fd, buf, count, offset);
}

ssize_t pwrite64(int fd, const void* buf, size_t count, off_t offset) {
  FAIL_IF_INJECTED("write", fd);
  return Next<ssize_t(int, const void*, size_t, off_t)>("pwrite64")(fd, buf, count, offset);
}

ssize_t writev(int fd, const struct iovec* iov, int count) {
  FAIL_IF_INJECTED("write", fd);
  return Next<ssize_t(int, const struct iovec*, int)>("writev")(fd, iov, count);
}

ssize_t pwritev(int fd, const struct iovec* iov, int count, off_t offset) {
  FAIL_IF_INJECTED("write", fd);
  return Next<ssize_t(int, const struct iovec*, int, off_t)>("pwritev")(fd, iov, count, offset);
}

}  // extern "C"
