// SPDX-License-Identifier: GPL-2.0
// The registry functions every mirrored variant defines alike: its factories (system,
// spec, simulator target) and its checks (state invariants, datapath memory). A
// variant's VariantTraits (model/<folder>/variant.h) derives from MirrorVariant<Mirror>,
// where `Mirror` is a struct of the folder's variant.cc naming only what differs:
//
//   struct Mirror {                       // everything MirrorTarget's Layout holds
//     using System = ...;  ...            // (model/mirror_target.h), plus:
//     using Spec = MprogSpec;             // the folder's abstract spec
//     static std::vector<Violation> check_state(const System&, const Observation& after);
//   };
//   template struct MirrorVariant<Mirror>;  // in variant.cc, after
//                                           // #include "model/mirror_variant_impl.h"
//
// The header declares only: the layers above never see a mirror's types.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "model/mprog_api.h"
#include "model/mutants.h"
#include "model/observation.h"
#include "model/target.h"

namespace mprogsim {

template <typename Mirror>
struct MirrorVariant {
  [[nodiscard]] static std::unique_ptr<MprogApi> make_system(Mutant mutant);
  [[nodiscard]] static std::unique_ptr<MprogApi> make_spec();
  [[nodiscard]] static std::unique_ptr<SimTarget> make_target(Mutant mutant);
  // The structural invariants of a system make_system made.
  [[nodiscard]] static std::vector<Violation> check_state(const MprogApi& system,
                                                          const Observation& after);
  // What the datapath can reach of such a system (MirrorTarget::datapath_memory).
  [[nodiscard]] static std::string datapath_memory(const MprogApi& system);
};

}  // namespace mprogsim
