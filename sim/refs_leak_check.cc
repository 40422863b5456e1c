// SPDX-License-Identifier: GPL-2.0
#include "sim/refs_leak_check.h"

#include <algorithm>

namespace mprogsim::sim {

bool RefsLeakCheck::on_quiescence() {
  Verdicts& verdicts = cx_.verdicts;
  BpfObjects& objects = cx_.target.objects();
  const auto attached = cx_.target.attached_without_link();
  u64 total = 0;
  for (u32 i = 0; i < objects.prog_count(); i++) {
    const bpf_prog* prog = objects.prog_at(i);
    u64 expected = objects.fd_refs(prog);
    expected += static_cast<u64>(std::count(attached.begin(), attached.end(), prog));
    for (u32 l = 0; l < objects.link_count(); l++) {
      const bpf_link* link = objects.link_at(l);
      if (link->refcnt > 0 && link->prog == prog) expected++;
    }
    const auto refcnt = static_cast<u64>(prog->aux->refcnt);
    total += refcnt;
    const Allocation* a = cx_.shadow.find(prog);
    const bool freed = a && a->freed;
    const std::string name = "P" + std::to_string(prog->model_id);
    if (refcnt != expected) {
      verdicts.violate("refs", kNoThread,
                       name + " holds " + std::to_string(refcnt) + " references but has " +
                           std::to_string(expected) + " owners",
                       {{"object", name},
                        {"refcnt", std::to_string(refcnt)},
                        {"owners", std::to_string(expected)}});
      return true;
    }
    if (refcnt == 0 && !freed) {
      verdicts.violate("leak", kNoThread, name + " has no references left but was never freed");
      return true;
    }
    if (refcnt > 0 && freed) {
      verdicts.violate("use-after-free", kNoThread,
                       name + " was freed while " + std::to_string(refcnt) + " references remain");
      return true;
    }
  }
  for (u32 l = 0; l < objects.link_count(); l++) {
    const bpf_link* link = objects.link_at(l);
    total += static_cast<u64>(link->refcnt);
    const u64 expected = objects.fd_refs(link);
    const std::string name = "L" + std::to_string(link->model_id);
    if (static_cast<u64>(link->refcnt) != expected) {
      verdicts.violate("refs", kNoThread,
                       name + " holds " + std::to_string(link->refcnt) + " references but has " +
                           std::to_string(expected) + " owners");
      return true;
    }
  }
  if (objects.refs_taken() - objects.refs_dropped() != total) {
    verdicts.violate("refs", kNoThread,
                     "references taken minus dropped is " +
                         std::to_string(objects.refs_taken() - objects.refs_dropped()) +
                         " but objects hold " + std::to_string(total));
    return true;
  }
  // v2 allocates the bundle; upstream the tcx_entry that starts with it.
  const auto published = reinterpret_cast<std::uintptr_t>(cx_.target.published_bundle());
  for (const Allocation& a : cx_.shadow.all()) {
    const bool entry = a.kind == Allocation::Kind::kEntry;
    if (entry && !a.freed && !(published >= a.start && published < a.start + a.size)) {
      verdicts.violate("leak", kNoThread, a.name() + " is neither published nor freed");
      return true;
    }
  }
  return false;
}

}  // namespace mprogsim::sim
