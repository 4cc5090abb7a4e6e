// What the vault shows of records: plain views with hex ids and JSON values.
// Views are copies; holding one never holds a key or a lock.
#pragma once
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace casekeep {

using json = nlohmann::json;

// Case kinds and member roles, as DOMAIN.md names them.
inline const std::vector<std::string> kCaseKinds = {"scr", "case_audit", "imr", "hor", "allegation"};
inline const std::vector<std::string> kRoles = {"lead_reviewer",      "imr_author", "hor_author",
                                                "note_taker",         "supporting_manager", "director",
                                                "chief_executive",    "practitioner", "observer"};

struct Head {
  std::string op;  // op id, hex
  json value;
  std::uint64_t hlc = 0;
  std::string author;  // user id, hex
};

struct RecordView {
  std::string id, space, type;
  bool deleted = false;
  std::string deleted_reason;
  std::string created_by;  // user id, hex
  std::uint64_t created_hlc = 0;
  json fields = json::object();                     // field -> shown value
  std::map<std::string, std::vector<Head>> conflicts;  // fields with more than one head
};

struct SignatureView {
  std::string kind;    // "signed", "agreed" or "disputed"
  std::string signer;  // user id, hex
  std::string signer_name;
  bool valid = false;    // the signature verifies over its signed bytes
  bool current = false;  // it covers the note's current title and body
  std::string comment;   // a dispute's comment
  std::uint64_t hlc = 0;
};

struct NoteView {
  RecordView record;
  // "draft", "signed", "agreed", "disputed"; "needs_review" when content was edited
  // concurrently with a signature and a person must look.
  std::string status;
  std::vector<SignatureView> signatures;
  std::vector<std::string> addenda;  // ids of notes that amend this one
  // What the author's latest valid signature covers: {"title", "body"}; null when
  // unsigned. Differs from record.fields when the note needs review.
  json signed_content;
};

struct HistoryEntry {
  std::string changeset, op;  // hex
  std::string author, author_name, device;
  std::uint64_t hlc = 0;
  std::string kind;   // create, set, add, tombstone
  std::string field;
  json value;
};

struct Conflict {
  std::string space, record, type, field;
  std::vector<Head> heads;
};

struct VerifyProblem {
  std::string subject;  // "changeset <hex>" or "record <hex>"
  std::string message;
};

struct ImportReport {
  std::size_t applied = 0, duplicates = 0, pending = 0;
};

struct CaseInput {
  std::string kind, reference, title;
  std::string lscb, second_lscb;  // lead LSCB and an out-of-area board, optional
  std::string parent;             // an IMR or HOR names its SCR, optional
  std::string status = "open";
};

struct InterviewInput {
  std::string case_id;
  std::string practitioner;  // the practitioner's name (encrypted like all content)
  std::string when, where;   // ISO 8601 date-time, place
};

struct NoteDraft {
  std::string title, body;
};

struct EvidenceInput {
  std::string case_id;
  std::string whose;             // e.g. "child", "mother", "sibling"
  std::string source;            // e.g. "GP practice"
  std::string original_or_copy;  // "original" or "copy"
  std::string date_copied;       // ISO 8601 date, for a copy
  std::string copied_by;         // who made the copy, for a copy
  std::string held_at;
};

// A user's public card: who they are and where to seal keys to them.
struct UserCard {
  std::string user;     // Ed25519 public key, hex
  std::string box_key;  // X25519 public key, hex
  std::string sig;      // the user's signature binding the two, hex
};

}  // namespace casekeep
