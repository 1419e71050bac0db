#ifndef DXLEDGER_SERVICE_HTTP_CONSOLE_H_
#define DXLEDGER_SERVICE_HTTP_CONSOLE_H_

#include <map>
#include <string>

namespace httplib {
class Server;
}  // namespace httplib

// The web console: static files built into dxledgerd (console_files.h),
// served on the HTTP port beside the API they call (gateway.h).
// - GET / is the console's page; GET /console/<path> its scripts and style;
// - GET /console/config.json tells it the server's default organization.
// Every reply forbids framing and any script, style or connection not from
// this origin (Content-Security-Policy), and carries an ETag, so a reload
// costs a 304.
namespace dxledger::service::http {

class Console {
 public:
  explicit Console(std::string organization);

  void Install(httplib::Server& server) const;

 private:
  struct Served {
    std::string content_type;
    std::string bytes;
    std::string etag;
  };
  // By request path: "/", "/console/js/main.js", ...
  std::map<std::string, Served, std::less<>> files_;
};

}  // namespace dxledger::service::http

#endif  // DXLEDGER_SERVICE_HTTP_CONSOLE_H_
