#ifndef DXLEDGER_TESTS_SERVICE_STOPPED_SERVER_H_
#define DXLEDGER_TESTS_SERVICE_STOPPED_SERVER_H_

#include <memory>
#include <string>

#include "storage/rocksdb_kv.h"
#include "tests/service/test_server.h"

// What someone with the files can do to a stopped server's data directory,
// and what dxledgerd then says.
namespace dxledger::testsupport {

// The store of a stopped server, opened as bytes (null on failure, which
// fails the test).
std::unique_ptr<storage::RocksDbKv> OpenStore(const TestServer& server);

// Starts dxledgerd on the data directory, expecting it to refuse; returns
// what it printed.
std::string RefusedStart(const TestServer& server);

}  // namespace dxledger::testsupport

#endif  // DXLEDGER_TESTS_SERVICE_STOPPED_SERVER_H_
