// SPDX-License-Identifier: GPL-2.0
#include "properties/diff_compare.h"

#include <algorithm>

namespace mprogsim::properties::diff {

std::string field_text(Field field) {
  switch (field) {
    case kReturnCode:
      return "return code differs";
    case kCount:
      return "count differs";
    case kRevision:
      return "revision differs";
    case kProgList:
      return "program list differs";
    case kLinkList:
      return "link list differs";
    case kFlags:
      return "flags differ";
    case kRunList:
      return "run list differs";
    case kRefcounts:
      return "refcounts differ";
    case kWarnings:
      return "kernel warnings or out-of-bounds accesses differ";
    case kOnlyIn:
      return "only in";
  }
  return "?";
}

std::vector<Field> differing_fields(const Step& a, const Step& b, std::size_t warnings_a,
                                    std::size_t warnings_b) {
  if (a.expect != b.expect) return {kReturnCode};
  std::vector<Field> out;
  if (a.expect_count != b.expect_count) {
    out.push_back(kCount);
  } else if (a.expect_progs != b.expect_progs) {
    out.push_back(kProgList);
  } else {
    if (a.expect_links != b.expect_links) out.push_back(kLinkList);
    if (a.expect_flags != b.expect_flags) out.push_back(kFlags);
  }
  if (a.expect_revision != b.expect_revision) out.push_back(kRevision);
  if (a.expect_ran != b.expect_ran) out.push_back(kRunList);
  if (a.expect_refs != b.expect_refs) out.push_back(kRefcounts);
  if ((warnings_a > 0) != (warnings_b > 0)) out.push_back(kWarnings);
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace mprogsim::properties::diff
