// SPDX-License-Identifier: GPL-2.0
#include "tools/input.h"

#include "scenario/json_input.h"
#include "traces/trace.h"

namespace mprogsim::tools {

InputFile read_input(const std::string& path) {
  InputFile in;
  in.text = read_input_file(path);
  in.trace = looks_like_trace(in.text);
  return in;
}

std::string input_error(const std::string& path, const std::string& what) {
  std::string line = path + ": " + what;
  // Only a message that starts with a path: "$.steps[7]..." or "$[1].steps[7]...".
  if (what.rfind("$", 0) != 0) return line;
  const std::size_t colon = what.find(": ");
  const std::string where = what.substr(0, colon);
  const std::size_t at = where.find(".steps[");
  if (at == std::string::npos) return line;
  std::size_t i = at + 7;
  unsigned long long index = 0;
  bool digits = false;
  while (i < where.size() && where[i] >= '0' && where[i] <= '9' && index < 100000000) {
    index = index * 10 + static_cast<unsigned long long>(where[i] - '0');
    digits = true;
    i++;
  }
  if (!digits || i >= where.size() || where[i] != ']') return line;
  return line + " (step " + std::to_string(index + 1) + ")";
}

}  // namespace mprogsim::tools
