/* spss.c — lire_recueil.sps, the SPSS syntax that reads an export, generated from the forms:
 * each CSV read as text with the columns of the dictionary, numbers and dates converted in
 * place (ALTER TYPE), numeric missing codes kept as user-missing values, variable labels and
 * value labels in French, the English labels and the labels too long for SPSS as variable
 * attributes. Text codes stay text, with value labels. */
#include <stdlib.h>
#include <string.h>

#include "export/export_internal.h"

/* SPSS's reserved words, which cannot name a variable. */
static const char *const spss_reserved[] = {"all", "and", "by",  "eq", "ge", "gt",   "le",
                                            "lt",  "ne",  "not", "or", "to", "with", NULL};

enum {
	SPSS_NAME_MAX = 64,
	SPSS_LABEL_MAX = 255,    /* bytes of a variable label */
	SPSS_STRING_MAX = 32767, /* bytes of a string variable */
	SPSS_CHUNK = 60,         /* bytes of a quoted piece: syntax lines stay short */
};

/* The user-missing values that stand for the missing codes of a numeric column. */
static const struct {
	missing_code code;
	const char *value;
} spss_missing[] = {{MISS_REFUS, "-999991"}, {MISS_NSP, "-999992"}, {MISS_NON_DEMANDE, "-999993"}};

/* A quoted SPSS string ('…', quotes doubled), in pieces of at most SPSS_CHUNK bytes joined by
 * "+" on lines of their own; cut at max bytes (whole UTF-8 characters). Returns whether it was
 * cut. */
static bool spss_text(strbuf *o, const char *s, size_t max)
{
	bool cut;
	char *clean = export_label_cut(s, max, &cut);
	size_t n = strlen(clean), at = 0;
	do {
		size_t k = n - at < SPSS_CHUNK ? n - at : SPSS_CHUNK;
		while (at + k < n && k && ((unsigned char)clean[at + k] & 0xC0) == 0x80)
			k--;
		if (at)
			strbuf_puts(o, "\n    + ");
		strbuf_putc(o, '\'');
		for (size_t i = at; i < at + k; i++) {
			if (clean[i] == '\'')
				strbuf_putc(o, '\'');
			strbuf_putc(o, clean[i]);
		}
		strbuf_putc(o, '\'');
		at += k;
	} while (at < n);
	free(clean);
	return cut;
}

/* How wide, in bytes, a column is read: enough for any value the export writes in it. */
static size_t read_width(const export_column *col, const char *vt)
{
	if (col->kind == EXPORT_COL_COMMON)
		return strcmp(col->name, "entry_id") == 0 ? 36 : 64;
	if (col->kind == EXPORT_COL_OPTION || strcmp(vt, "integer") == 0 || strcmp(vt, "decimal") == 0 ||
	    strcmp(vt, "date") == 0)
		return 40;
	const field *fd = col->fd;
	size_t w = 12; /* ".non_demande" */
	if (fd->choices) {
		size_t all = 0;
		for (size_t i = 0; i < fd->choices->n; i++) {
			size_t len = strlen(fd->choices->items[i].code);
			all += len + 1;
			if (len > w)
				w = len;
		}
		if (fd->type == FT_MULTI && all > w)
			w = all;
		return w;
	}
	if (fd->type == FT_TEXT && fd->has_max)
		w = (size_t)fd->max * 4 > w ? (size_t)fd->max * 4 : w;
	else
		w = 16000; /* 4,000 characters of 4 bytes at most */
	return w > SPSS_STRING_MAX ? SPSS_STRING_MAX : w;
}

static const char *column_value_type(const export_column *col)
{
	if (col->kind == EXPORT_COL_COMMON)
		return col->common ? col->common->value_type : "text";
	return col->kind == EXPORT_COL_OPTION ? "integer" : export_value_type(col->fd);
}

static unsigned missing_allowed(const export_column *col)
{
	return col->kind == EXPORT_COL_FIELD ? col->fd->missing_allowed : 0;
}

/* The conversion of a numeric or date column, in place. */
static void convert(strbuf *o, const export_column *col, const char *var, const char *vt)
{
	bool number = strcmp(vt, "integer") == 0 || strcmp(vt, "decimal") == 0;
	bool date = strcmp(vt, "date") == 0;
	if (!number && !date)
		return;
	unsigned allowed = missing_allowed(col);
	if (allowed) {
		/* Numbers: the codes become user-missing values; dates: system-missing. */
		strbuf_printf(o, "RECODE %s", var);
		for (size_t i = 0; i < 3; i++)
			if (allowed & spss_missing[i].code)
				strbuf_printf(o, " ('%s'='%s')", missing_code_name(spss_missing[i].code),
				              number ? spss_missing[i].value : "");
		strbuf_puts(o, ".\n");
	}
	int decimals = col->kind == EXPORT_COL_FIELD && col->fd->decimals > 0 ? col->fd->decimals : 0;
	if (date) {
		strbuf_printf(o, "ALTER TYPE %s (SDATE10).\n", var);
		return;
	}
	strbuf_printf(o, "ALTER TYPE %s (F40.%d).\n", var, decimals);
	if (strcmp(vt, "integer") == 0)
		strbuf_printf(o, "FORMATS %s (F12.0).\n", var);
	else
		strbuf_printf(o, "FORMATS %s (F16.%d).\n", var, decimals ? decimals : 4);
	if (allowed)
		strbuf_printf(o, "MISSING VALUES %s (-999993 THRU -999991).\n", var);
}

static void value_labels(strbuf *o, const export_column *col, const char *var, const char *vt)
{
	export_value_label *v;
	size_t n = export_column_values(col, false, &v);
	unsigned allowed = missing_allowed(col);
	if (!n) {
		free(v);
		return;
	}
	bool number = strcmp(vt, "integer") == 0 || strcmp(vt, "decimal") == 0;
	strbuf_printf(o, "VALUE LABELS %s\n", var);
	for (size_t i = 0; i < n; i++) {
		if (number)
			strbuf_printf(o, "  %s ", v[i].code);
		else
			strbuf_printf(o, "  '%s' ", v[i].code);
		spss_text(o, v[i].label, 120);
		strbuf_putc(o, '\n');
	}
	for (size_t i = 0; i < 3; i++)
		if (allowed & spss_missing[i].code) {
			if (number)
				strbuf_printf(o, "  %s ", spss_missing[i].value);
			else
				strbuf_printf(o, "  '%s' ", missing_code_name(spss_missing[i].code));
			spss_text(o, missing_code_label(spss_missing[i].code), 120);
			strbuf_putc(o, '\n');
		}
	strbuf_puts(o, ".\n");
	free(v);
}

/* VARIABLE LABELS (cut at 255 bytes) and the attributes: the English label, the whole French
 * label when it was cut, the CSV column when the name had to change. */
static void labels(strbuf *o, const export_column *col, const char *var)
{
	strbuf fr = STRBUF_INIT, en = STRBUF_INIT;
	export_column_label(col, false, &fr);
	export_column_label(col, true, &en);
	strbuf_printf(o, "VARIABLE LABELS %s ", var);
	bool cut = spss_text(o, strbuf_str(&fr), SPSS_LABEL_MAX);
	strbuf_puts(o, ".\n");
	strbuf_printf(o, "VARIABLE ATTRIBUTE VARIABLES=%s ATTRIBUTE=label_en(", var);
	spss_text(o, strbuf_str(&en), 32000);
	strbuf_puts(o, ")");
	if (cut) {
		strbuf_puts(o, "\n  label_fr(");
		spss_text(o, strbuf_str(&fr), 32000);
		strbuf_puts(o, ")");
	}
	if (strcmp(var, col->name) != 0)
		strbuf_printf(o, "\n  colonne('%s')", col->name);
	strbuf_puts(o, ".\n");
	strbuf_done(&fr);
	strbuf_done(&en);
}

/* One CSV read into the dataset name (name.sav): the columns of l, from the file csv; heading
 * is the comment line that opens its part of the syntax. */
static void spss_table(strbuf *o, const export_layout *l, const char *name, const char *csv,
                       const char *heading)
{
	char(*names)[SPSS_NAME_MAX + 1] = xcalloc(l->n ? l->n : 1, sizeof *names);
	strbuf_printf(o, "\n* ---- %s : %s, %zu colonnes.\n", heading, csv, l->n);
	strbuf_printf(o,
	              "GET DATA\n  /TYPE=TXT\n  /FILE='%s'\n  /ENCODING='UTF8'\n"
	              "  /ARRANGEMENT=DELIMITED\n  /DELCASE=LINE\n  /FIRSTCASE=2\n"
	              "  /DELIMITERS=\",\"\n  /QUALIFIER='\"'\n  /VARIABLES=\n",
	              csv);
	for (size_t i = 0; i < l->n; i++) {
		export_package_name(l->cols[i].name, SPSS_NAME_MAX, spss_reserved, names[i]);
		strbuf_printf(o, "    %s A%zu\n", names[i],
		              read_width(&l->cols[i], column_value_type(&l->cols[i])));
	}
	strbuf_puts(o, ".\n");
	strbuf_printf(o, "DATASET NAME %s.\n", name);
	for (size_t i = 0; i < l->n; i++) {
		const char *vt = column_value_type(&l->cols[i]);
		convert(o, &l->cols[i], names[i], vt);
		value_labels(o, &l->cols[i], names[i], vt);
		labels(o, &l->cols[i], names[i]);
	}
	strbuf_printf(o, "SAVE OUTFILE='%s.sav'.\n", name);
	free(names);
}

static void spss_form(strbuf *o, const form *f)
{
	char csv[80];
	export_csv_name(f->id, csv, sizeof csv);
	char *heading = xasprintf("formulaire %s (version %d)", f->id, f->version);
	export_layout l;
	export_layout_init(&l, f);
	spss_table(o, &l, f->id, csv, heading);
	export_layout_done(&l);
	free(heading);
}

void export_spss_sps(strbuf *o, const formset *fs, const export_summary *sum)
{
	strbuf_puts(o,
	            "* Encoding: UTF-8.\n"
	            "* lire_recueil.sps - lit les fichiers CSV d'un export recueil dans SPSS (16 ou plus)\n"
	            "* avec les libelles du dictionnaire (codebook.csv) ; ecrit un fichier .sav par\n"
	            "* formulaire, et alerts.sav (alertes cliniques), a cote des CSV.\n"
	            "* Usage : dans une fenetre de syntaxe, CD 'dossier ou l''archive a ete extraite'.\n"
	            "* puis INSERT FILE='lire_recueil.sps'.\n"
	            "* - Nombres et dates convertis en place ; codes textuels gardes en texte, avec leurs\n"
	            "*   libelles de valeurs.\n"
	            "* - Codes manquants d'un nombre : -999991 = .refus (refus de repondre), -999992 = .nsp\n"
	            "*   (ne sait pas), -999993 = .non_demande (non demande), declares valeurs manquantes ;\n"
	            "*   d'un texte : gardes tels quels, avec un libelle ; d'une date : valeur manquante.\n"
	            "* - Libelles en francais ; en anglais dans l'attribut label_en (DISPLAY ATTRIBUTES) ;\n"
	            "*   un libelle de plus de 255 octets est coupe, et garde en entier dans label_fr.\n"
	            "* - Un nom de colonne de plus de 64 caracteres est raccourci (debut du nom, _ et\n"
	            "*   6 chiffres hexadecimaux) ; le nom complet est dans l'attribut colonne.\n"
	            "* - Choix multiples : la colonne d'origine (codes separes par des espaces) reste du\n"
	            "*   texte ; une colonne 0/1 par reponse (champ___code) dit si elle a ete cochee.\n"
	            "* - Un patient est designe par (structure, pseudonym), jamais par pseudonym seul (un\n"
	            "*   pseudonyme n'est unique que dans sa structure ; un export regional en porte\n"
	            "*   plusieurs) : trier les deux jeux par structure pseudonym, puis\n"
	            "*   MATCH FILES /FILE='audit.sav' /TABLE='patient.sav' /BY structure pseudonym.\n"
	            "*   Une alerte se relie a sa saisie par (structure, entry_id) de la meme facon.\n");
	strbuf_printf(o, "* Export %s, periode %s.\n\n", sum->export_id, sum->per->label);
	strbuf_puts(o, "SET UNICODE=ON.\nSET DECIMAL=DOT.\n");
	for (size_t k = 0; k < fs->n_forms; k++)
		spss_form(o, fs->forms[k]);
	export_layout l;
	export_alerts_layout_init(&l);
	spss_table(o, &l, EXPORT_ALERTS_NAME, EXPORT_ALERTS,
	           "fichier " EXPORT_ALERTS_NAME " (alertes cliniques)");
	export_layout_done(&l);
}
