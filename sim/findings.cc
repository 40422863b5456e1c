// SPDX-License-Identifier: GPL-2.0
#include "sim/findings.h"

#include "model/finding_ids.h"
#include "model/variant_registry.h"

namespace mprogsim::sim {
namespace {

constexpr KnownFinding kFindings[] = {
    {kFindingStaticKeyLeak, "invariant", "F1", "replace and link update leak the tcx static key"},
    {kFindingEmptyDetach, "invariant", "F2",
     "detaching a program that is not attached succeeds on an empty held entry"},
    {kFindingEstaleHighRevision, "invariant", "F3",
     "from revision 2^31 on, no expected_revision matches"},
    {kFindingQueryFlagsUnwritten, "invariant", "F4",
     "query leaves the other kind's flags element of each slot as the caller passed it"},
    {kFindingReplaceMix, "snapshot", "U1",
     "in-place replaces without a grace period: a pass can run a list never committed"},
};

// Slot-by-slot equality of two lists of one length, but for at most one slot: what
// one in-place replace (or a step that changes nothing) leaves.
bool one_slot_apart(const std::vector<u32>& a, const std::vector<u32>& b) {
  if (a.size() != b.size()) return false;
  std::size_t differ = 0;
  for (std::size_t i = 0; i < a.size(); i++) differ += a[i] != b[i];
  return differ <= 1;
}

// Whether `saw` takes slot i from state m_i of `run` with m_0 <= m_1 <= ...: greedy,
// each slot from the earliest state not before the previous slot's that has it.
bool monotone_mix(const std::vector<u32>& saw, std::span<const std::vector<u32>> run) {
  std::size_t m = 0;
  for (std::size_t i = 0; i < saw.size(); i++) {
    while (m < run.size() && run[m][i] != saw[i]) m++;
    if (m == run.size()) return false;
  }
  return true;
}

}  // namespace

std::span<const KnownFinding> known_findings() { return kFindings; }

const KnownFinding* find_known_finding(std::string_view name) {
  for (const KnownFinding& f : kFindings) {
    if (f.name == name) return &f;
  }
  return nullptr;
}

std::string classify_snapshot(Semantics semantics, const std::vector<u32>& saw,
                              const std::vector<std::vector<u32>>& window) {
  // Only a variant whose code has the replace mix (upstream) can show it: v2 commits
  // every replace with a grace period, so no pass can span two of them, and the same
  // picture there is a bug (commit-no-sync shows it).
  if (!variant_info(semantics).has_finding(kFindingReplaceMix)) return "";
  // Maximal runs of consecutive states linked by in-place replaces.
  for (std::size_t begin = 0; begin < window.size();) {
    std::size_t end = begin + 1;
    while (end < window.size() && one_slot_apart(window[end - 1], window[end])) end++;
    const std::span<const std::vector<u32>> run(window.data() + begin, end - begin);
    if (run.size() >= 2 && run.front().size() == saw.size() && monotone_mix(saw, run)) {
      return kFindingReplaceMix;
    }
    begin = end;
  }
  return "";
}

FindingPolicy FindingPolicy::all() {
  FindingPolicy p;
  p.all_ = true;
  return p;
}

FindingPolicy FindingPolicy::none() { return FindingPolicy{}; }

std::optional<FindingPolicy> FindingPolicy::parse(const std::vector<std::string>& values,
                                                  std::string* error) {
  FindingPolicy p;
  for (const std::string& v : values) {
    if (v == "all" || v == "none") {
      if (values.size() > 1) {
        *error = "--allow-finding " + v + " cannot be combined with other --allow-finding values";
        return std::nullopt;
      }
      p.all_ = v == "all";
      continue;
    }
    if (!find_known_finding(v)) {
      std::string names;
      for (const KnownFinding& f : kFindings)
        names += (names.empty() ? "" : ", ") + std::string(f.name);
      *error = "unknown finding '" + v + "' (all, none, or one of: " + names + ")";
      return std::nullopt;
    }
    p.names_.insert(v);
  }
  return p;
}

bool FindingPolicy::allows(std::string_view name) const {
  return all_ || names_.find(name) != names_.end();
}

std::string FindingPolicy::describe() const {
  if (all_) return "all";
  if (names_.empty()) return "none";
  std::string out;
  for (const std::string& n : names_) out += (out.empty() ? "" : ",") + n;
  return out;
}

}  // namespace mprogsim::sim
