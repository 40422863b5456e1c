// SPDX-License-Identifier: GPL-2.0
// Between simulator runs and trace files: a failing execution becomes a Trace, and
// a Trace runs again, exactly, by following its recorded schedule.
#pragma once

#include <string>

#include "sim/execution.h"
#include "traces/trace.h"

namespace mprogsim::sim {

// Throws ScenarioError for an unknown mutant or one the trace's variant cannot show.
[[nodiscard]] Workload workload_of(const Trace& trace);

[[nodiscard]] Trace trace_of(const Workload& workload, const ExecutionResult& result,
                             const TraceOrigin& origin);

struct ReplayResult {
  ExecutionResult execution;
  bool reproduced = false;  // the recorded outcome happened again, at the same step
  std::string difference;   // when not reproduced: how the run differs
};

// Recording every event (--explain, --dot, shrinking) costs about 3 KB per step
// (measured: 660,000 steps of 8 readers x 1000 passes took 2.0 GB with --explain,
// 2.3 GB with --dot): a recorded execution stops past this many steps (exit 2), about
// 300 MB; an unrecorded one at ExecutionOptions::max_steps.
inline constexpr std::uint64_t kMaxRecordedSteps = 100'000;

// Re-executes the trace. A bad schedule or workload is reported in
// execution.status / execution.error (the caller exits 2).
// `lenient`: skip schedule entries naming a thread that cannot run (see
// ReplayStrategy) instead of reporting a bad schedule.
[[nodiscard]] ReplayResult replay_trace(const Trace& trace, bool record_events,
                                        bool lenient = false);

}  // namespace mprogsim::sim
