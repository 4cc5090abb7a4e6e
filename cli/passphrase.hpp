// Getting the passphrase: from CASEKEEP_PASSPHRASE for scripts and tests, else
// from the terminal with echo off. The only platform-specific file of the CLI;
// it never writes the passphrase anywhere.
#pragma once
#include <string>

namespace casekeep::cli {

enum class PassphraseEntry {
  once,     // unlocking an existing vault
  confirm,  // a new passphrase: ask twice, since a typo would lock the user out
};

// Throws std::runtime_error when there is no terminal to ask, the input ends,
// the passphrase is empty, or the two entries differ.
std::string read_passphrase(PassphraseEntry entry);

}  // namespace casekeep::cli
