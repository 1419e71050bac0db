#include "service/http/sessions.h"

#include <openssl/rand.h>

#include <stdexcept>

#include "absl/strings/escaping.h"

namespace dxledger::service::http {

std::string RandomId() {
  unsigned char bytes[32];
  if (RAND_bytes(bytes, sizeof(bytes)) != 1) {
    throw std::runtime_error("OpenSSL RAND_bytes failed: no session can be made safely");
  }
  return absl::WebSafeBase64Escape(
      absl::string_view(reinterpret_cast<const char*>(bytes), sizeof(bytes)));
}

std::pair<std::string, Session> Sessions::Open(std::string token, absl::Time now) {
  Session session{std::move(token), RandomId(), now, now};
  std::string id = RandomId();
  std::lock_guard lock(mutex_);
  // Expired sessions go as new ones come, so the table never outgrows the
  // sessions of the last `lifetime`.
  std::erase_if(sessions_, [&](const auto& entry) {
    return now - entry.second.last_used > idle_ || now - entry.second.signed_in > lifetime_;
  });
  sessions_.emplace(id, session);
  return {std::move(id), std::move(session)};
}

std::map<std::string, Session>::iterator Sessions::Find(const std::string& id, absl::Time now) {
  auto it = sessions_.find(id);
  if (it == sessions_.end()) return it;
  if (now - it->second.last_used > idle_ || now - it->second.signed_in > lifetime_) {
    sessions_.erase(it);
    return sessions_.end();
  }
  return it;
}

std::optional<Session> Sessions::Use(const std::string& id, absl::Time now) {
  std::lock_guard lock(mutex_);
  auto it = Find(id, now);
  if (it == sessions_.end()) return std::nullopt;
  it->second.last_used = now;
  return it->second;
}

bool Sessions::Active(const std::string& id, absl::Time now) {
  std::lock_guard lock(mutex_);
  return Find(id, now) != sessions_.end();
}

void Sessions::Close(const std::string& id) {
  std::lock_guard lock(mutex_);
  sessions_.erase(id);
}

}  // namespace dxledger::service::http
