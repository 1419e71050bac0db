#ifndef DXLEDGER_STORAGE_KEYS_H_
#define DXLEDGER_STORAGE_KEYS_H_

#include <cstdint>
#include <string>
#include <string_view>

// Key and value encodings. Numbers are big-endian so keys sort numerically.
//   log:      BE64(position)            -> prev_hash(32) hash(32) body
//   streams:  stream '\0' BE64(version) -> BE64(position)
//   views:    stream                    -> BE64(version) view
//   requests: key                       -> BE64(first) BE64(last) fingerprint
//   meta:     "head"                    -> BE64(position) hash(32)
//   meta:     "t" BE64(record micros)   -> BE64(last position recorded then)
//   meta:     "c" BE64(tree size)       -> signed checkpoint (a note)
//   tree:     level(1) BE64(index)      -> SHA-256 of that complete subtree
//             (RFC 9162; leaf i is the event at position i + 1)
namespace dxledger::storage::keys {

inline constexpr std::string_view kHeadKey = "head";
inline constexpr std::string_view kCommitTimePrefix = "t";
inline constexpr std::string_view kCheckpointPrefix = "c";

void AppendBigEndian64(uint64_t value, std::string& out);
// Writes the 8 bytes to `out`: no allocation, for hashing loops.
void PutBigEndian64(uint64_t value, char* out);
std::string BigEndian64(uint64_t value);
// Reads 8 bytes; false when `bytes` is shorter.
bool ReadBigEndian64(std::string_view bytes, uint64_t& value);

std::string StreamKey(std::string_view stream, uint64_t version);
std::string StreamPrefix(std::string_view stream);

std::string TreeKey(uint8_t level, uint64_t index);
// "t" BE64(micros): the time index's key.
std::string CommitTimeKey(uint64_t unix_micros);

}  // namespace dxledger::storage::keys

#endif  // DXLEDGER_STORAGE_KEYS_H_
