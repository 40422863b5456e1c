// SPDX-License-Identifier: GPL-2.0
#include "sim/strategy.h"

#include <algorithm>
#include <stdexcept>

#include "sim/dfs_strategy.h"
#include "sim/dpor_strategy.h"
#include "sim/pct_strategy.h"
#include "sim/random_strategy.h"

namespace mprogsim::sim {

const Transition& SchedulerView::pending_of(ThreadId t) const {
  static const Transition kCallback{StepKind::kCallback};
  return t == kRcuThread ? kCallback : pending[t];
}

bool SchedulerView::is_enabled(ThreadId t) const {
  return std::find(enabled.begin(), enabled.end(), t) != enabled.end();
}

ThreadId non_preemptive_choice(const SchedulerView& view) {
  if (view.current != kNoThread && view.is_enabled(view.current)) return view.current;
  return view.enabled.front();
}

ThreadId ReplayStrategy::choose(const SchedulerView& view) {
  if (lenient_) {
    while (cursor_ < schedule_.size() && !view.is_enabled(schedule_[cursor_])) {
      cursor_++;
      skipped_++;
    }
  }
  if (cursor_ < schedule_.size()) return schedule_[cursor_++];
  return non_preemptive_choice(view);
}

std::unique_ptr<Strategy> make_strategy(const StrategyOptions& options) {
  if (options.kind == "random") return std::make_unique<RandomStrategy>(options.seed);
  if (options.kind == "pct") return std::make_unique<PctStrategy>(options.seed, options.pct_depth);
  if (options.kind == "dfs") {
    return std::make_unique<DfsStrategy>(options.preemption_bound, options.sleep_sets);
  }
  if (options.kind == "dpor") {
    return std::make_unique<DporStrategy>(
        options.preemption_bound_given ? std::optional<std::uint32_t>(options.preemption_bound)
                                       : std::nullopt,
        options.state_cache);
  }
  throw std::invalid_argument("unknown strategy '" + options.kind + "' (random, pct, dfs or dpor)");
}

}  // namespace mprogsim::sim
