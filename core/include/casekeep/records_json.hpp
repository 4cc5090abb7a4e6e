// Views as JSON (nlohmann/json), with the field names of their structs. The
// CLI's --json output and the JavaScript API both use these.
#pragma once
#include "casekeep/records.hpp"

namespace casekeep {

// In namespace casekeep so nlohmann/json finds them by argument-dependent lookup.
void to_json(json& out, const Head& head);
void to_json(json& out, const RecordView& view);
void to_json(json& out, const SignatureView& signature);
void to_json(json& out, const NoteView& note);
void to_json(json& out, const HistoryEntry& entry);
void to_json(json& out, const Conflict& conflict);
void to_json(json& out, const VerifyProblem& problem);
void to_json(json& out, const UserCard& card);
void from_json(const json& in, UserCard& card);

}  // namespace casekeep
