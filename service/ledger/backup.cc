// Maintenance::Backup: an online copy, verified before it counts.
#include <filesystem>

#include "fmt/format.h"
#include "service/ledger/maintenance.h"

namespace dxledger::ledger {

absl::StatusOr<VerifyReport> Maintenance::Backup(const std::string& directory) {
  if (directory.empty() || !std::filesystem::path(directory).is_absolute()) {
    return absl::InvalidArgumentError("directory must be an absolute path on the server");
  }
  if (std::filesystem::exists(directory)) {
    return absl::AlreadyExistsError(
        fmt::format("{} exists already: a backup goes into a new directory", directory));
  }
  absl::StatusOr<std::unique_ptr<storage::EventStore>> copy = store_.Checkpoint(directory);
  if (!copy.ok()) return copy.status();
  absl::StatusOr<VerifyReport> report = Maintenance(**copy).Verify();
  if (!report.ok()) {
    return absl::DataLossError(fmt::format("the backup in {} does not verify: {}", directory,
                                           std::string(report.status().message())));
  }
  return report;
}

}  // namespace dxledger::ledger
