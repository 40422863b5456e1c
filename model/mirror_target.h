// SPDX-License-Identifier: GPL-2.0
// The one SimTarget implementation, for any mirrored variant. A variant's
// model/<variant>/target.cc instantiates it with a small Layout struct that says what
// differs between mirrors: where a slot's link half lives, how wide the revision is,
// where the bundle sits inside its allocation, and how to install the initial revision.
//
//   struct Layout {
//     using System = ...;  using Device = net_device;  using Entry = bpf_mprog_entry;
//     using Bundle = bpf_mprog_bundle;  using Fp = bpf_mprog_fp;
//     static constexpr int kMax = BPF_MPROG_MAX;
//     static u64 revision(const Bundle&);              // the counter, as the kernel reads it
//     static u64 next_revision(u64 before);            // what one commit makes of it
//     static const bpf_link* link(const Entry&, int i);  // slot i's link, or null
//     static std::size_t bundle_offset();              // the bundle inside its allocation
//     static std::string entry_field(std::size_t in);  // "cp_items[3]" at an entry offset, or ""
//     static std::string bundle_field(std::size_t at); // the same at a bundle offset, or ""
//     static s64 initial_revision();  static void set_initial_revision(s64);
//   };
#pragma once

#include <cstddef>
#include <cstdlib>
#include <functional>
#include <memory>
#include <sstream>
#include <string>
#include <utility>

#include "model/target.h"

namespace mprogsim {

template <typename Layout>
class MirrorTarget final : public SimTarget {
  using Entry = typename Layout::Entry;
  using Bundle = typename Layout::Bundle;

 public:
  explicit MirrorTarget(Mutant mutant)
      : system_(typename Layout::System::Driven{}, mutant), mutant_(mutant) {}
  MprogApi& api() override { return system_; }
  Mutant mutant() const override { return mutant_; }
  BpfObjects& objects() override { return system_.objects(); }
  const void* device() const override { return &system_.device(); }
  std::size_t device_size() const override { return sizeof(typename Layout::Device); }

  std::function<void()> install_initial_revision() override {
    const auto saved = Layout::initial_revision();
    Layout::set_initial_revision(system_.initial_revision());
    return [saved] { Layout::set_initial_revision(saved); };
  }

  u64 next_revision(u64 before) const override { return Layout::next_revision(before); }

  std::optional<u64> revision() const override {
    const Entry* entry = system_.device().tcx_ingress;
    if (!entry) return std::nullopt;
    return Layout::revision(*entry->parent);
  }

  const void* published_entry() const override { return system_.device().tcx_ingress; }
  std::size_t entry_size() const override { return sizeof(Entry); }

  const void* published_bundle() const override {
    const Entry* entry = system_.device().tcx_ingress;
    return entry ? entry->parent : nullptr;
  }

  std::vector<const bpf_prog*> attached_without_link() const override {
    std::vector<const bpf_prog*> out;
    const Entry* entry = system_.device().tcx_ingress;
    if (!entry) return out;
    for (int i = 0; i < Layout::kMax && entry->fp_items[i].prog; i++) {
      if (!Layout::link(*entry, i)) out.push_back(entry->fp_items[i].prog);
    }
    return out;
  }

  std::size_t bundle_offset() const override { return Layout::bundle_offset(); }

  std::string bundle_field(std::size_t offset) const override {
    constexpr std::size_t kEntry = sizeof(Entry);
    constexpr std::size_t kFp = offsetof(Entry, fp_items);
    const std::size_t a = offsetof(Bundle, a);
    const std::size_t b = offsetof(Bundle, b);
    for (const auto& [base, name] : {std::pair{a, "a"}, std::pair{b, "b"}}) {
      if (offset < base || offset >= base + kEntry) continue;
      const std::size_t in = offset - base;
      if (in >= kFp && in < kFp + sizeof(Entry::fp_items)) {
        return std::string(name) + ".fp_items[" +
               std::to_string((in - kFp) / sizeof(typename Layout::Fp)) + "]";
      }
      const std::string field = Layout::entry_field(in);
      return field.empty() ? std::string(name) : std::string(name) + "." + field;
    }
    return Layout::bundle_field(offset);
  }

  std::string entries() const override {
    const Entry* entry = system_.device().tcx_ingress;
    if (!entry) return "published=none";
    auto list = [](const Entry& e) {
      std::ostringstream out;
      out << "[";
      for (int i = 0; i < Layout::kMax && e.fp_items[i].prog; i++) {
        out << (i ? " " : "") << "P" << e.fp_items[i].prog->model_id;
      }
      out << "]";
      return out.str();
    };
    const Bundle* bundle = entry->parent;
    std::ostringstream out;
    out << "published=" << (entry == &bundle->a ? "a" : "b") << " a=" << list(bundle->a)
        << " b=" << list(bundle->b) << " revision=" << Layout::revision(*bundle);
    return out.str();
  }

  // The mirrors allocate entries with calloc (their kzalloc).
  void free_unreachable_entry(void* allocation) override { std::free(allocation); }

  // What the datapath can reach of a sequential system's attach point, for the
  // enumeration's state identity: which entry is published and the program list of
  // both entries (the peer's stale one included).
  static std::string datapath_memory(const typename Layout::System& system) {
    const Entry* entry = system.device().tcx_ingress;
    if (!entry) return "published=none";
    auto list = [](const Entry& e) {
      std::string out = "[";
      for (int i = 0; i < Layout::kMax && e.fp_items[i].prog; i++) {
        out += (i ? " " : "") + std::to_string(e.fp_items[i].prog->model_id);
      }
      return out + "]";
    };
    const Bundle* b = entry->parent;
    return std::string("published=") + (entry == &b->a ? "a" : "b") + " a=" + list(b->a) +
           " b=" + list(b->b);
  }

 private:
  typename Layout::System system_;
  Mutant mutant_;
};

}  // namespace mprogsim
