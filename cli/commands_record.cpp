// Commands that work on any record by id: delete (a tombstone with a reason,
// never an erase), history, conflicts and resolve. They are the audit trail's
// view, so history shows every change with who, where from and when.
#include <iostream>
#include <memory>

#include "casekeep/vault.hpp"
#include "commands.hpp"
#include "output.hpp"
#include "sync_session.hpp"

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

// The server's view: registers with several heads, known from metadata alone
// (record ids and field tags, never field names or values).
void print_server_conflicts(const Globals& globals, const std::string& space) {
  if (space.empty()) throw CLI::ValidationError("conflicts", "--server needs --space");
  SyncSession s = SyncSession::open(globals);
  wire::Response response =
      send_authorized(*s.engine, *s.carrier, [&] { return s.engine->conflicts_request(space); });
  expect_ok(response, "the conflict listing");
  const json listed = json::parse(response.body).at("conflicts");
  if (globals.json) return print_json(listed);
  std::cout << "The server lists " << listed.size() << " open conflict" << (listed.size() == 1 ? "" : "s") << ".\n";
  for (const auto& c : listed)
    std::cout << "record " << c.at("record").get<std::string>() << ", field tag "
              << c.at("field_tag").get<std::string>() << ": " << c.at("heads").size() << " heads\n";
}

void add_conflicts(CLI::App& app, const Globals& globals) {
  struct Options {
    std::string space;
    bool server = false;
  };
  auto options = std::make_shared<Options>();
  CLI::App* conflicts = app.add_subcommand("conflicts", "List fields edited concurrently that need a person to choose");
  conflicts->add_option("--space", options->space, "Only this case or interview");
  conflicts->add_flag("--server", options->server, "Ask the server instead (ids and field tags only)");
  conflicts->callback([&globals, options] {
    if (options->server) return print_server_conflicts(globals, options->space);
    const std::vector<Conflict> found = open_unlocked(globals)->conflicts(options->space);
    if (globals.json) return print_json(found);
    if (found.empty()) std::cout << "No conflicts.\n";
    for (const Conflict& conflict : found) {
      std::cout << conflict.type << ' ' << conflict.record << ", field " << conflict.field << ":\n";
      print_heads(conflict.heads);
    }
  });
}

void add_edit(CLI::App& app, const Globals& globals) {
  struct Options {
    std::string record, field, value;
  };
  auto options = std::make_shared<Options>();
  CLI::App* edit = app.add_subcommand("edit", "Change one field of a record (a case's title or status, say)");
  edit->add_option("RECORD", options->record, "Record id")->required();
  edit->add_option("--field", options->field, "The field to change")->required();
  edit->add_option("--value", options->value, "Its new value (stored as a string)")->required();
  edit->callback([&globals, options] {
    open_unlocked(globals)->set_field(options->record, options->field, json(options->value));
    if (globals.json) return print_json({{"record", options->record}, {"field", options->field}, {"value", options->value}});
    std::cout << "Changed " << options->field << ".\n";
  });
}

void add_resolve(CLI::App& app, const Globals& globals) {
  struct Options {
    std::string record, field, value, head;
  };
  auto options = std::make_shared<Options>();
  CLI::App* resolve = app.add_subcommand("resolve", "Settle a conflicting field with one value");
  resolve->add_option("RECORD", options->record, "Record id")->required();
  resolve->add_option("--field", options->field, "The conflicting field")->required();
  auto* value = resolve->add_option("--value", options->value, "The value to keep (stored as a string)");
  auto* head = resolve->add_option("--head", options->head, "Keep the value of this head (an op id or its prefix, from 'conflicts')");
  value->excludes(head);
  resolve->callback([&globals, options] {
    auto vault = open_unlocked(globals);
    json chosen = options->value;
    if (options->value.empty() == options->head.empty())
      throw CLI::ValidationError("resolve", "give exactly one of --value or --head");
    if (!options->head.empty()) {
      const RecordView view = vault->get(options->record);
      auto conflict = view.conflicts.find(options->field);
      if (conflict == view.conflicts.end())
        throw Error(ErrorCode::invalid_argument, "Field '" + options->field + "' has no conflict to resolve.");
      const Head* found = nullptr;
      for (const Head& h : conflict->second) {
        if (h.op.rfind(options->head, 0) != 0) continue;
        if (found) throw Error(ErrorCode::invalid_argument, "More than one head starts with " + options->head + "; give more digits.");
        found = &h;
      }
      if (!found) throw Error(ErrorCode::not_found, "No head of that field starts with " + options->head + ".");
      chosen = found->value;
    }
    vault->resolve(options->record, options->field, chosen);
    if (globals.json) return print_json({{"record", options->record}, {"field", options->field}, {"value", chosen}});
    std::cout << "Resolved " << options->field << " of " << options->record << ".\n";
  });
}

}  // namespace

void add_record_commands(CLI::App& app, const Globals& globals) {
  add_delete(app, globals);
  add_history(app, globals);
  add_conflicts(app, globals);
  add_edit(app, globals);
  add_resolve(app, globals);
}

}  // namespace casekeep::cli
