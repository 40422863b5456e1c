// SPDX-License-Identifier: GPL-2.0
#include "sim/campaign.h"

#include <algorithm>
#include <chrono>
#include <set>

#include "sim/distinct_states.h"
#include "sim/dpor_strategy.h"

namespace mprogsim::sim {
namespace {

// The execution that met `name` first, again under its own schedule, with every
// finding but this one still allowed: it stops at the finding, as a violation.
ExecutionResult rerun_until(const Workload& workload, const Reference& reference,
                            const ExecutionResult& met, const std::string& name,
                            const FindingPolicy& allowed) {
  std::vector<std::string> others;
  for (const KnownFinding& f : known_findings()) {
    if (f.name != name && allowed.allows(f.name)) others.emplace_back(f.name);
  }
  std::string ignored;
  const FindingPolicy policy =
      others.empty() ? FindingPolicy::none() : *FindingPolicy::parse(others, &ignored);
  ReplayStrategy strategy(met.schedule);
  strategy.begin_execution(0);
  ExecutionOptions options;
  options.allowed_findings = &policy;
  return run_execution(workload, reference, strategy, options);
}

}  // namespace

bool exhaustive_strategy(const std::string& kind) { return kind == "dfs" || kind == "dpor"; }

CampaignResult run_campaign(const CampaignOptions& options,
                            const std::function<void(const Progress&)>& progress) {
  CampaignResult result;
  // The clock only decides when to stop and when to report progress; it never
  // influences what an execution does.
  const auto started = std::chrono::steady_clock::now();
  auto elapsed = [&] {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  };
  const bool exhaustive = exhaustive_strategy(options.strategy.kind);
  Rng workload_rng(options.strategy.seed ^ 0x3c6ef372fe94f82bULL);
  DistinctStates states;
  std::unique_ptr<Strategy> strategy = make_strategy(options.strategy);
  Workload workload;
  Reference reference;
  std::uint64_t on_this_workload = 0;
  double next_report = 0.25;
  ExecutionOptions execution_options;
  execution_options.allowed_findings = &options.allowed_findings;

  // False when the source has no workload left.
  auto new_workload = [&]() -> bool {
    if (options.source) {
      std::optional<Workload> w = options.source();
      if (!w) return false;
      workload = std::move(*w);
    } else {
      workload = options.workload ? *options.workload : draw_workload(workload_rng, options.shape);
    }
    reference = compute_reference(workload);
    result.workloads++;
    on_this_workload = 0;
    if (exhaustive) strategy = make_strategy(options.strategy);
    return true;
  };
  if (!new_workload()) {
    result.source_exhausted = true;
    return result;
  }

  bool need_new = false;
  for (std::uint64_t index = 0; index < options.executions; index++) {
    if (need_new || (!exhaustive && on_this_workload >= options.schedules_per_workload)) {
      if (!new_workload()) {
        result.source_exhausted = true;
        break;
      }
      need_new = false;
    }
    if (!reference.error.empty()) {
      result.error = "bad workload: " + reference.error;
      return result;
    }
    if (!strategy->begin_execution(index)) break;
    ExecutionResult r = run_execution(workload, reference, *strategy, execution_options, &states);
    on_this_workload++;
    std::set<std::string> met_here;
    for (const Violation& f : r.findings) {
      if (!met_here.insert(f.finding).second) continue;
      auto it = std::find_if(result.findings.begin(), result.findings.end(),
                             [&](const FindingMet& m) { return m.name == f.finding; });
      if (it == result.findings.end()) {
        FindingMet m;
        m.name = f.finding;
        m.first_execution = index;
        m.workload = workload;
        m.first = rerun_until(workload, reference, r, f.finding, options.allowed_findings);
        result.findings.push_back(std::move(m));
        it = result.findings.end() - 1;
      }
      it->executions++;
    }
    const bool tree_done =
        exhaustive && strategy->exhausted() && r.status != ExecutionResult::Status::kViolation;
    result.steps += r.schedule.size();
    const auto* dpor = dynamic_cast<const DporStrategy*>(strategy.get());
    if (r.status == ExecutionResult::Status::kAbandoned && dpor && dpor->cut_at()) {
      result.cached_cuts++;
    } else if (r.status == ExecutionResult::Status::kAbandoned) {
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
    if (tree_done) {
      result.workloads_exhausted++;
      if (dpor) result.dpor_anomalies += dpor->anomalies();
      if (options.workload) {  // a fixed workload explored to the end
        result.source_exhausted = true;
        break;
      }
      need_new = true;
    }
    if (options.time_budget_s > 0 || progress) {
      const double t = elapsed();
      if (progress && t >= next_report) {
        next_report = t + 0.25;
        progress({result.executions, result.steps, 0, states.estimate(), t, result.workloads});
      }
      if (options.time_budget_s > 0 && t >= options.time_budget_s) {
        result.stopped_by_time = true;
        break;
      }
    }
  }
  // The last workload of a source was finished just as the execution budget ran out.
  if (options.source && !result.source_exhausted && !result.failure && result.error.empty() &&
      !result.stopped_by_time &&
      (need_new || (!exhaustive && on_this_workload >= options.schedules_per_workload))) {
    result.source_exhausted = !options.source();
  }
  result.distinct_states = states.estimate();
  return result;
}

}  // namespace mprogsim::sim
