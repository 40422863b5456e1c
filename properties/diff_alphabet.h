// SPDX-License-Identifier: GPL-2.0
// The semantic diff's alphabet (properties/semantic_diff.cc searches over it): every
// operation offered on a pair's current state, as steps, in a fixed order (the order
// decides which of two equally short examples the search reports). Names must be
// bound on both sides (a link_attach may succeed on one side only); a program or link
// is named by fd only while its fd is open.
#pragma once

#include <string>
#include <vector>

#include "properties/diff_sides.h"

namespace mprogsim::properties::diff {

struct AlphabetBounds {
  unsigned progs = 0;       // programs P1..Pn that may be loaded
  unsigned links = 0;       // link names L1..Ln that may be bound
  unsigned holds = 0;       // qdisc holds outstanding at once
  bool first_last = false;  // offer FIRST/LAST
};

// The names bound on both sides, sorted.
[[nodiscard]] std::vector<std::string> common_prog_names(const Pair& pair);
[[nodiscard]] std::vector<std::string> common_link_names(const Pair& pair);

// The operations (no observations) on `pair`'s state; `current` is the revision side A
// reports (an expected_revision that holds, and current + 1 one that is stale).
[[nodiscard]] std::vector<Step> alphabet_steps(const Pair& pair, u64 current,
                                               const AlphabetBounds& bounds);

// The observations of a state: the queries and the run (diff_sides.h, kObservations),
// then the refs of every name bound on both sides.
[[nodiscard]] std::vector<Step> observation_steps(const std::vector<std::string>& progs,
                                                  const std::vector<std::string>& links);

}  // namespace mprogsim::properties::diff
