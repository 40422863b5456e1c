// SPDX-License-Identifier: GPL-2.0
// Mirror of include/linux/bpf_mprog.h as merged upstream (Linux 6.6, commit 053c8e1f235d
// "bpf: Add generic attach/detach/query API for multi-progs") with every later fix to it
// applied (see docs/semantics.md, "Upstream variant"). One kernel line, one line here:
// same names, same order, same C types. Shared memory goes through the accessors of
// model/kernel_compat.h; each memcpy/memmove/memset on fp_items becomes per-slot plain
// reads and writes so that the simulator sees every slot. Model notes say "model:".
//
// What changed against v2 (model/v2/bpf_mprog.h): no FIRST/LAST and no per-slot flags;
// the link half of a slot (cp_items) lives once in the bundle, shared by both entries;
// the bundle keeps a program count; the revision is an atomic64_t; the attach and detach
// entry points hand back the entry the caller must publish (entry_new) instead of a
// SWAP/FREE code; positions are computed by independent rules (pos_exact/before/after)
// that must agree.
#pragma once

#include <cstddef>
#include <cstring>
#include <string>

#include "model/bpf_objects.h"
#include "model/kernel_compat.h"
#include "model/mutants.h"
#include "model/upstream/uapi.h"

namespace mprogsim::upstream {

// clang-format off
using mprogsim::bpf_link;
using mprogsim::bpf_prog;

// model: atomic64_t, which model/kernel_compat.h does not provide (v2 has only atomic_t).
// Wraps in two's complement like the kernel's, with no undefined behaviour.
struct atomic64_t { s64 counter; };
inline s64 atomic64_read(const atomic64_t *v) { return v->counter; }
inline void atomic64_set(atomic64_t *v, s64 i) { v->counter = i; }
inline void atomic64_inc(atomic64_t *v)
{
	v->counter = static_cast<s64>(static_cast<u64>(v->counter) + 1U);
}

// model: token for token the macro of model/v2/bpf_mprog.h, so that both headers can be
// included in one translation unit (macros have no namespace). The loop ends at the
// first NULL slot; a walk past the array (a broken variant that filled all 64 slots,
// so that the kernel would read `parent` as a program) is reported by model_walk()
// (kernel_compat.h) and ends there.
#define bpf_mprog_foreach_prog(entry, fp, p)					\
	for (fp = &entry->fp_items[0];						\
	     (p = READ_ONCE(model_walk(entry->fp_items, fp, "fp_items")->prog));	\
	     fp++)

// model: bpf_mprog_foreach_tuple is not mirrored; its only user upstream is
// tcx_uninstall() (device teardown), which the model does not have.

inline constexpr int BPF_MPROG_MAX = 64;

struct bpf_mprog_fp {
	bpf_prog *prog;
};

struct bpf_mprog_cp {
	bpf_link *link;
};

struct bpf_mprog_bundle;

struct bpf_mprog_entry {
	bpf_mprog_fp fp_items[BPF_MPROG_MAX];
	bpf_mprog_bundle *parent;
};

struct bpf_mprog_bundle {
	bpf_mprog_entry a;
	bpf_mprog_entry b;
	bpf_mprog_cp cp_items[BPF_MPROG_MAX];
	bpf_prog *ref;
	atomic64_t revision;
	u32 count;
};

struct bpf_tuple {
	bpf_prog *prog;
	bpf_link *link;
};

// model: the revision bpf_mprog_bundle_init() gives a new bundle: 1 as in the kernel,
// unless a test sets it (to reach large values); stored as atomic64_set() stores it.
s64 bpf_mprog_initial_revision();
void bpf_mprog_set_initial_revision(s64 revision);

inline bpf_mprog_entry *
bpf_mprog_peer(const bpf_mprog_entry *entry)
{
	if (entry == &entry->parent->a)
		return &entry->parent->b;
	else
		return &entry->parent->a;
}

inline void bpf_mprog_bundle_init(bpf_mprog_bundle *bundle)
{
	static_assert(sizeof(bundle->a.fp_items[0]) <= sizeof(u64));

	// model: the memset of a bundle nobody can see yet (the caller just allocated it);
	// plain, not through the slot accessors.
	std::memset(static_cast<void *>(bundle), 0, sizeof(*bundle));
	atomic64_set(&bundle->revision, bpf_mprog_initial_revision());
	bundle->a.parent = bundle;
	bundle->b.parent = bundle;
}

inline void bpf_mprog_inc(bpf_mprog_entry *entry)
{
	entry->parent->count++;
}

inline void bpf_mprog_dec(bpf_mprog_entry *entry)
{
	entry->parent->count--;
}

inline int bpf_mprog_max(void)
{
	return BPF_MPROG_MAX - 1;	// ARRAY_SIZE(fp_items) - 1 in the kernel
}

inline int bpf_mprog_total(bpf_mprog_entry *entry)
{
	int total = static_cast<int>(entry->parent->count);

	WARN_ON_ONCE(total > bpf_mprog_max());
	return total;
}

inline bool bpf_mprog_exists(bpf_mprog_entry *entry,
			     bpf_prog *prog)
{
	const bpf_mprog_fp *fp;
	const bpf_prog *tmp;

	bpf_mprog_foreach_prog(entry, fp, tmp) {
		if (tmp == prog)
			return true;
	}
	return false;
}

inline void bpf_mprog_mark_for_release(bpf_mprog_entry *entry,
				       bpf_tuple *tuple)
{
	WARN_ON_ONCE(entry->parent->ref);
	if (!tuple->link && mutant_active(Mutant::kDelPutsEarly))
		bpf_prog_put(tuple->prog);	// mutant: before the swap and the grace period
	else if (!tuple->link)
		entry->parent->ref = tuple->prog;
}

inline void bpf_mprog_complete_release(bpf_mprog_entry *entry)
{
	// A program detached through the prog API keeps its attach reference until the
	// entry that held it was swapped out and no reader can be left on it; the caller
	// has waited for that before committing. Paired with bpf_mprog_mark_for_release().
	if (entry->parent->ref) {
		bpf_prog_put(entry->parent->ref);
		entry->parent->ref = nullptr;
	}
}

inline void bpf_mprog_revision_new(bpf_mprog_entry *entry)
{
	atomic64_inc(&entry->parent->revision);
}

inline void bpf_mprog_commit(bpf_mprog_entry *entry)
{
	bpf_mprog_complete_release(entry);
	bpf_mprog_revision_new(entry);
}

inline u64 bpf_mprog_revision(bpf_mprog_entry *entry)
{
	return static_cast<u64>(atomic64_read(&entry->parent->revision));
}

inline void bpf_mprog_entry_copy(bpf_mprog_entry *dst,
				 bpf_mprog_entry *src)
{
	// model: memcpy of fp_items, one slot at a time.
	for (int i = 0; i < BPF_MPROG_MAX; i++)
		plain_write(dst->fp_items[i].prog, plain_read(src->fp_items[i].prog));
}

inline void bpf_mprog_entry_clear(bpf_mprog_entry *dst)
{
	// model: memset of fp_items, one slot at a time.
	for (int i = 0; i < BPF_MPROG_MAX; i++)
		plain_write(dst->fp_items[i].prog, static_cast<bpf_prog *>(nullptr));
}

inline void bpf_mprog_clear_all(bpf_mprog_entry *entry,
				bpf_mprog_entry **entry_new)
{
	bpf_mprog_entry *peer;

	peer = bpf_mprog_peer(entry);
	bpf_mprog_entry_clear(peer);
	peer->parent->count = 0;
	*entry_new = peer;
}

// model: both memmove()s below touch the slots [idx, idx + num] (num moved, one more
// written or read at the far end). A broken variant (a count gone wrong) can ask for a
// range outside the array; the kernel would move memory that is not the array's, the
// model reports it (an out-of-bounds access, kernel_compat.h) and moves what fits.
inline int bpf_mprog_model_clamp(int idx, int num)
{
	if (idx < 0 || num < 0 || idx + num > BPF_MPROG_MAX - 1) {
		kernel_hooks()->out_of_bounds("memmove of slots [" + std::to_string(idx) + ", " +
					      std::to_string(idx + num) + "] of the " +
					      std::to_string(BPF_MPROG_MAX) + "-slot arrays");
		if (idx < 0 || idx > BPF_MPROG_MAX - 1 || num < 0)
			return 0;
		return BPF_MPROG_MAX - 1 - idx;
	}
	return num;
}

inline void bpf_mprog_entry_grow(bpf_mprog_entry *entry, int idx)
{
	int total = bpf_mprog_total(entry);
	int num = bpf_mprog_model_clamp(idx, total - idx);	// model: see above

	// model: the two memmove()s one slot up, one slot at a time from the top down.
	for (int k = num - 1; k >= 0; k--)
		plain_write(entry->fp_items[idx + 1 + k].prog,
			    plain_read(entry->fp_items[idx + k].prog));

	for (int k = num - 1; k >= 0; k--)
		entry->parent->cp_items[idx + 1 + k] = entry->parent->cp_items[idx + k];
}

inline void bpf_mprog_entry_shrink(bpf_mprog_entry *entry, int idx)
{
	// The whole array is moved (not just the programs in use), so that the NULL
	// terminator moves down with the rest.
	int total = BPF_MPROG_MAX;	// ARRAY_SIZE(entry->fp_items) in the kernel
	int num = bpf_mprog_model_clamp(idx, total - idx - 1);	// model: see above

	// model: the two memmove()s one slot down, one slot at a time from the bottom up.
	for (int k = 0; k < num; k++)
		plain_write(entry->fp_items[idx + k].prog,
			    plain_read(entry->fp_items[idx + 1 + k].prog));

	for (int k = 0; k < num; k++)
		entry->parent->cp_items[idx + k] = entry->parent->cp_items[idx + 1 + k];
}

inline void bpf_mprog_read(bpf_mprog_entry *entry, u32 idx,
			   bpf_mprog_fp **fp,
			   bpf_mprog_cp **cp)
{
	// model: the kernel indexes without a check (UBSAN reported idx 4294967295 here
	// before "bpf: Fix mprog detachment for empty mprog entry"). The model reports an
	// index outside the arrays as an out-of-bounds access (kernel_compat.h) and hands
	// out a zeroed scratch slot instead of memory that is not the array's.
	*fp = model_slot(entry->fp_items, idx, "bpf_mprog_read: fp_items");
	*cp = model_slot(entry->parent->cp_items, idx, nullptr);
}

inline void bpf_mprog_write(bpf_mprog_fp *fp,
			    bpf_mprog_cp *cp,
			    bpf_tuple *tuple)
{
	WRITE_ONCE(fp->prog, tuple->prog);
	cp->link = tuple->link;
}

[[nodiscard]] int bpf_mprog_attach(bpf_mprog_entry *entry,
				   bpf_mprog_entry **entry_new,
				   bpf_prog *prog_new, bpf_link *link,
				   bpf_prog *prog_old,
				   u32 flags, u32 id_or_fd, u64 revision);

[[nodiscard]] int bpf_mprog_detach(bpf_mprog_entry *entry,
				   bpf_mprog_entry **entry_new,
				   bpf_prog *prog, bpf_link *link,
				   u32 flags, u32 id_or_fd, u64 revision);

// model: the union bpf_attr query fields mprog reads, and the user memory it writes.
struct bpf_mprog_query_attr {
	u32 query_flags;
	u32 attach_flags;
	u32 count;
	// Null pointers stand for the user passing no array.
	u32 *prog_ids;
	u32 *prog_attach_flags;
	u32 *link_ids;
	u32 *link_attach_flags;
};
struct bpf_mprog_query_uattr {
	u32 attach_flags;
	u64 revision;
	u32 count;
};

[[nodiscard]] int bpf_mprog_query(const bpf_mprog_query_attr *attr,
				  bpf_mprog_query_uattr *uattr,
				  bpf_mprog_entry *entry);

inline bool bpf_mprog_supported(bpf_prog_type type)
{
	switch (type) {
	case BPF_PROG_TYPE_SCHED_CLS:
		return true;
	default:
		return false;
	}
}
// clang-format on

}  // namespace mprogsim::upstream
