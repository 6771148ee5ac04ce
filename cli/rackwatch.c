/*
 * rackwatch: the command-line front of the suite.  One program, several commands:
 *
 *   rackwatch poll --config FILE [--json] [--endpoint NAME]...
 *   rackwatch register --config FILE [--spoke NAME] [--dry-run] ...   (registration helper)
 */
#include <stdio.h>
#include <string.h>

#include "cli.h"

struct command {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *summary;
};

static const struct command commands[] = {
    {"poll", cli_poll, "poll every configured endpoint once; a table or --json"},
    {"register", cli_register, "register spokes with their hub (checks first)"},
};

static void
usage(FILE *out)
{
    size_t i;

    (void)fprintf(out, "Usage: rackwatch COMMAND [OPTIONS]   (rackwatch COMMAND --help)\n\n");
    for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
        (void)fprintf(out, "  %-10s %s\n", commands[i].name, commands[i].summary);
    }
}

int
main(int argc, char **argv)
{
    size_t i;

    if (argc < 2) {
        usage(stderr);
        return CLI_EXIT_CONFIG;
    }
    if (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0) {
        usage(stdout);
        return 0;
    }
    if (strcmp(argv[1], "-V") == 0 || strcmp(argv[1], "--version") == 0) {
        (void)printf("rackwatch %s\n", RACKWATCH_VERSION);
        return 0;
    }
    for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
        if (strcmp(argv[1], commands[i].name) == 0) {
            return commands[i].run(argc - 1, argv + 1);
        }
    }
    (void)fprintf(stderr, "rackwatch: unknown command '%s'\n", argv[1]);
    usage(stderr);
    return CLI_EXIT_CONFIG;
}
