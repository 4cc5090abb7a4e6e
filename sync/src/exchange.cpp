#include "casekeep/exchange.hpp"

#include <future>
#include <utility>

#include "casekeep/error.hpp"
#include "casekeep/parallel.hpp"

namespace casekeep {

std::optional<wire::Request> Exchange::next() {
  if (needs_login() && !engine_.logged_in()) {
    if (challenge_) {
      sent_ = Sent::login;
      return engine_.login_request(*std::exchange(challenge_, std::nullopt));  // checks the challenge answer
    }
    sent_ = Sent::challenge;
    return engine_.challenge_request();
  }
  std::optional<wire::Request> call = next_call();
  sent_ = call ? Sent::call : Sent::nothing;
  if (call && needs_login()) call->token = engine_.token();
  return call;
}

void Exchange::feed(const wire::Response& response, std::optional<SyncEngine::PullPage> read) {
  switch (std::exchange(sent_, Sent::nothing)) {
    case Sent::nothing:
      throw Error(ErrorCode::invalid_argument, "There is no request waiting for this answer.");
    case Sent::challenge:
      challenge_ = response;
      return;
    case Sent::login:
      engine_.on_login_response(response);
      return;
    case Sent::call:
      if (response.status == 401 && needs_login()) {
        if (retried_) throw Error(ErrorCode::refused, "The server refused this device's login.");
        retried_ = true;  // the token expired: log in again, once, and ask again
        engine_.forget_token();
        return;
      }
      retried_ = false;
      if (read) on_read_answer(response, std::move(*read));
      else on_answer(response);
      if (std::exchange(sent_ahead_, false)) sent_ = Sent::call;  // its answer comes next
      return;
  }
}

std::optional<wire::Request> Exchange::guess_next() {
  if (sent_ != Sent::call || sent_ahead_) return std::nullopt;
  std::optional<wire::Request> call = call_guess();
  if (call && needs_login()) call->token = engine_.token();
  return call;
}

bool Exchange::keep_guess(const wire::Response& answer) {
  if (sent_ != Sent::nothing || answer.status != 200 || !guess_holds()) return false;
  sent_ = Sent::call;
  guess_kept();
  return true;
}

std::optional<wire::Request> Exchange::ahead(const wire::Response& response) {
  if (sent_ != Sent::call || response.status != 200) return std::nullopt;
  std::optional<wire::Request> call = call_after(response);
  if (!call) return std::nullopt;
  if (needs_login()) call->token = engine_.token();
  sent_ahead_ = true;
  return call;
}

std::optional<wire::Request> SyncRun::next_call() {
  if (phase_ == Phase::push) {
    if (std::optional<wire::Request> push = engine_.push_request()) {
      pushed_ = wire::frame_count(push->body);
      return push;
    }
    phase_ = last_ == Phase::push ? Phase::done : Phase::pull;
  }
  if (phase_ == Phase::pull) return engine_.pull_request();
  return std::nullopt;
}

void SyncRun::on_answer(const wire::Response& response) {
  if (phase_ == Phase::push) {
    acknowledged_ = engine_.on_push_response(response);
    summary_.sent += acknowledged_;
    return;
  }
  if (!engine_.on_pull_response(response, summary_)) pulled_all();
}

void SyncRun::on_read_answer(const wire::Response& response, SyncEngine::PullPage page) {
  if (phase_ != Phase::pull) return on_answer(response);
  if (!engine_.on_pull_page(std::move(page), summary_)) pulled_all();
}

void SyncRun::pulled_all() {
  phase_ = Phase::done;
  summary_.conflicts = engine_.open_conflicts();
}

// Only answers to call_after()'s requests come here: pull pages.
std::optional<SyncEngine::PullPage> SyncRun::read_ahead(const wire::Response& response) const {
  if (response.status != 200) return std::nullopt;
  try {
    std::shared_ptr<const PayloadKeys> keys = ahead_keys_;
    return SyncEngine::read_pull_page(response, keys.get());
  } catch (const Error&) {
    return std::nullopt;  // read again by feed(), which says what is wrong
  }
}

// The outbox's next batch after the push in flight: sent as soon as that one
// is accepted whole, so the client reads and frames it while the server works.
std::optional<wire::Request> SyncRun::call_guess() {
  if (phase_ != Phase::push) return std::nullopt;
  std::optional<wire::Request> push = engine_.push_request(wire::kMaxPushBatch, pushed_);
  guessed_ = push ? wire::frame_count(push->body) : 0;
  return push;
}

bool SyncRun::guess_holds() const { return phase_ == Phase::push && acknowledged_ == pushed_ && guessed_ > 0; }

bool SyncRun::guess_fits(const wire::Response& answer) const {
  if (phase_ != Phase::push || guessed_ == 0 || answer.status != 200) return false;
  try {
    return SyncEngine::accepted_ids(answer).size() == pushed_;  // what on_answer will acknowledge
  } catch (const Error&) {
    return false;  // feed() says what is wrong with it
  }
}

void SyncRun::guess_kept() { pushed_ = guessed_; }

std::optional<wire::Request> SyncRun::call_after(const wire::Response& response) {
  if (phase_ != Phase::pull) return std::nullopt;
  std::optional<wire::Request> next = engine_.pull_request_after(response);
  // Keys this page brings are not among them: their payloads are opened by the import.
  if (next) ahead_keys_ = std::make_shared<const PayloadKeys>(engine_.payload_keys());
  return next;
}

std::string SyncRun::progress() const {
  if (phase_ == Phase::push) return "sent " + std::to_string(summary_.sent) + " changesets";
  return "received " + std::to_string(summary_.received) + " changesets";
}

std::optional<wire::Request> AuthorizedCall::next_call() {
  if (answered_) return std::nullopt;
  return make_();
}

void AuthorizedCall::on_answer(const wire::Response& response) {
  answer_ = response;
  answered_ = true;
}

namespace {

struct Answer {
  wire::Response response;
  std::optional<SyncEngine::PullPage> read;  // Exchange::read_ahead's
};

// The answer to `request`, fetched beside this thread; read there too when
// `reader` is given (the next pull page is checked while this thread imports).
std::future<Answer> send_meanwhile(Carrier& carrier, const wire::Request& request, const Exchange* reader = nullptr) {
  return run_meanwhile([&carrier, request, reader] {
    Answer answer{carrier.send(request), std::nullopt};
    if (reader) answer.read = reader->read_ahead(answer.response);
    return answer;
  });
}

}  // namespace

void drive(Exchange& exchange, Carrier& carrier, const std::function<void()>& after_each) {
  std::optional<wire::Request> request = exchange.next();
  if (!request) return;
  std::future<Answer> in_flight = send_meanwhile(carrier, *request);  // waits for its thread on a throw
  std::optional<wire::Request> early;  // in flight, and sent before the answer to the request before it
  for (;;) {
    std::optional<wire::Request> guess = exchange.guess_next();  // while the request travels
    // A push's next batch, where the carrier can send two at once: it leaves
    // now, so the server appends it while it makes the one before durable.
    std::future<Answer> guess_flight;
    const bool guess_early = guess && carrier.concurrent();
    if (guess_early) guess_flight = send_meanwhile(carrier, *guess);
    Answer answer = in_flight.get();
    // Sent early, it may have reached the server before the batch before it,
    // and been refused for the gap it left, having written nothing: that one
    // is in now, so it is sent again, once.
    if (early && answer.response.status != 200) answer.response = carrier.send(*early);
    early.reset();
    const wire::Response& response = answer.response;
    std::optional<wire::Request> ahead = exchange.ahead(response);
    if (ahead) in_flight = send_meanwhile(carrier, *ahead, &exchange);
    // A push accepted whole: the next one leaves before this answer is taken
    // in (acknowledging a batch took a while the server sat idle).
    if (!ahead && guess && !guess_flight.valid() && exchange.guess_fits(response))
      guess_flight = send_meanwhile(carrier, *guess);
    exchange.feed(response, std::move(answer.read));
    if (after_each) after_each();
    if (ahead) continue;
    if (guess && exchange.keep_guess(response)) {
      in_flight = guess_flight.valid() ? std::move(guess_flight) : send_meanwhile(carrier, *guess);
      if (guess_early) early = std::move(guess);
      continue;
    }
    // Sent, but not expected after all: its answer is dropped; what it
    // delivered is pushed again later and answered as a replay.
    if (guess_flight.valid()) guess_flight.get();
    request = exchange.next();
    if (!request) return;
    in_flight = send_meanwhile(carrier, *request);
  }
}

}  // namespace casekeep
