// The command groups of casekeep. Each adds its subcommands to the app; their
// callbacks read `globals` when they run, after the whole command line is parsed.
// Callbacks throw on failure and never choose an exit code: main does.
#pragma once
#include <CLI/CLI.hpp>

#include "casekeep/error.hpp"
#include "casekeep/records.hpp"
#include "globals.hpp"

namespace casekeep::cli {

// A core-coded failure that also carries data for --json (verify's problems).
class ErrorWithDetails : public Error {
 public:
  ErrorWithDetails(ErrorCode code, const std::string& message, json details)
      : Error(code, message), details_(std::move(details)) {}
  const json& details() const noexcept { return details_; }

 private:
  json details_;
};

void add_vault_commands(CLI::App& app, const Globals& globals);      // init, whoami, verify
void add_case_commands(CLI::App& app, const Globals& globals);       // case, evidence, member
void add_interview_commands(CLI::App& app, const Globals& globals);  // interview
void add_note_commands(CLI::App& app, const Globals& globals);       // note
void add_record_commands(CLI::App& app, const Globals& globals);     // delete, history, conflicts, resolve
void add_sync_commands(CLI::App& app, const Globals& globals);       // enroll, sync, status

}  // namespace casekeep::cli
