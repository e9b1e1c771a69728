// refbridge-fuzz-seeds <ping|primero> <out-dir> <file.json>...
// Writes the seed corpus of a model fuzzer (fuzz/model_fuzzer.cc): for every JSON value (the
// whole document and each object or array inside it) of every input file, and every model of the
// family that reads that value, one file holding the model's selector byte and the value's text.
// A file that is not valid JSON is seeded as is for the first model (the parser's error paths).
// Exit status: 0, or 2 on a usage or I/O error (with a message).
#include "model_table.h"

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>
#include <set>
#include <sstream>
#include <string>

namespace {

namespace fs = std::filesystem;
using refbridge::fuzz::ModelEntry;

std::string compact(const rapidjson::Value& v) {
  rapidjson::StringBuffer buf;
  rapidjson::Writer<rapidjson::StringBuffer> w(buf);
  v.Accept(w);
  return {buf.GetString(), buf.GetSize()};
}

// Every object and array of `v` (including `v`), as compact text.
void containers(const rapidjson::Value& v, std::set<std::string>& out) {
  if (!v.IsObject() && !v.IsArray()) return;
  out.insert(compact(v));
  if (v.IsObject()) {
    for (const auto& m : v.GetObject()) containers(m.value, out);
  } else {
    for (const auto& e : v.GetArray()) containers(e, out);
  }
}

class SeedWriter {
 public:
  explicit SeedWriter(fs::path dir) : dir_(std::move(dir)) {}

  bool write(std::size_t model, std::string_view name, const std::string& text) {
    std::string bytes(1, static_cast<char>(model));
    bytes += text;
    const fs::path file = dir_ / (std::string(name) + "-" + std::to_string(std::hash<std::string>{}(bytes)) + ".seed");
    std::ofstream out(file, std::ios::binary | std::ios::trunc);
    out << bytes;
    if (!out) {
      std::cerr << "refbridge-fuzz-seeds: cannot write " << file << "\n";
      return false;
    }
    ++written_;
    return true;
  }
  [[nodiscard]] int written() const { return written_; }

 private:
  fs::path dir_;
  int written_ = 0;
};

}  // namespace

int main(int argc, char** argv) {
  if (argc < 4) {
    std::cerr << "usage: refbridge-fuzz-seeds <ping|primero> <out-dir> <file.json>...\n";
    return 2;
  }
  const auto models = refbridge::fuzz::models_of(argv[1]);
  if (models.empty() || models.size() > 256) {
    std::cerr << "refbridge-fuzz-seeds: unknown family '" << argv[1] << "' (expected ping or primero)\n";
    return 2;
  }
  std::error_code ec;
  fs::create_directories(argv[2], ec);
  SeedWriter seeds(argv[2]);
  for (int i = 3; i < argc; ++i) {
    std::ifstream in(argv[i], std::ios::binary);
    std::stringstream text;
    text << in.rdbuf();
    if (!in) {
      std::cerr << "refbridge-fuzz-seeds: cannot read " << argv[i] << "\n";
      return 2;
    }
    rapidjson::Document doc;
    if (!refbridge::json::parse_document(text.str(), doc)) {
      if (!seeds.write(0, models[0].name, text.str())) return 2;
      continue;
    }
    std::set<std::string> values;
    containers(doc, values);
    for (const auto& v : values) {
      for (std::size_t m = 0; m < models.size(); ++m) {
        if (models[m].parses(v) && !seeds.write(m, models[m].name, v)) return 2;
      }
    }
  }
  std::cout << "refbridge-fuzz-seeds: " << seeds.written() << " seeds for " << argv[1] << " in " << argv[2] << "\n";
  return 0;
}
