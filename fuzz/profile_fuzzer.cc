// libFuzzer target: deployment profile YAML (refbridge/profile.h, schemas/profiles/*.yaml)
// -> refbridge::parse_profile -> a Profile or a kInvalidInput error with a message, never a crash
// or an escaping exception. A profile read is also listed (unconfirmed_entries over its tables).
#include "refbridge/profile.h"

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto profile = refbridge::parse_profile(text, "fuzz.yaml");
  if (!profile) {
    if (profile.error().code != refbridge::ErrorCode::kInvalidInput || profile.error().message.empty()) {
      std::fprintf(stderr, "refbridge profile fuzz: an error that is not kInvalidInput with a message\n");
      std::abort();
    }
    return 0;
  }
  std::vector<std::string_view> tables;
  for (const auto& [name, table] : profile.value().lookups) tables.push_back(name);
  (void)refbridge::unconfirmed_entries(profile.value(), tables);
  return 0;
}
