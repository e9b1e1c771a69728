// TLS against the sandbox served over HTTPS, with a throwaway CA, server and client certificates
// made by the openssl CLI in a temporary directory: verified with the CA bundle, refused without
// it, refused by an mTLS server without a client certificate, accepted with one; the explicit
// insecure mode really skips verification.
#include "refbridge/http.h"
#include "sandbox.h"
#include "temp_dir.h"

#include <catch2/catch.hpp>

#include <cstdlib>

using namespace refbridge;
using refbridge::testing::TempDir;

namespace {

constexpr const char* kToken = "tls-test-ping-token";

/// Runs a shell command in `dir`; true on exit status 0.
bool run(const TempDir& dir, const std::string& command) {
  const std::string line = "cd '" + dir.path().string() + "' && " + command + " >/dev/null 2>&1";
  return std::system(line.c_str()) == 0;
}

/// ca.pem/ca.key, server.pem/server.key (SAN IP:127.0.0.1), client.pem/client.key, all EC P-256.
void make_certificates(const TempDir& dir) {
  const std::string key = "-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes";
  REQUIRE(run(dir, "openssl req -x509 " + key + " -keyout ca.key -out ca.pem -days 2 -subj /CN=refbridge-test-ca"));
  dir.write("server.ext", "subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n");
  dir.write("client.ext", "basicConstraints=CA:FALSE\nextendedKeyUsage=clientAuth\n");
  for (const std::string name : {"server", "client"}) {
    REQUIRE(run(dir, "openssl req " + key + " -keyout " + name + ".key -out " + name + ".csr -subj /CN=refbridge-" + name));
    REQUIRE(run(dir, "openssl x509 -req -in " + name + ".csr -CA ca.pem -CAkey ca.key -CAcreateserial -out " + name +
                         ".pem -days 2 -extfile " + name + ".ext"));
  }
}

std::unique_ptr<sandbox::Sandbox> https_sandbox(const TempDir& dir, bool require_client_certificate) {
  sandbox::SandboxOptions options;
  options.ping_token = kToken;
  options.tls.certificate_file = dir.file("server.pem");
  options.tls.key_file = dir.file("server.key");
  if (require_client_certificate) options.tls.client_ca_file = dir.file("ca.pem");
  auto box = sandbox::Sandbox::start(options);
  REQUIRE(box);
  return std::move(box).value();
}

Result<HttpResponse> get(const sandbox::Sandbox& box, HttpOptions options) {
  options.connect_timeout = std::chrono::seconds(5);
  options.total_timeout = std::chrono::seconds(10);
  auto transport = make_curl_transport(std::move(options));
  HttpRequest req;
  req.url = box.ping_base_url() + "/v1/referrals/outgoing";
  req.headers = {{"Authorization", std::string("Bearer ") + kToken}};
  return transport->send(req);
}

}  // namespace

TEST_CASE("HTTPS to the sandbox is verified with the configured CA bundle and refused without it") {
  TempDir dir;
  make_certificates(dir);
  auto box = https_sandbox(dir, false);
  REQUIRE_THAT(box->ping_base_url(), Catch::StartsWith("https://127.0.0.1:"));

  HttpOptions trusted;
  trusted.ca_bundle = dir.file("ca.pem");
  auto ok = get(*box, trusted);
  REQUIRE(ok);
  CHECK(ok.value().status == 200);

  auto untrusted = get(*box, HttpOptions{});  // system store: the throwaway CA is unknown
  REQUIRE_FALSE(untrusted);
  CHECK(untrusted.error().code == ErrorCode::kTransport);

  HttpOptions insecure;
  insecure.verify_tls = false;  // what insecure_skip_tls_verify: true sets
  auto skipped = get(*box, insecure);
  REQUIRE(skipped);
  CHECK(skipped.value().status == 200);
}

TEST_CASE("an mTLS sandbox refuses a client without a certificate and accepts one signed by its CA") {
  TempDir dir;
  make_certificates(dir);
  auto box = https_sandbox(dir, true);

  HttpOptions no_certificate;
  no_certificate.ca_bundle = dir.file("ca.pem");
  auto refused = get(*box, no_certificate);
  const bool was_refused = !refused || refused.value().status == 0;
  CHECK(was_refused);

  HttpOptions with_certificate = no_certificate;
  with_certificate.client_certificate = dir.file("client.pem");
  with_certificate.client_key = dir.file("client.key");
  auto accepted = get(*box, with_certificate);
  REQUIRE(accepted);
  CHECK(accepted.value().status == 200);
}
