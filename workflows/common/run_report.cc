// Run report. See run_report.h.
#include "run_report.h"

#include "refbridge/redaction.h"
#include "refbridge/version.h"

#include <rapidjson/prettywriter.h>
#include <rapidjson/stringbuffer.h>

#include <cstdio>

namespace refbridge::workflows {

std::string_view to_string(RecordState state) noexcept {
  switch (state) {
    case RecordState::kDelivered: return "delivered";
    case RecordState::kSkipped: return "skipped";
    case RecordState::kRejected: return "rejected";
    case RecordState::kFailed: return "failed";
  }
  return "failed";
}

RunReport::RunReport(std::string workflow, std::chrono::sys_time<std::chrono::milliseconds> started_at)
    : workflow_(std::move(workflow)), started_at_(started_at), finished_at_(started_at) {}

void RunReport::add(RecordOutcome outcome) {
  std::lock_guard lock(*mutex_);
  ++counts_[static_cast<int>(outcome.state)];
  const bool ok = outcome.state == RecordState::kDelivered || outcome.state == RecordState::kSkipped;
  if (ok && listed_ok_ >= kListedLimit) {
    ++unlisted_;
    return;
  }
  listed_ok_ += ok ? 1 : 0;
  records_.push_back(std::move(outcome));
}

void RunReport::finish(std::chrono::sys_time<std::chrono::milliseconds> finished_at) { finished_at_ = finished_at; }

std::size_t RunReport::count(RecordState state) const { return counts_[static_cast<int>(state)]; }

namespace {
// Every value passes redaction: a reason quoting a server's message cannot carry a secret.
template <class W>
void put(W& w, std::string_view key, std::string_view value) {
  w.Key(key.data(), static_cast<rapidjson::SizeType>(key.size()));
  const std::string clean = redact(value);
  w.String(clean.c_str(), static_cast<rapidjson::SizeType>(clean.size()));
}
}  // namespace

std::string RunReport::to_json() const {
  rapidjson::StringBuffer buf;
  rapidjson::PrettyWriter<rapidjson::StringBuffer> w(buf);
  w.SetIndent(' ', 2);
  w.StartObject();
  put(w, "workflow", workflow_);
  put(w, "refbridge_version", version());
  put(w, "refbridge_commit", git_commit());
  put(w, "started_at", DateTime::from_utc(started_at_).text);
  put(w, "finished_at", DateTime::from_utc(finished_at_).text);
  w.Key("duration_ms");
  w.Int64((finished_at_ - started_at_).count());
  if (aborted()) put(w, "aborted", aborted_);
  w.Key("counts");
  w.StartObject();
  for (auto s : {RecordState::kDelivered, RecordState::kSkipped, RecordState::kRejected, RecordState::kFailed}) {
    w.Key(to_string(s).data());
    w.Uint64(count(s));
  }
  w.EndObject();
  w.Key("records");
  w.StartArray();
  for (const auto& r : records_) {
    w.StartObject();
    put(w, "key", r.key);
    put(w, "state", to_string(r.state));
    if (!r.source_id.empty()) put(w, "source_id", r.source_id);
    if (!r.target_key.empty()) put(w, "target_key", r.target_key);
    if (!r.transaction_id.empty()) put(w, "transaction_id", r.transaction_id);
    if (!r.rule.empty()) put(w, "rule", r.rule);
    if (!r.reason.empty()) put(w, "reason", r.reason);
    for (const auto& [k, v] : r.ids) put(w, k, v);
    w.EndObject();
  }
  w.EndArray();
  if (unlisted_ > 0) {
    w.Key("unlisted_delivered_or_skipped");
    w.Uint64(unlisted_);
  }
  w.EndObject();
  return std::string(buf.GetString(), buf.GetSize()) + "\n";
}

std::string RunReport::summary_line() const {
  char buf[256];
  std::snprintf(buf, sizeof buf, "%s: %zu delivered, %zu skipped, %zu rejected, %zu failed in %.1f s",
                workflow_.c_str(), count(RecordState::kDelivered), count(RecordState::kSkipped),
                count(RecordState::kRejected), count(RecordState::kFailed),
                static_cast<double>((finished_at_ - started_at_).count()) / 1000.0);
  std::string line = buf;
  if (aborted()) line += " (run aborted: " + aborted_ + ")";
  return redact(line);
}

}  // namespace refbridge::workflows
