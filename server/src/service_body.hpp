// Strict parsing of request bodies for SyncService: a JSON object with exactly
// the known keys, each of the right type. Every failure is an ApiError with a
// sentence, which SyncService::handle turns into a 4xx response.
#pragma once
#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>

#include "casekeep/bytes.hpp"
#include "casekeep/wire.hpp"

namespace casekeep::server {

using wire::json;

// A refusal: an HTTP status, a contract error code, a message, extra members.
struct ApiError {
  int status;
  std::string code;
  std::string message;
  json extra = json::object();
};

[[noreturn]] void refuse(int status, const std::string& code, const std::string& message);
[[noreturn]] void bad_request(const std::string& message);

// The body as a JSON object holding every `required` key and otherwise only `optional` ones.
json parse_object(const std::string& body, std::initializer_list<const char*> required,
                  std::initializer_list<const char*> optional = {});
// A base64 string member decoding to exactly `size` bytes (any size when 0).
Bytes base64_member(const json& object, const char* key, std::size_t size = 0);
std::string text_member(const json& object, const char* key);
std::uint64_t unsigned_value(const json& value, const std::string& what);
// Lowercase hex of exactly `size` bytes, or nothing.
std::optional<Bytes> parse_hex_id(const std::string& text, std::size_t size);

}  // namespace casekeep::server
