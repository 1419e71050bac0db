#ifndef DXLEDGER_PROTO_NOTATION_SECRETS_H_
#define DXLEDGER_PROTO_NOTATION_SECRETS_H_

#include "dxledger/v1/events.pb.h"

// What of the log only admins see: a principal's token hash. Everyone else
// reads the token events without it, and gets their inclusion proofs
// without the leaf's bytes (EventProof.leaf_hash). Shared by the server,
// which redacts, and the client, which checks what it was given.
namespace dxledger::notation {

// Whether `event` carries a token hash (principal_added with one,
// principal_token_rotated).
bool CarriesSecret(const v1::Event& event);

// Clears the token hash; true when there was one.
bool RedactSecret(v1::Event& event);

// Whether `event` is a token event as redaction leaves it.
bool IsRedacted(const v1::Event& event);

}  // namespace dxledger::notation

#endif  // DXLEDGER_PROTO_NOTATION_SECRETS_H_
