// SPDX-License-Identifier: GPL-2.0
#include "traces/explain.h"

#include <cstdio>
#include <cstring>
#include <map>

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

bool same_source(const SourceLoc& a, const SourceLoc& b) {
  return a.line() == b.line() && std::strcmp(a.file_name(), b.file_name()) == 0 &&
         std::strcmp(a.function_name(), b.function_name()) == 0;
}

// Whether `next` continues a run started at `first` that has `length` events: same
// thread, same access from the same line, next slot; and either each its own
// schedule step (the next one), or all inside one step (no scheduling point: no
// other thread could see them). A peer rewrite is 64 of these.
bool continues(const Event& first, std::size_t length, const Event& next, bool one_step) {
  if (first.kind != EventKind::kAccess || next.kind != EventKind::kAccess) return false;
  if (next.thread != first.thread || next.access != first.access) return false;
  if (!same_source(first.source, next.source)) return false;
  if (next.step != (one_step ? first.step : first.step + length)) return false;
  const auto [base, index] = split_index(first.location);
  const auto [next_base, next_index] = split_index(next.location);
  return index >= 0 && next_base == base && next_index == index + static_cast<long>(length);
}

// "mirror: model/v2/bpf_mprog.cc:123 bpf_mprog_attach" for the mirrored kernel code
// (model/<variant>/), "harness: model/bpf_objects.cc:121 prog_load" for the model's
// own object tables; "" for the simulator's events.
std::string source_column(const SourceLoc& loc) {
  const std::string text = source_text(loc);
  if (text.empty()) return "";
  const std::size_t slash = text.find('/', 6);  // after "model/"
  const std::size_t colon = text.find(':');
  const bool variant_folder = text.rfind("model/", 0) == 0 && slash < colon;
  return (variant_folder ? "mirror: " : "harness: ") + text;
}

// "bpf_mprog_bundle#1.b" -> "entry b of bpf_mprog_bundle#1".
std::string entry_text(const std::string& loaded) {
  const std::size_t dot = loaded.rfind('.');
  if (dot == std::string::npos) return loaded == "NULL" ? "NULL (nothing published)" : loaded;
  return "entry " + loaded.substr(dot + 1) + " of " + loaded.substr(0, dot);
}

constexpr std::size_t kSourceColumn = 64;  // where the source column starts

void append_line(std::string* out, const Event& e, const std::string& text,
                 const SourceLoc& source) {
  char prefix[48];
  std::snprintf(prefix, sizeof(prefix), "  %6llu  %-4s ", static_cast<unsigned long long>(e.step),
                thread_name(e.thread).c_str());
  std::string line = prefix + text;
  const std::string column = source_column(source);
  if (!column.empty()) {
    line += line.size() + 2 < kSourceColumn ? std::string(kSourceColumn - line.size(), ' ') : "  ";
    line += column;
  }
  *out += line + "\n";
}

}  // namespace

std::string explain_events(const std::vector<Event>& events) {
  std::string out =
      "every event: the schedule step (counted from 0, as the trace's outcome.step), the "
      "thread, what it did, and the model's line that did it:\n";
  // Per reader, the entries its current pass loaded (rcu_dereference), with the step.
  std::map<ThreadId, std::vector<std::pair<std::string, std::uint64_t>>> loaded;
  for (std::size_t i = 0; i < events.size();) {
    const Event& e = events[i];
    std::size_t length = 1;
    const bool one_step = i + 1 < events.size() && events[i + 1].step == e.step;
    while (i + length < events.size() && continues(e, length, events[i + length], one_step)) {
      length++;
    }
    if (length >= 3) {
      // Collapsed: "plain write bundle#1.b.fp_items[0..63] (64 schedule steps, to 66)".
      const auto [base, first] = split_index(e.location);
      std::string text =
          std::string(access_name(e.access)) + " " + base + "[" + std::to_string(first) + ".." +
          std::to_string(first + static_cast<long>(length) - 1) + "] (" + std::to_string(length);
      text += one_step ? " accesses in this schedule step)"
                       : " schedule steps, to " + std::to_string(e.step + length - 1) + ")";
      append_line(&out, e, text, e.source);
      i += length;
      continue;
    }
    for (std::size_t k = 0; k < length; k++, i++) {
      const Event& x = events[i];
      std::string text = x.text;
      if (x.kind == EventKind::kPassBegin) loaded[x.thread].clear();
      if (x.kind == EventKind::kAccess && x.access == MemAccess::kRcuDeref) {
        loaded[x.thread].emplace_back(x.loaded, x.step);
      }
      if (x.kind == EventKind::kPassEnd) {
        // Which of the bundle's two entries the pass walked: what its snapshot is of.
        const auto& entries = loaded[x.thread];
        text += entries.empty() ? ", loading no entry" : ", walking ";
        for (std::size_t j = 0; j < entries.size(); j++) {
          text += (j ? " then " : "") + entry_text(entries[j].first) +
                  " (loaded at schedule step " + std::to_string(entries[j].second) + ")";
        }
      }
      append_line(&out, x, text, x.source);
    }
  }
  return out;
}

}  // namespace mprogsim::sim
