// SPDX-License-Identifier: GPL-2.0
// Known findings: behaviours of the mirrored kernel code itself (not of a mutant, not
// of the simulator) that break one of our properties, each written up in
// docs/semantics.md. A campaign that meets one names it in its summary and writes a
// trace of it; whether it fails the run is the user's choice (`check --allow-finding`),
// never a silent one.
//
// A finding is recognised by a classifier over the violation's structured data (the
// property and a signature of what the property saw), never by matching message
// text, so that a mutant breaking the same property in another way is still a
// violation.
#pragma once

#include <cstdint>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "model/mprog_api.h"
#include "scenario/scenario.h"

namespace mprogsim::sim {

struct KnownFinding {
  std::string_view name;      // "upstream-replace-mix"; the id the options and summaries use
  std::string_view property;  // what breaks: "snapshot" (simulator), "invariant" (sequential)
  std::string_view label;     // where it is written up: "F1", "U1" in docs/semantics.md
  std::string_view title;     // one line
};

// Every known finding, in the order summaries list them.
[[nodiscard]] std::span<const KnownFinding> known_findings();
[[nodiscard]] const KnownFinding* find_known_finding(std::string_view name);

// The known finding a snapshot violation is, or empty. `saw` is the pass's list;
// `window` the committed lists (L_first, L_first+1, ...) that were current at some
// moment of the pass, in order. Upstream's replace mix (U1) has one signature: the
// pass read one entry that in-place replaces rewrote slot by slot while it walked
// it, so there is a run of consecutive states in the window, all of the same length
// and each differing from the previous in at most one slot, and indexes m_0 <= m_1 <=
// ... (the pass reads slots in order, so it sees later states in later slots) with
// saw[i] == L_{m_i}[i]. A pass that saw a peer being rewritten (an insert or delete
// in the window) or a list from no such run is not it.
[[nodiscard]] std::string classify_snapshot(Semantics semantics, const std::vector<u32>& saw,
                                            const std::vector<std::vector<u32>>& window);

// Which known findings a run lets pass: met, named in the summary and written as a
// trace, but not a failure. The default (all) keeps `mprogsim check` useful on the
// code as it is; `none` makes every finding fail the run like any violation.
class FindingPolicy {
 public:
  static FindingPolicy all();
  static FindingPolicy none();
  // From the values of the repeatable `--allow-finding`: "all", "none" or finding
  // names. nullopt (with `error` set) for an unknown name or "all"/"none" mixed
  // with names.
  static std::optional<FindingPolicy> parse(const std::vector<std::string>& values,
                                            std::string* error);

  bool allows(std::string_view name) const;
  // "all", "none" or the names, comma-separated: for headers.
  std::string describe() const;

 private:
  bool all_ = false;
  std::set<std::string, std::less<>> names_;
};

}  // namespace mprogsim::sim
