// Synthetic load for the PING sandbox. See ping_synthetic.h.
#include "ping_synthetic.h"

#include "support.h"

#include <array>
#include <cstdio>
#include <optional>
#include <random>
#include <string_view>

namespace refbridge::sandbox::detail {

namespace {

// §8.1 accepted types (with made-up type GUIDs) and §8.3 language names of the Gambella profile.
constexpr std::array<std::string_view, 4> kTypes = {"Alternative Care", "BIA", "BID", "Family Tracing and Reunification"};
constexpr std::array<std::string_view, 6> kLanguages = {"Nuer", "Anyuak", "Somali", "Bari", "Acholi", "Amharic"};

std::string padded(std::uint64_t n, int width) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%0*llu", width, static_cast<unsigned long long>(n));
  return buf;
}

rapidjson::Value reference(std::string_view logical_name, std::string_view name, Alloc& a) {
  rapidjson::Value ref(rapidjson::kObjectType);
  ref.AddMember("Id", str_value(name_uuid(std::string(logical_name) + ":" + std::string(name)), a), a);
  ref.AddMember("LogicalName", str_value(logical_name, a), a);
  ref.AddMember("Name", str_value(name, a), a);
  return ref;
}

void add(rapidjson::Value& row, std::string_view key, std::string_view value, Alloc& a) {
  row.AddMember(str_value(key, a), str_value(value, a), a);
}

/// One flat row of intervention `i` (1-based) of individual `child` (1-based) with language
/// `language`. The type is kTypes[`type_index` % 4], or the one drawn when `type_index` is
/// unset; the draw happens either way (the stream stays that of one child per intervention) and
/// its index is stored in `drawn_type`.
rapidjson::Value intervention_row(int i, int child, std::optional<std::size_t> type_index, std::mt19937_64& rng,
                                  std::string_view language, std::size_t& drawn_type, Alloc& a) {
  // Ids depend on i only: Primero's synthetic decision cases (primero_seed.h) name "SYN-<i>".
  const std::string number = "SYN-" + std::to_string(i);
  const std::string person = "SYN-IND-" + padded(static_cast<std::uint64_t>(child), 8);
  drawn_type = static_cast<std::size_t>(rng() % kTypes.size());
  const auto type = kTypes[type_index.value_or(drawn_type) % kTypes.size()];
  rapidjson::Value row(rapidjson::kObjectType);
  add(row, "progres_lpinterventionid", name_uuid("synthetic-intervention:" + number), a);
  add(row, "progres_interventionnumber", number, a);
  add(row, "progres_interventionstartdate", "2024-0" + std::to_string(1 + rng() % 9) + "-1" + std::to_string(rng() % 10) + "T00:00:00Z", a);
  add(row, "progres_interventiondescription", "<p>synthetic referral " + std::to_string(i) + "</p>", a);
  add(row, "progres_reasonforreferral", R"([{"CreatedBy":"Synthetic","Text":"synthetic reason","CreatedOn":"2024-01-01T00:00:00Z"}])", a);
  add(row, "progres_interventiontype2", name_uuid("progres_interventiontype:" + std::string(type)), a);
  add(row, "interventiontype.progres_description", type, a);
  add(row, "progres_businessunit", name_uuid("businessunit:synthetic"), a);
  add(row, "childprotection.progres_priority", "12508000" + std::to_string(rng() % 3), a);
  add(row, "user.title", "Synthetic caseworker", a);
  add(row, "user.internalemailaddress", "synth.caseworker@example.org", a);
  add(row, "user.mobilephone", "+1555010" + padded(rng() % 10000, 4), a);
  row.AddMember("user.progres_partner", reference("progres_partner", "SYN-PNR-0001", a), a);
  add(row, "individuals.progres_id", person, a);
  row.AddMember("individuals.progres_registrationgroupid", reference("progres_registrationgroup", "SYN-GRP-" + padded(static_cast<std::uint64_t>(child), 8), a), a);
  add(row, "individuals.progres_givenname", "Synth" + std::to_string(child), a);
  add(row, "individuals.progres_familyname", "Synthetic", a);
  const int age = 1 + static_cast<int>(rng() % 17);
  add(row, "individuals.progres_dateofbirth",
      std::to_string(2024 - age) + "-" + padded(1 + rng() % 12, 2) + "-" + padded(1 + rng() % 28, 2) + "T00:00:00Z", a);
  add(row, "individuals.progres_sex", rng() % 2 == 0 ? "125080000" : "125080001", a);
  add(row, "individuals.progres_primaryphonenumber", "+1555020" + padded(rng() % 10000, 4), a);
  row.AddMember("individuals.progres_coalocationlevel1", reference("progres_locationlevel", "Synthetic Region", a), a);
  add(row, "individuals.progres_coalocationlevel6", "Block " + std::to_string(1 + rng() % 40), a);
  row.AddMember("languages.progres_languagecodeid", reference("progres_languagecode", language, a), a);
  add(row, "languages.progres_speaklevel", "125080000", a);
  row.AddMember("specificneeds.progres_spncategory2", reference("progres_specificneedcode", "Child at risk", a), a);
  row.AddMember("specificneeds.progres_spnsubcategory2", reference("progres_specificneeddetailscode", "Unaccompanied child", a), a);
  add(row, "spncategory2code", "SC", a);
  add(row, "spnsubcategory2code", "SC-UC", a);
  return row;
}

/// The individual of the current child: its first intervention's individuals.* members and languages.
struct Child {
  rapidjson::Document person{rapidjson::kObjectType};
  std::string_view first_language;
  bool second_language = false;
  std::size_t type = 0;  ///< type index of its first intervention; the j-th (0-based) takes type + j
};

/// Replaces the individuals.* members of `row` with those of `person`.
void copy_person(const rapidjson::Value& person, rapidjson::Value& row, Alloc& a) {
  for (auto it = person.MemberBegin(); it != person.MemberEnd(); ++it) {
    set_member(row, std::string_view(it->name.GetString(), it->name.GetStringLength()), rapidjson::Value(it->value, a), a);
  }
}

}  // namespace

rapidjson::Document synthetic_intervention_rows(int n, std::uint64_t seed, int per_child) {
  rapidjson::Document d(rapidjson::kObjectType);
  auto& a = d.GetAllocator();
  rapidjson::Value rows(rapidjson::kArrayType);
  std::mt19937_64 rng(seed);
  const int k = per_child < 1 ? 1 : per_child;
  Child child;
  for (int i = 1; i <= n; ++i) {
    const int j = (i - 1) % k;  // position of intervention i among its child's
    // Drawn for every intervention, used for a child's first only: per_child 1 gives the same
    // stream, hence the same rows, as before the option existed.
    auto first = kLanguages[rng() % kLanguages.size()];
    bool second = rng() % 3 == 0;
    if (j == 0) {
      child.first_language = first;
      child.second_language = second;
    } else {
      first = child.first_language;
      second = child.second_language;
    }
    const std::optional<std::size_t> type = j == 0 ? std::nullopt : std::optional<std::size_t>(child.type + static_cast<std::size_t>(j));
    // The same draws for both rows of one intervention: a second row differs in its language only.
    std::mt19937_64 row_rng(rng());
    auto again = row_rng;
    std::size_t drawn = 0;
    auto row = intervention_row(i, (i - 1) / k + 1, type, row_rng, first, drawn, a);
    if (j == 0) {
      child.type = drawn;
      child.person = rapidjson::Document(rapidjson::kObjectType);  // releases the previous child's values
      const rapidjson::Value& made = row;
      auto& pa = child.person.GetAllocator();
      for (auto it = made.MemberBegin(); it != made.MemberEnd(); ++it) {
        if (std::string_view(it->name.GetString(), it->name.GetStringLength()).rfind("individuals.", 0) != 0) continue;
        child.person.AddMember(rapidjson::Value(it->name, pa), rapidjson::Value(it->value, pa), pa);
      }
    } else {
      copy_person(child.person, row, a);
    }
    rows.PushBack(row, a);
    if (second) {
      auto extra = intervention_row(i, (i - 1) / k + 1, type, again, first == kLanguages[0] ? kLanguages[1] : kLanguages[0], drawn, a);
      if (j > 0) copy_person(child.person, extra, a);
      rows.PushBack(extra, a);
    }
  }
  d.AddMember("interventions", rows, a);
  return d;
}

rapidjson::Document synthetic_decision_records(const std::vector<std::string>& org_referral_ids, std::uint64_t seed) {
  rapidjson::Document d(rapidjson::kObjectType);
  auto& a = d.GetAllocator();
  rapidjson::Value records(rapidjson::kArrayType);
  std::mt19937_64 rng(seed);
  for (const auto& org : org_referral_ids) {
    rapidjson::Value r(rapidjson::kObjectType);
    add(r, "progres_interoperabilityreferralid", name_uuid("progres_interoperabilityreferral:" + org), a);
    add(r, "progres_orgreferralid", org, a);
    const bool accepted = rng() % 2 == 0;
    add(r, "progres_reviewdecision", accepted ? "125080000" : "125080001", a);
    if (!accepted) {
      add(r, "progres_interoperabiltyreferralrejectionreason", "12508000" + std::to_string(rng() % 3), a);
      add(r, "progres_interoperabilityreferralrejectionomment", "synthetic rejection comment", a);
    }
    add(r, "progres_reviewby", name_uuid("systemuser:synthetic-reviewer"), a);
    add(r, "progres_reviewdate", "2024-06-" + padded(1 + rng() % 28, 2) + "T00:00:00Z", a);
    records.PushBack(r, a);
  }
  d.AddMember("interventions", records, a);
  return d;
}

std::vector<std::string> synthetic_org_referral_ids(int n, std::uint64_t seed) {
  std::vector<std::string> ids;
  for (int i = 1; i <= n; ++i) {
    const std::string key = std::to_string(seed) + ":" + std::to_string(i);
    const std::string service = name_uuid("synthetic-service:" + key);
    ids.push_back(name_uuid("synthetic-case:" + key) + "#" + service.substr(service.size() - 12));
  }
  return ids;
}

}  // namespace refbridge::sandbox::detail
