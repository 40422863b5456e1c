// SPDX-License-Identifier: GPL-2.0
// Shrinking a failing trace (`mprogsim shrink`): smaller candidates are tried one
// at a time and kept while the same property still fails (the step at which it is
// detected may move). Candidates drop control steps, readers and passes, and cut
// the schedule down to fewer preemptions. They run with lenient replay (schedule
// entries naming a thread that cannot run are skipped), and a kept candidate
// records the schedule it actually executed, so the result replays strictly.
//
// Every candidate is ordered by a size (see TraceSize) and is kept only if it is
// strictly smaller, so shrinking ends; it is a pure function of the input trace.
#pragma once

#include <cstdint>
#include <string>
#include <tuple>

#include "sim/execution.h"
#include "traces/trace.h"

namespace mprogsim::sim {

struct TraceSize {
  std::uint64_t control_steps = 0;
  std::uint64_t readers = 0;
  std::uint64_t passes = 0;
  std::uint64_t arguments = 0;       // flags, relatives and expected revisions in the steps
  std::uint64_t preemptions = 0;     // of the execution
  std::uint64_t schedule_steps = 0;  // of the execution, up to the violation

  // Lexicographic, most important first: what a reader of the trace has to
  // understand shrinks before how long the interleaving is.
  auto key() const {
    return std::tie(control_steps, readers, passes, arguments, preemptions, schedule_steps);
  }
  bool operator<(const TraceSize& o) const { return key() < o.key(); }
  bool operator<=(const TraceSize& o) const { return key() <= o.key(); }
  std::string text()
      const;  // "4 control steps, 1 reader x 1 pass, schedule 95 steps, 2 preemptions"
};

[[nodiscard]] TraceSize size_of(const Trace& trace, const ExecutionResult& result);

struct ShrinkOptions {
  std::uint64_t max_candidates = 20000;  // a bound on the work, never reached in practice
};

struct ShrinkResult {
  Trace trace;  // the shrunk trace: executed schedule and outcome of its strict replay
  TraceSize before;
  TraceSize after;
  std::uint64_t candidates = 0;  // executions tried
  std::uint64_t kept = 0;        // candidates that kept the failure and were smaller
};

// Shrinks `trace`, which must replay strictly with its recorded violation (the
// caller checks that first, with replay_trace). The result's origin strategy is
// "shrink"; seed and execution stay those of the trace it came from.
[[nodiscard]] ShrinkResult shrink_trace(const Trace& trace, const ShrinkOptions& options = {});

}  // namespace mprogsim::sim
