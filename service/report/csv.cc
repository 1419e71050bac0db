#include "service/report/csv.h"

#include "fmt/format.h"

namespace dxledger::report {
namespace {

constexpr std::string_view kBom = "\xEF\xBB\xBF";

bool Evaluated(char c) {
  return c == '=' || c == '+' || c == '-' || c == '@' || c == '\t' || c == '\r';
}

// Whether `cell` starts with what WithoutFormulaGuard would take off.
bool Guarded(std::string_view cell) {
  return cell.size() >= 2 && cell[0] == '\'' && (Evaluated(cell[1]) || cell[1] == '\'');
}

void AppendField(std::string_view field, std::string& out) {
  if (field.find_first_of(",\"\r\n") == std::string_view::npos) {
    out.append(field);
    return;
  }
  out.push_back('"');
  for (char c : field) {
    if (c == '"') out.push_back('"');
    out.push_back(c);
  }
  out.push_back('"');
}

}  // namespace

std::string WithFormulaGuard(std::string_view cell) {
  if (cell.empty() || !(Evaluated(cell[0]) || Guarded(cell))) return std::string(cell);
  std::string guarded = "'";
  guarded.append(cell);
  return guarded;
}

std::string WithoutFormulaGuard(std::string_view cell) {
  return std::string(Guarded(cell) ? cell.substr(1) : cell);
}

std::string WriteCsv(const std::vector<std::vector<std::string>>& records) {
  std::string out(kBom);
  for (const auto& record : records) {
    for (size_t i = 0; i < record.size(); ++i) {
      if (i > 0) out.push_back(',');
      AppendField(WithFormulaGuard(record[i]), out);
    }
    out.append("\r\n");
  }
  return out;
}

absl::StatusOr<std::vector<CsvRecord>> ReadCsv(std::string_view content) {
  if (content.starts_with(kBom)) content.remove_prefix(kBom.size());
  std::vector<CsvRecord> records;
  CsvRecord record{1, {}};
  std::string field;
  int line = 1;
  size_t i = 0;
  auto end_field = [&] {
    record.cells.push_back(WithoutFormulaGuard(field));
    field.clear();
  };
  auto end_record = [&] {
    end_field();
    records.push_back(std::move(record));
    record = CsvRecord{line, {}};
  };
  while (i < content.size()) {
    const char c = content[i];
    if (c == '"' && field.empty()) {
      const int quote_line = line;
      for (++i;; ++i) {
        if (i >= content.size()) {
          return absl::InvalidArgumentError(fmt::format(
              "line {}: a quoted field is never closed: expected a closing \"", quote_line));
        }
        if (content[i] == '"') {
          if (i + 1 < content.size() && content[i + 1] == '"') {
            field.push_back('"');
            ++i;
            continue;
          }
          ++i;
          break;
        }
        if (content[i] == '\n') ++line;
        field.push_back(content[i]);
      }
      if (i < content.size() && content[i] != ',' && content[i] != '\r' && content[i] != '\n') {
        return absl::InvalidArgumentError(fmt::format(
            "line {}: text after a closing quote: expected a comma or the end of the line", line));
      }
      continue;
    }
    if (c == ',') {
      end_field();
    } else if (c == '\r' && i + 1 < content.size() && content[i + 1] == '\n') {
      ++line;
      ++i;
      end_record();
    } else if (c == '\n') {
      ++line;
      end_record();
    } else {
      field.push_back(c);
    }
    ++i;
  }
  if (!field.empty() || !record.cells.empty()) end_record();
  return records;
}

}  // namespace dxledger::report
