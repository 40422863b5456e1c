// SPDX-License-Identifier: GPL-2.0
#include "sim/explain.h"

#include <cstdio>

namespace mprogsim::sim {

std::string explain_events(const std::vector<Event>& events) {
  std::string out;
  char prefix[48];
  for (const Event& e : events) {
    std::snprintf(prefix, sizeof(prefix), "  %6llu  %-4s ", static_cast<unsigned long long>(e.step),
                  thread_name(e.thread).c_str());
    out += prefix;
    out += e.text;
    out += "\n";
  }
  return out;
}

}  // namespace mprogsim::sim
