#include "storage/security_log.h"

#include <algorithm>

#include "absl/time/time.h"
#include "base/sha256.h"
#include "fmt/format.h"
#include "storage/keys.h"

namespace dxledger::storage {
namespace {

constexpr std::string_view kHeadKey = "s";
constexpr std::string_view kSealKey = "ss";
constexpr size_t kKeyBytes = 16;  // BE64(micros) BE64(sequence)

std::string EncodeHead(const SecurityHead& head) {
  std::string value = keys::BigEndian64(head.records);
  value.append(head.hash);
  return value;
}

// Reads BE64(records) hash(32) from the front of `bytes`.
bool DecodeHead(std::string_view bytes, SecurityHead& head) {
  if (bytes.size() < 8 + kHashBytes || !keys::ReadBigEndian64(bytes, head.records)) return false;
  head.hash = std::string(bytes.substr(8, kHashBytes));
  return true;
}

// nullopt when the store has no head (no record, or only records from
// before the chain).
absl::StatusOr<std::optional<SecurityHead>> ReadHead(KvBackend& kv) {
  absl::StatusOr<std::optional<std::string>> value = kv.Get(Family::kMeta, kHeadKey);
  if (!value.ok()) return value.status();
  if (!value->has_value()) return std::nullopt;
  SecurityHead head;
  if (!DecodeHead(**value, head) || (*value)->size() != 8 + kHashBytes) {
    return absl::DataLossError("the security log's head record is malformed");
  }
  return head;
}

std::string TimeOf(std::string_view key) {
  uint64_t micros = 0;
  keys::ReadBigEndian64(key, micros);
  return absl::FormatTime(absl::RFC3339_full, absl::FromUnixMicros(static_cast<int64_t>(micros)),
                          absl::UTCTimeZone());
}

constexpr std::string_view kRestore =
    "Restore the data directory from a backup (README, \"Back up and restore\")";

}  // namespace

absl::StatusOr<std::optional<SecuritySeal>> ReadSecuritySeal(KvBackend& kv) {
  absl::StatusOr<std::optional<std::string>> value = kv.Get(Family::kMeta, kSealKey);
  if (!value.ok()) return value.status();
  if (!value->has_value()) return std::nullopt;
  SecuritySeal seal;
  if (!DecodeHead(**value, seal.head)) {
    return absl::DataLossError("the security log's seal record is malformed");
  }
  seal.note = (*value)->substr(8 + kHashBytes);
  return seal;
}

absl::StatusOr<SecurityHead> VerifySecurityChain(KvBackend& kv) {
  absl::StatusOr<std::optional<SecurityHead>> stored = ReadHead(kv);
  if (!stored.ok()) return stored.status();
  absl::StatusOr<std::optional<SecuritySeal>> seal = ReadSecuritySeal(kv);
  if (!seal.ok()) return seal.status();
  SecurityHead chain;
  absl::Status broken;
  absl::Status scanned =
      kv.Scan(Family::kSecurity, "", "", [&](std::string_view key, std::string_view value) {
        uint64_t sequence = 0;
        if (key.size() != kKeyBytes || value.size() < kHashBytes ||
            !keys::ReadBigEndian64(key.substr(8), sequence)) {
          broken = absl::DataLossError(fmt::format("the security log's record {} is malformed. {}",
                                                   chain.records + 1, kRestore));
        } else if (sequence != chain.records || value.substr(0, kHashBytes) != chain.hash) {
          broken = absl::DataLossError(fmt::format(
              "the security log's record {} (recorded {}) does not follow the one before it: "
              "records were removed, changed or reordered. {}",
              chain.records + 1, TimeOf(key), kRestore));
        }
        if (!broken.ok()) return false;
        chain.hash = base::Sha256({chain.hash, key, value.substr(kHashBytes)});
        ++chain.records;
        if (seal->has_value() && chain.records == (*seal)->head.records &&
            chain.hash != (*seal)->head.hash) {
          broken = absl::DataLossError(fmt::format(
              "the security log's first {} records differ from what was sealed (signed): records "
              "were changed. {}",
              chain.records, kRestore));
        }
        return broken.ok();
      });
  if (!scanned.ok()) return scanned;
  if (!broken.ok()) return broken;
  if (seal->has_value() && chain.records < (*seal)->head.records) {
    return absl::DataLossError(
        fmt::format("the security log holds {} records, but its seal (signed) covers {}: records "
                    "were deleted. {}",
                    chain.records, (*seal)->head.records, kRestore));
  }
  if (chain != stored->value_or(SecurityHead())) {
    return absl::DataLossError(fmt::format(
        "the security log holds {} records, but its head says {}: records were deleted or "
        "changed. {}",
        chain.records, stored->value_or(SecurityHead()).records, kRestore));
  }
  return chain;
}

namespace {

// Chains the records of a store written before the security log had a
// chain (no head record; values the bare records; sequence numbers that
// started again at each start), in key order, in one write.
absl::StatusOr<SecurityHead> ChainLegacyRecords(KvBackend& kv) {
  std::vector<Put> puts;
  SecurityHead head;
  absl::Status scanned =
      kv.Scan(Family::kSecurity, "", "", [&](std::string_view key, std::string_view record) {
        std::string chained_key(key.substr(0, 8));
        keys::AppendBigEndian64(head.records, chained_key);
        std::string value = head.hash;
        value.append(record);
        head.hash = base::Sha256({head.hash, chained_key, record});
        ++head.records;
        puts.push_back({Family::kSecurity, std::string(key), "", /*erase=*/true});
        puts.push_back({Family::kSecurity, std::move(chained_key), std::move(value)});
        return true;
      });
  if (!scanned.ok()) return scanned;
  puts.push_back({Family::kMeta, std::string(kHeadKey), EncodeHead(head)});
  if (absl::Status s = kv.Write(puts, /*sync=*/true); !s.ok()) return s;
  return head;
}

}  // namespace

absl::StatusOr<std::unique_ptr<SecurityLog>> SecurityLog::Open(KvBackend& kv) {
  absl::StatusOr<std::optional<SecurityHead>> stored = ReadHead(kv);
  if (!stored.ok()) return stored.status();
  absl::StatusOr<SecurityHead> head = stored->value_or(SecurityHead());
  absl::StatusOr<std::optional<std::pair<std::string, std::string>>> last =
      kv.Floor(Family::kSecurity, "", std::string(kKeyBytes, '\xff'));
  if (!last.ok()) return last.status();
  uint64_t last_micros = 0;
  if (last->has_value()) keys::ReadBigEndian64((*last)->first, last_micros);
  if (last->has_value() && !stored->has_value()) {
    head = ChainLegacyRecords(kv);
    if (!head.ok()) return head.status();
  }
  return std::unique_ptr<SecurityLog>(new SecurityLog(kv, *std::move(head), last_micros));
}

absl::Status SecurityLog::Record(int64_t unix_micros, std::string_view record) {
  absl::MutexLock lock(&mu_);
  const uint64_t micros =
      std::max(static_cast<uint64_t>(std::max<int64_t>(unix_micros, 0)), last_micros_);
  std::string key = keys::BigEndian64(micros);
  keys::AppendBigEndian64(head_.records, key);
  SecurityHead next{head_.records + 1, base::Sha256({head_.hash, key, record})};
  std::string value = head_.hash;
  value.append(record);
  const Put puts[] = {{Family::kSecurity, std::move(key), std::move(value)},
                      {Family::kMeta, std::string(kHeadKey), EncodeHead(next)}};
  if (absl::Status s = kv_.Write(puts, /*sync=*/false); !s.ok()) return s;
  head_ = std::move(next);
  last_micros_ = micros;
  return absl::OkStatus();
}

SecurityHead SecurityLog::head() const {
  absl::MutexLock lock(&mu_);
  return head_;
}

absl::Status SecurityLog::RecordSeal(const SecuritySeal& seal) {
  std::string value = EncodeHead(seal.head);
  value.append(seal.note);
  const Put put{Family::kMeta, std::string(kSealKey), std::move(value)};
  return kv_.Write({&put, 1}, /*sync=*/true);
}

}  // namespace dxledger::storage
