// SPDX-License-Identifier: GPL-2.0
// What `mprogsim check` writes for each concurrent mutant replays: the campaign's
// failing execution becomes a trace, goes through the file format, and runs
// again strictly with the same violation at the same step; on the correct model
// (lenient replay) the same workload passes.
#include <gtest/gtest.h>

#include <algorithm>

#include "sim/campaign.h"
#include "sim/trace_replay.h"

namespace mprogsim::sim {
namespace {

class CheckTraceReplays : public ::testing::TestWithParam<const char*> {};

TEST_P(CheckTraceReplays, StrictlyAndPassesOnTheCorrectModel) {
  CampaignOptions o;  // `mprogsim check --mutant M` with its defaults
  o.strategy.kind = "random";
  o.strategy.seed = 1;
  o.shape.mutant = *mutant_from_name(GetParam());
  o.executions = 200000;
  const CampaignResult r = run_campaign(o);
  ASSERT_TRUE(r.error.empty()) << r.error;
  ASSERT_TRUE(r.failure) << "the campaign did not find " << GetParam();
  const Trace written = trace_of(*r.failing_workload, *r.failure, {"random", 1, 0, 0, r.failing_execution});
  const Trace trace = parse_trace(write_trace(written));

  const ReplayResult again = replay_trace(trace, false);
  EXPECT_TRUE(again.reproduced) << again.difference;
  EXPECT_EQ(again.execution.schedule, r.failure->schedule);
  EXPECT_EQ(again.execution.violation->message, r.failure->violation->message);

  Trace correct = trace;
  correct.mutant = "none";
  correct.outcome = TraceOutcome{};
  const ReplayResult on_none = replay_trace(correct, false, true);
  EXPECT_TRUE(on_none.reproduced) << on_none.difference;
}

INSTANTIATE_TEST_SUITE_P(ConcurrentMutants, CheckTraceReplays,
                         ::testing::Values("commit-no-sync", "prog-put-frees-now",
                                           "publish-before-written", "del-puts-early",
                                           "reader-reloads-entry", "free-bundle-now",
                                           "reader-unlocks-early"),
                         [](const ::testing::TestParamInfo<const char*>& param) {
                           std::string name = param.param;
                           std::replace(name.begin(), name.end(), '-', '_');
                           return name;
                         });

}  // namespace
}  // namespace mprogsim::sim
