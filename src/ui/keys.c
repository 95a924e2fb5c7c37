/* keys.c — the one table of key bindings: keys → named actions, per context. It feeds the key
 * handlers (keys_action), the footer (keys_footer) and the help screen (keys_help_lines), so that
 * what the footer and the help say is what the keys do.
 *
 * Every action has a Ctrl/letter key beside its function key: SSH clients and PuTTY often mangle
 * function keys. Ctrl-S is safe because the terminal runs in raw mode (no XON/XOFF). */
#define _XOPEN_SOURCE_EXTENDED 1
#include <curses.h>
#include <stdlib.h>
#include <string.h>

#include "core/util.h"
#include "ui/ui.h"

#define CTRL_(c) ((c)&0x1F)
#define CTX_ANY  0x1FFFu
#define CTX_SCREENS                                                                                          \
	(CTX_HOME | CTX_LIST | CTX_FILE | CTX_FORM | CTX_HELP | CTX_DRAFTS | CTX_ALERTS | CTX_EXPORT |       \
	 CTX_REPORT | CTX_LEDGER | CTX_STRUCTURE)

/* The screens that are lists (listview.h): Home and End go to their first and last item. */
#define CTX_LISTS                                                                                            \
	(CTX_LIST | CTX_FILE | CTX_HELP | CTX_DRAFTS | CTX_ALERTS | CTX_EXPORT | CTX_REPORT | CTX_LEDGER |   \
	 CTX_STRUCTURE)

/* A key: below 256 a character, from 256 a curses KEY_* code. */
typedef struct {
	action act;
	unsigned ctx;
	int keys[4];      /* 0-terminated */
	const char *name; /* as shown: "F2 ^S" */
	const char *label;
	const char *help; /* longer text for the help screen, or NULL to reuse label */
	unsigned footer;  /* the contexts whose footer shows it */
} binding;

static const binding table[] = {
    {ACT_HELP,
     CTX_SCREENS & ~CTX_HELP,
     {KEY_F(1), CTRL_('g')},
     "F1 ^G",
     N_("Aide"),
     N_("cet écran d'aide"),
     CTX_ANY},
    {ACT_HELP,
     CTX_HOME | CTX_FILE | CTX_DRAFTS | CTX_ALERTS | CTX_EXPORT | CTX_REPORT | CTX_LEDGER | CTX_STRUCTURE,
     {'?'},
     "?",
     N_("Aide"),
     NULL,
     0},
    {ACT_SAVE,
     CTX_FORM,
     {KEY_F(2), CTRL_('s')},
     "F2 ^S",
     N_("Enregistrer"),
     N_("enregistrer l'entrée (demande confirmation si des réponses obligatoires manquent)"),
     CTX_ANY},
    {ACT_FIELD_HELP,
     CTX_FORM,
     {KEY_F(3), CTRL_('o')},
     "F3 ^O",
     N_("Explication"),
     N_("explication de la question, ses limites et sa règle"),
     0},
    {ACT_MISSING,
     CTX_FORM,
     {KEY_F(4), CTRL_('r')},
     "F4 ^R",
     N_("Manquant"),
     N_("réponse manquante expliquée : refus, ne sait pas, non demandé (appuyer encore pour changer)"),
     CTX_ANY},
    {ACT_NEW,
     CTX_LIST | CTX_FILE,
     {KEY_F(5), CTRL_('n')},
     "F5 ^N",
     N_("Nouveau"),
     N_("nouveau patient (liste) ou nouvelle entrée (dossier)"),
     CTX_ANY},
    {ACT_NEW, CTX_FILE, {'n'}, "n", N_("Nouvelle entrée"), NULL, 0},
    {ACT_NEW,
     CTX_STRUCTURE,
     {KEY_F(5), CTRL_('n'), 'n'},
     "F5 ^N",
     N_("Nouvelle fiche"),
     N_("nouvelle fiche de la structure (réunion d'équipe…)"),
     CTX_STRUCTURE},
    {ACT_DELETE_ITEM,
     CTX_STRUCTURE,
     {KEY_DC, CTRL_('d')},
     "Suppr ^D",
     N_("Supprimer"),
     N_("supprimer la fiche choisie (admin)"),
     CTX_STRUCTURE},
    {ACT_STRUCTURE,
     CTX_HOME,
     {'f'},
     "f",
     N_("Fiches de la structure"),
     N_("fiches de la structure elle-même (réunions d'équipe) : liste, nouvelle fiche"),
     0},
    {ACT_PATIENTS, CTX_HOME, {'p'}, "p", N_("Patients"), NULL, 0},
    {ACT_DRAFTS, CTX_HOME, {'b'}, "b", N_("Brouillons"), NULL, 0},
    {ACT_PATIENTS,
     CTX_HOME,
     {KEY_F(6), CTRL_('p')},
     "F6 ^P",
     N_("Patients"),
     N_("liste des patients, recherche en tapant"),
     CTX_ANY},
    {ACT_DRAFTS,
     CTX_HOME,
     {KEY_F(7), CTRL_('w')},
     "F7 ^W",
     N_("Brouillons"),
     N_("saisies interrompues gardées, à reprendre"),
     CTX_ANY},
    {ACT_ALERTS,
     CTX_HOME,
     {KEY_F(8), CTRL_('k')},
     "F8 ^K",
     N_("Alertes"),
     N_("alertes cliniques en attente : dossier du patient, acquitter"),
     CTX_ANY},
    {ACT_ALERTS, CTX_HOME, {'a'}, "a", N_("Alertes"), NULL, 0},
    /* Not in the home footer (no room at 80 columns): the home menu names their keys. */
    {ACT_REPORT,
     CTX_HOME,
     {KEY_F(3), CTRL_('r')},
     "F3 ^R",
     N_("Rapport"),
     N_("rapport d'activité d'une période : indicateurs, cascade VHC, zones AUDIT (coordination)"),
     0},
    {ACT_REPORT, CTX_HOME, {'r'}, "r", N_("Rapport"), NULL, 0},
    {ACT_EXPORT,
     CTX_HOME,
     {KEY_F(4), CTRL_('e')},
     "F4 ^E",
     N_("Export"),
     N_("archive chiffrée d'une période, à envoyer avant l'échéance (coordination)"),
     0},
    {ACT_EXPORT, CTX_HOME, {'e'}, "e", N_("Export"), NULL, 0},
    {ACT_LEDGER,
     CTX_HOME,
     {KEY_F(2), CTRL_('t')},
     "F2 ^T",
     N_("Structures"),
     N_("structures de la région : dernier export reçu de chacune, qui n'a pas envoyé (coordination)"),
     0},
    {ACT_LEDGER, CTX_HOME, {'s'}, "s", N_("Structures"), NULL, 0},
    {ACT_PERIOD,
     CTX_EXPORT | CTX_REPORT | CTX_LEDGER,
     {KEY_F(5), CTRL_('p'), 'p'},
     "F5 ^P",
     N_("Période"),
     N_("choisir une autre période (2026, 2026-S1, 2026-T3, 2026-11, du..au)"),
     CTX_EXPORT | CTX_REPORT | CTX_LEDGER},
    {ACT_MASK,
     CTX_REPORT,
     {KEY_F(6), CTRL_('t'), 'm'},
     "F6 ^T",
     N_("Masquer"),
     N_("masquer les effectifs de 1 à 4, comme dans ce qui quitte la structure, ou les montrer"),
     CTX_REPORT},
    {ACT_IMPACT,
     CTX_REPORT,
     {KEY_F(7), CTRL_('o'), 'i'},
     "F7 ^O",
     N_("Impact"),
     N_("page d'impact de la période : public, urgences, durée de suivi, coût (barres)"),
     CTX_REPORT},
    {ACT_OPEN,
     CTX_EXPORT,
     {'\r', '\n', KEY_ENTER},
     "Entrée",
     N_("Exporter"),
     N_("exporter : raison si des points restent à revoir, fichier, puis phrase de passe"),
     CTX_EXPORT},
    {ACT_ACK,
     CTX_FILE | CTX_ALERTS,
     {KEY_F(8), CTRL_('k')},
     "F8 ^K",
     N_("Acquitter"),
     N_("acquitter l'alerte choisie : qui, quand, note facultative"),
     CTX_ANY},
    {ACT_DELETE_ITEM,
     CTX_DRAFTS,
     {KEY_DC, CTRL_('d')},
     "Suppr ^D",
     N_("Supprimer"),
     N_("supprimer le brouillon choisi"),
     CTX_ANY},
    /* Not in the footer (no room at 80 columns): the help screen names it. */
    {ACT_PRINT,
     CTX_FILE,
     {KEY_F(6), CTRL_('t'), 'i'},
     "F6 ^T i",
     N_("Imprimer le document d'accès"),
     N_("écrire le document d'accès du patient (droit d'accès) dans un fichier, à imprimer"),
     0},
    /* The patient's information and opposition (RGPD art. 13 and 21), each confirmed. Not in the
     * footer (no room at 80 columns): the line under the patient's summary names them. */
    {ACT_INFORM,
     CTX_FILE,
     {'f'},
     "f",
     N_("Informé"),
     N_("noter que le patient a été informé aujourd'hui de l'usage de ses données"),
     0},
    {ACT_OPPOSE,
     CTX_FILE,
     {'o'},
     "o",
     N_("Opposition"),
     N_("noter l'opposition du patient aujourd'hui (plus rien de lui n'est exporté), ou la retirer"),
     0},
    /* Not in the footer: a rare act, reserved to the admins, confirmed by typing the pseudonym. */
    {ACT_DELETE_ITEM,
     CTX_FILE,
     {KEY_DC, CTRL_('d')},
     "Suppr ^D",
     N_("Effacer le patient"),
     N_("effacer le patient et ses données (admin ; irréversible)"),
     0},
    /* Not in the footer: the help screen names it. */
    {ACT_SELF,
     CTX_FILE,
     {KEY_F(7), CTRL_('w'), 'a'},
     "F7 ^W a",
     N_("Auto-questionnaire"),
     N_("confier l'écran au patient pour un questionnaire qu'il remplit seul (AUDIT, PHQ-9, GAD-7) ; "
        "votre identifiant est demandé pour reprendre la main"),
     0},
    /* The self-assessment: only these, before the keys of every screen, which they override. */
    {ACT_PREV,
     CTX_SELF,
     {KEY_LEFT, KEY_UP, KEY_BACKSPACE},
     "← Retour arr.",
     N_("Question précédente"),
     N_("revenir à la question précédente (les chiffres répondent)"),
     0},
    {ACT_PREV, CTX_SELF, {127, CTRL_('h')}, "^H", N_("Question précédente"), NULL, 0},
    {ACT_BACK,
     CTX_SELF,
     {27, KEY_F(9), KEY_F(10)},
     "Échap F10",
     N_("Professionnel"),
     N_("reprendre la main : l'identifiant du professionnel est demandé"),
     0},
    {ACT_BACK, CTX_SELF, {CTRL_('x')}, "^X", N_("Professionnel"), NULL, 0},
    {ACT_OPEN,
     CTX_SELF,
     {'\r', '\n', KEY_ENTER},
     "Entrée",
     N_("Fin"),
     N_("après la dernière question : professionnel"),
     0},
    {ACT_OPEN,
     CTX_HOME | CTX_LIST | CTX_FILE | CTX_DRAFTS | CTX_ALERTS | CTX_DIALOG | CTX_STRUCTURE,
     {'\r', '\n', KEY_ENTER},
     "Entrée",
     N_("Ouvrir"),
     N_("ouvrir ce qui est choisi, valider"),
     CTX_DRAFTS | CTX_LIST | CTX_ALERTS | CTX_DIALOG | CTX_STRUCTURE}, /* the patient file says it in
                                                                        * its head line */
    {ACT_NEXT,
     CTX_FORM,
     {'\t', '\r', '\n', KEY_ENTER},
     "Tab Entrée",
     N_("Suivant"),
     N_("champ suivant (la valeur est vérifiée en quittant le champ)"),
     0},
    {ACT_PREV, CTX_FORM, {KEY_BTAB, CTRL_('p')}, "Maj-Tab ^P", N_("Précédent"), N_("champ précédent"), 0},
    {ACT_UP, CTX_ANY, {KEY_UP}, "↑", N_("Monter"), N_("ligne ou champ précédent"), 0},
    {ACT_DOWN, CTX_ANY, {KEY_DOWN}, "↓", N_("Descendre"), N_("ligne ou champ suivant"), 0},
    {ACT_LEFT,
     CTX_ANY,
     {KEY_LEFT},
     "←",
     N_("Gauche"),
     N_("caractère précédent ; dans un choix : réponse précédente"),
     0},
    {ACT_RIGHT,
     CTX_ANY,
     {KEY_RIGHT},
     "→",
     N_("Droite"),
     N_("caractère suivant ; dans un choix : réponse suivante"),
     0},
    {ACT_PGUP,
     CTX_ANY,
     {KEY_PPAGE, CTRL_('b')},
     "PgUp ^B",
     N_("Page précédente"),
     N_("page ou section précédente"),
     0},
    {ACT_PGDN,
     CTX_ANY,
     {KEY_NPAGE, CTRL_('f')},
     "PgDn ^F",
     N_("Page suivante"),
     N_("page ou section suivante"),
     0},
    {ACT_LINE_START,
     CTX_FORM | CTX_DIALOG | CTX_LISTS,
     {KEY_HOME, CTRL_('a')},
     "Début ^A",
     N_("Début"),
     N_("début du texte ou de la liste"),
     0},
    {ACT_LINE_END,
     CTX_FORM | CTX_DIALOG | CTX_LISTS,
     {KEY_END, CTRL_('e')},
     "Fin ^E",
     N_("Fin"),
     N_("fin du texte ou de la liste"),
     0},
    {ACT_BACKSPACE,
     CTX_ANY,
     {KEY_BACKSPACE, 127, CTRL_('h')},
     "Retour arr.",
     N_("Effacer avant"),
     N_("effacer le caractère avant le curseur"),
     0},
    {ACT_DELETE,
     CTX_FORM | CTX_LIST | CTX_DIALOG,
     {KEY_DC, CTRL_('d')},
     "Suppr ^D",
     N_("Effacer"),
     N_("effacer le caractère sous le curseur"),
     0},
    {ACT_CLEAR, CTX_FORM | CTX_LIST | CTX_DIALOG, {CTRL_('u')}, "^U", N_("Vider"), N_("vider le champ"), 0},
    {ACT_REDRAW, CTX_ANY, {CTRL_('l')}, "^L", N_("Redessiner"), N_("redessiner l'écran"), 0},
    {ACT_BACK,
     CTX_ANY,
     {27, KEY_F(9)},
     "Échap F9",
     N_("Retour"),
     N_("revenir à l'écran précédent ; dans une saisie : garder, enregistrer ou abandonner"),
     CTX_ANY & ~CTX_HOME},
    {ACT_QUIT,
     CTX_SCREENS,
     {KEY_F(10), CTRL_('x')},
     "F10 ^X",
     N_("Quitter"),
     N_("quitter le programme (une saisie en cours est gardée en brouillon)"),
     CTX_ANY},
    {ACT_QUIT, CTX_HOME, {'q'}, "q", N_("Quitter"), NULL, 0},
};

action keys_action(unsigned ctx, int is_code, wint_t k)
{
	int key = (int)k;
	if (!is_code && k >= 256)
		return ACT_NONE;
	if (is_code && k < 256)
		return ACT_NONE;
	for (size_t i = 0; i < sizeof table / sizeof *table; i++) {
		if (!(table[i].ctx & ctx))
			continue;
		for (const int *p = table[i].keys; *p; p++)
			if (*p == key)
				return table[i].act;
	}
	return ACT_NONE;
}

void keys_footer(unsigned ctx, int y, int width)
{
	draw_blank(y, 0, width, draw_attr_focus());
	int x = 0;
	for (size_t i = 0; i < sizeof table / sizeof *table; i++) {
		const binding *b = &table[i];
		if (!(b->footer & ctx) || !(b->ctx & ctx))
			continue;
		const char *label = _(b->label);
		int need = draw_width(b->name) + 1 + draw_width(label) + 2;
		if (x + need > width + 2)
			break;
		x += draw_text(y, x, width - x, b->name, draw_attr_focus() | draw_attr_title(), false);
		x += draw_text(y, x, width - x, " ", draw_attr_focus(), false);
		x += draw_text(y, x, width - x, label, draw_attr_focus(), false);
		x += draw_text(y, x, width - x, "  ", draw_attr_focus(), false);
	}
}

static const struct {
	unsigned ctx;
	const char *title;
} help_sections[] = {
    {CTX_HOME, N_("Accueil")},
    {CTX_LIST, N_("Liste des patients")},
    {CTX_FILE, N_("Dossier du patient")},
    {CTX_FORM, N_("Saisie d'un formulaire")},
    {CTX_DRAFTS, N_("Brouillons")},
    {CTX_ALERTS, N_("Alertes cliniques")},
    {CTX_EXPORT, N_("Export d'une période")},
    {CTX_REPORT, N_("Rapport d'activité")},
    {CTX_LEDGER, N_("Structures de la région")},
    {CTX_STRUCTURE, N_("Fiches de la structure")},
    {CTX_DIALOG, N_("Questions et choix")},
    {CTX_SELF, N_("Auto-questionnaire (le patient à l'écran)")},
};

char **keys_help_lines(size_t *n)
{
	char **v = NULL;
	*n = 0;
#define ADD(s)                                                                                               \
	do {                                                                                                 \
		v = xrealloc(v, (*n + 1) * sizeof *v);                                                       \
		v[(*n)++] = (s);                                                                             \
	} while (0)
	ADD(xstrdup(_("Toutes les actions ont une touche Ctrl (^) en plus de la touche de fonction.")));
	ADD(xstrdup(_("Choix : taper le code ou le numéro de la réponse, ou ← → pour parcourir.")));
	ADD(xstrdup(_("Oui/non : o ou n. Plusieurs réponses : le numéro coche ou décoche.")));
	ADD(xstrdup(_("Date : AAAA-MM-JJ ou JJ/MM/AAAA. Nombre : point ou virgule décimale.")));
	ADD(xstrdup(_("Ce qui est tapé est gardé en brouillon et proposé au prochain démarrage.")));
	for (size_t s = 0; s < sizeof help_sections / sizeof *help_sections; s++) {
		ADD(xstrdup(""));
		ADD(xasprintf("== %s ==", _(help_sections[s].title)));
		for (size_t i = 0; i < sizeof table / sizeof *table; i++) {
			const binding *b = &table[i];
			if (!(b->ctx & help_sections[s].ctx))
				continue;
			const char *what = b->help ? b->help : b->label;
			int pad = 14 - draw_width(b->name);
			ADD(xasprintf("  %s%*s %s", b->name, pad > 0 ? pad : 0, "", _(what)));
		}
	}
#undef ADD
	return v;
}
