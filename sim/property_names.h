// SPDX-License-Identifier: GPL-2.0
// The names of the properties an execution is checked for (sim/execution.h says
// what each means). A trace's outcome must name one of them: a misspelt property
// could never be reproduced, so the file is refused instead (exit 2). A new
// property is added here; Execution::violate() refuses a name missing from the list.
#pragma once

#include <algorithm>
#include <array>
#include <string_view>

namespace mprogsim::sim {

inline constexpr std::array<std::string_view, 11> kPropertyNames = {
    "use-after-free", "snapshot", "spec", "revision", "kernel-warn", "out-of-bounds",
    "static-keys",    "refs",     "leak", "deadlock", "rcu",
};

inline bool is_property_name(std::string_view name) {
  return std::find(kPropertyNames.begin(), kPropertyNames.end(), name) != kPropertyNames.end();
}

}  // namespace mprogsim::sim
