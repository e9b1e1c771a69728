// Must NOT compile (CTest "mapping: a conversion signature mismatch fails at C++ compile time"):
// the same static_assert the mapping compiler emits into every generated transform, here for a
// spec that would declare `progres_age: {returns: int64, params: [date-time]}` while the
// hand-written function returns std::int32_t.
#include "refbridge/mapping_runtime.h"

#include <cstdint>
#include <type_traits>

static_assert(std::is_same_v<decltype(&refbridge::mapping::progres_age),
                             std::int64_t (*)(const refbridge::MappingContext&, const refbridge::DateTime&)>,
              "conversion progres_age must be declared as std::int64_t progres_age(const refbridge::MappingContext&, "
              "const refbridge::DateTime&)");
