// The global options and what every command needs from them: where the vault
// is, opening and unlocking it, and reading a file argument ("-" is stdin).
// Nothing here prints; output.hpp does.
#pragma once
#include <memory>
#include <string>

#include "casekeep/vault.hpp"

namespace casekeep::cli {

struct Globals {
  std::string home;   // --home, defaulting to $CASEKEEP_HOME or ~/.casekeep
  bool json = false;  // --json: one JSON document on stdout

  std::string vault_path() const;
};

// $CASEKEEP_HOME, else $HOME/.casekeep, else empty (then --home is required).
std::string default_home();

// Vault::open, then unlock with the passphrase from the environment or the terminal.
std::unique_ptr<Vault> open_unlocked(const Globals& globals);

// The whole content of `path`, or of stdin when `path` is "-".
std::string read_file_argument(const std::string& path);

}  // namespace casekeep::cli
