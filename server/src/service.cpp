// SyncService's front door: routing, bearer-token authentication, the
// per-device rate limit, and turning every failure into a JSON error response.
// The routes themselves live in service_auth.cpp, service_push.cpp and service_read.cpp.
#include "service.hpp"

#include <algorithm>
#include <chrono>

#include "casekeep/crypto.hpp"
#include "casekeep/error.hpp"
#include "service_body.hpp"

namespace casekeep::server {
namespace {

constexpr const char* kSpacesPrefix = "/v1/spaces/";
constexpr const char* kConflictsSuffix = "/conflicts";
constexpr const char* kUsersPrefix = "/v1/users/";

bool starts_with(const std::string& s, const std::string& prefix) { return s.compare(0, prefix.size(), prefix) == 0; }
bool ends_with(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// The space hex of /v1/spaces/<hex>/conflicts, or nothing for another path.
std::optional<std::string> conflicts_space(const std::string& path) {
  std::string prefix = kSpacesPrefix, suffix = kConflictsSuffix;
  if (!starts_with(path, prefix) || !ends_with(path, suffix) || path.size() <= prefix.size() + suffix.size())
    return std::nullopt;
  std::string middle = path.substr(prefix.size(), path.size() - prefix.size() - suffix.size());
  if (middle.find('/') != std::string::npos) return std::nullopt;
  return middle;
}

std::optional<std::string> user_path_id(const std::string& path) {
  std::string prefix = kUsersPrefix;
  if (!starts_with(path, prefix) || path.size() == prefix.size()) return std::nullopt;
  std::string rest = path.substr(prefix.size());
  if (rest.find('/') != std::string::npos) return std::nullopt;
  return rest;
}

}  // namespace

SyncService::SyncService(Store& store, Clock& clock, Limits limits)
    : store_(store), clock_(clock), limits_(limits) {
  crypto::init();
}

std::string SyncService::route_of(const std::string& target) {
  std::string path = target.substr(0, target.find('?'));
  for (const char* fixed : {"/healthz", "/metrics", "/v1/enroll", "/v1/login/challenge", "/v1/login", "/v1/push",
                            "/v1/pull", "/v1/users"})
    if (path == fixed) return path;
  if (conflicts_space(path)) return "/v1/spaces/{space}/conflicts";
  if (user_path_id(path)) return "/v1/users/{user}";
  return "other";
}

wire::Response SyncService::handle(const wire::Request& request) {
  RequestInfo info;
  return handle(request, info);
}

wire::Response SyncService::handle(const wire::Request& request, RequestInfo& info) {
  auto started = std::chrono::steady_clock::now();
  std::optional<PushInput> verified_push = verify_push_unlocked(request);
  wire::Response response;
  AcceptedList pushed;
  std::uint64_t seen = 0;  // the store's commits when the answer was made
  {
    std::lock_guard<std::mutex> lock(mutex_);
    now_ms_ = clock_.now_ms();
    info.route = route_of(request.path);
    try {
      if (request.body.size() > limits_.max_body_bytes)
        refuse(413, "too_large", "The request body is larger than the " +
                                     std::to_string(limits_.max_body_bytes / (1024 * 1024)) + " MiB limit.");
      response = route(request, info, verified_push, pushed);
    } catch (const ApiError& e) {
      response = wire::error_response(e.status, e.code, e.message, e.extra);
    } catch (const std::exception& e) {
      info.error = e.what();
      response = wire::error_response(500, "internal", "The server's store failed; nothing was acknowledged.");
    }
    seen = store_.commits();
  }
  // Group commit: no answer leaves before everything it wrote, or read, is
  // on disk; the flush happens outside the lock, shared by whoever waits.
  try {
    store_.wait_durable(seen);
    if (pushed) response = wire::json_response(200, {{"accepted", accepted_json(*pushed)}});
  } catch (const std::exception& e) {
    info.error = e.what();
    response = wire::error_response(500, "internal", std::string(e.what()) + " Nothing was acknowledged.");
  }
  std::chrono::duration<double> took = std::chrono::steady_clock::now() - started;
  metrics_.record_request(info.route, response.status, request.body.size(), response.body.size(), took.count());
  return response;
}

wire::Response SyncService::route(const wire::Request& request, RequestInfo& info,
                                  std::optional<PushInput>& verified_push, AcceptedList& pushed) {
  const std::string& target = request.path;
  std::size_t q = target.find('?');
  std::string path = target.substr(0, q);
  std::string query = q == std::string::npos ? std::string() : target.substr(q + 1);
  bool get = request.method == "GET", post = request.method == "POST";

  if (get && path == "/healthz") return wire::json_response(200, {{"status", "ok"}});
  if (get && path == "/metrics") return {200, metrics_.prometheus_text(), "text/plain; version=0.0.4"};
  if (post && path == "/v1/enroll") return enroll(request.body);
  if (post && path == "/v1/login/challenge") return login_challenge(request.body, info);
  if (post && path == "/v1/login") return login(request.body, info);

  auto space = conflicts_space(path);
  auto user = user_path_id(path);
  bool known = (post && (path == "/v1/push" || path == "/v1/pull")) || (get && (path == "/v1/users" || space || user));
  if (!known) refuse(404, "not_found", "There is no route " + request.method + " " + path + ".");

  Caller caller = authenticate(request.token, info);
  take_rate_token(caller.device);
  if (path == "/v1/push") {
    pushed = push(caller, request, verified_push);
    return {};
  }
  if (path == "/v1/pull") return pull(caller, request);
  if (space) return conflicts(caller, *space);
  if (user) return user_by_id(*user);
  return user_by_name(query);
}

SyncService::Caller SyncService::authenticate(const std::string& token, RequestInfo& info) {
  if (token.empty()) refuse(401, "unauthorized", "This request needs a token: log in first.");
  auto device = store_.token_device(crypto::hash(to_bytes(token)), now_ms_);
  if (!device) refuse(401, "unauthorized", "The token is unknown or has expired: log in again.");
  auto entry = store_.device(*device);
  if (!entry) refuse(401, "unauthorized", "The token's device is not enrolled: enrol it again.");
  info.device = short_hex(entry->device);
  if (entry->revoked) refuse(403, "forbidden", "Device " + info.device + " has been revoked by the operator.");
  return {entry->device, entry->user, entry->cert};
}

void SyncService::take_rate_token(const Bytes& device) {
  if (limits_.rate_per_second <= 0) return;
  auto it = buckets_.try_emplace(device, Bucket{limits_.rate_burst, now_ms_}).first;
  Bucket& b = it->second;
  if (now_ms_ > b.at_ms) {
    double refill = static_cast<double>(now_ms_ - b.at_ms) / 1000.0 * limits_.rate_per_second;
    b.tokens = std::min(limits_.rate_burst, b.tokens + refill);
    b.at_ms = now_ms_;
  }
  if (b.tokens < 1.0)
    refuse(429, "rate_limited", "Device " + short_hex(device) + " sent more requests than the server allows: retry in a second.");
  b.tokens -= 1.0;
}

}  // namespace casekeep::server
