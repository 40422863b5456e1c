// SPDX-License-Identifier: GPL-2.0
// The attach flags of the upstream semantics (include/uapi/linux/bpf.h as merged in
// Linux 6.6: no BPF_F_FIRST/LAST, BPF_F_ID moved down to bit 5) and the mask the
// syscall layer applies to BPF_PROG_ATTACH/DETACH for an mprog program type. Shared by
// the upstream mirror, its spec and the harness, as model/uapi.h is for v2.
#pragma once

#include "model/mprog_api.h"

namespace mprogsim::upstream {

inline constexpr u32 BPF_F_ALLOW_OVERRIDE = 1U << 0;
inline constexpr u32 BPF_F_ALLOW_MULTI = 1U << 1;
inline constexpr u32 BPF_F_REPLACE = 1U << 2;
inline constexpr u32 BPF_F_BEFORE = 1U << 3;
inline constexpr u32 BPF_F_AFTER = 1U << 4;
inline constexpr u32 BPF_F_ID = 1U << 5;
inline constexpr u32 BPF_F_LINK = 1U << 13;  // same bit as in v2

// kernel/bpf/syscall.c
inline constexpr u32 BPF_F_ATTACH_MASK_MPROG =
    BPF_F_REPLACE | BPF_F_BEFORE | BPF_F_AFTER | BPF_F_ID | BPF_F_LINK;
inline constexpr u32 BPF_F_QUERY_EFFECTIVE = 1U << 0;

}  // namespace mprogsim::upstream
