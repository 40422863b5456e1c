// SPDX-License-Identifier: GPL-2.0
#include "sim/spec_revision_check.h"

namespace mprogsim::sim {

void SpecRevisionCheck::on_step_end(std::size_t k, const Step& step, const StepReport& report) {
  const Reference& reference = cx_.reference;
  Verdicts& verdicts = cx_.verdicts;
  const std::uint64_t n = k + 1;
  if (step.op != StepOp::kRefs && report.line != reference.spec_lines[k]) {
    verdicts.violate("spec", kControlThread, "step " + std::to_string(n) + " differs from the spec",
                     {{"model", report.line}, {"spec", reference.spec_lines[k]}});
    return;
  }
  if (step.op != StepOp::kRefs && !report.mismatches.empty()) {
    verdicts.violate("spec", kControlThread,
                     "step " + std::to_string(n) +
                         " missed the file's expectation: " + report.mismatches.front(),
                     {{"model", report.line}});
    return;
  }
  const std::optional<u64> after = cx_.target.revision();
  if (after && *after == 0) {
    verdicts.violate("revision", kControlThread, "step " + std::to_string(n) + " left revision 0",
                     {{"step", report.line}});
    return;
  }
  const bool ok = report.observed.expect.value_or("OK") == "OK";
  const bool changed = reference.committed[n] != reference.committed[n - 1];
  if (revision_before_ && after && cx_.target.published_bundle()) {
    const u64 before = *revision_before_;
    const u64 next = cx_.target.next_revision(before);
    std::string broken;
    if (!ok && *after != before) broken = "a failed step moved the revision";
    if (ok && changed && *after != next)
      broken = "a committed change did not move the revision by one";
    if (ok && *after != before && *after != next) broken = "the revision moved by more than one";
    if (!broken.empty()) {
      verdicts.violate("revision", kControlThread, "step " + std::to_string(n) + ": " + broken,
                       {{"step", report.line},
                        {"before", std::to_string(before)},
                        {"after", std::to_string(*after)}});
    }
  }
}

}  // namespace mprogsim::sim
