// casekeep: the native command-line client of the casekeep vault.
// This file sets up the app and its global options, and is the one place that
// turns a failure into a message and an exit code.
//
// Exit codes (also in docs/cli-exit-codes.md):
//    0  success (and --help)
//    1  any other failure (no terminal for the passphrase, unreadable file, ...)
//    2  usage error: unknown command or option, missing or invalid argument
//   10 + the core's ErrorCode, from CASEKEEP_ERROR_CODES in casekeep/error.hpp:
//   11  invalid_argument    an argument is not valid
//   12  wrong_passphrase    the passphrase is wrong
//   13  locked              the vault is locked
//   14  not_found           no such record, space or vault
//   15  already_exists      it already exists
//   16  malformed           the input is malformed or truncated
//   17  bad_signature       a signature does not verify
//   18  bad_chain           a changeset does not extend its device chain
//   19  decrypt_failed      ciphertext failed authentication
//   20  forbidden           the author may not do this
//   21  rule_violation      a rule of the case review process forbids this
//   22  storage             the local store failed
//   23  crypto              a cryptographic operation failed
//   24  tampered            stored data has been altered (also: verify found problems)
//   25  unavailable         the server could not be reached
//   26  refused             the server refused the request
// With --json a failure also prints {"error":{"code":NAME,"message":TEXT}} on
// stdout, NAME being the core's code name, "usage" (2) or "failed" (1); verify
// adds "details": the list of problems.
#include <iostream>

#include <CLI/CLI.hpp>

#include "casekeep/crypto.hpp"
#include "casekeep/error.hpp"
#include "commands.hpp"
#include "globals.hpp"
#include "output.hpp"

namespace {

constexpr int kExitFailed = 1;
constexpr int kExitUsage = 2;
constexpr int kExitCoreBase = 10;

int fail(const casekeep::cli::Globals& globals, const std::string& code, const std::string& message,
         int exit_code, const casekeep::json& details = nullptr) {
  std::cerr << "casekeep: " << message << '\n';
  if (globals.json) {
    casekeep::json error = {{"code", code}, {"message", message}};
    if (!details.is_null()) error["details"] = details;
    casekeep::cli::print_json({{"error", error}});
  }
  return exit_code;
}

int core_exit_code(casekeep::ErrorCode code) { return kExitCoreBase + static_cast<int>(code); }

}  // namespace

int main(int argc, char** argv) {
  using namespace casekeep;
  cli::Globals globals;
  globals.home = cli::default_home();

  CLI::App app{"casekeep: case review records in an encrypted, signed local vault."};
  app.footer("Exit codes: 0 ok, 1 failure, 2 usage, 10+N a vault error (see docs/cli-exit-codes.md).");
  // Global options are accepted after the subcommand too: casekeep case list --json.
  app.fallthrough();
  app.require_subcommand(1);
  app.add_option("--home", globals.home, "Directory holding vault.db ($CASEKEEP_HOME or ~/.casekeep)")
      ->capture_default_str();
  app.add_flag("--json", globals.json, "Print one JSON document on stdout");

  cli::add_vault_commands(app, globals);
  cli::add_case_commands(app, globals);
  cli::add_interview_commands(app, globals);
  cli::add_note_commands(app, globals);
  cli::add_record_commands(app, globals);
  cli::add_sync_commands(app, globals);

  try {
    crypto::init();
    app.parse(argc, argv);  // the chosen command runs inside parse, as a callback
    return 0;
  } catch (const CLI::ParseError& e) {
    const int printed = app.exit(e);  // help goes to stdout, errors to stderr
    if (printed == static_cast<int>(CLI::ExitCodes::Success)) return 0;
    if (globals.json) cli::print_json({{"error", {{"code", "usage"}, {"message", e.what()}}}});
    return kExitUsage;
  } catch (const cli::ErrorWithDetails& e) {
    return fail(globals, error_code_name(e.code()), e.what(), core_exit_code(e.code()), e.details());
  } catch (const Error& e) {
    return fail(globals, error_code_name(e.code()), e.what(), core_exit_code(e.code()));
  } catch (const std::exception& e) {
    return fail(globals, "failed", e.what(), kExitFailed);
  }
}
