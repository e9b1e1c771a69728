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
    case ErrorCode::kLocked: return "locked";
  }
  return "internal";
}

std::string_view to_string(ErrorClass c) noexcept {
  switch (c) {
    case ErrorClass::kTransient: return "transient";
    case ErrorClass::kPermanent: return "permanent";
    case ErrorClass::kRunLevel: return "run-level";
  }
  return "transient";
}

namespace {

ErrorClass classify_status(int status) noexcept {
  switch (status) {
    case 408: case 429: case 500: case 502: case 503: case 504:
      return ErrorClass::kTransient;
    case 401: case 403:
      return ErrorClass::kRunLevel;
    default:
      return status >= 400 ? ErrorClass::kPermanent : ErrorClass::kTransient;
  }
}

}  // namespace

ErrorClass classify(const Error& e) noexcept {
  switch (e.code) {
    case ErrorCode::kTransport:
    case ErrorCode::kTimeout:
    case ErrorCode::kRateLimited:
    case ErrorCode::kInvalidResponse:
    case ErrorCode::kIo:
    case ErrorCode::kInternal:
      return ErrorClass::kTransient;
    case ErrorCode::kUnauthorized:
    case ErrorCode::kForbidden:
    case ErrorCode::kConfig:
    case ErrorCode::kLocked:
      return ErrorClass::kRunLevel;
    case ErrorCode::kNotFound:
    case ErrorCode::kConflict:
    case ErrorCode::kUnprocessable:
    case ErrorCode::kInvalidInput:
    case ErrorCode::kRejected:
      return ErrorClass::kPermanent;
    case ErrorCode::kHttp:
    case ErrorCode::kServerError:
      return e.http_status == 0 ? ErrorClass::kTransient : classify_status(e.http_status);
  }
  return ErrorClass::kTransient;
}

bool is_unavailable(const Error& e) noexcept {
  if (e.code == ErrorCode::kTransport || e.code == ErrorCode::kTimeout) return true;
  return e.http_status == 502 || e.http_status == 503 || e.http_status == 504;
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
