// Commands on interview notes: add, edit, sign, addendum, agree, dispute, show,
// list. Whether an action is allowed (a signed note is frozen, only the
// practitioner agrees) is the core's rule; this file only collects the input.
#include <functional>
#include <iostream>
#include <memory>
#include <optional>

#include "casekeep/vault.hpp"
#include "commands.hpp"
#include "output.hpp"

namespace casekeep::cli {

namespace {

struct BodySource {
  std::optional<std::string> text, file;
};

// --body TEXT and --body-file FILE, never both; `target` is usually an option group.
void add_body_options(CLI::App& target, BodySource& body) {
  CLI::Option* text = target.add_option("--body", body.text, "The note's body");
  CLI::Option* file = target.add_option("--body-file", body.file, "Read the body from FILE ('-' for stdin)");
  text->excludes(file);
}

// The body given either way, or nothing when neither option was used.
std::optional<std::string> read_body(const BodySource& body) {
  if (body.text) return body.text;
  if (body.file) return read_file_argument(*body.file);
  return std::nullopt;
}

void print_signature(const SignatureView& signature) {
  std::cout << "  " << signature.kind << " by " << signature.signer_name << " (" << short_id(signature.signer)
            << ") at " << format_hlc(signature.hlc) << ": " << (signature.valid ? "valid" : "INVALID") << ", "
            << (signature.current ? "current" : "covers an earlier version") << '\n';
  if (!signature.comment.empty()) std::cout << "    comment: " << signature.comment << '\n';
}

void print_note(const NoteView& note) {
  std::cout << "id:     " << note.record.id << '\n'
            << "title:  " << field_text(note.record, "title") << '\n'
            << "status: " << note.status << '\n';
  if (note.record.deleted) std::cout << "deleted: " << note.record.deleted_reason << '\n';
  std::cout << "\n" << field_text(note.record, "body") << "\n\nSignatures:\n";
  for (const SignatureView& signature : note.signatures) print_signature(signature);
  if (note.signatures.empty()) std::cout << "  none\n";
  std::cout << "Addenda:\n";
  for (const std::string& addendum : note.addenda) std::cout << "  " << addendum << '\n';
  if (note.addenda.empty()) std::cout << "  none\n";
}

// edit, sign, agree, dispute: act on one note, then say where it stands.
using NoteAction = std::function<void(Vault& vault, const std::string& note)>;
CLI::App* add_note_action(CLI::App& group, const Globals& globals, const std::string& name,
                          const std::string& description, NoteAction act) {
  auto id = std::make_shared<std::string>();
  CLI::App* command = group.add_subcommand(name, description);
  command->add_option("ID", *id, "Note id")->required();
  command->callback([&globals, id, act] {
    auto vault = open_unlocked(globals);
    act(*vault, *id);
    const NoteView note = vault->note(*id);
    if (globals.json) return print_json(note);
    std::cout << "Note " << note.record.id << " is " << note.status << ".\n";
  });
  return command;
}

// add and addendum: a required title and exactly one body source.
struct NewNote {
  std::string title;
  BodySource body;
};
void add_new_note_options(CLI::App& command, NewNote& note) {
  command.add_option("--title", note.title, "The note's title")->required();
  CLI::App* body = command.add_option_group("body", "Exactly one of");
  add_body_options(*body, note.body);
  body->require_option(1);
}

void add_note_add(CLI::App& group, const Globals& globals) {
  struct Options {
    std::string interview;
    NewNote note;
  };
  auto options = std::make_shared<Options>();
  CLI::App* add = group.add_subcommand("add", "Write a draft note in an interview; prints its id");
  add->add_option("--interview", options->interview, "Interview id")->required();
  add_new_note_options(*add, options->note);
  add->callback([&globals, options] {
    // Read first, so a missing file is reported before the passphrase is asked for.
    const std::string body = read_body(options->note.body).value();
    print_created(globals, open_unlocked(globals)->add_note(options->interview, options->note.title, body));
  });
}

void add_note_addendum(CLI::App& group, const Globals& globals) {
  struct Options {
    std::string amended;
    NewNote note;
  };
  auto options = std::make_shared<Options>();
  CLI::App* addendum = group.add_subcommand("addendum", "Amend a signed note with a new note; prints its id");
  addendum->add_option("ID", options->amended, "Id of the note to amend")->required();
  add_new_note_options(*addendum, options->note);
  addendum->callback([&globals, options] {
    const std::string body = read_body(options->note.body).value();
    print_created(globals, open_unlocked(globals)->add_addendum(options->amended, options->note.title, body));
  });
}

void add_note_edit(CLI::App& group, const Globals& globals) {
  struct Options {
    std::optional<std::string> title;
    BodySource body;
  };
  auto options = std::make_shared<Options>();
  CLI::App* edit = add_note_action(group, globals, "edit", "Change a draft note's title or body",
                                   [options](Vault& vault, const std::string& note) {
                                     vault.edit_note(note, options->title, read_body(options->body));
                                   });
  CLI::App* changes = edit->add_option_group("changes", "At least one of");
  changes->add_option("--title", options->title, "The new title");
  add_body_options(*changes, options->body);
  changes->require_option();
}

void add_note_show(CLI::App& group, const Globals& globals) {
  auto id = std::make_shared<std::string>();
  CLI::App* show = group.add_subcommand("show", "Show a note: title, status, body, signatures, addenda");
  show->add_option("ID", *id, "Note id")->required();
  show->callback([&globals, id] {
    const NoteView note = open_unlocked(globals)->note(*id);
    if (globals.json) return print_json(note);
    print_note(note);
  });
}

void add_note_list(CLI::App& group, const Globals& globals) {
  auto interview = std::make_shared<std::string>();
  CLI::App* list = group.add_subcommand("list", "List the notes of an interview");
  list->add_option("--interview", *interview, "Interview id")->required();
  list->callback([&globals, interview] {
    const std::vector<NoteView> notes = open_unlocked(globals)->notes_of(*interview);
    if (globals.json) return print_json(notes);
    std::vector<Row> rows;
    for (const NoteView& note : notes) rows.push_back({note.record.id, field_text(note.record, "title"), note.status});
    print_table({"ID", "TITLE", "STATUS"}, rows);
  });
}

}  // namespace

void add_note_commands(CLI::App& app, const Globals& globals) {
  CLI::App* group = app.add_subcommand("note", "Write, sign, agree and dispute interview notes");
  group->require_subcommand(1);
  add_note_add(*group, globals);
  add_note_edit(*group, globals);
  add_note_action(*group, globals, "sign", "Sign your note; its content is then frozen",
                  [](Vault& vault, const std::string& note) { vault.sign_note(note); });
  add_note_addendum(*group, globals);
  add_note_show(*group, globals);
  add_note_list(*group, globals);
  add_note_action(*group, globals, "agree", "As the interview's practitioner, agree a signed note",
                  [](Vault& vault, const std::string& note) { vault.agree_note(note); });
  auto comment = std::make_shared<std::string>();
  add_note_action(*group, globals, "dispute", "As the interview's practitioner, dispute a signed note",
                  [comment](Vault& vault, const std::string& note) { vault.dispute_note(note, *comment); })
      ->add_option("--comment", *comment, "What the practitioner disputes")
      ->required();
}

}  // namespace casekeep::cli
