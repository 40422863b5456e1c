// SPDX-License-Identifier: GPL-2.0
// What a user can observe of one attach point through MprogApi, and what an invariant
// reports when it breaks. Here, in the model layer, because every variant's own state
// invariants (model/<variant>/invariants.cc) are written against them; the step
// invariants and the differential run are in properties/.
#pragma once

#include <string>
#include <vector>

#include "model/mprog_api.h"

namespace mprogsim {

struct Violation {
  std::string finding;  // empty: not a known finding (model/finding_ids.h)
  std::string what;
};

// A snapshot of everything a user can observe, for "a failed op changes nothing".
struct Observation {
  QueryResult query;
  std::vector<u32> ran;
  std::vector<ObjectInfo> progs;
  std::vector<ObjectInfo> links;
  u32 miniq_holds = 0;
  StaticKeys keys;
  bool operator==(const Observation& other) const;
};
[[nodiscard]] Observation observe(MprogApi& system, u32 progs_max, u32 links_max);
[[nodiscard]] std::string describe(const Observation& observation);

// The flags of query slot i: the link's when the slot holds a link.
[[nodiscard]] u32 slot_flags(const QueryResult& q, std::size_t i);
// Query elements the kernel left as the harness poisoned them (kQueryUnwritten).
// `other_kind_is_finding`: the other kind's flags element left alone is the known
// finding F4 (v2) rather than a violation.
void check_unwritten(const QueryResult& q, bool other_kind_is_finding, std::vector<Violation>* out);

}  // namespace mprogsim
