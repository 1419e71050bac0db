#ifndef DXLEDGER_SERVICE_AUTH_H_
#define DXLEDGER_SERVICE_AUTH_H_

#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "dxledger/v1/principals.pb.h"
#include "service/ledger/ledger.h"

// Who is calling: principals by bearer token (kept only as SHA-256 hashes)
// or by client certificate. The registry mirrors the ledger's principal
// views and is updated as soon as a principal event is durable, so a disabled
// principal or a rotated token stops working at once.
namespace dxledger::service {

// A fresh random bearer token (64 hex characters).
std::string NewToken();
std::string TokenHash(std::string_view token);  // lower-case hex SHA-256

// Issues the tokens of AddPrincipal and RotatePrincipalToken. With a request
// id the token is HMAC-SHA-256(key, actor, method, principal, request id):
// a retry of the same request gets the same token (and so the same request
// fingerprint and reply), which a lost reply would otherwise leave unknown
// forever. Without one, a fresh random token. The key is kept owner-only in
// <data-dir>/token.key, made on the first start; whoever holds it and a
// request's names can derive that request's token, so it is as secret as the
// data directory.
class TokenIssuer {
 public:
  // Reads the key from `path`, or makes one there.
  static absl::StatusOr<TokenIssuer> Open(const std::string& path);
  explicit TokenIssuer(std::string key) : key_(std::move(key)) {}

  std::string Issue(std::string_view actor, std::string_view method, std::string_view principal,
                    std::string_view request_id) const;

 private:
  std::string key_;
};

// "admin" → ROLE_ADMIN; INVALID_ARGUMENT naming the accepted roles.
absl::StatusOr<v1::Role> ParseRole(std::string_view text);

// Thread-safe.
// A principal as the registry held it when the call was admitted; shared, so
// admitting a call copies no protobuf.
using PrincipalRef = std::shared_ptr<const v1::Principal>;

class Principals {
 public:
  void Replace(const std::vector<v1::Principal>& principals);
  void Update(const v1::Principal& principal);
  bool empty() const;

  // Checks an `authorization` header value ("Bearer <token>"). UNAUTHENTICATED
  // when it is missing, malformed, unknown or disabled; the message never
  // contains the token.
  absl::StatusOr<PrincipalRef> ByToken(std::string_view authorization) const;
  // The principal bound to a verified client certificate's common name.
  absl::StatusOr<PrincipalRef> ByCertificate(std::string_view common_name) const;

 private:
  mutable absl::Mutex mu_;
  std::map<std::string, PrincipalRef, std::less<>> by_name_ ABSL_GUARDED_BY(mu_);
};

// Loads the registry from the ledger. On the first start of an empty ledger,
// adds the principal `admin` (actor dxledgerd) and writes its token to
// `<data_dir>/admin.token`, readable by its owner only.
absl::Status LoadPrincipals(ledger::Ledger& ledger, const std::string& data_dir,
                            Principals& principals);

// Adds a principal through the ledger with a fresh token; returns the token.
absl::StatusOr<std::string> AddPrincipal(ledger::Ledger& ledger, std::string_view actor,
                                         std::string_view name, std::vector<v1::Role> roles,
                                         std::vector<std::string> departments,
                                         std::string_view certificate_common_name = "");

}  // namespace dxledger::service

#endif  // DXLEDGER_SERVICE_AUTH_H_
