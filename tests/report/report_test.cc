#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "service/report/render.h"
#include "service/report/report_rows.h"

namespace dxledger::report {
namespace {

std::string ReadSeed() {
  std::ifstream in(SEED_REPORT);
  std::stringstream content;
  content << in.rdbuf();
  return content.str();
}

TEST(SeedDump, Dump) {
  absl::StatusOr<v1::Report> report = ParseReportText(ReadSeed());
  ASSERT_TRUE(report.ok()) << report.status();
  std::cout << RenderJson(*report) << std::endl;
  std::cout << RenderCsv(*report) << std::endl;
}

}  // namespace
}  // namespace dxledger::report
