#ifndef DXLEDGER_SERVICE_LEDGER_LEDGER_H_
#define DXLEDGER_SERVICE_LEDGER_LEDGER_H_

#include <functional>
#include <string>

#include "absl/time/time.h"
#include "service/ledger/maintenance.h"
#include "service/ledger/queries.h"
#include "service/ledger/reports.h"
#include "service/ledger/writer.h"
#include "storage/event_store.h"

// The application layer over one store, in the parts its callers need:
// queries (queries.h), writes (writer.h), the progress report (reports.h)
// and maintenance (maintenance.h). No gRPC here, so tests, the importer and
// the server share it. Thread-safe.
namespace dxledger::ledger {

class Ledger {
 public:
  using Clock = std::function<absl::Time()>;

  // `store` must outlive the ledger. A bare goal id means a goal of
  // `default_organization`; `clock` stamps every event.
  Ledger(storage::EventStore& store, std::string default_organization, Clock clock = absl::Now)
      : default_organization_(std::move(default_organization)),
        queries_(store, clock),
        writer_(store, queries_, clock),
        reports_(store, queries_, writer_),
        maintenance_(store) {}

  const std::string& default_organization() const { return default_organization_; }
  Queries& queries() { return queries_; }
  Writer& writer() { return writer_; }
  Reports& reports() { return reports_; }
  Maintenance& maintenance() { return maintenance_; }

 private:
  const std::string default_organization_;
  Queries queries_;
  Writer writer_;
  Reports reports_;
  Maintenance maintenance_;
};

}  // namespace dxledger::ledger

#endif  // DXLEDGER_SERVICE_LEDGER_LEDGER_H_
