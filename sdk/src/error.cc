// Error values: names, retryability, descriptions. See refbridge/error.h.
#include "refbridge/error.h"

namespace refbridge {

std::string_view to_string(ErrorCode code) noexcept {
  switch (code) {
    case ErrorCode::kTransport: return "transport";
    case ErrorCode::kTimeout: return "timeout";
    case ErrorCode::kHttp: return "http";
    case ErrorCode::kUnauthorized: return "unauthorized";
    case ErrorCode::kForbidden: return "forbidden";
    case ErrorCode::kNotFound: return "not_found";
    case ErrorCode::kConflict: return "conflict";
    case ErrorCode::kUnprocessable: return "unprocessable";
    case ErrorCode::kRateLimited: return "rate_limited";
    case ErrorCode::kServerError: return "server_error";
    case ErrorCode::kInvalidResponse: return "invalid_response";
    case ErrorCode::kInvalidInput: return "invalid_input";
    case ErrorCode::kRejected: return "rejected";
    case ErrorCode::kConfig: return "config";
    case ErrorCode::kIo: return "io";
    case ErrorCode::kInternal: return "internal";
  }
  return "internal";
}

bool Error::retryable() const noexcept {
  switch (code) {
    case ErrorCode::kTransport:
    case ErrorCode::kTimeout:
    case ErrorCode::kRateLimited:
    case ErrorCode::kServerError:
      return true;
    default:
      return false;
  }
}

std::string Error::describe() const {
  std::string out(to_string(code));
  out += ": ";
  out += message;
  if (http_status != 0) out += " (HTTP " + std::to_string(http_status) + ")";
  return out;
}

Error make_error(ErrorCode code, std::string message, int http_status) {
  Error e;
  e.code = code;
  e.message = std::move(message);
  e.http_status = http_status;
  return e;
}

Error make_rejection(std::string rule, std::string reason) {
  Error e = make_error(ErrorCode::kRejected, std::move(reason));
  e.rule = std::move(rule);
  return e;
}

}  // namespace refbridge
