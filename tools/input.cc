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

std::string with_step_number(const std::string& what) {
  // The path: the message's start ("$.steps[7]...", "$[1].steps[7]..."), or what
  // follows a prefix such as "bad workload: ".
  std::size_t start = 0;
  if (what.rfind("$", 0) != 0) {
    start = what.find(": $");
    if (start == std::string::npos) return what;
    start += 2;
  }
  const std::size_t colon = what.find(": ", start);
  const std::string where = what.substr(start, colon - start);
  const std::size_t at = where.find(".steps[");
  if (at == std::string::npos) return what;
  std::size_t i = at + 7;
  unsigned long long index = 0;
  bool digits = false;
  while (i < where.size() && where[i] >= '0' && where[i] <= '9' && index < 100000000) {
    index = index * 10 + static_cast<unsigned long long>(where[i] - '0');
    digits = true;
    i++;
  }
  if (!digits || i >= where.size() || where[i] != ']') return what;
  return what + " (step " + std::to_string(index + 1) + ")";
}

std::string input_error(const std::string& path, const std::string& what) {
  return path + ": " + with_step_number(what);
}

}  // namespace mprogsim::tools
