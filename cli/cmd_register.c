/*
 * rackwatch register: the registration helper (issue 6; DESIGN.md, "The registration
 * helper").  Parses the options; the steps are in register_steps.c and register_spoke.c.
 */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>

#include <curl/curl.h>

#include "cli.h"
#include "register.h"

static void
register_usage(FILE *out)
{
    (void)fprintf(
        out,
        "Usage: rackwatch register --config FILE [--spoke NAME] [--dry-run] [--force] [--yes]\n"
        "                          [--unregister] [--update-cert] [-v]\n"
        "\n"
        "Registers the spokes of the configuration with its hub, as the product's \"Register\n"
        "as Spoke Server\" wizard does, after checking that it is safe:\n"
        "  1 the configuration          2 hub and spoke answer HTTPS\n"
        "  3 the hub's certificate      4 product and version policy\n"
        "  5 the spoke has no spokes of its own (its data would be lost)\n"
        "  6 not registered already     7 POST to the hub's AggregationSources\n"
        "  8 the hub reports it healthy 9 the spoke's certificate is recorded\n"
        "\n"
        "  -c, --config FILE  the rackwatch YAML configuration (hub: and spokes:; required)\n"
        "  -s, --spoke NAME   only this spoke (default: every spoke not yet registered)\n"
        "  -n, --dry-run      run steps 1-6 and change nothing\n"
        "  -f, --force        register a spoke that has spokes of its own (data loss)\n"
        "  -y, --yes          do not ask before registering or unregistering (never accepts\n"
        "                     a certificate: that takes hub.fingerprint or a typed y)\n"
        "  -u, --unregister   delete the spoke from the hub and from the known-spokes file\n"
        "      --update-cert  record the spoke's current certificate after a renewal\n"
        "  -v, --verbose      log requests and sessions to stderr\n"
        "  -h, --help         this help\n"
        "\n"
        "Exit status: 0 done or nothing to do, 1 refused by a check, 2 failed,\n"
        "3 bad configuration or arguments.\n");
}

enum {
    OPT_UPDATE_CERT = 256,
};

static const struct option register_options[] = {
    {"config", required_argument, NULL, 'c'},
    {"spoke", required_argument, NULL, 's'},
    {"dry-run", no_argument, NULL, 'n'},
    {"force", no_argument, NULL, 'f'},
    {"yes", no_argument, NULL, 'y'},
    {"unregister", no_argument, NULL, 'u'},
    {"update-cert", no_argument, NULL, OPT_UPDATE_CERT},
    {"verbose", no_argument, NULL, 'v'},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

/* Applies one option: -1 to go on, else the exit code. */
static int
apply_option(struct cli_reg_opts *opts, int opt, const char *arg)
{
    switch (opt) {
    case 'c':
        opts->config = arg;
        return -1;
    case 's':
        opts->spoke = arg;
        return -1;
    case 'n':
        opts->dry_run = 1;
        return -1;
    case 'f':
        opts->force = 1;
        return -1;
    case 'y':
        opts->yes = 1;
        return -1;
    case 'u':
        opts->unregister = 1;
        return -1;
    case OPT_UPDATE_CERT:
        opts->update_cert = 1;
        return -1;
    case 'v':
        opts->verbose++;
        return -1;
    case 'h':
        register_usage(stdout);
        return CLI_EXIT_OK;
    default:
        (void)fprintf(stderr, "Try 'rackwatch register --help'.\n");
        return CLI_EXIT_CONFIG;
    }
}

/* -1 when the options make sense, else the exit code (after saying why). */
static int
parse_options(int argc, char **argv, struct cli_reg_opts *opts)
{
    int opt, rc;

    optind = 1;
    while ((opt = getopt_long(argc, argv, "c:s:nfyuvh", register_options, NULL)) != -1) {
        rc = apply_option(opts, opt, optarg);
        if (rc >= 0) {
            return rc;
        }
    }
    if (optind < argc) {
        (void)fprintf(stderr, "rackwatch register: unexpected argument '%s'\n", argv[optind]);
        return CLI_EXIT_CONFIG;
    }
    if (opts->config == NULL) {
        (void)fprintf(stderr, "rackwatch register: --config FILE is required\n");
        return CLI_EXIT_CONFIG;
    }
    if (opts->unregister && opts->update_cert) {
        (void)fprintf(stderr,
                      "rackwatch register: --unregister and --update-cert do not go together\n");
        return CLI_EXIT_CONFIG;
    }
    return -1;
}

int
cli_register(int argc, char **argv)
{
    struct cli_reg_opts opts = {0};
    int rc = parse_options(argc, argv, &opts);

    if (rc >= 0) {
        return rc;
    }
    /* The TLS probe writes to sockets whose peer may have gone. */
    (void)signal(SIGPIPE, SIG_IGN);
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
        (void)fprintf(stderr, "rackwatch register: cannot initialise libcurl\n");
        return CLI_EXIT_FAILED;
    }
    rc = cli_reg_run(&opts);
    curl_global_cleanup();
    return rc;
}
