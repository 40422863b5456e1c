// SPDX-License-Identifier: GPL-2.0
#include "sim/happens_before.h"

#include <algorithm>

namespace mprogsim::sim {
namespace {

// A reader's read-side section state is a location of its own, in no allocation
// (allocations are numbered from 1).
std::uint64_t rcu_key(ThreadId reader) { return location_key(0, reader, false); }

bool frees(const StepEffect& e) {
  return e.kind == StepKind::kFree || (e.kind == StepKind::kCallback && e.frees == 1);
}
bool reader_rcu(const StepEffect& e) {
  return e.kind == StepKind::kRcuLock || e.kind == StepKind::kRcuUnlock;
}
bool snapshot(const StepEffect& e) {
  return e.kind == StepKind::kSyncStart || e.kind == StepKind::kCallRcu;
}

}  // namespace

bool conflicting(const StepEffect& a, const StepEffect& b) {
  if (a.kind == StepKind::kStart || b.kind == StepKind::kStart) return false;
  // A callback that freed nothing or several objects: assume the worst.
  if ((a.kind == StepKind::kCallback && a.frees != 1) ||
      (b.kind == StepKind::kCallback && b.frees != 1)) {
    return true;
  }
  if ((reader_rcu(a) && snapshot(b)) || (snapshot(a) && reader_rcu(b))) return true;
  if (a.untracked || b.untracked) return true;
  if (frees(a) && frees(b)) return a.object == b.object;
  if (frees(a) && b.kind == StepKind::kAccess) return a.object == b.object;
  if (frees(b) && a.kind == StepKind::kAccess) return a.object == b.object;
  if (a.kind == StepKind::kAccess && b.kind == StepKind::kAccess) {
    return a.key == b.key && (a.write || b.write);
  }
  // synchronize_rcu's wait and a callback's readiness only follow unlocks that
  // already happened (enabling edges); call_rcu only appends to the queue.
  return false;
}

void HappensBefore::reset(std::size_t readers, bool record_races) {
  readers_ = readers;
  record_races_ = record_races;
  clocks_ = {};
  steps_.clear();
  races_.clear();
  open_ = false;
  if (++stamp_ == 0) {  // wrapped: forget every old stamp for real
    std::fill(stamps_.begin(), stamps_.end(), 0);
    stamp_ = 1;
  }
  locations_.clear();
  objects_.clear();
  for (auto& s : section_ends_) s.clear();
  if (keys_.empty()) {
    keys_.assign(512, 0);
    stamps_.assign(512, 0);
    index_.assign(512, 0);
  }
}

HappensBefore::Location& HappensBefore::location(std::uint64_t key) {
  std::size_t mask = keys_.size() - 1;
  std::size_t h = (key * 0x9e3779b97f4a7c15ULL) >> 20;
  for (;; h++) {
    const std::size_t i = h & mask;
    if (stamps_[i] != stamp_) {
      // A free bucket; grow first if the table is half full.
      if (locations_.size() * 2 >= keys_.size()) {
        std::vector<std::uint64_t> old_keys = std::move(keys_);
        std::vector<std::uint32_t> old_stamps = std::move(stamps_);
        std::vector<std::uint32_t> old_index = std::move(index_);
        keys_.assign(old_keys.size() * 2, 0);
        stamps_.assign(old_keys.size() * 2, 0);
        index_.assign(old_keys.size() * 2, 0);
        mask = keys_.size() - 1;
        for (std::size_t k = 0; k < old_keys.size(); k++) {
          if (old_stamps[k] != stamp_) continue;
          std::size_t g = (old_keys[k] * 0x9e3779b97f4a7c15ULL) >> 20;
          while (stamps_[g & mask] == stamp_) g++;
          keys_[g & mask] = old_keys[k];
          stamps_[g & mask] = stamp_;
          index_[g & mask] = old_index[k];
        }
        return location(key);
      }
      keys_[i] = key;
      stamps_[i] = stamp_;
      index_[i] = static_cast<std::uint32_t>(locations_.size());
      locations_.emplace_back();
      return locations_.back();
    }
    if (keys_[i] == key) return locations_[index_[i]];
  }
}

HappensBefore::Object& HappensBefore::object(std::uint32_t seq) {
  if (seq >= objects_.size()) objects_.resize(seq + 1);
  return objects_[seq];
}

void HappensBefore::candidate(std::uint32_t step_plus_one) {
  if (step_plus_one == 0) return;
  const StepRecord& s = steps_[step_plus_one - 1];
  if (s.slot == cur_.slot) return;             // program order
  if (cur_.clock.knows(s.slot, s.po)) return;  // already ordered
  candidates_.push_back(step_plus_one - 1);
}

void HappensBefore::begin(ThreadId t) {
  cur_ = StepRecord{};
  cur_.thread = t;
  cur_.slot = static_cast<std::uint8_t>(slot_of(t));
  cur_.clock = clocks_[cur_.slot];
  cur_.po = ++cur_.clock.c[cur_.slot];
  candidates_.clear();
  open_ = true;
}

void HappensBefore::access(std::uint64_t key, bool write, std::uint32_t seq) {
  const auto me = static_cast<std::uint32_t>(steps_.size() + 1);
  Location& loc = location(key);
  const std::size_t n = slots();
  for (std::size_t s = 0; s < n; s++) candidate(write ? loc.last_access[s] : loc.last_write[s]);
  loc.last_access[cur_.slot] = me;
  if (write) loc.last_write[cur_.slot] = me;
  if (seq) {
    Object& o = object(seq);
    candidate(o.freed);
    o.last_access[cur_.slot] = me;
  }
}

void HappensBefore::free(std::uint32_t seq) {
  const auto me = static_cast<std::uint32_t>(steps_.size() + 1);
  if (cur_.effect.kind == StepKind::kCallback && cur_.effect.frees++ == 0) cur_.effect.object = seq;
  if (!seq) return;
  Object& o = object(seq);
  for (std::size_t s = 0; s < slots(); s++) candidate(o.last_access[s]);
  candidate(o.freed);
  o.last_access[cur_.slot] = me;
  o.freed = me;
}

void HappensBefore::rcu_lock_or_unlock(ThreadId reader) { access(rcu_key(reader), true, 0); }

void HappensBefore::rcu_snapshot() {
  for (std::size_t r = 1; r <= readers_; r++) access(rcu_key(static_cast<ThreadId>(r)), false, 0);
}

void HappensBefore::ends_section(ThreadId reader, std::uint64_t section) {
  auto& ends = section_ends_[slot_of(reader)];
  if (ends.size() < section) ends.resize(section, 0);
  ends[section - 1] = static_cast<std::uint32_t>(steps_.size() + 1);
}

void HappensBefore::after_section(ThreadId reader, std::uint64_t section) {
  const auto& ends = section_ends_[slot_of(reader)];
  if (section >= 1 && section <= ends.size() && ends[section - 1])
    after_step(ends[section - 1] - 1);
}

void HappensBefore::after_step(std::uint64_t step) {
  if (step < steps_.size()) after_clock(steps_[step].clock);
}

void HappensBefore::after_clock(const VectorClock& clock) {
  for (std::size_t s = 0; s < slots(); s++) cur_.clock.c[s] = std::max(cur_.clock.c[s], clock.c[s]);
}

void HappensBefore::end() {
  if (!open_) return;
  open_ = false;
  const std::size_t n = slots();
  // A race is a conflicting step that nothing else orders before this one: not
  // known through the thread's own past or the enabling edges (filtered in
  // candidate()), nor through another conflicting step.
  cur_.races_begin = static_cast<std::uint32_t>(races_.size());
  if (record_races_) {
    for (std::size_t i = 0; i < candidates_.size(); i++) {
      const StepRecord& c = steps_[candidates_[i]];
      bool immediate = !cur_.clock.knows(c.slot, c.po);
      for (std::size_t k = 0; k < candidates_.size() && immediate; k++) {
        if (k != i && candidates_[k] != candidates_[i] &&
            steps_[candidates_[k]].clock.knows(c.slot, c.po)) {
          immediate = false;
        }
      }
      if (immediate && std::find(races_.begin() + cur_.races_begin, races_.end(), candidates_[i]) ==
                           races_.end()) {
        races_.push_back(candidates_[i]);
      }
    }
  }
  cur_.races_end = static_cast<std::uint32_t>(races_.size());
  for (std::uint32_t c : candidates_) {
    const VectorClock& k = steps_[c].clock;
    for (std::size_t s = 0; s < n; s++) cur_.clock.c[s] = std::max(cur_.clock.c[s], k.c[s]);
  }
  clocks_[cur_.slot] = cur_.clock;
  steps_.push_back(cur_);
}

}  // namespace mprogsim::sim
