// SyncService: the whole casekeep sync HTTP API (docs/http-api.md), without HTTP.
// It takes wire::Request values and returns wire::Response values, so tests and
// the client's in-memory carrier call it directly and the HTTP edge stays thin.
// The server is blind: it reads only changesets' clear metadata, never content.
// Thread-safe: handle() serializes requests (one SQLite connection, one log).
#pragma once
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>

#include "casekeep/bytes.hpp"
#include "casekeep/changeset.hpp"
#include "casekeep/clock.hpp"
#include "casekeep/wire.hpp"
#include "metrics.hpp"
#include "store.hpp"

namespace casekeep::server {

struct Limits {
  std::size_t max_body_bytes = wire::kMaxBodyBytes;
  std::size_t max_push_batch = wire::kMaxPushBatch;
  std::size_t max_pull_page = wire::kMaxPullPage;
  std::size_t default_pull_page = wire::kDefaultPullPage;
  // Changeset bytes per pull page (at least one changeset is always sent):
  // base64 grows them by a third, so a page stays near the 8 MiB body limit.
  std::size_t max_pull_bytes = 6u * 1024u * 1024u;
  // Server seqs a pull page looks through past its cursors, shared among the
  // caller's spaces (at least limit + 1 each): what bounds a page when most of
  // what it passes is the caller's own (held), stepped over without being sent.
  std::uint64_t pull_span = 65536;
  std::uint64_t challenge_ms = wire::kChallengeSeconds * 1000ULL;
  std::uint64_t token_ms = wire::kTokenSeconds * 1000ULL;
  // Per-device token bucket; a rate of 0 turns rate limiting off.
  double rate_per_second = 50;
  double rate_burst = 100;
};

// What the HTTP edge may log about a request (never bodies or content).
struct RequestInfo {
  std::string route;   // a route template such as "/v1/spaces/{space}/conflicts"
  std::string device;  // first 12 hex digits of the caller's device, when known
  std::string error;   // the cause of a 500, for the operator's log
};

class PushFacts;

class SyncService {
 public:
  // Neither is owned; both must outlive the service.
  SyncService(Store& store, Clock& clock, Limits limits = {});

  // Answers every request, never throws: errors are JSON error responses.
  wire::Response handle(const wire::Request& request);
  wire::Response handle(const wire::Request& request, RequestInfo& info);

  Metrics& metrics() { return metrics_; }
  const Limits& limits() const { return limits_; }
  // The route template of a path, for labels and logs ("other" when unknown).
  static std::string route_of(const std::string& path);

 private:
  struct Caller {
    Bytes device, user;
    Bytes cert;  // the device's certificate, verified when it was enrolled
  };
  // A pushed changeset, decoded and its device signature checked before the
  // checks in order (decode_and_verify spreads that over every core).
  struct Incoming {
    Bytes bytes;
    std::optional<Changeset> changeset;  // empty when it does not decode
    std::string decode_error;
    bool signature_valid = false;
  };
  // A push's changesets: the first ones decoded and checked before the lock
  // is taken, the rest (of a large push) decoded under it, a chunk ahead of
  // the one being appended, on another thread.
  struct PushInput {
    std::vector<Incoming> decoded;
    std::vector<Bytes> rest;
  };
  // A changeset a push accepted. The answer's JSON is made of these after
  // the lock is released (under it, it was a tenth of a push's time there).
  struct Accepted {
    Bytes id;
    std::uint64_t seq = 0;
    bool replay = false;
  };
  using AcceptedList = std::optional<std::vector<Accepted>>;  // set by a push that succeeded
  static wire::json accepted_json(const std::vector<Accepted>& accepted);
  struct Bucket {
    double tokens = 0;
    std::uint64_t at_ms = 0;
  };

  // A push's answer is left to the caller, who makes it from `pushed`.
  wire::Response route(const wire::Request& request, RequestInfo& info,
                       std::optional<PushInput>& verified_push, AcceptedList& pushed);
  Caller authenticate(const std::string& token, RequestInfo& info);
  void take_rate_token(const Bytes& device);
  void require_active_device(const Bytes& device, int unknown_status, const char* unknown_code);

  wire::Response enroll(const std::string& body);
  wire::Response login_challenge(const std::string& body, RequestInfo& info);
  wire::Response login(const std::string& body, RequestInfo& info);
  // The push body's changesets, as frames or as JSON with base64; or ApiError.
  std::vector<Bytes> push_entries(const wire::Request& request) const;
  std::vector<Bytes> base64_entries(const std::string& body) const;
  // A push's first decode and signature checks, done before the lock is taken
  // when the request is a well-formed push with a live token; empty otherwise.
  std::optional<PushInput> verify_push_unlocked(const wire::Request& request);
  std::vector<Accepted> push(const Caller& caller, const wire::Request& request, std::optional<PushInput>& verified);
  static std::vector<Incoming> decode_and_verify(std::vector<Bytes> raw);
  Accepted accept_changeset(const Caller& caller, const Incoming& incoming, PushFacts& facts);
  wire::Response pull(const Caller& caller, const wire::Request& request);
  wire::Response conflicts(const Caller& caller, const std::string& space_hex);
  wire::Response user_by_name(const std::string& query);
  wire::Response user_by_id(const std::string& user_hex);

  Store& store_;
  Clock& clock_;
  Limits limits_;
  Metrics metrics_;
  std::mutex mutex_;
  std::map<Bytes, Bucket> buckets_;
  std::uint64_t now_ms_ = 0;  // read once per request
};

}  // namespace casekeep::server
