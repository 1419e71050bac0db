#include "storage/keys.h"

namespace dxledger::storage::keys {

void AppendBigEndian64(uint64_t value, std::string& out) {
  for (int shift = 56; shift >= 0; shift -= 8) out.push_back(static_cast<char>(value >> shift));
}

void PutBigEndian64(uint64_t value, char* out) {
  for (int i = 0; i < 8; ++i) out[i] = static_cast<char>(value >> (56 - 8 * i));
}

std::string BigEndian64(uint64_t value) {
  std::string out;
  out.reserve(8);
  AppendBigEndian64(value, out);
  return out;
}

bool ReadBigEndian64(std::string_view bytes, uint64_t& value) {
  if (bytes.size() < 8) return false;
  value = 0;
  for (int i = 0; i < 8; ++i) value = (value << 8) | static_cast<uint8_t>(bytes[i]);
  return true;
}

std::string StreamPrefix(std::string_view stream) {
  std::string key(stream);
  key.push_back('\0');
  return key;
}

std::string StreamKey(std::string_view stream, uint64_t version) {
  std::string key = StreamPrefix(stream);
  AppendBigEndian64(version, key);
  return key;
}

std::string TreeKey(uint8_t level, uint64_t index) {
  std::string key(1, static_cast<char>(level));
  AppendBigEndian64(index, key);
  return key;
}

std::string CommitTimeKey(uint64_t unix_micros) {
  std::string key(kCommitTimePrefix);
  AppendBigEndian64(unix_micros, key);
  return key;
}

}  // namespace dxledger::storage::keys
