#pragma once
// Caps on the load refbridge puts on one system (issue "Fast where it counts": concurrency up to
// the network bound while respecting Primero's limits): a transport wrapper that lets at most
// `max_in_flight` requests be outstanding at once and starts at most `max_per_second` requests per
// second, evenly spaced. Requests over a cap wait (in the calling worker) for their turn, in
// arrival order for the rate; nothing is dropped or reordered within one worker. Retries of a
// request (refbridge/retry.h) pass through the caps like first attempts.
// Configured per system by ping.max_in_flight, ping.max_requests_per_second,
// primero.max_in_flight and primero.max_requests_per_second (doc/configuration.md).

#include "refbridge/http.h"

#include <memory>

namespace refbridge {

/// Caps of one system. 0 = no cap.
struct RequestLimits {
  int max_in_flight = 0;        ///< requests outstanding at once (sent, answer not yet read)
  double max_per_second = 0;    ///< request starts per second, spaced 1/max_per_second apart
};

/// Wraps `inner` (owned) with `limits`. Thread-safe when `inner` is. With both caps 0 it returns
/// `inner` itself (no cost). Errors are `inner`'s, unchanged.
std::unique_ptr<HttpTransport> make_limited_transport(std::unique_ptr<HttpTransport> inner, RequestLimits limits);

}  // namespace refbridge
