#include "base/sha256.h"

#include <openssl/evp.h>

#include <cstdlib>
#include <memory>

namespace dxledger::base {
namespace {

const EVP_MD* Sha256Digest() {
  // Never freed: it lives as long as the process, as OpenSSL's tables do.
  static const EVP_MD* const digest = [] {
    EVP_MD* md = EVP_MD_fetch(nullptr, "SHA256", nullptr);
    if (md == nullptr) std::abort();  // no default provider: nothing can be hashed
    return md;
  }();
  return digest;
}

}  // namespace

void Sha256(std::initializer_list<std::string_view> parts, char (&digest)[kSha256Bytes]) {
  thread_local std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> context(EVP_MD_CTX_new(),
                                                                               EVP_MD_CTX_free);
  unsigned int length = 0;
  // EVP calls on a valid context with SHA-256 fail only when allocation does.
  if (context == nullptr || EVP_DigestInit_ex(context.get(), Sha256Digest(), nullptr) != 1) {
    std::abort();
  }
  for (std::string_view part : parts) EVP_DigestUpdate(context.get(), part.data(), part.size());
  EVP_DigestFinal_ex(context.get(), reinterpret_cast<unsigned char*>(digest), &length);
}

std::string Sha256(std::initializer_list<std::string_view> parts) {
  char digest[kSha256Bytes];
  Sha256(parts, digest);
  return std::string(digest, kSha256Bytes);
}

}  // namespace dxledger::base
