// refbridge-bench: throughput of the generated serializers (plain std::chrono, no framework).
//
// Datasets (built in memory, distinct ids per record):
//   primero CaseList   1,000 cases modelled on fixtures/case_583069e.json (~346 members each, most
//                      of them custom fields the schema does not name: kept as unknown members)
//   ping Intervention  10,000 interventions (Dynamics lookups expanded), as a JSON array
//   ping Individual    10,000 individuals, as a JSON array
// Operations per dataset:
//   rapidjson DOM parse       Document::Parse alone (the reference: every typed parse includes it)
//   rapidjson DOM write       Writer over the parsed Document (the reference for serialize)
//   typed parse               refbridge::json::parse<T> (DOM parse + read into the generated model)
//   typed serialize           refbridge::json::serialize (model -> compact text)
//   validate                  the generated validate() over the parsed model
// Each operation runs for at least --seconds (default 1.0) and at least 5 times; the table shows the
// median run. MB/s = 10^6 bytes of JSON text (input for parse, output for write) per second.
// Peak RSS (getrusage; a high-water mark of the process) is printed after the table: once the
// inputs are built, and after each dataset's runs; then the heap footprint (mallinfo2) of the
// RapidJSON DOM and of the typed model of each dataset.
//
//   refbridge-bench [--seconds S] [--fixtures DIR] [--cases N]

#include "refbridge/ping/serde.h"
#include "refbridge/ping/validate.h"
#include "refbridge/primero/serde.h"
#include "refbridge/primero/validate.h"

#include "refbridge/json.h"

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>
#include <malloc.h>
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <sstream>
#include <string>
#include <vector>

namespace {

using Clock = std::chrono::steady_clock;

struct Options {
  double seconds = 1.0;
  std::string fixtures = REFBRIDGE_FIXTURES_DIR;
  int cases = 1000;
  int ping_records = 10000;
};

volatile std::size_t g_sink = 0;  // keeps results observable so nothing is optimised away
std::vector<std::pair<std::string, long>> g_rss;  // (dataset, peak RSS in KiB after it)
std::vector<std::string> g_footprints;            // "dataset: DOM x MB, model y MB"

[[noreturn]] void die(const std::string& message) {
  std::fprintf(stderr, "refbridge-bench: %s\n", message.c_str());
  std::exit(2);
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) die("cannot read " + path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Heap bytes in use (glibc mallinfo2): the footprint of a DOM or a model is the difference.
std::size_t heap_in_use() { return mallinfo2().uordblks; }

long peak_rss_kib() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return usage.ru_maxrss;  // KiB on Linux
}

// Lower-case UUID text derived from (a, b): distinct for distinct pairs.
std::string uuid(unsigned a, unsigned b) {
  char buf[40];
  std::snprintf(buf, sizeof buf, "%08x-%04x-4%03x-8%03x-%012x", a * 2654435761U, b & 0xFFFFU, a & 0xFFFU, b & 0xFFFU, a * 40503U + b);
  return buf;
}

std::string write_dom(const rapidjson::Value& v) {
  rapidjson::StringBuffer buf;
  rapidjson::Writer<rapidjson::StringBuffer> w(buf);
  v.Accept(w);
  return std::string(buf.GetString(), buf.GetSize());
}

void set_string(rapidjson::Value& obj, const char* key, const std::string& value, rapidjson::Document::AllocatorType& a) {
  rapidjson::Value v(value.c_str(), static_cast<rapidjson::SizeType>(value.size()), a);
  if (auto it = obj.FindMember(key); it != obj.MemberEnd()) {
    it->value = v;
  } else {
    obj.AddMember(rapidjson::Value(key, a), v, a);
  }
}

// {"data": [n distinct copies of the fixture case], "metadata": {...}}
std::string primero_page(const Options& o) {
  const std::string text = read_file(o.fixtures + "/case_583069e.json");
  rapidjson::Document one;
  if (one.Parse(text.data(), text.size()).HasParseError() || !one.IsObject()) die("case_583069e.json is not a JSON object");
  rapidjson::Document page(rapidjson::kObjectType);
  auto& a = page.GetAllocator();
  rapidjson::Value data(rapidjson::kArrayType);
  for (int i = 0; i < o.cases; ++i) {
    rapidjson::Value c(one, a);  // deep copy
    const auto u = static_cast<unsigned>(i);
    set_string(c, "id", uuid(u, 1), a);
    set_string(c, "case_id", uuid(u, 2), a);
    char short_id[16];
    std::snprintf(short_id, sizeof short_id, "%07x", u);
    set_string(c, "short_id", short_id, a);
    set_string(c, "case_id_display", short_id, a);
    if (auto it = c.FindMember("services_section"); it != c.MemberEnd() && it->value.IsArray()) {
      unsigned row = 0;
      for (auto& s : it->value.GetArray()) {
        if (s.IsObject()) set_string(s, "unique_id", uuid(u, 100 + row++), a);
      }
    }
    data.PushBack(c, a);
  }
  page.AddMember("data", data, a);
  rapidjson::Value meta(rapidjson::kObjectType);
  meta.AddMember("total", o.cases, a);
  meta.AddMember("per", o.cases, a);
  meta.AddMember("page", 1, a);
  page.AddMember("metadata", meta, a);
  return write_dom(page);
}

// A JSON array of n records made from `make(i)`.
std::string json_array(int n, const std::function<std::string(int)>& make) {
  std::string out = "[";
  for (int i = 0; i < n; ++i) {
    if (i > 0) out += ',';
    out += make(i);
  }
  out += ']';
  return out;
}

std::string intervention(int i) {
  const auto u = static_cast<unsigned>(i);
  char number[32];
  std::snprintf(number, sizeof number, "DAD-21-PRTITV-%07d", i);
  return R"({"progres_lpinterventionid":")" + uuid(u, 7) + R"(","progres_interventionnumber":")" + number +
         R"(","progres_interventionstartdate":"2021-09-27T00:00:00Z","progres_interventiondescription":"<p>test dadaab</p>",)"
         R"("progres_reasonforreferral":"[{\"CreatedBy\":\"x\",\"Text\":\"t\",\"CreatedOn\":\"2021-09-27\"}]",)"
         R"("progres_interventiontype2":{"Id":"b0b00885-b3c3-e611-80ca-00155d340529","LogicalName":"progres_interventiontype","Name":"BIA"},)"
         R"("progres_interventionsubtype2":{"Id":"7512313e-21c9-e611-80cc-00155d340529","Name":null},)"
         R"("progres_businessunit":null,"progres_businessowner":{"title":"Associate Child Protection Officer","internalemailaddress":"test@test.com",)"
         R"("mobilephone":"9999999999","progres_partner":{"Id":"p","LogicalName":"progres_partner","Name":"DAD-17-PNR-00011"}},)"
         R"("progres_individual":"989-)" + std::to_string(10000000 + i) + R"(","progres_priority":"125080000","transferStatus":"pending"})";
}

std::string individual(int i) {
  const std::string id = "989-" + std::to_string(10000000 + i);
  return R"({"progres_individualid":")" + id + R"(","progres_id":")" + id +
         R"(","progres_registrationgroupid":{"Id":"g","LogicalName":"progres_registrationgroup","Name":"989-22-00200"},)"
         R"("progres_givenname":"Alfred","progres_familyname":"S-C","progres_commonyusedname":"Alfie",)"
         R"("progres_dateofbirth":"2014-06-06T00:00:00Z","progres_sex":"125080000","progres_primaryphonenumber":"+251900000000",)"
         R"("progres_coalocationlevel1":{"Id":"l1","LogicalName":"progres_locationlevel","Name":"Gambela"},)"
         R"("progres_coalocationlevel2":{"Id":"l2","LogicalName":"progres_locationlevel","Name":"Itang"},)"
         R"("progres_coalocationlevel6":"location level 6"})";
}

struct Row {
  std::string dataset;
  std::string op;
  std::size_t bytes = 0;
  std::size_t records = 0;
  double median_s = 0;
};

// Runs `fn` (returning the bytes it produced or consumed) for at least `seconds` and 5 runs.
Row measure(const Options& o, const std::string& dataset, const std::string& op, std::size_t records,
            const std::function<std::size_t()>& fn) {
  std::vector<double> runs;
  std::size_t bytes = fn();  // warm-up (allocator, caches)
  const auto start = Clock::now();
  while (runs.size() < 5 || std::chrono::duration<double>(Clock::now() - start).count() < o.seconds) {
    const auto t0 = Clock::now();
    bytes = fn();
    runs.push_back(std::chrono::duration<double>(Clock::now() - t0).count());
    if (runs.size() >= 1000) break;
  }
  std::sort(runs.begin(), runs.end());
  return Row{dataset, op, bytes, records, runs[runs.size() / 2]};
}

void print_row(const Row& r) {
  const double mbs = r.bytes > 0 ? static_cast<double>(r.bytes) / 1e6 / r.median_s : 0.0;
  const double rps = static_cast<double>(r.records) / r.median_s;
  if (r.bytes > 0) {
    std::printf("| %-22s | %-20s | %10.2f | %9.3f | %8.1f | %12.0f |\n", r.dataset.c_str(), r.op.c_str(),
                static_cast<double>(r.bytes) / 1e6, r.median_s * 1e3, mbs, rps);
  } else {
    std::printf("| %-22s | %-20s | %10s | %9.3f | %8s | %12.0f |\n", r.dataset.c_str(), r.op.c_str(), "-", r.median_s * 1e3, "-",
                rps);
  }
  std::fflush(stdout);
}

template <class T>
T parse_or_die(const std::string& text, const char* what) {
  auto v = refbridge::json::parse<T>(text);
  if (!v) die(std::string(what) + ": " + v.error().message);
  return std::move(v).value();
}

// The five operations over one dataset of `records` records held in `text`.
template <class T>
void run_dataset(const Options& o, const std::string& name, const std::string& text, std::size_t records) {
  print_row(measure(o, name, "rapidjson DOM parse", records, [&] {
    rapidjson::Document doc;
    doc.Parse(text.data(), text.size());
    g_sink = g_sink + (doc.HasParseError() ? 0U : 1U);
    return text.size();
  }));
  const std::size_t heap0 = heap_in_use();
  rapidjson::Document dom;
  dom.Parse(text.data(), text.size());
  const std::size_t dom_bytes = heap_in_use() - heap0;
  print_row(measure(o, name, "rapidjson DOM write", records, [&] {
    rapidjson::StringBuffer buf;
    rapidjson::Writer<rapidjson::StringBuffer> w(buf);
    dom.Accept(w);
    return buf.GetSize();
  }));
  print_row(measure(o, name, "typed parse", records, [&] {
    auto v = refbridge::json::parse<T>(text);
    g_sink = g_sink + (v ? 1U : 0U);
    return text.size();
  }));
  const std::size_t heap1 = heap_in_use();
  const T model = parse_or_die<T>(text, name.c_str());
  const std::size_t model_bytes = heap_in_use() - heap1;
  char footprint[200];
  std::snprintf(footprint, sizeof footprint, "%s: text %.2f MB, RapidJSON DOM %.2f MB, typed model %.2f MB", name.c_str(),
                static_cast<double>(text.size()) / 1e6, static_cast<double>(dom_bytes) / 1e6, static_cast<double>(model_bytes) / 1e6);
  g_footprints.emplace_back(footprint);
  print_row(measure(o, name, "typed serialize", records, [&] {
    const std::string out = refbridge::json::serialize(model);
    g_sink = g_sink + out.size();
    return out.size();
  }));
  print_row(measure(o, name, "validate", records, [&] {
    std::size_t n = 0;
    if constexpr (requires { validate(model); }) {
      n = validate(model).size();
    } else {
      for (const auto& item : model) n += validate(item).size();
    }
    g_sink = g_sink + n;
    return std::size_t{0};
  }));
  g_rss.emplace_back(name, peak_rss_kib());
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto next = [&]() -> std::string {
      if (i + 1 >= argc) die("missing value after " + a);
      return argv[++i];
    };
    if (a == "--seconds") {
      o.seconds = std::atof(next().c_str());
    } else if (a == "--fixtures") {
      o.fixtures = next();
    } else if (a == "--cases") {
      o.cases = std::atoi(next().c_str());
    } else if (a == "--help" || a == "-h") {
      std::printf("usage: refbridge-bench [--seconds S] [--fixtures DIR] [--cases N]\n");
      return 0;
    } else {
      die("unknown argument " + a);
    }
  }

  const std::string primero_text = primero_page(o);
  const std::string interventions = json_array(o.ping_records, intervention);
  const std::string individuals = json_array(o.ping_records, individual);
  {
    const auto list = parse_or_die<refbridge::primero::CaseList>(primero_text, "CaseList");
    std::printf("primero CaseList: %zu cases, %.2f MB of JSON (%.1f KB per case; round trip %s)\n", list.data.size(),
                static_cast<double>(primero_text.size()) / 1e6, static_cast<double>(primero_text.size()) / 1e3 / o.cases,
                refbridge::json::serialize(list).size() == primero_text.size() ? "same size" : "size differs");
  }
  std::printf("ping Intervention: %d records, %.2f MB; ping Individual: %d records, %.2f MB\n", o.ping_records,
              static_cast<double>(interventions.size()) / 1e6, o.ping_records, static_cast<double>(individuals.size()) / 1e6);
  const long rss_inputs = peak_rss_kib();
  std::printf("median of >= 5 runs and >= %.1f s per operation; MB = 10^6 bytes of JSON text\n\n", o.seconds);
  std::printf("| %-22s | %-20s | %10s | %9s | %8s | %12s |\n", "dataset", "operation", "MB", "ms/run", "MB/s", "records/s");
  std::printf("|%s|%s|%s|%s|%s|%s|\n", std::string(24, '-').c_str(), std::string(22, '-').c_str(), std::string(12, '-').c_str(),
              std::string(11, '-').c_str(), std::string(10, '-').c_str(), std::string(14, '-').c_str());

  run_dataset<refbridge::primero::CaseList>(o, "primero CaseList", primero_text, static_cast<std::size_t>(o.cases));
  run_dataset<std::vector<refbridge::ping::Intervention>>(o, "ping Intervention", interventions,
                                                          static_cast<std::size_t>(o.ping_records));
  run_dataset<std::vector<refbridge::ping::Individual>>(o, "ping Individual", individuals,
                                                        static_cast<std::size_t>(o.ping_records));
  std::printf("\npeak RSS (high-water mark, all input texts held): before the runs %.1f MiB", static_cast<double>(rss_inputs) / 1024.0);
  for (const auto& [name, kib] : g_rss) std::printf("; after %s %.1f MiB", name.c_str(), static_cast<double>(kib) / 1024.0);
  std::printf("\nheap in use (mallinfo2):\n");
  for (const auto& f : g_footprints) std::printf("  %s\n", f.c_str());
  return g_sink == 0 ? 1 : 0;
}
