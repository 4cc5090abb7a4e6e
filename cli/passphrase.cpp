// Getting the passphrase: from CASEKEEP_PASSPHRASE, else from /dev/tty with echo
// off (POSIX termios). Reads /dev/tty rather than stdin so stdin stays free for
// --body-file -, and restores the terminal on every path out.
#include "passphrase.hpp"

#include <termios.h>

#include <cstdio>
#include <cstdlib>
#include <stdexcept>

namespace casekeep::cli {

namespace {

// Owns the open terminal and puts its echo back however we leave.
class Terminal {
 public:
  Terminal() : file_(std::fopen("/dev/tty", "r+")) {
    if (file_ == nullptr) {
      throw std::runtime_error("No terminal to ask for the passphrase: set CASEKEEP_PASSPHRASE.");
    }
    if (tcgetattr(fileno(file_), &saved_) == 0) {
      termios quiet = saved_;
      quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
      echo_off_ = tcsetattr(fileno(file_), TCSAFLUSH, &quiet) == 0;
    }
  }
  ~Terminal() {
    if (echo_off_) tcsetattr(fileno(file_), TCSAFLUSH, &saved_);
    std::fclose(file_);
  }
  Terminal(const Terminal&) = delete;
  Terminal& operator=(const Terminal&) = delete;

  std::string ask(const char* prompt) {
    std::fputs(prompt, file_);
    std::fflush(file_);
    std::string line;
    int c = 0;
    while ((c = std::fgetc(file_)) != EOF && c != '\n') line.push_back(static_cast<char>(c));
    // The user's Enter was not echoed, so end the prompt's line ourselves.
    std::fputc('\n', file_);
    std::fflush(file_);
    if (c == EOF && line.empty()) throw std::runtime_error("No passphrase was entered.");
    return line;
  }

 private:
  std::FILE* file_;
  termios saved_{};
  bool echo_off_ = false;
};

std::string ask_terminal(PassphraseEntry entry) {
  Terminal terminal;
  std::string passphrase = terminal.ask("Passphrase: ");
  if (!passphrase.empty() && entry == PassphraseEntry::confirm &&
      terminal.ask("Repeat the passphrase: ") != passphrase) {
    throw std::runtime_error("The two passphrases differ.");
  }
  return passphrase;
}

}  // namespace

std::string read_passphrase(PassphraseEntry entry) {
  const char* from_env = std::getenv("CASEKEEP_PASSPHRASE");
  std::string passphrase = from_env != nullptr ? from_env : ask_terminal(entry);
  if (passphrase.empty()) throw std::runtime_error("The passphrase must not be empty.");
  return passphrase;
}

}  // namespace casekeep::cli
