// SPDX-License-Identifier: GPL-2.0
#include "sim/verdicts.h"

#include "common/assert.h"
#include "sim/findings.h"
#include "sim/property_names.h"

namespace mprogsim::sim {

std::string list_text(std::span<const u32> ids) {
  std::string out = "[";
  for (std::size_t i = 0; i < ids.size(); i++) {
    out += (i ? " P" : "P") + std::to_string(ids[i]);
  }
  return out + "]";
}

void Verdicts::violate(std::string property, ThreadId thread, std::string message,
                       std::vector<std::pair<std::string, std::string>> evidence,
                       std::string finding) {
  // Its trace could not be read back otherwise.
  SIM_ASSERT(is_property_name(property), "a property missing from sim/property_names.h");
  if (result_.violation && !options_.collect_outcome) return;
  Violation v;
  v.property = std::move(property);
  v.step = result_.schedule.empty() ? 0 : result_.schedule.size() - 1;
  v.thread = thread;
  v.message = std::move(message);
  v.evidence = std::move(evidence);
  v.finding = std::move(finding);
  if (!v.finding.empty() && options_.allowed_findings &&
      options_.allowed_findings->allows(v.finding)) {
    // The code as mirrored does this on purpose or by design; the run goes on.
    result_.findings.push_back(std::move(v));
    return;
  }
  if (options_.collect_outcome) {
    // Run on: the next violation may be one that another order would meet first.
    result_.violations.push_back(v);
    if (!result_.violation) result_.violation = std::move(v);
    return;
  }
  result_.violation = std::move(v);
  stop_ = true;
}

std::string violation_key(const Violation& v) {
  // Step numbers differ between equivalent executions; the rest does not.
  std::string key =
      "violation " + v.property + " on " + (v.thread == kNoThread ? "-" : thread_name(v.thread));
  if (v.evidence.empty()) return key + ": " + v.message;
  for (const auto& [name, value] : v.evidence) {
    const bool step = name.ends_with("_step") || name.ends_with("_steps");
    if (!step) key += " " + name + "=" + value;
  }
  return key;
}

std::string outcome_of(const ExecutionResult& result) {
  std::string out;
  for (const std::string& line : result.observations) out += line + "\n";
  return out;
}

}  // namespace mprogsim::sim
