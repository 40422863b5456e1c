// SPDX-License-Identifier: GPL-2.0
#include "sim/dpor_strategy.h"

#include <bit>

namespace mprogsim::sim {
namespace {
SlotMask bit(std::size_t slot) { return static_cast<SlotMask>(1U << slot); }
std::size_t lowest(SlotMask m) { return static_cast<std::size_t>(std::countr_zero(m)); }
}  // namespace

namespace {
// A bound on the cache (about 1.3 KB an entry with the summary): beyond it, states
// are no longer cached (the search stays complete, only slower).
constexpr std::size_t kMaxCached = 1'000'000;
}  // namespace

bool DporStrategy::begin_execution(std::uint64_t) {
  depth_ = 0;
  processed_ = 0;
  abandoned_ = false;
  path_.clear();
  cut_.reset();
  return !exhausted_;
}

std::uint32_t DporStrategy::cost(const Node& node, std::uint8_t slot) const {
  return node.current != 0xff && slot != node.current && (node.enabled & bit(node.current)) ? 1 : 0;
}

SlotMask DporStrategy::allowed(const Node& node) const {
  SlotMask m = node.enabled & ~node.sleep;
  if (bound_ && node.current != 0xff && (node.enabled & bit(node.current)) &&
      node.preemptions >= *bound_) {
    m &= bit(node.current);
  }
  return m;
}

// Looks at the steps the execution performed since the last call: records what
// each did (for the sleep sets of the siblings explored later) and, for steps new
// in this execution, reverses their races.
void DporStrategy::process(const HappensBefore& hb) {
  const auto& steps = hb.steps();
  for (std::size_t k = processed_; k < steps.size() && k < stack_.size(); k++) {
    Node& node = stack_[k];
    node.effect[steps[k].slot] = steps[k].effect;
    if (k < fresh_from_) continue;  // a replayed step: its races were seen before
    if (cache_) node.summary.add(steps[k].slot, steps[k].effect);
    const auto& races = hb.races();
    for (std::uint32_t r = steps[k].races_begin; r < steps[k].races_end; r++)
      reverse(hb, races[r], k);
  }
  processed_ = steps.size();
}

// Step j races with the later step k: make sure that some thread that can start
// v = (the steps after j not ordered after it), k is tried at j.
void DporStrategy::reverse(const HappensBefore& hb, std::size_t j, std::size_t k) {
  const auto& steps = hb.steps();
  const StepRecord& ej = steps[j];
  std::array<std::uint32_t, kMaxSlots> first{};  // po of each thread's first step in v
  SlotMask seen = 0;
  SlotMask initials = 0;
  auto visit = [&](const StepRecord& e) {
    if (seen & bit(e.slot)) return;
    bool initial = true;
    for (SlotMask m = seen; m && initial; m &= m - 1) {
      const std::size_t r = lowest(m);
      if (e.clock.knows(r, first[r])) initial = false;
    }
    if (initial) initials |= bit(e.slot);
    seen |= bit(e.slot);
    first[e.slot] = e.po;
  };
  for (std::size_t m = j + 1; m < k; m++) {
    if (!steps[m].clock.knows(ej.slot, ej.po)) visit(steps[m]);
  }
  visit(steps[k]);
  Node& node = stack_[j];
  if (initials & node.backtrack) return;
  SlotMask usable = initials & node.enabled;
  if (!usable) {
    anomalies_++;
    return;
  }
  const std::size_t q = (usable & bit(steps[k].slot)) ? steps[k].slot : lowest(usable);
  node.backtrack |= bit(q);
}

SlotMask DporStrategy::prefix_initials(const HappensBefore& hb, std::size_t j,
                                       std::size_t end) const {
  const auto& steps = hb.steps();
  const StepRecord& ej = steps[j];
  std::array<std::uint32_t, kMaxSlots> first{};
  SlotMask seen = 0;
  SlotMask initials = 0;
  for (std::size_t m = j + 1; m < end; m++) {
    const StepRecord& e = steps[m];
    if (e.clock.knows(ej.slot, ej.po) || (seen & bit(e.slot))) continue;
    bool initial = true;
    for (SlotMask s = seen; s && initial; s &= s - 1) {
      if (e.clock.knows(lowest(s), first[lowest(s)])) initial = false;
    }
    if (initial) initials |= bit(e.slot);
    seen |= bit(e.slot);
    first[e.slot] = e.po;
  }
  return initials;
}

// The execution stops at a cached state: the subtree below it is explored, but
// its steps would have raced with this prefix. For each prefix step some thread
// may conflict with later (per the summary) without knowing it already, make sure
// a thread that can start the reversal is tried at that step's node: one of the
// initials of the prefix's part of v (they are initials of v itself, whatever the
// rest of v is), or every enabled thread when that part is empty.
void DporStrategy::cut_races(const HappensBefore& hb, const Cached& cached) {
  const auto& steps = hb.steps();
  for (std::size_t j = 0; j < steps.size() && j < stack_.size(); j++) {
    const StepRecord& ej = steps[j];
    bool race = false;
    for (std::size_t p = 0; p < slots_ && !race; p++) {
      if (p == ej.slot || hb.clock(thread_of(p)).knows(ej.slot, ej.po)) continue;
      race = cached.summary.may_conflict(p, ej.effect);
    }
    if (!race) continue;
    Node& node = stack_[j];
    const SlotMask initials = prefix_initials(hb, j, steps.size());
    if (initials & node.backtrack) continue;
    const SlotMask usable = initials & node.enabled;
    node.backtrack |= usable ? bit(lowest(usable)) : node.enabled;
  }
}

ThreadId DporStrategy::choose(const SchedulerView& view) {
  if (slots_ == 0) slots_ = view.pending.size() + 1;
  if (view.hb) process(*view.hb);
  if (depth_ < stack_.size()) {  // the prefix
    path_.push_back(stack_[depth_].key);
    return thread_of(stack_[depth_++].chosen);
  }
  Node node;
  for (ThreadId t : view.enabled) node.enabled |= bit(slot_of(t));
  node.current =
      view.current == kNoThread ? 0xff : static_cast<std::uint8_t>(slot_of(view.current));
  if (!stack_.empty()) {
    const Node& parent = stack_.back();
    node.preemptions = parent.preemptions + cost(parent, parent.chosen);
    const StepEffect& ran = parent.effect[parent.chosen];
    // Sleep: what the parent already explored (or inherited asleep) stays asleep
    // while the step that ran does not conflict with it.
    for (SlotMask m = (parent.sleep | parent.done) & ~bit(parent.chosen); m; m &= m - 1) {
      const std::size_t r = lowest(m);
      if (!conflicting(parent.effect[r], ran)) {
        node.sleep |= bit(r);
        node.effect[r] = parent.effect[r];
      }
    }
  }
  if (cache_) {
    node.key = view.state;
    const auto it = cache_map_.find(node.key);
    if (!stack_.empty() && view.hb && it != cache_map_.end() && !(it->second.sleep & ~node.sleep)) {
      // Explored before, with no more asleep than now.
      if (!naive_) cut_races(*view.hb, it->second);
      stack_.back().summary.merge(it->second.summary);
      cached_cuts_++;
      cut_ = node.key;
      abandoned_ = true;
      return kNoThread;
    }
  }
  const SlotMask avail = allowed(node);
  if (!avail) {
    abandoned_ = true;
    return kNoThread;
  }
  const std::size_t pick =
      node.current != 0xff && (avail & bit(node.current)) ? node.current : lowest(avail);
  node.chosen = static_cast<std::uint8_t>(pick);
  node.backtrack |= bit(pick);
  node.done |= bit(pick);
  path_.push_back(node.key);
  stack_.push_back(node);
  depth_++;
  return thread_of(pick);
}

void DporStrategy::end_execution(std::uint64_t) {
  if (abandoned_ && !cut_) blocked_++;
  while (!stack_.empty()) {
    Node& node = stack_.back();
    const SlotMask left = node.backtrack & ~node.done & allowed(node);
    if (left) {
      const std::size_t q = lowest(left);
      node.chosen = static_cast<std::uint8_t>(q);
      node.done |= bit(q);
      fresh_from_ = stack_.size() - 1;
      return;
    }
    // Its whole subtree is explored: cache the state, and pass what happened below
    // it up to its parent.
    if (cache_ && cache_map_.size() < kMaxCached)
      cache_map_.try_emplace(node.key, Cached{node.sleep, node.summary});
    if (stack_.size() >= 2) stack_[stack_.size() - 2].summary.merge(node.summary);
    stack_.pop_back();
  }
  exhausted_ = true;
}

std::string DporStrategy::describe() const {
  if (bound_) return "dpor preemption bound " + std::to_string(*bound_);
  return cache_ ? "dpor with state caching" : "dpor";
}

}  // namespace mprogsim::sim
