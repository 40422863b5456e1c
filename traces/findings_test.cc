// SPDX-License-Identifier: GPL-2.0
// Known findings: the classifier names upstream's replace mix and nothing else (a
// torn peer rewrite, v2, a list not made of in-place replaces), the option values
// parse, and a campaign that meets an allowed finding goes on, counts it and keeps a
// first occurrence that replays to the violation.
#include "sim/findings.h"

#include <gtest/gtest.h>

#include "scenario/scenario.h"
#include "sim/campaign.h"
#include "traces/trace_replay.h"

namespace mprogsim::sim {
namespace {

using Lists = std::vector<std::vector<u32>>;

TEST(ClassifySnapshot, NamesTheUpstreamReplaceMix) {
  // [P1 P2] -> replace P1 by P3 -> replace P2 by P4: slot 0 before, slot 1 after.
  const Lists window = {{1, 2}, {3, 2}, {3, 4}};
  EXPECT_EQ(classify_snapshot(Semantics::kUpstream, {1, 4}, window), "upstream-replace-mix");
  // The same program twice: P1 moved from slot 0 to slot 1 by two replaces.
  EXPECT_EQ(classify_snapshot(Semantics::kUpstream, {1, 1}, {{1, 2}, {3, 2}, {3, 1}}),
            "upstream-replace-mix");
  // A step that changes nothing (a query) inside the run of replaces.
  EXPECT_EQ(classify_snapshot(Semantics::kUpstream, {1, 4}, {{1, 2}, {3, 2}, {3, 2}, {3, 4}}),
            "upstream-replace-mix");
}

TEST(ClassifySnapshot, OnlyOnUpstream) {
  // v2 waits for a grace period after every replace: the same picture is a bug there
  // (commit-no-sync).
  EXPECT_EQ(classify_snapshot(Semantics::kV2, {1, 4}, {{1, 2}, {3, 2}, {3, 4}}), "");
}

TEST(ClassifySnapshot, NotATornPeerRewrite) {
  // A reader on an entry that a later delete rewrites: an insert and a delete in the
  // window, lists of other lengths; [P1 P3] is no slot-wise mix of replaces.
  EXPECT_EQ(classify_snapshot(Semantics::kUpstream, {1, 3}, {{1, 2}, {1, 2, 3}, {2, 3}}), "");
  // A list no state had in any slot order: later slot from an earlier state.
  EXPECT_EQ(classify_snapshot(Semantics::kUpstream, {3, 2}, {{1, 2}, {1, 4}, {3, 4}}), "");
  // An empty pass while programs were attached.
  EXPECT_EQ(classify_snapshot(Semantics::kUpstream, {}, {{1, 2}, {3, 2}}), "");
  // A shorter list than the states (a pass cut short).
  EXPECT_EQ(classify_snapshot(Semantics::kUpstream, {1}, {{1, 2}, {3, 2}}), "");
  // A single state: nothing to mix.
  EXPECT_EQ(classify_snapshot(Semantics::kUpstream, {1, 4}, {{1, 2}}), "");
  // Two replaces of one slot are one slot apart each, but the mix needs the slot's
  // value from some state of the run.
  EXPECT_EQ(classify_snapshot(Semantics::kUpstream, {5, 2}, {{1, 2}, {3, 2}, {4, 2}}), "");
}

TEST(FindingPolicy, Parses) {
  std::string error;
  EXPECT_TRUE(FindingPolicy::parse({"all"}, &error)->allows("upstream-replace-mix"));
  EXPECT_FALSE(FindingPolicy::parse({"none"}, &error)->allows("static-key-leak"));
  const auto some = FindingPolicy::parse({"static-key-leak", "upstream-replace-mix"}, &error);
  ASSERT_TRUE(some);
  EXPECT_TRUE(some->allows("upstream-replace-mix"));
  EXPECT_FALSE(some->allows("estale-at-high-revision"));
  EXPECT_EQ(some->describe(), "static-key-leak,upstream-replace-mix");
  EXPECT_FALSE(FindingPolicy::parse({"no-such-finding"}, &error));
  EXPECT_NE(error.find("unknown finding 'no-such-finding'"), std::string::npos) << error;
  EXPECT_FALSE(FindingPolicy::parse({"all", "static-key-leak"}, &error));
}

TEST(FindingPolicy, EveryFindingIsNamedOnce) {
  std::set<std::string_view> names;
  for (const KnownFinding& f : known_findings()) {
    EXPECT_TRUE(names.insert(f.name).second) << f.name;
    EXPECT_EQ(find_known_finding(f.name), &f);
  }
  EXPECT_EQ(find_known_finding("nope"), nullptr);
}

// The issue's workload: two programs attached, then each replaced, one reader pass.
Workload replace_mix() {
  const auto scenarios = parse_scenarios(R"({"name": "replace mix", "semantics": "upstream",
    "steps": [{"op": "load", "prog": "P1"}, {"op": "load", "prog": "P2"},
              {"op": "load", "prog": "P3"}, {"op": "load", "prog": "P4"},
              {"op": "attach", "prog": "P1"}, {"op": "attach", "prog": "P2"},
              {"op": "attach", "prog": "P3", "replace": "P1"},
              {"op": "attach", "prog": "P4", "replace": "P2"}]})");
  Workload w;
  w.scenario = scenarios.at(0);
  w.readers = 1;
  w.passes = 1;
  return w;
}

CampaignOptions exhaustive(const Workload& w, FindingPolicy allowed) {
  CampaignOptions o;
  o.strategy.kind = "dfs";
  o.strategy.preemption_bound = 3;
  o.workload = w;
  o.allowed_findings = std::move(allowed);
  return o;
}

TEST(CampaignFindings, NotAllowedItIsAViolationThatSaysWhichFinding) {
  const CampaignResult r = run_campaign(exhaustive(replace_mix(), FindingPolicy::none()));
  ASSERT_TRUE(r.failure);
  EXPECT_EQ(r.failure->violation->property, "snapshot");
  EXPECT_EQ(r.failure->violation->finding, "upstream-replace-mix");
  EXPECT_TRUE(r.findings.empty());
}

TEST(CampaignFindings, AllowedTheSearchGoesOnAndKeepsATraceThatReplays) {
  const CampaignResult r = run_campaign(exhaustive(replace_mix(), FindingPolicy::all()));
  EXPECT_FALSE(r.failure);
  EXPECT_TRUE(r.source_exhausted) << "the bounded tree was explored to its end";
  ASSERT_EQ(r.findings.size(), 1U);
  const FindingMet& m = r.findings[0];
  EXPECT_EQ(m.name, "upstream-replace-mix");
  EXPECT_GE(m.executions, 1U);
  ASSERT_TRUE(m.first.violation);
  EXPECT_EQ(m.first.violation->finding, "upstream-replace-mix");
  const Trace trace =
      parse_trace(write_trace(trace_of(m.workload, m.first, TraceOrigin{"dfs", 1, 0, 3, 0})));
  const ReplayResult replay = replay_trace(trace, false);
  EXPECT_TRUE(replay.reproduced) << replay.difference;
  ASSERT_TRUE(replay.execution.violation);
  EXPECT_EQ(replay.execution.violation->finding, "upstream-replace-mix");
}

TEST(CampaignFindings, V2HasNoReplaceMix) {
  // v2's bpf_mprog_commit waits for readers after each replace: no pass spans two.
  Workload w = replace_mix();
  w.scenario.semantics = Semantics::kV2;
  const CampaignResult r = run_campaign(exhaustive(w, FindingPolicy::none()));
  EXPECT_FALSE(r.failure) << r.failure->violation->message;
  EXPECT_TRUE(r.source_exhausted);
}

}  // namespace
}  // namespace mprogsim::sim
