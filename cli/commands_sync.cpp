// Commands that talk to a casekeep server: enroll, sync, status. The engine
// does the protocol; these only choose the server, print, and report progress.
#include <filesystem>
#include <iostream>
#include <memory>

#include "casekeep/http_carrier.hpp"
#include "commands.hpp"
#include "output.hpp"
#include "passphrase.hpp"
#include "sync_session.hpp"

namespace casekeep::cli {
namespace {

void add_enroll(CLI::App& app, const Globals& globals) {
  struct Options {
    std::string server, code, name, ca;
  };
  auto options = std::make_shared<Options>();
  CLI::App* enroll = app.add_subcommand("enroll", "Enrol this device with a casekeep server (creates the vault if absent)");
  enroll->add_option("--server", options->server, "Server address, e.g. http://127.0.0.1:8787")->required();
  enroll->add_option("--code", options->code, "The one-time code the operator gave you")->required();
  enroll->add_option("--name", options->name, "Your name, when this creates the vault");
  enroll->add_option("--ca", options->ca, "CA certificate file to trust for an https server");
  enroll->callback([&globals, options] {
    std::unique_ptr<Vault> vault;
    if (std::filesystem::exists(globals.vault_path())) {
      vault = open_unlocked(globals);
    } else {
      if (options->name.empty())
        throw Error(ErrorCode::invalid_argument, "There is no vault yet: give --name to create one while enrolling.");
      std::filesystem::create_directories(globals.home);
      std::filesystem::permissions(globals.home, std::filesystem::perms::owner_all);
      vault = Vault::create(globals.vault_path(), read_passphrase(PassphraseEntry::confirm), options->name);
    }
    SyncEngine engine(*vault);
    HttpCarrier carrier(options->server, options->ca);
    std::string name = engine.on_enroll_response(carrier.send(engine.enroll_request(options->code)));
    vault->set_sync_setting("server", options->server);
    vault->set_sync_setting("ca", options->ca);
    if (globals.json) return print_json({{"server", options->server}, {"user", vault->user_id()}, {"name", name}});
    std::cout << "Enrolled " << name << " (" << vault->user_id().substr(0, 12) << ") with " << options->server << ".\n";
  });
}

void add_sync(CLI::App& app, const Globals& globals) {
  CLI::App* sync = app.add_subcommand("sync", "Push unsynced changes, then pull everything new");
  sync->callback([&globals] {
    SyncSession s = SyncSession::open(globals);
    const bool show_progress = !globals.json && s.vault->outbox_size() > 200;
    SyncSummary summary = sync_with(*s.engine, *s.carrier, [&](const std::string& line) {
      if (show_progress) std::cerr << "\r" << line << std::flush;
    });
    if (show_progress) std::cerr << '\n';
    s.vault->set_sync_setting("last_sync", format_hlc(SystemClock().now_ms() << 16));
    if (globals.json)
      return print_json({{"sent", summary.sent}, {"received", summary.received}, {"pending", summary.pending},
                         {"conflicts", summary.conflicts}});
    std::cout << "Sent " << summary.sent << ", received " << summary.received << ", conflicts " << summary.conflicts
              << (summary.pending ? ", waiting " + std::to_string(summary.pending) : std::string()) << ".\n";
  });
}

void add_status(CLI::App& app, const Globals& globals) {
  CLI::App* status = app.add_subcommand("status", "Unsynced changes, last sync and server");
  status->callback([&globals] {
    auto vault = open_unlocked(globals);
    const std::string server = vault->sync_setting("server");
    const std::string last = vault->sync_setting("last_sync");
    if (globals.json)
      return print_json({{"unsynced", vault->outbox_size()}, {"last_sync", last}, {"server", server}});
    std::cout << "unsynced changes: " << vault->outbox_size() << '\n'
              << "last sync:        " << (last.empty() ? "never" : last) << '\n'
              << "server:           " << (server.empty() ? "none (not enrolled)" : server) << '\n';
  });
}

}  // namespace

void add_sync_commands(CLI::App& app, const Globals& globals) {
  add_enroll(app, globals);
  add_sync(app, globals);
  add_status(app, globals);
}

}  // namespace casekeep::cli
