// Views as JSON, with the field names of their structs: one mapping shared by
// the CLI's --json output and the JavaScript API.
#include "casekeep/records_json.hpp"

namespace casekeep {

void to_json(json& out, const Head& head) {
  out = json{{"op", head.op}, {"value", head.value}, {"hlc", head.hlc}, {"author", head.author}};
}

void to_json(json& out, const RecordView& view) {
  out = json{{"id", view.id},
             {"space", view.space},
             {"type", view.type},
             {"deleted", view.deleted},
             {"deleted_reason", view.deleted_reason},
             {"created_by", view.created_by},
             {"created_hlc", view.created_hlc},
             {"fields", view.fields},
             {"conflicts", view.conflicts}};
}

void to_json(json& out, const SignatureView& signature) {
  out = json{{"kind", signature.kind},   {"signer", signature.signer},   {"signer_name", signature.signer_name},
             {"valid", signature.valid}, {"current", signature.current}, {"comment", signature.comment},
             {"hlc", signature.hlc}};
}

void to_json(json& out, const NoteView& note) {
  out = json{{"record", note.record},
             {"status", note.status},
             {"signatures", note.signatures},
             {"addenda", note.addenda},
             {"signed_content", note.signed_content}};
}

void to_json(json& out, const HistoryEntry& entry) {
  out = json{{"changeset", entry.changeset}, {"op", entry.op},     {"author", entry.author},
             {"author_name", entry.author_name}, {"device", entry.device}, {"hlc", entry.hlc},
             {"kind", entry.kind},           {"field", entry.field}, {"value", entry.value}};
}

void to_json(json& out, const Conflict& conflict) {
  out = json{{"space", conflict.space}, {"record", conflict.record}, {"type", conflict.type},
             {"field", conflict.field}, {"heads", conflict.heads}};
}

void to_json(json& out, const VerifyProblem& problem) {
  out = json{{"subject", problem.subject}, {"message", problem.message}};
}

void to_json(json& out, const UserCard& card) {
  out = json{{"user", card.user}, {"box_key", card.box_key}, {"sig", card.sig}};
}

void from_json(const json& in, UserCard& card) {
  in.at("user").get_to(card.user);
  in.at("box_key").get_to(card.box_key);
  in.at("sig").get_to(card.sig);
}

}  // namespace casekeep
