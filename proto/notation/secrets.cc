#include "proto/notation/secrets.h"

namespace dxledger::notation {

bool CarriesSecret(const v1::Event& event) {
  return (event.has_principal_added() && !event.principal_added().token_sha256().empty()) ||
         (event.has_principal_token_rotated() &&
          !event.principal_token_rotated().token_sha256().empty());
}

bool RedactSecret(v1::Event& event) {
  if (!CarriesSecret(event)) return false;
  if (event.has_principal_added()) event.mutable_principal_added()->clear_token_sha256();
  if (event.has_principal_token_rotated()) {
    event.mutable_principal_token_rotated()->clear_token_sha256();
  }
  return true;
}

bool IsRedacted(const v1::Event& event) {
  return (event.has_principal_added() || event.has_principal_token_rotated()) &&
         !CarriesSecret(event);
}

}  // namespace dxledger::notation
