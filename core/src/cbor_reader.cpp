// CborReader (cbor_reader.hpp): libcbor decodes one item head per call and
// hands it to the callbacks here, which check the canonical rules and keep it.
// Errors are recorded, not thrown: an exception must not cross libcbor's C frames.
#include "cbor_reader.hpp"

#include <cbor.h>

#include "casekeep/error.hpp"

namespace casekeep {
namespace {

constexpr const char* kTruncated = "is not valid CBOR (truncated or corrupted)";

CborReader& reader(void* context) { return *static_cast<CborReader*>(context); }

void integer(void* context, std::uint64_t value, bool negative) {
  CborReader& r = reader(context);
  r.shortest(value);
  r.take({negative ? CborType::negint : CborType::uint, value, nullptr, false});
}

void string(void* context, const std::uint8_t* data, std::uint64_t length, bool text) {
  CborReader& r = reader(context);
  // libcbor claims the bytes with size_t arithmetic; check them here too (32-bit wasm).
  if (!r.within(length)) return r.refuse(kTruncated);
  r.shortest(length);
  r.take({text ? CborType::text : CborType::bytes, length, data, false});
}

void collection(void* context, std::uint64_t count, bool map) {
  CborReader& r = reader(context);
  r.shortest(count);
  // Each item takes at least a byte: a count beyond the input is a lie (and
  // would make a caller reserve memory for it).
  if (!r.within(count)) return r.refuse(kTruncated);
  r.take({map ? CborType::map : CborType::array, count, nullptr, false});
}

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
    c.uint8 = [](void* ctx, std::uint8_t v) { integer(ctx, v, false); };
    c.uint16 = [](void* ctx, std::uint16_t v) { integer(ctx, v, false); };
    c.uint32 = [](void* ctx, std::uint32_t v) { integer(ctx, v, false); };
    c.uint64 = [](void* ctx, std::uint64_t v) { integer(ctx, v, false); };
    c.negint8 = [](void* ctx, std::uint8_t v) { integer(ctx, v, true); };
    c.negint16 = [](void* ctx, std::uint16_t v) { integer(ctx, v, true); };
    c.negint32 = [](void* ctx, std::uint32_t v) { integer(ctx, v, true); };
    c.negint64 = [](void* ctx, std::uint64_t v) { integer(ctx, v, true); };
    c.byte_string = [](void* ctx, cbor_data d, Length n) { string(ctx, d, n, false); };
    c.string = [](void* ctx, cbor_data d, Length n) { string(ctx, d, n, true); };
    c.array_start = [](void* ctx, Count n) { collection(ctx, n, false); };
    c.map_start = [](void* ctx, Count n) { collection(ctx, n, true); };
    c.boolean = [](void* ctx, bool v) { reader(ctx).take({CborType::boolean, 0, nullptr, v}); };
    c.null = [](void* ctx) { reader(ctx).take({CborType::null, 0, nullptr, false}); };
    auto indefinite = [](void* ctx) { reader(ctx).refuse("is not in canonical encoding (an item of indefinite length)"); };
    c.byte_string_start = indefinite;
    c.string_start = indefinite;
    c.indef_array_start = indefinite;
    c.indef_map_start = indefinite;
    c.indef_break = [](void* ctx) { reader(ctx).refuse("is not valid CBOR (a break outside an indefinite item)"); };
    c.tag = [](void* ctx, std::uint64_t) { reader(ctx).refuse("is not in canonical encoding (a tag)"); };
    c.undefined = [](void* ctx) { reader(ctx).refuse("is not in canonical encoding (the simple value undefined)"); };
    c.float2 = [](void* ctx, float) { reader(ctx).refuse("contains a floating-point number"); };
    c.float4 = [](void* ctx, float) { reader(ctx).refuse("contains a floating-point number"); };
    c.float8 = [](void* ctx, double) { reader(ctx).refuse("contains a floating-point number"); };
    return c;
  }();
  return table;
}

}  // namespace

CborItem CborReader::next() {
  if (at_ == end_) fail(kTruncated);
  error_ = nullptr;
  cbor_decoder_result r = cbor_stream_decode(at_, static_cast<std::size_t>(end_ - at_), &callbacks(), this);
  if (error_) fail(error_);
  if (r.status != CBOR_DECODER_FINISHED || r.read == 0) fail(kTruncated);
  at_ += r.read;
  return item_;
}

void CborReader::finish() const {
  if (at_ != end_) fail("is not in canonical encoding (bytes after the value)");
}

void CborReader::fail(const std::string& why) const {
  throw Error(ErrorCode::malformed, std::string("The ") + what_ + " " + why + ".");
}

// The additional information (low 5 bits) of the item's first byte must be
// the shortest that holds `value`. Called while at_ is still the item's start.
void CborReader::shortest(std::uint64_t value) {
  unsigned ai = *at_ & 0x1Fu;
  unsigned want = value < 24 ? static_cast<unsigned>(value) : value <= 0xFF ? 24u : value <= 0xFFFF ? 25u
                  : value <= 0xFFFFFFFFu ? 26u : 27u;
  if (ai != want) refuse("is not in canonical encoding (an integer or length in a longer form than needed)");
}

std::string_view MapKeys::next() {
  CborItem item = reader_.next();
  if (item.type != CborType::text) reader_.fail("is not in canonical encoding (a map key that is not text)");
  std::string_view key = item.text();
  if (!first_ && !(last_ < key)) reader_.fail("is not in canonical encoding (map keys out of order or repeated)");
  first_ = false;
  last_ = key;
  return key;
}

}  // namespace casekeep
