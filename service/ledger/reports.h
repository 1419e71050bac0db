#ifndef DXLEDGER_SERVICE_LEDGER_REPORTS_H_
#define DXLEDGER_SERVICE_LEDGER_REPORTS_H_

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/functional/any_invocable.h"
#include "absl/status/statusor.h"
#include "dxledger/v1/ledger.pb.h"
#include "dxledger/v1/report.pb.h"
#include "service/ledger/queries.h"
#include "service/ledger/writer.h"

// The progress report in and out: a file HQ edited brought into the ledger
// as one write, and a year's report as CSV, xlsx, JSON, Markdown or HTML as of any
// point. Thread-safe.
namespace dxledger::ledger {

struct ImportRequest {
  std::string organization;
  int fiscal_year = 0;
  v1::ReportFormat format = v1::REPORT_FORMAT_UNSPECIFIED;
  std::string content;
  std::string file_name;
  bool validate_only = false;
  std::string actor;
  std::string request_id;
  // When set, called for each command the file makes on a goal that exists
  // already, with the command's RPC (SetRating, AddIssue, ...): an import
  // may only do what its principal may do directly. Commands on goals the
  // import creates are not asked: transcribing a newly published report
  // records its ratings too.
  std::function<absl::Status(std::string_view rpc, const v1::Goal& goal)> authorize;
};

struct ImportOutcome {
  v1::Report report;  // as read from the file
  std::vector<v1::Event> events;
  uint32_t goals_created = 0;
  uint32_t goals_changed = 0;
  uint32_t goals_unchanged = 0;
  std::string content_sha256;  // hex
  bool replayed = false;
};

struct ExportOutcome {
  std::string content;
  std::string content_type;
  std::string file_name;
};

class Reports {
 public:
  using ImportCallback = absl::AnyInvocable<void(absl::StatusOr<ImportOutcome>) &&>;

  // All three must outlive the reports.
  Reports(storage::EventStore& store, Queries& queries, Writer& writer)
      : store_(store), queries_(queries), writer_(writer) {}

  // Reads a report file (TEXT, CSV or XLSX) and brings the year's goals to its
  // content in one write; the reason of every event names the file and its
  // SHA-256. INVALID_ARGUMENT (with the line) for a malformed file.
  void Import(ImportRequest request, ImportCallback done);
  absl::StatusOr<ImportOutcome> ImportAndWait(ImportRequest request);

  // The signed checkpoint (a note) that covers a log position; empty when
  // the log has none.
  using CheckpointFor = std::function<absl::StatusOr<std::string>(uint64_t position)>;

  // The year's report as CSV, XLSX, JSON, MARKDOWN or HTML, as of a position
  // (nullopt: now). The workbook and the page name the checkpoint that
  // covers what they show, when `checkpoint_for` is given.
  absl::StatusOr<ExportOutcome> Export(std::string_view organization, int fiscal_year,
                                       v1::ReportFormat format,
                                       std::optional<uint64_t> as_of = std::nullopt,
                                       const CheckpointFor& checkpoint_for = nullptr);

 private:
  struct Located {
    uint64_t position = 0;
    google::protobuf::Timestamp time;
    std::string checkpoint;
  };
  absl::Status Locate(std::optional<uint64_t> as_of, const CheckpointFor& checkpoint_for,
                      Located& located);

  storage::EventStore& store_;
  Queries& queries_;
  Writer& writer_;
};

}  // namespace dxledger::ledger

#endif  // DXLEDGER_SERVICE_LEDGER_REPORTS_H_
