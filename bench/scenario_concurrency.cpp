// S7 concurrency: --s7-clients clients, each in its own thread with its own
// vault, space and HTTP connection, push --s7-notes notes each at once to one
// casekeep-server. Throughput over the whole burst, latency of every request,
// and errors (non-200 answers and exceptions). Logins happen before the burst.
#include <atomic>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "scenarios.hpp"

namespace casekeep::bench {

void run_s7(const Config& config, Report& report) {
  const auto dir = config.work_dir / "s7";
  test::ServerProcess server((dir / "server").string(), config.server_bin);
  server.start();
  HttpCarrier setup(server.url());
  std::vector<Client> clients;
  for (std::size_t k = 0; k < config.s7_clients; ++k) {
    clients.push_back(enrolled_client(server, setup, dir / ("c" + std::to_string(k) + ".db"), "S7 " + std::to_string(k)));
    write_notes(*clients.back().vault, shared_interview(*clients.back().vault, {}), k * config.s7_notes, config.s7_notes);
  }

  std::mutex mutex;
  std::condition_variable go;
  bool started = false;
  std::atomic<std::size_t> errors{0}, ready{0};
  std::vector<double> latencies;
  std::string first_error;
  auto remember = [&](const std::string& what) {
    std::lock_guard<std::mutex> lock(mutex);
    if (first_error.empty()) first_error = what;
  };
  std::vector<std::thread> threads;
  for (Client& client : clients) {
    threads.emplace_back([&, engine = client.engine.get()] {
      HttpCarrier http(server.url());
      MeteredCarrier wire(http);
      bool logged_in = false;
      try {
        engine->on_login_response(http.send(engine->login_request(http.send(engine->challenge_request()))));
        logged_in = true;
      } catch (const std::exception& e) {
        ++errors;
        remember(e.what());
      }
      ++ready;
      std::unique_lock<std::mutex> lock(mutex);
      go.wait(lock, [&] { return started; });
      lock.unlock();
      try {
        if (logged_in) push_all(*engine, wire);
      } catch (const std::exception& e) {
        ++errors;
        remember(e.what());
      }
      lock.lock();
      errors += wire.errors;
      if (first_error.empty()) first_error = wire.first_error;
      latencies.insert(latencies.end(), wire.latencies_ms.begin(), wire.latencies_ms.end());
    });
  }
  while (ready < clients.size()) std::this_thread::yield();
  auto start = Stopwatch::now();
  {
    std::lock_guard<std::mutex> lock(mutex);
    started = true;
  }
  go.notify_all();
  for (auto& t : threads) t.join();
  double wall = seconds_since(start);

  const std::string title = std::to_string(config.s7_clients) + " clients x " + std::to_string(config.s7_notes) + " notes at once";
  report.row("S7", title, "wall", wall, "s");
  report.row("S7", title, "notes/s", static_cast<double>(config.s7_clients * config.s7_notes) / wall);
  report.row("S7", title, "requests", static_cast<double>(latencies.size()));
  report.row("S7", title, "latency p50", percentile(latencies, 0.50), "ms");
  report.row("S7", title, "latency p99", percentile(latencies, 0.99), "ms");
  report.row("S7", title, "errors", static_cast<double>(errors.load()));
  if (!first_error.empty()) report.note("S7's first error: " + first_error);
}

}  // namespace casekeep::bench
