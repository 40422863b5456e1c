// SPDX-License-Identifier: GPL-2.0
// Numbers the user and the kernel agree on: errno values (Linux, x86-64) and the
// attach flags of each semantics. Shared by the model, the spec and the harness.
#pragma once

#include <cerrno>
#include <optional>
#include <string>
#include <string_view>

#include "model/mprog_api.h"

namespace mprogsim {

// Linux errno values, from the host's <cerrno> (this project builds on Linux only);
// kernel functions return them negated. The asserts pin the values traces print.
static_assert(EPERM == 1 && ENOENT == 2 && E2BIG == 7 && EBADF == 9 && EAGAIN == 11);
static_assert(ENOMEM == 12 && EACCES == 13 && EFAULT == 14 && EBUSY == 16 && EEXIST == 17);
static_assert(ENODEV == 19 && EINVAL == 22 && ENOSPC == 28 && ERANGE == 34);
static_assert(ENOLINK == 67 && ESTALE == 116);

// "OK" for 0, "EBUSY" for -EBUSY (or EBUSY), "E<n>" for anything unnamed.
std::string errno_name(int ret);
// The inverse: "OK" -> 0, "EBUSY" -> -EBUSY; nullopt for an unknown name.
std::optional<int> errno_from_name(std::string_view name);

namespace v2 {
// include/uapi/linux/bpf.h as changed by the v2 patch.
inline constexpr u32 BPF_F_REPLACE = 1U << 2;
inline constexpr u32 BPF_F_BEFORE = 1U << 3;
inline constexpr u32 BPF_F_AFTER = 1U << 4;
inline constexpr u32 BPF_F_FIRST = 1U << 5;
inline constexpr u32 BPF_F_LAST = 1U << 6;
inline constexpr u32 BPF_F_ID = 1U << 7;
inline constexpr u32 BPF_F_LINK = 1U << 13;
// syscall.c: the flags BPF_PROG_ATTACH/DETACH accept for an mprog program type.
inline constexpr u32 BPF_F_ATTACH_MASK_MPROG = BPF_F_REPLACE | BPF_F_BEFORE | BPF_F_AFTER |
                                               BPF_F_FIRST | BPF_F_LAST | BPF_F_ID | BPF_F_LINK;
}  // namespace v2

}  // namespace mprogsim
