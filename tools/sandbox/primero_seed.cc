// Seeding the sandbox's Primero server. See primero_seed.h.
#include "primero_seed.h"

#include "refbridge/log.h"

#include <algorithm>
#include <array>
#include <fstream>
#include <random>
#include <sstream>

namespace refbridge::sandbox::detail {

namespace {

constexpr int kMaxSynthetic = 1'000'000;
constexpr int kMaxPerCase = 1000;
constexpr const char* kUnhcrFocalUser = "unhcr_cw@cpims-gambella.primero.org";
constexpr const char* kReferringUser = "openfn_testing";

/// What a fixture file holds.
enum class FixtureKind { kCases, kReferrals };

struct FixtureFile {
  const char* name;
  FixtureKind kind;
  bool repair;  ///< known to hold trailing commas: parse a repaired copy
};

constexpr std::array<FixtureFile, 3> kFixtureFiles = {{{"getPrimeroCases.json", FixtureKind::kCases, true},
                                                       {"case_583069e.json", FixtureKind::kCases, false},
                                                       {"getPrimeroReferral.json", FixtureKind::kReferrals, false}}};

std::optional<std::string> read_text(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

/// The records of a fixture document: a bare array, {"data":[...]}, {"data":{...}} or one record.
std::vector<const rapidjson::Value*> records_of(const rapidjson::Value& doc) {
  const auto* data = find_member(doc, "data");
  const rapidjson::Value& holder = data != nullptr ? *data : doc;
  std::vector<const rapidjson::Value*> out;
  if (holder.IsArray()) {
    for (const auto& r : holder.GetArray()) out.push_back(&r);
  } else if (holder.IsObject()) {
    out.push_back(&holder);
  }
  return out;
}

/// Reads, repairs when asked and imports one fixture file into `store`, counting into `report`.
void seed_file(PrimeroStore& store, const std::filesystem::path& dir, const FixtureFile& file, PrimeroSeedReport& report) {
  const std::string name = file.name;
  auto text = read_text(dir / name);
  if (!text) {
    ++report.files_skipped;
    report.notices.push_back(name + ": missing or unreadable, skipped");
    return;
  }
  if (file.repair) {
    int removed = 0;
    *text = repair_trailing_commas(*text, removed);
    if (removed > 0) {
      report.notices.push_back(name + ": repaired " + std::to_string(removed) + " trailing commas (invalid JSON in the fixture)");
    }
  }
  rapidjson::Document doc;
  if (auto err = parse_json(*text, doc)) {
    ++report.files_skipped;
    report.notices.push_back(name + ": not valid JSON at " + *err + ", skipped");
    return;
  }
  ++report.files;
  const auto records = records_of(doc);
  for (std::size_t i = 0; i < records.size(); ++i) {
    std::string problem;
    const bool added = file.kind == FixtureKind::kCases ? store.import_case(*records[i], problem)
                                                        : store.import_referral(*records[i], problem);
    if (!added) {
      report.notices.push_back(name + ": record " + std::to_string(i) + " (" + string_member(*records[i], "id").value_or("?") +
                               "): " + problem + ", skipped");
      continue;
    }
    ++(file.kind == FixtureKind::kCases ? report.cases : report.referrals);
  }
}

/// Deterministic id of one part ("record", "case", "service", "referral") of synthetic case `i`.
std::string synthetic_id(SyntheticCaseKind kind, std::uint64_t seed, int i, std::string_view part) {
  const std::string kind_name = kind == SyntheticCaseKind::kDecisions ? "decisions" : "referrals";
  return name_uuid("sandbox-synthetic-primero/" + kind_name + "/" + std::to_string(seed) + "/" + std::to_string(i) + "/" +
                   std::string(part));
}

/// The POST /api/v2/cases `data` of synthetic case `c` (clearly fake identity: "Synth<c>"), one
/// services_section row per element of `rows` (all of case `c`); row j is referral number
/// `first + j`. Draws: sex, age, then per row its service type (the first row only; row j takes
/// the j-th type after it, so a case's rows vary) and, for kDecisions, the decision and reason.
rapidjson::Document synthetic_case_data(const std::vector<SyntheticCase>& rows, int c, int first, SyntheticCaseKind kind,
                                        std::uint64_t seed, std::mt19937_64& rng) {
  static const std::array<const char*, 3> kServiceTypes = {"alternative_care", "food", "focuses_non_specialized_mhpss_care"};
  static const std::array<const char*, 3> kReasons = {"Synthetic reason: individual not found",
                                                      "Synthetic reason: service not available",
                                                      "Synthetic reason: duplicate referral"};
  rapidjson::Document d(rapidjson::kObjectType);
  auto& a = d.GetAllocator();
  d.AddMember("id", str_value(rows.front().record_id, a), a);
  d.AddMember("case_id", str_value(rows.front().case_id, a), a);
  d.AddMember("name_first", str_value("Synth" + std::to_string(c), a), a);
  d.AddMember("name_last", "Sandbox", a);
  d.AddMember("sex", rapidjson::StringRef(rng() % 2 == 0 ? "female" : "male"), a);
  d.AddMember("age", static_cast<int>(5 + rng() % 12), a);
  d.AddMember("unhcr_individual_no", str_value("SYN-IND-" + std::to_string(seed) + "-" + std::to_string(c), a), a);
  d.AddMember("module_id", "primeromodule-cp", a);
  d.AddMember("consent_for_services", true, a);
  d.AddMember("disclosure_other_orgs", true, a);
  if (kind == SyntheticCaseKind::kReferralsToUnhcr) d.AddMember("owned_by", rapidjson::StringRef(kReferringUser), a);

  rapidjson::Value services(rapidjson::kArrayType);
  std::size_t type = 0;
  for (std::size_t j = 0; j < rows.size(); ++j) {
    rapidjson::Value row(rapidjson::kObjectType);
    row.AddMember("unique_id", str_value(rows[j].service_unique_id, a), a);
    type = j == 0 ? static_cast<std::size_t>(rng() % kServiceTypes.size()) : type + 1;
    row.AddMember("service_type", rapidjson::StringRef(kServiceTypes[type % kServiceTypes.size()]), a);
    row.AddMember("service_response_type", "service_provision", a);
    if (kind == SyntheticCaseKind::kDecisions) {
      row.AddMember("progres_interventionnumber", str_value("SYN-" + std::to_string(first + static_cast<int>(j)), a), a);
      row.AddMember("service_referral", "external_referral", a);
      row.AddMember("service_request_agency", "UNHCR", a);
      const bool accepted = rng() % 2 == 0;
      row.AddMember("unhcr_referral_status", rapidjson::StringRef(accepted ? "accepted" : "rejected"), a);
      if (!accepted) row.AddMember("unhcr_referral_rejection_reason", rapidjson::StringRef(kReasons[rng() % kReasons.size()]), a);
    } else {
      row.AddMember("service_implementing_agency", "UNHCR", a);
      row.AddMember("service_referral", "external_referral", a);
    }
    services.PushBack(row, a);
  }
  d.AddMember("services_section", services, a);
  return d;
}

/// The POST .../referrals `data` sending service row `j` of a synthetic case (`ids` names it) to
/// the UNHCR focal user.
rapidjson::Document synthetic_referral_data(const rapidjson::Value& case_data, std::size_t j, const SyntheticCase& ids) {
  rapidjson::Document d(rapidjson::kObjectType);
  auto& a = d.GetAllocator();
  d.AddMember("transitioned_to", rapidjson::StringRef(kUnhcrFocalUser), a);
  d.AddMember("transitioned_to_agency", "UNHCR", a);
  d.AddMember("service", rapidjson::Value(case_data["services_section"][static_cast<rapidjson::SizeType>(j)]["service_type"], a), a);
  d.AddMember("service_record_id", str_value(ids.service_unique_id, a), a);
  d.AddMember("notes", "Synthetic referral", a);
  return d;
}

}  // namespace

std::string repair_trailing_commas(std::string_view text, int& removed) {
  removed = 0;
  std::string out;
  out.reserve(text.size());
  bool in_string = false;
  bool escaped = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (in_string) {
      out.push_back(c);
      if (escaped) {
        escaped = false;
      } else if (c == '\\') {
        escaped = true;
      } else if (c == '"') {
        in_string = false;
      }
      continue;
    }
    if (c == '"') in_string = true;
    if (c == ',') {
      const auto next = text.find_first_not_of(" \t\r\n", i + 1);
      if (next != std::string_view::npos && (text[next] == '}' || text[next] == ']')) {
        ++removed;
        continue;
      }
    }
    out.push_back(c);
  }
  return out;
}

refbridge::Result<PrimeroSeedReport> seed_primero_fixtures(PrimeroStore& store, const std::filesystem::path& fixtures_dir,
                                                           refbridge::Logger* logger) {
  std::error_code ec;
  if (!std::filesystem::is_directory(fixtures_dir, ec)) {
    return make_error(ErrorCode::kIo, "fixtures directory not found: " + fixtures_dir.string());
  }
  PrimeroSeedReport report;
  for (const auto& file : kFixtureFiles) seed_file(store, fixtures_dir, file, report);
  if (logger != nullptr) {
    for (const auto& notice : report.notices) logger->warn("sandbox.primero.seed_notice", {{LogKey::kMessage, notice}});
    logger->info("sandbox.primero.seeded", {{LogKey::kCount, std::to_string(report.cases)}});
    logger->info("sandbox.primero.seeded_referrals", {{LogKey::kCount, std::to_string(report.referrals)}});
  }
  return report;
}

refbridge::Result<std::vector<SyntheticCase>> seed_synthetic_cases(PrimeroStore& store, int n, SyntheticCaseKind kind,
                                                                   std::uint64_t seed, const std::string& api_user,
                                                                   refbridge::Logger* logger, int per_case) {
  if (n < 0 || n > kMaxSynthetic) return make_error(ErrorCode::kInvalidInput, "synthetic case count out of range: " + std::to_string(n));
  if (per_case < 1 || per_case > kMaxPerCase) {
    return make_error(ErrorCode::kInvalidInput, "synthetic referrals per case out of range 1.." + std::to_string(kMaxPerCase) + ": " +
                                                    std::to_string(per_case));
  }
  std::mt19937_64 rng(seed);
  std::vector<SyntheticCase> out;
  out.reserve(static_cast<std::size_t>(n));
  int created = 0;
  for (int first = 1, c = 1; first <= n; first += per_case, ++c) {
    // Case c holds referrals first..last; record and case ids follow c, service and referral ids
    // follow the referral number (per_case 1: the ids of one referral per case, as before).
    const int last = std::min(n, first + per_case - 1);
    std::vector<SyntheticCase> rows;
    for (int i = first; i <= last; ++i) {
      SyntheticCase ids;
      ids.record_id = synthetic_id(kind, seed, c, "record");
      ids.case_id = synthetic_id(kind, seed, c, "case");
      ids.service_unique_id = synthetic_id(kind, seed, i, "service");
      if (kind == SyntheticCaseKind::kReferralsToUnhcr) ids.referral_id = synthetic_id(kind, seed, i, "referral");
      rows.push_back(std::move(ids));
    }
    const auto data = synthetic_case_data(rows, c, first, kind, seed, rng);  // drawn even when held: same stream
    const auto made = store.create_case(data, api_user, "/api/v2/cases");
    if (made.status != 204 && made.status != 409) {
      return make_error(ErrorCode::kInternal, "synthetic case " + rows.front().record_id + ": HTTP " + std::to_string(made.status));
    }
    if (made.status == 204 && kind == SyntheticCaseKind::kReferralsToUnhcr) {
      const auto resource = "/api/v2/cases/" + rows.front().record_id + "/referrals";
      for (std::size_t j = 0; j < rows.size(); ++j) {
        const auto referral = synthetic_referral_data(data, j, rows[j]);
        const auto sent = store.create_referral(rows[j].record_id, referral, kReferringUser, resource, rows[j].referral_id);
        if (sent.status != 200) {
          return make_error(ErrorCode::kInternal, "synthetic referral " + rows[j].referral_id + ": HTTP " + std::to_string(sent.status));
        }
      }
    }
    created += made.status == 204 ? 1 : 0;
    for (auto& r : rows) out.push_back(std::move(r));
  }
  if (logger != nullptr) logger->info("sandbox.primero.synthetic_cases", {{LogKey::kCount, std::to_string(created)}});
  return out;
}

}  // namespace refbridge::sandbox::detail
