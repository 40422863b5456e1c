// SPDX-License-Identifier: GPL-2.0
// Mirror of include/linux/bpf_mprog.h as the v2 patch has it ("bpf: Add generic
// attach/detach/query API for multi-progs", bpf-next v2 1/7, 2023-06-07; the seed).
// One kernel line, one line here: same names, same order, same C types. Shared
// memory goes through the accessors of model/kernel_compat.h; memcpy and memset on
// the item arrays become per-slot plain writes so the simulator sees each slot.
// Model notes are marked "model:". Kernel behaviour is not fixed here, only mirrored;
// see docs/semantics.md for what it does that a reader may not expect.
#pragma once

#include "model/bpf_objects.h"
#include "model/kernel_compat.h"
#include "model/mutants.h"
#include "model/v2/uapi.h"

namespace mprogsim::v2 {

// clang-format off
using mprogsim::bpf_link;
using mprogsim::bpf_prog;

inline constexpr int BPF_MPROG_MAX = 64;
inline constexpr int BPF_MPROG_SWAP = 1;
inline constexpr int BPF_MPROG_FREE = 2;

struct bpf_mprog_fp {
	bpf_prog *prog;
};

struct bpf_mprog_cp {
	bpf_link *link;
	u32 flags;
};

struct bpf_mprog_bundle;

struct bpf_mprog_entry {
	alignas(64) bpf_mprog_fp fp_items[BPF_MPROG_MAX];
	alignas(64) bpf_mprog_cp cp_items[BPF_MPROG_MAX];
	bpf_mprog_bundle *parent;
};

struct bpf_mprog_bundle {
	bpf_mprog_entry a;
	bpf_mprog_entry b;
	// model: struct rcu_head rcu lives in the RCU hooks' queue instead.
	bpf_prog *ref;
	atomic_t revision;
};

struct bpf_tuple {
	bpf_prog *prog;
	bpf_link *link;
};

// model: the revision a new bundle starts with; 1 as in the kernel unless a test
// sets it to reach wrap-around. Stored as atomic_set() would store it.
int bpf_mprog_initial_revision();
void bpf_mprog_set_initial_revision(int revision);

inline bpf_mprog_entry *
bpf_mprog_peer(const bpf_mprog_entry *entry)
{
	if (entry == &entry->parent->a)
		return &entry->parent->b;
	else
		return &entry->parent->a;
}

// The kernel's statement expressions become comma expressions; same order of reads.
// model: model_walk() (kernel_compat.h) reports a walk that leaves the arrays (no NULL
// slot in 64) instead of reading past them, and ends it.
#define bpf_mprog_foreach_tuple(entry, fp, cp, t)				\
	for (fp = &entry->fp_items[0], cp = &entry->cp_items[0];		\
	     (t.prog = READ_ONCE(model_walk(entry->fp_items, fp, "fp_items")->prog), \
	      t.link = model_walk(entry->cp_items, cp, nullptr)->link, t.prog); \
	     fp++, cp++)

#define bpf_mprog_foreach_prog(entry, fp, p)					\
	for (fp = &entry->fp_items[0];						\
	     (p = READ_ONCE(model_walk(entry->fp_items, fp, "fp_items")->prog));	\
	     fp++)

bpf_mprog_entry *bpf_mprog_create(std::size_t extra_size);
void bpf_mprog_free(bpf_mprog_entry *entry);

inline void bpf_mprog_mark_ref(bpf_mprog_entry *entry, bpf_prog *prog)
{
	WARN_ON_ONCE(entry->parent->ref);
	entry->parent->ref = prog;
}

inline u32 bpf_mprog_flags(u32 cur_flags, u32 req_flags, u32 flag)
{
	if (req_flags & flag)
		cur_flags |= flag;
	else
		cur_flags &= ~flag;
	return cur_flags;
}

inline u32 bpf_mprog_max(void)
{
	return BPF_MPROG_MAX - 1;
}

inline bpf_prog *bpf_mprog_first(bpf_mprog_entry *entry)
{
	return READ_ONCE(entry->fp_items[0].prog);
}

inline bpf_prog *bpf_mprog_last(bpf_mprog_entry *entry)
{
	bpf_prog *tmp, *prog = nullptr;
	bpf_mprog_fp *fp;

	bpf_mprog_foreach_prog(entry, fp, tmp)
		prog = tmp;
	return prog;
}

inline bool bpf_mprog_exists(bpf_mprog_entry *entry, bpf_prog *prog)
{
	bpf_mprog_fp *fp;
	bpf_prog *tmp;

	bpf_mprog_foreach_prog(entry, fp, tmp) {
		if (tmp == prog)
			return true;
	}
	return false;
}

inline bpf_prog *bpf_mprog_first_reg(bpf_mprog_entry *entry)
{
	bpf_tuple tuple = {};
	bpf_mprog_fp *fp;
	bpf_mprog_cp *cp;

	bpf_mprog_foreach_tuple(entry, fp, cp, tuple) {
		if (cp->flags & BPF_F_FIRST)
			continue;
		return tuple.prog;
	}
	return nullptr;
}

inline bpf_prog *bpf_mprog_last_reg(bpf_mprog_entry *entry)
{
	bpf_tuple tuple = {};
	bpf_prog *prog = nullptr;
	bpf_mprog_fp *fp;
	bpf_mprog_cp *cp;

	bpf_mprog_foreach_tuple(entry, fp, cp, tuple) {
		if (cp->flags & BPF_F_LAST)
			break;
		prog = tuple.prog;
	}
	return prog;
}

inline void bpf_mprog_commit(bpf_mprog_entry *entry)
{
	// The revision is never 0 once committed: 0 means "no expectation" to users.
	do {
		atomic_inc(&entry->parent->revision);
	} while (atomic_read(&entry->parent->revision) == 0 &&
		 !mutant_active(Mutant::kCommitKeepsZero));
	// Readers may still walk the entry that was just replaced; the next update
	// clears and rewrites it, and the detached program is put below.
	if (!mutant_active(Mutant::kCommitNoSync))
		synchronize_rcu();
	if (entry->parent->ref) {
		bpf_prog_put(entry->parent->ref);
		entry->parent->ref = nullptr;
	}
}

inline void bpf_mprog_entry_clear(bpf_mprog_entry *entry)
{
	// model: memset of both arrays, one slot at a time.
	for (int i = 0; i < BPF_MPROG_MAX; i++) {
		plain_write(entry->fp_items[i].prog, static_cast<bpf_prog *>(nullptr));
		entry->cp_items[i] = {};
	}
}

inline u64 bpf_mprog_revision(bpf_mprog_entry *entry)
{
	// An int read into a u64: sign-extended, as in C.
	return atomic_read(&entry->parent->revision);
}

inline void bpf_mprog_read(bpf_mprog_entry *entry, u32 which,
			   bpf_mprog_fp **fp_dst,
			   bpf_mprog_cp **cp_dst)
{
	// model: checked indexing (kernel_compat.h): an index outside the arrays is
	// reported, and a scratch slot stands in for memory that is not the array's.
	*fp_dst = model_slot(entry->fp_items, which, "bpf_mprog_read: fp_items");
	*cp_dst = model_slot(entry->cp_items, which, nullptr);
}

inline void bpf_mprog_write(bpf_mprog_fp *fp_dst,
			    bpf_mprog_cp *cp_dst,
			    bpf_tuple *tuple, u32 flags)
{
	WRITE_ONCE(fp_dst->prog, tuple->prog);
	cp_dst->link  = tuple->link;
	cp_dst->flags = flags;
}

inline void bpf_mprog_copy(bpf_mprog_fp *fp_dst,
			   bpf_mprog_cp *cp_dst,
			   bpf_mprog_fp *fp_src,
			   bpf_mprog_cp *cp_src)
{
	WRITE_ONCE(fp_dst->prog, READ_ONCE(fp_src->prog));
	*cp_dst = *cp_src;
}

inline void bpf_mprog_copy_range(bpf_mprog_entry *peer,
				 bpf_mprog_entry *entry,
				 u32 idx_peer, u32 idx_entry, u32 num)
{
	// model: the two memcpy()s, one slot at a time. A range past the arrays (a broken
	// count) is reported and cut to what fits (kernel_compat.h, model_span).
	num = model_span(idx_peer, num, BPF_MPROG_MAX, "bpf_mprog_copy_range: peer slots");
	num = model_span(idx_entry, num, BPF_MPROG_MAX, "bpf_mprog_copy_range: entry slots");
	for (u32 k = 0; k < num; k++) {
		plain_write(peer->fp_items[idx_peer + k].prog,
			    plain_read(entry->fp_items[idx_entry + k].prog));
		peer->cp_items[idx_peer + k] = entry->cp_items[idx_entry + k];
	}
}

inline u32 bpf_mprog_total(bpf_mprog_entry *entry)
{
	bpf_mprog_fp *fp;
	bpf_prog *tmp;
	u32 num = 0;

	bpf_mprog_foreach_prog(entry, fp, tmp)
		num++;
	return num;
}

int bpf_mprog_attach(bpf_mprog_entry *entry, bpf_prog *prog,
		     bpf_link *link, u32 flags, u32 object,
		     u32 expected_revision);
int bpf_mprog_detach(bpf_mprog_entry *entry, bpf_prog *prog,
		     bpf_link *link, u32 flags, u32 object,
		     u32 expected_revision);

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
	u32 revision;
	u32 count;
};

int bpf_mprog_query(const bpf_mprog_query_attr *attr, bpf_mprog_query_uattr *uattr,
		    bpf_mprog_entry *entry);
// clang-format on

}  // namespace mprogsim::v2
