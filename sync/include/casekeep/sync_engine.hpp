// The sync engine, sans-IO: it turns the vault's outbox and cursors into
// requests, and responses into vault state. It never touches a socket; a
// Carrier moves the bytes (cpp-httplib natively, fetch() in the browser, an
// in-memory fault injector in tests). Every failure is a casekeep::Error;
// nothing acknowledged by the server is ever lost, and a retry after any
// failure resumes from the vault's outbox and stored cursors.
#pragma once
#include <functional>
#include <optional>
#include <string>

#include "casekeep/vault.hpp"
#include "casekeep/wire.hpp"

namespace casekeep {

class Carrier {
 public:
  virtual ~Carrier() = default;
  // Deliver a request and return the answer; status 0 when there was none.
  virtual wire::Response send(const wire::Request& request) = 0;
  // Whether send() may be called again, from another thread, before an
  // earlier call returns. drive() then sends a push's next batch while the
  // batch before it is still on its way.
  virtual bool concurrent() const { return false; }
};

struct SyncSummary {
  std::size_t sent = 0;       // changesets the server acknowledged
  std::size_t received = 0;   // changesets pulled and applied
  std::size_t pending = 0;    // pulled but waiting for an earlier one
  std::size_t conflicts = 0;  // open conflicts after the sync
};

class SyncEngine {
 public:
  explicit SyncEngine(Vault& vault) : vault_(vault) {}

  wire::Request enroll_request(const std::string& code) const;
  std::string on_enroll_response(const wire::Response& response);  // the name the server knows
  wire::Request challenge_request() const;
  wire::Request login_request(const wire::Response& challenge_response) const;
  void on_login_response(const wire::Response& response);
  bool logged_in() const { return !token_.empty(); }
  const std::string& token() const { return token_; }
  std::size_t open_conflicts() const { return vault_.conflicts().size(); }
  void forget_token() { token_.clear(); }

  // Next batch of the outbox, or nothing when it is empty.
  // `skip`: the outbox's first changesets are in a push still in flight, and
  // this is the batch after it, to send once that one is accepted whole.
  std::optional<wire::Request> push_request(std::size_t batch = wire::kMaxPushBatch, std::size_t skip = 0) const;
  // Acknowledges what the server accepted (even on a refusal); returns how many.
  // Throws Error(refused) naming the refused changeset.
  std::size_t on_push_response(const wire::Response& response);
  // The ids a push answer says were accepted (an answer that is not JSON throws).
  static std::vector<Bytes> accepted_ids(const wire::Response& response);

  wire::Request pull_request(std::size_t limit = wire::kMaxPullPage) const;  // fewer round trips and commits
  // The pull that follows `page`, from the page's own cursors, before the page
  // is imported: a driver can fetch it meanwhile. It is the request
  // pull_request() gives once on_pull_response(page) has stored them. Nothing
  // when the page says there is no more, or is not a framed 200 answer.
  std::optional<wire::Request> pull_request_after(const wire::Response& page,
                                                  std::size_t limit = wire::kMaxPullPage) const;
  // Imports (verifying everything) and stores the new cursors. Returns whether
  // the server has more.
  bool on_pull_response(const wire::Response& response, SyncSummary& summary);
  // A pull answer read as far as it can be without the vault: the page's
  // cursors and whether there is more, and its changesets checked alone.
  // Reads nothing of an engine, so a driver may read the next page on the
  // thread that fetched it while this one imports the page before; with the
  // keys of payload_keys() it opens the payloads too. Throws Error(refused)
  // when the answer is not a pull page.
  struct PullPage {
    json cursors;
    bool more = false;
    CheckedBatch changesets;
  };
  static PullPage read_pull_page(const wire::Response& response, const PayloadKeys* keys = nullptr);
  PayloadKeys payload_keys() const { return vault_.payload_keys(); }
  bool on_pull_page(PullPage page, SyncSummary& summary);  // on_pull_response's import

  wire::Request user_request(const std::string& name_or_id) const;
  UserCard on_user_response(const wire::Response& response) const;
  wire::Request conflicts_request(const std::string& space) const;

 private:
  wire::Request authorized(std::string method, std::string path, std::string body) const;
  wire::Request pull_from(const json& cursors, std::size_t limit) const;
  Vault& vault_;
  std::string token_;
};

// Log in if needed, then push the whole outbox, then pull every page. Retries
// once after a 401 (expired token). `progress` gets a line per round trip.
SyncSummary sync_with(SyncEngine& engine, Carrier& carrier,
                      const std::function<void(const std::string&)>& progress = {});
// Log in if needed and send one request that needs a token.
wire::Response send_authorized(SyncEngine& engine, Carrier& carrier, const std::function<wire::Request()>& make);

// Turn a non-200 response into an Error carrying the server's sentence.
void expect_ok(const wire::Response& response, const char* what);

}  // namespace casekeep
