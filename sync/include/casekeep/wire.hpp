// What travels between a casekeep client and casekeep-server, independent of
// how it travels: plain request/response values, JSON bodies, base64 bytes.
// Both the sans-IO sync engine and the server speak only these types, so tests
// can connect them in memory and the HTTP carriers stay thin (docs/http-api.md).
#pragma once
#include <cstddef>
#include <map>
#include <string>

#include <nlohmann/json.hpp>

#include "casekeep/bytes.hpp"

namespace casekeep::wire {

using json = nlohmann::json;

struct Request {
  std::string method;  // "GET" or "POST"
  std::string path;    // e.g. "/v1/push"; a query string stays in the path
  std::string body;    // JSON text, or empty
  std::string token;   // bearer token, or empty
};

struct Response {
  int status = 0;      // HTTP status; 0 means the carrier failed (no answer)
  std::string body;    // JSON text
  // With the charset, cpp-httplib leaves the body uncompressed: its Brotli, at
  // quality 11 for any browser, took ~2 s per megabyte of ciphertext that
  // barely compresses.
  std::string content_type = "application/json; charset=utf-8";
};

// Limits the server enforces and clients respect (docs/http-api.md §Limits).
constexpr std::size_t kMaxBodyBytes = 8u * 1024u * 1024u;
constexpr std::size_t kMaxPushBatch = 1024;
constexpr std::size_t kMaxPullPage = 1000;
constexpr std::size_t kDefaultPullPage = 500;
constexpr int kTokenSeconds = 900;
constexpr int kChallengeSeconds = 60;

// Signature type of a login: the device key over PAE(type, challenge).
inline constexpr const char* kLoginSigType = "casekeep/login/v1";

// Standard base64 with padding (RFC 4648 §4).
std::string base64(const Bytes& bytes);
// Throws casekeep::Error(malformed) on anything that is not base64.
Bytes unbase64(const std::string& text);

// {"error": {"code": code, "message": message}} plus any `extra` members.
Response error_response(int status, const std::string& code, const std::string& message, json extra = json::object());
Response json_response(int status, const json& body);

}  // namespace casekeep::wire
