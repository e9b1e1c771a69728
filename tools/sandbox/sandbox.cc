// The sandbox: two cpp-httplib servers over the PING and Primero stores. See sandbox.h.
#include "sandbox.h"

#include "faults_http.h"  // ---- fault injection ----
#include "ping_store.h"
#include "ping_synthetic.h"  // ---- PING ingestion and decisions ----
#include "primero_store.h"
#include "primero_seed.h"  // ---- Primero referrals, users, seeding ----
#include "refbridge/log.h"

#include <httplib.h>

#include <netinet/in.h>
#include <sys/resource.h>
#include <sys/socket.h>

#include <atomic>
#include <chrono>
#include <fstream>
#include <sstream>
#include <thread>

namespace refbridge::sandbox {

using detail::ApiRequest;
using detail::ApiResponse;

namespace {

bool is_loopback(const std::string& addr) {
  return addr == "127.0.0.1" || addr == "::1" || addr == "::ffff:127.0.0.1" || addr.rfind("127.", 0) == 0;
}

ApiRequest to_api_request(const httplib::Request& req) {
  ApiRequest r;
  r.method = req.method;
  const auto q = req.target.find('?');
  r.raw_path = req.target.substr(0, q);
  for (const auto& [k, v] : req.params) r.params.emplace(k, v);
  r.authorization = req.get_header_value("Authorization");
  r.cookie = req.get_header_value("Cookie");
  r.csrf_token = req.get_header_value("X-CSRF-Token");
  r.body = req.body;
  r.remote_addr = req.remote_addr;
  return r;
}

void write_response(const ApiResponse& api, httplib::Response& res) {
  res.status = api.status;
  for (const auto& [k, v] : api.headers) res.set_header(k, v);
  if (!api.content_type.empty() && api.status != 204) res.set_content(api.body, api.content_type);
}

// ---- PING OAuth2 and TLS ----
/// A plain HTTP server, or an HTTPS one (mTLS when tls.client_ca_file is set).
std::unique_ptr<httplib::Server> make_server(const SandboxOptions::Tls& tls) {
  if (tls.certificate_file.empty()) return std::make_unique<httplib::Server>();
  return std::make_unique<httplib::SSLServer>(tls.certificate_file.c_str(), tls.key_file.c_str(),
                                              tls.client_ca_file.empty() ? nullptr : tls.client_ca_file.c_str());
}

/// Registers `handler` for every method and path on `server`.
/// cpp-httplib 0.11 listens with a backlog of 5 (CPPHTTPLIB_LISTEN_BACKLOG, fixed when Debian
/// built the library): more clients connecting at once than that have their SYN dropped and
/// retry it a second later, which stalls a run at sync.concurrency 32 or 64 on its first requests.
/// Linux lets listen() be called again on a listening socket to change the backlog: this finds
/// the server's listening socket by its port and does so. Best effort (nothing changes when the
/// socket is not found).
void widen_backlog(int port) {
  for (int fd = 0; fd < 1024; ++fd) {
    int listening = 0;
    socklen_t len = sizeof listening;
    if (getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &listening, &len) != 0 || listening == 0) continue;
    sockaddr_storage addr{};
    socklen_t addr_len = sizeof addr;
    if (getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &addr_len) != 0) continue;
    int bound = -1;
    if (addr.ss_family == AF_INET) bound = ntohs(reinterpret_cast<const sockaddr_in*>(&addr)->sin_port);
    if (addr.ss_family == AF_INET6) bound = ntohs(reinterpret_cast<const sockaddr_in6*>(&addr)->sin6_port);
    if (bound == port) ::listen(fd, SOMAXCONN);
  }
}

void route_all(httplib::Server& server, const httplib::Server::Handler& handler) {
  const char* any = "[\\s\\S]*";
  server.Get(any, handler);
  server.Post(any, handler);
  server.Put(any, handler);
  server.Patch(any, handler);
  server.Delete(any, handler);
}

}  // namespace

/// The configuration SandboxOptions names: nullptr for the stock one (both JSON texts empty).
/// Sandbox::start() has checked that it loads.
std::shared_ptr<const detail::PrimeroConfig> primero_config(const SandboxOptions& o) {
  if (o.primero_forms_json.empty() && o.primero_lookups_json.empty()) return nullptr;
  auto loaded = detail::PrimeroConfig::load(
      o.primero_forms_json.empty() ? detail::PrimeroConfig::stock_forms_json() : std::string_view(o.primero_forms_json),
      o.primero_lookups_json.empty() ? detail::PrimeroConfig::stock_lookups_json() : std::string_view(o.primero_lookups_json));
  return loaded ? std::make_shared<const detail::PrimeroConfig>(std::move(loaded).value()) : nullptr;
}

struct Sandbox::Impl {
  SandboxOptions options;
  detail::PingStore ping;
  detail::PrimeroStore primero;
  std::unique_ptr<httplib::Server> ping_server_owner = make_server(options.tls);  // ---- PING OAuth2 and TLS ----
  std::unique_ptr<httplib::Server> primero_server_owner = make_server(options.tls);
  httplib::Server& ping_server = *ping_server_owner;
  httplib::Server& primero_server = *primero_server_owner;
  std::unique_ptr<PingOAuth> oauth = options.ping_oauth ? std::make_unique<PingOAuth>(*options.ping_oauth) : nullptr;
  std::thread ping_thread;
  std::thread primero_thread;
  int ping_port = 0;
  int primero_port = 0;
  bool stopped = false;
  std::mutex stop_mutex;
  std::atomic<std::uint64_t> ping_requests{0};     ///< API requests answered (not /_sandbox)
  std::atomic<std::uint64_t> primero_requests{0};
  detail::FaultInjector faults{[this] { ping.ingestion().fail_next(1); }, options.logger};  // ---- fault injection ----

  explicit Impl(SandboxOptions o)
      : options(std::move(o)),
        ping(options.ping_oauth ? std::string() : options.ping_token, options.ingestion_polls_to_complete),
        primero(detail::PrimeroSettings{options.primero_user, options.primero_password, options.primero_max_per,
                                        options.primero_version, options.primero_relaxed_login,
                                        options.primero_millisecond_ranges, primero_config(options)}) {
    faults.set_plan(options.faults);
  }

  void log(std::string_view event, int status, std::chrono::steady_clock::time_point started,
           std::optional<std::pair<LogKey, std::string>> id = std::nullopt) const {
    if (options.logger == nullptr) return;
    const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started).count();
    const auto level = status >= 500 ? LogLevel::kError : (status >= 400 ? LogLevel::kWarn : LogLevel::kDebug);
    if (id) {
      options.logger->log(level, event,
                          {{id->first, id->second}, {LogKey::kHttpStatus, std::to_string(status)}, {LogKey::kDurationMs, std::to_string(ms)}});
    } else {
      options.logger->log(level, event, {{LogKey::kHttpStatus, std::to_string(status)}, {LogKey::kDurationMs, std::to_string(ms)}});
    }
  }

  /// SandboxOptions::on_write for a write answered 2xx (before the answer goes out).
  void after_write(const ApiRequest& request, int status) const {
    if (options.on_write && request.method != "GET" && status >= 200 && status < 300) {
      options.on_write(request.method, request.raw_path);
    }
  }

  /// GET /_sandbox/stats (sandbox.h).
  ApiResponse stats() const {
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    const auto ms = [](const timeval& t) { return static_cast<long long>(t.tv_sec) * 1000 + t.tv_usec / 1000; };
    ApiResponse r;
    r.body = "{\"ping_requests\":" + std::to_string(ping_requests.load()) + ",\"primero_requests\":" +
             std::to_string(primero_requests.load()) + ",\"cpu_user_ms\":" + std::to_string(ms(usage.ru_utime)) +
             ",\"cpu_system_ms\":" + std::to_string(ms(usage.ru_stime)) + "}";
    return r;
  }

  ApiResponse handle_ping(const ApiRequest& request) {
    const auto seg = detail::split_path(request.raw_path);
    if (!seg.empty() && seg[0] == "_sandbox") {
      if (!is_loopback(request.remote_addr)) return detail::PingStore::problem(403, "admin endpoints are loopback only", request.raw_path);
      if (seg.size() == 4 && seg[1] == "interventions" && seg[3] == "requeue" && request.method == "POST") {
        if (!ping.requeue(seg[2])) return detail::PingStore::problem(404, "intervention not found", request.raw_path);
        ApiResponse r;
        r.body = R"({"transferStatus":"pending"})";
        return r;
      }
      if (seg.size() == 3 && seg[1] == "primero" && seg[2] == "cases" && request.method == "GET") {
        ApiResponse r;
        r.body = primero.dump_json();
        return r;
      }
      // ---- Primero referrals, users, seeding ----
      if (seg.size() == 5 && seg[1] == "primero" && seg[2] == "cases" && seg[4] == "referrals" && request.method == "GET") {
        auto dump = primero.referrals_json(seg[3]);
        if (!dump) return detail::PingStore::problem(404, "case not found", request.raw_path);
        ApiResponse r;
        r.body = *dump;
        return r;
      }
      if (seg.size() == 4 && seg[1] == "primero" && seg[2] == "services" && seg[3] == "decide" && request.method == "POST") {
        auto param = [&](const char* k) {
          auto it = request.params.find(k);
          return it == request.params.end() ? std::string() : it->second;
        };
        return primero.decide_service(param("intervention"), param("status"), param("reason"));
      }
      if (seg.size() == 3 && seg[1] == "ping" && seg[2] == "interventions" && request.method == "GET") {
        ApiResponse r;
        r.body = ping.dump_json();
        return r;
      }
      if (seg.size() == 2 && seg[1] == "faults") return faults.admin(request);  // ---- fault injection ----
      if (seg.size() == 2 && seg[1] == "stats" && request.method == "GET") return stats();
      // ---- PING ingestion and decisions ----
      if (auto answer = ping.handle_admin(request, seg)) return *answer;
      return detail::PingStore::problem(404, "no such admin resource", request.raw_path);
    }
    if (oauth) {  // ---- PING OAuth2 and TLS ----
      if (auto answer = oauth->gate(request, options.ping_token)) return *answer;
    }
    return ping.handle(request);
  }
};

const std::vector<std::string>& Sandbox::flow_a_fixture_files() {
  static const std::vector<std::string> files = {
      "flow1__PrimeroOutgoingReferral.json",        "referralFromProgres_sample2408022.json",
      "flow1__progresReferralToUNICEF.json",        "progresReferral__flow1-1.json",
      "flow1__progresReferralToUNICEF_6Oct2021.json", "progres_outboundReferral.json",
      "intervention_sample.json"};
  return files;
}

Sandbox::Sandbox(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

Sandbox::~Sandbox() { stop(); }

refbridge::Result<std::unique_ptr<Sandbox>> Sandbox::start(SandboxOptions options) {
  if (options.primero_max_per < 1) return make_error(ErrorCode::kConfig, "primero_max_per must be at least 1");
  if (!detail::parse_primero_version(options.primero_version)) {
    return make_error(ErrorCode::kConfig, "primero_version must look like 2.15.2.1: " + options.primero_version);
  }
  if (!options.primero_forms_json.empty() || !options.primero_lookups_json.empty()) {
    auto loaded = detail::PrimeroConfig::load(
        options.primero_forms_json.empty() ? detail::PrimeroConfig::stock_forms_json() : std::string_view(options.primero_forms_json),
        options.primero_lookups_json.empty() ? detail::PrimeroConfig::stock_lookups_json()
                                             : std::string_view(options.primero_lookups_json));
    if (!loaded) return loaded.error();
  }
  // ---- PING ingestion and decisions ----
  if (options.ingestion_polls_to_complete < 0) return make_error(ErrorCode::kConfig, "ingestion_polls_to_complete must be >= 0");
  for (int port : {options.ping_port, options.primero_port}) {
    if (port < 0 || port > 65535) return make_error(ErrorCode::kConfig, "port out of range: " + std::to_string(port));
  }
  if (options.server_threads < 1 || options.keep_alive_max_requests < 1) {
    return make_error(ErrorCode::kConfig, "server_threads and keep_alive_max_requests must be at least 1");
  }
  if (options.ping_oauth && (options.ping_oauth->client_secret.empty() || options.ping_oauth->token_lifetime_seconds < 1)) {
    return make_error(ErrorCode::kConfig, "ping_oauth needs a client secret and a token lifetime of at least 1 second");
  }
  auto impl = std::make_unique<Impl>(std::move(options));
  Impl* self = impl.get();
  if (!self->ping_server.is_valid() || !self->primero_server.is_valid()) {
    return make_error(ErrorCode::kConfig, "the sandbox TLS certificate or key could not be loaded");
  }

  route_all(self->ping_server, self->faults.wrap(detail::FaultApi::kPing, [self](const httplib::Request& req, httplib::Response& res) {
    const auto started = std::chrono::steady_clock::now();
    const auto request = to_api_request(req);
    if (request.raw_path.rfind("/_sandbox", 0) != 0) self->ping_requests.fetch_add(1, std::memory_order_relaxed);
    const auto answer = self->handle_ping(request);
    self->after_write(request, answer.status);
    write_response(answer, res);
    const auto seg = detail::split_path(request.raw_path);
    if (request.method == "PATCH" && seg.size() == 4) {
      self->log("sandbox.ping.transfer_status", answer.status, started, std::make_pair(LogKey::kInterventionId, seg[2]));
    } else {
      self->log("sandbox.ping.request", answer.status, started);
    }
  }));
  route_all(self->primero_server, self->faults.wrap(detail::FaultApi::kPrimero, [self](const httplib::Request& req, httplib::Response& res) {
    const auto started = std::chrono::steady_clock::now();
    const auto request = to_api_request(req);
    self->primero_requests.fetch_add(1, std::memory_order_relaxed);
    const auto answer = self->primero.handle(request);
    self->after_write(request, answer.status);
    write_response(answer, res);
    res.set_header("X-Content-Type-Options", "nosniff");
    self->log("sandbox.primero.request", answer.status, started);
  }));
  for (auto* server : {&self->ping_server, &self->primero_server}) {
    server->set_payload_max_length(16U << 20);
    // httplib writes headers and body separately: without TCP_NODELAY every answer waits for the
    // client's delayed ACK (~40 ms), which would make the sandbox, not refbridge, the bottleneck.
    server->set_tcp_nodelay(true);
    server->set_keep_alive_max_count(static_cast<std::size_t>(self->options.keep_alive_max_requests));
    const auto threads = static_cast<std::size_t>(self->options.server_threads);
    server->new_task_queue = [threads] { return new httplib::ThreadPool(threads); };
  }

  auto bind = [&](httplib::Server& server, int port) -> int {
    if (port == 0) return server.bind_to_any_port(self->options.host);
    return server.bind_to_port(self->options.host, port) ? port : -1;
  };
  self->ping_port = bind(self->ping_server, self->options.ping_port);
  if (self->ping_port <= 0) return make_error(ErrorCode::kIo, "cannot bind the PING server on " + self->options.host);
  self->primero_port = bind(self->primero_server, self->options.primero_port);
  if (self->primero_port <= 0) return make_error(ErrorCode::kIo, "cannot bind the Primero server on " + self->options.host);

  widen_backlog(self->ping_port);
  widen_backlog(self->primero_port);
  self->ping_thread = std::thread([self] { self->ping_server.listen_after_bind(); });
  self->primero_thread = std::thread([self] { self->primero_server.listen_after_bind(); });
  // stop() before the accept loop runs would not end it: wait until both servers run.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (!(self->ping_server.is_running() && self->primero_server.is_running()) && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  std::unique_ptr<Sandbox> sandbox(new Sandbox(std::move(impl)));
  if (sandbox->impl_->options.logger != nullptr) {
    sandbox->impl_->options.logger->info("sandbox.started");
  }
  return sandbox;
}

void Sandbox::stop() {
  if (!impl_) return;
  std::lock_guard lock(impl_->stop_mutex);
  if (impl_->stopped) return;
  impl_->stopped = true;
  impl_->faults.cancel();  // ---- fault injection ---- (ends hangs, so the servers can stop)
  impl_->ping_server.stop();
  impl_->primero_server.stop();
  if (impl_->ping_thread.joinable()) impl_->ping_thread.join();
  if (impl_->primero_thread.joinable()) impl_->primero_thread.join();
}

int Sandbox::ping_port() const { return impl_->ping_port; }
int Sandbox::primero_port() const { return impl_->primero_port; }
std::string Sandbox::ping_base_url() const {
  const char* scheme = impl_->options.tls.certificate_file.empty() ? "http://" : "https://";
  return scheme + impl_->options.host + ":" + std::to_string(impl_->ping_port);
}
std::string Sandbox::primero_base_url() const {
  const char* scheme = impl_->options.tls.certificate_file.empty() ? "http://" : "https://";
  return scheme + impl_->options.host + ":" + std::to_string(impl_->primero_port);
}
PingOAuth* Sandbox::ping_oauth() const { return impl_->oauth.get(); }  // ---- PING OAuth2 and TLS ----

refbridge::Result<SeedReport> Sandbox::seed_ping_from_json(std::string_view json_text, std::string_view origin) {
  rapidjson::Document doc;
  if (auto err = detail::parse_json(json_text, doc)) {
    return make_error(ErrorCode::kInvalidInput, std::string(origin) + ": not valid JSON at " + *err);
  }
  SeedReport report;
  if (!impl_->ping.seed_document(doc, origin, report)) {
    return make_error(ErrorCode::kInvalidInput, report.notices.empty() ? std::string(origin) : report.notices.back());
  }
  report.files = 1;
  impl_->ping.count_into(report);
  return report;
}

refbridge::Result<SeedReport> Sandbox::seed_ping_from_fixtures(const std::filesystem::path& fixtures_dir) {
  std::error_code ec;
  if (!std::filesystem::is_directory(fixtures_dir, ec)) {
    return make_error(ErrorCode::kIo, "fixtures directory not found: " + fixtures_dir.string());
  }
  SeedReport report;
  for (const auto& name : flow_a_fixture_files()) {
    rapidjson::Document doc;
    if (auto notice = detail::read_json_file(fixtures_dir, name, doc)) {
      ++report.files_skipped;
      report.notices.push_back(*notice);
      continue;
    }
    if (impl_->ping.seed_document(doc, name, report)) {
      ++report.files;
    } else {
      ++report.files_skipped;
    }
  }
  impl_->ping.count_into(report);
  if (impl_->options.logger != nullptr) {
    impl_->options.logger->info("sandbox.ping.seeded", {{LogKey::kCount, std::to_string(report.interventions)}});
  }
  return report;
}

std::string Sandbox::primero_cases_json() const { return impl_->primero.dump_json(); }
std::string Sandbox::ping_interventions_json() const { return impl_->ping.dump_json(); }
bool Sandbox::requeue_intervention(const std::string& intervention_id) { return impl_->ping.requeue(intervention_id); }
std::optional<std::string> Sandbox::transfer_status(const std::string& intervention_id) const {
  return impl_->ping.transfer_status(intervention_id);
}
std::vector<TransferUpdate> Sandbox::transfer_history(const std::string& intervention_id) const {
  return impl_->ping.history(intervention_id);
}
std::vector<std::string> Sandbox::intervention_ids() const { return impl_->ping.ordered_ids(); }

refbridge::Result<std::string> Sandbox::add_primero_case(std::string_view case_data_json) {
  rapidjson::Document doc;
  if (auto err = detail::parse_json(case_data_json, doc)) return make_error(ErrorCode::kInvalidInput, "case JSON: " + *err);
  if (!doc.IsObject()) return make_error(ErrorCode::kInvalidInput, "case JSON must be an object");
  const auto answer = impl_->primero.create_case(doc, impl_->options.primero_user, "/api/v2/cases");
  if (answer.status == 409) return make_error(ErrorCode::kConflict, "a case with this id or case_id exists", 409);
  if (answer.status == 422) return make_error(ErrorCode::kUnprocessable, answer.body, 422);
  if (answer.status == 204) {
    auto id = detail::string_member(doc, "id").value_or("");
    return impl_->primero.case_json(id).value_or("{}");
  }
  rapidjson::Document created;
  detail::parse_json(answer.body, created);
  return detail::to_json(created["data"]);
}

std::optional<std::string> Sandbox::primero_case_json(const std::string& record_id) const {
  return impl_->primero.case_json(record_id);
}
std::size_t Sandbox::primero_case_count() const { return impl_->primero.count(); }

// ---- Primero referrals, users, seeding ----
refbridge::Result<PrimeroSeedReport> Sandbox::seed_primero_from_fixtures(const std::filesystem::path& fixtures_dir) {
  return detail::seed_primero_fixtures(impl_->primero, fixtures_dir, impl_->options.logger);
}
refbridge::Result<std::vector<SyntheticCase>> Sandbox::seed_synthetic_primero_cases(int n, SyntheticCaseKind kind,
                                                                                     std::uint64_t seed, int per_case) {
  return detail::seed_synthetic_cases(impl_->primero, n, kind, seed, impl_->options.primero_user, impl_->options.logger,
                                      per_case);
}
refbridge::Result<std::string> Sandbox::add_primero_user(std::string_view user_json) {
  rapidjson::Document doc;
  if (auto err = detail::parse_json(user_json, doc)) return make_error(ErrorCode::kInvalidInput, "user JSON: " + *err);
  return impl_->primero.add_user(doc);
}
std::optional<std::string> Sandbox::primero_referrals_json(const std::string& record_id) const {
  return impl_->primero.referrals_json(record_id);
}
std::optional<std::string> Sandbox::primero_referral_status(const std::string& record_id, const std::string& referral_id) const {
  return impl_->primero.referral_status(record_id, referral_id);
}

// ---- PING ingestion and decisions ----
namespace {
constexpr int kMaxSynthetic = 1000000;

/// Logs the notices (ids and member names only) and the counts of a decision seeding.
void log_decision_seed(refbridge::Logger* logger, const DecisionSeedReport& report) {
  if (logger == nullptr) return;
  for (const auto& notice : report.notices) logger->warn("sandbox.ping.decision_notice", {{LogKey::kMessage, notice}});
  logger->info("sandbox.ping.decisions_seeded",
               {{LogKey::kCount, std::to_string(report.decisions)}, {LogKey::kMessage, std::to_string(report.records) + " records read"}});
}
}  // namespace

const std::vector<std::string>& Sandbox::decision_fixture_files() {
  static const std::vector<std::string> files = {"progresDecision__flow2-3.json", "progres_referralDecisionToPrimero.json"};
  return files;
}

refbridge::Result<DecisionSeedReport> Sandbox::seed_ping_decisions_from_fixtures(const std::filesystem::path& fixtures_dir) {
  auto report = impl_->ping.incoming().seed_files(fixtures_dir, decision_fixture_files());
  if (report) log_decision_seed(impl_->options.logger, report.value());
  return report;
}

refbridge::Result<std::string> Sandbox::add_ping_decision(std::string_view interoperability_referral_json) {
  rapidjson::Document doc;
  if (auto err = detail::parse_json(interoperability_referral_json, doc)) {
    return make_error(ErrorCode::kInvalidInput, "decision JSON: " + *err);
  }
  if (!doc.IsObject()) return make_error(ErrorCode::kInvalidInput, "decision JSON must be an object");
  DecisionSeedReport report;
  auto id = impl_->ping.incoming().upsert(doc, "add_ping_decision", 0, report.notices);
  log_decision_seed(impl_->options.logger, report);
  return id;
}

refbridge::Result<std::string> Sandbox::decide_incoming_referral(const std::string& org_referral_id,
                                                                 const std::string& review_decision_code,
                                                                 const std::optional<std::string>& reason_code,
                                                                 const std::optional<std::string>& comment) {
  auto id = impl_->ping.incoming().decide(org_referral_id, review_decision_code, reason_code, comment);
  if (!id) return make_error(ErrorCode::kNotFound, "no incoming referral with progres_orgreferralid " + org_referral_id);
  return *id;
}

std::string Sandbox::ping_incoming_referrals_json() const { return impl_->ping.incoming().dump_json(); }
std::string Sandbox::ping_ingestions_json() const { return impl_->ping.ingestion().dump_json(); }
void Sandbox::fail_next_ingestions(int n) { impl_->ping.ingestion().fail_next(n); }
std::optional<std::string> Sandbox::sync_status(const std::string& referral_id) const {
  return impl_->ping.incoming().sync_status(referral_id);
}
std::vector<SyncUpdate> Sandbox::sync_history(const std::string& referral_id) const {
  return impl_->ping.incoming().history(referral_id);
}
std::optional<std::string> Sandbox::incoming_referral_id(const std::string& org_referral_id) const {
  return impl_->ping.incoming().id_for_org_referral(org_referral_id);
}
std::size_t Sandbox::transaction_count() const { return impl_->ping.ingestion().count(); }
std::vector<InterventionDecision> Sandbox::intervention_decisions(const std::string& intervention_id) const {
  return impl_->ping.decisions(intervention_id);
}

refbridge::Result<SeedReport> Sandbox::seed_synthetic_interventions(int n, std::uint64_t seed, int per_child) {
  if (n < 0 || n > kMaxSynthetic) return make_error(ErrorCode::kInvalidInput, "synthetic intervention count out of range 0..1000000");
  if (per_child < 1 || per_child > 1000) return make_error(ErrorCode::kInvalidInput, "synthetic interventions per child out of range 1..1000");
  SeedReport report;
  impl_->ping.seed_document(detail::synthetic_intervention_rows(n, seed, per_child), "synthetic", report);
  impl_->ping.count_into(report);
  if (impl_->options.logger != nullptr) {
    impl_->options.logger->info("sandbox.ping.synthetic_seeded", {{LogKey::kCount, std::to_string(n)}});
  }
  return report;
}

refbridge::Result<DecisionSeedReport> Sandbox::seed_synthetic_decisions(const std::vector<std::string>& org_referral_ids,
                                                                        std::uint64_t seed) {
  for (const auto& id : org_referral_ids) {
    if (id.empty()) return make_error(ErrorCode::kInvalidInput, "synthetic decisions need non-empty progres_orgreferralid values");
  }
  DecisionSeedReport report;
  impl_->ping.incoming().seed_document(detail::synthetic_decision_records(org_referral_ids, seed), "synthetic", report);
  impl_->ping.incoming().count_into(report);
  log_decision_seed(impl_->options.logger, report);
  return report;
}

// ---- fault injection ----
void Sandbox::set_faults(FaultPlan plan) { impl_->faults.set_plan(std::move(plan)); }
void Sandbox::clear_faults() { impl_->faults.clear(); }
std::vector<FaultRuleStats> Sandbox::fault_stats() const { return impl_->faults.stats(); }

std::vector<std::string> Sandbox::synthetic_org_referral_ids(int n, std::uint64_t seed) {
  return detail::synthetic_org_referral_ids(n, seed);
}

}  // namespace refbridge::sandbox
