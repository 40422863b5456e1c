// SPDX-License-Identifier: GPL-2.0
// A campaign: many executions under one strategy until a violation, the execution
// budget, the time budget, or (DFS) the end of the bounded tree. Random and PCT
// draw a fresh workload every `schedules_per_workload` executions; DFS explores one
// workload exhaustively, then the next. Everything but the time budget is a pure
// function of the options: same options, same executions, same result.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "sim/execution.h"
#include "sim/strategy.h"
#include "sim/workload_gen.h"

namespace mprogsim::sim {

struct CampaignOptions {
  StrategyOptions strategy;
  WorkloadShape shape;
  std::uint64_t executions = 100000;
  double time_budget_s = 0;  // 0: none
  std::uint32_t schedules_per_workload = 8;
  std::optional<Workload> workload;  // fixed workload instead of drawn ones
};

struct Progress {
  std::uint64_t executions = 0;
  std::uint64_t steps = 0;
  std::uint64_t violations = 0;
  double distinct_states = 0;
  double elapsed_s = 0;
};

struct CampaignResult {
  std::uint64_t executions = 0;  // run to the end or to a violation
  std::uint64_t abandoned = 0;   // DFS branches cut by sleep sets
  std::uint64_t steps = 0;
  std::uint64_t workloads = 0;
  std::uint64_t workloads_exhausted = 0;  // DFS: bounded trees fully explored
  double distinct_states = 0;
  bool stopped_by_time = false;
  std::string error;  // a bad workload or an internal failure
  // The first violation, with what it takes to reproduce it.
  std::optional<ExecutionResult> failure;
  std::optional<Workload> failing_workload;
  std::uint64_t failing_execution = 0;
};

CampaignResult run_campaign(const CampaignOptions& options,
                            const std::function<void(const Progress&)>& progress = {});

}  // namespace mprogsim::sim
