/* ossio, the command-line program: its command table. The main itself
 * (cli_main.c) is shared with ossio-mpi; commands live in cmd_*.c. */
#include "cli.h"

/* `ossio --help` lists them in this order. */
static const cli_command *const commands[] = {
    &cli_cmd_ls,     &cli_cmd_stat,  &cli_cmd_cat,     &cli_cmd_cp,     &cli_cmd_rm,
    &cli_cmd_mb,     &cli_cmd_rb,    &cli_cmd_presign, &cli_cmd_config, &cli_cmd_version,
    &cli_cmd_splits, &cli_cmd_count, &cli_cmd_bench,
};

int main(int argc, char **argv)
{
    static const cli_program ossio = {
        "ossio", NULL, "", commands, sizeof(commands) / sizeof(commands[0]), 0,
    };
    return cli_main(&ossio, argc, argv);
}
