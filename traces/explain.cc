// SPDX-License-Identifier: GPL-2.0
#include "traces/explain.h"

#include <cstdio>

namespace mprogsim::sim {
namespace {

// "bpf_mprog_bundle#1.b.fp_items[7]" -> ("bpf_mprog_bundle#1.b.fp_items", 7); -1 if
// the location does not end in an index.
std::pair<std::string, long> split_index(const std::string& location) {
  if (location.empty() || location.back() != ']') return {location, -1};
  const auto open = location.rfind('[');
  if (open == std::string::npos) return {location, -1};
  const std::string digits = location.substr(open + 1, location.size() - open - 2);
  if (digits.empty() || digits.find_first_not_of("0123456789") != std::string::npos) {
    return {location, -1};
  }
  return {location.substr(0, open), std::stol(digits)};
}

// Whether `next` continues a run started at `first` that has `length` events: same
// thread, same access, next slot, next step. A peer rewrite is 64 of these.
bool continues(const Event& first, std::size_t length, const Event& next) {
  if (first.kind != EventKind::kAccess || next.kind != EventKind::kAccess) return false;
  if (next.thread != first.thread || next.access != first.access) return false;
  if (next.step != first.step + length) return false;
  const auto [base, index] = split_index(first.location);
  const auto [next_base, next_index] = split_index(next.location);
  return index >= 0 && next_base == base && next_index == index + static_cast<long>(length);
}

}  // namespace

std::string explain_events(const std::vector<Event>& events) {
  std::string out;
  char prefix[48];
  for (std::size_t i = 0; i < events.size();) {
    const Event& e = events[i];
    std::size_t length = 1;
    while (i + length < events.size() && continues(e, length, events[i + length])) length++;
    std::snprintf(prefix, sizeof(prefix), "  %6llu  %-4s ", static_cast<unsigned long long>(e.step),
                  thread_name(e.thread).c_str());
    out += prefix;
    if (length >= 3) {
      // Collapsed: "plain write bundle#1.b.fp_items[0..63] (64 steps, to 66)".
      const auto [base, first] = split_index(e.location);
      out += std::string(access_name(e.access)) + " " + base + "[" + std::to_string(first) + ".." +
             std::to_string(first + static_cast<long>(length) - 1) + "] (" +
             std::to_string(length) + " steps, to " + std::to_string(e.step + length - 1) + ")";
    } else {
      out += e.text;
      if (length == 2) {
        std::snprintf(prefix, sizeof(prefix), "\n  %6llu  %-4s ",
                      static_cast<unsigned long long>(events[i + 1].step),
                      thread_name(events[i + 1].thread).c_str());
        out += prefix + events[i + 1].text;
      }
    }
    out += "\n";
    i += length;
  }
  return out;
}

}  // namespace mprogsim::sim
