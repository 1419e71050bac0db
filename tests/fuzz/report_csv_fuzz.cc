// libFuzzer: the progress-report CSV reader (RFC 4180, BOM, quoted cells).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "service/report/render.h"
#include "service/report/report_rows.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view content(reinterpret_cast<const char*>(data), size);
  absl::StatusOr<dxledger::v1::Report> report = dxledger::report::ParseReportCsv(content);
  if (report.ok()) (void)dxledger::report::RenderCsv(*report);
  return 0;
}
