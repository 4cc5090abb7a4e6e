// A conversation with the server as a sans-IO state machine: next() says what
// to send, feed() takes the answer, until next() has nothing more. It logs in
// first when it needs a token, and once more after a 401 (an expired token).
// Native clients drive it with a Carrier (drive()); the browser drives the same
// object with fetch(), one await per request.
#pragma once
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "casekeep/sync_engine.hpp"

namespace casekeep {

class Exchange {
 public:
  explicit Exchange(SyncEngine& engine) : engine_(engine) {}
  virtual ~Exchange() = default;
  Exchange(const Exchange&) = delete;
  Exchange& operator=(const Exchange&) = delete;

  // The next request to send, or nothing when the exchange is over.
  std::optional<wire::Request> next();
  // The answer to the request next() gave. Throws casekeep::Error when the
  // answer ends the exchange in failure; what was acknowledged stays so.
  // `read`: what read_ahead() read of this answer, if it was called.
  void feed(const wire::Response& response, std::optional<SyncEngine::PullPage> read = std::nullopt);
  // Called with the answer before feed(): the request that will follow it,
  // when that is known before the answer is taken in (the next page of a
  // pull). A driver may send it while feed() works; it then feeds its answer
  // next, without asking next(). Nothing otherwise.
  std::optional<wire::Request> ahead(const wire::Response& response);
  // What can be read of the answer to a request ahead() gave without this
  // exchange's state (a pull page: decoded, its signatures checked). Safe to
  // call on another thread beside feed() of the answer before. Nothing when
  // there is nothing to read, or the answer cannot be read: feed() then
  // reads it again, and says what is wrong with it.
  virtual std::optional<SyncEngine::PullPage> read_ahead(const wire::Response&) const { return std::nullopt; }
  // While the request next() gave travels: the one that will follow it if its
  // answer is what the exchange expects (a push accepted whole: the next
  // batch), built meanwhile. After feed(answer), keep_guess(answer) says
  // whether it still holds; if so it counts as sent, and its answer is fed
  // next. Nothing when no guess can be made.
  std::optional<wire::Request> guess_next();
  bool keep_guess(const wire::Response& answer);
  // Before feed(answer): whether keep_guess(answer) will hold once it is fed
  // (the push was accepted whole), so a driver may send the guess first.
  virtual bool guess_fits(const wire::Response&) const { return false; }
  // One line saying how far it got, for a progress display.
  virtual std::string progress() const { return {}; }

 protected:
  // The next request of the exchange itself (asked again after a re-login, so
  // it must be the same until answered), or nothing when it is over.
  virtual std::optional<wire::Request> next_call() = 0;
  virtual void on_answer(const wire::Response& response) = 0;
  // on_answer() for an answer read_ahead() read.
  virtual void on_read_answer(const wire::Response& response, SyncEngine::PullPage) { on_answer(response); }
  virtual bool needs_login() const { return true; }
  // What ahead() gives: the call after this answer, if known before it is taken in.
  virtual std::optional<wire::Request> call_after(const wire::Response&) { return std::nullopt; }
  // What guess_next() gives, and whether it still holds once its predecessor's answer is in.
  virtual std::optional<wire::Request> call_guess() { return std::nullopt; }
  virtual bool guess_holds() const { return false; }
  virtual void guess_kept() {}
  SyncEngine& engine_;

 private:
  enum class Sent { nothing, challenge, login, call };
  Sent sent_ = Sent::nothing;
  bool sent_ahead_ = false;  // ahead() gave a call: it is in flight once feed() returns
  std::optional<wire::Response> challenge_;
  bool retried_ = false;
};

// Push the whole outbox in batches, then pull every page (or only one of them).
class SyncRun : public Exchange {
 public:
  enum class Phase { push, pull, done };
  explicit SyncRun(SyncEngine& engine, Phase first = Phase::push, Phase last = Phase::pull)
      : Exchange(engine), phase_(first), last_(last) {}
  const SyncSummary& summary() const { return summary_; }
  std::string progress() const override;
  std::optional<SyncEngine::PullPage> read_ahead(const wire::Response& response) const override;
  bool guess_fits(const wire::Response& answer) const override;

 protected:
  std::optional<wire::Request> next_call() override;
  void on_answer(const wire::Response& response) override;
  void on_read_answer(const wire::Response& response, SyncEngine::PullPage page) override;
  std::optional<wire::Request> call_after(const wire::Response& response) override;
  std::optional<wire::Request> call_guess() override;
  bool guess_holds() const override;
  void guess_kept() override;

 private:
  void pulled_all();
  Phase phase_;
  Phase last_;
  std::size_t pushed_ = 0;        // changesets in the push in flight
  std::size_t guessed_ = 0;       // ... in the guessed push after it
  std::size_t acknowledged_ = 0;  // ... the last push answer acknowledged
  // The space keys read_ahead() opens the page after this one with: set by
  // call_after() before that page is fetched, read only by read_ahead().
  std::shared_ptr<const PayloadKeys> ahead_keys_;
  SyncSummary summary_;
};

// One request that needs a token; the answer is kept whatever its status.
class AuthorizedCall : public Exchange {
 public:
  AuthorizedCall(SyncEngine& engine, std::function<wire::Request()> make)
      : Exchange(engine), make_(std::move(make)) {}
  const wire::Response& answer() const { return answer_; }

 protected:
  std::optional<wire::Request> next_call() override;
  void on_answer(const wire::Response& response) override;

 private:
  std::function<wire::Request()> make_;
  bool answered_ = false;
  wire::Response answer_;
};

// Carry every request of `exchange` through `carrier`; `after_each` runs after
// each answer is fed (for progress). A request the exchange knows ahead (the
// next page of a pull) is sent on another thread while the answer before it
// is taken in, so the network and the server work while this client imports.
void drive(Exchange& exchange, Carrier& carrier, const std::function<void()>& after_each = {});

}  // namespace casekeep
