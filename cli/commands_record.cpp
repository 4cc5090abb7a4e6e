// Commands that work on any record by id: delete (a tombstone with a reason,
// never an erase), history, conflicts and resolve. They are the audit trail's
// view, so history shows every change with who, where from and when.
#include <iostream>
#include <memory>

#include "casekeep/vault.hpp"
#include "commands.hpp"
#include "output.hpp"

namespace casekeep::cli {

namespace {

void add_delete(CLI::App& app, const Globals& globals) {
  struct Options {
    std::string id, reason;
  };
  auto options = std::make_shared<Options>();
  CLI::App* remove = app.add_subcommand("delete", "Delete a record: it stays in the history with the reason");
  remove->add_option("ID", options->id, "Record id")->required();
  remove->add_option("--reason", options->reason, "Why it is deleted")->required();
  remove->callback([&globals, options] {
    open_unlocked(globals)->tombstone(options->id, options->reason);
    if (globals.json) return print_json({{"id", options->id}, {"deleted", true}, {"reason", options->reason}});
    std::cout << "Deleted " << options->id << ".\n";
  });
}

void add_history(CLI::App& app, const Globals& globals) {
  auto id = std::make_shared<std::string>();
  CLI::App* history = app.add_subcommand("history", "Every change to a record: when, who, from which device, what");
  history->add_option("ID", *id, "Record id")->required();
  history->callback([&globals, id] {
    const std::vector<HistoryEntry> entries = open_unlocked(globals)->history(*id);
    if (globals.json) return print_json(entries);
    std::vector<Row> rows;
    for (const HistoryEntry& entry : entries) {
      const std::string author = entry.author_name.empty() ? short_id(entry.author) : entry.author_name;
      rows.push_back({format_hlc(entry.hlc), author, short_id(entry.device), entry.kind, entry.field,
                      entry.value.is_null() ? "" : one_line(value_text(entry.value))});
    }
    print_table({"TIME (UTC)", "AUTHOR", "DEVICE", "KIND", "FIELD", "VALUE"}, rows);
  });
}

void add_conflicts(CLI::App& app, const Globals& globals) {
  auto space = std::make_shared<std::string>();
  CLI::App* conflicts = app.add_subcommand("conflicts", "List fields edited concurrently that need a person to choose");
  conflicts->add_option("--space", *space, "Only this case or interview");
  conflicts->callback([&globals, space] {
    const std::vector<Conflict> found = open_unlocked(globals)->conflicts(*space);
    if (globals.json) return print_json(found);
    if (found.empty()) std::cout << "No conflicts.\n";
    for (const Conflict& conflict : found) {
      std::cout << conflict.type << ' ' << conflict.record << ", field " << conflict.field << ":\n";
      print_heads(conflict.heads);
    }
  });
}

void add_resolve(CLI::App& app, const Globals& globals) {
  struct Options {
    std::string record, field, value;
  };
  auto options = std::make_shared<Options>();
  CLI::App* resolve = app.add_subcommand("resolve", "Settle a conflicting field with one value");
  resolve->add_option("RECORD", options->record, "Record id")->required();
  resolve->add_option("--field", options->field, "The conflicting field")->required();
  resolve->add_option("--value", options->value, "The value to keep (stored as a string)")->required();
  resolve->callback([&globals, options] {
    open_unlocked(globals)->resolve(options->record, options->field, json(options->value));
    if (globals.json) {
      return print_json({{"record", options->record}, {"field", options->field}, {"value", options->value}});
    }
    std::cout << "Resolved " << options->field << " of " << options->record << ".\n";
  });
}

}  // namespace

void add_record_commands(CLI::App& app, const Globals& globals) {
  add_delete(app, globals);
  add_history(app, globals);
  add_conflicts(app, globals);
  add_resolve(app, globals);
}

}  // namespace casekeep::cli
