// SPDX-License-Identifier: GPL-2.0
// RapidCheck generators for the differential actions. Small values shrink first:
// kind 0 is a load, flags shrink to none, relatives to "none".
#pragma once

#include <rapidcheck.h>

#include <vector>

#include "common/rng.h"
#include "properties/differential.h"

namespace mprogsim::properties {

// Draws a point in the summed weights and maps it to its kind; shrinks toward kLoad.
inline rc::Gen<ActionKind> gen_action_kind() {
  const auto total = static_cast<u32>(total_weight(kActionWeights));
  return rc::gen::map(rc::gen::inRange<u32>(0, total),
                      [](u32 pick) { return weighted_item(kActionWeights, pick); });
}

// Mostly no flag or one flag; sometimes any combination of the seven.
inline rc::Gen<u32> gen_flags() {
  return rc::gen::weightedOneOf<u32>({
      {3, rc::gen::just(0U)},
      {4, rc::gen::map(rc::gen::inRange(0, 7), [](int bit) { return 1U << bit; })},
      {3, rc::gen::inRange<u32>(0, 128)},
  });
}

inline rc::Gen<Action> gen_action() {
  return rc::gen::build<Action>(
      rc::gen::set(&Action::kind, gen_action_kind()),
      rc::gen::set(&Action::prog, rc::gen::inRange<u32>(0, 1024)),
      rc::gen::set(&Action::other, rc::gen::inRange<u32>(0, 1024)),
      rc::gen::set(&Action::flags, gen_flags()),
      rc::gen::set(&Action::relative, rc::gen::inRange<u32>(0, 4)),
      rc::gen::set(&Action::relative_pick, rc::gen::inRange<u32>(0, 1024)),
      rc::gen::set(&Action::by_id, rc::gen::arbitrary<bool>()),
      rc::gen::set(&Action::revision,
                   rc::gen::weightedElement<u32>({{12, 0}, {3, 1}, {1, 2}, {1, 3}, {1, 4}})),
      rc::gen::set(&Action::count, rc::gen::inRange<u32>(0, 64)));
}

// The revision a new bundle starts with: usually the kernel's 1, sometimes close to
// the points where 32-bit wrap and sign matter.
inline rc::Gen<u64> gen_initial_revision() {
  return rc::gen::weightedElement<u64>(
      {{10, 1}, {2, 0xfffffffeULL}, {2, 0x7ffffffeULL}, {1, 0xfffffff0ULL}, {1, 0x80000000ULL}});
}

inline rc::Gen<std::vector<Action>> gen_actions() {
  return rc::gen::container<std::vector<Action>>(gen_action());
}

}  // namespace mprogsim::properties
