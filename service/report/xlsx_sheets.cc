#include "service/report/xlsx_sheets.h"

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <unicode/utf8.h>
#include <zip.h>

#include <algorithm>
#include <charconv>
#include <map>
#include <memory>

#include "fmt/format.h"

namespace dxledger::report {
namespace {

constexpr zip_uint64_t kMaxPartBytes = 64 << 20;
constexpr zip_uint64_t kMaxUnpackedBytes = 256 << 20;
constexpr int kMaxRows = 1 << 20;  // a sheet's rows, as Excel has them

absl::Status NotAWorkbook(std::string_view why) {
  return absl::InvalidArgumentError(
      fmt::format("the file is not an Excel workbook (.xlsx) dxledger can read: {}; save it from "
                  "Excel as \"Excel Workbook (*.xlsx)\"",
                  why));
}

struct ZipCloser {
  void operator()(zip_t* zip) const { zip_discard(zip); }
};
struct ZipFileCloser {
  void operator()(zip_file_t* file) const { zip_fclose(file); }
};
struct XmlDocFree {
  void operator()(xmlDoc* doc) const { xmlFreeDoc(doc); }
};
using Zip = std::unique_ptr<zip_t, ZipCloser>;
using XmlDoc = std::unique_ptr<xmlDoc, XmlDocFree>;

absl::StatusOr<Zip> OpenZip(std::string_view content) {
  zip_error_t error;
  zip_error_init(&error);
  zip_source_t* source = zip_source_buffer_create(content.data(), content.size(), 0, &error);
  if (source == nullptr) return NotAWorkbook("it cannot be opened");
  zip_t* zip = zip_open_from_source(source, ZIP_RDONLY | ZIP_CHECKCONS, &error);
  if (zip == nullptr) {
    zip_source_free(source);
    const std::string why = zip_error_strerror(&error);
    zip_error_fini(&error);
    return NotAWorkbook(fmt::format("it is not a ZIP archive ({})", why));
  }
  zip_error_fini(&error);
  return Zip(zip);
}

// A part's bytes; NOT_FOUND when the archive has no such part.
absl::StatusOr<std::string> ReadPart(zip_t* zip, const std::string& name) {
  zip_stat_t stat;
  zip_stat_init(&stat);
  if (zip_stat(zip, name.c_str(), 0, &stat) != 0) {
    return absl::NotFoundError(fmt::format("the workbook has no part {}", name));
  }
  if ((stat.valid & ZIP_STAT_SIZE) == 0 || stat.size > kMaxPartBytes) {
    return NotAWorkbook(
        fmt::format("its part {} is larger than {} MiB unpacked", name, kMaxPartBytes >> 20));
  }
  std::unique_ptr<zip_file_t, ZipFileCloser> file(zip_fopen(zip, name.c_str(), 0));
  if (file == nullptr) return NotAWorkbook(fmt::format("its part {} cannot be unpacked", name));
  std::string bytes(stat.size, '\0');
  zip_uint64_t at = 0;
  while (at < bytes.size()) {
    const zip_int64_t n = zip_fread(file.get(), bytes.data() + at, bytes.size() - at);
    if (n <= 0) return NotAWorkbook(fmt::format("its part {} is damaged", name));
    at += static_cast<zip_uint64_t>(n);
  }
  return bytes;
}

absl::StatusOr<XmlDoc> ParseXml(const std::string& bytes, const std::string& name) {
  // No network, no external entities or DTDs (the defaults, and NONET).
  xmlDoc* doc = xmlReadMemory(bytes.data(), static_cast<int>(bytes.size()), name.c_str(), nullptr,
                              XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
  if (doc == nullptr || xmlDocGetRootElement(doc) == nullptr) {
    if (doc != nullptr) xmlFreeDoc(doc);
    return NotAWorkbook(fmt::format("its part {} is not well-formed XML", name));
  }
  return XmlDoc(doc);
}

absl::StatusOr<XmlDoc> ReadXmlPart(zip_t* zip, const std::string& name) {
  absl::StatusOr<std::string> bytes = ReadPart(zip, name);
  if (!bytes.ok()) return bytes.status();
  return ParseXml(*bytes, name);
}

bool Is(const xmlNode* node, std::string_view local_name) {
  return node->type == XML_ELEMENT_NODE && local_name == reinterpret_cast<const char*>(node->name);
}

// An attribute by local name, in whatever namespace (Strict and
// Transitional OOXML name the same attributes in different ones).
std::string Attribute(const xmlNode* node, std::string_view local_name) {
  for (const xmlAttr* attribute = node->properties; attribute; attribute = attribute->next) {
    if (local_name != reinterpret_cast<const char*>(attribute->name)) continue;
    xmlChar* value = xmlNodeListGetString(node->doc, attribute->children, 1);
    std::string out = value ? reinterpret_cast<const char*>(value) : "";
    xmlFree(value);
    return out;
  }
  return "";
}

std::string Text(const xmlNode* node) {
  xmlChar* value = xmlNodeGetContent(node);
  std::string out = value ? reinterpret_cast<const char*>(value) : "";
  xmlFree(value);
  return out;
}

template <typename Visit>
void Children(const xmlNode* node, std::string_view local_name, Visit visit) {
  for (const xmlNode* child = node->children; child; child = child->next) {
    if (Is(child, local_name)) visit(child);
  }
}

int HexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

// ICU's encoder; a lone surrogate (which no text holds) becomes U+FFFD.
void AppendUtf8(UChar32 c, std::string& out) {
  if (U_IS_SURROGATE(c)) c = 0xFFFD;
  char bytes[U8_MAX_LENGTH];
  int32_t length = 0;
  U8_APPEND_UNSAFE(bytes, length, c);  // c is at most U+FFFF, and not a surrogate
  out.append(bytes, static_cast<size_t>(length));
}

// ECMA-376's escape for characters XML cannot hold: _xHHHH_ is the UTF-16
// unit HHHH (so _x000D_ is a carriage return, and _x005F_ a literal _).
std::string Unescape(std::string_view text) {
  if (text.find("_x") == std::string_view::npos) return std::string(text);
  std::string out;
  for (size_t i = 0; i < text.size();) {
    if (i + 7 <= text.size() && text[i] == '_' && text[i + 1] == 'x' && text[i + 6] == '_') {
      int value = 0;
      bool hex = true;
      for (size_t k = i + 2; k < i + 6; ++k) {
        const int digit = HexDigit(text[k]);
        hex = hex && digit >= 0;
        value = value * 16 + digit;
      }
      if (hex) {
        AppendUtf8(value, out);
        i += 7;
        continue;
      }
    }
    out.push_back(text[i++]);
  }
  return out;
}

// A string item (<si> or <is>): its text, or its runs' text, leaving out
// phonetic guides (<rPh>, the furigana Japanese Excel adds).
std::string StringItem(const xmlNode* item) {
  std::string text;
  for (const xmlNode* child = item->children; child; child = child->next) {
    if (Is(child, "t")) {
      text += Text(child);
    } else if (Is(child, "r")) {
      Children(child, "t", [&](const xmlNode* t) { text += Text(t); });
    }
  }
  return Unescape(text);
}

// "C12" → column 2 (from 0), row 12; false for anything else.
bool ParseCellReference(std::string_view reference, int& column, int& row) {
  size_t i = 0;
  column = 0;
  for (; i < reference.size() && reference[i] >= 'A' && reference[i] <= 'Z'; ++i) {
    column = column * 26 + (reference[i] - 'A' + 1);
    if (column > 16384) return false;
  }
  if (i == 0 || i == reference.size()) return false;
  --column;
  auto [end, error] =
      std::from_chars(reference.data() + i, reference.data() + reference.size(), row);
  return error == std::errc() && end == reference.data() + reference.size() && row >= 1;
}

// The target of each relationship in a .rels part, by id, as a part name:
// relative to the folder of the part the relationships belong to.
absl::StatusOr<std::map<std::string, std::pair<std::string, std::string>>> Relationships(
    zip_t* zip, const std::string& rels, std::string_view folder) {
  absl::StatusOr<XmlDoc> doc = ReadXmlPart(zip, rels);
  if (!doc.ok()) return doc.status();
  std::map<std::string, std::pair<std::string, std::string>> out;  // id → (type, part)
  Children(xmlDocGetRootElement(doc->get()), "Relationship", [&](const xmlNode* node) {
    std::string target = Attribute(node, "Target");
    if (target.starts_with('/')) {
      target.erase(0, 1);
    } else {
      target = std::string(folder) + target;
    }
    out[Attribute(node, "Id")] = {Attribute(node, "Type"), target};
  });
  return out;
}

std::string Folder(const std::string& part) {
  const size_t slash = part.rfind('/');
  return slash == std::string::npos ? "" : part.substr(0, slash + 1);
}

std::string RelsOf(const std::string& part) {
  const size_t slash = part.rfind('/');
  const std::string folder = slash == std::string::npos ? "" : part.substr(0, slash + 1);
  const std::string file = slash == std::string::npos ? part : part.substr(slash + 1);
  return folder + "_rels/" + file + ".rels";
}

absl::StatusOr<Sheet> ReadSheet(zip_t* zip, std::string name, const std::string& part,
                                const std::vector<std::string>& shared) {
  absl::StatusOr<XmlDoc> doc = ReadXmlPart(zip, part);
  if (!doc.ok()) return doc.status();
  Sheet sheet{std::move(name), {}};
  const xmlNode* data = nullptr;
  Children(xmlDocGetRootElement(doc->get()), "sheetData", [&](const xmlNode* n) { data = n; });
  if (data == nullptr) return sheet;
  int row_number = 0;
  absl::Status status;
  Children(data, "row", [&](const xmlNode* row) {
    if (!status.ok()) return;
    const std::string r = Attribute(row, "r");
    int number = row_number + 1;
    if (!r.empty()) {
      auto [end, error] = std::from_chars(r.data(), r.data() + r.size(), number);
      if (error != std::errc() || end != r.data() + r.size()) number = 0;
    }
    if (number <= row_number || number > kMaxRows) {
      status = NotAWorkbook(fmt::format("sheet {} has a row numbered \"{}\" after row {}",
                                        sheet.name, r, row_number));
      return;
    }
    row_number = number;
    CsvRecord record{row_number, {}};
    int column = -1;
    Children(row, "c", [&](const xmlNode* cell) {
      if (!status.ok()) return;
      int row_of_cell = row_number;
      const std::string reference = Attribute(cell, "r");
      if (reference.empty()) {
        ++column;
      } else if (!ParseCellReference(reference, column, row_of_cell) || row_of_cell != row_number) {
        status = NotAWorkbook(
            fmt::format("sheet {} has a cell \"{}\" in row {}", sheet.name, reference, row_number));
        return;
      }
      std::string value;
      const std::string type = Attribute(cell, "t");
      if (type == "inlineStr") {
        Children(cell, "is", [&](const xmlNode* is) { value = StringItem(is); });
      } else {
        Children(cell, "v", [&](const xmlNode* v) { value = Text(v); });
        if (type == "s") {
          size_t index = 0;
          auto [end, error] = std::from_chars(value.data(), value.data() + value.size(), index);
          if (error != std::errc() || end != value.data() + value.size() ||
              index >= shared.size()) {
            status = NotAWorkbook(
                fmt::format("sheet {} row {} refers to a missing string", sheet.name, row_number));
            return;
          }
          value = shared[index];
        } else if (type == "b") {
          value = value == "1" ? "TRUE" : "FALSE";
        } else if (type == "str") {
          value = Unescape(value);
        }
      }
      if (record.cells.size() <= static_cast<size_t>(column)) record.cells.resize(column + 1);
      record.cells[column] = std::move(value);
    });
    if (!record.cells.empty()) sheet.rows.push_back(std::move(record));
  });
  if (!status.ok()) return status;
  return sheet;
}

}  // namespace

absl::StatusOr<std::vector<Sheet>> ReadXlsxSheets(std::string_view content) {
  absl::StatusOr<Zip> zip = OpenZip(content);
  if (!zip.ok()) return zip.status();
  // What the archive says it unpacks to, in all: a few MiB of report, not
  // a ZIP bomb. (Each part is read to its stated size and no further.)
  zip_uint64_t unpacked = 0;
  for (zip_int64_t i = 0, n = zip_get_num_entries(zip->get(), 0); i < n; ++i) {
    zip_stat_t stat;
    if (zip_stat_index(zip->get(), static_cast<zip_uint64_t>(i), 0, &stat) == 0 &&
        (stat.valid & ZIP_STAT_SIZE) != 0) {
      unpacked += std::min(stat.size, kMaxUnpackedBytes);
    }
  }
  if (unpacked > kMaxUnpackedBytes) {
    return NotAWorkbook(fmt::format("it unpacks to more than {} MiB", kMaxUnpackedBytes >> 20));
  }
  // The package's relationships name the workbook part (xl/workbook.xml as
  // Excel writes it).
  auto package = Relationships(zip->get(), "_rels/.rels", "");
  if (!package.ok()) {
    return absl::IsNotFound(package.status()) ? NotAWorkbook("it has no _rels/.rels")
                                              : package.status();
  }
  std::string workbook_part;
  for (const auto& [id, relationship] : *package) {
    if (relationship.first.ends_with("/officeDocument")) workbook_part = relationship.second;
  }
  if (workbook_part.empty()) return NotAWorkbook("it names no workbook part");
  auto parts = Relationships(zip->get(), RelsOf(workbook_part), Folder(workbook_part));
  if (!parts.ok()) return parts.status();
  std::vector<std::string> shared;
  for (const auto& [id, relationship] : *parts) {
    if (!relationship.first.ends_with("/sharedStrings")) continue;
    absl::StatusOr<XmlDoc> strings = ReadXmlPart(zip->get(), relationship.second);
    if (!strings.ok()) return strings.status();
    Children(xmlDocGetRootElement(strings->get()), "si",
             [&](const xmlNode* si) { shared.push_back(StringItem(si)); });
  }
  absl::StatusOr<XmlDoc> workbook = ReadXmlPart(zip->get(), workbook_part);
  if (!workbook.ok()) return workbook.status();
  std::vector<std::pair<std::string, std::string>> listed;  // name, relationship id
  Children(xmlDocGetRootElement(workbook->get()), "sheets", [&](const xmlNode* sheets) {
    Children(sheets, "sheet", [&](const xmlNode* sheet) {
      listed.emplace_back(Attribute(sheet, "name"), Attribute(sheet, "id"));
    });
  });
  std::vector<Sheet> sheets;
  for (auto& [name, id] : listed) {
    auto part = parts->find(id);
    if (part == parts->end()) return NotAWorkbook(fmt::format("its sheet {} has no part", name));
    // A chart sheet or a macro sheet has no cells to read.
    if (!part->second.first.ends_with("/worksheet")) continue;
    absl::StatusOr<Sheet> sheet = ReadSheet(zip->get(), name, part->second.second, shared);
    if (!sheet.ok()) return sheet.status();
    sheets.push_back(*std::move(sheet));
  }
  return sheets;
}

}  // namespace dxledger::report
