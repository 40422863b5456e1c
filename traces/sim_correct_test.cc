// SPDX-License-Identifier: GPL-2.0
// The correct v2 model under the simulator: random and PCT campaigns of mixed
// workloads find nothing, the bounded exhaustive search of small workloads finds
// nothing and ends, and everything is a function of the options.
#include <gtest/gtest.h>

#include "scenario/scenario.h"
#include "sim/campaign.h"
#include "sim/dfs_strategy.h"
#include "traces/trace.h"
#include "traces/trace_replay.h"

namespace mprogsim::sim {
namespace {

std::string describe(const CampaignResult& r) {
  if (!r.error.empty()) return "error: " + r.error;
  if (!r.failure) return "no violation";
  return r.failure->violation->property + ": " + r.failure->violation->message + "\n" +
         write_trace(trace_of(*r.failing_workload, *r.failure, TraceOrigin{}));
}

TEST(CorrectModel, PassesRandomCampaign) {
  CampaignOptions options;
  options.executions = 20000;
  const CampaignResult r = run_campaign(options);
  EXPECT_FALSE(r.failure) << describe(r);
  EXPECT_TRUE(r.error.empty()) << r.error;
  EXPECT_EQ(r.executions, 20000U);
}

TEST(CorrectModel, PassesPctCampaign) {
  CampaignOptions options;
  options.strategy.kind = "pct";
  options.strategy.seed = 2;
  options.shape.readers = 3;
  options.executions = 20000;
  const CampaignResult r = run_campaign(options);
  EXPECT_FALSE(r.failure) << describe(r);
  EXPECT_EQ(r.executions, 20000U);
}

Workload small_workload(Mutant mutant) {
  const std::string text = R"({"name": "swap under readers", "semantics": "v2", "steps": [
    {"op": "load", "prog": "P1"}, {"op": "load", "prog": "P2"},
    {"op": "attach", "prog": "P1"},
    {"op": "attach", "prog": "P2", "flags": ["BEFORE"], "relative": {"kind": "prog", "name": "P1", "by": "fd"}},
    {"op": "prog_close", "prog": "P1"},
    {"op": "detach", "prog": null, "flags": ["LAST"]}]})";
  Workload w;
  w.scenario = parse_scenarios(text).at(0);
  w.readers = 1;
  w.passes = 1;
  w.mutant = mutant;
  return w;
}

CampaignOptions dfs(const Workload& w, bool sleep_sets, u32 bound) {
  CampaignOptions options;
  options.strategy.kind = "dfs";
  options.strategy.preemption_bound = bound;
  options.strategy.sleep_sets = sleep_sets;
  options.workload = w;
  options.executions = 2'000'000;
  return options;
}

TEST(CorrectModel, ExhaustiveSearchOfASmallBoundEnds) {
  const CampaignResult with = run_campaign(dfs(small_workload(Mutant::kNone), true, 2));
  EXPECT_FALSE(with.failure) << describe(with);
  EXPECT_EQ(with.workloads_exhausted, 1U);
  const CampaignResult without = run_campaign(dfs(small_workload(Mutant::kNone), false, 2));
  EXPECT_FALSE(without.failure) << describe(without);
  EXPECT_EQ(without.workloads_exhausted, 1U);
  // Sleep sets only cut executions that reorder independent steps.
  EXPECT_LT(with.executions, without.executions);
  std::cout << "dfs bound 2: " << with.executions << " executions (+" << with.abandoned
            << " cut) with sleep sets, " << without.executions << " without\n";
}

TEST(BrokenModel, ExhaustiveSearchFindsCommitWithoutSync) {
  // The reader must start after the first swap, stop after loading the entry, and
  // look again between the clear and the rewrite of that entry: three preemptions.
  const CampaignResult r = run_campaign(dfs(small_workload(Mutant::kCommitNoSync), true, 3));
  ASSERT_TRUE(r.failure);
  EXPECT_EQ(r.failure->violation->property, "snapshot");
}

TEST(Determinism, SameOptionsSameTraceBytes) {
  CampaignOptions options;
  options.shape.mutant = Mutant::kCommitNoSync;
  options.executions = 100000;
  const CampaignResult a = run_campaign(options);
  const CampaignResult b = run_campaign(options);
  ASSERT_TRUE(a.failure && b.failure);
  EXPECT_EQ(a.failing_execution, b.failing_execution);
  EXPECT_EQ(a.steps, b.steps);
  EXPECT_EQ(a.distinct_states, b.distinct_states);
  const TraceOrigin origin{"random", 1, 0, 0, a.failing_execution};
  EXPECT_EQ(write_trace(trace_of(*a.failing_workload, *a.failure, origin)),
            write_trace(trace_of(*b.failing_workload, *b.failure, origin)));
}

TEST(Determinism, PassingCampaignsRepeat) {
  for (const char* kind : {"random", "pct", "dfs"}) {
    CampaignOptions options;
    options.strategy.kind = kind;
    options.executions = 3000;
    const CampaignResult a = run_campaign(options);
    const CampaignResult b = run_campaign(options);
    EXPECT_EQ(a.executions, b.executions) << kind;
    EXPECT_EQ(a.steps, b.steps) << kind;
    EXPECT_EQ(a.distinct_states, b.distinct_states) << kind;
  }
}

}  // namespace
}  // namespace mprogsim::sim
