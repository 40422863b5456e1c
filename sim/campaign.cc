// SPDX-License-Identifier: GPL-2.0
#include "sim/campaign.h"

#include <chrono>

#include "sim/distinct_states.h"

namespace mprogsim::sim {

CampaignResult run_campaign(const CampaignOptions& options,
                            const std::function<void(const Progress&)>& progress) {
  CampaignResult result;
  // The clock only decides when to stop and when to report progress; it never
  // influences what an execution does.
  const auto started = std::chrono::steady_clock::now();
  auto elapsed = [&] {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  };
  const bool dfs = options.strategy.kind == "dfs";
  Rng workload_rng(options.strategy.seed ^ 0x3c6ef372fe94f82bULL);
  DistinctStates states;
  std::unique_ptr<Strategy> strategy = make_strategy(options.strategy);
  Workload workload;
  Reference reference;
  std::uint64_t on_this_workload = 0;
  double next_report = 0.25;

  auto new_workload = [&] {
    workload = options.workload ? *options.workload : draw_workload(workload_rng, options.shape);
    reference = compute_reference(workload);
    result.workloads++;
    on_this_workload = 0;
    if (dfs) strategy = make_strategy(options.strategy);
  };
  new_workload();
  if (!reference.error.empty()) {
    result.error = "bad workload: " + reference.error;
    return result;
  }

  bool need_new = false;
  for (std::uint64_t index = 0; index < options.executions; index++) {
    if (need_new || (!dfs && on_this_workload >= options.schedules_per_workload)) {
      new_workload();
      need_new = false;
    }
    if (!strategy->begin_execution(index)) break;
    ExecutionResult r = run_execution(workload, reference, *strategy, ExecutionOptions{}, &states);
    on_this_workload++;
    if (dfs && strategy->exhausted() && r.status != ExecutionResult::Status::kViolation) {
      result.workloads_exhausted++;
      if (options.workload) break;  // a fixed workload explored to the bound
      need_new = true;
    }
    result.steps += r.schedule.size();
    if (r.status == ExecutionResult::Status::kAbandoned) {
      result.abandoned++;
    } else {
      result.executions++;
    }
    if (r.status == ExecutionResult::Status::kBadWorkload ||
        r.status == ExecutionResult::Status::kBadSchedule) {
      result.error = r.error;
      break;
    }
    if (r.status == ExecutionResult::Status::kViolation) {
      result.failure = std::move(r);
      result.failing_workload = workload;
      result.failing_execution = index;
      break;
    }
    if (options.time_budget_s > 0 || progress) {
      const double t = elapsed();
      if (progress && t >= next_report) {
        next_report = t + 0.25;
        progress({result.executions, result.steps, 0, states.estimate(), t});
      }
      if (options.time_budget_s > 0 && t >= options.time_budget_s) {
        result.stopped_by_time = true;
        break;
      }
    }
  }
  result.distinct_states = states.estimate();
  return result;
}

}  // namespace mprogsim::sim
