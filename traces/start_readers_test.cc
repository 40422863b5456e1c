// SPDX-License-Identifier: GPL-2.0
// --start-readers-after K: under every strategy, no reader takes a step before the
// control path has ended its K-th step, and a trace that records K replays.
#include <gtest/gtest.h>

#include "scenario/scenario.h"
#include "sim/campaign.h"
#include "sim/execution.h"
#include "traces/trace.h"
#include "traces/trace_replay.h"

namespace mprogsim::sim {
namespace {

Workload spin_like(u32 start_after) {
  // Spin's initial state: P1 and P2 attached before the readers start.
  const std::string text = R"({"name": "b1-like", "semantics": "v2", "steps": [
    {"op": "load", "prog": "P1"}, {"op": "load", "prog": "P2"}, {"op": "load", "prog": "P3"},
    {"op": "attach", "prog": "P1"}, {"op": "attach", "prog": "P2"},
    {"op": "attach", "prog": "P3"}, {"op": "detach", "prog": "P1"}]})";
  Workload w;
  w.scenario = parse_scenarios(text).at(0);
  w.readers = 2;
  w.passes = 1;
  w.start_readers_after = start_after;
  return w;
}

// Where in the execution's story the control path ended step k, and where a
// reader first did anything but wait: events are logged in the order they happen.
std::size_t end_of_step(const ExecutionResult& r, std::uint64_t k) {
  for (std::size_t i = 0; i < r.events.size(); i++) {
    if (r.events[i].kind == EventKind::kStepEnd && r.events[i].index == k) return i;
  }
  ADD_FAILURE() << "step " << k << " never ended";
  return 0;
}
std::size_t first_reader_step(const ExecutionResult& r) {
  for (std::size_t i = 0; i < r.events.size(); i++) {
    const ThreadId t = r.events[i].thread;
    if (t != kControlThread && t != kRcuThread && r.events[i].kind != EventKind::kPassBegin)
      return i;
  }
  return r.events.size();
}

TEST(StartReadersAfter, NoReaderStepBeforeTheSetupEnds) {
  const Workload w = spin_like(5);
  const Reference ref = compute_reference(w);
  for (const char* kind : {"random", "pct", "dfs", "dpor"}) {
    StrategyOptions so;
    so.kind = kind;
    so.preemption_bound = 3;
    auto strategy = make_strategy(so);
    ExecutionOptions eo;
    eo.record_events = true;
    std::uint64_t readers_ran = 0;
    for (std::uint64_t i = 0; i < 300 && strategy->begin_execution(i); i++) {
      const ExecutionResult r = run_execution(w, ref, *strategy, eo);
      if (r.status == ExecutionResult::Status::kAbandoned) continue;  // cut by sleep sets
      ASSERT_EQ(r.status, ExecutionResult::Status::kPassed) << kind;
      const std::size_t first = first_reader_step(r);
      EXPECT_GT(first, end_of_step(r, 5)) << kind << " execution " << i;
      if (first < r.events.size()) readers_ran++;
    }
    EXPECT_GT(readers_ran, 0U) << kind;
  }
}

TEST(StartReadersAfter, MoreThanTheStepsStartsThemAtTheEnd) {
  const Workload w = spin_like(100);
  const Reference ref = compute_reference(w);
  ReplayStrategy strategy({}, false);
  strategy.begin_execution(0);
  ExecutionOptions eo;
  eo.record_events = true;
  const ExecutionResult r = run_execution(w, ref, strategy, eo);
  ASSERT_EQ(r.status, ExecutionResult::Status::kPassed);
  EXPECT_GT(first_reader_step(r), end_of_step(r, w.scenario.steps.size()));
  EXPECT_LT(first_reader_step(r), r.events.size());
}

TEST(StartReadersAfter, RecordedInTracesThatReplay) {
  Workload w = spin_like(5);
  w.mutant = Mutant::kCommitNoSync;
  CampaignOptions options;
  options.workload = w;
  options.executions = 200000;
  const CampaignResult r = run_campaign(options);
  ASSERT_TRUE(r.failure) << "commit-no-sync not found with the readers started after step 5";
  const Trace trace = parse_trace(write_trace(trace_of(*r.failing_workload, *r.failure, {})));
  EXPECT_EQ(trace.start_readers_after, 5U);
  EXPECT_TRUE(replay_trace(trace, false).reproduced);
}

}  // namespace
}  // namespace mprogsim::sim
