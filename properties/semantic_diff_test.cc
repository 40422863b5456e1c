// SPDX-License-Identifier: GPL-2.0
// The semantic diff (`mprogsim diff`): no difference between a variant and itself;
// a one-line mutant is reported with the shortest sequence that shows it (computed
// by hand below, and one step less finds nothing); v2 against upstream reports the
// errno, revision and FIRST/LAST kinds; every example replays on its own side.
#include "properties/semantic_diff.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "model/mutants.h"
#include "scenario/scenario_runner.h"

namespace mprogsim::properties {
namespace {

Variant variant(const std::string& text) {
  std::string error;
  const auto v = parse_variant(text, &error);
  EXPECT_TRUE(v) << error;
  return v.value_or(Variant{});
}

SemanticDiffOptions options(const std::string& a, const std::string& b, unsigned depth) {
  SemanticDiffOptions o;
  o.a = variant(a);
  o.b = variant(b);
  o.depth = depth;
  o.random = 0;
  return o;
}

const DiffExample* find_kind(const SemanticDiffResult& r, const std::string& kind) {
  for (const auto& d : r.differences) {
    if (d.kind == kind) return &d;
  }
  return nullptr;
}

std::vector<std::string> kinds(const SemanticDiffResult& r) {
  std::vector<std::string> out;
  for (const auto& d : r.differences) out.push_back(d.kind);
  return out;
}

// Runs `scenario` on a fresh system of its side: every expectation must hold.
void expect_replays(const Scenario& scenario, Mutant mutant) {
  // Through the file format, as `mprogsim replay` reads it.
  const auto parsed = parse_scenarios(write_scenario(scenario));
  ASSERT_EQ(parsed.size(), 1U);
  auto system = make_system(parsed[0].semantics, mutant);
  const ScenarioReport report = run_scenario(parsed[0], *system);
  EXPECT_EQ(report.failed, 0U) << scenario.name << "\n" << format_report(report);
}

TEST(SemanticDiff, AVariantAgainstItselfHasNoDifference) {
  for (const char* name : {"v2", "upstream"}) {
    SemanticDiffOptions o = options(name, name, 5);
    o.random = 200;
    const auto r = semantic_diff(o);
    EXPECT_TRUE(r.differences.empty()) << name << ": " << ::testing::PrintToString(kinds(r));
    EXPECT_GT(r.states, 100U);
    EXPECT_TRUE(r.bound_reached);
    EXPECT_EQ(r.random_sequences, 200U);
  }
}

// query-no-enospc: a short buffer returns 0 instead of -ENOSPC. It shows only when
// more programs are attached than the buffer has slots: two loads, two attaches and
// a query with a one-slot buffer, five steps; nothing shorter can show it.
TEST(SemanticDiff, QueryNoEnospcIsFoundWithTheShortestSequence) {
  const auto r = semantic_diff(options("v2", "v2+query-no-enospc", 5));
  ASSERT_EQ(kinds(r), std::vector<std::string>{"return code differs on query"});
  const DiffExample& d = r.differences[0];
  EXPECT_EQ(d.labels, (std::vector<std::string>{"load P1", "load P2", "attach P1", "attach P2",
                                                "query buffer 1"}));
  EXPECT_EQ(d.first_difference, 5U);
  EXPECT_FALSE(d.from_random);
  EXPECT_EQ(d.lines_a.back(), "ENOSPC count=2 revision=3 progs=[P1] links=[null] flags=[[]]");
  EXPECT_EQ(d.lines_b.back(), "OK count=2 revision=3 progs=[P1] links=[null] flags=[[]]");
  expect_replays(d.scenario_a, Mutant::kNone);
  expect_replays(d.scenario_b, Mutant::kQueryNoEnospc);

  EXPECT_TRUE(semantic_diff(options("v2", "v2+query-no-enospc", 4)).differences.empty());
}

// commit-keeps-zero: the bump from 0xffffffff lands on 0 instead of skipping it. With
// the initial-revision knob at 0xffffffff the first commit wraps: load, attach, query.
TEST(SemanticDiff, CommitKeepsZeroShowsAtTheWrap) {
  SemanticDiffOptions o = options("v2", "v2+commit-keeps-zero", 3);
  o.initial_revision = 0xffffffffULL;
  const auto r = semantic_diff(o);
  const DiffExample* d = find_kind(r, "revision differs on query");
  ASSERT_NE(d, nullptr) << ::testing::PrintToString(kinds(r));
  EXPECT_EQ(d->labels, (std::vector<std::string>{"load P1", "attach P1", "query full"}));
  EXPECT_EQ(d->first_difference, 3U);
  expect_replays(d->scenario_a, Mutant::kNone);
  expect_replays(d->scenario_b, Mutant::kCommitKeepsZero);

  o.depth = 2;
  EXPECT_TRUE(semantic_diff(o).differences.empty());
  // Without the knob the wrap is out of reach.
  EXPECT_TRUE(semantic_diff(options("v2", "v2+commit-keeps-zero", 4)).differences.empty());
}

// upstream-empty-detach-before: a detach without a program on an empty entry the qdisc
// holds succeeds. Two steps: the hold, the detach.
TEST(SemanticDiff, UpstreamEmptyDetachIsTwoSteps) {
  const auto r = semantic_diff(options("upstream", "upstream+upstream-empty-detach-before", 2));
  const DiffExample* d = find_kind(r, "return code differs on detach");
  ASSERT_NE(d, nullptr) << ::testing::PrintToString(kinds(r));
  EXPECT_EQ(d->labels, (std::vector<std::string>{"miniq_inc", "detach null"}));
  EXPECT_EQ(d->lines_a.back(), "ENOENT");
  // The mutant indexes slot -1: the model's bounds checks report it.
  EXPECT_TRUE(d->lines_b.back().starts_with("OK [out-of-bounds: bpf_mprog_read: fp_items["))
      << d->lines_b.back();
  EXPECT_TRUE(semantic_diff(options("upstream", "upstream+upstream-empty-detach-before", 1))
                  .differences.empty());
}

TEST(SemanticDiff, V2AgainstUpstreamReportsErrnoRevisionAndFlagKinds) {
  const auto r = semantic_diff(options("v2", "upstream", 4));
  // errno: v2 has no answer for a hook without an entry; upstream says count 0,
  // revision 1.
  const DiffExample* query = find_kind(r, "return code differs on query");
  ASSERT_NE(query, nullptr) << ::testing::PrintToString(kinds(r));
  EXPECT_EQ(query->labels, std::vector<std::string>{"query full"});
  EXPECT_EQ(query->lines_a[0], "ENOENT");
  // errno: v2 replaces a program with itself (a commit); upstream finds it attached.
  const DiffExample* attach = find_kind(r, "return code differs on attach");
  ASSERT_NE(attach, nullptr);
  EXPECT_EQ(attach->labels,
            (std::vector<std::string>{"load P1", "attach P1", "attach P1 REPLACE P1"}));
  EXPECT_EQ(attach->lines_a.back(), "OK");
  EXPECT_EQ(attach->lines_b.back(), "EEXIST");
  // revision: the consequence of that commit.
  const DiffExample* revision = find_kind(r, "revision differs on query");
  ASSERT_NE(revision, nullptr);
  EXPECT_EQ(revision->labels.size(), 4U);
  EXPECT_EQ(revision->first_difference, 3U);
  // flags: FIRST/LAST cannot be said to upstream at all.
  const DiffExample* first = find_kind(r, "only in A (v2): FIRST/LAST on attach");
  ASSERT_NE(first, nullptr);
  EXPECT_EQ(first->labels, (std::vector<std::string>{"load P1", "attach P1 FIRST"}));
  EXPECT_EQ(first->scenario_a.steps.size(), 2U);
  EXPECT_EQ(first->scenario_b.steps.size(), 1U);  // B's file stops before FIRST
  ASSERT_NE(find_kind(r, "only in A (v2): FIRST/LAST on detach"), nullptr);

  for (const auto& d : r.differences) {
    EXPECT_EQ(d.summary.find("NOT REPRODUCED"), std::string::npos) << d.kind;
    expect_replays(d.scenario_a, Mutant::kNone);
    expect_replays(d.scenario_b, Mutant::kNone);
  }

  // The sides swapped: the same kinds, FIRST/LAST now only in B.
  const auto swapped = semantic_diff(options("upstream", "v2", 4));
  EXPECT_EQ(swapped.differences.size(), r.differences.size());
  EXPECT_NE(find_kind(swapped, "only in B (v2): FIRST/LAST on attach"), nullptr);

  // --common: no FIRST/LAST, so no "only in" kind.
  SemanticDiffOptions common = options("v2", "upstream", 4);
  common.common_only = true;
  for (const auto& kind : kinds(semantic_diff(common))) {
    EXPECT_EQ(kind.find("only in"), std::string::npos) << kind;
  }
}

// The state limit bounds the graph whatever the depth; the search then claims only
// the depth it explored completely, and what it found there is what an unlimited
// search of that depth finds.
TEST(SemanticDiff, TheStateLimitStopsTheSearchAtACompleteDepth) {
  SemanticDiffOptions limited = options("v2", "upstream", 6);
  limited.max_states = 40;
  const auto r = semantic_diff(limited);
  EXPECT_TRUE(r.state_limit_reached);
  EXPECT_LT(r.states, 40U + 200U);  // one expansion may pass the limit
  ASSERT_LT(r.exhaustive_depth, 6U);
  ASSERT_GE(r.exhaustive_depth, 1U);
  const auto full = semantic_diff(options("v2", "upstream", r.exhaustive_depth));
  EXPECT_FALSE(full.state_limit_reached);
  EXPECT_EQ(full.exhaustive_depth, r.exhaustive_depth);
  for (const auto& d : full.differences) {
    const DiffExample* same = find_kind(r, d.kind);
    ASSERT_NE(same, nullptr) << d.kind;
    EXPECT_EQ(same->labels, d.labels) << d.kind;
  }
}

TEST(SemanticDiff, IsDeterministic) {
  SemanticDiffOptions o = options("v2", "upstream", 4);
  o.random = 100;
  o.by_shape = true;
  const auto first = semantic_diff(o);
  const auto second = semantic_diff(o);
  EXPECT_EQ(first.states, second.states);
  EXPECT_EQ(first.edges, second.edges);
  ASSERT_EQ(kinds(first), kinds(second));
  for (std::size_t i = 0; i < first.differences.size(); i++) {
    EXPECT_EQ(first.differences[i].labels, second.differences[i].labels);
    EXPECT_EQ(first.differences[i].summary, second.differences[i].summary);
  }
}

TEST(SemanticDiff, ParsesVariants) {
  std::string error;
  EXPECT_EQ(variant("v2").name(), "v2");
  EXPECT_EQ(variant("upstream+upstream-max-check-before").name(),
            "upstream+upstream-max-check-before");
  EXPECT_FALSE(parse_variant("v3", &error));
  EXPECT_NE(error.find("unknown variant"), std::string::npos);
  EXPECT_FALSE(parse_variant("v2+no-such-mutant", &error));
  EXPECT_NE(error.find("unknown mutant"), std::string::npos);
  EXPECT_FALSE(parse_variant("v2+upstream-max-check-before", &error));
  EXPECT_NE(error.find("breaks the upstream model"), std::string::npos);
  EXPECT_FALSE(parse_variant("v2+commit-no-sync", &error));
  EXPECT_NE(error.find("datapath readers"), std::string::npos);
}

}  // namespace
}  // namespace mprogsim::properties
