#ifndef DXLEDGER_PROTO_NOTATION_API_LIMITS_H_
#define DXLEDGER_PROTO_NOTATION_API_LIMITS_H_

// Sizes the API promises its callers, so a client can refuse what the server
// would refuse before sending it.
namespace dxledger::notation {

// The largest request dxledgerd reads (an import's file, say); bigger ones
// are refused by gRPC with RESOURCE_EXHAUSTED.
inline constexpr int kMaxRequestBytes = 4 << 20;

}  // namespace dxledger::notation

#endif  // DXLEDGER_PROTO_NOTATION_API_LIMITS_H_
