// SPDX-License-Identifier: GPL-2.0
#include "model/kernel_compat.h"

#include <string>
#include <string_view>

#include "model/bpf_objects.h"
#include "model/sequential_hooks.h"

namespace mprogsim {
namespace {

SequentialHooks& default_hooks() {
  thread_local SequentialHooks hooks;
  return hooks;
}

}  // namespace

namespace detail {
thread_local constinit KernelHooks* g_hooks = nullptr;
KernelHooks* default_kernel_hooks() { return &default_hooks(); }
}  // namespace detail

void set_kernel_hooks(KernelHooks* hooks) { detail::g_hooks = hooks; }

// The file from the source root ("model/v2/bpf_mprog.h"): __FILE__ depends on where
// the tree is and how the build reaches it (absolute, or relative under ccache's base
// directory), and a message must not. The path starts at its last component that
// names one of the project's source folders.
std::string_view source_path(std::string_view file) {
  static constexpr std::string_view kFolders[] = {"model/",  "sim/",        "scenario/", "traces/",
                                                  "common/", "properties/", "tools/",    "fuzz/"};
  std::size_t best = std::string_view::npos;
  for (std::string_view folder : kFolders) {
    for (std::size_t at = file.rfind(folder); at != std::string_view::npos;
         at = at == 0 ? std::string_view::npos : file.rfind(folder, at - 1)) {
      if (at == 0 || file[at - 1] == '/') {
        if (best == std::string_view::npos || at > best) best = at;
        break;
      }
    }
  }
  return best == std::string_view::npos ? file : file.substr(best);
}

namespace {
// "int mprogsim::v2::bpf_mprog_attach(bpf_mprog_entry*, ...)" -> "bpf_mprog_attach";
// a lambda's "... bpf_mprog_free(bpf_mprog_bundle*)::<lambda()>" -> "bpf_mprog_free".
std::string_view bare_function(std::string_view pretty) {
  const std::size_t paren = pretty.find('(');
  std::string_view name = pretty.substr(0, paren);
  const std::size_t colons = name.rfind("::");
  if (colons != std::string_view::npos) name.remove_prefix(colons + 2);
  const std::size_t space = name.rfind(' ');
  if (space != std::string_view::npos) name.remove_prefix(space + 1);
  return name;
}
}  // namespace

std::string source_text(const SourceLoc& loc) {
  const std::string_view file = loc.file_name();
  if (file.empty()) return "";
  std::string out(source_path(file));
  out += ":" + std::to_string(loc.line());
  const std::string_view function = bare_function(loc.function_name());
  if (!function.empty()) {
    out += " ";
    out += function;
  }
  return out;
}

bool warn_on_once(bool cond, const char* text, const char* file, int line) {
  // model: reported every time it fires; any report fails the running property.
  if (cond) {
    kernel_hooks()->warn(std::string("kernel-warn: WARN_ON_ONCE(") + text + ") at " +
                         std::string(source_path(file)) + ":" + std::to_string(line));
  }
  return cond;
}

std::string model_index_text(u64 index) {
  std::string text = std::to_string(index);
  // A u32 index computed from a negative int (i - 1 with i == 0).
  if (index >= 0x80000000ULL && index <= 0xffffffffULL) {
    text += " (" + std::to_string(static_cast<s32>(static_cast<u32>(index))) + " as an int)";
  }
  return text;
}

u32 model_span(u64 idx, u64 num, u64 n, const char* what) {
  if (idx <= n && num <= n - idx) return static_cast<u32>(num);
  kernel_hooks()->out_of_bounds(std::string(what) + ": slots [" + model_index_text(idx) + ", +" +
                                std::to_string(num) + ") of a " + std::to_string(n) +
                                "-slot array");
  return idx < n ? static_cast<u32>(n - idx) : 0;
}

KernelScope::KernelScope(KernelHooks* hooks, BpfObjects* objects, Mutant mutant)
    : saved_hooks_(detail::g_hooks),
      saved_objects_(current_objects()),
      saved_mutant_(detail::install_mutant(mutant)) {
  detail::g_hooks = hooks;
  set_current_objects(objects);
}

KernelScope::~KernelScope() {
  detail::g_hooks = saved_hooks_;
  set_current_objects(saved_objects_);
  detail::install_mutant(saved_mutant_);
}

}  // namespace mprogsim
