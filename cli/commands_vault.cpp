// Commands about the vault itself: init creates it, whoami shows the identity
// (and the user card others need to add you), verify re-checks everything stored.
// None of them changes a record.
#include <filesystem>
#include <iostream>
#include <memory>

#include "casekeep/vault.hpp"
#include "commands.hpp"
#include "output.hpp"
#include "passphrase.hpp"

namespace casekeep::cli {

namespace {

void add_init(CLI::App& app, const Globals& globals) {
  struct Options {
    std::string name;
    bool fast_kdf = false;
  };
  auto options = std::make_shared<Options>();
  CLI::App* init = app.add_subcommand("init", "Create a vault with a new user identity and device");
  init->add_option("--name", options->name, "Your name as others will see it")->required();
  init->add_flag("--fast-kdf", options->fast_kdf, "For tests only: minimum Argon2id cost");
  init->callback([&globals, options] {
    const std::string path = globals.vault_path();
    // Checked before prompting so nobody types a new passphrase twice for nothing.
    if (std::filesystem::exists(path)) {
      throw Error(ErrorCode::already_exists, "A vault already exists at " + path + ".");
    }
    if (!std::filesystem::exists(globals.home)) {
      std::filesystem::create_directories(globals.home);
      // The vault is encrypted, but its size and timing are still nobody else's business.
      std::filesystem::permissions(globals.home, std::filesystem::perms::owner_all);
    }
    VaultOptions vault_options;
    // The parameters are stored in the vault, so later commands need no flag.
    if (options->fast_kdf) vault_options.kdf = crypto::PwhashParams::minimum();
    auto vault = Vault::create(path, read_passphrase(PassphraseEntry::confirm), options->name, vault_options);
    if (globals.json) {
      print_json({{"user", vault->user_id()}, {"device", vault->device_id()}, {"name", vault->display_name()}});
    } else {
      std::cout << "Created a vault at " << path << '\n'
                << "user:   " << vault->user_id() << '\n'
                << "device: " << vault->device_id() << '\n';
    }
  });
}

void add_whoami(CLI::App& app, const Globals& globals) {
  CLI::App* whoami = app.add_subcommand("whoami", "Show your user id, device id, name and user card");
  whoami->callback([&globals] {
    auto vault = open_unlocked(globals);
    const json card = vault->user_card();
    if (globals.json) {
      print_json({{"user", vault->user_id()},
                  {"device", vault->device_id()},
                  {"name", vault->display_name()},
                  {"card", card}});
    } else {
      std::cout << "user:   " << vault->user_id() << '\n'
                << "device: " << vault->device_id() << '\n'
                << "name:   " << vault->display_name() << '\n'
                // One line, so it can be pasted into member add --user-card.
                << "card:   " << card.dump() << '\n';
    }
  });
}

std::size_t count_note_signatures(const Vault& vault) {
  std::size_t count = 0;
  for (const RecordView& note : vault.list("note")) count += vault.note(note.id).signatures.size();
  return count;
}

void add_verify(CLI::App& app, const Globals& globals) {
  CLI::App* verify = app.add_subcommand(
      "verify", "Re-check every changeset, record and note signature; exit 24 if anything was altered");
  verify->callback([&globals] {
    auto vault = open_unlocked(globals);
    const std::vector<VerifyProblem> problems = vault->verify();
    if (!problems.empty()) {
      if (!globals.json) {
        for (const VerifyProblem& problem : problems) std::cerr << problem.subject << ": " << problem.message << '\n';
      }
      const std::string count = std::to_string(problems.size()) + (problems.size() == 1 ? " problem" : " problems");
      throw ErrorWithDetails(ErrorCode::tampered, "The vault has been altered: " + count + " found.", problems);
    }
    // The counts only make the all-clear concrete; verify() has checked them all.
    const std::size_t changesets = vault->export_changesets().size();
    const std::size_t signatures = count_note_signatures(*vault);
    if (globals.json) {
      print_json({{"changesets", changesets}, {"signatures", signatures}, {"problems", json::array()}});
    } else {
      std::cout << "All " << changesets << (changesets == 1 ? " changeset" : " changesets") << " and " << signatures
                << (signatures == 1 ? " signature verify.\n" : " signatures verify.\n");
    }
  });
}

}  // namespace

void add_vault_commands(CLI::App& app, const Globals& globals) {
  add_init(app, globals);
  add_whoami(app, globals);
  add_verify(app, globals);
}

}  // namespace casekeep::cli
