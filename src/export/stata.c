/* stata.c — lire_recueil.do, the Stata (14 or later) loader of an export, generated from the
 * forms: each CSV read as text and checked against the dictionary column by column, numbers,
 * dates and codes converted with every value that does not convert reported, variable and value
 * labels in French and English (label language), missing codes as extended missing values.
 *
 * Text codes become labelled numbers that depend on the code alone (1 + FNV-1a 32 bits of the
 * code modulo 999,999,999), so that a code keeps its number when a form gains, loses or reorders
 * options, whatever the structure or the version of the form. */
#include <stdlib.h>
#include <string.h>

#include "export/export_internal.h"

/* Names Stata keeps for itself. */
static const char *const stata_reserved[] = {"_all",  "_b",  "byte",  "_coef", "_cons", "double", "float",
                                             "if",    "in",  "int",   "long",  "_n",    "_N",     "_pi",
                                             "_pred", "_rc", "_skip", "strL",  "using", "with",   NULL};

enum { STATA_NAME_MAX = 32, STATA_LABEL_MAX = 80 };

/* The number of a text code: depends on the code alone. */
static unsigned long stata_code_number(const char *code)
{
	return 1 + export_fnv1a(code) % 999999999u;
}

/* The Stata name of a column (or of a value label: name + suffix), 32 bytes at most. "str" and
 * a number is a storage type, not a name: made unique like a name too long. */
static void stata_name(const char *name, const char *suffix, char out[STATA_NAME_MAX + 1])
{
	char *full = xasprintf("%s%s", name, suffix);
	bool storage =
	    strncmp(full, "str", 3) == 0 && full[3] && strspn(full + 3, "0123456789") == strlen(full + 3);
	if (storage) {
		char *marked = xasprintf("%s_", full);
		export_package_name(marked, STATA_NAME_MAX - 1, stata_reserved, out);
		free(marked);
	} else {
		export_package_name(full, STATA_NAME_MAX, stata_reserved, out);
	}
	free(full);
}

/* A Stata compound-quoted string `"…"' of at most max bytes (whole UTF-8 characters), without
 * what Stata would expand inside it (` $ \) or control characters. Returns whether the text was
 * cut. */
static bool stata_text(strbuf *o, const char *s, size_t max)
{
	bool cut;
	char *clean = export_label_cut(s, max, &cut);
	size_t n = strlen(clean);
	strbuf_puts(o, "`\"");
	for (size_t i = 0; i < n; i++) {
		char c = clean[i];
		strbuf_putc(o, c == '`' || c == '$' || c == '\\' ? '\'' : c);
	}
	strbuf_puts(o, "\"'");
	free(clean);
	return cut;
}

/* The text of a note (the rest of the line, unquoted), made harmless likewise. */
static void stata_note_text(strbuf *o, const char *s)
{
	char *clean = text_sanitize(s ? s : "", false);
	for (char *p = clean; *p; p++)
		strbuf_putc(o, *p == '`' || *p == '$' || *p == '\\' ? '\'' : *p);
	free(clean);
}

static const char *const prologue =
    "version 14\n"
    "set more off\n"
    "global recueil_problemes 0\n"
    "\n"
    "* Colonne i du CSV (lue comme v<i> puis __v<i>) : son nom doit etre celui du\n"
    "* dictionnaire ; elle devient la variable var.\n"
    "capture program drop recueil_col\n"
    "program define recueil_col\n"
    "\targs i nom var fichier\n"
    "\tcapture confirm variable __v`i'\n"
    "\tif _rc {\n"
    "\t\tdisplay as error \"`fichier' : colonne `i' (`nom') absente du fichier\"\n"
    "\t\texit 459\n"
    "\t}\n"
    "\tif __v`i'[1] != \"`nom'\" {\n"
    "\t\tdisplay as error \"`fichier' : colonne `i' : \" __v`i'[1] \" au lieu de `nom'\"\n"
    "\t\texit 459\n"
    "\t}\n"
    "\trename __v`i' `var'\n"
    "end\n"
    "\n"
    "* Codes manquants : .a = .refus, .b = .nsp, .c = .non_demande.\n"
    "capture program drop recueil_manq\n"
    "program define recueil_manq\n"
    "\targs cible source\n"
    "\tquietly replace `cible' = .a if `source' == \".refus\"\n"
    "\tquietly replace `cible' = .b if `source' == \".nsp\"\n"
    "\tquietly replace `cible' = .c if `source' == \".non_demande\"\n"
    "end\n"
    "\n"
    "* __n (la conversion de var) remplace var ; chaque valeur non vide qui ne se\n"
    "* convertit pas est signalee et comptee dans $recueil_problemes.\n"
    "capture program drop recueil_fin\n"
    "program define recueil_fin\n"
    "\targs var fichier quoi\n"
    "\trecueil_manq __n `var'\n"
    "\tquietly count if missing(__n) & !inlist(`var', \"\", \".refus\", \".nsp\", \".non_demande\")\n"
    "\tif r(N) > 0 {\n"
    "\t\tdisplay as error \"`fichier' : `var' : \" r(N) \" valeur(s) illisible(s) comme `quoi', "
    "laissee(s) manquante(s)\"\n"
    "\t\tglobal recueil_problemes = $recueil_problemes + r(N)\n"
    "\t}\n"
    "\torder __n, after(`var')\n"
    "\tdrop `var'\n"
    "\trename __n `var'\n"
    "end\n"
    "\n"
    "capture program drop recueil_num\n"
    "program define recueil_num\n"
    "\targs var fichier\n"
    "\tquietly generate double __n = real(`var')\n"
    "\trecueil_fin `var' `fichier' nombre\n"
    "\tquietly compress `var'\n"
    "end\n"
    "\n"
    "capture program drop recueil_date\n"
    "program define recueil_date\n"
    "\targs var fichier\n"
    "\tquietly generate double __n = date(`var', \"YMD\")\n"
    "\trecueil_fin `var' `fichier' date\n"
    "\tformat `var' %td\n"
    "end\n"
    "\n"
    "capture program drop recueil_heure\n"
    "program define recueil_heure\n"
    "\targs var fichier\n"
    "\tquietly generate double __n = clock(subinstr(subinstr(`var', \"T\", \" \", 1), \"Z\", "
    "\"\", 1), \"YMDhms\")\n"
    "\trecueil_fin `var' `fichier' \"date et heure\"\n"
    "\tformat `var' %tc\n"
    "end\n";

/* label define NAME code "label" … with the missing codes the column allows. */
static void define_labels(strbuf *o, const char *name, const export_column *col, bool en, bool text_codes)
{
	export_value_label *v;
	size_t n = export_column_values(col, en, &v);
	strbuf_printf(o, "label define %s ///\n", name);
	for (size_t i = 0; i < n; i++) {
		if (text_codes)
			strbuf_printf(o, "\t%lu ", stata_code_number(v[i].code));
		else
			strbuf_printf(o, "\t%s ", v[i].code);
		stata_text(o, v[i].label, 32000);
		strbuf_puts(o, " ///\n");
	}
	free(v);
	static const char *const ext[] = {".a", ".b", ".c"};
	static const missing_code codes[] = {MISS_REFUS, MISS_NSP, MISS_NON_DEMANDE};
	static const char *const en_labels[] = {"refused", "does not know", "not asked"};
	unsigned allowed = col->kind == EXPORT_COL_FIELD ? col->fd->missing_allowed : 0;
	for (size_t i = 0; i < 3; i++)
		if (allowed & codes[i]) {
			strbuf_printf(o, "\t%s ", ext[i]);
			stata_text(o, en ? en_labels[i] : missing_code_label(codes[i]), 200);
			strbuf_puts(o, " ///\n");
		}
	strbuf_puts(o, "\t, replace\n");
}

/* Whether every code of a column is an integer Stata can label. */
static bool integer_codes(const export_column *col)
{
	export_value_label *v;
	size_t n = export_column_values(col, false, &v);
	bool ok = n > 0;
	for (size_t i = 0; i < n; i++) {
		long long k;
		if (!parse_integer(v[i].code, &k) || k > 2000000000LL || k < -2000000000LL)
			ok = false;
	}
	free(v);
	return ok;
}

/* The conversion of one column, and its value labels (fr and en) when it has labelled codes.
 * Sets *labelled when value labels named after the variable were defined. */
static void convert_column(strbuf *o, const export_column *col, const char *var, const char *csv,
                           bool *labelled)
{
	*labelled = false;
	const char *vt = col->kind == EXPORT_COL_COMMON   ? (col->common ? col->common->value_type : "text")
	                 : col->kind == EXPORT_COL_OPTION ? "integer"
	                                                  : export_value_type(col->fd);
	bool text_codes = false;
	export_value_label *v = NULL;
	size_t has_values = 0;
	if (strcmp(vt, "integer") == 0 || strcmp(vt, "decimal") == 0) {
		strbuf_printf(o, "recueil_num %s %s\n", var, csv);
	} else if (strcmp(vt, "date") == 0) {
		strbuf_printf(o, "recueil_date %s %s\n", var, csv);
	} else if (strcmp(vt, "datetime") == 0) {
		strbuf_printf(o, "recueil_heure %s %s\n", var, csv);
	} else if (strcmp(vt, "text") == 0 && (has_values = export_column_values(col, false, &v)) > 0) {
		/* Text codes: a labelled number in place of the text. */
		strbuf_puts(o, "quietly generate long __n = .\n");
		for (size_t i = 0; i < has_values; i++) {
			strbuf_printf(o, "quietly replace __n = %lu if %s == ", stata_code_number(v[i].code),
			              var);
			stata_text(o, v[i].code, 200);
			strbuf_putc(o, '\n');
			/* Two codes of one field with the same number (odds about 1 in 10^7 for a
			 * field of 25 codes) would share a label: said, never hidden. */
			for (size_t k = 0; k < i; k++)
				if (stata_code_number(v[k].code) == stata_code_number(v[i].code))
					strbuf_printf(
					    o,
					    "display as error \"%s : les codes %s et %s ont le meme "
					    "numero : les distinguer par le texte du CSV\"\n",
					    var, v[k].code, v[i].code);
		}
		strbuf_printf(o, "recueil_fin %s %s code\n", var, csv);
		text_codes = true;
	}
	free(v);
	if (!text_codes && !integer_codes(col))
		return;
	char name_en[STATA_NAME_MAX + 1];
	stata_name(var, "_en", name_en);
	define_labels(o, var, col, false, text_codes);
	define_labels(o, name_en, col, true, text_codes);
	*labelled = true;
}

/* label variable, cut at 80 bytes; the whole label in a note when it was cut. */
static void variable_label(strbuf *o, const export_column *col, const char *var, bool en)
{
	strbuf label = STRBUF_INIT;
	export_column_label(col, en, &label);
	strbuf_printf(o, "label variable %s ", var);
	bool cut = stata_text(o, strbuf_str(&label), STATA_LABEL_MAX);
	strbuf_putc(o, '\n');
	if (cut) {
		strbuf_printf(o, "notes %s: %s", var, en ? "[en] " : "");
		stata_note_text(o, strbuf_str(&label));
		strbuf_putc(o, '\n');
	}
	strbuf_done(&label);
}

/* One CSV read into name.dta: the columns of l, from the file csv; heading is the comment line
 * that opens its part of the do-file. */
static void stata_table(strbuf *o, const export_layout *l, const char *name, const char *csv,
                        const char *heading, const export_summary *sum)
{
	char(*names)[STATA_NAME_MAX + 1] = xcalloc(l->n ? l->n : 1, sizeof *names);
	bool *labelled = xcalloc(l->n ? l->n : 1, sizeof *labelled);
	strbuf_printf(o, "\n* ---- %s : %s, %zu colonnes\n", heading, csv, l->n);
	strbuf_printf(o,
	              "import delimited using \"%s\", varnames(nonames) stringcols(_all) "
	              "encoding(\"utf-8\") bindquote(strict) delimiters(\",\") clear\n"
	              "rename v* __v*\n",
	              csv);
	for (size_t i = 0; i < l->n; i++) {
		stata_name(l->cols[i].name, "", names[i]);
		strbuf_printf(o, "recueil_col %zu %s %s %s\n", i + 1, l->cols[i].name, names[i], csv);
	}
	strbuf_printf(o,
	              "capture confirm variable __v%zu\n"
	              "if !_rc {\n"
	              "\tdisplay as error \"%s : plus de colonnes que le dictionnaire n'en decrit\"\n"
	              "\texit 459\n"
	              "}\n"
	              "quietly drop in 1\n",
	              l->n + 1, csv);
	for (size_t i = 0; i < l->n; i++)
		convert_column(o, &l->cols[i], names[i], csv, &labelled[i]);
	/* French labels in the language "fr", English ones in "en"; the full names of the columns
	 * renamed for Stata in their notes. */
	strbuf_puts(o, "label language fr, rename\n");
	for (size_t i = 0; i < l->n; i++) {
		variable_label(o, &l->cols[i], names[i], false);
		if (labelled[i])
			strbuf_printf(o, "label values %s %s\n", names[i], names[i]);
		if (strcmp(names[i], l->cols[i].name) != 0)
			strbuf_printf(o, "notes %s: colonne %s de %s\n", names[i], l->cols[i].name, csv);
	}
	char *title = xasprintf("recueil %s, %s", name, sum->per->label);
	strbuf_puts(o, "label data ");
	stata_text(o, title, STATA_LABEL_MAX);
	strbuf_puts(o, "\nlabel language en, new\n");
	for (size_t i = 0; i < l->n; i++) {
		variable_label(o, &l->cols[i], names[i], true);
		if (labelled[i]) {
			char name_en[STATA_NAME_MAX + 1];
			stata_name(names[i], "_en", name_en);
			strbuf_printf(o, "label values %s %s\n", names[i], name_en);
		}
	}
	strbuf_puts(o, "label data ");
	stata_text(o, title, STATA_LABEL_MAX);
	free(title);
	strbuf_printf(o, "\nlabel language fr\nsave \"%s.dta\", replace\n", name);
	free(names);
	free(labelled);
}

static void stata_form(strbuf *o, const form *f, const export_summary *sum)
{
	char csv[80];
	export_csv_name(f->id, csv, sizeof csv);
	char *heading = xasprintf("formulaire %s (version %d)", f->id, f->version);
	export_layout l;
	export_layout_init(&l, f);
	stata_table(o, &l, f->id, csv, heading, sum);
	export_layout_done(&l);
	free(heading);
}

void export_stata_do(strbuf *o, const formset *fs, const export_summary *sum)
{
	strbuf_puts(
	    o, "* lire_recueil.do - lit les fichiers CSV d'un export recueil dans Stata (14 ou plus)\n"
	       "* avec les libelles du dictionnaire (codebook.csv) ; ecrit un fichier .dta par\n"
	       "* formulaire, et alerts.dta (alertes cliniques), a cote des CSV.\n"
	       "* Usage : cd \"dossier ou l'archive a ete extraite\" puis : do lire_recueil.do\n"
	       "* - Chaque CSV est lu en texte, ses colonnes verifiees une a une contre le dictionnaire,\n"
	       "*   puis converties : nombres, dates (%td), date et heure (%tc). Une valeur qui ne se\n"
	       "*   convertit pas est signalee (en rouge) et comptee ; le total est affiche a la fin.\n"
	       "* - Codes manquants : .a = .refus (refus de repondre), .b = .nsp (ne sait pas),\n"
	       "*   .c = .non_demande (non demande). Une cellule vide : sans reponse ou question non\n"
	       "*   posee (filtre show_if du dictionnaire).\n"
	       "* - Codes numeriques gardes tels quels. Un code textuel devient un nombre etiquete qui\n"
	       "*   ne depend que du code : 1 + (FNV-1a 32 bits des octets UTF-8 du code) modulo\n"
	       "*   999999999 ; il ne change pas quand un formulaire gagne ou perd des reponses.\n"
	       "* - Libelles en francais (label language fr, par defaut) et en anglais (label language\n"
	       "*   en) ; un libelle de plus de 80 octets est coupe et garde en entier dans les notes\n"
	       "*   (notes list). Un nom de colonne de plus de 32 caracteres est raccourci (debut du\n"
	       "*   nom, _ et 6 chiffres hexadecimaux) ; son nom complet est dans les notes.\n"
	       "* - Choix multiples : la colonne d'origine (codes separes par des espaces) reste du\n"
	       "*   texte ; une colonne 0/1 par reponse (champ___code) dit si elle a ete cochee.\n"
	       "* - Un patient est designe par (structure, pseudonym), jamais par pseudonym seul (un\n"
	       "*   pseudonyme n'est unique que dans sa structure ; un export regional en porte\n"
	       "*   plusieurs) : use audit, clear puis merge m:1 structure pseudonym using patient.\n"
	       "*   Une alerte se relie a sa saisie par (structure, entry_id) :\n"
	       "*   use alerts, clear puis merge m:1 structure entry_id using audit, keep(match).\n");
	strbuf_printf(o, "* Export %s, periode %s.\n\n", sum->export_id, sum->per->label);
	strbuf_puts(o, prologue);
	for (size_t k = 0; k < fs->n_forms; k++)
		stata_form(o, fs->forms[k], sum);
	export_layout l;
	export_alerts_layout_init(&l);
	stata_table(o, &l, EXPORT_ALERTS_NAME, EXPORT_ALERTS,
	            "fichier " EXPORT_ALERTS_NAME " (alertes cliniques)", sum);
	export_layout_done(&l);
	strbuf_puts(o, "\nif $recueil_problemes > 0 {\n"
	               "\tdisplay as error \"$recueil_problemes valeur(s) illisible(s) : voir ci-dessus\"\n"
	               "}\n"
	               "else {\n"
	               "\tdisplay \"recueil : tous les fichiers ont ete lus sans probleme de conversion\"\n"
	               "}\n");
}
