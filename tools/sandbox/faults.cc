// Fault plans: parsing, path globs and request selection. See faults.h.
#include "faults.h"

#include <yaml-cpp/yaml.h>

#include <array>
#include <fstream>
#include <set>
#include <sstream>
#include <utility>

namespace refbridge::sandbox {
namespace {

constexpr std::array<std::pair<FaultKind, std::string_view>, 10> kKinds{{
    {FaultKind::kLatency, "latency"},
    {FaultKind::kStatus, "status"},
    {FaultKind::kReset, "reset"},
    {FaultKind::kHang, "hang"},
    {FaultKind::kTruncatedJson, "truncated_json"},
    {FaultKind::kMalformedJson, "malformed_json"},
    {FaultKind::kSchemaViolation, "schema_violation"},
    {FaultKind::kTokenExpiry, "token_expiry"},
    {FaultKind::kIngestionFail, "ingestion_fail"},
    {FaultKind::kIngestionPending, "ingestion_pending"},
}};

const std::set<std::string, std::less<>> kRuleKeys = {"method", "path",  "kind",  "status", "retry_after",
                                                      "latency_ms", "phase", "hang_ms", "skip",  "first",
                                                      "every",  "probability", "seed"};

Error rule_error(std::size_t index, const std::string& what) {
  return make_error(ErrorCode::kInvalidInput, "fault plan: rule " + std::to_string(index) + ": " + what);
}

/// Reads the integer `key` of `node` into `out` when present, checking lo..hi.
Result<void> read_int(const YAML::Node& node, const char* key, int lo, int hi, std::size_t index, int& out) {
  const YAML::Node v = node[key];
  if (!v) return ok();
  int value = 0;
  if (!v.IsScalar() || !YAML::convert<int>::decode(v, value)) return rule_error(index, std::string(key) + " must be an integer");
  if (value < lo || value > hi) {
    return rule_error(index, std::string(key) + " must be in " + std::to_string(lo) + ".." + std::to_string(hi));
  }
  out = value;
  return ok();
}

Result<FaultKind> read_kind(const YAML::Node& node, std::size_t index) {
  const YAML::Node v = node["kind"];
  if (!v || !v.IsScalar()) return rule_error(index, "kind is required (latency, status, reset, hang, truncated_json, ...)");
  const auto text = v.Scalar();
  for (const auto& [kind, name] : kKinds) {
    if (name == text) return kind;
  }
  return rule_error(index, "unknown kind '" + text + "'");
}

Result<void> read_selection(const YAML::Node& node, std::size_t index, FaultRule& rule) {
  REFBRIDGE_TRY(read_int(node, "skip", 0, 1000000, index, rule.skip));
  REFBRIDGE_TRY(read_int(node, "first", 0, 1000000, index, rule.first));
  REFBRIDGE_TRY(read_int(node, "every", 0, 1000000, index, rule.every));
  if (const YAML::Node p = node["probability"]) {
    if (!p.IsScalar() || !YAML::convert<double>::decode(p, rule.probability) || rule.probability < 0.0 ||
        rule.probability > 1.0) {
      return rule_error(index, "probability must be a number in 0..1");
    }
  }
  if (const YAML::Node s = node["seed"]) {
    if (!s.IsScalar() || !YAML::convert<std::uint64_t>::decode(s, rule.seed)) return rule_error(index, "seed must be an unsigned integer");
  }
  const int selectors = (rule.first > 0 ? 1 : 0) + (rule.every > 0 ? 1 : 0) + (rule.probability > 0.0 ? 1 : 0);
  if (selectors > 1) return rule_error(index, "give at most one of first, every, probability");
  return ok();
}

Result<FaultRule> read_rule(const YAML::Node& node, std::size_t index) {
  if (!node.IsMap()) return rule_error(index, "must be a mapping");
  for (const auto& member : node) {
    const auto key = member.first.Scalar();
    if (kRuleKeys.count(key) == 0) return rule_error(index, "unknown key '" + key + "'");
  }
  FaultRule rule;
  REFBRIDGE_TRY(rule.kind, read_kind(node, index));
  if (const YAML::Node m = node["method"]) {
    static const std::set<std::string, std::less<>> methods = {"*", "GET", "POST", "PUT", "PATCH", "DELETE"};
    if (!m.IsScalar() || methods.count(m.Scalar()) == 0) return rule_error(index, "method must be GET, POST, PUT, PATCH, DELETE or *");
    rule.method = m.Scalar();
  }
  if (const YAML::Node p = node["path"]) {
    if (!p.IsScalar() || p.Scalar().empty() || p.Scalar()[0] != '/') {
      if (!(p.IsScalar() && p.Scalar() == "**")) return rule_error(index, "path must be a glob starting with '/' (or **)");
    }
    rule.path = p.Scalar();
  }
  REFBRIDGE_TRY(read_int(node, "status", 400, 599, index, rule.status));
  int retry_after = -1;
  REFBRIDGE_TRY(read_int(node, "retry_after", 0, 86400, index, retry_after));
  if (retry_after >= 0) rule.retry_after = retry_after;
  REFBRIDGE_TRY(read_int(node, "latency_ms", 0, 60000, index, rule.latency_ms));
  REFBRIDGE_TRY(read_int(node, "hang_ms", 1, 60000, index, rule.hang_ms));
  if (const YAML::Node ph = node["phase"]) {
    if (!ph.IsScalar() || (ph.Scalar() != "before" && ph.Scalar() != "after")) return rule_error(index, "phase must be before or after");
    rule.phase = ph.Scalar() == "after" ? FaultPhase::kAfter : FaultPhase::kBefore;
  }
  REFBRIDGE_TRY(read_selection(node, index, rule));
  return rule;
}

/// Glob match from pattern position `p` and path position `s` ("**" may span segments).
bool glob(std::string_view pattern, std::string_view path) {
  if (pattern.empty()) return path.empty();
  if (pattern.substr(0, 2) == "**") {
    for (std::size_t i = 0; i <= path.size(); ++i) {
      if (glob(pattern.substr(2), path.substr(i))) return true;
    }
    return false;
  }
  if (pattern[0] == '*') {
    for (std::size_t i = 0; i <= path.size(); ++i) {
      if (glob(pattern.substr(1), path.substr(i))) return true;
      if (i < path.size() && path[i] == '/') break;
    }
    return false;
  }
  return !path.empty() && pattern[0] == path[0] && glob(pattern.substr(1), path.substr(1));
}

/// Whether a rule of `kind` can act on this request at all (only such requests are counted).
bool applies(FaultKind kind, std::string_view method, std::string_view path, bool has_bearer) {
  switch (kind) {
    case FaultKind::kTokenExpiry: return has_bearer;
    case FaultKind::kIngestionFail: return method == "POST" && path_matches("/v1/ingestion/*", path);
    case FaultKind::kIngestionPending: return method == "GET" && path_matches("/v1/ingestion/transactions/*", path);
    default: return true;
  }
}

}  // namespace

std::string_view to_string(FaultKind kind) noexcept {
  for (const auto& [k, name] : kKinds) {
    if (k == kind) return name;
  }
  return "unknown";
}

Result<FaultPlan> parse_fault_plan(std::string_view text) {
  YAML::Node root;
  try {
    root = YAML::Load(std::string(text));
  } catch (const YAML::Exception& e) {
    return make_error(ErrorCode::kInvalidInput, "fault plan: line " + std::to_string(e.mark.line + 1) + ", column " +
                                                    std::to_string(e.mark.column + 1) + ": " + e.msg);
  }
  FaultPlan plan;
  if (!root || root.IsNull()) return plan;
  YAML::Node rules = root;
  if (root.IsMap()) {
    for (const auto& member : root) {
      if (member.first.Scalar() != "rules") {
        return make_error(ErrorCode::kInvalidInput, "fault plan: unknown key '" + member.first.Scalar() + "' (expected rules)");
      }
    }
    rules = root["rules"];
  }
  if (!rules || rules.IsNull()) return plan;
  if (!rules.IsSequence()) return make_error(ErrorCode::kInvalidInput, "fault plan: rules must be a list");
  for (std::size_t i = 0; i < rules.size(); ++i) {
    REFBRIDGE_TRY(auto rule, read_rule(rules[i], i));
    plan.rules.push_back(std::move(rule));
  }
  return plan;
}

Result<FaultPlan> load_fault_plan(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return make_error(ErrorCode::kIo, "cannot read fault plan " + path.string());
  std::ostringstream text;
  text << in.rdbuf();
  return parse_fault_plan(text.str());
}

bool path_matches(std::string_view pattern, std::string_view path) { return glob(pattern, path); }

FaultSelector::FaultSelector(FaultPlan plan) {
  for (auto& rule : plan.rules) {
    const auto seed = rule.seed;
    entries_.push_back(Entry{{std::move(rule), 0, 0}, std::mt19937_64(seed)});
  }
}

bool FaultSelector::selects(Entry& e) {
  const FaultRule& r = e.stats.rule;
  const int n = e.stats.matched - r.skip;  // 1-based among the requests after `skip`
  if (n < 1) return false;
  if (r.first > 0) return n <= r.first;
  if (r.every > 0) return n % r.every == 0;
  if (r.probability > 0.0) return std::uniform_real_distribution<double>(0.0, 1.0)(e.rng) < r.probability;
  return true;
}

std::vector<FaultRule> FaultSelector::hits(std::string_view method, std::string_view path, bool has_bearer) {
  std::vector<FaultRule> out;
  if (path.substr(0, 10) == "/_sandbox/" || path == "/_sandbox") return out;
  std::lock_guard lock(mutex_);
  for (auto& e : entries_) {
    const FaultRule& r = e.stats.rule;
    if (r.method != "*" && r.method != method) continue;
    if (!path_matches(r.path, path)) continue;
    if (!applies(r.kind, method, path, has_bearer)) continue;
    ++e.stats.matched;
    if (!selects(e)) continue;
    ++e.stats.hits;
    out.push_back(r);
  }
  return out;
}

std::vector<FaultRuleStats> FaultSelector::stats() const {
  std::lock_guard lock(mutex_);
  std::vector<FaultRuleStats> out;
  for (const auto& e : entries_) out.push_back(e.stats);
  return out;
}

bool FaultSelector::empty() const {
  std::lock_guard lock(mutex_);
  return entries_.empty();
}

}  // namespace refbridge::sandbox
