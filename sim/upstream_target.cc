// SPDX-License-Identifier: GPL-2.0
// SimTarget for the upstream model (model/upstream/): the link half of each slot
// lives once in the bundle, and the revision is a 64-bit counter.
#include <cstddef>
#include <sstream>

#include "model/upstream/system.h"
#include "model/upstream/tcx.h"
#include "sim/target.h"

namespace mprogsim::sim {
namespace {

class UpstreamTarget final : public SimTarget {
 public:
  UpstreamTarget() : system_(upstream::System::Driven{}) {}
  MprogApi& api() override { return system_; }
  BpfObjects& objects() override { return system_.objects(); }
  const void* device() const override { return &system_.device(); }
  std::size_t device_size() const override { return sizeof(upstream::net_device); }

  std::function<void()> install_initial_revision() override {
    const s64 saved = upstream::bpf_mprog_initial_revision();
    upstream::bpf_mprog_set_initial_revision(system_.initial_revision());
    return [saved] { upstream::bpf_mprog_set_initial_revision(saved); };
  }

  // atomic64_inc: no value is skipped.
  u64 next_revision(u64 before) const override { return before + 1; }

  std::optional<u64> revision() const override {
    const upstream::bpf_mprog_entry* entry = system_.device().tcx_ingress;
    if (!entry) return std::nullopt;
    return static_cast<u64>(entry->parent->revision.counter);
  }

  const void* published_entry() const override { return system_.device().tcx_ingress; }
  std::size_t entry_size() const override { return sizeof(upstream::bpf_mprog_entry); }

  const void* published_bundle() const override {
    const upstream::bpf_mprog_entry* entry = system_.device().tcx_ingress;
    return entry ? entry->parent : nullptr;
  }

  std::vector<const bpf_prog*> attached_without_link() const override {
    std::vector<const bpf_prog*> out;
    const upstream::bpf_mprog_entry* entry = system_.device().tcx_ingress;
    if (!entry) return out;
    for (int i = 0; i < upstream::BPF_MPROG_MAX && entry->fp_items[i].prog; i++) {
      if (!entry->parent->cp_items[i].link) out.push_back(entry->fp_items[i].prog);
    }
    return out;
  }

  // tcx_entry_create allocates the tcx_entry around the bundle.
  std::size_t bundle_offset() const override { return offsetof(upstream::tcx_entry, bundle); }

  std::string bundle_field(std::size_t offset) const override {
    constexpr std::size_t kEntry = sizeof(upstream::bpf_mprog_entry);
    constexpr std::size_t kFp = offsetof(upstream::bpf_mprog_entry, fp_items);
    const std::size_t a = offsetof(upstream::bpf_mprog_bundle, a);
    const std::size_t b = offsetof(upstream::bpf_mprog_bundle, b);
    const std::size_t cp = offsetof(upstream::bpf_mprog_bundle, cp_items);
    for (const auto& [base, name] : {std::pair{a, "a"}, std::pair{b, "b"}}) {
      if (offset < base || offset >= base + kEntry) continue;
      const std::size_t in = offset - base;
      if (in >= kFp && in < kFp + sizeof(upstream::bpf_mprog_entry::fp_items)) {
        return std::string(name) + ".fp_items[" +
               std::to_string((in - kFp) / sizeof(upstream::bpf_mprog_fp)) + "]";
      }
      return name;
    }
    if (offset >= cp && offset < cp + sizeof(upstream::bpf_mprog_bundle::cp_items)) {
      return "cp_items[" + std::to_string((offset - cp) / sizeof(upstream::bpf_mprog_cp)) + "]";
    }
    return "";
  }

  std::string entries() const override {
    const upstream::bpf_mprog_entry* entry = system_.device().tcx_ingress;
    if (!entry) return "published=none";
    auto list = [](const upstream::bpf_mprog_entry& e) {
      std::ostringstream out;
      out << "[";
      for (int i = 0; i < upstream::BPF_MPROG_MAX && e.fp_items[i].prog; i++) {
        out << (i ? " " : "") << "P" << e.fp_items[i].prog->model_id;
      }
      out << "]";
      return out.str();
    };
    const upstream::bpf_mprog_bundle* bundle = entry->parent;
    std::ostringstream out;
    out << "published=" << (entry == &bundle->a ? "a" : "b") << " a=" << list(bundle->a)
        << " b=" << list(bundle->b) << " revision=" << bundle->revision.counter;
    return out.str();
  }

 private:
  upstream::System system_;
};

}  // namespace

std::unique_ptr<SimTarget> make_upstream_target() { return std::make_unique<UpstreamTarget>(); }

}  // namespace mprogsim::sim
