// SPDX-License-Identifier: GPL-2.0
// Which variant a scenario, a system or a run is about: one enumerator per line of
// the registry (model/variants.def). Everything a variant means is looked up in the
// registry (model/variant_registry.h), never spelled as a comparison with one
// enumerator, so a new variant cannot quietly behave as another one.
#pragma once

#include <cstddef>

namespace mprogsim {

// (Named after the scenario format's "semantics" field, which names the variant.)
enum class Semantics : unsigned char {
#define MPROGSIM_VARIANT(enumerator, folder) enumerator,
#include "model/variants.def"
#undef MPROGSIM_VARIANT
};

inline constexpr std::size_t kVariantCount = 0
#define MPROGSIM_VARIANT(enumerator, folder) +1
#include "model/variants.def"
#undef MPROGSIM_VARIANT
    ;

}  // namespace mprogsim
