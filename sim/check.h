// SPDX-License-Identifier: GPL-2.0
// The checker interface. Each property an execution is checked for (sim/execution.h
// lists them) is decided by one small class, in a file named after it
// (`*_check.h`), told of the events it judges and reporting through Verdicts. The
// execution holds a fixed list of them (sim/checks.h) and calls each directly, with
// no virtual call per access. Two properties stay with the scheduler, because the
// scheduler alone sees them: `deadlock` (no thread can run) and `rcu` (an unlock
// without a lock).
#pragma once

#include <concepts>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "model/target.h"
#include "scenario/scenario_runner.h"
#include "sim/shadow_memory.h"
#include "sim/verdicts.h"
#include "sim/workload.h"

namespace mprogsim::sim {

// The control path's progress, for the snapshot property and the state hash: steps
// begun and ended, and each step's linearization point (its first write of the
// published pointer or of a slot of the published entry) as 1 + the number of
// steps the control path had performed then (1: before the first choice); 0 while
// it has none. published_c[0] is unused (state 0 needs no step).
struct ControlProgress {
  std::vector<std::uint32_t> published_c;
  std::size_t begun = 0;
  std::size_t ended = 0;

  // How many steps' linearization points happen at or before control step x.
  std::uint64_t published_rank(std::uint32_t x) const {
    std::uint64_t rank = 0;
    for (std::size_t j = 1; j < published_c.size(); j++) {
      if (published_c[j] && published_c[j] - 1 <= x) rank++;
    }
    return rank;
  }
};

// A reader pass, judged at its end.
struct PassToJudge {
  ThreadId reader = kNoThread;
  std::uint32_t pass = 0;
  std::span<const u32> ran;  // the list it saw
  std::uint32_t load_c = 0;  // control steps that happen before the pass loaded the pointer
  std::uint32_t end_c = 0;   // ... before its last step
  std::uint64_t start = 0;   // schedule steps, for the evidence
  std::uint64_t end = 0;
};

// What every checker may read, and where it reports. Owned by the execution.
struct CheckContext {
  const Workload& workload;
  const Reference& reference;
  SimTarget& target;
  ShadowMemory& shadow;
  const ControlProgress& progress;
  Verdicts& verdicts;
};

// The events. A checker hides the ones it judges; the others do nothing.
class Check {
 public:
  explicit Check(const CheckContext& cx) : cx_(cx) {}

  // A scheduled access or free has been performed (or one made by an RCU
  // callback). Called for every access: keep it cheap.
  void on_access(ThreadId, const Transition&) {}
  // Control step k (from 0) begins / has ended with `report`.
  void on_step_begin(std::size_t) {}
  void on_step_end(std::size_t, const Step&, const StepReport&) {}
  // A reader pass has ended.
  void on_pass_end(const PassToJudge&) {}
  // All threads finished and every callback run; true if it reported a violation
  // (the later checks are then skipped: one violation at quiescence).
  bool on_quiescence() { return false; }
  // The model reports: WARN_ON_ONCE, an access past one of its fixed arrays.
  void on_warn(ThreadId, const std::string&) {}
  void on_out_of_bounds(ThreadId, const std::string&) {}

 protected:
  CheckContext cx_;
};

template <typename T>
concept Checker = std::derived_from<T, Check> && std::constructible_from<T, const CheckContext&>;

}  // namespace mprogsim::sim
