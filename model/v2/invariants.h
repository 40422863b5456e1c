// SPDX-License-Identifier: GPL-2.0
// The structural invariants of the v2 model's state after any step (the intended design;
// the seed's own code breaks some: those carry a finding id, model/finding_ids.h).
#pragma once

#include <vector>

#include "model/observation.h"
#include "model/v2/system.h"

namespace mprogsim::v2 {

[[nodiscard]] std::vector<Violation> check_system_state(const System& system,
                                                        const Observation& after);

}  // namespace mprogsim::v2
