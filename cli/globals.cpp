// The global options and what every command needs from them: where the vault
// is, opening and unlocking it, and reading a file argument ("-" is stdin).
#include "globals.hpp"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <sstream>
#include <stdexcept>

#include "passphrase.hpp"

namespace casekeep::cli {

namespace {

std::string env(const char* name) {
  const char* value = std::getenv(name);
  return value != nullptr ? value : "";
}

}  // namespace

std::string Globals::vault_path() const {
  // Without a home we would silently create a vault in the working directory.
  if (home.empty()) throw std::runtime_error("No vault directory: pass --home DIR or set CASEKEEP_HOME.");
  return (std::filesystem::path(home) / "vault.db").string();
}

std::string default_home() {
  if (auto home = env("CASEKEEP_HOME"); !home.empty()) return home;
  if (auto user_home = env("HOME"); !user_home.empty()) {
    return (std::filesystem::path(user_home) / ".casekeep").string();
  }
  return "";
}

std::unique_ptr<Vault> open_unlocked(const Globals& globals) {
  // Open first so a missing vault is reported before anyone types a passphrase.
  auto vault = Vault::open(globals.vault_path());
  vault->unlock(read_passphrase(PassphraseEntry::once));
  return vault;
}

std::string read_file_argument(const std::string& path) {
  if (path == "-") {
    return std::string(std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>());
  }
  std::ifstream file(path, std::ios::binary);
  if (!file) throw std::runtime_error("Cannot read " + path + ".");
  std::ostringstream content;
  content << file.rdbuf();
  return content.str();
}

}  // namespace casekeep::cli
