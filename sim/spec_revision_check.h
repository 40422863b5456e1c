// SPDX-License-Identifier: GPL-2.0
// spec and revision, after each control step:
//   spec      the step's result line equals the abstract spec's for the same steps
//             (and the file's own expectations, if any);
//   revision  a committed list change moves the revision by exactly one, a failed
//             step leaves it alone, it never moves by more than one, and it is
//             never 0 (the variant says what "one" is: next_revision).
#pragma once

#include <optional>

#include "sim/check.h"

namespace mprogsim::sim {

class SpecRevisionCheck : public Check {
 public:
  using Check::Check;
  void on_step_begin(std::size_t) { revision_before_ = cx_.target.revision(); }
  void on_step_end(std::size_t k, const Step& step, const StepReport& report);

 private:
  std::optional<u64> revision_before_;
};

}  // namespace mprogsim::sim
