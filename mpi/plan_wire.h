/* A split plan as bytes, so that rank 0 plans once (one listing) and every
 * rank reads from the same plan: packed on rank 0, broadcast, unpacked. */
#ifndef OSSIO_MPI_PLAN_WIRE_H
#define OSSIO_MPI_PLAN_WIRE_H

#include <stddef.h>
#include <stdint.h>

#include <ossio.h>

/* Packs every split of |plan| into a new buffer (*out, the caller's to
 * free, *len bytes). 0, or -1 out of memory. */
int plan_wire_pack(const ossio_split_plan *plan, uint8_t **out, size_t *len);

/* Unpacks |len| bytes of |buf| into *splits (an array of *n, the caller's to
 * free) whose uri and etag point into |buf|: it must outlive them. 0, or -1
 * for bytes that are not a packed plan (or out of memory). */
int plan_wire_unpack(const uint8_t *buf, size_t len, ossio_split **splits, size_t *n);

#endif /* OSSIO_MPI_PLAN_WIRE_H */
