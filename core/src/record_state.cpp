#include "record_state.hpp"

#include <tuple>

namespace casekeep {
namespace {

bool later(const OpValue& a, const OpValue& b) { return std::tie(a.hlc, a.op) > std::tie(b.hlc, b.op); }

json op_value_to_json(const OpValue& v) {
  return {{"op", bin(v.op)}, {"hlc", v.hlc}, {"author", bin(v.author)}, {"value", v.value}};
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
  switch (op.kind) {
    case OpKind::create:
      if (type.empty() || later(created, v)) {
        type = op.value.at("type").get<std::string>();
        created = v;
      }
      break;
    case OpKind::set:
      fields[op.field].apply(v, op.parents);
      break;
    case OpKind::add:
      sets[op.field].emplace(op.id, v);
      break;
    case OpKind::tombstone:
      tombstones.emplace(op.id, v);
      break;
  }
}

const json* RecordState::value(const std::string& field) const {
  auto it = fields.find(field);
  if (it == fields.end()) return nullptr;
  const OpValue* v = it->second.shown();
  return v ? &v->value : nullptr;
}

std::string RecordState::text(const std::string& field) const {
  const json* v = value(field);
  return v && v->is_string() ? v->get<std::string>() : std::string();
}

json RecordState::to_json() const {
  json f = json::object(), s = json::object();
  for (const auto& [name, reg] : fields) {
    json superseded = json::array();
    for (const auto& op_id : reg.superseded) superseded.push_back(bin(op_id));
    f[name] = {{"heads", values_to_json(reg.heads)}, {"superseded", superseded}};
  }
  for (const auto& [name, values] : sets) s[name] = values_to_json(values);
  return {{"id", bin(id)},         {"space", bin(space)},   {"type", type},
          {"created", op_value_to_json(created)}, {"tombstones", values_to_json(tombstones)},
          {"fields", f},           {"sets", s}};
}

RecordState RecordState::from_json(const json& j) {
  RecordState r;
  r.id = j.at("id").get_binary();
  r.space = j.at("space").get_binary();
  r.type = j.at("type").get<std::string>();
  r.created = op_value_from_json(j.at("created"));
  r.tombstones = values_from_json(j.at("tombstones"));
  for (auto it = j.at("fields").begin(); it != j.at("fields").end(); ++it) {
    Register reg;
    reg.heads = values_from_json(it.value().at("heads"));
    for (const auto& id : it.value().at("superseded")) reg.superseded.insert(id.get_binary());
    r.fields.emplace(it.key(), std::move(reg));
  }
  for (auto it = j.at("sets").begin(); it != j.at("sets").end(); ++it) r.sets.emplace(it.key(), values_from_json(it.value()));
  return r;
}

bool RecordState::operator==(const RecordState& o) const {
  return id == o.id && space == o.space && type == o.type && (type.empty() || created == o.created) &&
         tombstones == o.tombstones && fields == o.fields && sets == o.sets;
}

}  // namespace casekeep
