// SPDX-License-Identifier: GPL-2.0
// Comparing the two sides' answers to one step (properties/semantic_diff.cc): which
// fields differ, and the kind a difference is reported under.
#pragma once

#include <cstddef>
#include <string>
#include <tuple>
#include <vector>

#include "scenario/scenario.h"

namespace mprogsim::properties::diff {

// What can differ in one step's answer, in the order kinds are printed.
enum Field : int {
  kReturnCode,
  kCount,
  kRevision,
  kProgList,
  kLinkList,
  kFlags,
  kRunList,
  kRefcounts,
  kWarnings,
  kOnlyIn,
};

// A kind: what differs, on which operation, and (with `by_shape`) on which shape of
// it ("attach BEFORE prog by id"); empty shape when kinds are per operation.
struct KindKey {
  int field = 0;
  int op = 0;
  std::string shape;
  bool operator<(const KindKey& o) const {
    return std::tie(field, op, shape) < std::tie(o.field, o.op, o.shape);
  }
  bool operator==(const KindKey& o) const = default;
};

[[nodiscard]] std::string field_text(Field field);
// The fields on which two answers to the same step differ. What follows from another
// difference is left out, so that each kind names a cause: a different return code
// hides the rest, a different count hides the program list, a different program list
// hides the per-slot link names and flags.
[[nodiscard]] std::vector<Field> differing_fields(const Step& a, const Step& b,
                                                  std::size_t warnings_a, std::size_t warnings_b);

}  // namespace mprogsim::properties::diff
