// SPDX-License-Identifier: GPL-2.0
// Pinned counterexamples: each intended invariant the seed's v2 code breaks, with the
// shortest operation sequence we know that breaks it (docs/semantics.md, Findings).
// The differential property tolerates these by name; here each one must still be
// detected, so the check that finds it can never silently stop working.
#include <gtest/gtest.h>

#include "properties/differential.h"
#include "properties/invariants.h"

namespace mprogsim::properties {
namespace {

Action act(ActionKind kind) {
  Action a;
  a.kind = kind;
  return a;
}

DifferentialResult run_strict(const std::vector<Action>& actions, u64 initial_revision = 1) {
  DifferentialOptions options;
  options.initial_revision = initial_revision;
  return run_differential(actions, options);
}

TEST(V2Findings, ReplaceLeaksTheTcxStaticKey) {
  // load P1, P2; attach P1; attach P2 with REPLACE of P1: one program, key count 2.
  Action replace = act(ActionKind::kAttach);
  replace.prog = 1;
  replace.flags = 1U << 0;  // REPLACE
  replace.relative = 1;     // P1 by fd
  const auto result = run_strict({act(ActionKind::kLoad), act(ActionKind::kLoad),
                                  act(ActionKind::kAttach), replace});
  EXPECT_FALSE(result.ok);
  EXPECT_TRUE(result.findings.count(kFindingStaticKeyLeak)) << result.failure;
  EXPECT_EQ(result.counterexample.steps.size(), 4u + 3u) << "4 steps + the closing observation";
}

TEST(V2Findings, DetachingAnUnattachedProgramFromAnEmptyHeldEntrySucceeds) {
  // miniq_inc; load P1; detach P1 -> OK although nothing was attached.
  const auto result = run_strict(
      {act(ActionKind::kMiniqInc), act(ActionKind::kLoad), act(ActionKind::kDetach)});
  EXPECT_FALSE(result.ok);
  EXPECT_TRUE(result.findings.count(kFindingEmptyDetach)) << result.failure;
  EXPECT_EQ(result.counterexample.steps[2].expect, "OK");
}

TEST(V2Findings, ExpectedRevisionNeverMatchesFrom2To31) {
  // Revision 0x80000001 after one attach; passing exactly that is -ESTALE.
  Action stale = act(ActionKind::kAttach);
  stale.prog = 1;
  stale.revision = 1;  // the current revision
  const auto result = run_strict(
      {act(ActionKind::kLoad), act(ActionKind::kLoad), act(ActionKind::kAttach), stale},
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
  options.tolerated_findings = {kFindingStaticKeyLeak};
  const auto result = run_differential(
      {act(ActionKind::kLoad), act(ActionKind::kLoad), act(ActionKind::kAttach), current},
      options);
  EXPECT_TRUE(result.ok) << result.failure;
  EXPECT_EQ(result.counterexample.steps[3].expect, "OK");
}

}  // namespace
}  // namespace mprogsim::properties
