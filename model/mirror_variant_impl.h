// SPDX-License-Identifier: GPL-2.0
// MirrorVariant's definitions (model/mirror_variant.h), for a variant folder's
// variant.cc only: it includes this, defines its Mirror and instantiates
// `template struct MirrorVariant<Mirror>;`.
#pragma once

#include <concepts>
#include <memory>
#include <string>
#include <vector>

#include "common/assert.h"
#include "model/mirror_target.h"
#include "model/mirror_variant.h"

namespace mprogsim {

// What a folder's Mirror must name beyond MirrorTarget's Layout: its system (made for
// sequential runs from a mutant), its spec and its state invariants.
template <typename M>
concept MirrorPieces = requires(Mutant mutant, const typename M::System& system,
                                const Observation& after) {
  requires std::derived_from<typename M::System, MprogApi>;
  requires std::constructible_from<typename M::System, Mutant>;
  requires std::derived_from<typename M::Spec, MprogApi>;
  requires std::default_initializable<typename M::Spec>;
  { M::check_state(system, after) } -> std::same_as<std::vector<Violation>>;
};

namespace mirror_variant_detail {

// The registry hands a variant's checks only systems its own make_system made.
template <typename Mirror>
const typename Mirror::System& system_of(const MprogApi& api) {
  const auto* system = dynamic_cast<const typename Mirror::System*>(&api);
  SIM_ASSERT(system, "a variant's check given a system of another variant");
  return *system;
}

}  // namespace mirror_variant_detail

template <typename Mirror>
std::unique_ptr<MprogApi> MirrorVariant<Mirror>::make_system(Mutant mutant) {
  static_assert(MirrorPieces<Mirror>,
                "model/<variant>/variant.cc: Mirror lacks a piece of MirrorPieces");
  return std::make_unique<typename Mirror::System>(mutant);
}

template <typename Mirror>
std::unique_ptr<MprogApi> MirrorVariant<Mirror>::make_spec() {
  return std::make_unique<typename Mirror::Spec>();
}

template <typename Mirror>
std::unique_ptr<SimTarget> MirrorVariant<Mirror>::make_target(Mutant mutant) {
  return std::make_unique<MirrorTarget<Mirror>>(mutant);
}

template <typename Mirror>
std::vector<Violation> MirrorVariant<Mirror>::check_state(const MprogApi& api,
                                                          const Observation& after) {
  return Mirror::check_state(mirror_variant_detail::system_of<Mirror>(api), after);
}

template <typename Mirror>
std::string MirrorVariant<Mirror>::datapath_memory(const MprogApi& api) {
  return MirrorTarget<Mirror>::datapath_memory(mirror_variant_detail::system_of<Mirror>(api));
}

}  // namespace mprogsim
