// SPDX-License-Identifier: GPL-2.0
#include "sim/snapshot_check.h"

#include <algorithm>

#include "sim/findings.h"

namespace mprogsim::sim {

// State j is current from step j's linearization point (its first write of the
// published pointer, or of a slot of the published entry) to the next step's.
// The pass may have seen state j if, in some execution equivalent to this one
// (the same steps, every conflicting pair in the same order), state j was current
// at some moment between the pass's first load of the published pointer and its
// last step. That is decided by happens-before alone, never by where this schedule
// happened to put steps that conflict with nothing the reader does (otherwise
// equivalent executions would get different verdicts, and no reduced search could
// be complete):
//   - step j's linearization point happens before the pass's last step (a pass can
//     only read what a step wrote if that step happens before it; state 0 and
//     steps published before the first choice need nothing), and
//   - the next linearization point does not happen before the pass's first load.
// A step that writes nothing a reader reads has no linearization point: its state
// is the previous one's (a step that changed the list without writing anything a
// reader reads would be a finding of its own).
void SnapshotCheck::on_pass_end(const PassToJudge& p) {
  const std::size_t n = cx_.workload.scenario.steps.size();
  const std::vector<std::uint32_t>& published_c = cx_.progress.published_c;
  const std::size_t begun = cx_.progress.begun;
  const std::vector<std::vector<u32>>& committed = cx_.reference.committed;
  // Whether state j may have been seen (above).
  auto may_have_seen = [&](std::size_t j) {
    if (j > 0 && (j > begun || !published_c[j] || published_c[j] - 1 > p.end_c)) return false;
    for (std::size_t k = j + 1; k <= begun && k <= n; k++) {
      if (published_c[k]) return published_c[k] - 1 > p.load_c;
    }
    return true;
  };
  for (std::size_t j = 0; j <= n; j++) {
    if (may_have_seen(j) && std::ranges::equal(committed[j], p.ran)) return;
  }
  std::vector<std::size_t> allowed;
  for (std::size_t j = 0; j <= n; j++) {
    if (may_have_seen(j)) allowed.push_back(j);
  }
  std::vector<std::vector<u32>> window;
  for (std::size_t j : allowed) window.push_back(committed[j]);
  std::string lists;
  for (std::size_t j : allowed) {
    lists += (lists.empty() ? "" : ", ") + std::string("after control step ") + std::to_string(j) +
             ": " + list_text(committed[j]);
  }
  cx_.verdicts.violate("snapshot", p.reader,
                       thread_name(p.reader) + " pass " + std::to_string(p.pass) + " saw " +
                           list_text(p.ran) +
                           ", which no committed state current during the pass had",
                       {{"saw", list_text(p.ran)},
                        {"pass", std::to_string(p.pass)},
                        {"pass_steps", std::to_string(p.start) + ".." + std::to_string(p.end)},
                        {"committed", lists}},
                       classify_snapshot(cx_.workload.scenario.semantics,
                                         std::vector<u32>(p.ran.begin(), p.ran.end()), window));
}

}  // namespace mprogsim::sim
