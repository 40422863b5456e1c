// SPDX-License-Identifier: GPL-2.0
// Trace files (docs/trace-format.md): a scenario (the control path's steps) plus
// everything else one simulated execution needs to happen again exactly: the
// mutant, the readers and their passes, the strategy that found it, the schedule
// (which thread ran at every step, RCU callback runs included), and the outcome
// (which property failed at which step, with the evidence). A scenario file is a
// trace with no readers and no schedule; the reader is as strict as the scenario
// reader: any unknown field, bad value or impossible thread is an error with a
// JSON path.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "scenario/scenario.h"
#include "sim/transition.h"

namespace mprogsim {

inline constexpr const char* kTraceFormat = "mprogsim-trace";
inline constexpr int kTraceVersion = 1;
// Limits (README, "Reliability"): readers are at most sim::kMaxReaders; passes per
// reader as `check --passes`; the schedule's total length in steps.
inline constexpr std::uint64_t kMaxTracePasses = 1000;
inline constexpr std::uint64_t kMaxScheduleSteps = 5'000'000;

struct TraceOrigin {
  std::string strategy;  // random | pct | dfs | shrink | hand
  std::uint64_t seed = 0;
  std::uint32_t pct_depth = 0;
  std::uint32_t preemption_bound = 0;
  std::uint64_t execution = 0;  // index within its campaign
};

struct TraceOutcome {
  bool violation = false;  // false: the execution passed every property
  std::string property;
  std::uint64_t step = 0;
  std::string thread;  // "C", "R1", "rcu", or "" when detected at quiescence
  std::string message;
  std::vector<std::pair<std::string, std::string>> evidence;
};

struct Trace {
  Scenario scenario;
  std::string mutant = "none";
  std::uint32_t readers = 0;
  std::uint32_t passes = 0;
  std::uint32_t start_readers_after = 0;  // readers start after this many control steps
  std::optional<TraceOrigin> origin;
  std::vector<sim::ThreadId> schedule;
  std::optional<TraceOutcome> outcome;
};

// Whether the JSON text's top level declares the trace format.
[[nodiscard]] bool looks_like_trace(const std::string& text);
// Throws ScenarioError with a JSON path for anything malformed.
[[nodiscard]] Trace parse_trace(const std::string& text);
[[nodiscard]] std::string write_trace(const Trace& trace);

// The schedule in its file form: runs of one thread, "C*12 R1*3 rcu".
[[nodiscard]] std::string schedule_text(const std::vector<sim::ThreadId>& schedule);

// Where schedule entry `index` (0-based, counted in steps) is written in the
// file: "$.schedule[3]", the run that holds it; "$.schedule" past the end.
[[nodiscard]] std::string schedule_entry_path(const std::vector<sim::ThreadId>& schedule,
                                              std::uint64_t index);

}  // namespace mprogsim
