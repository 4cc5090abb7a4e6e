// Commands on interviews, each its own space inside a case: create, list, show.
// Showing an interview lists its notes with their status, since that is what a
// reviewer checks before the interview is closed.
#include <iostream>
#include <memory>

#include "casekeep/vault.hpp"
#include "commands.hpp"
#include "output.hpp"

namespace casekeep::cli {

namespace {

void add_interview_create(CLI::App& group, const Globals& globals) {
  auto input = std::make_shared<InterviewInput>();
  CLI::App* create = group.add_subcommand("create", "Create an interview in a case; prints its id");
  create->add_option("--case", input->case_id, "Case id")->required();
  create->add_option("--practitioner", input->practitioner, "Name of the practitioner interviewed")->required();
  create->add_option("--when", input->when, "Date and time (ISO 8601)");
  create->add_option("--where", input->where, "Place");
  create->callback([&globals, input] { print_created(globals, open_unlocked(globals)->create_interview(*input)); });
}

void add_interview_list(CLI::App& group, const Globals& globals) {
  auto case_id = std::make_shared<std::string>();
  CLI::App* list = group.add_subcommand("list", "List the interviews of a case");
  list->add_option("--case", *case_id, "Case id")->required();
  list->callback([&globals, case_id] {
    const std::vector<RecordView> interviews = open_unlocked(globals)->interviews_of(*case_id);
    if (globals.json) return print_json(interviews);
    std::vector<Row> rows;
    for (const RecordView& view : interviews) {
      rows.push_back({view.id, field_text(view, "practitioner"), field_text(view, "when"), field_text(view, "where"),
                      record_status(view)});
    }
    print_table({"ID", "PRACTITIONER", "WHEN", "WHERE", "STATUS"}, rows);
  });
}

void add_interview_show(CLI::App& group, const Globals& globals) {
  auto id = std::make_shared<std::string>();
  CLI::App* show = group.add_subcommand("show", "Show an interview and its notes");
  show->add_option("ID", *id, "Interview id")->required();
  show->callback([&globals, id] {
    auto vault = open_unlocked(globals);
    const RecordView view = vault->get(*id);
    const std::vector<NoteView> notes = vault->notes_of(*id);
    if (globals.json) return print_json({{"interview", view}, {"notes", notes}});
    print_record(view);
    std::cout << "\nNotes:\n";
    std::vector<Row> rows;
    for (const NoteView& note : notes) rows.push_back({note.record.id, field_text(note.record, "title"), note.status});
    print_table({"ID", "TITLE", "STATUS"}, rows);
  });
}

}  // namespace

void add_interview_commands(CLI::App& app, const Globals& globals) {
  CLI::App* group = app.add_subcommand("interview", "Create, list and show interviews");
  group->require_subcommand(1);
  add_interview_create(*group, globals);
  add_interview_list(*group, globals);
  add_interview_show(*group, globals);
}

}  // namespace casekeep::cli
