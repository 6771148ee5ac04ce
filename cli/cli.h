/* The rackwatch commands; each takes its own argv (argv[0] is the command name). */
#ifndef CLI_H
#define CLI_H

/* Exit codes shared by the commands (issues 4 and 6). */
enum {
    CLI_EXIT_OK = 0,
    CLI_EXIT_SOME_FAILED = 1, /* poll: an endpoint failed; register: refused by a check */
    CLI_EXIT_FAILED = 2,      /* register: failed */
    CLI_EXIT_CONFIG = 3,      /* bad configuration or arguments */
};

/* rackwatch poll: one poll of every configured endpoint. */
int cli_poll(int argc, char **argv);

/* rackwatch register: registers spokes with their hub (the registration helper). */
int cli_register(int argc, char **argv);

#endif
