// Naming the JSON path of an ill-formed UTF-8 string. See json_utf8.h.
#include "json_utf8.h"

#include "refbridge/json.h"
#include "refbridge/utf8.h"

#include <rapidjson/encodedstream.h>
#include <rapidjson/memorystream.h>
#include <rapidjson/reader.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace refbridge::json::detail {
namespace {

// SAX handler that follows the JSON path (json::Path, as the generated readers render it) and
// stops the parse at the first string value or member name that is not well-formed UTF-8.
class StringLocator {
 public:
  struct Found {
    std::string path;            ///< the string value's path, or the object's for a member name
    std::optional<Utf8Error> error;  ///< unset for an unpaired surrogate escape
    bool in_name = false;
    std::size_t member = 0;      ///< in_name: the member's index in its object
  };

  bool Null() { return scalar(); }
  bool Bool(bool) { return scalar(); }
  bool Int(int) { return scalar(); }
  bool Uint(unsigned) { return scalar(); }
  bool Int64(std::int64_t) { return scalar(); }
  bool Uint64(std::uint64_t) { return scalar(); }
  bool Double(double) { return scalar(); }
  bool RawNumber(const char*, rapidjson::SizeType, bool) { return scalar(); }
  bool String(const char* s, rapidjson::SizeType n, bool) {
    if (auto e = find_invalid_utf8({s, n})) {
      found_ = here();
      found_->error = e;
      return false;
    }
    return scalar();
  }
  bool Key(const char* s, rapidjson::SizeType n, bool) {
    if (auto e = find_invalid_utf8({s, n})) {
      found_ = here();
      found_->error = e;
      return false;
    }
    path_.push_key({s, n});
    frames_.back().awaiting_value = true;
    return true;
  }
  bool StartObject() { return open(false); }
  bool EndObject(rapidjson::SizeType) { return close(); }
  bool StartArray() { return open(true); }
  bool EndArray(rapidjson::SizeType) { return close(); }

  /// Where the parse stands: the string it is in (after a RapidJSON error inside a string) or
  /// the one just refused by String() / Key().
  [[nodiscard]] Found here() {
    Found f;
    if (frames_.empty()) {
      f.path = path_.str();
    } else if (Frame& top = frames_.back(); !top.array && !top.awaiting_value) {
      f.path = path_.str();
      f.in_name = true;
      f.member = top.count;
    } else if (top.array) {
      path_.push_index(top.count);
      f.path = path_.str();
      path_.pop();
    } else {
      f.path = path_.str();
    }
    return f;
  }
  [[nodiscard]] const std::optional<Found>& found() const { return found_; }

 private:
  struct Frame {
    bool array = false;
    std::size_t count = 0;        ///< elements or members done
    bool awaiting_value = false;  ///< object: a member name was read, its value not yet
  };

  void begin_value() {
    if (!frames_.empty() && frames_.back().array) path_.push_index(frames_.back().count);
  }
  void end_value() {
    if (frames_.empty()) return;
    Frame& top = frames_.back();
    path_.pop();  // the element's index or the member's name
    ++top.count;
    top.awaiting_value = false;
  }
  bool scalar() {
    begin_value();
    end_value();
    return true;
  }
  bool open(bool array) {
    begin_value();
    frames_.push_back({array, 0, false});
    return true;
  }
  bool close() {
    frames_.pop_back();
    end_value();
    return true;
  }

  Path path_;
  std::vector<Frame> frames_;
  std::optional<Found> found_;
};

}  // namespace

Error invalid_utf8_rejection(std::string_view text, std::optional<std::size_t> escape_offset) {
  // The flags of parse_document(), so that the events are the same up to the string.
  constexpr unsigned kFlags = rapidjson::kParseIterativeFlag | rapidjson::kParseNumbersAsStringsFlag;
  rapidjson::MemoryStream ms(text.data(), text.size());
  rapidjson::EncodedInputStream<rapidjson::UTF8<>, rapidjson::MemoryStream> in(ms);
  rapidjson::Reader reader;
  StringLocator locator;
  (void)reader.Parse<kFlags>(in, locator);
  std::optional<StringLocator::Found> found = locator.found();
  if (!found && escape_offset) found = locator.here();  // RapidJSON stopped inside the string holding the escape
  if (!found) return make_rejection("invalid-utf8", "$: invalid UTF-8");  // not reached: parse_document saw one

  std::string what;
  if (found->error) {
    what = describe(*found->error) + " at byte " + std::to_string(found->error->offset) +
           (found->in_name ? " of the name of member " + std::to_string(found->member) : std::string(" of the string"));
  } else {
    const std::string at = "at byte " + std::to_string(escape_offset.value_or(0)) + " of the JSON text";
    what = found->in_name ? "unpaired surrogate escape in the name of member " + std::to_string(found->member) + ", " + at
                          : "unpaired surrogate escape " + at;
  }
  return make_rejection("invalid-utf8", found->path + ": invalid UTF-8 (" + what + ")");
}

}  // namespace refbridge::json::detail
