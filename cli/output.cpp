// Printing for both audiences: plain lines and tables for people, one JSON
// document for --json. Views become JSON with the field names of their structs.
#include "output.hpp"

#include <algorithm>
#include <iostream>

#include "casekeep/clock.hpp"

namespace casekeep::cli {

void print_json(const json& document) { std::cout << document.dump(2) << '\n'; }

void print_created(const Globals& globals, const std::string& id) {
  if (globals.json) {
    print_json({{"id", id}});
  } else {
    std::cout << id << '\n';
  }
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
