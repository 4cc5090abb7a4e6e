#include "record_state.hpp"

#include <algorithm>
#include <tuple>

#include "cbor_writer.hpp"

namespace casekeep {
namespace {

bool later(const OpValue& a, const OpValue& b) { return std::tie(a.hlc, a.op) > std::tie(b.hlc, b.op); }

// Rows are written by CborWriter in the form to_cbor gives the state as a
// json map (keys in bytewise order), which rows written before had; they are
// read back through a json tree (the *_from_json functions).
void write_op_value(CborWriter& w, const OpValue& v) {
  w.map(4);
  w.entry("author", v.author);
  w.entry("hlc", v.hlc);
  w.entry("op", v.op);
  w.text("value");
  w.value(v.value);
}

void write_values(CborWriter& w, const std::map<Bytes, OpValue>& values) {
  w.array(values.size());
  for (const auto& [op_id, v] : values) write_op_value(w, v);
}

OpValue op_value_from_json(const json& j) {
  return {j.at("op").get_binary(), j.at("hlc").get<std::uint64_t>(), j.at("author").get_binary(), j.at("value")};
}

std::map<Bytes, OpValue> values_from_json(const json& j) {
  std::map<Bytes, OpValue> out;
  for (const auto& e : j) {
    OpValue v = op_value_from_json(e);
    out.emplace(v.op, std::move(v));
  }
  return out;
}

}  // namespace

void Register::apply(OpValue value, const std::vector<Bytes>& parents) {
  for (const auto& p : parents) {
    superseded.insert(p);
    heads.erase(p);
  }
  if (!superseded.count(value.op)) {
    Bytes id = value.op;
    heads.emplace(std::move(id), std::move(value));
  }
}

const OpValue* Register::shown() const {
  const OpValue* best = nullptr;
  for (const auto& [op_id, v] : heads)
    if (!best || later(v, *best)) best = &v;
  return best;
}

std::vector<Bytes> Register::head_ids() const {
  std::vector<Bytes> ids;
  for (const auto& [op_id, v] : heads) ids.push_back(op_id);
  return ids;
}

void RecordState::apply(const Op& op) {
  Op copy = op;
  apply(std::move(copy));
}

void RecordState::apply(Op&& op) {
  OpValue v{op.id, op.hlc, op.author, std::move(op.value)};
  RecordContents& c = by_space[op.space];
  switch (op.kind) {
    case OpKind::create:
      if (type.empty() || later(created, v)) {
        type = v.value.at("type").get<std::string>();
        created = std::move(v);
        space = op.space;
      }
      break;
    case OpKind::set:
      c.fields[op.field].apply(std::move(v), op.parents);
      break;
    case OpKind::add:
      c.sets[op.field].emplace(op.id, std::move(v));
      break;
    case OpKind::tombstone:
      c.tombstones.emplace(op.id, std::move(v));
      break;
  }
}

const RecordContents& RecordState::home() const {
  static const RecordContents kNone;
  auto it = by_space.find(space);
  return it == by_space.end() ? kNone : it->second;
}

bool RecordState::deleted() const { return !home().tombstones.empty(); }

bool RecordState::in_conflict() const {
  const auto& fields = home().fields;
  return std::any_of(fields.begin(), fields.end(), [](const auto& f) { return f.second.heads.size() > 1; });
}

const json* RecordState::value(const std::string& field) const {
  const auto& fields = home().fields;
  auto it = fields.find(field);
  if (it == fields.end()) return nullptr;
  const OpValue* v = it->second.shown();
  return v ? &v->value : nullptr;
}

std::string RecordState::text(const std::string& field) const {
  const json* v = value(field);
  return v && v->is_string() ? v->get<std::string>() : std::string();
}

namespace {

void write_contents(CborWriter& w, const RecordContents& c) {
  w.map(3);
  w.text("fields");
  w.map(c.fields.size());
  for (const auto& [name, reg] : c.fields) {
    w.text(name);
    w.map(2);
    w.text("heads");
    write_values(w, reg.heads);
    w.text("superseded");
    w.array(reg.superseded.size());
    for (const auto& op_id : reg.superseded) w.bytes(op_id);
  }
  w.text("sets");
  w.map(c.sets.size());
  for (const auto& [name, values] : c.sets) {
    w.text(name);
    write_values(w, values);
  }
  w.text("tombstones");
  write_values(w, c.tombstones);
}

RecordContents contents_from_json(const json& j) {
  RecordContents c;
  c.tombstones = values_from_json(j.at("tombstones"));
  for (auto it = j.at("fields").begin(); it != j.at("fields").end(); ++it) {
    Register reg;
    reg.heads = values_from_json(it.value().at("heads"));
    for (const auto& op_id : it.value().at("superseded")) reg.superseded.insert(op_id.get_binary());
    c.fields.emplace(it.key(), std::move(reg));
  }
  for (auto it = j.at("sets").begin(); it != j.at("sets").end(); ++it) c.sets.emplace(it.key(), values_from_json(it.value()));
  return c;
}

RecordState state_from_json(const json& j) {
  RecordState r;
  r.id = j.at("id").get_binary();
  r.space = j.at("space").get_binary();
  r.type = j.at("type").get<std::string>();
  r.created = op_value_from_json(j.at("created"));
  for (const auto& e : j.at("by_space")) r.by_space.emplace(e.at("space").get_binary(), contents_from_json(e.at("contents")));
  return r;
}

}  // namespace

Bytes RecordState::encode() const {
  CborWriter w(1024);
  w.map(5);
  w.text("by_space");
  w.array(by_space.size());
  for (const auto& [sp, c] : by_space) {
    w.map(2);
    w.text("contents");
    write_contents(w, c);
    w.entry("space", sp);
  }
  w.text("created");
  write_op_value(w, created);
  w.entry("id", id);
  w.entry("space", space);
  w.entry("type", type);
  return w.take();
}

RecordState RecordState::decode(const std::uint8_t* data, std::size_t size) {
  return state_from_json(json::from_cbor(data, data + size));
}

bool RecordState::operator==(const RecordState& o) const {
  return id == o.id && space == o.space && type == o.type && (type.empty() || created == o.created) &&
         by_space == o.by_space;
}

}  // namespace casekeep
