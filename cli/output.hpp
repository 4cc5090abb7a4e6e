// Printing for both audiences: plain lines and tables for people, one JSON
// document for --json. Views become JSON with the field names of their structs.
// Only stdout is written here; errors go through main.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "casekeep/records.hpp"
#include "casekeep/records_json.hpp"
#include "globals.hpp"

namespace casekeep::cli {

void print_json(const json& document);

// A new record's id: alone on its line for people, so ID=$(casekeep ...) works.
void print_created(const Globals& globals, const std::string& id);

// Enough of a hex id to tell people apart in a listing.
std::string short_id(const std::string& hex);
// A value as a person reads it: strings without quotes, anything else as JSON.
std::string value_text(const json& value);
// `text` on one line of at most `max_chars` bytes, for a table cell.
std::string one_line(std::string text, std::size_t max_chars = 60);
// A record's shown field as text, or "" when it has no such field.
std::string field_text(const RecordView& view, const std::string& field);
// The record's status field, or "deleted": tombstones stay listed, marked.
std::string record_status(const RecordView& view);

using Row = std::vector<std::string>;
void print_table(const Row& headings, const std::vector<Row>& rows);

// The competing values of one conflicting field, one indented line each.
void print_heads(const std::vector<Head>& heads);
// Labelled lines for one record: id, type, creation, fields, deletion, conflicts.
void print_record(const RecordView& view);

}  // namespace casekeep::cli
