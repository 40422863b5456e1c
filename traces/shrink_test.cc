// SPDX-License-Identifier: GPL-2.0
// Shrinking keeps the property failing, makes the trace smaller, gives a result
// that replays strictly, and is a pure function of its input.
#include "traces/shrink.h"

#include <gtest/gtest.h>

#include "sim/campaign.h"
#include "traces/trace_replay.h"

namespace mprogsim::sim {
namespace {

Trace failing_trace(const char* mutant) {
  CampaignOptions o;
  o.strategy.seed = 1;
  o.shape.mutant = *mutant_from_name(mutant);
  o.executions = 200000;
  const CampaignResult r = run_campaign(o);
  EXPECT_TRUE(r.failure) << mutant;
  return trace_of(*r.failing_workload, *r.failure, {"random", 1, 0, 0, r.failing_execution});
}

TEST(ShrinkTest, KeepsThePropertyAndReplaysStrictly) {
  for (const char* mutant : {"commit-no-sync", "free-bundle-now", "del-forgets-ref"}) {
    SCOPED_TRACE(mutant);
    const Trace input = failing_trace(mutant);
    const ShrinkResult r = shrink_trace(input);
    ASSERT_TRUE(r.trace.outcome && r.trace.outcome->violation);
    EXPECT_EQ(r.trace.outcome->property, input.outcome->property);
    EXPECT_LT(r.after, r.before);
    EXPECT_LE(r.after.control_steps, 6U);
    EXPECT_EQ(r.trace.origin->strategy, "shrink");
    const ReplayResult again = replay_trace(parse_trace(write_trace(r.trace)), false);
    EXPECT_TRUE(again.reproduced) << again.difference;
    // Names follow the model's ids: the first program loaded is P1.
    for (const Step& step : r.trace.scenario.steps) {
      if (step.op != StepOp::kLoad) continue;
      EXPECT_EQ(step.prog.value_or(""), "P1");
      break;
    }
  }
}

TEST(ShrinkTest, IsDeterministic) {
  const Trace input = failing_trace("prog-put-frees-now");
  EXPECT_EQ(write_trace(shrink_trace(input).trace), write_trace(shrink_trace(input).trace));
}

TEST(ShrinkTest, AShrunkTraceIsAFixedPoint) {
  const ShrinkResult once = shrink_trace(failing_trace("free-bundle-now"));
  const ShrinkResult twice = shrink_trace(once.trace);
  EXPECT_EQ(twice.after.key(), once.after.key());
}

}  // namespace
}  // namespace mprogsim::sim
