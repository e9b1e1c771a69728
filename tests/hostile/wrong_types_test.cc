// A value of the wrong JSON type at every JSON path of the pilot's real payloads: reading gives a
// clear kInvalidInput error naming exactly that path, or succeeds where the schema allows the
// value (unknown members, untyped members, nulls on nullable members...), and never crashes.
//
// Which documents: every object inside every fixture (../shared/fixtures, trailing commas
// repaired) that a generated model reads with at least 3 members it names (per model, the two with
// the most); the model list comes from generated/*/serde.h (fuzz/model_table.h). Within arrays only the first element is varied
// (the others have the same shape); every member of every object is, except that of the members
// a model does not name (kept verbatim, whatever their type) only two per document are kept.
#include "model_table.h"

#include "fixtures.h"

#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>
#include <optional>
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <vector>

using namespace refbridge;

namespace {

struct FixtureObject {
  std::string origin;  // "case_583069e.json $.data[0]"
  std::string text;
};

std::string compact(const rapidjson::Value& v) {
  rapidjson::StringBuffer buf;
  rapidjson::Writer<rapidjson::StringBuffer> w(buf);
  v.Accept(w);
  return {buf.GetString(), buf.GetSize()};
}

// Every object of `v` (including `v`) with its JSON path, as compact text.
void objects(const rapidjson::Value& v, const std::string& path, const std::string& file, std::vector<FixtureObject>& out) {
  if (v.IsObject()) {
    out.push_back({file + " " + path, compact(v)});
    for (const auto& m : v.GetObject()) {
      objects(m.value, path + "." + std::string(m.name.GetString(), m.name.GetStringLength()), file, out);
    }
  } else if (v.IsArray()) {
    for (rapidjson::SizeType i = 0; i < v.Size(); ++i) objects(v[i], path + "[" + std::to_string(i) + "]", file, out);
  }
}

std::vector<FixtureObject> fixture_objects() {
  std::vector<FixtureObject> out;
  std::set<std::string> seen;
  std::vector<std::filesystem::path> files;
  for (const auto& e : std::filesystem::directory_iterator(REFBRIDGE_FIXTURES_DIR)) {
    if (e.path().extension() == ".json") files.push_back(e.path());
  }
  std::sort(files.begin(), files.end());
  for (const auto& f : files) {
    const std::string text = test_support::without_trailing_commas(test_support::read_fixture(f.filename().string()));
    rapidjson::Document doc;
    if (!json::parse_document(text, doc)) continue;
    std::vector<FixtureObject> found;
    objects(doc, "$", f.filename().string(), found);
    for (auto& d : found) {
      if (seen.insert(d.text).second) out.push_back(std::move(d));
    }
  }
  return out;
}

// One JSON value of each type; a replacement is made with every one whose type differs.
struct Probe {
  const char* text;
  rapidjson::Type type;
  bool integer;
};
constexpr Probe kProbes[] = {
    {R"("text")", rapidjson::kStringType, false}, {"7", rapidjson::kNumberType, true},
    {"1.5", rapidjson::kNumberType, false},       {"true", rapidjson::kTrueType, false},
    {"null", rapidjson::kNullType, false},        {"{}", rapidjson::kObjectType, false},
    {"[]", rapidjson::kArrayType, false},
};

bool same_type(const rapidjson::Value& v, const Probe& p) {
  if (v.IsBool()) return p.type == rapidjson::kTrueType;
  if (v.IsNumber()) return p.type == rapidjson::kNumberType && p.integer == (v.IsInt64() || v.IsUint64());
  return v.GetType() == p.type;
}

struct Outcome {
  int variants = 0;
  int read = 0;     // the schema allows the value
  int refused = 0;  // a clear error naming the path
};

// Replaces each value below `v` (at `path`) in turn by each probe of another type, reads the
// whole document `doc` as `model`, checks the outcome, and puts the value back.
void vary(rapidjson::Document& doc, rapidjson::Value& v, const std::string& path, const fuzz::ModelEntry& model,
          Outcome& outcome) {
  for (const Probe& p : kProbes) {
    if (same_type(v, p)) continue;
    rapidjson::Value original;
    original.Swap(v);
    rapidjson::Document probe;
    probe.Parse(p.text);
    v.CopyFrom(probe, doc.GetAllocator());
    const std::string text = compact(doc);
    v.Swap(original);
    ++outcome.variants;
    const auto r = model.read(text);
    if (r) {
      ++outcome.read;
      continue;
    }
    ++outcome.refused;
    INFO(model.name << ": " << path << " set to " << p.text);
    CHECK(r.error().code == ErrorCode::kInvalidInput);
    CHECK_THAT(r.error().message, Catch::StartsWith(path + ": "));
  }
  if (v.IsObject()) {
    for (rapidjson::SizeType i = 0; i < v.MemberCount(); ++i) {
      auto& m = *(v.MemberBegin() + i);
      vary(doc, m.value, path + "." + std::string(m.name.GetString(), m.name.GetStringLength()), model, outcome);
    }
  } else if (v.IsArray() && v.Size() > 0) {
    vary(doc, v[0], path + "[0]", model, outcome);
  }
}

// A fixture object that `model` reads, with all but two of its top-level unknown members removed
// (they read whatever their value: a Primero case has some 250 of them).
struct Fit {
  const FixtureObject* doc = nullptr;
  std::size_t known = 0;  // members the model names
  rapidjson::Document json;
};

std::optional<Fit> fit_of(const fuzz::ModelEntry& model, const FixtureObject& d) {
  auto unknown = model.unknown_members(d.text);
  if (!unknown) return std::nullopt;
  Fit fit;
  fit.doc = &d;
  if (!json::parse_document(d.text, fit.json)) return std::nullopt;
  fit.known = fit.json.MemberCount() - unknown->size();
  for (std::size_t i = 2; i < unknown->size(); ++i) fit.json.RemoveMember((*unknown)[i].c_str());
  return fit;
}

}  // namespace

TEST_CASE("a value of another type at any path of a real payload gives an error naming that path, or reads",
          "[hostile][types]") {
  const auto docs = fixture_objects();
  REQUIRE(docs.size() > 20);
  int pairs = 0;
  Outcome outcome;
  std::set<std::string> models_seen;
  for (const char* family : {"ping", "primero"}) {
    for (const auto& model : fuzz::models_of(family)) {
      // The (at most) two documents this model names most members of.
      std::vector<Fit> fits;
      for (const auto& d : docs) {
        if (auto fit = fit_of(model, d); fit && fit->known >= 3) fits.push_back(std::move(*fit));
      }
      std::stable_sort(fits.begin(), fits.end(), [](const Fit& a, const Fit& b) { return a.known > b.known; });
      if (fits.size() > 2) fits.resize(2);
      for (auto& fit : fits) {
        ++pairs;
        models_seen.insert(std::string(family) + "::" + std::string(model.name));
        INFO(fit.doc->origin << " as " << family << "::" << model.name);
        vary(fit.json, fit.json, "$", model, outcome);
      }
    }
  }
  std::string list;
  for (const auto& m : models_seen) list += " " + m;
  WARN(pairs << " (document, model) pairs, " << outcome.variants << " variants: " << outcome.refused
             << " refused with their path, " << outcome.read << " read; models:" << list);
  CHECK(models_seen.count("primero::Case") == 1);
  CHECK(models_seen.count("ping::InteroperabilityReferral") == 1);
  CHECK(outcome.refused > 100);
}
