// Materialized state of one record: a multi-value register per field.
// State is a function of the set of ops only: applying the same ops in any
// order, any number of times, gives equal RecordStates (tests/test_state.cpp).
#pragma once
#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "casekeep/changeset.hpp"

namespace casekeep {

// One decrypted op, with what its changeset says about who and when.
struct Op {
  Bytes id;
  OpKind kind = OpKind::set;
  Bytes space;  // the space of the op's changeset
  Bytes record;
  std::string field;  // empty for create and tombstone
  json value;         // type name for create, reason for tombstone
  std::vector<Bytes> parents;
  std::uint64_t hlc = 0;
  Bytes author;
};

struct OpValue {
  Bytes op;
  std::uint64_t hlc = 0;
  Bytes author;
  json value;
  bool operator==(const OpValue& o) const { return op == o.op && hlc == o.hlc && author == o.author && value == o.value; }
};

// Heads are the ops no other op names as a parent. `superseded` remembers every
// named parent, even one not yet received, so arrival order cannot matter.
struct Register {
  std::map<Bytes, OpValue> heads;
  std::set<Bytes> superseded;
  void apply(OpValue value, const std::vector<Bytes>& parents);
  const OpValue* shown() const;  // the head with the greatest (hlc, op id)
  std::vector<Bytes> head_ids() const;
  bool operator==(const Register& o) const { return heads == o.heads && superseded == o.superseded; }
};

// What ops of one space did to a record.
struct RecordContents {
  std::map<Bytes, OpValue> tombstones;  // any tombstone deletes; all are kept
  std::map<std::string, Register> fields;
  std::map<std::string, std::map<Bytes, OpValue>> sets;  // add-only fields (signatures)
  bool operator==(const RecordContents& o) const {
    return tombstones == o.tombstones && fields == o.fields && sets == o.sets;
  }
};

// Ops are kept per space and only those of the record's own space (the space of
// its create op) are visible: an op that names a record of another space can
// never touch it, whatever order the ops arrive in.
struct RecordState {
  Bytes id;
  Bytes space;       // from the create op; empty until it arrives
  std::string type;  // empty until the create op arrives
  OpValue created;   // the create op with the least (hlc, op id)
  std::map<Bytes, RecordContents> by_space;

  void apply(const Op& op);
  void apply(Op&& op);  // takes the op's value instead of copying it
  const RecordContents& home() const;
  bool exists() const { return !type.empty(); }
  bool deleted() const;
  bool in_conflict() const;  // some field has more than one head
  const json* value(const std::string& field) const;  // shown value, or null
  std::string text(const std::string& field) const;   // shown value as text, or ""

  // The plaintext of its stored row: canonical CBOR (what to_cbor writes for
  // the state as a map), and back.
  Bytes encode() const;
  static RecordState decode(const std::uint8_t* data, std::size_t size);
  bool operator==(const RecordState& o) const;
};

}  // namespace casekeep
