#pragma once
// Every model type of the generated PING and Primero bindings as a table of type-erased checks,
// for the fuzz targets (fuzz/model_fuzzer.cc), their seed tool (fuzz/seed_corpus.cc) and the
// hostile-input tests (tests/hostile/). The type lists come from generated/<api>/serde.h
// (cmake/ModelList.cmake writes <api>_models.inc), so a regenerated model is covered without
// editing this file.

#include "refbridge/ping/serde.h"
#include "refbridge/ping/validate.h"
#include "refbridge/primero/serde.h"
#include "refbridge/primero/validate.h"
#include "refbridge/json.h"
#include "refbridge/utf8.h"

#include <cstdio>
#include <cstdlib>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace refbridge::fuzz {

/// One model type: its name and checks over JSON text.
struct ModelEntry {
  std::string_view name;                         ///< "Intervention", "Case", ...
  Result<void> (*read)(std::string_view text);   ///< json::parse<T>(text) without the value
  bool (*parses)(std::string_view text);         ///< true when json::parse<T>(text) succeeds
  /// The members of the object `text` the model does not name (its unknown_members_, in order);
  /// std::nullopt when `text` does not read as the model or the model is not an object.
  std::optional<std::vector<std::string>> (*unknown_members)(std::string_view text);
  /// parse -> (when it succeeds) validate, serialize -> parse -> equal; aborts with a message
  /// naming the model when an invariant breaks (a finding for the fuzzer). Returns whether the
  /// first parse succeeded.
  bool (*round_trip)(std::string_view text);
};

/// Prints `what` for `model` on stderr and aborts (libFuzzer records the input as a crash).
[[noreturn]] inline void broken(std::string_view model, const char* what) {
  std::fprintf(stderr, "refbridge fuzz: %.*s: %s\n", static_cast<int>(model.size()), model.data(), what);
  std::abort();
}

template <class T>
Result<void> read_as(std::string_view text) {
  auto r = json::parse<T>(text);
  if (!r) return r.error();
  return ok();
}

template <class T>
bool parses(std::string_view text) {
  return json::parse<T>(text).has_value();
}

template <class T>
std::optional<std::vector<std::string>> unknown_members(std::string_view text) {
  if constexpr (requires(const T& t) { t.unknown_members_.size(); }) {
    auto r = json::parse<T>(text);
    if (!r) return std::nullopt;
    std::vector<std::string> names;
    for (const auto& m : r.value().unknown_members_) names.push_back(m.name);
    return names;
  } else {
    return std::nullopt;
  }
}

/// The round trip every generated reader and writer must keep (ARCHITECTURE.md "Generated models
/// and serializers"): what was read is written back as JSON that reads as the same value, and
/// writing that value again gives the same text; what is written is UTF-8 (a read refuses any
/// string that is not: rule invalid-utf8). validate() runs on every value read (its result
/// is not checked: a value may well violate the schema's rules; it must not crash).
template <class T>
bool round_trip(std::string_view text, std::string_view name) {
  auto first = json::parse<T>(text);
  if (!first) {
    // kInvalidInput, or the rejection of a string that is not UTF-8 (refbridge/json.h parse_document).
    const bool utf8 = first.error().code == ErrorCode::kRejected && first.error().rule == "invalid-utf8";
    if (first.error().code != ErrorCode::kInvalidInput && !utf8) broken(name, "a parse error that is not kInvalidInput or invalid-utf8");
    if (first.error().message.empty()) broken(name, "a parse error without a message");
    return false;
  }
  if constexpr (requires(const T& t) { validate(t); }) {
    (void)validate(first.value());
  }
  const std::string once = json::serialize(first.value());
  if (!is_valid_utf8(once)) broken(name, "a value read writes JSON that is not UTF-8");
  auto second = json::parse<T>(once);
  if (!second) {
    std::fprintf(stderr, "refbridge fuzz: re-reading the written JSON failed: %s\n", second.error().message.c_str());
    broken(name, "the written JSON does not read back");
  }
  if (!(second.value() == first.value())) broken(name, "the value read back differs from the value written");
  if (json::serialize(second.value()) != once) broken(name, "writing the value read back gives other text");
  return true;
}

#define REFBRIDGE_MODEL(api, T) \
  ModelEntry{#T, &read_as<api::T>, &parses<api::T>, &unknown_members<api::T>,                         \
             [](std::string_view text) { return round_trip<api::T>(text, #T); }},

/// Every type of generated/ping/serde.h (component schemas: objects and enums), in file order.
inline constexpr ModelEntry kPingModels[] = {
#include "ping_models.inc"
};

/// Every type of generated/primero/serde.h, in file order.
inline constexpr ModelEntry kPrimeroModels[] = {
#include "primero_models.inc"
};

#undef REFBRIDGE_MODEL

/// The table of a family by name ("ping", "primero"); empty for another name.
inline std::span<const ModelEntry> models_of(std::string_view family) {
  if (family == "ping") return kPingModels;
  if (family == "primero") return kPrimeroModels;
  return {};
}

}  // namespace refbridge::fuzz
