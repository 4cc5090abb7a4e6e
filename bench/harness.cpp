#include "harness.hpp"

#include <algorithm>
#include <fstream>

#include "casekeep/exchange.hpp"
#include "workload.hpp"

namespace casekeep::bench {

double seconds_since(Stopwatch::time_point start) {
  return std::chrono::duration<double>(Stopwatch::now() - start).count();
}

double percentile(std::vector<double> values, double p) {
  if (values.empty()) return 0;
  std::sort(values.begin(), values.end());
  return values[static_cast<std::size_t>(p * static_cast<double>(values.size() - 1))];
}

wire::Response MeteredCarrier::send(const wire::Request& request) {
  auto start = Stopwatch::now();
  wire::Response response = inner_.send(request);
  std::lock_guard<std::mutex> lock(mutex_);
  latencies_ms.push_back(seconds_since(start) * 1000);
  bytes += request.body.size() + response.body.size();
  if (response.status != 200 && errors++ == 0)
    first_error = std::to_string(response.status) + " " + response.body.substr(0, 200);
  return response;
}

VaultOptions fast_kdf() {
  VaultOptions options;
  options.kdf = crypto::PwhashParams::minimum();
  return options;
}

Client enrolled_client(test::ServerProcess& server, Carrier& carrier, const std::filesystem::path& file,
                       const std::string& name) {
  Client c;
  c.vault = Vault::create(file.string(), "pw", name, fast_kdf());
  c.engine = std::make_unique<SyncEngine>(*c.vault);
  c.engine->on_enroll_response(carrier.send(c.engine->enroll_request(server.add_user(name))));
  return c;
}

Client reopened_client(const std::filesystem::path& file) {
  Client c;
  c.vault = Vault::open(file.string(), fast_kdf());
  c.vault->unlock("pw");
  c.engine = std::make_unique<SyncEngine>(*c.vault);
  return c;
}

std::string shared_interview(Vault& owner, const std::vector<Vault*>& members) {
  std::string c = owner.create_case({"imr", "BENCH", "bench", "", "", "", "open"});
  std::string i = owner.create_interview({c, "Pat", "", ""});
  for (Vault* m : members) owner.add_member(i, m->user_card(), "note_taker", m->display_name());
  return i;
}

std::vector<std::string> write_notes(Vault& vault, const std::string& interview, std::size_t first, std::size_t count,
                                     std::size_t per_transaction) {
  std::vector<std::string> ids;
  ids.reserve(count);
  for (std::size_t done = 0; done < count;) {
    std::size_t batch = std::min(per_transaction, count - done);
    vault.write_batch([&] {
      for (std::size_t k = 0; k < batch; ++k) {
        NoteDraft n = make_note(first + done + k);
        ids.push_back(vault.add_note(interview, n.title, n.body));
      }
    });
    done += batch;
  }
  return ids;
}

std::size_t push_all(SyncEngine& engine, Carrier& carrier) {
  SyncRun push(engine, SyncRun::Phase::push, SyncRun::Phase::push);  // as sync_with() pushes: the next batch read meanwhile
  drive(push, carrier);
  return push.summary().sent;
}

std::size_t pull_all(SyncEngine& engine, Carrier& carrier) {
  SyncRun pull(engine, SyncRun::Phase::pull);  // as sync_with() pulls: the next page fetched during each import
  drive(pull, carrier);
  return pull.summary().received;
}

long peak_rss_kb(pid_t pid) {
  std::ifstream status("/proc/" + std::to_string(pid) + "/status");
  for (std::string line; std::getline(status, line);)
    if (line.rfind("VmHWM:", 0) == 0) return std::stol(line.substr(6));
  return -1;
}

}  // namespace casekeep::bench
