// The domain: cases, interviews, members, notes and their signatures, evidence.
// Each public call checks the review process's rules, then makes one changeset.
#include <algorithm>

#include "vault_impl.hpp"

namespace casekeep {
namespace {

bool is_one_of(const std::string& v, const std::vector<std::string>& allowed) {
  return std::find(allowed.begin(), allowed.end(), v) != allowed.end();
}

std::string joined(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& s : items) out += (out.empty() ? "" : ", ") + s;
  return out;
}

void require_text(const std::string& value, const char* what) {
  if (value.empty()) throw Error(ErrorCode::invalid_argument, std::string("The ") + what + " must not be empty.");
}

// Add a create op for a new record of `type`; its id is bound to its creator.
Bytes create_record(Txn& txn, const Vault::Impl& impl, const std::string& type) {
  Bytes nonce = crypto::random_bytes(kRecordIdSize);
  Bytes id = record_id_for(impl.identity().user.public_key, nonce);
  txn.create(id, nonce, type);
  return id;
}

// The role a person's own case kind makes them in a new case.
std::string founder_role(const std::string& kind) {
  if (kind == "imr") return "imr_author";
  if (kind == "hor") return "hor_author";
  return "lead_reviewer";
}

bool has_author_signature(const RecordState& note) {
  auto it = note.home().sets.find("signatures");
  if (it == note.home().sets.end()) return false;
  return std::any_of(it->second.begin(), it->second.end(),
                     [](const auto& e) { return e.second.value.value("kind", "") == "signed"; });
}

bool is_note_content(const std::string& field) { return field == "title" || field == "body"; }

}  // namespace

Bytes parse_id(const std::string& hex, std::size_t size, const char* what) {
  Bytes id;
  try {
    id = from_hex(hex);
  } catch (const Error&) {
    id.clear();
  }
  if (id.size() != size)
    throw Error(ErrorCode::invalid_argument, "'" + hex + "' is not a " + what + " id (" + std::to_string(size * 2) +
                                                 " hexadecimal digits).");
  return id;
}

RecordState Vault::Impl::existing(const Bytes& id, const char* what) const {
  auto state = load_record(id);
  if (!state || !state->exists() || (*what && state->type != what))
    throw Error(ErrorCode::not_found, std::string("There is no ") + (*what ? what : "record") + " with id " + to_hex(id) + ".");
  return *state;
}

void Vault::Impl::require_role(const Bytes& space, const std::set<std::string>& roles, const std::string& action) const {
  const Bytes& user = identity().user.public_key;
  if (space_creator(space) == user) return;
  auto& q = db->prepare("SELECT role FROM members WHERE space = ? AND user = ? AND generation = ?")
                .bind(1, space).bind(2, user).bind(3, static_cast<std::int64_t>(current_generation(space)));
  while (q.step())
    if (roles.count(q.column_text(0))) return;
  throw Error(ErrorCode::forbidden, "You (" + identity().name + ") may not " + action + " in this space.");
}

std::string Vault::Impl::name_of(const Bytes& space, const Bytes& user) const {
  if (me && user == me->user.public_key) return me->name;
  std::vector<Bytes> ids;
  auto& q = db->prepare("SELECT id FROM records WHERE space = ? AND type = 'member'").bind(1, space);
  while (q.step()) ids.push_back(q.column_bytes(0));
  for (const Bytes& id : ids) {
    auto member = load_record(id);
    if (member && member->text("user") == to_hex(user) && !member->text("name").empty()) return member->text("name");
  }
  return short_hex(user);
}

// The practitioner comes from the space's verified membership entries, which
// only a manager can write, never from an editable field.
std::string Vault::Impl::practitioner_of(const Bytes& interview) const {
  auto& q = db->prepare("SELECT user FROM members WHERE space = ? AND role = 'practitioner' AND generation = "
                        "(SELECT MAX(generation) FROM members WHERE space = ?)")
                .bind(1, interview).bind(2, interview);
  return q.step() ? to_hex(q.column_bytes(0)) : std::string();
}

Bytes Vault::Impl::note_signing_bytes(const RecordState& note) const {
  auto heads = [&](const char* field) {
    json ids = json::array();
    auto it = note.home().fields.find(field);
    if (it != note.home().fields.end())
      for (const auto& id : it->second.head_ids()) ids.push_back(bin(id));  // map order: sorted
    return ids;
  };
  std::string amends = note.text("amends");
  return to_cbor(json{{"amends", bin(amends.empty() ? Bytes{} : from_hex(amends))},
                      {"body", note.text("body")},
                      {"interview", bin(from_hex(note.text("interview")))},
                      {"note", bin(note.id)},
                      {"title", note.text("title")},
                      {"version", {{"body", heads("body")}, {"title", heads("title")}}}});
}

namespace {

const std::set<std::string> kWriters = {"lead_reviewer", "imr_author", "hor_author", "note_taker",
                                        "supporting_manager", "director", "chief_executive"};
const std::set<std::string> kManagers = {"lead_reviewer", "imr_author", "hor_author"};

// In one SCR the same person may not write both an IMR and the HOR (policy §4.10).
void check_scr_authorship(const Vault::Impl& impl, const std::string& parent, const Bytes& user,
                          const std::string& role) {
  if (parent.empty() || (role != "imr_author" && role != "hor_author")) return;
  const std::string other_kind = role == "imr_author" ? "hor" : "imr";
  const std::string other_role = role == "imr_author" ? "hor_author" : "imr_author";
  auto& q = impl.db->prepare("SELECT id FROM records WHERE type = 'case'");
  std::vector<Bytes> cases;
  while (q.step()) cases.push_back(q.column_bytes(0));
  for (const Bytes& id : cases) {
    auto c = impl.load_record(id);
    if (!c || c->text("parent") != parent || c->text("kind") != other_kind) continue;
    auto& m = impl.db->prepare("SELECT 1 FROM members WHERE space = ? AND user = ? AND role = ?")
                  .bind(1, id).bind(2, user).bind(3, other_role);
    if (m.step())
      throw Error(ErrorCode::rule_violation,
                  "In one SCR the same person may not write both an IMR and the HOR: " + impl.name_of(id, user) +
                      " is already the " + (other_kind == "hor" ? "HOR" : "IMR") + " author of case " + to_hex(id) + ".");
  }
}

// `keys` is the key chain of the space up to the entry's generation.
MemberEntry member_entry(const UserCard& card, const std::string& role, const SecretBytes& keys) {
  MemberEntry m;
  m.user = parse_id(card.user, crypto::kSignPublicSize, "user");
  m.box_key = parse_id(card.box_key, crypto::kBoxPublicSize, "box key");
  m.card_sig = parse_id(card.sig, crypto::kSignatureSize, "card signature");
  if (!crypto::verify_typed(m.user, sigtype::user_card, user_card_message(m.user, m.box_key), m.card_sig))
    throw Error(ErrorCode::invalid_argument, "The user card of " + card.user.substr(0, 12) + " does not verify.");
  m.role = role;
  m.wrap = crypto::seal(m.box_key, keys);
  return m;
}

// A new space founded by this user: genesis nonce, first key, founder as member.
Txn found_space(Vault::Impl& impl, const UserCard& card, const std::string& role) {
  Txn txn;
  txn.genesis = crypto::random_bytes(kSpaceIdSize);
  txn.space = space_id_for(impl.identity().user.public_key, txn.genesis);
  txn.new_space_key = crypto::random_key();
  txn.members.push_back(member_entry(card, role, txn.new_space_key));
  return txn;
}

void record_member(Txn& txn, const Vault::Impl& impl, const Bytes& user, const std::string& role,
                   const std::string& name) {
  Bytes id = create_record(txn, impl, "member");
  txn.set(id, "user", to_hex(user));
  txn.set(id, "role", role);
  txn.set(id, "name", name);
}

}  // namespace

std::string Vault::create_case(const CaseInput& in) {
  impl_->require_unlocked();
  if (!is_one_of(in.kind, kCaseKinds))
    throw Error(ErrorCode::invalid_argument, "'" + in.kind + "' is not a case kind; use one of " + joined(kCaseKinds) + ".");
  require_text(in.reference, "case reference");
  require_text(in.title, "case title");
  std::string role = founder_role(in.kind);
  if (!in.parent.empty()) {
    RecordState parent = impl_->existing(parse_id(in.parent, kSpaceIdSize, "case"), "case");
    if (parent.text("kind") != "scr")
      throw Error(ErrorCode::rule_violation, "An IMR or HOR belongs to an SCR; case " + in.parent + " is a " +
                                                 parent.text("kind") + ".");
    check_scr_authorship(*impl_, in.parent, impl_->identity().user.public_key, role);
  }
  Txn txn = found_space(*impl_, user_card(), role);
  txn.create(txn.space, txn.genesis, "case");
  for (const auto& [field, value] : {std::pair<const char*, const std::string&>{"kind", in.kind},
                                     {"reference", in.reference}, {"title", in.title}, {"lscb", in.lscb},
                                     {"second_lscb", in.second_lscb}, {"parent", in.parent}, {"status", in.status}})
    if (!value.empty()) txn.set(txn.space, field, value);
  record_member(txn, *impl_, impl_->identity().user.public_key, role, display_name());
  impl_->commit(txn);
  return to_hex(txn.space);
}

std::string Vault::create_interview(const InterviewInput& in) {
  Bytes case_id = parse_id(in.case_id, kSpaceIdSize, "case");
  RecordState c = impl_->existing(case_id, "case");
  if (c.deleted()) throw Error(ErrorCode::rule_violation, "Case " + in.case_id + " is deleted.");
  require_text(in.practitioner, "practitioner's name");
  impl_->require_role(case_id, kWriters, "create interviews");
  auto role = impl_->member_role(case_id, impl_->current_generation(case_id), impl_->identity().user.public_key);
  Txn txn = found_space(*impl_, user_card(), role ? *role : founder_role(c.text("kind")));
  txn.create(txn.space, txn.genesis, "interview");
  txn.set(txn.space, "case", in.case_id);
  txn.set(txn.space, "practitioner", in.practitioner);
  txn.set(txn.space, "interviewer", user_id());
  txn.set(txn.space, "status", "planned");
  if (!in.when.empty()) txn.set(txn.space, "when", in.when);
  if (!in.where.empty()) txn.set(txn.space, "where", in.where);
  record_member(txn, *impl_, impl_->identity().user.public_key, txn.members.front().role, display_name());
  impl_->commit(txn);
  return to_hex(txn.space);
}

void Vault::add_member(const std::string& space_hex, const UserCard& card, const std::string& role,
                       const std::string& name) {
  Bytes space = parse_id(space_hex, kSpaceIdSize, "space");
  RecordState root = impl_->existing(space, "");
  if (!is_one_of(role, kRoles))
    throw Error(ErrorCode::invalid_argument, "'" + role + "' is not a role; use one of " + joined(kRoles) + ".");
  require_text(name, "member's name");
  impl_->require_role(space, kManagers, "add members");
  Txn txn;
  txn.space = space;
  std::uint64_t generation = impl_->current_generation(space);
  auto& had = impl_->db->prepare("SELECT 1 FROM members WHERE space = ? AND generation = ? AND user = ? AND role = ?")
                  .bind(1, space).bind(2, static_cast<std::int64_t>(generation))
                  .bind(3, parse_id(card.user, crypto::kSignPublicSize, "user")).bind(4, role);
  if (had.step()) throw Error(ErrorCode::already_exists, name + " is already a " + role + " of this space.");
  txn.members.push_back(member_entry(card, role, impl_->key_chain(space, generation)));
  const Bytes& user = txn.members.front().user;
  if (root.type == "case") check_scr_authorship(*impl_, root.text("parent"), user, role);
  if (role == "practitioner") {
    if (root.type != "interview")
      throw Error(ErrorCode::rule_violation, "A practitioner is a member of their interview only, not of a whole case.");
    if (card.user == user_id() || impl_->space_creator(space) == txn.members.front().user)
      throw Error(ErrorCode::rule_violation, "The interviewer cannot also be the practitioner who agrees the notes.");
    std::string current = impl_->practitioner_of(space);
    if (!current.empty() && current != card.user)
      throw Error(ErrorCode::rule_violation, "This interview already has a practitioner with a casekeep identity.");
  }
  record_member(txn, *impl_, user, role, name);
  impl_->commit(txn);
}

void Vault::remove_member(const std::string& space_hex, const std::string& user_hex, const std::string& reason) {
  Bytes space = parse_id(space_hex, kSpaceIdSize, "space");
  impl_->existing(space, "");
  Bytes user = parse_id(user_hex, crypto::kSignPublicSize, "user");
  require_text(reason, "reason for removing the member");
  impl_->require_role(space, kManagers, "remove members");
  if (user == impl_->space_creator(space))
    throw Error(ErrorCode::rule_violation, "The founder of a space cannot be removed from it.");
  std::uint64_t generation = impl_->current_generation(space);
  // Everyone else stays, under a new key: the removed member cannot read what follows.
  Txn txn;
  txn.space = space;
  txn.rotated_key = crypto::random_key();
  SecretBytes old_chain = impl_->key_chain(space, generation);
  SecretBytes chain(old_chain.size() + crypto::kKeySize);
  std::copy(old_chain.data(), old_chain.data() + old_chain.size(), chain.data());
  std::copy(txn.rotated_key.data(), txn.rotated_key.data() + crypto::kKeySize, chain.data() + old_chain.size());
  bool found = false;
  auto& q = impl_->db->prepare("SELECT user, role, box, card FROM members WHERE space = ? AND generation = ?")
                .bind(1, space).bind(2, static_cast<std::int64_t>(generation));
  std::vector<MemberEntry> stay;
  while (q.step()) {
    MemberEntry m{q.column_bytes(0), q.column_text(1), q.column_bytes(2), q.column_bytes(3), {}};
    if (m.user == user) found = true;
    else stay.push_back(std::move(m));
  }
  if (!found) throw Error(ErrorCode::not_found, "User " + user_hex.substr(0, 12) + " is not a member of this space.");
  for (MemberEntry& m : stay) {
    m.wrap = crypto::seal(m.box_key, chain);
    txn.members.push_back(std::move(m));
  }
  for (const auto& v : list("member", space_hex))
    if (v.fields.value("user", "") == user_hex) txn.tombstone(from_hex(v.id), "Removed from the space: " + reason);
  impl_->commit(txn);
}

std::string Vault::add_note(const std::string& interview_hex, const std::string& title, const std::string& body) {
  Bytes interview = parse_id(interview_hex, kSpaceIdSize, "interview");
  impl_->existing(interview, "interview");
  require_text(title, "note title");
  impl_->require_role(interview, kWriters, "write notes");
  Txn txn;
  txn.space = interview;
  Bytes id = create_record(txn, *impl_, "note");
  txn.set(id, "interview", interview_hex);
  txn.set(id, "title", title);
  txn.set(id, "body", body);
  impl_->commit(txn);
  return to_hex(id);
}

std::vector<std::string> Vault::add_notes(const std::string& interview_hex, const std::vector<NoteDraft>& notes) {
  // Text per changeset: a bulk write signs once per this much, and each
  // changeset stays far below the 4 MiB a changeset and 8 MiB a push may be.
  // Smaller changesets keep the pipeline (commit_each) full for more of the
  // write: S1a, six alternating pairs, median 46.7k notes/s at 1 MiB, 50.2k
  // at 256 KiB; 64 and 512 KiB were no better.
  constexpr std::size_t kNotesPerChangesetBytes = 256 * 1024;
  Bytes interview = parse_id(interview_hex, kSpaceIdSize, "interview");
  impl_->existing(interview, "interview");
  for (const NoteDraft& n : notes) require_text(n.title, "note title");
  impl_->require_role(interview, kWriters, "write notes");
  std::vector<std::string> ids;
  ids.reserve(notes.size());
  std::size_t at = 0;
  impl_->commit_each([&](Txn& txn) {
    if (at == notes.size()) return false;
    txn.space = interview;
    for (std::size_t text = 0; at < notes.size() && text < kNotesPerChangesetBytes; ++at) {
      const NoteDraft& n = notes[at];
      Bytes id = create_record(txn, *impl_, "note");
      txn.set(id, "interview", interview_hex);
      txn.set(id, "title", n.title);
      txn.set(id, "body", n.body);
      ids.push_back(to_hex(id));
      text += n.title.size() + n.body.size();
    }
    return true;
  });
  return ids;
}

void Vault::edit_note(const std::string& note_hex, const std::optional<std::string>& title,
                      const std::optional<std::string>& body) {
  if (!title && !body) throw Error(ErrorCode::invalid_argument, "Nothing to change: give a new title or body.");
  if (title) set_field(note_hex, "title", *title);
  if (body) set_field(note_hex, "body", *body);
}

void Vault::sign_note(const std::string& note_hex) {
  RecordState note = impl_->existing(parse_id(note_hex, kRecordIdSize, "note"), "note");
  const Identity& me = impl_->identity();
  if (note.created.author != me.user.public_key)
    throw Error(ErrorCode::forbidden, "Only the note's author, " + impl_->name_of(note.space, note.created.author) +
                                          ", may sign it.");
  if (has_author_signature(note)) throw Error(ErrorCode::rule_violation, "Note " + note_hex + " is already signed.");
  for (const char* f : {"title", "body"})
    if (note.home().fields.count(f) && note.home().fields.at(f).heads.size() > 1)
      throw Error(ErrorCode::rule_violation, std::string("The note's ") + f + " has conflicting versions; resolve them before signing.");
  Bytes signed_bytes = impl_->note_signing_bytes(note);
  Txn txn;
  txn.space = note.space;
  txn.add(note.id, "signatures",
          {{"kind", "signed"}, {"signer", bin(me.user.public_key)},
           {"sig", bin(crypto::sign_typed(me.user.secret_key, sigtype::note_signed, signed_bytes))},
           {"signed", bin(signed_bytes)}});
  impl_->commit(txn);
}

namespace {

// Agree or dispute: both need the interview's practitioner and a current author signature.
void countersign(Vault::Impl& impl, const std::string& note_hex, const std::string& kind, const std::string& comment) {
  RecordState note = impl.existing(parse_id(note_hex, kRecordIdSize, "note"), "note");
  RecordState interview = impl.existing(from_hex(note.text("interview")), "interview");
  const Identity& me = impl.identity();
  std::string practitioner = impl.practitioner_of(interview.id);
  if (practitioner != to_hex(me.user.public_key))
    throw Error(ErrorCode::forbidden, "Only the interview's practitioner (" + interview.text("practitioner") +
                                          ") may agree or dispute its notes; you are " + me.name + ".");
  Bytes current = impl.note_signing_bytes(note);
  static const std::map<Bytes, OpValue> kNoSignatures;
  auto found = note.home().sets.find("signatures");
  const auto& sigs = found == note.home().sets.end() ? kNoSignatures : found->second;
  bool author_signed = std::any_of(sigs.begin(), sigs.end(), [&](const auto& e) {
    const json& v = e.second.value;
    return v.value("kind", "") == "signed" && raw(v.at("signed")) == current;
  });
  if (!author_signed)
    throw Error(ErrorCode::rule_violation, "Note " + note_hex + " is not signed by its author in its current form; "
                                           "there is nothing to " + (kind == "agreed" ? "agree to." : "dispute."));
  for (const auto& [id, e] : sigs)
    if (e.value.value("kind", "") != "signed" && raw(e.value.at("signer")) == me.user.public_key &&
        raw(e.value.at("signed")) == current)
      throw Error(ErrorCode::rule_violation, "You have already " + e.value.value("kind", std::string()) + " this note.");
  json element = {{"kind", kind}, {"signer", bin(me.user.public_key)}, {"signed", bin(current)}};
  if (kind == "agreed") {
    element["sig"] = bin(crypto::sign_typed(me.user.secret_key, sigtype::note_agreed, current));
  } else {
    require_text(comment, "dispute comment");
    element["comment"] = comment;
    element["sig"] = bin(crypto::sign_typed(me.user.secret_key, sigtype::note_disputed,
                                            to_cbor(json{{"comment", comment}, {"signed", bin(current)}})));
  }
  Txn txn;
  txn.space = note.space;
  txn.add(note.id, "signatures", element);
  impl.commit(txn);
}

}  // namespace

void Vault::agree_note(const std::string& note) { countersign(*impl_, note, "agreed", ""); }
void Vault::dispute_note(const std::string& note, const std::string& comment) {
  countersign(*impl_, note, "disputed", comment);
}

std::string Vault::add_addendum(const std::string& note_hex, const std::string& title, const std::string& body) {
  RecordState note = impl_->existing(parse_id(note_hex, kRecordIdSize, "note"), "note");
  require_text(title, "addendum title");
  impl_->require_role(note.space, kWriters, "write addenda");
  Txn txn;
  txn.space = note.space;
  Bytes id = create_record(txn, *impl_, "note");
  txn.set(id, "interview", note.text("interview"));
  txn.set(id, "amends", note_hex);
  txn.set(id, "title", title);
  txn.set(id, "body", body);
  impl_->commit(txn);
  return to_hex(id);
}

std::string Vault::add_evidence(const EvidenceInput& in) {
  Bytes case_id = parse_id(in.case_id, kSpaceIdSize, "case");
  impl_->existing(case_id, "case");
  require_text(in.whose, "evidence's subject (whose record)");
  require_text(in.source, "evidence's source");
  if (in.original_or_copy != "original" && in.original_or_copy != "copy")
    throw Error(ErrorCode::invalid_argument, "Evidence is either an 'original' or a 'copy'.");
  if (in.original_or_copy == "copy" && (in.date_copied.empty() || in.copied_by.empty()))
    throw Error(ErrorCode::rule_violation, "A copied health record must say when it was copied and who made the copy.");
  impl_->require_role(case_id, kWriters, "record evidence");
  Txn txn;
  txn.space = case_id;
  Bytes id = create_record(txn, *impl_, "evidence");
  for (const auto& [field, value] : {std::pair<const char*, const std::string&>{"case", in.case_id},
                                     {"whose", in.whose}, {"source", in.source},
                                     {"original_or_copy", in.original_or_copy}, {"date_copied", in.date_copied},
                                     {"copied_by", in.copied_by}, {"held_at", in.held_at}})
    if (!value.empty()) txn.set(id, field, value);
  impl_->commit(txn);
  return to_hex(id);
}

void Vault::set_field(const std::string& record_hex, const std::string& field, const json& value) {
  RecordState r = impl_->existing(parse_id(record_hex, kRecordIdSize, "record"), "");
  require_text(field, "field name");
  if (contains_float(value))
    throw Error(ErrorCode::invalid_argument, "Field values may not be floating-point numbers; use text.");
  static const std::set<std::string> kProtected = {"interview", "amends", "case", "interviewer",
                                                    "user", "role", "signatures"};
  if (kProtected.count(field))
    throw Error(ErrorCode::rule_violation, "The field '" + field + "' is set by casekeep itself and cannot be edited.");
  if (r.type == "note" && is_note_content(field) && has_author_signature(r))
    throw Error(ErrorCode::rule_violation, "Note " + record_hex + " is signed; its content cannot change. "
                                           "Add an addendum instead (casekeep note addendum " + record_hex + ").");
  if (r.deleted()) throw Error(ErrorCode::rule_violation, "Record " + record_hex + " is deleted.");
  impl_->require_role(r.space, kWriters, "edit records");
  Txn txn;
  txn.space = r.space;
  txn.set(r.id, field, value);
  impl_->commit(txn);
}

void Vault::resolve(const std::string& record_hex, const std::string& field, const json& value) {
  RecordState r = impl_->existing(parse_id(record_hex, kRecordIdSize, "record"), "");
  if (!r.home().fields.count(field) || r.home().fields.at(field).heads.size() < 2)
    throw Error(ErrorCode::invalid_argument, "Field '" + field + "' of record " + record_hex + " has no conflict to resolve.");
  impl_->require_role(r.space, kWriters, "resolve conflicts");
  // A resolution is an ordinary set whose parents are all current heads (commit fills them in).
  Txn txn;
  txn.space = r.space;
  txn.set(r.id, field, value);
  impl_->commit(txn);
}

void Vault::tombstone(const std::string& record_hex, const std::string& reason) {
  RecordState r = impl_->existing(parse_id(record_hex, kRecordIdSize, "record"), "");
  require_text(reason, "reason for deleting");
  if (r.deleted()) throw Error(ErrorCode::rule_violation, "Record " + record_hex + " is already deleted.");
  impl_->require_role(r.space, kWriters, "delete records");
  Txn txn;
  txn.space = r.space;
  txn.tombstone(r.id, reason);
  impl_->commit(txn);
}

}  // namespace casekeep
