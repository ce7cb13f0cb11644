/* ossio-mpi: `mpirun -n N ossio-mpi bench|count …` runs ossio's bench and
 * count on N ranks (mpi/bench.c, mpi/count.c) with the CLI's own main. */
#include <stdio.h>

#include "ranks.h"

static const cli_command *const commands[] = {&ranks_cmd_bench, &ranks_cmd_count};

int ranks_rank(void)
{
    int r = 0;
    MPI_Comm_rank(MPI_COMM_WORLD, &r);
    return r;
}

int ranks_size(void)
{
    int n = 1;
    MPI_Comm_size(MPI_COMM_WORLD, &n);
    return n;
}

int ranks_agree(int rc)
{
    int all = rc;
    MPI_Allreduce(&rc, &all, 1, MPI_INT, MPI_MAX, MPI_COMM_WORLD);
    return all;
}

int main(int argc, char **argv)
{
    if (MPI_Init(&argc, &argv) != MPI_SUCCESS) {
        fputs("ossio-mpi: MPI_Init failed\n", stderr);
        return CLI_EFAIL;
    }
    int rank = ranks_rank();
    char tag[32];
    snprintf(tag, sizeof(tag), "ossio-mpi[%d]", rank);
    /* Every rank parses the same command line; rank 0 alone prints usage
     * and help, so a mistake reads as one line, not N. */
    cli_program p = {
        "ossio-mpi", tag, "mpirun -n N ", commands, sizeof(commands) / sizeof(commands[0]),
        rank != 0,
    };
    int rc = cli_main(&p, argc, argv);
    MPI_Finalize();
    return rc;
}
