// dxledger import report | import csv | export
#include <unistd.h>

#include <fstream>
#include <map>
#include <sstream>

#include "client/cli/cli.h"
#include "proto/notation/api_limits.h"
#include "proto/notation/fiscal_year.h"

namespace dxledger::cli {
namespace {

absl::StatusOr<std::string> ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError("cannot read " + path);
  std::stringstream content;
  content << in.rdbuf();
  return content.str();
}

std::string BaseName(const std::string& path) { return path.substr(path.rfind('/') + 1); }

// The server reads requests of up to kMaxRequestBytes; the file is most of
// one. A bigger one would be refused by gRPC in its own words.
constexpr size_t kMaxImportBytes = notation::kMaxRequestBytes - (64 << 10);

// Progress goes to a terminal only, so scripts see clean output.
void Progress(const std::string& line) {
  if (::isatty(STDERR_FILENO)) fmt::print(stderr, "{}\n", line);
}

void PrintImport(const v1::ImportReportResponse& r, bool dry_run) {
  std::map<std::string, std::vector<const v1::Event*>> by_goal;
  for (const v1::Event& event : r.events()) by_goal[event.goal()].push_back(&event);
  for (const auto& [goal, events] : by_goal) {
    fmt::print("{}\n", goal);
    for (const v1::Event* event : events) {
      fmt::print("  {} {}\n", event->position() ? std::to_string(event->position()) : "+",
                 notation::DescribeEvent(*event));
    }
  }
  if (static_cast<uint32_t>(r.events_size()) < r.event_count()) {
    fmt::print("… and {} more events{}\n", r.event_count() - r.events_size(),
               r.first_position() == 0
                   ? ""
                   : fmt::format(" (dxledger log --from {})",
                                 r.first_position() + static_cast<uint64_t>(r.events_size())));
  }
  fmt::print(
      "{} rows read (sha256 {}): {} goals {}created, {} {}changed, {} unchanged; {} "
      "events{}\n",
      r.report().rows_size(), r.content_sha256(), r.goals_created(), dry_run ? "would be " : "",
      r.goals_changed(), dry_run ? "would be " : "", r.goals_unchanged(), r.event_count(),
      r.replayed() ? " (already imported with this request id)"
      : dry_run    ? " would be written; nothing was written"
      : r.event_count() == 0
          ? "; nothing to write"
          : fmt::format(" written at positions {}-{}", r.first_position(), r.last_position()));
}

void AddImport(CLI::App& app, Cli& cli) {
  struct Args {
    std::string file, year;
    bool dry_run = false;
  };
  auto args = std::make_shared<Args>();
  CLI::App* import = app.add_subcommand("import", "import a progress report");
  import->require_subcommand(1);
  for (auto [name, format, help] :
       {std::tuple{"report", v1::REPORT_FORMAT_TEXT, "the published report (text)"},
        std::tuple{"csv", v1::REPORT_FORMAT_CSV, "the CSV that export writes (UTF-8 or Shift_JIS)"},
        std::tuple{"xlsx", v1::REPORT_FORMAT_XLSX,
                   "the workbook that export writes, as edited in Excel (sheet 全目標)"}}) {
    CLI::App* command = import->add_subcommand(name, help);
    command->add_option("FILE", args->file, "file to import")->required();
    command->add_option("--year", args->year, "fiscal year: 2021, FY2021, 令和3年度, R3")
        ->required();
    command->add_flag("--dry-run", args->dry_run, "print what would change; write nothing");
    command->callback([args, &cli, format = format] {
      absl::StatusOr<int> year = notation::ParseFiscalYear(args->year);
      absl::StatusOr<std::string> content = ReadFile(args->file);
      if (content.ok() && content->size() > kMaxImportBytes) {
        content = absl::InvalidArgumentError(fmt::format(
            "{} is {:.1f} MiB; an import takes at most {:.1f} MiB: split it, by department say",
            args->file, static_cast<double>(content->size()) / (1 << 20),
            static_cast<double>(kMaxImportBytes) / (1 << 20)));
      }
      if (!year.ok() || !content.ok()) {
        cli.exit_code = Fail(year.ok() ? content.status() : year.status());
        return;
      }
      Progress(fmt::format("importing {} ({} bytes) into {}…", args->file, content->size(),
                           notation::JapaneseFiscalYear(*year)));
      v1::ImportReportRequest request;
      request.set_fiscal_year(*year);
      request.set_format(format);
      request.set_content(*std::move(content));
      request.set_file_name(BaseName(args->file));
      request.set_validate_only(args->dry_run);
      request.set_request_id(cli.RequestId());
      const bool dry_run = args->dry_run;
      cli.Show<v1::ImportReportResponse>(
          cli.client().ImportReport(request),
          [dry_run](const v1::ImportReportResponse& r) { PrintImport(r, dry_run); });
    });
  }
}

void AddExport(CLI::App& app, Cli& cli) {
  struct Args {
    std::string year, format = "csv", output, as_of;
  };
  auto args = std::make_shared<Args>();
  CLI::App* command = app.add_subcommand("export",
                                         "a fiscal year's report as CSV, an Excel "
                                         "workbook, JSON, Markdown or HTML");
  command->add_option("--year", args->year, "fiscal year")->required();
  command->add_option("--format", args->format, "csv, xlsx, json, markdown or html")
      ->check(CLI::IsMember({"csv", "xlsx", "json", "markdown", "html"}))
      ->capture_default_str();
  command->add_option("--output,-o", args->output, "write to this file (default: stdout)");
  AddAsOfOption(*command, args->as_of);
  command->callback([args, &cli] {
    static const std::map<std::string, v1::ReportFormat> kFormats = {
        {"csv", v1::REPORT_FORMAT_CSV},
        {"xlsx", v1::REPORT_FORMAT_XLSX},
        {"json", v1::REPORT_FORMAT_JSON},
        {"markdown", v1::REPORT_FORMAT_MARKDOWN},
        {"html", v1::REPORT_FORMAT_HTML}};
    absl::StatusOr<int> year = notation::ParseFiscalYear(args->year);
    if (!year.ok()) {
      cli.exit_code = Fail(year.status());
      return;
    }
    if (args->format == "xlsx" && args->output.empty() && isatty(fileno(cli.raw_stdout))) {
      cli.exit_code = Fail(absl::InvalidArgumentError(
          "a workbook is not for a terminal: give --output FILE.xlsx, or redirect the output"));
      return;
    }
    v1::ExportReportRequest request;
    request.set_fiscal_year(*year);
    request.set_format(kFormats.at(args->format));
    if (!ParseAsOf(args->as_of, *request.mutable_as_of(), cli)) return;
    absl::StatusOr<v1::ExportReportResponse> response = cli.client().ExportReport(request);
    if (!response.ok()) {
      cli.exit_code = Fail(response.status());
      return;
    }
    if (args->output.empty()) {
      std::fflush(stdout);
      std::fwrite(response->content().data(), 1, response->content().size(), cli.raw_stdout);
      std::fflush(cli.raw_stdout);
      return;
    }
    std::ofstream out(args->output, std::ios::binary);
    out << response->content();
    if (!out.flush()) {
      cli.exit_code = Fail(absl::UnavailableError("cannot write " + args->output));
      return;
    }
    Progress(fmt::format("wrote {} ({} bytes, {})", args->output, response->content().size(),
                         response->content_type()));
  });
}

}  // namespace

void AddReportCommands(CLI::App& app, Cli& cli) {
  AddImport(app, cli);
  AddExport(app, cli);
}

}  // namespace dxledger::cli
