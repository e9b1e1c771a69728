// Example 4: bindings generated at build time from generate/pets.yaml by refbridge_generate()
// (examples/CMakeLists.txt): models, serializers, validators, the typed client and its fake.
#include "pets/fake.h"
#include "pets/serde.h"
#include "pets/validate.h"

#include <iostream>

int main() {
  auto pet = refbridge::json::parse<shop::pets::Pet>(R"({"id":"p-1","name":"Rex","age":3,"tags":["dog"],"colour":"brown"})");
  if (!pet) {
    std::cerr << pet.error().describe() << "\n";
    return 1;
  }
  std::cout << "pet " << pet.value().name << ", " << pet.value().unknown_members_.size() << " unknown member(s)\n";

  shop::pets::Pet nameless = pet.value();
  nameless.name.clear();
  const auto violations = shop::pets::validate(nameless);  // minLength: 1
  std::cout << "nameless pet: " << refbridge::to_string(violations) << "\n";

  shop::pets::FakePets fake;  // the generated fake answers from a handler and records the calls
  fake.get_pet_handler = [&](const shop::pets::GetPetRequest&) -> refbridge::Result<shop::pets::Pet> { return pet.value(); };
  shop::pets::Pets& api = fake;
  auto fetched = api.get_pet({.id = "p-1"});
  const bool ok = fetched && fetched.value() == pet.value() && violations.size() == 1 && fake.get_pet_calls.size() == 1 &&
                  refbridge::json::serialize(pet.value()).find("\"colour\":\"brown\"") != std::string::npos;
  std::cout << (ok ? "ok\n" : "FAILED\n");
  return ok ? 0 : 1;
}
