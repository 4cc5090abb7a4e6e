#include "record_state.hpp"

#include <algorithm>
#include <tuple>

namespace casekeep {
namespace {

bool later(const OpValue& a, const OpValue& b) { return std::tie(a.hlc, a.op) > std::tie(b.hlc, b.op); }

// The *_to_json functions build objects by assignment and move: a braced
// initializer list copies every nested value, and a record row's note text was
// copied five times on each write.
json op_value_to_json(const OpValue& v) {
  json j = json::object();
  j["op"] = bin(v.op);
  j["hlc"] = v.hlc;
  j["author"] = bin(v.author);
  j["value"] = v.value;
  return j;
}

OpValue op_value_from_json(const json& j) {
  return {j.at("op").get_binary(), j.at("hlc").get<std::uint64_t>(), j.at("author").get_binary(), j.at("value")};
}

json values_to_json(const std::map<Bytes, OpValue>& values) {
  json out = json::array();
  for (const auto& [op_id, v] : values) out.push_back(op_value_to_json(v));
  return out;
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

void Register::apply(const OpValue& value, const std::vector<Bytes>& parents) {
  for (const auto& p : parents) {
    superseded.insert(p);
    heads.erase(p);
  }
  if (!superseded.count(value.op)) heads.emplace(value.op, value);
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
  OpValue v{op.id, op.hlc, op.author, op.value};
  RecordContents& c = by_space[op.space];
  switch (op.kind) {
    case OpKind::create:
      if (type.empty() || later(created, v)) {
        type = op.value.at("type").get<std::string>();
        created = v;
        space = op.space;
      }
      break;
    case OpKind::set:
      c.fields[op.field].apply(v, op.parents);
      break;
    case OpKind::add:
      c.sets[op.field].emplace(op.id, v);
      break;
    case OpKind::tombstone:
      c.tombstones.emplace(op.id, v);
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

json contents_to_json(const RecordContents& c) {
  json f = json::object(), s = json::object();
  for (const auto& [name, reg] : c.fields) {
    json superseded = json::array();
    for (const auto& op_id : reg.superseded) superseded.push_back(bin(op_id));
    json& field = f[name] = json::object();
    field["heads"] = values_to_json(reg.heads);
    field["superseded"] = std::move(superseded);
  }
  for (const auto& [name, values] : c.sets) s[name] = values_to_json(values);
  json j = json::object();
  j["tombstones"] = values_to_json(c.tombstones);
  j["fields"] = std::move(f);
  j["sets"] = std::move(s);
  return j;
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

}  // namespace

json RecordState::to_json() const {
  json spaces = json::array();
  for (const auto& [sp, c] : by_space) {
    json entry = json::object();
    entry["space"] = bin(sp);
    entry["contents"] = contents_to_json(c);
    spaces.push_back(std::move(entry));
  }
  json j = json::object();
  j["id"] = bin(id);
  j["space"] = bin(space);
  j["type"] = type;
  j["created"] = op_value_to_json(created);
  j["by_space"] = std::move(spaces);
  return j;
}

RecordState RecordState::from_json(const json& j) {
  RecordState r;
  r.id = j.at("id").get_binary();
  r.space = j.at("space").get_binary();
  r.type = j.at("type").get<std::string>();
  r.created = op_value_from_json(j.at("created"));
  for (const auto& e : j.at("by_space")) r.by_space.emplace(e.at("space").get_binary(), contents_from_json(e.at("contents")));
  return r;
}

bool RecordState::operator==(const RecordState& o) const {
  return id == o.id && space == o.space && type == o.type && (type.empty() || created == o.created) &&
         by_space == o.by_space;
}

}  // namespace casekeep
