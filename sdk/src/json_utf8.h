#pragma once
// Internal to the SDK (sdk/src): naming the string of a JSON text that is not well-formed UTF-8.
// json::parse_document() (json.cc) checks every string value and member name as it builds the
// document and stops at the first ill-formed one; only then is the text read once more, up to
// that string, by invalid_utf8_rejection(), to name its JSON path. So the common case (valid
// text) pays for the check only, never for following the path.

#include "refbridge/error.h"

#include <cstddef>
#include <optional>
#include <string_view>

namespace refbridge::json::detail {

/// The rejection for the first string of `text` (a JSON text RapidJSON reads without a syntax
/// error up to that string) whose bytes are not well-formed UTF-8 (refbridge/utf8.h), or, when
/// `escape_offset` is set, for the string holding the unpaired surrogate escape ("\uD800" not
/// followed by "\uDC00".."\uDFFF") that RapidJSON stopped at, at byte `*escape_offset` of `text`.
/// kRejected, rule "invalid-utf8", reason (bytes and members counted from 0, never the value):
///   "<path>: invalid UTF-8 (<what> at byte <k> of the string)"
///   "<path>: invalid UTF-8 (<what> at byte <k> of the name of member <i>)"   (path: the object)
///   "<path>: invalid UTF-8 (unpaired surrogate escape at byte <o> of the JSON text)"
///   "<path>: invalid UTF-8 (unpaired surrogate escape in the name of member <i>, at byte <o> of the JSON text)"
/// <what> is refbridge::describe(Utf8Error): "overlong sequence", "invalid byte 0xFF", ...
[[nodiscard]] Error invalid_utf8_rejection(std::string_view text, std::optional<std::size_t> escape_offset = std::nullopt);

}  // namespace refbridge::json::detail
