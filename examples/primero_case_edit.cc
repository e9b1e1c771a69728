// Example 1: parse a Primero case (GET /api/v2/cases/{id} answer), change one field, write it back.
// Members the schema does not name (an instance's custom form fields) are kept, in order, so a
// read-modify-write never drops data. Usage: primero_case_edit [case.json]  (default: a sample)
#include "refbridge/json.h"
#include "refbridge/primero/serde.h"
#include "refbridge/primero/validate.h"

#include <fstream>
#include <iostream>
#include <sstream>
#include <string>

namespace {

constexpr const char* kSample = R"({"data":{"id":"2f1b0c1e-5c56-4a8e-9a43-0a4b0e0b7c11","case_id_display":"a1b2c3d",)"
                                R"("status":"open","sex":"female","x_gambella_camp":"Nguenyyiel",)"
                                R"("x_protection_concerns":["separated","unaccompanied"]}})";

std::string read_file(const char* path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace

int main(int argc, char** argv) {
  const std::string input = argc > 1 ? read_file(argv[1]) : std::string(kSample);

  // Errors are values: parse<T> gives a Result<T>; test it, then read value() or error().
  auto parsed = refbridge::json::parse<refbridge::primero::CaseEnvelope>(input);
  if (!parsed) {
    std::cerr << "cannot read the case: " << parsed.error().describe() << "\n";  // names the JSON path
    return 1;
  }
  refbridge::primero::CaseEnvelope envelope = std::move(parsed).value();
  refbridge::primero::Case& record = envelope.data;

  std::cout << "case " << record.case_id_display.value_or("(no display id)") << ": status "
            << record.status.value_or("(none)") << ", " << record.unknown_members_.size()
            << " member(s) the schema does not name\n";

  record.status = "closed";  // Nullable<T>: assign a value, set_null() to clear, reset() to leave untouched
  for (const auto& violation : refbridge::primero::validate(envelope)) {
    std::cerr << "schema violation: " << violation.path << ": " << violation.message << "\n";
    return 1;
  }

  const std::string written = refbridge::json::serialize(envelope);
  std::cout << written << "\n";
  // The custom members are still there after the round trip.
  auto again = refbridge::json::parse<refbridge::primero::CaseEnvelope>(written);
  if (!again || again.value().data.unknown_members_ != record.unknown_members_ ||
      again.value().data.status != "closed") {
    std::cerr << "round trip lost data\n";
    return 1;
  }
  return 0;
}
