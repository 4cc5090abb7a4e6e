// Canonical CBOR decoding: libcbor's streaming decoder reads one item head at a
// time (byte strings as a pointer into the input, not byte by byte), and this
// file adds casekeep's canonical rules as it goes and builds the json value.
//
// Canonical means exactly what nlohmann's to_cbor writes for a float-free value
// (docs/protocol.md §2): every integer and length in its shortest head; byte
// and text strings, arrays and maps of definite length; map keys text, each
// bytewise greater than the one before; no tags, no floats, no simple values
// but false, true and null; nothing after the value. So to_cbor(decode(b)) == b
// for every b accepted, which the tests check against that round trip.
#include <cbor.h>

#include <string>
#include <vector>

#include "casekeep/changeset.hpp"
#include "casekeep/error.hpp"

namespace casekeep {
namespace {

// Deeper than anything casekeep writes (a note value nests 3 levels); bounds
// the stack a hostile input can make us build.
constexpr std::size_t kMaxDepth = 64;
constexpr const char* kTruncated = "is not valid CBOR (truncated or corrupted)";

struct Open {
  json* container;
  std::uint64_t left;     // items still to come; a map counts keys and values
  bool map;
  std::string key;        // a map's key waiting for its value
  bool has_key = false;
};

class Builder {
 public:
  Builder(const std::uint8_t* item, const std::uint8_t* end) : item_(item), end_(end) {}
  void at(const std::uint8_t* item) { item_ = item; }

  // The additional information (low 5 bits) of the item's first byte must be
  // the shortest that holds `value`.
  void shortest(std::uint64_t value) {
    unsigned ai = *item_ & 0x1Fu;
    unsigned want = value < 24 ? static_cast<unsigned>(value) : value <= 0xFF ? 24u : value <= 0xFFFF ? 25u
                    : value <= 0xFFFFFFFFu ? 26u : 27u;
    if (ai != want) fail("is not in canonical encoding (an integer or length in a longer form than needed)");
  }

  void put(json value) {
    if (!error_.empty()) return;
    if (stack_.empty()) {
      if (done_) return fail("is not in canonical encoding (more than one value)");
      root_ = std::move(value);
      done_ = true;
      return;
    }
    Open& top = stack_.back();
    if (top.map && !top.has_key) {
      if (!value.is_string()) return fail("is not in canonical encoding (a map key that is not text)");
      std::string& key = value.get_ref<std::string&>();
      // After the map's first key, each must sort after the one before.
      auto& entries = top.container->get_ref<json::object_t&>();
      if (!entries.empty() && !(entries.rbegin()->first < key))
        return fail("is not in canonical encoding (map keys out of order or repeated)");
      top.key = std::move(key);
      top.has_key = true;
    } else if (top.map) {
      // Keys come in order, so each entry goes at the end: no search of the map.
      auto& entries = top.container->get_ref<json::object_t&>();
      entries.emplace_hint(entries.end(), std::move(top.key), std::move(value));
      top.has_key = false;
    } else {
      top.container->get_ref<json::array_t&>().push_back(std::move(value));
    }
    --top.left;
  }

  // A new array or map of `n` items: placed like a value, then filled.
  void open(bool map, std::uint64_t n) {
    if (!error_.empty()) return;
    shortest(n);
    // Each item takes at least a byte: a count beyond the input is a lie.
    if (n > static_cast<std::uint64_t>(end_ - item_)) return fail(kTruncated);
    if (stack_.size() >= kMaxDepth) return fail("is nested deeper than " + std::to_string(kMaxDepth) + " levels");
    put(map ? json::object() : json::array());
    if (!error_.empty()) return;
    json* made = stack_.empty() ? &root_ : last_placed();
    if (!map) made->get_ref<json::array_t&>().reserve(static_cast<std::size_t>(n));
    stack_.push_back(Open{made, map ? 2 * n : n, map, {}, false});
    close_finished();
  }

  void bytes(const std::uint8_t* data, std::uint64_t length, bool text) {
    if (!error_.empty()) return;
    // libcbor claims the bytes with size_t arithmetic; check them here too (32-bit wasm).
    if (length > static_cast<std::uint64_t>(end_ - data)) return fail(kTruncated);
    shortest(length);
    if (text) put(json(std::string(reinterpret_cast<const char*>(data), static_cast<std::size_t>(length))));
    else put(json::binary(Bytes(data, data + length)));
  }

  void integer(std::uint64_t value, bool negative) {
    if (!error_.empty()) return;
    shortest(value);
    if (!negative) return put(json(value));
    // nlohmann holds -1 - value only down to INT64_MIN.
    if (value > static_cast<std::uint64_t>(INT64_MAX)) return fail("is not in canonical encoding (an integer out of range)");
    put(json(static_cast<std::int64_t>(-1) - static_cast<std::int64_t>(value)));
  }

  // Pops every container whose items have all come.
  void close_finished() {
    while (!stack_.empty() && stack_.back().left == 0) stack_.pop_back();
  }

  void fail(const std::string& why) {
    if (error_.empty()) error_ = why;
  }
  const std::string& error() const { return error_; }
  bool complete() const { return done_ && stack_.empty(); }
  json take() { return std::move(root_); }

 private:
  json* last_placed() {
    Open& parent = stack_.back();
    if (parent.map) return &parent.container->get_ref<json::object_t&>().rbegin()->second;
    return &parent.container->back();
  }

  const std::uint8_t* item_;
  const std::uint8_t* end_;
  std::vector<Open> stack_;
  json root_;
  bool done_ = false;
  std::string error_;
};

Builder& builder(void* context) { return *static_cast<Builder*>(context); }

// Lengths are size_t in libcbor 0.8 (Debian 12, native) and uint64_t in 0.10
// (the WebAssembly build): take whichever the header declares.
template <typename Callback> struct LastParameter;
template <typename A, typename B> struct LastParameter<void (*)(A, B)> { using type = B; };
template <typename A, typename B, typename C> struct LastParameter<void (*)(A, B, C)> { using type = C; };
using Length = LastParameter<cbor_string_callback>::type;
using Count = LastParameter<cbor_collection_callback>::type;

const cbor_callbacks& callbacks() {
  static const cbor_callbacks table = [] {
    cbor_callbacks c{};
    c.uint8 = [](void* ctx, std::uint8_t v) { builder(ctx).integer(v, false); };
    c.uint16 = [](void* ctx, std::uint16_t v) { builder(ctx).integer(v, false); };
    c.uint32 = [](void* ctx, std::uint32_t v) { builder(ctx).integer(v, false); };
    c.uint64 = [](void* ctx, std::uint64_t v) { builder(ctx).integer(v, false); };
    c.negint8 = [](void* ctx, std::uint8_t v) { builder(ctx).integer(v, true); };
    c.negint16 = [](void* ctx, std::uint16_t v) { builder(ctx).integer(v, true); };
    c.negint32 = [](void* ctx, std::uint32_t v) { builder(ctx).integer(v, true); };
    c.negint64 = [](void* ctx, std::uint64_t v) { builder(ctx).integer(v, true); };
    c.byte_string = [](void* ctx, cbor_data d, Length n) { builder(ctx).bytes(d, n, false); };
    c.string = [](void* ctx, cbor_data d, Length n) { builder(ctx).bytes(d, n, true); };
    c.array_start = [](void* ctx, Count n) { builder(ctx).open(false, n); };
    c.map_start = [](void* ctx, Count n) { builder(ctx).open(true, n); };
    c.boolean = [](void* ctx, bool v) { builder(ctx).put(json(v)); };
    c.null = [](void* ctx) { builder(ctx).put(json(nullptr)); };
    auto indefinite = [](void* ctx) { builder(ctx).fail("is not in canonical encoding (an item of indefinite length)"); };
    c.byte_string_start = indefinite;
    c.string_start = indefinite;
    c.indef_array_start = indefinite;
    c.indef_map_start = indefinite;
    c.indef_break = [](void* ctx) { builder(ctx).fail("is not valid CBOR (a break outside an indefinite item)"); };
    c.tag = [](void* ctx, std::uint64_t) { builder(ctx).fail("is not in canonical encoding (a tag)"); };
    c.undefined = [](void* ctx) { builder(ctx).fail("is not in canonical encoding (the simple value undefined)"); };
    c.float2 = [](void* ctx, float) { builder(ctx).fail("contains a floating-point number"); };
    c.float4 = [](void* ctx, float) { builder(ctx).fail("contains a floating-point number"); };
    c.float8 = [](void* ctx, double) { builder(ctx).fail("contains a floating-point number"); };
    return c;
  }();
  return table;
}

}  // namespace

json from_cbor_canonical(const std::uint8_t* data, std::size_t size, const char* what) {
  const std::uint8_t* at = data;
  const std::uint8_t* end = data + size;
  Builder b(at, end);
  auto refuse = [&](const std::string& why) {
    throw Error(ErrorCode::malformed, std::string("The ") + what + " " + why + ".");
  };
  while (b.error().empty() && !b.complete()) {
    if (at == end) refuse(kTruncated);
    b.at(at);
    cbor_decoder_result r = cbor_stream_decode(at, static_cast<std::size_t>(end - at), &callbacks(), &b);
    if (!b.error().empty()) break;
    if (r.status != CBOR_DECODER_FINISHED || r.read == 0) refuse(kTruncated);
    at += r.read;
    b.close_finished();
  }
  if (!b.error().empty()) refuse(b.error());
  if (at != end) refuse("is not in canonical encoding (bytes after the value)");
  return b.take();
}

json from_cbor_canonical(const Bytes& bytes, const char* what) {
  return from_cbor_canonical(bytes.data(), bytes.size(), what);
}

}  // namespace casekeep
