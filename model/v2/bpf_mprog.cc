// SPDX-License-Identifier: GPL-2.0
// Mirror of kernel/bpf/mprog.c as the v2 patch has it (the seed). Same functions,
// same statement order: the order of checks decides which errno a caller sees.
// Lines that exist only to switch on a mutant (model/mutants.h) say so.
#include "model/v2/bpf_mprog.h"

#include <cstdlib>
#include <cstring>

namespace mprogsim::v2 {

// clang-format off
namespace {
thread_local int g_initial_revision = 1;
}  // namespace

int bpf_mprog_initial_revision() { return g_initial_revision; }
void bpf_mprog_set_initial_revision(int revision) { g_initial_revision = revision; }

bpf_mprog_entry *bpf_mprog_create(std::size_t extra_size)
{
	bpf_mprog_bundle *bundle;

	// model: kzalloc; calloc implicitly creates the bundle (and the caller's
	// extra fields behind it), all zero.
	bundle = static_cast<bpf_mprog_bundle *>(std::calloc(1, sizeof(*bundle) + extra_size));
	if (bundle) {
		kernel_hooks()->alloc(bundle, sizeof(*bundle) + extra_size, "bpf_mprog_bundle");
		atomic_set(&bundle->revision, bpf_mprog_initial_revision());
		bundle->a.parent = bundle;
		bundle->b.parent = bundle;
		return &bundle->a;
	}
	return nullptr;
}

void bpf_mprog_free(bpf_mprog_entry *entry)
{
	// kfree_rcu(entry->parent, rcu)
	bpf_mprog_bundle *bundle = entry->parent;
	if (mutant_active(Mutant::kFreeBundleNow)) {
		kernel_hooks()->kfree(bundle, [bundle] { std::free(bundle); });
		return;
	}
	kernel_hooks()->call_rcu(bundle, [bundle] {
		kernel_hooks()->kfree(bundle, [bundle] { std::free(bundle); });
	});
}

namespace {

int bpf_mprog_tuple_relative(bpf_tuple *tuple,
			     u32 object, u32 flags,
			     bpf_prog_type type)
{
	bpf_prog *prog;
	bpf_link *link;

	std::memset(tuple, 0, sizeof(*tuple));
	if (!(flags & (BPF_F_REPLACE | BPF_F_BEFORE | BPF_F_AFTER)))
		return object || (flags & (BPF_F_ID | BPF_F_LINK)) ?
		       -EINVAL : 0;
	if (flags & BPF_F_LINK) {
		if (flags & BPF_F_ID)
			link = bpf_link_by_id(object);
		else
			link = bpf_link_get_from_fd(object);
		if (IS_ERR(link))
			return PTR_ERR(link);
		if (type != BPF_PROG_TYPE_UNSPEC && link->prog->type != type) {
			bpf_link_put(link);
			return -EINVAL;
		}
		tuple->link = link;
		tuple->prog = link->prog;
	} else {
		if (flags & BPF_F_ID)
			prog = bpf_prog_by_id(object);
		else
			prog = bpf_prog_get(object);
		if (IS_ERR(prog)) {
			if (!object &&
			    !(flags & BPF_F_ID))
				return 0;
			return PTR_ERR(prog);
		}
		if (type != BPF_PROG_TYPE_UNSPEC && prog->type != type) {
			bpf_prog_put(prog);
			return -EINVAL;
		}
		tuple->link = nullptr;
		tuple->prog = prog;
	}
	return 0;
}

void bpf_mprog_tuple_put(bpf_tuple *tuple)
{
	if (tuple->link)
		bpf_link_put(tuple->link);
	else if (tuple->prog)
		bpf_prog_put(tuple->prog);
}

int bpf_mprog_replace(bpf_mprog_entry *entry,
		      bpf_tuple *ntuple,
		      bpf_tuple *rtuple, u32 rflags)
{
	bpf_mprog_fp *fp;
	bpf_mprog_cp *cp;
	bpf_prog *oprog;
	u32 iflags;
	int i;

	if (rflags & (BPF_F_BEFORE | BPF_F_AFTER | BPF_F_LINK))
		return -EINVAL;
	if (rtuple->prog != ntuple->prog &&
	    bpf_mprog_exists(entry, ntuple->prog))
		return -EEXIST;
	for (i = 0; i < static_cast<int>(bpf_mprog_max()); i++) {
		bpf_mprog_read(entry, i, &fp, &cp);
		oprog = READ_ONCE(fp->prog);
		if (!oprog)
			break;
		if (oprog != rtuple->prog)
			continue;
		if (cp->link != ntuple->link)
			return -EBUSY;
		iflags = cp->flags;
		if ((iflags & BPF_F_FIRST) !=
		    (rflags & BPF_F_FIRST)) {
			iflags = bpf_mprog_flags(iflags, rflags,
						 BPF_F_FIRST);
			if ((iflags & BPF_F_FIRST) &&
			    rtuple->prog != bpf_mprog_first(entry) &&
			    !mutant_active(Mutant::kReplaceSkipsAccess))
				return -EACCES;
		}
		if ((iflags & BPF_F_LAST) !=
		    (rflags & BPF_F_LAST)) {
			iflags = bpf_mprog_flags(iflags, rflags,
						 BPF_F_LAST);
			if ((iflags & BPF_F_LAST) &&
			    rtuple->prog != bpf_mprog_last(entry) &&
			    !mutant_active(Mutant::kReplaceSkipsAccess))
				return -EACCES;
		}
		bpf_mprog_write(fp, cp, ntuple, iflags);
		if (!ntuple->link)
			bpf_prog_put(oprog);
		return 0;
	}
	return -ENOENT;
}

int bpf_mprog_head_tail(bpf_mprog_entry *entry,
			bpf_tuple *ntuple,
			bpf_tuple *rtuple, u32 aflags)
{
	bpf_mprog_entry *peer;
	bpf_mprog_fp *fp;
	bpf_mprog_cp *cp;
	bpf_prog *oprog;
	u32 iflags, items;

	if (bpf_mprog_exists(entry, ntuple->prog))
		return -EEXIST;
	items = bpf_mprog_total(entry);
	peer = bpf_mprog_peer(entry);
	bpf_mprog_entry_clear(peer);
	if (aflags & BPF_F_FIRST) {
		if (aflags & BPF_F_AFTER)
			return -EINVAL;
		bpf_mprog_read(entry, 0, &fp, &cp);
		iflags = cp->flags;
		if ((iflags & BPF_F_FIRST) &&
		    !mutant_active(Mutant::kHeadTailFirstTwice))
			return -EBUSY;
		if (aflags & BPF_F_LAST) {
			if (aflags & BPF_F_BEFORE)
				return -EINVAL;
			if (items)
				return -EBUSY;
			bpf_mprog_read(peer, 0, &fp, &cp);
			bpf_mprog_write(fp, cp, ntuple,
					BPF_F_FIRST | BPF_F_LAST);
			return BPF_MPROG_SWAP;
		}
		if (aflags & BPF_F_BEFORE) {
			oprog = READ_ONCE(fp->prog);
			if (oprog != rtuple->prog ||
			    (rtuple->link &&
			     rtuple->link != cp->link))
				return -EBUSY;
		}
		if (items >= bpf_mprog_max())
			return -ENOSPC;
		bpf_mprog_read(peer, 0, &fp, &cp);
		bpf_mprog_write(fp, cp, ntuple, BPF_F_FIRST);
		bpf_mprog_copy_range(peer, entry, 1, 0, items);
		return BPF_MPROG_SWAP;
	}
	if (aflags & BPF_F_LAST) {
		if (aflags & BPF_F_BEFORE)
			return -EINVAL;
		if (items) {
			bpf_mprog_read(entry, items - 1, &fp, &cp);
			iflags = cp->flags;
			if (iflags & BPF_F_LAST)
				return -EBUSY;
			if (aflags & BPF_F_AFTER) {
				oprog = READ_ONCE(fp->prog);
				if (oprog != rtuple->prog ||
				    (rtuple->link &&
				     rtuple->link != cp->link))
					return -EBUSY;
			}
			if (items >= bpf_mprog_max())
				return -ENOSPC;
		} else {
			if (aflags & BPF_F_AFTER)
				return -EBUSY;
		}
		bpf_mprog_read(peer, items, &fp, &cp);
		bpf_mprog_write(fp, cp, ntuple, BPF_F_LAST);
		bpf_mprog_copy_range(peer, entry, 0, 0, items);
		return BPF_MPROG_SWAP;
	}
	return -ENOENT;
}

int bpf_mprog_add(bpf_mprog_entry *entry,
		  bpf_tuple *ntuple,
		  bpf_tuple *rtuple, u32 aflags)
{
	bpf_mprog_fp *fp_dst, *fp_src;
	bpf_mprog_cp *cp_dst, *cp_src;
	bpf_mprog_entry *peer;
	bpf_prog *oprog;
	bool found = false;
	u32 items;
	int i, j;

	items = bpf_mprog_total(entry);
	if (mutant_active(Mutant::kAddLimitOffByOne) ? items > bpf_mprog_max() :  // mutant
	    items >= bpf_mprog_max())
		return -ENOSPC;
	if ((aflags & (BPF_F_BEFORE | BPF_F_AFTER)) ==
	    (BPF_F_BEFORE | BPF_F_AFTER))
		return -EINVAL;
	if (bpf_mprog_exists(entry, ntuple->prog) &&
	    !mutant_active(Mutant::kAddSkipsExists))
		return -EEXIST;
	if (!rtuple->prog && (aflags & (BPF_F_BEFORE | BPF_F_AFTER))) {
		if (!items)
			aflags &= ~(BPF_F_AFTER | BPF_F_BEFORE);
		if (aflags & BPF_F_BEFORE)
			rtuple->prog = bpf_mprog_first_reg(entry);
		if (aflags & BPF_F_AFTER)
			rtuple->prog = bpf_mprog_last_reg(entry);
		if (!rtuple->prog)
			aflags &= ~(BPF_F_AFTER | BPF_F_BEFORE);
		else
			bpf_prog_inc(rtuple->prog);
	}
	peer = bpf_mprog_peer(entry);
	bpf_mprog_entry_clear(peer);
	for (i = 0, j = 0; i < static_cast<int>(bpf_mprog_max()); i++, j++) {
		bpf_mprog_read(entry, i, &fp_src, &cp_src);
		bpf_mprog_read(peer,  j, &fp_dst, &cp_dst);
		oprog = READ_ONCE(fp_src->prog);
		if (!oprog) {
			if (i != j)
				break;
			if (i > 0) {
				bpf_mprog_read(entry, i - 1,
					       &fp_src, &cp_src);
				if ((cp_src->flags & BPF_F_LAST) &&
				    !mutant_active(Mutant::kAddIgnoresLast)) {
					if (cp_src->flags & BPF_F_FIRST)
						return -EBUSY;
					bpf_mprog_copy(fp_dst, cp_dst,
						       fp_src, cp_src);
					bpf_mprog_read(peer, --j,
						       &fp_dst, &cp_dst);
				}
			}
			bpf_mprog_write(fp_dst, cp_dst, ntuple, 0);
			break;
		}
		if (aflags & (BPF_F_BEFORE | BPF_F_AFTER)) {
			if (rtuple->prog != oprog ||
			    (rtuple->link &&
			     rtuple->link != cp_src->link))
				goto next;
			found = true;
			if (aflags & BPF_F_BEFORE) {
				if ((cp_src->flags & BPF_F_FIRST) &&
				    !mutant_active(Mutant::kBeforeIgnoresFirst))
					return -EBUSY;
				bpf_mprog_write(fp_dst, cp_dst, ntuple, 0);
				bpf_mprog_read(peer, ++j, &fp_dst, &cp_dst);
				goto next;
			}
			if (aflags & BPF_F_AFTER) {
				if (cp_src->flags & BPF_F_LAST)
					return -EBUSY;
				bpf_mprog_copy(fp_dst, cp_dst,
					       fp_src, cp_src);
				bpf_mprog_read(peer, ++j, &fp_dst, &cp_dst);
				bpf_mprog_write(fp_dst, cp_dst, ntuple, 0);
				continue;
			}
		}
next:
		bpf_mprog_copy(fp_dst, cp_dst,
			       fp_src, cp_src);
	}
	if (rtuple->prog && !found)
		return -ENOENT;
	return BPF_MPROG_SWAP;
}

int bpf_mprog_del(bpf_mprog_entry *entry,
		  bpf_tuple *dtuple,
		  bpf_tuple *rtuple, u32 dflags)
{
	bpf_mprog_fp *fp_dst, *fp_src;
	bpf_mprog_cp *cp_dst, *cp_src;
	bpf_mprog_entry *peer;
	bpf_prog *oprog;
	bool found = false;
	int i, j, ret;

	if (dflags & BPF_F_REPLACE)
		return -EINVAL;
	if (dflags & BPF_F_FIRST) {
		oprog = bpf_mprog_first(entry);
		if (dtuple->prog &&
		    dtuple->prog != oprog)
			return -ENOENT;
		dtuple->prog = oprog;
	}
	if (dflags & BPF_F_LAST) {
		oprog = bpf_mprog_last(entry);
		if (dtuple->prog &&
		    dtuple->prog != oprog)
			return -ENOENT;
		dtuple->prog = oprog;
	}
	if (!rtuple->prog && (dflags & (BPF_F_BEFORE | BPF_F_AFTER))) {
		if (dtuple->prog)
			return -EINVAL;
		if (dflags & BPF_F_BEFORE)
			dtuple->prog = bpf_mprog_first_reg(entry);
		if (dflags & BPF_F_AFTER)
			dtuple->prog = bpf_mprog_last_reg(entry);
		if (dtuple->prog)
			dflags &= ~(BPF_F_AFTER | BPF_F_BEFORE);
	}
	for (i = 0; i < static_cast<int>(bpf_mprog_max()); i++) {
		bpf_mprog_read(entry, i, &fp_src, &cp_src);
		oprog = READ_ONCE(fp_src->prog);
		if (!oprog)
			break;
		if (dflags & (BPF_F_BEFORE | BPF_F_AFTER)) {
			if (rtuple->prog != oprog ||
			    (rtuple->link &&
			     rtuple->link != cp_src->link))
				continue;
			found = true;
			if (dflags & BPF_F_BEFORE) {
				if (!i && !mutant_active(Mutant::kDelBeforeNoBound))	// mutant
					return -ENOENT;
				bpf_mprog_read(entry, i - 1,
					       &fp_src, &cp_src);
				oprog = READ_ONCE(fp_src->prog);
				if (dtuple->prog &&
				    dtuple->prog != oprog)
					return -ENOENT;
				dtuple->prog = oprog;
				break;
			}
			if (dflags & BPF_F_AFTER) {
				bpf_mprog_read(entry, i + 1,
					       &fp_src, &cp_src);
				oprog = READ_ONCE(fp_src->prog);
				if (dtuple->prog &&
				    dtuple->prog != oprog)
					return -ENOENT;
				dtuple->prog = oprog;
				break;
			}
		}
	}
	if (!dtuple->prog || (rtuple->prog && !found))
		return -ENOENT;
	peer = bpf_mprog_peer(entry);
	bpf_mprog_entry_clear(peer);
	ret = -ENOENT;
	for (i = 0, j = 0; i < static_cast<int>(bpf_mprog_max()); i++) {
		bpf_mprog_read(entry, i, &fp_src, &cp_src);
		bpf_mprog_read(peer,  j, &fp_dst, &cp_dst);
		oprog = READ_ONCE(fp_src->prog);
		if (!oprog)
			break;
		if (oprog != dtuple->prog) {
			bpf_mprog_copy(fp_dst, cp_dst,
				       fp_src, cp_src);
			j++;
		} else {
			if (cp_src->link != dtuple->link)
				return -EBUSY;
			if (!cp_src->link &&
			    !mutant_active(Mutant::kDelForgetsRef)) {
				if (mutant_active(Mutant::kDelPutsEarly))
					bpf_prog_put(dtuple->prog);
				else
					bpf_mprog_mark_ref(entry, dtuple->prog);
			}
			ret = BPF_MPROG_SWAP;
		}
	}
	if (!bpf_mprog_total(peer))
		ret = BPF_MPROG_FREE;
	return ret;
}

}  // namespace

int bpf_mprog_attach(bpf_mprog_entry *entry, bpf_prog *prog,
		     bpf_link *link, u32 flags, u32 object,
		     u32 expected_revision)
{
	bpf_tuple rtuple, ntuple = {
		.prog = prog,
		.link = link,
	};
	int ret;

	if (expected_revision &&
	    expected_revision != bpf_mprog_revision(entry) &&
	    !mutant_active(Mutant::kAttachNoEstale))
		return -ESTALE;
	ret = bpf_mprog_tuple_relative(&rtuple, object, flags, prog->type);
	if (ret)
		return ret;
	if (flags & BPF_F_REPLACE)
		ret = bpf_mprog_replace(entry, &ntuple, &rtuple, flags);
	else if (flags & (BPF_F_FIRST | BPF_F_LAST))
		ret = bpf_mprog_head_tail(entry, &ntuple, &rtuple, flags);
	else
		ret = bpf_mprog_add(entry, &ntuple, &rtuple, flags);
	bpf_mprog_tuple_put(&rtuple);
	return ret;
}

int bpf_mprog_detach(bpf_mprog_entry *entry, bpf_prog *prog,
		     bpf_link *link, u32 flags, u32 object,
		     u32 expected_revision)
{
	bpf_tuple rtuple, dtuple = {
		.prog = prog,
		.link = link,
	};
	int ret;

	if (expected_revision &&
	    expected_revision != bpf_mprog_revision(entry))
		return -ESTALE;
	ret = bpf_mprog_tuple_relative(&rtuple, object, flags,
				       prog ? prog->type :
				       BPF_PROG_TYPE_UNSPEC);
	if (ret)
		return ret;
	ret = bpf_mprog_del(entry, &dtuple, &rtuple, flags);
	bpf_mprog_tuple_put(&rtuple);
	return ret;
}

int bpf_mprog_query(const bpf_mprog_query_attr *attr, bpf_mprog_query_uattr *uattr,
		    bpf_mprog_entry *entry)
{
	u32 i, id, flags = 0, count, revision;
	u32 *uprog_id, *uprog_af;
	u32 *ulink_id, *ulink_af;
	bpf_mprog_fp *fp;
	bpf_mprog_cp *cp;
	bpf_prog *prog;
	int ret = 0;

	if (attr->query_flags || attr->attach_flags)
		return -EINVAL;
	revision = bpf_mprog_revision(entry);
	count = bpf_mprog_total(entry);
	// model: copy_to_user() cannot fault here.
	uattr->attach_flags = flags;
	uattr->revision = revision;
	uattr->count = count;
	uprog_id = attr->prog_ids;
	if (attr->count == 0 || !uprog_id || !count)
		return 0;
	if (attr->count < count) {
		count = attr->count;
		if (!mutant_active(Mutant::kQueryNoEnospc))
			ret = -ENOSPC;
	}
	uprog_af = attr->prog_attach_flags;
	ulink_id = attr->link_ids;
	ulink_af = attr->link_attach_flags;
	for (i = 0; i < static_cast<u32>(BPF_MPROG_MAX); i++) {
		bpf_mprog_read(entry, i, &fp, &cp);
		prog = READ_ONCE(fp->prog);
		if (!prog)
			break;
		id = prog->aux->id;
		uprog_id[i] = id;
		id = cp->link ? cp->link->id : 0;
		if (ulink_id)
			ulink_id[i] = id;
		flags = cp->flags;
		if (uprog_af && !id &&
		    (flags || !mutant_active(Mutant::kQuerySkipsZeroFlags)))	// mutant
			uprog_af[i] = flags;
		if (ulink_af && id)
			ulink_af[i] = flags;
		if (i + 1 == count)
			break;
	}
	return ret;
}
// clang-format on

}  // namespace mprogsim::v2
