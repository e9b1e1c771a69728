// refbridge-bench-transform: throughput of workflow 1.1's transform of one record, end to end
// (issue "Fast where it counts"), against RapidJSON's raw parse + write of the same bytes.
//
// Input: a JSON-lines file, one 1.1 record per line in the PING shapes:
//   {"intervention": Intervention, "individual": Individual, "languages": [IndividualLanguage...],
//    "specificNeeds": [SpecificNeed...]}
// (default: /work/shared/bench/ping-records-1k.jsonl, 1,000 records). Every line is read once into
// memory; the timed passes then run over all lines.
// Operations (each pass covers every line; each runs for at least --seconds, default 1.0, and at
// least 5 passes; the table shows the median pass):
//   rapidjson parse+write  Document::Parse of the line, then Writer over the DOM (the limit: any
//                          transform has to read and write at least this much JSON)
//   decode                 DOM parse + the generated readers into the four PING models
//   transform 1.1          decode -> ping::validate (intervention, individual) -> the generated
//                          mapping progres_referral_to_primero_case (create mode, --profile) ->
//                          primero::validate -> json::serialize of the {"data": case} body, i.e.
//                          what workflow 1.1 does per record between fetching and POSTing
// Two intervention members the file holds as entity references where the PING schema has GUID
// strings (kReferencedGuids) are replaced by their Id once, before timing (printed as a note).
// MB/s = 10^6 bytes of input JSON per second (the same bytes for every operation); the last column
// is the operation's share of the rapidjson limit. A line that fails to decode, or a record the
// mapping rejects, stops the benchmark (exit 2) naming the line: the benchmark measures the path a
// good record takes.
//
//   refbridge-bench-transform [--input FILE] [--profile FILE] [--seconds S]

#include "refbridge/mappings/progres_referral_to_primero_case.h"
#include "refbridge/ping/serde.h"
#include "refbridge/ping/validate.h"
#include "refbridge/primero/serde.h"
#include "refbridge/primero/validate.h"

#include "refbridge/json.h"
#include "refbridge/profile.h"
#include "refbridge/time.h"

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <string>
#include <vector>

namespace {

using Clock = std::chrono::steady_clock;
using refbridge::mappings::ProgresReferralToPrimeroCaseInput;

struct Options {
  std::string input = REFBRIDGE_BENCH_RECORDS;
  std::string profile = REFBRIDGE_BENCH_PROFILE;
  double seconds = 1.0;
};

volatile std::size_t g_sink = 0;  // keeps results observable so nothing is optimised away

[[noreturn]] void die(const std::string& message) {
  std::fprintf(stderr, "refbridge-bench-transform: %s\n", message.c_str());
  std::exit(2);
}

Options parse_options(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) die(a + " needs a value");
      return argv[++i];
    };
    if (a == "--input") {
      o.input = value();
    } else if (a == "--profile") {
      o.profile = value();
    } else if (a == "--seconds") {
      o.seconds = std::atof(value().c_str());
    } else {
      die("unknown argument " + a + " (usage: refbridge-bench-transform [--input FILE] [--profile FILE] [--seconds S])");
    }
  }
  if (o.seconds <= 0) die("--seconds must be positive");
  return o;
}

/// Members the file holds as Dynamics entity references ({"Id","LogicalName","Name",...}) where
/// schemas/ping/openapi.yaml (and the pilot fixtures) have the GUID string.
constexpr std::pair<const char*, const char*> kReferencedGuids[] = {
    {"intervention", "progres_interventionserviceprovider"},
    {"intervention", "progres_individual"},
};

/// Replaces each kReferencedGuids member that is an entity reference by its Id, in place; the
/// number replaced. Done once before timing, so every operation reads the same bytes.
int normalise_references(std::string& line) {
  rapidjson::Document d;
  d.Parse(line.data(), line.size());
  if (d.HasParseError() || !d.IsObject()) return 0;
  int replaced = 0;
  for (const auto& [part, member] : kReferencedGuids) {
    auto p = d.FindMember(part);
    if (p == d.MemberEnd() || !p->value.IsObject()) continue;
    auto m = p->value.FindMember(member);
    if (m == p->value.MemberEnd() || !m->value.IsObject()) continue;
    auto id = m->value.FindMember("Id");
    if (id == m->value.MemberEnd() || !id->value.IsString()) continue;
    rapidjson::Value guid(id->value, d.GetAllocator());
    m->value = guid;
    ++replaced;
  }
  if (replaced == 0) return 0;
  rapidjson::StringBuffer buf;
  rapidjson::Writer<rapidjson::StringBuffer> w(buf);
  d.Accept(w);
  line.assign(buf.GetString(), buf.GetSize());
  return replaced;
}

std::vector<std::string> read_lines(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) die("cannot read " + path);
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) {
    if (!line.empty()) lines.push_back(std::move(line));
  }
  if (lines.empty()) die(path + " holds no record");
  return lines;
}

/// Reads member `key` of `obj` into `out` (an absent member leaves `out` default).
template <class T>
refbridge::Result<void> read_member(const rapidjson::Value& obj, const char* key, T& out, refbridge::json::Path& path) {
  auto it = obj.FindMember(key);
  if (it == obj.MemberEnd()) return refbridge::ok();
  path.push_key(key);
  auto r = read_json(it->value, out, path);  // the generated reader (found by its model's namespace)
  path.pop();
  return r;
}

/// Reads array member `key` of `obj` element by element into `out`.
template <class T>
refbridge::Result<void> read_array(const rapidjson::Value& obj, const char* key, std::vector<T>& out,
                                   refbridge::json::Path& path) {
  auto it = obj.FindMember(key);
  if (it == obj.MemberEnd() || !it->value.IsArray()) return refbridge::ok();
  out.resize(it->value.Size());
  for (rapidjson::SizeType i = 0; i < it->value.Size(); ++i) {
    if (auto r = read_json(it->value[i], out[i], path); !r) return r;
  }
  return refbridge::ok();
}

/// One line -> the transform's input (the generated readers over one DOM parse).
refbridge::Result<ProgresReferralToPrimeroCaseInput> decode(const std::string& line) {
  rapidjson::Document doc;
  if (auto r = refbridge::json::parse_document(line, doc); !r) return r.error();
  if (!doc.IsObject()) return refbridge::make_error(refbridge::ErrorCode::kInvalidInput, "a line is not a JSON object");
  ProgresReferralToPrimeroCaseInput in;
  refbridge::json::Path path;
  if (auto r = read_member(doc, "intervention", in.intervention, path); !r) return r.error();
  if (auto r = read_member(doc, "individual", in.individual, path); !r) return r.error();
  if (auto r = read_array(doc, "languages", in.languages, path); !r) return r.error();
  if (auto r = read_array(doc, "specificNeeds", in.specific_needs, path); !r) return r.error();
  return in;
}

/// decode -> validate -> map -> validate -> encode; the body's size (bytes).
refbridge::Result<std::size_t> transform(const std::string& line, const refbridge::Profile& profile,
                                         const refbridge::MappingContext& ctx) {
  auto in = decode(line);
  if (!in) return in.error();
  if (!refbridge::ping::validate(in.value().intervention).empty() || !refbridge::ping::validate(in.value().individual).empty()) {
    return refbridge::make_error(refbridge::ErrorCode::kRejected, "PING validation failed");
  }
  auto body = refbridge::mappings::progres_referral_to_primero_case(in.value(), profile, ctx);
  if (!body) return body.error();
  if (!refbridge::primero::validate(body.value()).empty()) {
    return refbridge::make_error(refbridge::ErrorCode::kRejected, "Primero case validation failed");
  }
  return refbridge::json::serialize(refbridge::primero::CaseEnvelope{.data = std::move(body).value()}).size();
}

/// Median seconds of one pass over all lines.
double median_pass(double min_seconds, const std::function<void()>& pass) {
  std::vector<double> runs;
  const auto until = Clock::now() + std::chrono::duration<double>(min_seconds);
  while (runs.size() < 5 || Clock::now() < until) {
    const auto t0 = Clock::now();
    pass();
    runs.push_back(std::chrono::duration<double>(Clock::now() - t0).count());
  }
  std::sort(runs.begin(), runs.end());
  return runs[runs.size() / 2];
}

}  // namespace

int main(int argc, char** argv) {
  const Options o = parse_options(argc, argv);
  auto lines = read_lines(o.input);
  int replaced = 0;
  for (auto& l : lines) replaced += normalise_references(l);
  std::size_t bytes = 0;
  for (const auto& l : lines) bytes += l.size();
  auto profile = refbridge::load_profile(o.profile);
  if (!profile) die("profile: " + profile.error().message);
  const refbridge::FixedClock clock(std::chrono::sys_time<std::chrono::milliseconds>(std::chrono::hours(24 * 20000)));
  const refbridge::MappingContext ctx{refbridge::WriteMode::kCreate, &clock};
  for (std::size_t i = 0; i < lines.size(); ++i) {  // check every record once, untimed
    if (auto r = transform(lines[i], profile.value(), ctx); !r) die("line " + std::to_string(i + 1) + ": " + r.error().message);
  }

  const double limit = median_pass(o.seconds, [&] {
    for (const auto& l : lines) {
      rapidjson::Document d;
      d.Parse(l.data(), l.size());
      rapidjson::StringBuffer buf;
      rapidjson::Writer<rapidjson::StringBuffer> w(buf);
      d.Accept(w);
      g_sink = g_sink + buf.GetSize();
    }
  });
  const double decoded = median_pass(o.seconds, [&] {
    for (const auto& l : lines) g_sink = g_sink + (decode(l) ? 1 : 0);
  });
  const double full = median_pass(o.seconds, [&] {
    for (const auto& l : lines) {
      auto r = transform(l, profile.value(), ctx);
      g_sink = g_sink + (r ? r.value() : 0);
    }
  });

  std::printf("input: %s (%zu records, %.2f MB, %.0f bytes per record)\n", o.input.c_str(), lines.size(), bytes / 1e6,
              static_cast<double>(bytes) / static_cast<double>(lines.size()));
  if (replaced > 0) {
    std::printf("note: %d entity references replaced by their Id before timing (members the PING schema types as "
                "GUID strings: intervention.progres_interventionserviceprovider, intervention.progres_individual)\n",
                replaced);
  }
  std::printf("%-24s %12s %10s %10s\n", "operation", "records/s", "MB/s", "% limit");
  auto row = [&](const char* name, double seconds) {
    std::printf("%-24s %12.0f %10.1f %9.1f%%\n", name, static_cast<double>(lines.size()) / seconds, bytes / 1e6 / seconds,
                100.0 * limit / seconds);
  };
  row("rapidjson parse+write", limit);
  row("decode", decoded);
  row("transform 1.1", full);
  std::printf("{\"benchmark\":\"transform-1.1\",\"records\":%zu,\"bytes\":%zu,\"records_per_s\":%.1f,\"mb_per_s\":%.2f,"
              "\"limit_records_per_s\":%.1f,\"limit_mb_per_s\":%.2f,\"percent_of_limit\":%.1f}\n",
              lines.size(), bytes, static_cast<double>(lines.size()) / full, bytes / 1e6 / full,
              static_cast<double>(lines.size()) / limit, bytes / 1e6 / limit, 100.0 * limit / full);
  return 0;
}
