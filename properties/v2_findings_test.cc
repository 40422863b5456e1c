// SPDX-License-Identifier: GPL-2.0
// Pinned counterexamples: each intended invariant the seed's v2 code breaks, with the
// shortest operation sequence we know that breaks it (docs/semantics.md, Findings).
// The differential property tolerates these by name; here each one must still be
// detected, so the check that finds it can never silently stop working.
#include <gtest/gtest.h>

#include "model/v2/system.h"
#include "properties/differential.h"
#include "properties/invariants.h"
#include "scenario/scenario_runner.h"

namespace mprogsim::properties {
namespace {

Action act(ActionKind kind) {
  Action a;
  a.kind = kind;
  return a;
}

// Strict but for F4, which every query of a non-empty v2 hook shows: each test below
// pins one finding (F4's own test tolerates nothing).
DifferentialResult run_strict(const std::vector<Action>& actions, u64 initial_revision = 1,
                              std::set<std::string> tolerated = {kFindingQueryFlagsUnwritten}) {
  DifferentialOptions options;
  options.initial_revision = initial_revision;
  options.tolerated_findings = std::move(tolerated);
  return run_differential(actions, options);
}

TEST(V2Findings, ReplaceLeaksTheTcxStaticKey) {
  // load P1, P2; attach P1; attach P2 with REPLACE of P1: one program, key count 2.
  Action replace = act(ActionKind::kAttach);
  replace.prog = 1;
  replace.flags = 1U << 0;  // REPLACE
  replace.relative = 1;     // P1 by fd
  const auto result = run_strict(
      {act(ActionKind::kLoad), act(ActionKind::kLoad), act(ActionKind::kAttach), replace});
  EXPECT_FALSE(result.ok);
  EXPECT_TRUE(result.findings.count(kFindingStaticKeyLeak)) << result.failure;
  EXPECT_EQ(result.counterexample.steps.size(), 4u + 3u) << "4 steps + the closing observation";
}

TEST(V2Findings, DetachingAnUnattachedProgramFromAnEmptyHeldEntrySucceeds) {
  // miniq_inc; load P1; detach P1 -> OK although nothing was attached.
  const auto result =
      run_strict({act(ActionKind::kMiniqInc), act(ActionKind::kLoad), act(ActionKind::kDetach)});
  EXPECT_FALSE(result.ok);
  EXPECT_TRUE(result.findings.count(kFindingEmptyDetach)) << result.failure;
  EXPECT_EQ(result.counterexample.steps[2].expect, "OK");
}

TEST(V2Findings, ExpectedRevisionNeverMatchesFrom2To31) {
  // Revision 0x80000001 after one attach; passing exactly that is -ESTALE.
  Action stale = act(ActionKind::kAttach);
  stale.prog = 1;
  stale.revision = 1;  // the current revision
  const auto result =
      run_strict({act(ActionKind::kLoad), act(ActionKind::kLoad), act(ActionKind::kAttach), stale},
                 0x80000000ULL);
  EXPECT_FALSE(result.ok);
  EXPECT_TRUE(result.findings.count(kFindingEstaleHighRevision)) << result.failure;
  EXPECT_EQ(result.counterexample.steps[3].expect, "ESTALE");
}

TEST(V2Findings, BelowTwoTo31TheSameExpectationMatches) {
  Action current = act(ActionKind::kAttach);
  current.prog = 1;
  current.revision = 1;
  DifferentialOptions options;
  options.initial_revision = 0x7ffffff0ULL;
  options.tolerated_findings = {kFindingStaticKeyLeak, kFindingQueryFlagsUnwritten};
  const auto result = run_differential(
      {act(ActionKind::kLoad), act(ActionKind::kLoad), act(ActionKind::kAttach), current}, options);
  EXPECT_TRUE(result.ok) << result.failure;
  EXPECT_EQ(result.counterexample.steps[3].expect, "OK");
}

// F1 at its exact size: tcx takes the keys on every successful attach, the in-place
// replace and the link update included, and drops them once per detach. The spec
// counts the same way, so the differential property compares the count exactly: one
// key more or less than this is a failure, not the tolerated finding.
TEST(V2Findings, TheStaticKeyLeakHasItsExactSize) {
  const auto scenario = parse_scenarios(R"({"semantics":"v2","steps":[
    {"op":"load","prog":"P1"},{"op":"load","prog":"P2"},{"op":"load","prog":"P3"},
    {"op":"attach","prog":"P1","expect":"OK"},
    {"op":"attach","prog":"P2","flags":["REPLACE"],
     "relative":{"kind":"prog","name":"P1","by":"fd"},"expect":"OK"},
    {"op":"link_attach","link":"L1","prog":"P3","expect":"OK"},
    {"op":"link_update","link":"L1","prog":"P1","expect":"OK"},
    {"op":"detach","prog":"P2","expect":"OK"},
    {"op":"query","expect_count":1}]})")[0];
  for (const bool spec : {false, true}) {
    auto system = spec ? make_spec(Semantics::kV2) : make_system(Semantics::kV2);
    const auto report = run_scenario(scenario, *system);
    EXPECT_EQ(report.failed, 0U) << format_report(report);
    // Attaches 3 (attach, replace, link_attach) + 1 link update - 1 detach, with one
    // program left: a leak of 2 (the replace and the update).
    EXPECT_EQ(system->static_keys(), (StaticKeys{3, 3})) << (spec ? "spec" : "model");
  }
  Action replace = act(ActionKind::kAttach);
  replace.prog = 1;
  replace.flags = 1U << 0;  // REPLACE
  replace.relative = 1;     // P1 by fd
  Action detach = act(ActionKind::kDetach);
  detach.prog = 1;  // P2
  const auto result = run_strict(
      {act(ActionKind::kLoad), act(ActionKind::kLoad), act(ActionKind::kAttach), replace, detach},
      1, {kFindingQueryFlagsUnwritten, kFindingStaticKeyLeak});
  EXPECT_TRUE(result.ok) << result.failure;
  EXPECT_TRUE(result.findings.count(kFindingStaticKeyLeak));
}

// F4: v2's bpf_mprog_query writes prog_attach_flags[i] only for a program's slot and
// link_attach_flags[i] only for a link's; the other element keeps whatever the caller
// had there (the harness poisons the arrays to see it). Upstream writes all four.
TEST(V2Findings, QueryLeavesTheOtherKindsFlagsUnwritten) {
  Action link = act(ActionKind::kLinkAttach);
  link.prog = 1;  // P2
  const auto result = run_strict(
      {act(ActionKind::kLoad), act(ActionKind::kLoad), act(ActionKind::kAttach), link}, 1, {});
  EXPECT_FALSE(result.ok);
  EXPECT_TRUE(result.findings.count(kFindingQueryFlagsUnwritten)) << result.failure;
  const auto scenario = parse_scenarios(R"({"semantics":"v2","steps":[
    {"op":"load","prog":"P1"},{"op":"load","prog":"P2"},
    {"op":"attach","prog":"P1","flags":["FIRST"],"expect":"OK"},
    {"op":"link_attach","link":"L1","prog":"P2","flags":["LAST"],"expect":"OK"},
    {"op":"query","expect_flags":[["FIRST"],["LAST"]]}]})")[0];
  for (const bool spec : {false, true}) {
    auto system = spec ? make_spec(Semantics::kV2) : make_system(Semantics::kV2);
    EXPECT_EQ(run_scenario(scenario, *system).failed, 0U);
    const QueryResult q = system->prog_query(QueryAttr{0, 0, 2});
    ASSERT_EQ(q.prog_ids.size(), 2U);
    EXPECT_EQ(q.prog_attach_flags, (std::vector<u32>{v2::BPF_F_FIRST, kQueryUnwritten}));
    EXPECT_EQ(q.link_attach_flags, (std::vector<u32>{kQueryUnwritten, v2::BPF_F_LAST}));
  }
  auto upstream = make_system(Semantics::kUpstream);
  const auto on_upstream = parse_scenarios(R"({"semantics":"upstream","steps":[
    {"op":"load","prog":"P1"},{"op":"load","prog":"P2"},{"op":"attach","prog":"P1"},
    {"op":"link_attach","link":"L1","prog":"P2"}]})")[0];
  (void)run_scenario(on_upstream, *upstream);
  const QueryResult q = upstream->prog_query(QueryAttr{0, 0, 2});
  EXPECT_EQ(q.prog_attach_flags, (std::vector<u32>{0, 0}));
  EXPECT_EQ(q.link_attach_flags, (std::vector<u32>{0, 0}));
}

}  // namespace
}  // namespace mprogsim::properties
