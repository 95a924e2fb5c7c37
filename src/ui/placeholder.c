/* placeholder.c — replaced by the terminal interface. */
#include "cli/cli.h"

int ui_main(cli_ctx *ctx)
{
	(void)ctx;
	cli_error("interface plein écran pas encore disponible : utiliser les commandes (recueil --help)");
	return EXIT_SOFTWARE;
}
