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

/* The groups of the help screen, in its order. */
enum { HS_NONE, HS_ALL, HS_MOVE, HS_HOME, HS_LISTS, HS_FORM, HS_PERIOD, HS_COUNT };

static const char *const help_section_title[HS_COUNT] = {
    [HS_ALL] = N_("Partout"),
    [HS_MOVE] = N_("Se déplacer"),
    [HS_HOME] = N_("Accueil"),
    [HS_LISTS] = N_("Listes, dossier du patient, alertes"),
    [HS_FORM] = N_("Saisie d'un formulaire"),
    [HS_PERIOD] = N_("Rapport, export, structures de la région"),
};

/* A key: below 256 a character, from 256 a curses KEY_* code. One meaning per key across the
 * program: a key bound on several screens does the same thing on each (Suppr deletes what is
 * under the cursor: a character of a text, the chosen draft or entry). */
typedef struct {
	action act;
	unsigned ctx;
	int keys[4];      /* 0-terminated */
	const char *name; /* as shown: "F2 ^S"; with words, translated: N_("Échap F9") */
	const char *label;
	const char *help; /* its line in the help screen, or NULL to reuse label */
	unsigned footer;  /* the contexts whose footer shows it */
	int help_section; /* HS_*: where the help lists it; HS_NONE: not listed (an alias) */
} binding;

static const binding table[] = {
    /* The self-assessment: only these, before the keys of every screen, which they override
     * (CTX_ANY does not include CTX_SELF). */
    {ACT_PREV,
     CTX_SELF,
     {KEY_LEFT, KEY_UP, KEY_BACKSPACE},
     "← Retour arr.",
     N_("Question précédente"),
     N_("revenir à la question précédente (les chiffres répondent)"),
     0,
     HS_NONE},
    {ACT_PREV, CTX_SELF, {127, CTRL_('h')}, "^H", N_("Question précédente"), NULL, 0, HS_NONE},
    {ACT_BACK,
     CTX_SELF,
     {27, KEY_F(9), KEY_F(10)},
     "Échap F10",
     N_("Professionnel"),
     N_("reprendre la main : l'identifiant du professionnel est demandé"),
     0,
     HS_NONE},
    {ACT_BACK, CTX_SELF, {CTRL_('x')}, "^X", N_("Professionnel"), NULL, 0, HS_NONE},
    {ACT_OPEN,
     CTX_SELF,
     {'\r', '\n', KEY_ENTER},
     "Entrée",
     N_("Fin"),
     N_("après la dernière question : professionnel"),
     0,
     HS_NONE},
    /* Everywhere */
    {ACT_HELP,
     CTX_SCREENS & ~CTX_HELP,
     {KEY_F(1), CTRL_('g')},
     "F1 ^G",
     N_("Aide"),
     N_("cette aide"),
     CTX_ANY,
     HS_ALL},
    {ACT_HELP,
     CTX_HOME | CTX_FILE | CTX_DRAFTS | CTX_ALERTS | CTX_EXPORT | CTX_REPORT | CTX_LEDGER | CTX_STRUCTURE,
     {'?'},
     "?",
     N_("Aide"),
     NULL,
     0,
     HS_NONE},
    /* Moving */
    {ACT_UP, CTX_ANY, {KEY_UP}, "↑", N_("Monter"), N_("ligne ou champ précédent"), 0, HS_MOVE},
    {ACT_DOWN, CTX_ANY, {KEY_DOWN}, "↓", N_("Descendre"), N_("ligne ou champ suivant"), 0, HS_MOVE},
    {ACT_LEFT,
     CTX_ANY,
     {KEY_LEFT},
     "←",
     N_("Gauche"),
     N_("caractère précédent ; choix : réponse précédente"),
     0,
     HS_MOVE},
    {ACT_RIGHT,
     CTX_ANY,
     {KEY_RIGHT},
     "→",
     N_("Droite"),
     N_("caractère suivant ; choix : réponse suivante"),
     0,
     HS_MOVE},
    {ACT_PGUP,
     CTX_ANY,
     {KEY_PPAGE, CTRL_('b')},
     "PgUp ^B",
     N_("Page précédente"),
     N_("page précédente"),
     0,
     HS_MOVE},
    {ACT_PGDN,
     CTX_ANY,
     {KEY_NPAGE, CTRL_('f')},
     "PgDn ^F",
     N_("Page suivante"),
     N_("page suivante"),
     0,
     HS_MOVE},
    {ACT_LINE_START,
     CTX_FORM | CTX_DIALOG | CTX_LISTS,
     {KEY_HOME, CTRL_('a')},
     N_("Début ^A"),
     N_("Début"),
     N_("début du texte ou de la liste"),
     0,
     HS_MOVE},
    {ACT_LINE_END,
     CTX_FORM | CTX_DIALOG | CTX_LISTS,
     {KEY_END, CTRL_('e')},
     N_("Fin ^E"),
     N_("Fin"),
     N_("fin du texte ou de la liste"),
     0,
     HS_MOVE},
    /* Home: letters (the home screen has nothing to type), and its menu's numbers */
    {ACT_PATIENTS,
     CTX_HOME,
     {KEY_F(6), CTRL_('p'), 'p'},
     "F6 ^P p",
     N_("Patients"),
     N_("patients : chercher, ouvrir un dossier, créer un patient"),
     CTX_HOME,
     HS_HOME},
    {ACT_DRAFTS,
     CTX_HOME,
     {KEY_F(7), CTRL_('w'), 'b'},
     "F7 ^W b",
     N_("Brouillons"),
     N_("brouillons : reprendre une saisie interrompue"),
     CTX_HOME,
     HS_HOME},
    {ACT_ALERTS,
     CTX_HOME,
     {'a'},
     "a",
     N_("Alertes"),
     N_("alertes cliniques en attente : ouvrir le dossier, acquitter"),
     CTX_HOME,
     HS_HOME},
    {ACT_REPORT,
     CTX_HOME,
     {'r'},
     "r",
     N_("Rapport"),
     N_("rapport d'activité d'une période (coordination)"),
     0,
     HS_HOME},
    {ACT_EXPORT,
     CTX_HOME,
     {'e'},
     "e",
     N_("Export"),
     N_("archive chiffrée d'une période, avant l'échéance (coordination)"),
     0,
     HS_HOME},
    {ACT_STRUCTURE,
     CTX_HOME,
     {'f'},
     "f",
     N_("Fiches"),
     N_("fiches de la structure elle-même (réunions d'équipe)"),
     0,
     HS_HOME},
    {ACT_LEDGER,
     CTX_HOME,
     {'s'},
     "s",
     N_("Structures"),
     N_("structures de la région : exports reçus (coordination)"),
     0,
     HS_HOME},
    /* Lists and the patient's file */
    {ACT_NEW,
     CTX_LIST | CTX_FILE | CTX_STRUCTURE,
     {KEY_F(5), CTRL_('n')},
     "F5 ^N",
     N_("Nouveau"),
     N_("nouveau : patient, entrée, fiche de la structure (aussi n)"),
     CTX_ANY,
     HS_LISTS},
    {ACT_NEW, CTX_FILE | CTX_STRUCTURE, {'n'}, "n", N_("Nouvelle entrée"), NULL, 0, HS_NONE},
    {ACT_ACK,
     CTX_FILE | CTX_ALERTS,
     {KEY_F(8), CTRL_('k')},
     "F8 ^K",
     N_("Acquitter"),
     N_("acquitter l'alerte clinique choisie : qui, quand, note"),
     CTX_ANY,
     HS_LISTS},
    {ACT_DELETE_ITEM,
     CTX_DRAFTS | CTX_STRUCTURE,
     {KEY_DC, CTRL_('d')},
     N_("Suppr ^D"),
     N_("Supprimer"),
     N_("supprimer le brouillon ou l'entrée ; sur le patient : l'effacer"),
     CTX_ANY,
     HS_LISTS},
    /* Not in the footer (no room at 80 columns): the help screen names it. */
    {ACT_SELF,
     CTX_FILE,
     {'c'},
     "c",
     N_("Auto-questionnaire"),
     N_("confier l'écran au patient pour un questionnaire qu'il remplit seul (AUDIT, PHQ-9, GAD-7) ; "
        "votre identifiant est demandé pour reprendre la main"),
     0,
     HS_LISTS},
    {ACT_INFORM,
     CTX_FILE,
     {'f'},
     "f",
     N_("Informé"),
     N_("noter que le patient a été informé aujourd'hui de l'usage de ses données"),
     0,
     HS_LISTS},
    {ACT_OPPOSE,
     CTX_FILE,
     {'o'},
     "o",
     N_("Opposition"),
     N_("noter l'opposition du patient aujourd'hui (plus rien de lui n'est exporté), ou la retirer"),
     0,
     HS_LISTS},
    {ACT_PRINT,
     CTX_FILE,
     {'d'},
     "d",
     N_("Imprimer le document d'accès"),
     N_("document d'accès du patient, à imprimer (dossier)"),
     0,
     HS_LISTS},
    /* Not in the footer: a rare act, reserved to the admins, always asked first; the help
     * says it in the line above. */
    {ACT_DELETE_ITEM, CTX_FILE, {KEY_DC, CTRL_('d')}, N_("Suppr ^D"), N_("Supprimer"), NULL, 0, HS_NONE},
    /* Form entry */
    {ACT_NEXT,
     CTX_FORM,
     {'\t', '\r', '\n', KEY_ENTER},
     N_("Tab Entrée"),
     N_("Suivant"),
     N_("champ suivant (la valeur est vérifiée en quittant le champ)"),
     0,
     HS_FORM},
    {ACT_PREV,
     CTX_FORM,
     {KEY_BTAB},
     N_("Maj-Tab"),
     N_("Précédent"),
     N_("champ précédent ; la date de l'entrée est avant la 1re question"),
     0,
     HS_FORM},
    {ACT_SAVE,
     CTX_FORM,
     {KEY_F(2), CTRL_('s')},
     "F2 ^S",
     N_("Enregistrer"),
     N_("enregistrer (demande si des réponses obligatoires manquent)"),
     CTX_ANY,
     HS_FORM},
    {ACT_FIELD_HELP,
     CTX_FORM,
     {KEY_F(3), CTRL_('o')},
     "F3 ^O",
     N_("Explication"),
     N_("explication de la question : aide, limites, règle, calcul"),
     0,
     HS_FORM},
    {ACT_MISSING,
     CTX_FORM,
     {KEY_F(4), CTRL_('r')},
     "F4 ^R",
     N_("Manquant"),
     N_("réponse manquante : refus, ne sait pas, non demandé (répéter)"),
     CTX_ANY,
     HS_FORM},
    {ACT_BACKSPACE,
     CTX_ANY,
     {KEY_BACKSPACE, 127, CTRL_('h')},
     N_("Retour arr."),
     N_("Effacer avant"),
     N_("effacer le caractère avant le curseur"),
     0,
     HS_FORM},
    {ACT_DELETE,
     CTX_FORM | CTX_LIST | CTX_DIALOG,
     {KEY_DC, CTRL_('d')},
     N_("Suppr ^D"),
     N_("Effacer"),
     N_("effacer le caractère sous le curseur"),
     0,
     HS_FORM},
    {ACT_CLEAR,
     CTX_FORM | CTX_LIST | CTX_DIALOG,
     {CTRL_('u')},
     "^U",
     N_("Vider"),
     N_("vider le champ"),
     0,
     HS_FORM},
    /* The report and the export */
    {ACT_SAVE,
     CTX_EXPORT,
     {KEY_F(2), CTRL_('s')},
     "F2 ^S",
     N_("Exporter"),
     N_("export : écrire l'archive (une raison si des points restent)"),
     CTX_EXPORT,
     HS_PERIOD},
    {ACT_PERIOD,
     CTX_EXPORT | CTX_REPORT | CTX_LEDGER,
     {KEY_F(11), CTRL_('t')},
     "F11 ^T",
     N_("Période"),
     N_("autre période : 2026, 2026-S1, 2026-T3, 2026-11, du..au"),
     CTX_EXPORT | CTX_REPORT | CTX_LEDGER,
     HS_PERIOD},
    {ACT_MASK,
     CTX_REPORT,
     {KEY_F(12), 'm'},
     "F12 m",
     N_("Masquer"),
     N_("rapport : masquer les effectifs de 1 à 4, ou les montrer"),
     CTX_REPORT,
     HS_PERIOD},
    {ACT_IMPACT,
     CTX_REPORT,
     {'i'},
     "i",
     N_("Impact"),
     N_("rapport : page d'impact (public, urgences, suivi, coût)"),
     CTX_REPORT,
     HS_PERIOD},
    /* Everywhere, and last in the footer: what opens, goes back and quits */
    {ACT_OPEN,
     CTX_HOME | CTX_LIST | CTX_FILE | CTX_DRAFTS | CTX_ALERTS | CTX_DIALOG | CTX_EXPORT | CTX_STRUCTURE,
     {'\r', '\n', KEY_ENTER},
     N_("Entrée"),
     N_("Ouvrir"),
     N_("ouvrir ce qui est choisi, valider (saisie : champ suivant)"),
     CTX_DRAFTS | CTX_LIST | CTX_ALERTS | CTX_DIALOG | CTX_STRUCTURE,
     HS_ALL},
    {ACT_BACK,
     CTX_ANY,
     {27, KEY_F(9)},
     N_("Échap F9"),
     N_("Retour"),
     N_("fermer l'écran ou la question ; une saisie demande quoi garder"),
     CTX_ANY & ~CTX_HOME,
     HS_ALL},
    {ACT_QUIT,
     CTX_SCREENS,
     {KEY_F(10), CTRL_('q')},
     "F10 ^Q",
     N_("Quitter"),
     N_("quitter, après confirmation (la saisie reste en brouillon)"),
     CTX_ANY,
     HS_ALL},
    {ACT_QUIT, CTX_HOME, {'q'}, "q", N_("Quitter"), NULL, 0, HS_NONE},
    {ACT_REDRAW, CTX_ANY, {CTRL_('l')}, "^L", N_("Redessiner"), N_("redessiner l'écran"), 0, HS_ALL},
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
		const char *label = _(b->label), *name = _(b->name);
		int need = draw_width(name) + 1 + draw_width(label) + 2;
		if (x + need > width + 2)
			continue; /* the next, shorter one may still fit */
		x += draw_text(y, x, width - x, name, draw_attr_focus() | draw_attr_title(), false);
		x += draw_text(y, x, width - x, " ", draw_attr_focus(), false);
		x += draw_text(y, x, width - x, label, draw_attr_focus(), false);
		x += draw_text(y, x, width - x, "  ", draw_attr_focus(), false);
	}
}

/* What the keys of the table do not say: how answers are typed. */
static const char *const help_answers[] = {
    N_("Choix : taper le code ou le numéro de la réponse ; ← → pour parcourir."),
    N_("Oui/non : o ou n. Plusieurs réponses : le numéro coche ou décoche."),
    N_("Date : AAAA-MM-JJ ou JJ/MM/AAAA. Nombre : virgule ou point décimal."),
    N_("Réponse manquante tapée : .refus, .nsp ou .non_demande (ou F4)."),
    N_("Ce qui est tapé est gardé en brouillon et proposé au prochain démarrage."),
};

/* One line of the help: the keys, then what they do, in a column. Caller frees. */
static char *help_line(const char *keys, const char *what)
{
	int pad = 12 - draw_width(keys);
	return xasprintf("  %s%*s %s", keys, pad > 0 ? pad : 0, "", what);
}

char **keys_help_lines(size_t *n)
{
	char **v = NULL;
	*n = 0;
#define ADD(s)                                                                                               \
	do {                                                                                                 \
		v = xrealloc(v, (*n + 1) * sizeof *v);                                                       \
		v[(*n)++] = (s);                                                                             \
	} while (0)
	ADD(xstrdup(_("Une touche a le même sens sur tous les écrans. Chaque touche de fonction a son")));
	ADD(xstrdup(_("équivalent Ctrl (^) ou lettre : PuTTY et SSH déforment parfois les touches F.")));
	for (int sec = HS_ALL; sec < HS_COUNT; sec++) {
		ADD(xasprintf("== %s ==", _(help_section_title[sec])));
		for (size_t i = 0; i < sizeof table / sizeof *table; i++) {
			const binding *b = &table[i];
			if (b->help_section == sec)
				ADD(help_line(_(b->name), _(b->help ? b->help : b->label)));
		}
		if (sec == HS_HOME)
			ADD(help_line("1 2 …", _("le numéro d'une ligne du menu ; q : quitter")));
	}
	ADD(xasprintf("== %s ==", _("Réponses")));
	for (size_t i = 0; i < sizeof help_answers / sizeof *help_answers; i++)
		ADD(xasprintf("  %s", _(help_answers[i])));
#undef ADD
	return v;
}
