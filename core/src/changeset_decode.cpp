// Changeset::decode: the exact canonical encoding of a changeset, read
// straight into its parts (CborReader checks every head, Fields every key and
// type; no json tree: decoding is on every push, pull and import path).
#include <initializer_list>
#include <string>
#include <string_view>

#include "casekeep/changeset.hpp"
#include "casekeep/crypto.hpp"
#include "casekeep/error.hpp"
#include "cbor_reader.hpp"

namespace casekeep {
namespace {

[[noreturn]] void malformed(const std::string& why) {
  throw Error(ErrorCode::malformed, "The changeset is malformed: " + why + ".");
}

using Keys = std::initializer_list<const char*>;

// The reads of one decode: each value of the shape its field must have.
class Fields {
 public:
  explicit Fields(CborReader& reader) : r_(reader) {}

  // A map of known keys: `read(key)` reads each value. Unknown keys and
  // missing required ones are refused; canonical order makes keys unique.
  template <typename Read>
  void map(const char* what, Keys required, Keys optional, Read read) {
    CborItem head = r_.next();
    if (head.type != CborType::map) malformed(std::string(what) + " is not a map");
    MapKeys keys(r_);
    std::uint32_t found = 0;  // bit i: required key i
    for (std::uint64_t n = 0; n < head.value; ++n) {
      std::string_view key = keys.next();
      int index = position(key, required);
      if (index >= 0) found |= 1u << index;
      else if (position(key, optional) < 0)
        malformed(std::string(what) + " has an unknown field '" + std::string(key) + "'");
      read(key);
    }
    int index = 0;
    for (const char* key : required)
      if (!(found & (1u << index++))) malformed(std::string(what) + " lacks '" + key + "'");
  }
  std::uint64_t uint(const char* field) {
    CborItem item = r_.next();
    if (item.type != CborType::uint) malformed(std::string("'") + field + "' is not an unsigned integer");
    return item.value;
  }
  std::string text(const char* field) {
    CborItem item = r_.next();
    if (item.type != CborType::text) malformed(std::string("'") + field + "' is not text");
    return std::string(item.text());
  }
  Bytes bytes(const char* field) {
    CborItem item = r_.next();
    if (item.type != CborType::bytes) malformed(std::string("'") + field + "' is not a byte string");
    return Bytes(item.data, item.data + item.value);
  }
  Bytes sized(const char* field, std::size_t size) {
    Bytes b = bytes(field);
    if (b.size() != size) malformed(std::string("'") + field + "' has the wrong length");
    return b;
  }
  std::uint64_t list(const std::string& not_a_list) {
    CborItem item = r_.next();
    if (item.type != CborType::array) malformed(not_a_list);
    return item.value;
  }

 private:
  static int position(std::string_view key, Keys keys) {
    int i = 0;
    for (const char* k : keys) {
      if (key == k) return i;
      ++i;
    }
    return -1;
  }

  CborReader& r_;
};

OpMeta read_meta(Fields& f) {
  OpMeta m;
  bool has_kind = false;
  f.map("an op", {"k", "p", "r", "t"}, {}, [&](std::string_view key) {
    if (key == "k") {
      auto kind = f.uint("k");
      if (kind < 1 || kind > 4) malformed("an op has an unknown kind");
      m.kind = static_cast<OpKind>(kind);
      has_kind = true;
    } else if (key == "p") {
      std::uint64_t n = f.list("an op's parents are not a list");
      m.parents.reserve(static_cast<std::size_t>(n));
      for (std::uint64_t i = 0; i < n; ++i) m.parents.push_back(f.sized("p", crypto::kHashSize));
    } else if (key == "r") {
      m.record = f.sized("r", kRecordIdSize);
    } else {
      m.field_tag = f.bytes("t");
    }
  });
  bool tagged = m.kind == OpKind::set || m.kind == OpKind::add;
  if (has_kind && m.field_tag.size() != (tagged ? kFieldTagSize : 0)) malformed("an op's field tag has the wrong length");
  return m;
}

MemberEntry read_member(Fields& f) {
  MemberEntry m;
  f.map("a member entry", {"box", "card", "role", "user", "wrap"}, {}, [&](std::string_view key) {
    if (key == "box") m.box_key = f.sized("box", crypto::kBoxPublicSize);
    else if (key == "card") m.card_sig = f.sized("card", crypto::kSignatureSize);
    else if (key == "role") m.role = f.text("role");
    else if (key == "user") m.user = f.sized("user", crypto::kSignPublicSize);
    else m.wrap = f.bytes("wrap");
  });
  return m;
}

}  // namespace

Changeset Changeset::decode(const Bytes& bytes) {
  if (bytes.size() > kMaxChangesetBytes) malformed("it is larger than the 4 MiB limit");
  Changeset cs;
  CborReader envelope(bytes.data(), bytes.size(), "changeset");
  Fields e(envelope);
  e.map("the changeset", {"body", "sig"}, {}, [&](std::string_view key) {
    if (key == "body") cs.body_bytes_ = e.bytes("body");
    else cs.sig_ = e.sized("sig", crypto::kSignatureSize);
  });
  envelope.finish();

  CborReader body(cs.body_bytes_.data(), cs.body_bytes_.size(), "changeset body");
  Fields f(body);
  ChangesetBody& b = cs.body_;
  f.map("the changeset body",
        {"author", "cert", "device", "gen", "hlc", "meta", "payload", "prev", "seq", "space", "v"},
        {"genesis", "members"}, [&](std::string_view key) {
          if (key == "author") b.author = f.sized("author", crypto::kSignPublicSize);
          else if (key == "cert") b.cert = f.sized("cert", crypto::kSignatureSize);
          else if (key == "device") b.device = f.sized("device", crypto::kSignPublicSize);
          else if (key == "gen") b.generation = f.uint("gen");
          else if (key == "genesis") b.genesis = f.sized("genesis", kSpaceIdSize);
          else if (key == "hlc") b.hlc = f.uint("hlc");
          else if (key == "members") {
            std::uint64_t n = f.list("'members' is not a non-empty list");
            if (n == 0) malformed("'members' is not a non-empty list");
            for (std::uint64_t i = 0; i < n; ++i) b.members.push_back(read_member(f));
          } else if (key == "meta") {
            std::uint64_t n = f.list("'meta' is not a list");
            b.meta.reserve(static_cast<std::size_t>(n));
            for (std::uint64_t i = 0; i < n; ++i) b.meta.push_back(read_meta(f));
          } else if (key == "payload") b.payload = f.bytes("payload");
          else if (key == "prev") b.prev = f.bytes("prev");
          else if (key == "seq") b.seq = f.uint("seq");
          else if (key == "space") b.space = f.sized("space", kSpaceIdSize);
          else b.v = f.uint("v");
        });
  body.finish();
  if (b.v != kChangesetVersion) malformed("version " + std::to_string(b.v) + " is not supported");
  if (b.seq == 0) malformed("seq starts at 1");
  if (b.prev.size() != (b.seq == 1 ? 0 : crypto::kHashSize)) malformed("'prev' does not match 'seq'");
  if (b.generation == 0) malformed("generations start at 1");
  cs.bytes_ = bytes;
  cs.id_ = crypto::hash(bytes);
  return cs;
}

}  // namespace casekeep
