// libFuzzer target over every model type of one generated API family (REFBRIDGE_FUZZ_FAMILY:
// "ping" or "primero"). Input: one byte choosing the model (byte % number of models), then the
// JSON text. Each input is parsed as that model; a value read must survive validate() and the
// write -> read round trip (fuzz/model_table.h). Seeds: fuzz/seed_corpus.cc.
#include "model_table.h"

#include <cstddef>
#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const auto models = refbridge::fuzz::models_of(REFBRIDGE_FUZZ_FAMILY);
  if (size == 0 || models.empty()) return 0;
  const auto& model = models[data[0] % models.size()];
  model.round_trip(std::string_view(reinterpret_cast<const char*>(data) + 1, size - 1));
  return 0;
}
