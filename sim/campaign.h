// SPDX-License-Identifier: GPL-2.0
// A campaign: many executions under one strategy until a violation, the execution
// budget, the time budget, or the end of its workloads. Workloads are drawn at
// random (sim/workload_gen.h), fixed (one workload), or given by a source (the
// enumerated ones, sim/enumerate.h). Random and PCT run `schedules_per_workload`
// executions per workload; the exhaustive strategies (dfs, dpor) explore one workload
// until its tree is exhausted, then the next. Everything but the time budget is a
// pure function of the options: same options, same executions, same result.
//
// Known findings (sim/findings.h) the options allow do not stop the campaign: each is
// counted, and its first occurrence is kept as a violation that replays.
//
// The unit of work is a workload: workload w (0-based, in the order drawn or given)
// runs executions w * schedules_per_workload ... under random and PCT (each
// execution's schedule is a pure function of the seed and its index), or its whole
// tree under dfs and dpor. Workloads run on `jobs` threads and their results are
// merged in workload order, so the result does not depend on `jobs`; `shard_count`
// > 1 runs only the workloads w with w % shard_count == shard_index, so that shards
// run apart can be merged into the unsharded result. An execution is named by its
// workload and its index within that workload (ExecutionId).
//
// With `stop_at_first` the campaign ends at the first violation (in workload order);
// without, it runs on and groups violations by property and location
// (violation_location), keeping the first execution of each group.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "sim/distinct_states.h"
#include "sim/execution.h"
#include "sim/findings.h"
#include "sim/strategy.h"
#include "sim/workload_gen.h"

namespace mprogsim::sim {

// The next workload of a finite series, or nullopt after the last one.
using WorkloadSource = std::function<std::optional<Workload>()>;

struct CampaignOptions {
  StrategyOptions strategy;
  WorkloadShape shape;
  std::uint64_t executions = 100000;
  double time_budget_s = 0;  // 0: none
  std::uint32_t schedules_per_workload = 8;
  std::optional<Workload> workload;  // fixed workload instead of drawn ones
  WorkloadSource source;             // a series of workloads instead of drawn ones
  FindingPolicy allowed_findings = FindingPolicy::none();
  unsigned jobs = 1;              // worker threads (1: the caller's thread)
  std::uint64_t shard_index = 0;  // 0-based
  std::uint64_t shard_count = 1;
  bool stop_at_first = true;
  // Set (by a SIGINT handler) to stop early: the result says `interrupted`.
  const std::atomic<bool>* interrupt = nullptr;
};

// Which execution: the workload (0-based, over all shards) and the execution within
// it (0-based). Ordered as the unsharded campaign runs them.
struct ExecutionId {
  std::uint64_t workload = 0;
  std::uint64_t execution = 0;
  auto operator<=>(const ExecutionId&) const = default;
};

// Where a violation shows, to group the many executions that show one bug: the
// property and the location it names (the field accessed, the operation that
// differs, the warning), with object instances and numbers left out.
[[nodiscard]] std::string violation_location(const Violation& violation, const Workload& workload);

// The executions that violated one property at one location.
struct ViolationGroup {
  std::string property;
  std::string location;
  std::uint64_t executions = 0;       // executions that showed it
  ExecutionId first_id;               // the first of them
  std::uint64_t first_execution = 0;  // its campaign index (this run's own count)
  Workload workload;                  // the first one's workload
  ExecutionResult first;              // the first one, stopped at the violation
};

struct Progress {
  std::uint64_t executions = 0;
  std::uint64_t steps = 0;
  std::uint64_t violations = 0;
  double distinct_states = 0;
  double elapsed_s = 0;
  std::uint64_t workloads = 0;
};

// A known finding met by the campaign and let pass.
struct FindingMet {
  std::string name;
  std::uint64_t executions = 0;       // executions that met it
  std::uint64_t first_execution = 0;  // campaign index of the first
  ExecutionId first_id;
  Workload workload;  // the first one's workload
  // The first one re-executed under its schedule with the finding not allowed: it
  // stops there, so its trace replays to this violation.
  ExecutionResult first;
};

struct CampaignResult {
  std::uint64_t executions = 0;  // run to the end or to a violation
  std::uint64_t abandoned = 0;   // DFS branches cut by sleep sets
  std::uint64_t steps = 0;
  std::uint64_t workloads = 0;
  std::uint64_t workloads_exhausted = 0;  // exhaustive strategies: trees fully explored
  bool source_exhausted = false;          // every workload of the source was run to its end
  std::uint64_t dpor_anomalies = 0;       // DPOR: races it could not reverse (incomplete)
  std::uint64_t cached_cuts = 0;          // DPOR: executions stopped at a state explored before
  double distinct_states = 0;
  bool stopped_by_time = false;
  std::string error;  // a bad workload or an internal failure
  // The first violation, with what it takes to reproduce it.
  std::optional<ExecutionResult> failure;
  std::optional<Workload> failing_workload;
  std::uint64_t failing_execution = 0;
  std::vector<FindingMet> findings;  // in the order first met
  // Every violation group, in the order first met (stop_at_first: the one above).
  std::vector<ViolationGroup> violations;
  bool interrupted = false;  // options.interrupt was set
  // dfs, dpor: the first workload whose tree was not explored to its end (a
  // violation, a budget), or the number of workloads run when there is none.
  std::uint64_t first_unfinished_workload = 0;
  DistinctStates states;  // the sketch behind distinct_states, for merging
};

// Whether a strategy explores each workload's tree to its end (dfs, dpor).
[[nodiscard]] bool exhaustive_strategy(const std::string& kind);

[[nodiscard]] CampaignResult run_campaign(
    const CampaignOptions& options, const std::function<void(const Progress&)>& progress = {});

}  // namespace mprogsim::sim
