// SPDX-License-Identifier: GPL-2.0
// The simulated RCU on its own: nesting, grace periods that wait for exactly the
// sections open when they start, and callbacks that become ready in order.
#include "sim/rcu.h"

#include <gtest/gtest.h>

#include "common/rng.h"
#include "sim/distinct_states.h"

namespace mprogsim::sim {
namespace {

TEST(SimRcu, NestedSectionsEndAtTheOutermostUnlock) {
  SimRcu rcu;
  rcu.reset(3);
  rcu.read_lock(1);
  rcu.read_lock(1);
  const auto gp = rcu.start_grace_period();
  EXPECT_FALSE(rcu.grace_period_over(gp));
  EXPECT_TRUE(rcu.read_unlock(1));
  EXPECT_FALSE(rcu.grace_period_over(gp)) << "still inside the outer section";
  EXPECT_TRUE(rcu.read_unlock(1));
  EXPECT_TRUE(rcu.grace_period_over(gp));
  EXPECT_FALSE(rcu.read_unlock(1)) << "unbalanced unlock is reported";
}

TEST(SimRcu, AGracePeriodIgnoresSectionsOpenedAfterItStarts) {
  SimRcu rcu;
  rcu.reset(3);
  rcu.read_lock(1);
  const auto gp = rcu.start_grace_period();
  rcu.read_lock(2);  // opened later: not waited for
  rcu.read_unlock(1);
  EXPECT_TRUE(rcu.grace_period_over(gp));
  // A reader that leaves and re-enters has opened a new section.
  rcu.read_lock(1);
  EXPECT_TRUE(rcu.grace_period_over(gp));
}

TEST(SimRcu, CallbacksBecomeReadyInOrder) {
  SimRcu rcu;
  rcu.reset(3);
  std::vector<int> ran;
  rcu.read_lock(1);
  rcu.call_rcu([&] { ran.push_back(1); }, 0, 10);
  rcu.read_lock(2);
  rcu.call_rcu([&] { ran.push_back(2); }, 0, 11);
  EXPECT_FALSE(rcu.callback_ready());
  rcu.read_unlock(2);
  EXPECT_FALSE(rcu.callback_ready()) << "the oldest still waits for R1";
  rcu.read_unlock(1);
  ASSERT_TRUE(rcu.callback_ready());
  rcu.take_callback().fn();
  ASSERT_TRUE(rcu.callback_ready());
  rcu.take_callback().fn();
  EXPECT_EQ(ran, (std::vector<int>{1, 2}));
  EXPECT_FALSE(rcu.callbacks_pending());
}

TEST(DistinctStates, EstimatesWithinAFewPercent) {
  for (const std::uint64_t n : {100ULL, 10'000ULL, 1'000'000ULL}) {
    DistinctStates states;
    Rng rng(n);
    for (std::uint64_t i = 0; i < n; i++) {
      const std::uint64_t h = rng.next();
      states.add(h);
      states.add(h);  // duplicates do not count
    }
    EXPECT_NEAR(states.estimate(), static_cast<double>(n), 0.06 * static_cast<double>(n)) << n;
  }
}

}  // namespace
}  // namespace mprogsim::sim
