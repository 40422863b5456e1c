// SPDX-License-Identifier: GPL-2.0
// One-line messages from hostile input. An error message quotes what the user wrote
// (an op name, a key, a file name); a newline there would split the one-line error,
// and a NUL or an invalid UTF-8 byte would reach the terminal as it is.
#pragma once

#include <string>
#include <string_view>

namespace mprogsim {

// `text` with every control character escaped (\n, \r, \t, others and DEL as \xHH)
// and every byte that is not part of valid UTF-8 as \xHH. Valid UTF-8 and backslashes
// are kept, so escaping an escaped text changes nothing.
[[nodiscard]] std::string escape_for_message(std::string_view text);

// `text` in single quotes for a message, cut after 64 bytes ("'abc...'"): an error
// line quotes what was wrong, not a 30,000-character name.
[[nodiscard]] std::string quote_input(std::string_view text);

}  // namespace mprogsim
