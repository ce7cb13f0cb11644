/* ossio-mpi: ossio's bench and count run by every rank of an MPI job, each
 * on its share, rank 0 reporting for all. Shared by main.c, bench.c, count.c. */
#ifndef OSSIO_MPI_RANKS_H
#define OSSIO_MPI_RANKS_H

#include <mpi.h>

#include "cli.h"

extern const cli_command ranks_cmd_bench, ranks_cmd_count;

/* This process's rank in MPI_COMM_WORLD, and the number of ranks. */
int ranks_rank(void);
int ranks_size(void);

/* Every rank's |rc| made one: the largest. Called by all ranks at the same
 * point, so that all go on or all stop together (no rank left waiting in a
 * collective the others never reach). */
int ranks_agree(int rc);

#endif /* OSSIO_MPI_RANKS_H */
