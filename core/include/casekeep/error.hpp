// Errors of the casekeep core: one table of codes, one exception type.
// Exceptions stay inside C++; the C and JS boundaries turn them into a code and
// a message in one place each. Messages are sentences a user can act on.
#pragma once
#include <stdexcept>
#include <string>

namespace casekeep {

// The one list of error codes. Numbers are stable: the C API and exit codes use them.
#define CASEKEEP_ERROR_CODES(X)                                              \
  X(ok, 0, "no error")                                                       \
  X(invalid_argument, 1, "an argument is not valid")                         \
  X(wrong_passphrase, 2, "the passphrase is wrong")                          \
  X(locked, 3, "the vault is locked")                                        \
  X(not_found, 4, "no such record, space or vault")                          \
  X(already_exists, 5, "it already exists")                                  \
  X(malformed, 6, "the input is malformed or truncated")                     \
  X(bad_signature, 7, "a signature does not verify")                         \
  X(bad_chain, 8, "a changeset does not extend its device chain")           \
  X(decrypt_failed, 9, "ciphertext failed authentication")                   \
  X(forbidden, 10, "the author may not do this")                             \
  X(rule_violation, 11, "a rule of the case review process forbids this")    \
  X(storage, 12, "the local store failed")                                   \
  X(crypto, 13, "a cryptographic operation failed")                          \
  X(tampered, 14, "stored data has been altered")                            \
  X(unavailable, 15, "the server could not be reached")                       \
  X(refused, 16, "the server refused the request")

enum class ErrorCode : int {
#define CASEKEEP_X(name, num, text) name = num,
  CASEKEEP_ERROR_CODES(CASEKEEP_X)
#undef CASEKEEP_X
};

// Short stable name of a code, e.g. "wrong_passphrase" (for --json and the C API).
const char* error_code_name(ErrorCode code) noexcept;

class Error : public std::runtime_error {
 public:
  Error(ErrorCode code, const std::string& message) : std::runtime_error(message), code_(code) {}
  ErrorCode code() const noexcept { return code_; }

 private:
  ErrorCode code_;
};

}  // namespace casekeep
