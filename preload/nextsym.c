/* nextsym.c: dlsym(RTLD_NEXT) for a list of names at once (nextsym.h). */
#include <elf.h>
#include <link.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include "nextsym.h"

struct walk {
	uintptr_t self;
	bool after;          /* self's object has been passed */
	const char *const *names;
	uint32_t *hashes;
	void **out;
	size_t n, left;
};

static uint32_t gnu_hash(const char *s)
{
	uint32_t h = 5381;

	for (; *s; s++)
		h = h * 33 + (unsigned char)*s;
	return h;
}

/* The loader has relocated the dynamic section's pointers of most
 * objects, not of all (the vDSO's): an offset is made an address. */
static uintptr_t at(ElfW(Addr) base, ElfW(Addr) p)
{
	return p < base ? base + p : p;
}

static void lookup(const struct dl_phdr_info *info, const ElfW(Dyn) *dyn,
		   struct walk *w)
{
	const uint32_t *gh = NULL;
	const ElfW(Sym) *symtab = NULL;
	const char *strtab = NULL;
	const uint16_t *versym = NULL;
	ElfW(Addr) base = info->dlpi_addr;

	for (; dyn->d_tag != DT_NULL; dyn++) {
		if (dyn->d_tag == DT_GNU_HASH)
			gh = (const uint32_t *)at(base, dyn->d_un.d_ptr);
		else if (dyn->d_tag == DT_SYMTAB)
			symtab = (const ElfW(Sym) *)at(base, dyn->d_un.d_ptr);
		else if (dyn->d_tag == DT_STRTAB)
			strtab = (const char *)at(base, dyn->d_un.d_ptr);
		else if (dyn->d_tag == DT_VERSYM)
			versym = (const uint16_t *)at(base, dyn->d_un.d_ptr);
	}
	if (!gh || !symtab || !strtab)
		return;
	uint32_t nbuckets = gh[0], symoffset = gh[1], bloom_size = gh[2],
		 shift = gh[3];
	const ElfW(Addr) *bloom = (const ElfW(Addr) *)&gh[4];
	const uint32_t *buckets = (const uint32_t *)&bloom[bloom_size];
	const uint32_t *chain = &buckets[nbuckets];
	const unsigned bits = sizeof(ElfW(Addr)) * 8;

	if (!nbuckets || !bloom_size)
		return;
	for (size_t i = 0; i < w->n; i++) {
		uint32_t h = w->hashes[i], s;
		ElfW(Addr) word;

		if (w->out[i])
			continue;
		word = bloom[(h / bits) % bloom_size];
		if (!((word >> (h % bits)) & (word >> ((h >> shift) % bits)) & 1))
			continue;
		s = buckets[h % nbuckets];
		if (s < symoffset)
			continue;
		for (;; s++) {
			uint32_t ch = chain[s - symoffset];
			const ElfW(Sym) *sym = &symtab[s];

			if ((ch | 1) == (h | 1) &&
			    strcmp(strtab + sym->st_name, w->names[i]) == 0 &&
			    sym->st_shndx != SHN_UNDEF &&
			    (!versym || !(versym[s] & 0x8000)) &&
			    ELF64_ST_TYPE(sym->st_info) == STT_FUNC &&
			    (ELF64_ST_BIND(sym->st_info) == STB_GLOBAL ||
			     ELF64_ST_BIND(sym->st_info) == STB_WEAK)) {
				w->out[i] = (void *)(base + sym->st_value);
				w->left--;
				break;
			}
			if (ch & 1)
				break;
		}
	}
}

static int visit(struct dl_phdr_info *info, size_t size, void *arg)
{
	struct walk *w = arg;
	const ElfW(Dyn) *dyn = NULL;
	bool mine = false;

	(void)size;
	for (int i = 0; i < info->dlpi_phnum; i++) {
		const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
		uintptr_t lo = info->dlpi_addr + ph->p_vaddr;

		if (ph->p_type == PT_DYNAMIC)
			dyn = (const ElfW(Dyn) *)lo;
		else if (ph->p_type == PT_LOAD && w->self >= lo &&
			 w->self < lo + ph->p_memsz)
			mine = true;
	}
	if (mine) {
		w->after = true;
		return 0;
	}
	if (w->after && dyn)
		lookup(info, dyn, w);
	return w->left == 0; /* all found: stop */
}

void odm_nextsym(const void *self, const char *const *names, void **out,
		 size_t n)
{
	uint32_t hashes[64];
	struct walk w = { (uintptr_t)self, false, names, hashes, out, n, n };

	if (n > 64)
		n = w.n = w.left = 64;
	for (size_t i = 0; i < n; i++) {
		hashes[i] = gnu_hash(names[i]);
		out[i] = NULL;
	}
	dl_iterate_phdr(visit, &w);
}
