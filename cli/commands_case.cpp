// Commands on cases and what hangs off a case space: case create/list/show,
// evidence add, member add. Field names shown in listings are the core's; this
// file checks nothing the core checks.
#include <iostream>
#include <memory>

#include "casekeep/vault.hpp"
#include "commands.hpp"
#include "output.hpp"
#include "sync_session.hpp"

namespace casekeep::cli {

namespace {

void add_case_create(CLI::App& group, const Globals& globals) {
  auto input = std::make_shared<CaseInput>();
  CLI::App* create = group.add_subcommand("create", "Create a case; prints its id");
  create->add_option("--kind", input->kind, "Kind of case")->required()->check(CLI::IsMember(kCaseKinds));
  create->add_option("--ref", input->reference, "The case's reference")->required();
  create->add_option("--title", input->title, "The case's title")->required();
  create->add_option("--lscb", input->lscb, "Lead LSCB");
  create->add_option("--second-lscb", input->second_lscb, "A second, out-of-area LSCB");
  create->add_option("--parent", input->parent, "The SCR this IMR or HOR belongs to (case id)");
  create->callback([&globals, input] { print_created(globals, open_unlocked(globals)->create_case(*input)); });
}

void add_case_list(CLI::App& group, const Globals& globals) {
  CLI::App* list = group.add_subcommand("list", "List the cases you can see");
  list->callback([&globals] {
    const std::vector<RecordView> cases = open_unlocked(globals)->list("case");
    if (globals.json) return print_json(cases);
    std::vector<Row> rows;
    for (const RecordView& view : cases) {
      rows.push_back({view.id, field_text(view, "kind"), field_text(view, "reference"), field_text(view, "title"),
                      record_status(view)});
    }
    print_table({"ID", "KIND", "REF", "TITLE", "STATUS"}, rows);
  });
}

void add_case_show(CLI::App& group, const Globals& globals) {
  auto id = std::make_shared<std::string>();
  CLI::App* show = group.add_subcommand("show", "Show a case, its interviews and any conflicts");
  show->add_option("ID", *id, "Case id")->required();
  show->callback([&globals, id] {
    auto vault = open_unlocked(globals);
    const RecordView view = vault->get(*id);
    const std::vector<RecordView> interviews = vault->interviews_of(*id);
    if (globals.json) return print_json({{"case", view}, {"interviews", interviews}});
    print_record(view);
    std::cout << "\nInterviews:\n";
    std::vector<Row> rows;
    for (const RecordView& interview : interviews) {
      rows.push_back({interview.id, field_text(interview, "practitioner"), field_text(interview, "when"),
                       record_status(interview)});
    }
    print_table({"ID", "PRACTITIONER", "WHEN", "STATUS"}, rows);
  });
}

void add_evidence_add(CLI::App& group, const Globals& globals) {
  struct Options {
    EvidenceInput input;
    bool copy = false, original = false;
  };
  auto options = std::make_shared<Options>();
  CLI::App* add = group.add_subcommand("add", "Record a health record obtained for a case; prints its id");
  add->add_option("--case", options->input.case_id, "Case id")->required();
  add->add_option("--whose", options->input.whose, "Whose record, e.g. child, mother")->required();
  add->add_option("--source", options->input.source, "Where it came from, e.g. GP practice")->required();
  CLI::App* form = add->add_option_group("form", "Whether it is a copy or the original");
  CLI::Option* copy = form->add_flag("--copy", options->copy, "It is a copy");
  form->add_flag("--original", options->original, "It is the original");
  form->require_option(1);
  add->add_option("--date-copied", options->input.date_copied, "When it was copied (ISO 8601)")->needs(copy);
  add->add_option("--copied-by", options->input.copied_by, "Who made the copy")->needs(copy);
  add->add_option("--held-at", options->input.held_at, "Where it is held");
  add->callback([&globals, options] {
    options->input.original_or_copy = options->copy ? "copy" : "original";
    print_created(globals, open_unlocked(globals)->add_evidence(options->input));
  });
}

// Accepts the card itself, a file holding it, or `whoami --json` output (card under "card").
UserCard read_user_card(const std::string& json_or_file) {
  const std::size_t first = json_or_file.find_first_not_of(" \t\r\n");
  const bool inline_json = first != std::string::npos && json_or_file[first] == '{';
  const std::string text = inline_json ? json_or_file : read_file_argument(json_or_file);
  try {
    const json parsed = json::parse(text);
    return parsed.contains("card") ? parsed.at("card").get<UserCard>() : parsed.get<UserCard>();
  } catch (const json::exception& e) {
    throw Error(ErrorCode::malformed,
                "The user card is not {\"user\",\"box_key\",\"sig\"} JSON (" + std::string(e.what()) + ").");
  }
}

void add_member_list(CLI::App& group, const Globals& globals) {
  auto space = std::make_shared<std::string>();
  CLI::App* list = group.add_subcommand("list", "Who may see a case or interview");
  list->add_option("--space", *space, "Case or interview id")->required();
  list->callback([&globals, space] {
    std::vector<RecordView> members = open_unlocked(globals)->list("member", *space);
    if (globals.json) return print_json(members);
    std::vector<Row> rows;
    for (const auto& m : members)
      rows.push_back({field_text(m, "name"), field_text(m, "role"), short_id(field_text(m, "user")),
                      m.deleted ? "removed: " + m.deleted_reason : "member"});
    print_table({"NAME", "ROLE", "USER", "STATUS"}, rows);
  });
}

void add_member_remove(CLI::App& group, const Globals& globals) {
  struct Options {
    std::string space, user, reason;
  };
  auto options = std::make_shared<Options>();
  CLI::App* remove = group.add_subcommand("remove", "Remove someone; the space gets a new key they never see");
  remove->add_option("--space", options->space, "Case or interview id")->required();
  remove->add_option("--user", options->user, "Their user id, or their name as the member list shows it")->required();
  remove->add_option("--reason", options->reason, "Why they are removed (kept in the history)")->required();
  remove->callback([&globals, options] {
    auto vault = open_unlocked(globals);
    std::string user = options->user;
    for (const auto& m : vault->list("member", options->space))
      if (!m.deleted && field_text(m, "name") == options->user) user = field_text(m, "user");
    vault->remove_member(options->space, user, options->reason);
    if (globals.json) return print_json({{"space", options->space}, {"removed", user}});
    std::cout << "Removed " << options->user << "; the space has a new key.\n";
  });
}

void add_member_add(CLI::App& group, const Globals& globals) {
  struct Options {
    std::string space, user, card, role, name;
  };
  auto options = std::make_shared<Options>();
  CLI::App* add = group.add_subcommand("add", "Give someone access to a case or interview space");
  add->add_option("--space", options->space, "Case or interview id")->required();
  auto* user = add->add_option("--user", options->user, "Their name or user id in the server's directory");
  auto* card_option = add->add_option("--user-card", options->card, "Their card (from whoami), offline: JSON or a file");
  user->excludes(card_option);
  add->add_option("--role", options->role, "Their role in the space")->default_val("note_taker")
      ->check(CLI::IsMember(kRoles));
  add->add_option("--name", options->name, "Their name (default: as the directory has it)");
  add->callback([&globals, options] {
    if (options->user.empty() == options->card.empty())
      throw CLI::ValidationError("member add", "give exactly one of --user or --user-card");
    UserCard card;
    std::unique_ptr<Vault> vault;
    if (!options->user.empty()) {
      SyncSession s = SyncSession::open(globals);
      card = s.lookup(options->user);
      if (options->name.empty()) options->name = options->user;
      vault = std::move(s.vault);
    } else {
      card = read_user_card(options->card);
      vault = open_unlocked(globals);
    }
    if (options->name.empty()) throw CLI::ValidationError("member add", "--name is needed with --user-card");
    vault->add_member(options->space, card, options->role, options->name);
    if (globals.json) {
      return print_json({{"space", options->space}, {"user", card.user}, {"role", options->role},
                         {"name", options->name}});
    }
    std::cout << "Added " << options->name << " as " << options->role << ".\n";
  });
}

}  // namespace

void add_case_commands(CLI::App& app, const Globals& globals) {
  CLI::App* case_group = app.add_subcommand("case", "Create, list and show cases");
  case_group->require_subcommand(1);
  add_case_create(*case_group, globals);
  add_case_list(*case_group, globals);
  add_case_show(*case_group, globals);

  CLI::App* evidence = app.add_subcommand("evidence", "Record health records obtained for a case");
  evidence->require_subcommand(1);
  add_evidence_add(*evidence, globals);

  CLI::App* member = app.add_subcommand("member", "Manage who may see a case or interview");
  member->require_subcommand(1);
  add_member_add(*member, globals);
  add_member_list(*member, globals);
  add_member_remove(*member, globals);
}

}  // namespace casekeep::cli
