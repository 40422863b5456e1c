// SPDX-License-Identifier: GPL-2.0
// The attach flags of the v2 semantics (include/uapi/linux/bpf.h as changed by the v2
// patch) and the mask the syscall layer applies to BPF_PROG_ATTACH/DETACH for an mprog
// program type. Shared by the v2 mirror, its spec and the harness.
#pragma once

#include "model/mprog_api.h"

namespace mprogsim::v2 {

// include/uapi/linux/bpf.h as changed by the v2 patch.
inline constexpr u32 BPF_F_REPLACE = 1U << 2;
inline constexpr u32 BPF_F_BEFORE = 1U << 3;
inline constexpr u32 BPF_F_AFTER = 1U << 4;
inline constexpr u32 BPF_F_FIRST = 1U << 5;
inline constexpr u32 BPF_F_LAST = 1U << 6;
inline constexpr u32 BPF_F_ID = 1U << 7;
inline constexpr u32 BPF_F_LINK = 1U << 13;
// syscall.c: the flags BPF_PROG_ATTACH/DETACH accept for an mprog program type.
inline constexpr u32 BPF_F_ATTACH_MASK_MPROG =
    BPF_F_REPLACE | BPF_F_BEFORE | BPF_F_AFTER | BPF_F_FIRST | BPF_F_LAST | BPF_F_ID | BPF_F_LINK;

}  // namespace mprogsim::v2
