// SPDX-License-Identifier: GPL-2.0
// SimTarget for the v2 model (model/v2/).
#include <cstddef>
#include <sstream>

#include "model/v2/system.h"
#include "sim/target.h"

namespace mprogsim::sim {
namespace {

class V2Target final : public SimTarget {
 public:
  V2Target() : system_(v2::System::Driven{}) {}
  MprogApi& api() override { return system_; }
  BpfObjects& objects() override { return system_.objects(); }
  const void* device() const override { return &system_.device(); }
  std::size_t device_size() const override { return sizeof(v2::net_device); }
  std::function<void()> install_initial_revision() override {
    const int saved = v2::bpf_mprog_initial_revision();
    v2::bpf_mprog_set_initial_revision(system_.initial_revision());
    return [saved] { v2::bpf_mprog_set_initial_revision(saved); };
  }

  // A u32 counter that skips 0 (bpf_mprog_commit).
  u64 next_revision(u64 before) const override {
    const u32 next = static_cast<u32>(before) + 1U;
    return next == 0 ? 1 : next;
  }

  std::optional<u64> revision() const override {
    const v2::bpf_mprog_entry* entry = system_.device().tcx_ingress;
    if (!entry) return std::nullopt;
    return static_cast<u32>(entry->parent->revision.counter);
  }

  const void* published_entry() const override { return system_.device().tcx_ingress; }
  std::size_t entry_size() const override { return sizeof(v2::bpf_mprog_entry); }

  const void* published_bundle() const override {
    const v2::bpf_mprog_entry* entry = system_.device().tcx_ingress;
    return entry ? entry->parent : nullptr;
  }

  std::vector<const bpf_prog*> attached_without_link() const override {
    std::vector<const bpf_prog*> out;
    const v2::bpf_mprog_entry* entry = system_.device().tcx_ingress;
    if (!entry) return out;
    for (int i = 0; i < v2::BPF_MPROG_MAX && entry->fp_items[i].prog; i++) {
      if (!entry->cp_items[i].link) out.push_back(entry->fp_items[i].prog);
    }
    return out;
  }

  std::size_t bundle_offset() const override { return 0; }  // bpf_mprog_create allocates it

  std::string bundle_field(std::size_t offset) const override {
    constexpr std::size_t kEntry = sizeof(v2::bpf_mprog_entry);
    constexpr std::size_t kFp = offsetof(v2::bpf_mprog_entry, fp_items);
    constexpr std::size_t kCp = offsetof(v2::bpf_mprog_entry, cp_items);
    const std::size_t a = offsetof(v2::bpf_mprog_bundle, a);
    const std::size_t b = offsetof(v2::bpf_mprog_bundle, b);
    for (const auto& [base, name] : {std::pair{a, "a"}, std::pair{b, "b"}}) {
      if (offset < base || offset >= base + kEntry) continue;
      const std::size_t in = offset - base;
      if (in >= kFp && in < kFp + sizeof(v2::bpf_mprog_entry::fp_items)) {
        return std::string(name) + ".fp_items[" +
               std::to_string((in - kFp) / sizeof(v2::bpf_mprog_fp)) + "]";
      }
      if (in >= kCp && in < kCp + sizeof(v2::bpf_mprog_entry::cp_items)) {
        return std::string(name) + ".cp_items[" +
               std::to_string((in - kCp) / sizeof(v2::bpf_mprog_cp)) + "]";
      }
      return name;
    }
    return "";
  }

  std::string entries() const override {
    const v2::bpf_mprog_entry* entry = system_.device().tcx_ingress;
    if (!entry) return "published=none";
    auto list = [](const v2::bpf_mprog_entry& e) {
      std::ostringstream out;
      out << "[";
      for (int i = 0; i < v2::BPF_MPROG_MAX && e.fp_items[i].prog; i++) {
        out << (i ? " " : "") << "P" << e.fp_items[i].prog->model_id;
      }
      out << "]";
      return out.str();
    };
    const v2::bpf_mprog_bundle* bundle = entry->parent;
    std::ostringstream out;
    out << "published=" << (entry == &bundle->a ? "a" : "b") << " a=" << list(bundle->a)
        << " b=" << list(bundle->b) << " revision=" << static_cast<u32>(bundle->revision.counter);
    return out.str();
  }

 private:
  v2::System system_;
};

}  // namespace

std::unique_ptr<SimTarget> make_v2_target() { return std::make_unique<V2Target>(); }

}  // namespace mprogsim::sim
