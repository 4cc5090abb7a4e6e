// Strict request-body parsing for SyncService (service_body.hpp): nlohmann/json
// does the parsing and casekeep::wire the base64; this file only checks shapes.
#include "service_body.hpp"

#include <algorithm>
#include <cstring>

#include "casekeep/error.hpp"

namespace casekeep::server {

void refuse(int status, const std::string& code, const std::string& message) {
  throw ApiError{status, code, message};
}

void bad_request(const std::string& message) { refuse(400, "bad_request", message); }

json parse_object(const std::string& body, std::initializer_list<const char*> required,
                  std::initializer_list<const char*> optional) {
  // No body the API accepts nests deeper than a few levels; refusing deeper ones
  // early keeps hostile input from costing stack or time.
  constexpr int kMaxDepth = 8;
  auto shallow = [](int depth, json::parse_event_t, json&) {
    if (depth > kMaxDepth) bad_request("The request body nests too deeply.");
    return true;
  };
  json j;
  try {
    j = json::parse(body, shallow);
  } catch (const json::exception&) {
    bad_request("The request body is not JSON.");
  }
  if (!j.is_object()) bad_request("The request body is not a JSON object.");
  auto known = [&](const std::string& key) {
    auto same = [&](const char* k) { return key == k; };
    return std::any_of(required.begin(), required.end(), same) || std::any_of(optional.begin(), optional.end(), same);
  };
  for (auto it = j.begin(); it != j.end(); ++it)
    if (!known(it.key())) bad_request("The request has an unknown field '" + it.key() + "'.");
  for (const char* key : required)
    if (!j.contains(key)) bad_request(std::string("The request lacks the field '") + key + "'.");
  return j;
}

Bytes base64_member(const json& object, const char* key, std::size_t size) {
  const json& v = object.at(key);
  if (!v.is_string()) bad_request(std::string("The field '") + key + "' is not a base64 string.");
  Bytes out;
  try {
    out = wire::unbase64(v.get<std::string>());
  } catch (const Error&) {
    bad_request(std::string("The field '") + key + "' is not valid base64.");
  }
  if (size != 0 && out.size() != size)
    bad_request(std::string("The field '") + key + "' holds " + std::to_string(out.size()) + " bytes, not " +
                std::to_string(size) + ".");
  return out;
}

std::string text_member(const json& object, const char* key) {
  const json& v = object.at(key);
  if (!v.is_string()) bad_request(std::string("The field '") + key + "' is not a string.");
  return v.get<std::string>();
}

std::uint64_t unsigned_value(const json& value, const std::string& what) {
  if (!value.is_number_unsigned()) bad_request(what + " is not a whole number of zero or more.");
  return value.get<std::uint64_t>();
}

std::optional<Bytes> parse_hex_id(const std::string& text, std::size_t size) {
  if (text.size() != size * 2) return std::nullopt;
  if (!std::all_of(text.begin(), text.end(), [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); }))
    return std::nullopt;
  return from_hex(text);
}

}  // namespace casekeep::server
