// SPDX-License-Identifier: GPL-2.0
// What the simulator needs from one model variant: the syscall-level API driven by
// the control path, the object table, and a few direct looks at the attach point's
// state (taken between steps, outside any scheduling point, so they never perturb
// the run). Each variant makes its own (model/<variant>/target.cc, through the one
// template model/mirror_target.h); the simulator gets it from the registry
// (model/variant_registry.h). It lives in the model layer because it reads the
// mirrors' structures and nothing of the simulator.
#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "model/bpf_objects.h"
#include "model/mprog_api.h"
#include "model/mutants.h"

namespace mprogsim {

class SimTarget {
 public:
  virtual ~SimTarget() = default;
  virtual MprogApi& api() = 0;
  // The mutant the system was made with; the driver installs it with the hooks.
  virtual Mutant mutant() const = 0;
  virtual BpfObjects& objects() = 0;
  // The device whose published pointer readers load, and its size.
  virtual const void* device() const = 0;
  virtual std::size_t device_size() const = 0;
  // Sets the thread's initial bundle revision to the system's (the mirror code
  // reads it from a thread-local); returns what puts the old value back.
  virtual std::function<void()> install_initial_revision() = 0;
  // The revision one committed change moves `before` to.
  virtual u64 next_revision(u64 before) const = 0;
  // The published entry's revision; nullopt when nothing is published.
  virtual std::optional<u64> revision() const = 0;
  // The bundle behind the published entry, or null.
  virtual const void* published_bundle() const = 0;
  // The published entry itself (dev->tcx_ingress), or null, and the size of an
  // entry: the memory a reader holding that pointer can read.
  virtual const void* published_entry() const = 0;
  virtual std::size_t entry_size() const = 0;
  // Programs in the published list that hold a reference of their own (attached
  // without a link), with multiplicity.
  virtual std::vector<const bpf_prog*> attached_without_link() const = 0;
  // Where the bundle starts inside the allocation that holds it.
  virtual std::size_t bundle_offset() const = 0;
  // "a.fp_items[3]" for an offset inside a bundle; empty if unknown.
  virtual std::string bundle_field(std::size_t offset) const = 0;
  // "published=a [P1 P2] | a=[P1 P2] b=[P1]": both entries, for --explain.
  virtual std::string entries() const = 0;
  // Teardown of a run stopped mid-way: frees an entry allocation (a bundle, or the
  // tcx_entry around it) that nothing points to any more, the way the mirror
  // allocated it. The published one is freed by the target's own destructor.
  virtual void free_unreachable_entry(void* allocation) = 0;
};

}  // namespace mprogsim
