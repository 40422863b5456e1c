// SPDX-License-Identifier: GPL-2.0
// Mirror of kernel/bpf/mprog.c as merged upstream (Linux 6.6) with the later fixes to
// it applied. Same functions, same statement order: the order of checks decides which
// errno a caller sees. Lines that exist only to switch on a mutant (model/mutants.h)
// say so; each upstream mutant restores the code as it was before one fix.
#include "model/upstream/bpf_mprog.h"

#include <cstdlib>
#include <cstring>

namespace mprogsim::upstream {

// clang-format off
namespace {
thread_local s64 g_initial_revision = 1;
}  // namespace

s64 bpf_mprog_initial_revision() { return g_initial_revision; }
void bpf_mprog_set_initial_revision(s64 revision) { g_initial_revision = revision; }

namespace {

int bpf_mprog_link(bpf_tuple *tuple,
		   u32 id_or_fd, u32 flags,
		   bpf_prog_type type)
{
	bpf_link *link = ERR_PTR(-EINVAL);
	bool id = flags & BPF_F_ID;

	if (id)
		link = bpf_link_by_id(id_or_fd);
	else if (id_or_fd)
		link = bpf_link_get_from_fd(id_or_fd);
	if (IS_ERR(link))
		return PTR_ERR(link);
	if (type != BPF_PROG_TYPE_UNSPEC && link->prog->type != type) {
		bpf_link_put(link);
		return -EINVAL;
	}

	tuple->link = link;
	tuple->prog = link->prog;
	return 0;
}

int bpf_mprog_prog(bpf_tuple *tuple,
		   u32 id_or_fd, u32 flags,
		   bpf_prog_type type)
{
	bpf_prog *prog = ERR_PTR(-EINVAL);
	bool id = flags & BPF_F_ID;

	if (id)
		prog = bpf_prog_by_id(id_or_fd);
	else if (id_or_fd)
		prog = bpf_prog_get(id_or_fd);
	if (IS_ERR(prog))
		return PTR_ERR(prog);
	if (type != BPF_PROG_TYPE_UNSPEC && prog->type != type) {
		bpf_prog_put(prog);
		return -EINVAL;
	}

	tuple->link = nullptr;
	tuple->prog = prog;
	return 0;
}

int bpf_mprog_tuple_relative(bpf_tuple *tuple,
			     u32 id_or_fd, u32 flags,
			     bpf_prog_type type)
{
	bool link = flags & BPF_F_LINK;
	bool id = flags & BPF_F_ID;

	std::memset(tuple, 0, sizeof(*tuple));
	if (link)
		return bpf_mprog_link(tuple, id_or_fd, flags, type);
	// Neither an id nor an fd: no relative object. BEFORE/AFTER then stand for the
	// front/back of the array.
	if (!id && !id_or_fd)
		return 0;
	return bpf_mprog_prog(tuple, id_or_fd, flags, type);
}

void bpf_mprog_tuple_put(bpf_tuple *tuple)
{
	if (tuple->link)
		bpf_link_put(tuple->link);
	else if (tuple->prog)
		bpf_prog_put(tuple->prog);
}

// Positions, as the rules below compute them: replace and delete name an existing
// slot idx, except that a delete may also name -1 (in front of the first slot, meaning
// the first) or bpf_mprog_total() (behind the last, meaning the last). An insert gets
// the slot the new program goes next to, in the old array:
//
//   before P3 (old idx 1, P2's slot): the copy is grown at idx + 1 = 2 and P4 written
//   there; before P1 is old idx -1, new idx 0.
//
//     |P1|P2|P3|  -->  |P1|P2|  |P3|  -->  |P1|P2|P4|P3|
//
//   after P2 (old idx 2, P3's slot): the copy is grown at idx 2 and P4 written there;
//   after P3 is idx 3 == bpf_mprog_total(), a plain append.
//
//     |P1|P2|P3|  -->  |P1|P2|  |P3|  -->  |P1|P2|P4|P3|
int bpf_mprog_replace(bpf_mprog_entry *entry,
		      bpf_mprog_entry **entry_new,
		      bpf_tuple *ntuple, int idx)
{
	bpf_mprog_fp *fp;
	bpf_mprog_cp *cp;
	bpf_prog *oprog;

	bpf_mprog_read(entry, idx, &fp, &cp);
	oprog = READ_ONCE(fp->prog);
	bpf_mprog_write(fp, cp, ntuple);
	if (!ntuple->link) {
		WARN_ON_ONCE(cp->link);
		bpf_prog_put(oprog);
	}
	*entry_new = entry;
	return 0;
}

int bpf_mprog_insert(bpf_mprog_entry *entry,
		     bpf_mprog_entry **entry_new,
		     bpf_tuple *ntuple, int idx, u32 flags)
{
	int total = bpf_mprog_total(entry);
	bpf_mprog_entry *peer;
	bpf_mprog_fp *fp;
	bpf_mprog_cp *cp;

	peer = bpf_mprog_peer(entry);
	bpf_mprog_entry_copy(peer, entry);
	if (idx == total)
		goto insert;
	else if (flags & BPF_F_BEFORE)
		idx += 1;
	bpf_mprog_entry_grow(peer, idx);
insert:
	bpf_mprog_read(peer, idx, &fp, &cp);
	bpf_mprog_write(fp, cp, ntuple);
	bpf_mprog_inc(peer);
	*entry_new = peer;
	return 0;
}

int bpf_mprog_delete(bpf_mprog_entry *entry,
		     bpf_mprog_entry **entry_new,
		     bpf_tuple *dtuple, int idx)
{
	int total = bpf_mprog_total(entry);
	bpf_mprog_entry *peer;

	peer = bpf_mprog_peer(entry);
	bpf_mprog_entry_copy(peer, entry);
	if (idx == -1)
		idx = 0;
	else if (idx == total)
		idx = total - 1;
	bpf_mprog_entry_shrink(peer, idx);
	bpf_mprog_dec(peer);
	bpf_mprog_mark_for_release(peer, dtuple);
	*entry_new = peer;
	return 0;
}

// Each rule (the exact object, "before X", "after X") computes its target position on
// its own; the request is carried out only if every rule it names agrees.
int bpf_mprog_pos_exact(bpf_mprog_entry *entry,
			bpf_tuple *tuple)
{
	bpf_mprog_fp *fp;
	bpf_mprog_cp *cp;
	int i;

	for (i = 0; i < bpf_mprog_total(entry); i++) {
		bpf_mprog_read(entry, i, &fp, &cp);
		if (tuple->prog == READ_ONCE(fp->prog))
			return tuple->link == cp->link ? i : -EBUSY;
	}
	return -ENOENT;
}

int bpf_mprog_pos_before(bpf_mprog_entry *entry,
			 bpf_tuple *tuple)
{
	bpf_mprog_fp *fp;
	bpf_mprog_cp *cp;
	int i;

	for (i = 0; i < bpf_mprog_total(entry); i++) {
		bpf_mprog_read(entry, i, &fp, &cp);
		if (tuple->prog == READ_ONCE(fp->prog) &&
		    (!tuple->link || tuple->link == cp->link))
			return i - 1;
	}
	return tuple->prog ? -ENOENT : -1;
}

int bpf_mprog_pos_after(bpf_mprog_entry *entry,
			bpf_tuple *tuple)
{
	bpf_mprog_fp *fp;
	bpf_mprog_cp *cp;
	int i;

	for (i = 0; i < bpf_mprog_total(entry); i++) {
		bpf_mprog_read(entry, i, &fp, &cp);
		if (tuple->prog == READ_ONCE(fp->prog) &&
		    (!tuple->link || tuple->link == cp->link))
			return i + 1;
	}
	return tuple->prog ? -ENOENT : bpf_mprog_total(entry);
}

}  // namespace

int bpf_mprog_attach(bpf_mprog_entry *entry,
		     bpf_mprog_entry **entry_new,
		     bpf_prog *prog_new, bpf_link *link,
		     bpf_prog *prog_old,
		     u32 flags, u32 id_or_fd, u64 revision)
{
	bpf_tuple rtuple, ntuple = {
		.prog = prog_new,
		.link = link,
	}, otuple = {
		.prog = prog_old,
		.link = link,
	};
	int ret, idx = -ERANGE, tidx;

	if (revision && revision != bpf_mprog_revision(entry))
		return -ESTALE;
	if (bpf_mprog_exists(entry, prog_new))
		return -EEXIST;
	ret = bpf_mprog_tuple_relative(&rtuple, id_or_fd,
				       flags & ~BPF_F_REPLACE,
				       prog_new->type);
	if (ret)
		return ret;
	if (flags & BPF_F_REPLACE) {
		tidx = bpf_mprog_pos_exact(entry, &otuple);
		if (tidx < 0) {
			ret = tidx;
			goto out;
		}
		idx = tidx;
	} else if (bpf_mprog_total(entry) == bpf_mprog_max() &&
		   !mutant_active(Mutant::kUpstreamMaxCheckBefore)) {
		ret = -ERANGE;
		goto out;
	}
	if (flags & BPF_F_BEFORE) {
		tidx = bpf_mprog_pos_before(entry, &rtuple);
		if (tidx < -1 || (idx >= -1 && tidx != idx)) {
			ret = tidx < -1 ? tidx : -ERANGE;
			goto out;
		}
		idx = tidx;
	}
	if (flags & BPF_F_AFTER) {
		tidx = bpf_mprog_pos_after(entry, &rtuple);
		if (tidx < -1 || (idx >= -1 && tidx != idx)) {
			ret = tidx < 0 ? tidx : -ERANGE;
			goto out;
		}
		idx = tidx;
	}
	if (idx < -1) {
		if (rtuple.prog || flags) {
			ret = -EINVAL;
			goto out;
		}
		idx = bpf_mprog_total(entry);
		flags = BPF_F_AFTER;
	}
	if (idx >= bpf_mprog_max()) {
		ret = -ERANGE;
		goto out;
	}
	if (flags & BPF_F_REPLACE)
		ret = bpf_mprog_replace(entry, entry_new, &ntuple, idx);
	else
		ret = bpf_mprog_insert(entry, entry_new, &ntuple, idx, flags);
out:
	bpf_mprog_tuple_put(&rtuple);
	return ret;
}

namespace {

int bpf_mprog_fetch(bpf_mprog_entry *entry,
		    bpf_tuple *tuple, int idx)
{
	int total = bpf_mprog_total(entry);
	bpf_mprog_cp *cp;
	bpf_mprog_fp *fp;
	bpf_prog *prog;
	bpf_link *link;

	if (idx == -1 && !mutant_active(Mutant::kFetchFrontNoClamp))	// mutant
		idx = 0;
	else if (idx == total)
		idx = total - 1;
	bpf_mprog_read(entry, idx, &fp, &cp);
	prog = READ_ONCE(fp->prog);
	link = cp->link;
	// A delete either names its object (then this only cross-checks it) or names only
	// a position (then the object is taken from there). A slot that belongs to a link
	// can never be removed through the prog API.
	if (link && !tuple->link)
		return -EBUSY;
	WARN_ON_ONCE(tuple->prog && tuple->prog != prog);
	WARN_ON_ONCE(tuple->link && tuple->link != link);
	tuple->prog = prog;
	tuple->link = link;
	return 0;
}

}  // namespace

int bpf_mprog_detach(bpf_mprog_entry *entry,
		     bpf_mprog_entry **entry_new,
		     bpf_prog *prog, bpf_link *link,
		     u32 flags, u32 id_or_fd, u64 revision)
{
	bpf_tuple rtuple, dtuple = {
		.prog = prog,
		.link = link,
	};
	int ret, idx = -ERANGE, tidx;

	if (flags & BPF_F_REPLACE)
		return -EINVAL;
	if (revision && revision != bpf_mprog_revision(entry))
		return -ESTALE;
	if (!bpf_mprog_total(entry) &&
	    !mutant_active(Mutant::kUpstreamEmptyDetachBefore))
		return -ENOENT;
	ret = bpf_mprog_tuple_relative(&rtuple, id_or_fd, flags,
				       prog ? prog->type :
				       BPF_PROG_TYPE_UNSPEC);
	if (ret)
		return ret;
	if (dtuple.prog) {
		tidx = bpf_mprog_pos_exact(entry, &dtuple);
		if (tidx < 0) {
			ret = tidx;
			goto out;
		}
		idx = tidx;
	}
	if (flags & BPF_F_BEFORE) {
		tidx = bpf_mprog_pos_before(entry, &rtuple);
		if (tidx < -1 || (idx >= -1 && tidx != idx)) {
			ret = tidx < -1 ? tidx : -ERANGE;
			goto out;
		}
		idx = tidx;
	}
	if (flags & BPF_F_AFTER) {
		tidx = bpf_mprog_pos_after(entry, &rtuple);
		if (tidx < -1 || (idx >= -1 && tidx != idx)) {
			ret = tidx < 0 ? tidx : -ERANGE;
			goto out;
		}
		idx = tidx;
	}
	if (idx < -1) {
		if (rtuple.prog || flags) {
			ret = -EINVAL;
			goto out;
		}
		idx = bpf_mprog_total(entry);
		flags = BPF_F_AFTER;
	}
	if (idx >= bpf_mprog_max()) {
		ret = -ERANGE;
		goto out;
	}
	ret = bpf_mprog_fetch(entry, &dtuple, idx);
	if (ret)
		goto out;
	ret = bpf_mprog_delete(entry, entry_new, &dtuple, idx);
out:
	bpf_mprog_tuple_put(&rtuple);
	return ret;
}

int bpf_mprog_query(const bpf_mprog_query_attr *attr,
		    bpf_mprog_query_uattr *uattr,
		    bpf_mprog_entry *entry)
{
	u32 *uprog_flags, *ulink_flags;
	u32 *uprog_id, *ulink_id;
	bpf_mprog_fp *fp;
	bpf_mprog_cp *cp;
	bpf_prog *prog;
	const u32 flags = 0;
	u32 id, count = 0;
	u64 revision = 1;
	int i, ret = 0;

	if (attr->query_flags || attr->attach_flags)
		return -EINVAL;
	if (entry) {
		revision = bpf_mprog_revision(entry);
		count = static_cast<u32>(bpf_mprog_total(entry));
	}
	// model: copy_to_user() cannot fault here.
	uattr->attach_flags = flags;
	uattr->revision = revision;
	uattr->count = count;
	uprog_id = attr->prog_ids;
	uprog_flags = attr->prog_attach_flags;
	ulink_id = attr->link_ids;
	ulink_flags = attr->link_attach_flags;
	if (attr->count == 0 || !uprog_id || !count)
		return 0;
	if (attr->count < count) {
		count = attr->count;
		ret = -ENOSPC;
	}
	for (i = 0; i < bpf_mprog_max(); i++) {
		bpf_mprog_read(entry, i, &fp, &cp);
		prog = READ_ONCE(fp->prog);
		if (!prog)
			break;
		id = prog->aux->id;
		uprog_id[i] = id;
		if (uprog_flags)
			uprog_flags[i] = flags;
		id = cp->link ? cp->link->id : 0;
		if (ulink_id)
			ulink_id[i] = id;
		if (ulink_flags)
			ulink_flags[i] = flags;
		if (static_cast<u32>(i) + 1 == count)
			break;
	}
	return ret;
}
// clang-format on

}  // namespace mprogsim::upstream
