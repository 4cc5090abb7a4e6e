// What travels between a casekeep client and casekeep-server, independent of
// how it travels: plain request/response values, JSON bodies, base64 bytes.
// Both the sans-IO sync engine and the server speak only these types, so tests
// can connect them in memory and the HTTP carriers stay thin (docs/http-api.md).
#pragma once
#include <cstddef>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "casekeep/bytes.hpp"

namespace casekeep::wire {

using json = nlohmann::json;

// The media type of a list of changesets as frames (docs/http-api.md §Frames):
// each is its length as 4 bytes big-endian, then its bytes. In JSON they were
// base64 text, and writing, parsing and decoding that was a third of a push's
// work on the server and a tenth of a pull's on the client.
inline constexpr const char* kFramesType = "application/vnd.casekeep.frames";
inline constexpr const char* kJsonType = "application/json";

struct Request {
  Request() = default;
  Request(std::string method_, std::string path_, std::string body_ = "", std::string token_ = "")
      : method(std::move(method_)), path(std::move(path_)), body(std::move(body_)), token(std::move(token_)) {}

  std::string method;  // "GET" or "POST"
  std::string path;    // e.g. "/v1/push"; a query string stays in the path
  std::string body;    // JSON text or frames, or empty
  std::string token;   // bearer token, or empty
  std::string content_type = kJsonType;  // of the body
  std::string accept;  // the answer's media type the caller prefers; empty: JSON
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
constexpr std::size_t kMaxFrameBytes = 4u * 1024u * 1024u;  // the changeset limit
constexpr std::size_t kMaxPullPage = 1000;
constexpr std::size_t kDefaultPullPage = 500;
constexpr int kTokenSeconds = 900;
constexpr int kChallengeSeconds = 60;

// Signature type of a login: the device key over PAE(type, challenge).
inline constexpr const char* kLoginSigType = "casekeep/login/v1";

// Frames: `items` one after another, each after its length (4 bytes, big-endian).
std::string frames(const std::vector<Bytes>& items);
void append_frame(std::string& out, const std::uint8_t* data, std::size_t size);
// The items of a frames body. Throws casekeep::Error(malformed), naming the
// frame, on a length that runs past the end or a frame over kMaxFrameBytes.
std::vector<Bytes> unframe(const std::string& body, std::size_t at_most = SIZE_MAX);
// How many frames a well-formed frames body holds (its lengths read, nothing copied).
std::size_t frame_count(const std::string& body);
// Whether a Content-Type header names frames (parameters after ';' ignored).
bool is_frames_type(const std::string& content_type);

// Standard base64 with padding (RFC 4648 §4).
std::string base64(const Bytes& bytes);
// Throws casekeep::Error(malformed) on anything that is not base64.
Bytes unbase64(const std::string& text);

// {"error": {"code": code, "message": message}} plus any `extra` members.
Response error_response(int status, const std::string& code, const std::string& message, json extra = json::object());
Response json_response(int status, const json& body);

}  // namespace casekeep::wire
