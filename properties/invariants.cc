// SPDX-License-Identifier: GPL-2.0
#include "properties/invariants.h"

#include "model/uapi.h"
#include "model/variant_registry.h"

namespace mprogsim::properties {

std::vector<Violation> check_state(Semantics semantics, const MprogApi& system,
                                   const Observation& after) {
  return variant_info(semantics).check_state(system, after);
}

std::vector<Violation> check_step(const StepFacts& facts, const Observation& before,
                                  const Observation& after) {
  std::vector<Violation> out;
  if (facts.kind == StepFacts::Kind::kOther) return out;
  if (facts.ret < 0) {
    // A failed call changes nothing a user can see; a failed link_create may leave
    // behind only a freed link (its id was consumed).
    Observation trimmed = after;
    bool stray_link = false;
    for (std::size_t i = 0; i < after.links.size(); i++) {
      const bool was_new = i >= before.links.size() || !before.links[i].exists;
      if (!was_new) continue;
      stray_link |= after.links[i].exists && !after.links[i].freed;
      if (i < before.links.size()) trimmed.links[i] = before.links[i];
    }
    trimmed.links.resize(before.links.size());
    if (!(trimmed == before) || stray_link) {
      out.push_back({"", "a failed call (" + errno_name(facts.ret) + ") changed the state: " +
                             describe(before) + " -> " + describe(after)});
    }
    // Upstream answers a hook without an entry with revision 1 whatever a new bundle
    // will start with (a test knob), so only a non-empty hook is held to its word.
    const VariantInfo& variant = variant_info(facts.semantics);
    const bool checkable = !variant.empty_hook_answers || before.query.count > 0;
    if (facts.ret == -ESTALE && facts.expected_revision != 0 && before.query.written && checkable &&
        facts.expected_revision == before.query.revision) {
      out.push_back(
          {variant.has_finding(kFindingEstaleHighRevision) ? kFindingEstaleHighRevision : "",
           "expected_revision " + std::to_string(facts.expected_revision) +
               " equals the queried revision, yet -ESTALE"});
    }
    return out;
  }
  // v2 frees the entry with its last program: no entry is a count of 0 then.
  const u32 count_after = after.query.written ? after.query.count : 0;
  if (facts.kind == StepFacts::Kind::kDetach && before.query.written &&
      count_after + 1 != before.query.count) {
    out.push_back({kFindingEmptyDetach, "a successful detach did not remove one program: " +
                                            describe(before) + " -> " + describe(after)});
  }
  const bool changed = !(before.query.prog_ids == after.query.prog_ids &&
                         before.query.link_ids == after.query.link_ids &&
                         before.query.prog_attach_flags == after.query.prog_attach_flags &&
                         before.query.link_attach_flags == after.query.link_attach_flags);
  // Where a hook without an entry answers (upstream), a hook that was or became empty
  // may have no entry and then reports revision 1 instead of the bundle's.
  const VariantInfo& variant = variant_info(facts.semantics);
  const bool comparable = variant.empty_hook_answers
                              ? before.query.count > 0 && after.query.count > 0
                              : before.query.written && after.query.written;
  if (comparable && changed &&
      after.query.revision != variant.next_revision(before.query.revision)) {
    out.push_back({"", "revision went from " + std::to_string(before.query.revision) + " to " +
                           std::to_string(after.query.revision) + " in one change"});
  }
  return out;
}

}  // namespace mprogsim::properties
