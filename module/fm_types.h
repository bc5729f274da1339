/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Types for the code that builds both in the kernel and in userspace
 * (parser, encoders, flow key). In the kernel this is just the kernel's
 * headers; in userspace it maps the few kernel types and helpers we use
 * onto libc so the same files compile for unit tests and fuzzers.
 */
#ifndef _FM_TYPES_H
#define _FM_TYPES_H

#ifdef __KERNEL__
#include <linux/types.h>
#include <linux/string.h>
#include <linux/in6.h>
#include <linux/version.h>
#include <linux/bug.h>
#include <linux/build_bug.h>
#include <linux/limits.h>
#include <linux/minmax.h>
#include <asm/byteorder.h>
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 12, 0)
#include <linux/unaligned.h>
#else
#include <asm/unaligned.h>
#endif
#else
#include <stdint.h>
#include <stddef.h>
#include <string.h>
#include <stdbool.h>
#include <endian.h>
#include <arpa/inet.h>
#include <netinet/in.h>

typedef uint8_t u8;
typedef uint16_t u16;
typedef uint32_t u32;
typedef uint64_t u64;
typedef int32_t s32;
/* the kernel's uapi names (uapi_flowmeter.h uses them too) */
#include <linux/types.h>

#define cpu_to_be16(x) htobe16(x)
#define cpu_to_be32(x) htobe32(x)
#define cpu_to_be64(x) htobe64(x)
#define be16_to_cpu(x) be16toh(x)
#define be32_to_cpu(x) be32toh(x)
#define be64_to_cpu(x) be64toh(x)
#define le64_to_cpu(x) le64toh(x)
#define htons_c(x) htons(x)

#define likely(x) __builtin_expect(!!(x), 1)
#define unlikely(x) __builtin_expect(!!(x), 0)
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#ifndef min
#define min(a, b) ((a) < (b) ? (a) : (b))
#define max(a, b) ((a) > (b) ? (a) : (b))
#endif
#define max_t(t, a, b) max((t)(a), (t)(b))
#define min_t(t, a, b) min((t)(a), (t)(b))
#ifndef __always_inline
#define __always_inline inline __attribute__((always_inline))
#endif
#define BUILD_BUG_ON(c) _Static_assert(!(c), #c)
#define WARN_ON_ONCE(c) __builtin_expect(!!(c), 0)
#define U16_MAX 65535
#ifndef container_of
#define container_of(p, type, member) \
	((type *)((char *)(p) - offsetof(type, member)))
#endif

static inline void put_unaligned_be16(u16 v, void *p)
{
	v = htobe16(v);
	memcpy(p, &v, 2);
}

static inline void put_unaligned_be32(u32 v, void *p)
{
	v = htobe32(v);
	memcpy(p, &v, 4);
}

static inline void put_unaligned_be64(u64 v, void *p)
{
	v = htobe64(v);
	memcpy(p, &v, 8);
}

static inline u16 get_unaligned_be16(const void *p)
{
	u16 v;

	memcpy(&v, p, 2);
	return be16toh(v);
}

static inline u32 get_unaligned_be32(const void *p)
{
	u32 v;

	memcpy(&v, p, 4);
	return be32toh(v);
}
#endif /* __KERNEL__ */

#endif /* _FM_TYPES_H */
