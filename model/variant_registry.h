// SPDX-License-Identifier: GPL-2.0
// The variant registry: everything the layers above need to know about a variant,
// looked up by its Semantics (model/variant.h). One entry per line of
// model/variants.def; each entry is built from the folder's VariantTraits, which must
// satisfy VariantFolder below, so a variant missing a piece does not compile.
//
// API (docs/architecture.md, "The variant registry"):
//   all_variants()              every entry, in registry order
//   variant_info(semantics)     one entry
//   variant_named("v2")         the entry of a name, or nullptr
//   variant_names(" or ")       "v2 or upstream", for messages
//   make_system / make_spec / make_target   fresh instances of a variant
#pragma once

#include <concepts>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "model/mprog_api.h"
#include "model/mutants.h"
#include "model/observation.h"
#include "model/target.h"
#include "model/variant.h"

namespace mprogsim {

// One attach flag as scenario files name it ("BEFORE") and its uapi bit.
struct AttachFlag {
  std::string_view name;
  u32 bit;
};

struct VariantInfo {
  Semantics semantics;
  std::string_view name;              // as scenario files and --variant spell it
  std::span<const AttachFlag> flags;  // every attach flag a scenario may name
  u32 flag_replace;                   // the bits the runner needs by role
  u32 flag_id;
  u32 flag_link;
  u32 attach_mask;  // what BPF_PROG_ATTACH accepts; other bits print as a number
  // Whether FIRST and LAST exist (v2): the generators pick positions with them, or,
  // without them, by BEFORE / no flag.
  bool first_last;
  // Whether BPF_F_REPLACE names its program in its own field, replace_bpf_fd
  // (upstream), instead of as the relative object (v2).
  bool replace_field;
  // The revision's width in bits (32 in v2's uapi, 64 upstream).
  unsigned revision_bits;
  // Whether a query of a hook without an entry answers (count 0, revision 1:
  // upstream) instead of failing; such a revision says nothing about the next one.
  bool empty_hook_answers;
  // What one committed change makes of the revision.
  u64 (*next_revision)(u64 before);
  std::unique_ptr<MprogApi> (*make_system)(Mutant mutant);  // sequential
  std::unique_ptr<MprogApi> (*make_spec)();
  std::unique_ptr<SimTarget> (*make_target)(Mutant mutant);  // driven by the simulator
  // The structural invariants of a system this variant's make_system made.
  std::vector<Violation> (*check_state)(const MprogApi& system, const Observation& after);
  // What the datapath can reach of such a system (see MirrorTarget::datapath_memory).
  std::string (*datapath_memory)(const MprogApi& system);
  std::span<const Mutant> mutants;             // the mutants a run of it can show
  std::span<const std::string_view> findings;  // the known findings of its code

  [[nodiscard]] bool has_flag(std::string_view flag) const;
  [[nodiscard]] bool has_mutant(Mutant mutant) const;
  [[nodiscard]] bool has_finding(std::string_view finding) const;
};

// What a variant's folder must provide (model/<folder>/variant.h, struct VariantTraits).
template <typename V>
concept VariantFolder = requires(Mutant mutant, const MprogApi& api, const Observation& after,
                                 u64 revision) {
  { V::kName } -> std::convertible_to<std::string_view>;
  {std::span<const AttachFlag>(V::kFlags)};
  { V::kFlagReplace } -> std::convertible_to<u32>;
  { V::kFlagId } -> std::convertible_to<u32>;
  { V::kFlagLink } -> std::convertible_to<u32>;
  { V::kAttachMask } -> std::convertible_to<u32>;
  { V::kFirstLast } -> std::convertible_to<bool>;
  { V::kReplaceField } -> std::convertible_to<bool>;
  { V::kRevisionBits } -> std::convertible_to<unsigned>;
  { V::kEmptyHookAnswers } -> std::convertible_to<bool>;
  { V::next_revision(revision) } -> std::same_as<u64>;
  { V::make_system(mutant) } -> std::same_as<std::unique_ptr<MprogApi>>;
  { V::make_spec() } -> std::same_as<std::unique_ptr<MprogApi>>;
  { V::make_target(mutant) } -> std::same_as<std::unique_ptr<SimTarget>>;
  { V::check_state(api, after) } -> std::same_as<std::vector<Violation>>;
  { V::datapath_memory(api) } -> std::same_as<std::string>;
  {std::span<const Mutant>(V::kMutants)};
  {std::span<const std::string_view>(V::kFindings)};
};

[[nodiscard]] std::span<const VariantInfo> all_variants();
[[nodiscard]] const VariantInfo& variant_info(Semantics semantics);
[[nodiscard]] const VariantInfo* variant_named(std::string_view name);
[[nodiscard]] std::string variant_names(std::string_view last_separator);

// Whether a run of `semantics` can show `mutant` (kNone fits every variant).
[[nodiscard]] bool mutant_fits(Mutant mutant, Semantics semantics);
// The variants that can show `mutant`: "v2", "v2 and upstream".
[[nodiscard]] std::string mutant_variants(Mutant mutant);
// The first variant in the registry that can show `mutant` (the default variant of a
// run of it).
[[nodiscard]] Semantics mutant_home(Mutant mutant);
// Empty when a run of `semantics` can show `mutant`, else why not (for an exit-2
// message: a run that cannot fail must not report "no violation").
[[nodiscard]] std::string mutant_refusal(Mutant mutant, Semantics semantics);

[[nodiscard]] inline std::unique_ptr<MprogApi> make_system(Semantics semantics,
                                                           Mutant mutant = Mutant::kNone) {
  return variant_info(semantics).make_system(mutant);
}
[[nodiscard]] inline std::unique_ptr<MprogApi> make_spec(Semantics semantics) {
  return variant_info(semantics).make_spec();
}
[[nodiscard]] inline std::unique_ptr<SimTarget> make_target(Semantics semantics,
                                                            Mutant mutant = Mutant::kNone) {
  return variant_info(semantics).make_target(mutant);
}

}  // namespace mprogsim
