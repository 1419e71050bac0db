#ifndef DXLEDGER_BASE_SHA256_H_
#define DXLEDGER_BASE_SHA256_H_

#include <initializer_list>
#include <string>
#include <string_view>

// SHA-256 for the hot paths (event hashes, token hashes, fingerprints).
// OpenSSL 3's one-shot SHA256() and EVP_sha256() look the digest up in the
// provider tables on every call, which costs more than hashing a short
// input; this fetches it once and reuses one context per thread.
namespace dxledger::base {

inline constexpr size_t kSha256Bytes = 32;

// The 32-byte digest of the parts, concatenated.
std::string Sha256(std::initializer_list<std::string_view> parts);
// The same, into `digest`: no allocation, for loops over millions of events.
void Sha256(std::initializer_list<std::string_view> parts, char (&digest)[kSha256Bytes]);

}  // namespace dxledger::base

#endif  // DXLEDGER_BASE_SHA256_H_
