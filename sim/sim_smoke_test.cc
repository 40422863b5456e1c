// SPDX-License-Identifier: GPL-2.0
// The simulator's basic contract: the correct model passes, a broken one fails,
// and the same options give the same run.
#include <gtest/gtest.h>

#include "sim/campaign.h"

namespace mprogsim::sim {
namespace {

CampaignOptions small(const std::string& strategy, Mutant mutant, u64 executions) {
  CampaignOptions o;
  o.strategy.kind = strategy;
  o.strategy.seed = 7;
  o.shape.mutant = mutant;
  o.executions = executions;
  return o;
}

TEST(SimSmoke, CorrectModelPassesRandom) {
  const auto r = run_campaign(small("random", Mutant::kNone, 2000));
  EXPECT_TRUE(r.error.empty()) << r.error;
  ASSERT_FALSE(r.failure) << r.failure->violation->property << ": " << r.failure->violation->message;
  EXPECT_EQ(r.executions, 2000U);
}

TEST(SimSmoke, CommitWithoutSyncIsFound) {
  const auto r = run_campaign(small("random", Mutant::kCommitNoSync, 200000));
  ASSERT_TRUE(r.failure);
  std::cout << r.failure->violation->property << ": " << r.failure->violation->message << "\n";
}

}  // namespace
}  // namespace mprogsim::sim
