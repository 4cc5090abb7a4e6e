// casekeep-server: serve the sync API, or run an operator command on the store.
//   casekeep-server --data DIR [--listen HOST:PORT] [--tls-cert F --tls-key F] [--config F] [--web DIR]
//   casekeep-server --data DIR user add --name NAME [--role ROLE] | user list | device revoke --device HEX
#include <malloc.h>
#include <pthread.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <CLI/CLI.hpp>
#include <atomic>
#include <chrono>
#include <csignal>
#include <fstream>
#include <iostream>
#include <thread>

#include "admin.hpp"
#include "http_server.hpp"

namespace {

using casekeep::server::HttpOptions;
using nlohmann::json;

struct Settings {
  std::string data, listen = "127.0.0.1:8787", tls_cert, tls_key, config, web;
  double rate = 50, burst = 100;
};

// Fill what the command line left unset from the JSON config file: flags win.
void apply_config(Settings& s, const CLI::App& app) {
  std::ifstream in(s.config);
  if (!in) throw std::runtime_error("Cannot read the config file " + s.config + ".");
  json j;
  try {
    j = json::parse(in);
  } catch (const json::exception&) {
    throw std::runtime_error("The config file " + s.config + " is not JSON.");
  }
  if (!j.is_object()) throw std::runtime_error("The config file " + s.config + " is not a JSON object.");
  auto unset = [&](const char* flag) { return app.get_option(std::string("--") + flag)->count() == 0; };
  for (auto it = j.begin(); it != j.end(); ++it) {
    const std::string& key = it.key();
    const json& v = it.value();
    std::string* text = key == "data" ? &s.data : key == "listen" ? &s.listen : key == "tls-cert" ? &s.tls_cert
                      : key == "tls-key" ? &s.tls_key : key == "web" ? &s.web : nullptr;
    double* number = key == "rate" ? &s.rate : key == "burst" ? &s.burst : nullptr;
    if (!text && !number)
      throw std::runtime_error("The config file has an unknown key '" + key +
                               "'; use data, listen, tls-cert, tls-key, web, rate or burst.");
    if (text && !v.is_string()) throw std::runtime_error("The config key '" + key + "' must be a string.");
    if (number && !v.is_number()) throw std::runtime_error("The config key '" + key + "' must be a number.");
    if (!unset(key.c_str())) continue;
    if (text) *text = v.get<std::string>();
    else *number = v.get<double>();
  }
}

HttpOptions http_options(const Settings& s) {
  HttpOptions o;
  std::size_t colon = s.listen.rfind(':');
  if (colon == std::string::npos || colon == 0) throw std::runtime_error("--listen takes HOST:PORT, e.g. 127.0.0.1:8787.");
  o.host = s.listen.substr(0, colon);
  if (o.host.size() > 2 && o.host.front() == '[' && o.host.back() == ']') o.host = o.host.substr(1, o.host.size() - 2);
  std::string port = s.listen.substr(colon + 1);
  if (port.empty() || port.size() > 5 || port.find_first_not_of("0123456789") != std::string::npos || std::stoi(port) > 65535)
    throw std::runtime_error("--listen has a bad port '" + port + "'.");
  o.port = std::stoi(port);
  if (s.tls_cert.empty() != s.tls_key.empty()) throw std::runtime_error("TLS needs both --tls-cert and --tls-key.");
  o.tls_cert = s.tls_cert;
  o.tls_key = s.tls_key;
  o.web_dir = s.web;
  return o;
}

int serve(const Settings& s) {
  // SIGINT and SIGTERM are taken by one thread that stops the server cleanly;
  // blocking them first means every thread httplib starts inherits the mask.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  casekeep::server::Store store(s.data);
  casekeep::SystemClock clock;
  casekeep::server::Limits limits;
  limits.rate_per_second = s.rate;
  limits.rate_burst = s.burst;
  casekeep::server::SyncService service(store, clock, limits);
  casekeep::server::HttpServer server(service, http_options(s));
  server.bind();

  std::atomic<bool> finished{false};
  std::thread stopper([&] {
    int sig = 0;
    sigwait(&signals, &sig);
    if (!finished) spdlog::info("signal {}: stopping", sig);
    // stop() is a no-op until the listen loop runs: repeat until it has ended,
    // so a signal that arrives just after bind() is not lost.
    while (!finished) {
      server.stop();
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  });
  std::cout << "casekeep-server listening on " << server.url() << std::endl;  // endl flushes: tests read this line
  spdlog::info("serving data directory {}", s.data);
  server.run();
  finished = true;
  // If the server stopped by itself, wake the stopper so it can be joined.
  kill(getpid(), SIGTERM);
  stopper.join();
  spdlog::info("stopped");
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
#ifdef M_ARENA_MAX
  // glibc gives each request thread its own heap and keeps what a large push
  // freed there: S5's server peaked at 126 MB with the default, 44 MB with two.
  mallopt(M_ARENA_MAX, 2);
#endif
  spdlog::set_default_logger(spdlog::stderr_color_mt("casekeep-server"));
  CLI::App app{"casekeep-server: the blind sync server of casekeep."};
  app.fallthrough();
  Settings s;
  app.add_option("--data", s.data, "Directory of the server's store (DIR/server.db)");
  app.add_option("--listen", s.listen, "HOST:PORT to listen on; port 0 picks a free one (default 127.0.0.1:8787)");
  app.add_option("--tls-cert", s.tls_cert, "PEM certificate (chain) for HTTPS");
  app.add_option("--tls-key", s.tls_key, "PEM private key for HTTPS");
  app.add_option("--config", s.config, "JSON file with the same keys as the flags (data, listen, tls-cert, ...); flags win");
  app.add_option("--web", s.web, "Directory of static web files to serve at /");
  app.add_option("--rate", s.rate, "Requests per second allowed per device (0 turns the limit off; default 50)");
  app.add_option("--burst", s.burst, "Burst of requests allowed per device (default 100)");

  auto* user = app.add_subcommand("user", "Manage the user directory");
  user->require_subcommand(1);
  std::string name, role, device_hex;
  auto* user_add = user->add_subcommand("add", "Add a user, or a device for one, and print a one-time enrolment code");
  user_add->add_option("--name", name, "The user's name, as colleagues look them up")->required();
  user_add->add_option("--role", role, "The user's role (lead_reviewer, note_taker, ...)");
  auto* user_list = user->add_subcommand("list", "List users, their ids and devices");
  auto* device = app.add_subcommand("device", "Manage devices");
  device->require_subcommand(1);
  auto* revoke = device->add_subcommand("revoke", "Revoke a device: its tokens stop working at once");
  revoke->add_option("--device", device_hex, "The device id (64 hex digits, from 'user list')")->required();

  CLI11_PARSE(app, argc, argv);
  try {
    if (!s.config.empty()) apply_config(s, app);
    if (s.data.empty()) throw std::runtime_error("Say where the server's data lives: --data DIR (or \"data\" in --config).");
    if (*user_add) {
      casekeep::server::Store store(s.data);
      casekeep::SystemClock clock;
      std::cout << casekeep::server::add_user(store, clock, name, role) << std::endl;
      std::cerr << "Give this one-time code to " << name << " to enrol a device; it works once." << std::endl;
      return 0;
    }
    if (*user_list) {
      casekeep::server::Store store(s.data);
      std::cout << casekeep::server::user_list_text(store) << std::flush;
      return 0;
    }
    if (*revoke) {
      casekeep::server::Store store(s.data);
      std::cout << casekeep::server::revoke_device(store, device_hex) << std::endl;
      return 0;
    }
    return serve(s);
  } catch (const std::exception& e) {
    std::cerr << "casekeep-server: " << e.what() << std::endl;
    return 1;
  }
}
