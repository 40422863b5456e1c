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
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

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
  Workload workload;                  // the first one's workload
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
};

// Whether a strategy explores each workload's tree to its end (dfs, dpor).
bool exhaustive_strategy(const std::string& kind);

CampaignResult run_campaign(const CampaignOptions& options,
                            const std::function<void(const Progress&)>& progress = {});

}  // namespace mprogsim::sim
