// SPDX-License-Identifier: GPL-2.0
#include "sim/effect_summary.h"

#include "common/rng.h"

namespace mprogsim::sim {
namespace {
bool frees_one(const StepEffect& e) {
  return e.kind == StepKind::kFree || (e.kind == StepKind::kCallback && e.frees == 1);
}
}  // namespace

void EffectSummary::set(Bits& b, Tag tag, std::uint64_t value) {
  const std::uint64_t h = mix64(value * 0x9e3779b97f4a7c15ULL + tag);
  b[(h & 511) / 64] |= std::uint64_t{1} << (h & 63);
  b[((h >> 9) & 511) / 64] |= std::uint64_t{1} << ((h >> 9) & 63);
}

bool EffectSummary::test(const Bits& b, Tag tag, std::uint64_t value) {
  const std::uint64_t h = mix64(value * 0x9e3779b97f4a7c15ULL + tag);
  return (b[(h & 511) / 64] >> (h & 63) & 1) && (b[((h >> 9) & 511) / 64] >> ((h >> 9) & 63) & 1);
}

void EffectSummary::add(std::size_t slot, const StepEffect& e) {
  Bits& b = bits_[slot];
  switch (e.kind) {
    case StepKind::kAccess:
      if (e.untracked) set(b, kUnknown, 0);
      set(b, e.write ? kWrite : kRead, e.key);
      set(b, kTouch, e.object);
      break;
    case StepKind::kFree:
    case StepKind::kCallback:
      if (!frees_one(e)) {
        if (e.kind == StepKind::kCallback && e.frees == 0) break;  // freed nothing
        set(b, kUnknown, 0);
        break;
      }
      set(b, kFree, e.object);
      set(b, kTouch, e.object);
      break;
    case StepKind::kRcuLock:
    case StepKind::kRcuUnlock:
      set(b, kLockUnlock, 0);
      break;
    case StepKind::kSyncStart:
    case StepKind::kCallRcu:
      set(b, kSnapshot, 0);
      break;
    default:
      break;
  }
}

bool EffectSummary::may_conflict(std::size_t slot, const StepEffect& e) const {
  const Bits& b = bits_[slot];
  if (test(b, kUnknown, 0)) return true;
  switch (e.kind) {
    case StepKind::kAccess:
      if (e.untracked) return true;
      return test(b, kWrite, e.key) || (e.write && test(b, kRead, e.key)) ||
             test(b, kFree, e.object);
    case StepKind::kFree:
    case StepKind::kCallback:
      if (e.kind == StepKind::kCallback && e.frees == 0) return false;
      if (!frees_one(e)) return true;
      return test(b, kTouch, e.object);
    case StepKind::kRcuLock:
    case StepKind::kRcuUnlock:
      return test(b, kSnapshot, 0);
    case StepKind::kSyncStart:
    case StepKind::kCallRcu:
      return test(b, kLockUnlock, 0);
    default:
      return false;
  }
}

void EffectSummary::merge(const EffectSummary& other) {
  for (std::size_t s = 0; s < kMaxSlots; s++) {
    for (std::size_t i = 0; i < 8; i++) bits_[s][i] |= other.bits_[s][i];
  }
}

}  // namespace mprogsim::sim
