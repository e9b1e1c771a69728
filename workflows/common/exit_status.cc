// Exit statuses. See exit_status.h.
#include "exit_status.h"

namespace refbridge::workflows {

int exit_status_for_error(const Error& e) noexcept {
  switch (e.code) {
    case ErrorCode::kLocked: return kExitLeaseHeld;
    case ErrorCode::kUnauthorized:
    case ErrorCode::kForbidden: return kExitNoPermission;
    case ErrorCode::kConfig:
    case ErrorCode::kInvalidInput: return kExitConfig;
    case ErrorCode::kIo: return kExitIoError;
    case ErrorCode::kInternal: return kExitSoftware;
    default: return kExitUnavailable;
  }
}

}  // namespace refbridge::workflows
