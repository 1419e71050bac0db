#ifndef DXLEDGER_SERVICE_HTTP_SESSIONS_H_
#define DXLEDGER_SERVICE_HTTP_SESSIONS_H_

#include <map>
#include <mutex>
#include <optional>
#include <string>

#include "absl/time/time.h"

// The web console's sign-in: a principal's token is exchanged once for a
// session, named by a random id that travels only in an HttpOnly cookie;
// the browser never keeps the token. Each session also has a CSRF token,
// which a write must echo in the X-CSRF-Token header (a page of another
// site can make the browser send the cookie, never read the CSRF token).
// Sessions live in memory: a restart signs everyone out. A session ends on
// sign-out, after `idle` without a request, or `lifetime` after sign-in.
namespace dxledger::service::http {

struct Session {
  std::string token;  // the principal's bearer token
  std::string csrf;
  absl::Time signed_in;
  absl::Time last_used;
};

class Sessions {
 public:
  Sessions(absl::Duration idle, absl::Duration lifetime) : idle_(idle), lifetime_(lifetime) {}

  // A new session for `token`: its id (for the cookie) and the session.
  std::pair<std::string, Session> Open(std::string token, absl::Time now);
  // The session named by `id`, marked used at `now`; nullopt when there is
  // none or it has expired (then it is gone).
  std::optional<Session> Use(const std::string& id, absl::Time now);
  // Whether the session named by `id` is still open at `now`, without
  // marking it used (an open event stream is not activity).
  bool Active(const std::string& id, absl::Time now);
  void Close(const std::string& id);

  absl::Duration lifetime() const { return lifetime_; }

 private:
  // The session named `id`, or end() when there is none or it has expired
  // (then it is gone). Under mutex_.
  std::map<std::string, Session>::iterator Find(const std::string& id, absl::Time now);

  const absl::Duration idle_;
  const absl::Duration lifetime_;
  std::mutex mutex_;
  std::map<std::string, Session> sessions_;
};

// 32 random bytes (OpenSSL's RAND_bytes), base64url without padding.
std::string RandomId();

}  // namespace dxledger::service::http

#endif  // DXLEDGER_SERVICE_HTTP_SESSIONS_H_
