#ifndef DXLEDGER_TESTS_LAYERING_LAYERS_H_
#define DXLEDGER_TESTS_LAYERING_LAYERS_H_

#include <optional>
#include <string>
#include <string_view>
#include <vector>

// The layers of dxledger and which may include which. Dependencies run one
// way: base → proto → domain → report → storage → ledger → service, and
// client uses only base and proto. RocksDB belongs to storage; gRPC to the
// service and the client; the wire requests (ledger.pb.h) to the ledger and
// above.
namespace dxledger::layering {

enum class Layer { kBase, kProto, kDomain, kReport, kStorage, kLedger, kService, kClient };

// The layer a source file belongs to by its path from the repository root;
// nullopt for files outside the layers (tests, generated code).
std::optional<Layer> LayerOfFile(std::string_view path);

struct Violation {
  std::string file;
  int line = 0;
  std::string include;  // as written, with its quotes or brackets
  std::string why;

  std::string ToString() const;  // file:line: #include "x": why
};

// Every #include of `content` (the file at `path`) that its layer may not make.
std::vector<Violation> CheckFile(std::string_view path, std::string_view content);

}  // namespace dxledger::layering

#endif  // DXLEDGER_TESTS_LAYERING_LAYERS_H_
