#ifndef DXLEDGER_BASE_FILES_H_
#define DXLEDGER_BASE_FILES_H_

#include <sys/types.h>

#include <optional>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"

// Small files that must survive a crash whole: keys, checkpoints, state.
namespace dxledger::base {

// Writes `bytes` to `path` so that a crash leaves the old file or the new
// one, never a torn one: a synced temporary file renamed over it, then the
// directory synced. The file gets `mode`.
absl::Status WriteFileDurably(const std::string& path, std::string_view bytes, mode_t mode);

// Appends `bytes` to `path` (created with `mode` when missing) and syncs it.
absl::Status AppendFileDurably(const std::string& path, std::string_view bytes, mode_t mode);

// The file's bytes; nullopt when it does not exist.
absl::StatusOr<std::optional<std::string>> ReadFileIfExists(const std::string& path);

}  // namespace dxledger::base

#endif  // DXLEDGER_BASE_FILES_H_
