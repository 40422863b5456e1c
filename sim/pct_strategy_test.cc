// SPDX-License-Identifier: GPL-2.0
// PCT counts only racing steps (sim/pct_strategy.h): a choice with one thread
// enabled is no step, so a priority change never falls there, and k is the number
// of racing steps, not of all steps.
#include "sim/pct_strategy.h"

#include <gtest/gtest.h>

#include <array>

#include "scenario/scenario.h"
#include "sim/execution.h"

namespace mprogsim::sim {
namespace {

// One execution of a made-up program: `solo` choices where only the control thread
// can run, then `racing` choices between threads 0 and 1. Returns the threads
// picked at the racing choices.
std::vector<ThreadId> drive(PctStrategy& pct, std::uint64_t index, std::size_t solo,
                            std::size_t racing) {
  static const std::array<ThreadId, 1> alone{kControlThread};
  static const std::array<ThreadId, 2> both{kControlThread, 1};
  static const std::array<Transition, 2> pending{};
  EXPECT_TRUE(pct.begin_execution(index));
  std::vector<ThreadId> picks;
  std::uint64_t step = 0;
  for (std::size_t i = 0; i < solo + racing; i++, step++) {
    SchedulerView view;
    view.enabled = i < solo ? std::span<const ThreadId>(alone) : std::span<const ThreadId>(both);
    view.pending = pending;
    view.step = step;
    const ThreadId t = pct.choose(view);
    if (i >= solo) picks.push_back(t);
  }
  pct.end_execution(step);
  return picks;
}

TEST(PctStrategy, OnlyRacingStepsCountAndOnlyThereDoPrioritiesChange) {
  // 50 solo steps before a race of 3 steps. Counting every step (k >= 53) a depth-2
  // change point would almost never fall inside the race; counting racing steps
  // (k = 3) it falls at racing step 1, 2 or 3, and at 2 or 3 the thread running
  // the race changes in the middle of it.
  PctStrategy pct(7, 2);
  const std::vector<ThreadId> first = drive(pct, 0, 50, 3);
  EXPECT_EQ(pct.racing_steps(), 3U);
  EXPECT_EQ(pct.bound(), 3U);
  // k unknown during the first execution: no change point, one thread all along.
  EXPECT_TRUE(first[0] == first[1] && first[1] == first[2]);
  int switched = 0;
  constexpr int kRuns = 300;
  for (int i = 1; i <= kRuns; i++) {
    const std::vector<ThreadId> picks = drive(pct, i, 50, 3);
    ASSERT_EQ(pct.racing_steps(), 3U);
    int changes = 0;
    for (std::size_t s = 1; s < picks.size(); s++) changes += picks[s] != picks[s - 1];
    EXPECT_LE(changes, 1) << "depth 2 changes priorities once";
    switched += changes;
  }
  EXPECT_EQ(pct.bound(), 3U) << "solo steps never count";
  // Expected 2/3 of the runs (change point at racing step 2 or 3).
  EXPECT_GT(switched, kRuns / 2);
  EXPECT_LT(switched, kRuns * 5 / 6);
}

// On a real execution the counted steps are exactly the choices with two or more
// threads enabled: with the readers starting after the setup, the setup's choices
// (the control path alone) are not among them.
class CountingStrategy final : public Strategy {
 public:
  explicit CountingStrategy(Strategy& inner) : inner_(inner) {}
  bool begin_execution(std::uint64_t index) override { return inner_.begin_execution(index); }
  ThreadId choose(const SchedulerView& view) override {
    (view.enabled.size() >= 2 ? racing : solo)++;
    return inner_.choose(view);
  }
  void end_execution(std::uint64_t steps) override { inner_.end_execution(steps); }
  std::string describe() const override { return inner_.describe(); }
  std::uint64_t racing = 0, solo = 0;

 private:
  Strategy& inner_;
};

TEST(PctStrategy, CountsTheChoicesWhereThreadsRaceInARealExecution) {
  const std::string text = R"({"name": "setup-then-race", "semantics": "v2", "steps": [
    {"op": "load", "prog": "P1"}, {"op": "load", "prog": "P2"}, {"op": "load", "prog": "P3"},
    {"op": "attach", "prog": "P1"}, {"op": "attach", "prog": "P2"},
    {"op": "attach", "prog": "P3", "flags": ["BEFORE"]}, {"op": "detach", "prog": "P1"}]})";
  Workload w;
  w.scenario = parse_scenarios(text).at(0);
  w.readers = 2;
  w.passes = 1;
  w.start_readers_after = 5;
  const Reference ref = compute_reference(w);
  PctStrategy pct(3, 3);
  CountingStrategy counting(pct);
  std::uint64_t most = 0;
  for (std::uint64_t i = 0; i < 20; i++) {
    counting.racing = counting.solo = 0;
    ASSERT_TRUE(counting.begin_execution(i));
    const ExecutionResult r = run_execution(w, ref, counting, ExecutionOptions{});
    ASSERT_EQ(r.status, ExecutionResult::Status::kPassed) << r.error;
    EXPECT_EQ(pct.racing_steps(), counting.racing);
    EXPECT_GT(counting.solo, 0U) << "the setup runs alone";
    EXPECT_GT(counting.racing, 0U);
    most = std::max(most, counting.racing);
  }
  EXPECT_EQ(pct.bound(), most);
}

}  // namespace
}  // namespace mprogsim::sim
