// SPDX-License-Identifier: GPL-2.0
// Writes a whole file or nothing: the text goes to a temporary file beside the
// target, which is then renamed over it.
#pragma once

#include <string>

namespace mprogsim {

// Returns an empty string on success, else what went wrong.
std::string write_file_atomically(const std::string& path, const std::string& text);

}  // namespace mprogsim
