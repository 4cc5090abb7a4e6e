#include "casekeep/wire.hpp"

#include "casekeep/error.hpp"

namespace casekeep::wire {

std::string frames(const std::vector<Bytes>& items) {
  std::size_t total = 0;
  for (const Bytes& item : items) total += 4 + item.size();
  std::string out;
  out.reserve(total);
  for (const Bytes& item : items) append_frame(out, item.data(), item.size());
  return out;
}

void append_frame(std::string& out, const std::uint8_t* data, std::size_t size) {
  if (size > kMaxFrameBytes) throw Error(ErrorCode::invalid_argument, "A frame may hold at most 4 MiB.");
  for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<char>((size >> shift) & 0xff));
  out.append(reinterpret_cast<const char*>(data), size);
}

namespace {

// The big-endian length before the frame at `at` (4 bytes must be there).
std::size_t frame_length(const std::string& body, std::size_t at) {
  std::size_t size = 0;
  for (int i = 0; i < 4; ++i) size = (size << 8) | static_cast<std::uint8_t>(body[at + i]);
  return size;
}

}  // namespace

std::vector<Bytes> unframe(const std::string& body, std::size_t at_most) {
  std::vector<Bytes> items;
  std::size_t at = 0;
  while (at < body.size() && items.size() < at_most) {
    auto bad = [&](const char* why) { return Error(ErrorCode::malformed, "Frame " + std::to_string(items.size()) + why); };
    if (body.size() - at < 4) throw bad(" is cut short in its length.");
    std::size_t size = frame_length(body, at);
    at += 4;
    if (size > kMaxFrameBytes) throw bad(" is longer than 4 MiB.");
    if (size > body.size() - at) throw bad(" runs past the end of the body.");
    const auto* data = reinterpret_cast<const std::uint8_t*>(body.data() + at);
    items.emplace_back(data, data + size);
    at += size;
  }
  return items;
}

std::size_t frame_count(const std::string& body) {
  std::size_t count = 0;
  for (std::size_t at = 0; body.size() - at >= 4; ++count) {
    at += 4 + frame_length(body, at);
    if (at > body.size()) break;
  }
  return count;
}

bool is_frames_type(const std::string& content_type) {
  return content_type.substr(0, content_type.find(';')) == kFramesType;
}

Response error_response(int status, const std::string& code, const std::string& message, json extra) {
  extra["error"] = {{"code", code}, {"message", message}};
  return {status, extra.dump()};
}

Response json_response(int status, const json& body) { return {status, body.dump()}; }

}  // namespace casekeep::wire
