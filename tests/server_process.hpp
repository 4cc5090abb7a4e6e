// The real casekeep-server binary as a child process on a loopback port, for
// end-to-end tests and the benchmark: start, stop (SIGTERM), kill (SIGKILL),
// restart on the same port and data directory, and run its operator commands.
#pragma once
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <chrono>
#include <cstdio>
#include <stdexcept>
#include <string>
#include <thread>

namespace casekeep::test {

class ServerProcess {
 public:
  explicit ServerProcess(std::string data_dir, std::string binary = CASEKEEP_SERVER_BIN)
      : data_(std::move(data_dir)), bin_(std::move(binary)) {}
  ~ServerProcess() { stop(SIGKILL); }

  // Start listening on `port` (0: any free one) and wait for its ready line.
  void start(int port = 0) {
    int out[2];
    if (pipe(out) != 0) throw std::runtime_error("pipe failed");
    pid_ = fork();
    if (pid_ == 0) {
      dup2(out[1], STDOUT_FILENO);
      close(out[0]);
      std::string listen = "127.0.0.1:" + std::to_string(port);
      std::string log = data_ + ".log";
      freopen(log.c_str(), "a", stderr);
      execl(bin_.c_str(), bin_.c_str(), "--data", data_.c_str(), "--listen", listen.c_str(), nullptr);
      _exit(127);
    }
    close(out[1]);
    FILE* in = fdopen(out[0], "r");
    std::array<char, 256> line{};
    if (!fgets(line.data(), line.size(), in)) throw std::runtime_error("casekeep-server did not start");
    fclose(in);  // the server's later stdout writes go nowhere, which is fine
    std::string text = line.data();
    auto at = text.find("http://");
    if (at == std::string::npos) throw std::runtime_error("unexpected first line: " + text);
    url_ = text.substr(at, text.find_first_of(" \n", at) - at);
    port_ = std::stoi(url_.substr(url_.rfind(':') + 1));
  }

  void stop(int signal = SIGTERM) {
    if (pid_ <= 0) return;
    kill(pid_, signal);
    int status = 0;
    waitpid(pid_, &status, 0);
    pid_ = -1;
  }

  void restart() { start(port_); }

  // `casekeep-server --data DIR user add --name NAME`: the one-time code.
  std::string add_user(const std::string& name, const std::string& role = "imr_author") const {
    std::string cmd = bin_ + " --data '" + data_ + "' user add --name '" + name +
                      "' --role " + role + " 2>/dev/null";
    FILE* p = popen(cmd.c_str(), "r");
    std::array<char, 128> line{};
    std::string code = fgets(line.data(), line.size(), p) ? line.data() : "";
    pclose(p);
    while (!code.empty() && (code.back() == '\n' || code.back() == '\r')) code.pop_back();
    return code;
  }

  const std::string& url() const { return url_; }
  pid_t pid() const { return pid_; }  // the benchmark reads its peak RSS
  std::string database() const { return data_ + "/server.db"; }

 private:
  std::string data_, bin_, url_;
  int port_ = 0;
  pid_t pid_ = -1;
};

}  // namespace casekeep::test
