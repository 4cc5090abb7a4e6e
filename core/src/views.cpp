// Read side: records as views, note status from verified signatures, history,
// conflicts and a digest of visible state. Nothing here writes.
#include <algorithm>
#include <tuple>

#include "vault_impl.hpp"

namespace casekeep {
namespace {

// The ids in `table`, of one space or (space empty) of all.
std::vector<Bytes> ids_in(Database& db, const std::string& table, const std::string& space, const std::string& order = "") {
  auto& q = space.empty() ? db.prepare("SELECT id FROM " + table + order)
                          : db.prepare("SELECT id FROM " + table + " WHERE space = ?" + order)
                                .bind(1, parse_id(space, kSpaceIdSize, "space"));
  std::vector<Bytes> ids;
  while (q.step()) ids.push_back(q.column_bytes(0));
  return ids;
}

Head head_of(const OpValue& v) { return {to_hex(v.op), v.value, v.hlc, to_hex(v.author)}; }

RecordView view_of(const RecordState& r) {
  RecordView v;
  v.id = to_hex(r.id);
  v.space = to_hex(r.space);
  v.type = r.type;
  v.created_by = to_hex(r.created.author);
  v.created_hlc = r.created.hlc;
  if (r.deleted()) {
    v.deleted = true;
    v.deleted_reason = r.home().tombstones.begin()->second.value.get<std::string>();
  }
  for (const auto& [field, reg] : r.home().fields) {
    if (const OpValue* shown = reg.shown()) v.fields[field] = shown->value;
    if (reg.heads.size() > 1)
      for (const auto& [id, h] : reg.heads) v.conflicts[field].push_back(head_of(h));
  }
  return v;
}

// Does a stored signature element verify over the bytes it carries?
// Byte strings shown as hex, so views are plain JSON for people and the CLI.
json printable(const json& v) {
  if (v.is_binary()) return to_hex(raw(v));
  if (!v.is_structured()) return v;
  json out = v.is_array() ? json::array() : json::object();
  for (auto it = v.begin(); it != v.end(); ++it) {
    if (v.is_array()) out.push_back(printable(*it));
    else out[it.key()] = printable(it.value());
  }
  return out;
}

bool signature_verifies(const json& e) {
  try {
    const Bytes& signer = raw(e.at("signer"));
    const Bytes& signed_bytes = raw(e.at("signed"));
    const Bytes& sig = raw(e.at("sig"));
    std::string kind = e.at("kind").get<std::string>();
    if (kind == "signed") return crypto::verify_typed(signer, sigtype::note_signed, signed_bytes, sig);
    if (kind == "agreed") return crypto::verify_typed(signer, sigtype::note_agreed, signed_bytes, sig);
    if (kind == "disputed")
      return crypto::verify_typed(signer, sigtype::note_disputed,
                                  to_cbor(json{{"comment", e.at("comment")}, {"signed", bin(signed_bytes)}}), sig);
  } catch (const std::exception&) {
  }
  return false;
}

}  // namespace

RecordView Vault::get(const std::string& record) const {
  return view_of(impl_->existing(parse_id(record, kRecordIdSize, "record"), ""));
}

std::vector<RecordView> Vault::list(const std::string& type, const std::string& space) const {
  impl_->require_unlocked();
  std::vector<Bytes> ids;
  auto& q = space.empty() ? impl_->db->prepare("SELECT id FROM records WHERE type = ?").bind(1, type)
                          : impl_->db->prepare("SELECT id FROM records WHERE type = ? AND space = ?")
                                .bind(1, type).bind(2, parse_id(space, kSpaceIdSize, "space"));
  while (q.step()) ids.push_back(q.column_bytes(0));
  std::vector<RecordView> out;
  for (const Bytes& id : ids) {
    auto r = impl_->load_record(id);
    if (r && r->exists()) out.push_back(view_of(*r));
  }
  std::sort(out.begin(), out.end(), [](const RecordView& a, const RecordView& b) {
    return std::tie(a.created_hlc, a.id) < std::tie(b.created_hlc, b.id);
  });
  return out;
}

std::vector<RecordView> Vault::interviews_of(const std::string& case_id) const {
  std::vector<RecordView> out;
  for (auto& v : list("interview"))
    if (v.fields.value("case", "") == case_id) out.push_back(std::move(v));
  return out;
}

NoteView Vault::note(const std::string& note_hex) const {
  RecordState r = impl_->existing(parse_id(note_hex, kRecordIdSize, "note"), "note");
  std::vector<RecordView> siblings = list("note", to_hex(r.space));
  return impl_->note_view(r, &siblings);
}

// `siblings` are the notes of the same interview, listed once by the caller so a
// listing of n notes does not decrypt them all n times; null skips the addenda.
NoteView Vault::Impl::note_view(const RecordState& r, const std::vector<RecordView>* siblings) const {
  const std::string note_hex = to_hex(r.id);
  NoteView n;
  n.record = view_of(r);
  std::string practitioner = practitioner_of(r.space);
  Bytes current = note_signing_bytes(r);
  bool author_current = false, author_any = false;
  const SignatureView* verdict = nullptr;  // the latest practitioner response on the current content
  auto sigs = r.home().sets.find("signatures");
  if (sigs != r.home().sets.end()) {
    for (const auto& [id, e] : sigs->second) {
      SignatureView s;
      s.kind = e.value.value("kind", "");
      s.signer = to_hex(raw(e.value.value("signer", json::binary({}))));
      s.signer_name = name_of(r.space, from_hex(s.signer));
      s.valid = signature_verifies(e.value);
      s.current = s.valid && raw(e.value.at("signed")) == current;
      s.comment = e.value.value("comment", "");
      s.hlc = e.hlc;
      n.signatures.push_back(s);
    }
    std::sort(n.signatures.begin(), n.signatures.end(), [](auto& a, auto& b) { return a.hlc < b.hlc; });
    for (const auto& [id, e] : sigs->second)
      if (e.value.value("kind", "") == "signed" && raw(e.value.at("signer")) == r.created.author &&
          signature_verifies(e.value)) {
        try {
          json content = json::from_cbor(raw(e.value.at("signed")));
          n.signed_content = {{"title", content.at("title")}, {"body", content.at("body")}};
        } catch (const json::exception&) {
          // Validly signed bytes that are not a note encoding: nothing to show.
        }
      }
    for (const SignatureView& s : n.signatures) {
      bool by_author = s.valid && s.kind == "signed" && s.signer == to_hex(r.created.author);
      author_any = author_any || by_author;
      author_current = author_current || (by_author && s.current);
      if (s.current && s.kind != "signed" && s.signer == practitioner) verdict = &s;
    }
  }
  if (!author_any) n.status = "draft";
  else if (!author_current || !n.record.conflicts.empty()) n.status = "needs_review";
  else if (verdict) n.status = verdict->kind;
  else n.status = "signed";
  if (siblings)
    for (const auto& other : *siblings)
      if (other.fields.value("amends", "") == note_hex) n.addenda.push_back(other.id);
  return n;
}

std::vector<NoteView> Vault::notes_of(const std::string& interview) const {
  std::vector<NoteView> out;
  std::vector<RecordView> notes = list("note", interview);
  for (const auto& v : notes) out.push_back(impl_->note_view(impl_->existing(from_hex(v.id), "note"), &notes));
  return out;
}

std::vector<Conflict> Vault::conflicts(const std::string& space) const {
  impl_->require_unlocked();
  // Only records the conflict index names: a sync asks after every run, and
  // reading every record made that cost grow with the vault.
  std::vector<Bytes> ids = ids_in(*impl_->db, "conflicted", space);
  static const std::vector<std::string> kTypes = {"case", "interview", "note", "evidence", "member"};
  auto rank = [](const std::string& type) { return std::find(kTypes.begin(), kTypes.end(), type) - kTypes.begin(); };
  std::vector<RecordView> views;
  for (const Bytes& id : ids) {
    auto r = impl_->load_record(id);
    if (r && r->exists() && rank(r->type) < static_cast<long>(kTypes.size())) views.push_back(view_of(*r));
  }
  std::sort(views.begin(), views.end(), [&](const RecordView& a, const RecordView& b) {
    return std::make_tuple(rank(a.type), a.created_hlc, a.id) < std::make_tuple(rank(b.type), b.created_hlc, b.id);
  });
  std::vector<Conflict> out;
  for (const auto& v : views)
    for (const auto& [field, heads] : v.conflicts) out.push_back({v.space, v.id, v.type, field, heads});
  return out;
}

std::vector<HistoryEntry> Vault::history(const std::string& record_hex) const {
  Bytes record = parse_id(record_hex, kRecordIdSize, "record");
  RecordState r = impl_->existing(record, "");
  std::vector<Bytes> where;  // each changeset with ops on it
  auto& q = impl_->db->prepare(
      "SELECT c.bytes FROM record_changes o JOIN changesets c ON c.rowid = o.changeset "
      "WHERE o.record = (SELECT rowid FROM records WHERE id = ?) ORDER BY c.hlc, c.rowid").bind(1, record);
  while (q.step()) where.push_back(q.column_bytes(0));
  std::vector<HistoryEntry> out;
  for (const Bytes& bytes : where) {
    Changeset cs = Changeset::decode(bytes);  // its id is the hash of these bytes
    std::string device = to_hex(cs.body().device);
    for (const Op& op : impl_->open_payload(cs))  // in op order
      if (op.record == record)
        out.push_back({to_hex(cs.id()), to_hex(op.id), to_hex(op.author), impl_->name_of(r.space, op.author), device,
                       op.hlc, kind_name(op.kind), op.field, printable(op.value)});
  }
  return out;
}

std::string Vault::state_digest(const std::string& space) const {
  impl_->require_unlocked();
  std::vector<Bytes> ids = ids_in(*impl_->db, "records", space, " ORDER BY id");
  Bytes all;
  for (const Bytes& id : ids) {
    Bytes row = impl_->load_record(id)->encode();
    all.insert(all.end(), row.begin(), row.end());
  }
  return to_hex(crypto::hash(all));
}

}  // namespace casekeep
