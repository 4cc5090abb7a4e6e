// The real casekeep-server binary on loopback: the listening line, the HTTP
// edge (bearer tokens, JSON errors, the body limit, metrics), the operator
// commands, and a clean exit on SIGTERM.
#include <httplib.h>
#include <signal.h>
#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>

#include "server_fixture.hpp"

extern char** environ;

using namespace casekeep;
using namespace casekeep::test;

namespace {

bool is_digits(const std::string& s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// Runs the binary with `args`; returns its exit status and first stdout line.
std::pair<int, std::string> run(const std::vector<std::string>& args) {
  std::string command = std::string(CASEKEEP_SERVER_BINARY);
  for (const auto& a : args) command += " '" + a + "'";
  command += " 2>/dev/null";
  FILE* out = popen(command.c_str(), "r");
  REQUIRE(out);
  char line[512] = {0};
  std::string first = fgets(line, sizeof line, out) ? line : "";
  while (fgets(line, sizeof line, out)) {
  }
  int status = pclose(out);
  if (!first.empty() && first.back() == '\n') first.pop_back();
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, first};
}

// A serving casekeep-server on a free loopback port, stopped with SIGTERM.
class RunningServer {
 public:
  explicit RunningServer(const std::string& data, const std::vector<std::string>& extra = {}) {
    int fds[2];
    REQUIRE(pipe(fds) == 0);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, fds[1], 1);
    posix_spawn_file_actions_addclose(&actions, fds[0]);
    posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0);
    std::vector<std::string> args = {CASEKEEP_SERVER_BINARY, "--data", data, "--listen", "127.0.0.1:0"};
    args.insert(args.end(), extra.begin(), extra.end());
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    REQUIRE(posix_spawn(&pid_, argv[0], &actions, nullptr, argv.data(), environ) == 0);
    posix_spawn_file_actions_destroy(&actions);
    close(fds[1]);
    out_ = fdopen(fds[0], "r");
    char line[256] = {0};
    REQUIRE(fgets(line, sizeof line, out_));
    const std::string prefix = "casekeep-server listening on http://127.0.0.1:";
    std::string text = line;
    REQUIRE(text.rfind(prefix, 0) == 0);
    REQUIRE(text.back() == '\n');
    std::string digits = text.substr(prefix.size(), text.size() - prefix.size() - 1);
    REQUIRE(is_digits(digits));
    port = std::stoi(digits);
  }
  ~RunningServer() {
    if (pid_ > 0) stop();
    if (out_) fclose(out_);
  }
  int stop(int signal = SIGTERM) {
    kill(pid_, signal);
    int status = 0;
    waitpid(pid_, &status, 0);
    pid_ = 0;
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  }
  int port = 0;

 private:
  pid_t pid_ = 0;
  FILE* out_ = nullptr;
};

}  // namespace

TEST_CASE("the operator adds and lists users and revokes devices", "[server][http][operator]") {
  TempDir dir;
  std::string data = (dir.path() / "data").string();
  auto [rc, code] = run({"--data", data, "user", "add", "--name", "Alice Smith", "--role", "lead_reviewer"});
  CHECK(rc == 0);
  CHECK(code.size() == 32);
  CHECK(code.find_first_not_of("0123456789abcdef") == std::string::npos);
  auto [list_rc, first] = run({"--data", data, "user", "list"});
  CHECK(list_rc == 0);
  CHECK(first == "Alice Smith\tlead_reviewer\tnot enrolled\t0 devices");
  CHECK(run({"--data", data, "user", "add", "--name", "Bob", "--role", "boss"}).first == 1);
  CHECK(run({"--data", data, "device", "revoke", "--device", std::string(64, 'a')}).first == 1);
  CHECK(run({"user", "list"}).first == 1);  // no --data

  // A config file supplies what the flags do not.
  std::string config = dir.file("server.json");
  std::ofstream(config) << json{{"data", data}}.dump();
  CHECK(run({"--config", config, "user", "list"}).second == first);
  std::ofstream(config) << json{{"data", data}, {"colour", "blue"}}.dump();
  CHECK(run({"--config", config, "user", "list"}).first == 1);
}

TEST_CASE("the HTTP edge carries the API on loopback", "[server][http]") {
  TempDir dir;
  std::string data = (dir.path() / "data").string();
  std::string code = run({"--data", data, "user", "add", "--name", "alice"}).second;
  RunningServer server(data);
  httplib::Client http("127.0.0.1", server.port);

  auto health = http.Get("/healthz");
  REQUIRE(health);
  CHECK(health->status == 200);
  CHECK(json::parse(health->body) == json{{"status", "ok"}});

  auto alice = new_vault(dir, "alice");
  auto enrolled = http.Post("/v1/enroll", enroll_body(*alice, code).dump(), "application/json");
  REQUIRE(enrolled);
  CHECK(enrolled->status == 200);
  auto challenge = http.Post("/v1/login/challenge", json{{"device", b64hex(alice->device_id())}}.dump(), "application/json");
  REQUIRE(challenge);
  Bytes ch = wire::unbase64(json::parse(challenge->body)["challenge"].get<std::string>());
  json login = {{"device", b64hex(alice->device_id())},
                {"challenge", wire::base64(ch)},
                {"sig", wire::base64(alice->sign_with_device(wire::kLoginSigType, ch))}};
  auto logged = http.Post("/v1/login", login.dump(), "application/json");
  REQUIRE(logged);
  REQUIRE(logged->status == 200);
  std::string token = json::parse(logged->body)["token"];

  CaseInput c;
  c.kind = "scr";
  c.reference = "SCR-1";
  c.title = "Child A";
  std::string space = alice->create_case(c);
  auto no_token = http.Post("/v1/push", push_body(alice->outbox(10)).dump(), "application/json");
  REQUIRE(no_token);
  CHECK(no_token->status == 401);
  CHECK(json::parse(no_token->body)["error"]["code"] == "unauthorized");

  http.set_bearer_token_auth(token.c_str());
  auto pushed = http.Post("/v1/push", push_body(alice->outbox(10)).dump(), "application/json");
  REQUIRE(pushed);
  CHECK(pushed->status == 200);
  auto pulled = http.Post("/v1/pull", "{}", "application/json");
  REQUIRE(pulled);
  CHECK(json::parse(pulled->body)["cursors"].contains(space));
  auto user = http.Get("/v1/users?name=alice");
  REQUIRE(user);
  CHECK(json::parse(user->body)["user"] == alice->user_id());

  auto too_big = http.Post("/v1/push", std::string(wire::kMaxBodyBytes + 10, ' '), "application/json");
  REQUIRE(too_big);
  CHECK(too_big->status == 413);
  CHECK(json::parse(too_big->body)["error"]["code"] == "too_large");
  auto missing = http.Get("/nothing/here");
  REQUIRE(missing);
  CHECK(missing->status == 404);
  CHECK(json::parse(missing->body)["error"]["code"] == "not_found");

  auto metrics = http.Get("/metrics");
  REQUIRE(metrics);
  CHECK(metrics->body.find("casekeep_requests_total{route=\"/v1/push\",status=\"200\"} 1") != std::string::npos);
  CHECK(metrics->body.find("casekeep_changesets_accepted_total 1") != std::string::npos);

  CHECK(server.stop() == 0);
}

TEST_CASE("a web directory is served at / beside the API", "[server][http][web]") {
  TempDir dir;
  std::filesystem::create_directories(dir.path() / "web");
  std::ofstream(dir.file("web/index.html")) << "<title>casekeep</title>";
  RunningServer server((dir.path() / "data").string(), {"--web", dir.file("web")});
  httplib::Client http("127.0.0.1", server.port);
  auto page = http.Get("/");
  REQUIRE(page);
  CHECK(page->status == 200);
  CHECK(page->body == "<title>casekeep</title>");
  auto health = http.Get("/healthz");
  REQUIRE(health);
  CHECK(health->status == 200);
  auto api = http.Post("/v1/pull", "{}", "application/json");
  REQUIRE(api);
  CHECK(api->status == 401);
  CHECK(server.stop(SIGINT) == 0);
}
