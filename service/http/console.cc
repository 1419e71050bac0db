#include "service/http/console.h"

#include <httplib.h>
#include <openssl/sha.h>

#include "fmt/format.h"
#include "nlohmann/json.hpp"
#include "service/http/console_files.h"

namespace dxledger::service::http {
namespace {

constexpr const char* kPolicy =
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

std::string ContentType(std::string_view path) {
  const auto ends = [path](std::string_view tail) { return path.ends_with(tail); };
  if (ends(".html")) return "text/html; charset=utf-8";
  if (ends(".js")) return "text/javascript; charset=utf-8";
  if (ends(".css")) return "text/css; charset=utf-8";
  if (ends(".json")) return "application/json";
  if (ends(".svg")) return "image/svg+xml";
  return "application/octet-stream";
}

// A strong validator: the first 16 bytes of the content's SHA-256, in hex.
std::string Etag(std::string_view bytes) {
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size(), digest);
  std::string hex = "\"";
  for (int i = 0; i < 16; ++i) hex += fmt::format("{:02x}", digest[i]);
  return hex + "\"";
}

}  // namespace

Console::Console(std::string organization) {
  const auto add = [this](std::string path, std::string_view name, std::string bytes) {
    Served served{ContentType(name), std::move(bytes), ""};
    served.etag = Etag(served.bytes);
    files_.emplace(std::move(path), std::move(served));
  };
  for (const ConsoleFile& file : ConsoleFiles()) {
    add("/console/" + std::string(file.path), file.path, std::string(file.bytes));
    if (file.path == "index.html") add("/", file.path, std::string(file.bytes));
  }
  add("/console/config.json", "config.json",
      nlohmann::json{{"organization", std::move(organization)}}.dump());
}

void Console::Install(httplib::Server& server) const {
  const auto serve = [this](const httplib::Request& request, httplib::Response& response) {
    const auto found = files_.find(request.path);
    response.set_header("Content-Security-Policy", kPolicy);
    response.set_header("X-Content-Type-Options", "nosniff");
    response.set_header("Referrer-Policy", "no-referrer");
    if (found == files_.end()) {
      response.status = 404;
      response.set_content("not found\n", "text/plain; charset=utf-8");
      return;
    }
    const Served& file = found->second;
    // Revalidated on every load: a new dxledgerd's console is seen at once.
    response.set_header("Cache-Control", "no-cache");
    response.set_header("ETag", file.etag);
    if (request.get_header_value("If-None-Match") == file.etag) {
      response.status = 304;
      return;
    }
    response.set_content(file.bytes, file.content_type);
  };
  server.Get("/", serve);
  server.Get(R"(/console/.*)", serve);
}

}  // namespace dxledger::service::http
