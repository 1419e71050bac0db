#include "tests/layering/layers.h"

#include <array>
#include <set>

namespace dxledger::layering {
namespace {

// What an include brings in, as far as layering cares.
enum class Family {
  kBase,
  kProto,  // generated messages and their notation
  kApi,    // the service's wire requests and replies (ledger.pb.h)
  kRpc,    // gRPC and the generated service stubs
  kRocksDb,
  kDomain,
  kReport,
  kStorage,
  kLedger,
  kService,
  kClient,
  kElsewhere,  // the standard library, Abseil, fmt, ICU, OpenSSL, protobuf...
};

bool StartsWith(std::string_view s, std::string_view prefix) { return s.starts_with(prefix); }

Family FamilyOf(std::string_view header) {
  if (StartsWith(header, "base/")) return Family::kBase;
  if (StartsWith(header, "proto/notation/")) return Family::kProto;
  if (header.ends_with(".grpc.pb.h")) return Family::kRpc;
  if (header == "dxledger/v1/ledger.pb.h") return Family::kApi;
  if (StartsWith(header, "dxledger/") || StartsWith(header, "grpc/health/")) {
    return Family::kProto;
  }
  if (StartsWith(header, "grpcpp/") || StartsWith(header, "grpc++/") ||
      StartsWith(header, "grpc/")) {
    return Family::kRpc;
  }
  if (StartsWith(header, "rocksdb/")) return Family::kRocksDb;
  if (StartsWith(header, "service/domain/")) return Family::kDomain;
  if (StartsWith(header, "service/report/")) return Family::kReport;
  if (StartsWith(header, "service/ledger/")) return Family::kLedger;
  if (StartsWith(header, "service/")) return Family::kService;
  if (StartsWith(header, "storage/")) return Family::kStorage;
  if (StartsWith(header, "client/")) return Family::kClient;
  return Family::kElsewhere;
}

std::set<Family> Allowed(Layer layer) {
  using F = Family;
  switch (layer) {
    case Layer::kBase:
      return {F::kBase, F::kElsewhere};
    case Layer::kProto:
      return {F::kBase, F::kProto, F::kElsewhere};
    case Layer::kDomain:
      return {F::kBase, F::kProto, F::kDomain, F::kElsewhere};
    case Layer::kReport:
      return {F::kBase, F::kProto, F::kDomain, F::kReport, F::kElsewhere};
    case Layer::kStorage:
      return {F::kBase, F::kStorage, F::kRocksDb, F::kElsewhere};
    case Layer::kLedger:
      return {F::kBase,   F::kProto,   F::kApi,    F::kDomain,
              F::kReport, F::kStorage, F::kLedger, F::kElsewhere};
    case Layer::kService:
      return {F::kBase,   F::kProto,   F::kApi,    F::kRpc,     F::kDomain,
              F::kReport, F::kStorage, F::kLedger, F::kService, F::kElsewhere};
    case Layer::kClient:
      return {F::kBase, F::kProto, F::kApi, F::kRpc, F::kClient, F::kElsewhere};
  }
  return {};
}

std::string_view LayerName(Layer layer) {
  constexpr std::array<std::string_view, 8> kNames = {"base",        "proto",     "the domain",
                                                      "report",      "storage",   "the ledger",
                                                      "the service", "the client"};
  return kNames[static_cast<size_t>(layer)];
}

std::string Why(Layer layer, Family family) {
  std::string who(LayerName(layer));
  switch (family) {
    case Family::kRocksDb:
      return who + " may not use RocksDB: only storage may";
    case Family::kRpc:
      return who + " may not use gRPC: only the service and the client may";
    case Family::kApi:
      return who + " may not take the service's wire requests (ledger.pb.h)";
    case Family::kBase:
    case Family::kProto:
    case Family::kDomain:
    case Family::kReport:
    case Family::kStorage:
    case Family::kLedger:
    case Family::kService:
    case Family::kClient:
    case Family::kElsewhere:
      break;
  }
  return who + " may not depend on a layer above it or beside it";
}

// The header named by an #include line, with its delimiters; empty when the
// line includes nothing.
std::string_view IncludedHeader(std::string_view line, std::string_view& written) {
  size_t i = line.find_first_not_of(" \t");
  if (i == std::string_view::npos || line[i] != '#') return {};
  i = line.find_first_not_of(" \t", i + 1);
  if (i == std::string_view::npos || !line.substr(i).starts_with("include")) return {};
  i = line.find_first_of("\"<", i + 7);
  if (i == std::string_view::npos) return {};
  const char close = line[i] == '"' ? '"' : '>';
  const size_t end = line.find(close, i + 1);
  if (end == std::string_view::npos) return {};
  written = line.substr(i, end - i + 1);
  return line.substr(i + 1, end - i - 1);
}

}  // namespace

std::optional<Layer> LayerOfFile(std::string_view path) {
  if (StartsWith(path, "base/")) return Layer::kBase;
  if (StartsWith(path, "proto/notation/")) return Layer::kProto;
  if (StartsWith(path, "service/domain/")) return Layer::kDomain;
  if (StartsWith(path, "service/report/")) return Layer::kReport;
  if (StartsWith(path, "service/ledger/")) return Layer::kLedger;
  if (StartsWith(path, "service/")) return Layer::kService;
  if (StartsWith(path, "storage/")) return Layer::kStorage;
  if (StartsWith(path, "client/")) return Layer::kClient;
  return std::nullopt;
}

std::string Violation::ToString() const {
  return file + ":" + std::to_string(line) + ": #include " + include + ": " + why;
}

std::vector<Violation> CheckFile(std::string_view path, std::string_view content) {
  std::vector<Violation> violations;
  const std::optional<Layer> layer = LayerOfFile(path);
  if (!layer) return violations;
  const std::set<Family> allowed = Allowed(*layer);
  int number = 0;
  for (size_t start = 0; start < content.size();) {
    size_t end = content.find('\n', start);
    if (end == std::string_view::npos) end = content.size();
    const std::string_view line = content.substr(start, end - start);
    start = end + 1;
    ++number;
    std::string_view written;
    const std::string_view header = IncludedHeader(line, written);
    if (header.empty()) continue;
    const Family family = FamilyOf(header);
    if (!allowed.contains(family)) {
      violations.push_back({std::string(path), number, std::string(written), Why(*layer, family)});
    }
  }
  return violations;
}

}  // namespace dxledger::layering
