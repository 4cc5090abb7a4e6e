// Printing for both audiences: plain lines and tables for people, one JSON
// document for --json. Views become JSON with the field names of their structs.
#include "output.hpp"

#include <algorithm>
#include <ctime>
#include <iomanip>
#include <iostream>
#include <sstream>

#include "casekeep/clock.hpp"

namespace casekeep {

void to_json(json& out, const Head& head) {
  out = json{{"op", head.op}, {"value", head.value}, {"hlc", head.hlc}, {"author", head.author}};
}

void to_json(json& out, const RecordView& view) {
  out = json{{"id", view.id},
             {"space", view.space},
             {"type", view.type},
             {"deleted", view.deleted},
             {"deleted_reason", view.deleted_reason},
             {"created_by", view.created_by},
             {"created_hlc", view.created_hlc},
             {"fields", view.fields},
             {"conflicts", view.conflicts}};
}

void to_json(json& out, const SignatureView& signature) {
  out = json{{"kind", signature.kind},   {"signer", signature.signer},   {"signer_name", signature.signer_name},
             {"valid", signature.valid}, {"current", signature.current}, {"comment", signature.comment},
             {"hlc", signature.hlc}};
}

void to_json(json& out, const NoteView& note) {
  out = json{{"record", note.record},
             {"status", note.status},
             {"signatures", note.signatures},
             {"addenda", note.addenda}};
}

void to_json(json& out, const HistoryEntry& entry) {
  out = json{{"changeset", entry.changeset}, {"op", entry.op},     {"author", entry.author},
             {"author_name", entry.author_name}, {"device", entry.device}, {"hlc", entry.hlc},
             {"kind", entry.kind},           {"field", entry.field}, {"value", entry.value}};
}

void to_json(json& out, const Conflict& conflict) {
  out = json{{"space", conflict.space}, {"record", conflict.record}, {"type", conflict.type},
             {"field", conflict.field}, {"heads", conflict.heads}};
}

void to_json(json& out, const VerifyProblem& problem) {
  out = json{{"subject", problem.subject}, {"message", problem.message}};
}

void to_json(json& out, const UserCard& card) {
  out = json{{"user", card.user}, {"box_key", card.box_key}, {"sig", card.sig}};
}

void from_json(const json& in, UserCard& card) {
  in.at("user").get_to(card.user);
  in.at("box_key").get_to(card.box_key);
  in.at("sig").get_to(card.sig);
}

}  // namespace casekeep

namespace casekeep::cli {

void print_json(const json& document) { std::cout << document.dump(2) << '\n'; }

void print_created(const Globals& globals, const std::string& id) {
  if (globals.json) {
    print_json({{"id", id}});
  } else {
    std::cout << id << '\n';
  }
}

std::string format_hlc(std::uint64_t hlc) {
  const std::uint64_t millis = Hlc::millis(hlc);
  const auto seconds = static_cast<std::time_t>(millis / 1000);
  std::tm utc{};
  // The CLI is single-threaded, so gmtime's shared buffer is safe to copy from.
  if (const std::tm* parts = std::gmtime(&seconds); parts != nullptr) utc = *parts;
  std::ostringstream text;
  text << std::put_time(&utc, "%Y-%m-%dT%H:%M:%S") << '.' << std::setw(3) << std::setfill('0')
       << millis % 1000 << 'Z';
  return text.str();
}

std::string short_id(const std::string& hex) { return hex.substr(0, 8); }

std::string value_text(const json& value) {
  return value.is_string() ? value.get<std::string>() : value.dump();
}

std::string one_line(std::string text, std::size_t max_chars) {
  std::replace(text.begin(), text.end(), '\n', ' ');
  if (text.size() > max_chars) text = text.substr(0, max_chars - 3) + "...";
  return text;
}

std::string field_text(const RecordView& view, const std::string& field) {
  auto found = view.fields.find(field);
  return found == view.fields.end() ? "" : value_text(*found);
}

std::string record_status(const RecordView& view) {
  return view.deleted ? "deleted" : field_text(view, "status");
}

void print_table(const Row& headings, const std::vector<Row>& rows) {
  std::vector<std::size_t> widths(headings.size());
  for (std::size_t column = 0; column < headings.size(); ++column) widths[column] = headings[column].size();
  for (const Row& row : rows) {
    for (std::size_t column = 0; column < row.size() && column < widths.size(); ++column) {
      widths[column] = std::max(widths[column], row[column].size());
    }
  }
  auto print_row = [&](const Row& row) {
    std::string line;
    for (std::size_t column = 0; column < row.size(); ++column) {
      line += row[column];
      if (column + 1 < row.size()) line += std::string(widths[column] - row[column].size() + 2, ' ');
    }
    std::cout << line << '\n';
  };
  print_row(headings);
  for (const Row& row : rows) print_row(row);
}

void print_heads(const std::vector<Head>& heads) {
  for (const Head& head : heads) {
    std::cout << "  " << value_text(head.value) << "  (by " << short_id(head.author) << " at "
              << format_hlc(head.hlc) << ")\n";
  }
}

void print_record(const RecordView& view) {
  std::cout << "id:      " << view.id << '\n'
            << "type:    " << view.type << '\n'
            << "space:   " << view.space << '\n'
            << "created: " << format_hlc(view.created_hlc) << " by " << short_id(view.created_by) << '\n';
  for (const auto& [field, value] : view.fields.items()) {
    std::cout << field << ": " << value_text(value) << '\n';
  }
  if (view.deleted) std::cout << "deleted: " << view.deleted_reason << '\n';
  for (const auto& [field, heads] : view.conflicts) {
    std::cout << "conflict on " << field << ":\n";
    print_heads(heads);
  }
}

}  // namespace casekeep::cli
