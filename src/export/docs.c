/* docs.c — the files of an export that describe the data: the codebook, the recipient's
 * LISEZMOI.txt, and the loaders for R and Stata. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/util.h"
#include "export/csv.h"
#include "export/export_internal.h"
#include "export/report.h"

static bool strbuf_sink(void *ctx, const char *buf, size_t n)
{
	strbuf_add(ctx, buf, n);
	return true;
}

/* How a column reads once loaded: "number", "text", "date" or "codes" (several codes
 * separated by spaces). */
static const char *value_type(const field *fd)
{
	switch (fd->type) {
	case FT_INTEGER:
	case FT_DECIMAL:
	case FT_YESNO:
		return "number";
	case FT_DATE:
		return "date";
	case FT_MULTI:
		return "codes";
	case FT_CHOICE:
		return fd->choices && fd->choices->numeric ? "number" : "text";
	case FT_CALCULATED:
		switch (fd->vtype) {
		case T_NUM:
		case T_BOOL:
			return "number";
		case T_DATE:
			return "date";
		case T_SET:
			return "codes";
		default:
			return "text";
		}
	default:
		return "text";
	}
}

/* A label on one line, with "|" (the list separator of the codebook) made harmless. */
static void label_text(strbuf *sb, const char *s)
{
	char *clean = text_sanitize(s ? s : "", false);
	for (char *p = clean; *p; p++)
		strbuf_putc(sb, *p == '|' ? '/' : *p);
	free(clean);
}

/* "code=label | code=label" for choice, multi and yes/no fields; "" otherwise. */
static void choices_text(strbuf *sb, const field *fd)
{
	if (fd->type == FT_YESNO) {
		strbuf_puts(sb, "1=oui | 0=non");
		return;
	}
	if ((fd->type != FT_CHOICE && fd->type != FT_MULTI) || !fd->choices)
		return;
	for (size_t i = 0; i < fd->choices->n; i++) {
		const choice *c = &fd->choices->items[i];
		strbuf_printf(sb, "%s%s=", i ? " | " : "", c->code);
		label_text(sb, c->label.fr);
	}
}

static const missing_code all_missing[] = {MISS_REFUS, MISS_NSP, MISS_NON_DEMANDE};

static void missing_text(strbuf *sb, const field *fd)
{
	size_t n = 0;
	for (size_t i = 0; i < 3; i++)
		if (fd->missing_allowed & all_missing[i])
			strbuf_printf(sb, "%s%s=%s", n++ ? " | " : "", missing_code_name(all_missing[i]),
			              missing_code_label(all_missing[i]));
}

void export_codebook(strbuf *out, const formset *fs)
{
	csv_writer w;
	csv_init(&w, strbuf_sink, out);
	static const char *const head[] = {"form",    "form_version",  "field",      "label",
	                                   "type",    "value_type",    "unit",       "decimals",
	                                   "choices", "missing_codes", "expression", "show_if"};
	for (size_t i = 0; i < sizeof head / sizeof *head; i++)
		csv_field(&w, head[i]);
	csv_end_row(&w);
	strbuf cell = STRBUF_INIT;
	for (size_t k = 0; k < fs->n_forms; k++) {
		const form *f = fs->forms[k];
		char version[16];
		snprintf(version, sizeof version, "%d", f->version);
		for (size_t i = 0; i < f->n_fields; i++) {
			const field *fd = &f->fields[i];
			if (!export_field_included(fd))
				continue;
			csv_field(&w, f->id);
			csv_field(&w, version);
			csv_field(&w, fd->id);
			strbuf_reset(&cell);
			label_text(&cell, fd->label.fr);
			csv_field(&w, strbuf_str(&cell));
			csv_field(&w, field_type_name(fd->type));
			csv_field(&w, value_type(fd));
			csv_field(&w, fd->unit);
			char dec[16] = "";
			if (fd->decimals >= 0 && (fd->type == FT_DECIMAL || fd->type == FT_CALCULATED))
				snprintf(dec, sizeof dec, "%d", fd->decimals);
			csv_field(&w, dec);
			strbuf_reset(&cell);
			choices_text(&cell, fd);
			csv_field(&w, strbuf_str(&cell));
			strbuf_reset(&cell);
			missing_text(&cell, fd);
			csv_field(&w, strbuf_str(&cell));
			csv_field(&w, fd->expr_src);
			csv_field(&w, fd->show_if_src);
			csv_end_row(&w);
		}
	}
	strbuf_done(&cell);
	csv_flush(&w);
}

/* ------------------------------------------------------------ LISEZMOI.txt */

/* How an archive sent inside an age file was opened, and what that means for the zip. */
static void readme_age(strbuf *o)
{
	strbuf_puts(o, "L'archive a été chiffrée pour la clé publique de la coordination (format age) :\n"
	               "seule sa clé privée l'ouvre, l'expéditeur lui-même ne peut plus la relire. Pour\n"
	               "l'ouvrir : « age -d -i cle-region.txt -o archive.zip archive.zip.age », puis\n"
	               "n'importe quel outil zip ; ou directement « recueil import --identity\n"
	               "cle-region.txt archive.zip.age ». Le zip obtenu n'est pas chiffré : le garder dans\n"
	               "un dossier protégé et ne pas le retransmettre tel quel.\n\n");
}

/* What the signature is, and the coordination's one-time set-up of keys and enrolments. */
static void readme_trust(strbuf *o)
{
	strbuf_puts(o,
	            "SIGNATURE ET CLÉS (pour la coordination)\n----------------------------------------\n"
	            "manifest.txt.minisig est la signature de manifest.txt par la structure (clé Ed25519,\n"
	            "format minisign) ; le manifeste donne l'empreinte SHA-256 de chaque fichier : la\n"
	            "signature garantit donc toute l'archive. Vérifier : « recueil verify --pubkey CLÉ\n"
	            "archive.zip », ou « minisign -Vm manifest.txt -P CLÉ ». « recueil import » vérifie\n"
	            "la signature avec la clé inscrite pour la structure et refuse toute archive non\n"
	            "signée, modifiée, ou d'une structure non inscrite.\n"
	            "Mise en place, une seule fois :\n"
	            "1. La coordination crée sa base (« recueil init --region CODE ») et sa paire de clés\n"
	            "   de chiffrement (« recueil keygen --out cle-region.txt » ou « age-keygen -o\n"
	            "   cle-region.txt ») ; elle garde la clé privée et envoie aux structures la clé\n"
	            "   publique (age1…), que chacune inscrit dans forms/reporting.yaml (recipients:).\n"
	            "2. Chaque structure lit sa clé publique de signature avec « recueil structure key » ;\n"
	            "   la coordination l'inscrit avec « recueil structure enrol CODE CLÉ » et compare au\n"
	            "   téléphone l'empreinte affichée des deux côtés (quatre groupes de caractères).\n"
	            "Une structure qui change de machine a une nouvelle clé : après comparaison de la\n"
	            "nouvelle empreinte au téléphone, l'inscrire de nouveau avec « recueil structure enrol\n"
	            "CODE CLÉ --replace » (le remplacement est noté dans le journal).\n\n");
}

void export_readme(strbuf *o, const export_summary *sum, const formset *fs)
{
	char first[11], last[11];
	date_format(sum->per->first, first);
	date_format(sum->per->last, last);
	char *name = text_sanitize(sum->structure_name, false);
	char *code = text_sanitize(sum->structure_code, false);
	strbuf_puts(o, "LISEZMOI - export recueil\n=========================\n\n");
	strbuf_printf(o, "Structure : %s (%s)\n", name, code);
	strbuf_printf(o, "Période : %s, du %s au %s%s\n", sum->per->label, first, last,
	              sum->period_complete ? "" : " (période pas encore terminée au moment de l'export)");
	strbuf_printf(o, "Export n° %lld, créé le %s (UTC), identifiant %s\n\n", (long long)sum->sequence,
	              sum->created_at, sum->export_id);
	free(name);
	free(code);
	strbuf_puts(o, "Cette archive contient les données de suivi, pseudonymisées, des patients de la\n"
	               "microstructure : un instantané de la base au dernier jour de la période ci-dessus,\n"
	               "c'est-à-dire tous les patients et toutes leurs saisies datées jusqu'à ce jour (les\n"
	               "saisies d'avant la période servent aux indicateurs cumulés : cascade VHC, statut\n"
	               "vaccinal, dépistages à renouveler). Pseudonymisées ne veut pas dire anonymes :\n"
	               "ce sont des données de santé à caractère personnel. Les conserver dans un dossier\n"
	               "protégé, ne pas les retransmettre, supprimer les copies inutiles.\n\n");
	if (sum->regional)
		strbuf_puts(
		    o, "Archive d'une base régionale : elle réunit plusieurs structures, chaque ligne porte\n"
		       "le code de la sienne (colonne structure), et manifest.txt dit de quel export de\n"
		       "chaque structure viennent ses lignes (lignes « structure_snapshot: »).\n\n");
	strbuf_puts(o, "OUVRIR L'ARCHIVE\n----------------\n");
	if (sum->age_recipients)
		readme_age(o);
	else if (sum->encrypted)
		strbuf_puts(
		    o, "L'archive est chiffrée (AES-256). L'ouvrir avec 7-Zip (https://www.7-zip.org) :\n"
		       "clic droit > 7-Zip > Extraire, ou en ligne de commande « 7z x archive.zip ».\n"
		       "Sous macOS : Keka ou « 7zz x archive.zip » ; sous Linux : « 7z x archive.zip ».\n"
		       "L'explorateur de Windows, l'utilitaire d'archives de macOS et « unzip » ne savent\n"
		       "pas ouvrir ce chiffrement : ils signalent une erreur ou un mot de passe faux.\n\n"
		       "La phrase de passe n'est jamais dans l'e-mail : l'expéditeur vous la transmet à\n"
		       "part, par SMS ou par téléphone. Elle se compose de 16 caractères en 4 groupes\n"
		       "(par exemple 7K2M-QX4T-0PZR-9CWD) : la saisir telle quelle, tirets compris, en\n"
		       "majuscules. Sans elle, appeler l'expéditeur : ne pas la demander par e-mail.\n\n");
	else
		strbuf_puts(
		    o,
		    "ATTENTION : cette archive n'est PAS chiffrée (export demandé avec --no-encrypt).\n"
		    "Elle ne doit pas circuler par e-mail. Elle s'ouvre avec n'importe quel outil zip.\n\n");
	strbuf_puts(o, "FICHIERS\n--------\n");
	for (size_t i = 0; i < sum->n_files; i++) {
		const export_file *f = &sum->files[i];
		if (f->f)
			strbuf_printf(o, "%-22s formulaire « %s » (version %d) : %llu ligne(s)\n", f->name,
			              f->f->id, f->f->version, (unsigned long long)f->rows);
	}
	strbuf_printf(o,
	              "%-22s alertes cliniques des saisies : structure, entry_id, règle, niveau, date,\n"
	              "%-22s prise en compte (0/1) et sa date ; jamais leur texte ni qui les a vues\n",
	              EXPORT_ALERTS, "");
	strbuf_printf(o,
	              "%-22s dictionnaire des variables : formulaire, champ, libellé, type, unité,\n"
	              "%-22s codes et libellés (code=libellé | …), codes manquants, formule de calcul\n",
	              EXPORT_CODEBOOK, "");
	strbuf_printf(o, "%-22s ce fichier\n", EXPORT_README);
	strbuf_printf(o, "%-22s lecture dans R avec les libellés : source(\"%s\")\n", EXPORT_R_SCRIPT,
	              EXPORT_R_SCRIPT);
	strbuf_printf(o, "%-22s lecture dans Stata (14 ou plus) avec les libellés : do %s\n", EXPORT_STATA_DO,
	              EXPORT_STATA_DO);
	strbuf_printf(o,
	              "%-22s manifeste : structure, période, versions, nombre de lignes et empreinte\n"
	              "%-22s SHA-256 de chaque fichier, corrections depuis l'export précédent\n\n",
	              EXPORT_MANIFEST, "");
	readme_trust(o);
	strbuf_puts(o,
	            "FORMAT DES FICHIERS CSV\n-----------------------\n"
	            "UTF-8 sans BOM, séparateur virgule, guillemets doubles si nécessaire, fin de ligne\n"
	            "CRLF (RFC 4180), point décimal, dates AAAA-MM-JJ, une ligne d'en-tête.\n"
	            "Colonnes communes : structure (code de la structure du patient), entry_id\n"
	            "(identifiant de la saisie), pseudonym (pseudonyme du patient), entry_date (date de\n"
	            "la saisie), form_version, entry_status (complete ou incomplete), row_version (numéro\n"
	            "de version de la saisie, augmenté à chaque modification), updated_at (date et heure\n"
	            "UTC de la dernière modification), puis un champ par colonne, nommé comme dans\n"
	            "codebook.csv.\n"
	            "Un pseudonyme n'est unique qu'au sein de sa structure : un patient est désigné par\n"
	            "le couple (structure, pseudonym), la clé pour relier les fichiers entre eux.\n"
	            "Les valeurs sont des codes, pas des libellés (libellés dans codebook.csv). Un choix\n"
	            "multiple contient ses codes séparés par des espaces. Une réponse manquante expliquée\n"
	            "est écrite .refus (refus de répondre), .nsp (ne sait pas) ou .non_demande ; une\n"
	            "cellule vide signifie sans réponse, ou question non posée (filtre).\n"
	            "Le fichier patient.csv décrit chaque patient (sexe, année de naissance, date\n"
	            "d'inclusion…), quelle que soit la date de sa fiche. Aucun nom, prénom, téléphone ni\n"
	            "note libre n'est exporté.\n\n"
	            "Excel : ne pas double-cliquer (accents abîmés, codes convertis en dates). Utiliser\n"
	            "Données > À partir d'un fichier texte/CSV, Origine du fichier : 65001 Unicode (UTF-8),\n"
	            "Délimiteur : virgule, puis « Transformer les données » pour garder les codes en texte.\n"
	            "Python : csv.reader(open(f, encoding=\"utf-8\", newline=\"\")).\n\n");
	strbuf_puts(o, "CONTRÔLES ET CORRECTIONS\n------------------------\n");
	strbuf_puts(o,
	            "Chaque export est un instantané complet : il remplace tous les exports précédents de\n"
	            "la structure, quelle que soit leur période (un export manqué ne fait rien perdre).\n");
	if (*sum->previous_same_at)
		strbuf_printf(
		    o,
		    "Cette période a déjà été exportée le %s : les %zu saisie(s) de la période modifiée(s),\n"
		    "ajoutée(s) ou supprimée(s) depuis sont listées dans manifest.txt (lignes\n"
		    "« correction: »).\n",
		    sum->previous_same_at, sum->n_corrections);
	else
		strbuf_puts(o, "Premier export de cette période.\n");
	if (sum->n_issues)
		strbuf_printf(
		    o,
		    "%zu saisie(s) incomplète(s), en brouillon ou à confirmer ont été signalées avant\n"
		    "l'export et acceptées par l'expéditeur (motif et liste dans manifest.txt, lignes\n"
		    "« issue: »). Les brouillons (%zu) ne sont pas exportés.\n",
		    sum->n_issues, sum->drafts);
	strbuf_puts(o, "Pour contrôler l'archive : « recueil verify archive.zip », ou comparer l'empreinte\n"
	               "SHA-256 de chaque fichier extrait (sha256sum, certutil -hashfile F SHA256) avec\n"
	               "manifest.txt.\n\n");
	report_definitions_text(o, fs->reporting); /* how the figures made from these data are counted */
}

/* ------------------------------------------------------------ R */

void export_r_script(strbuf *o)
{
	strbuf_puts(
	    o,
	    "# lire_recueil.R - lit les fichiers CSV d'un export recueil et applique les libelles du\n"
	    "# dictionnaire des variables (codebook.csv).\n"
	    "# Usage : setwd(\"dossier ou l'archive a ete extraite\") ; source(\"lire_recueil.R\")\n"
	    "# Resultat : la liste `recueil`, un data.frame par formulaire (recueil$audit, ...), et\n"
	    "# recueil$alertes (alerts.csv : alertes cliniques des saisies).\n"
	    "#  - un pseudonyme n'est unique qu'au sein de sa structure : relier les formulaires par\n"
	    "#    le couple (structure, pseudonym), par exemple\n"
	    "#    merge(recueil$audit, recueil$patient[, c(\"structure\", \"pseudonym\", \"sexe\")],\n"
	    "#          by = c(\"structure\", \"pseudonym\")) ;\n"
	    "#  - les champs oui/non et a choix deviennent des facteurs aux libelles du codebook,\n"
	    "#    codes manquants (.refus, .nsp, .non_demande) compris ;\n"
	    "#  - les nombres deviennent numeriques : un code manquant y devient NA et reste lisible\n"
	    "#    dans l'attribut \"codes_manquants\" de la colonne ;\n"
	    "#  - les dates deviennent des Date ; les choix multiples restent du texte (codes separes\n"
	    "#    par des espaces) ; chaque colonne garde son libelle dans l'attribut \"label\".\n"
	    "# R de base uniquement (>= 3.5), aucun paquet necessaire.\n"
	    "\n"
	    "lire_csv <- function(fichier) {\n"
	    "  utils::read.csv(fichier, colClasses = \"character\", na.strings = character(0),\n"
	    "                  encoding = \"UTF-8\", fileEncoding = \"UTF-8\", check.names = FALSE)\n"
	    "}\n"
	    "\n"
	    "decouper <- function(texte) {\n"
	    "  if (is.na(texte) || texte == \"\") return(list(codes = character(0), libelles = "
	    "character(0)))\n"
	    "  paires <- strsplit(texte, \" | \", fixed = TRUE)[[1]]\n"
	    "  pos <- regexpr(\"=\", paires, fixed = TRUE)\n"
	    "  list(codes = substr(paires, 1, pos - 1), libelles = substring(paires, pos + 1))\n"
	    "}\n"
	    "\n"
	    "codes_manquants <- c(\".refus\", \".nsp\", \".non_demande\")\n"
	    "codebook <- lire_csv(\"codebook.csv\")\n"
	    "recueil <- list()\n"
	    "for (formulaire in unique(codebook$form)) {\n"
	    "  fichier <- paste0(formulaire, \".csv\")\n"
	    "  if (!file.exists(fichier)) next\n"
	    "  d <- lire_csv(fichier)\n"
	    "  d$entry_date <- as.Date(d$entry_date)\n"
	    "  d$form_version <- as.integer(d$form_version)\n"
	    "  if (!is.null(d$row_version)) d$row_version <- as.integer(d$row_version)\n"
	    "  cb <- codebook[codebook$form == formulaire, ]\n"
	    "  for (i in seq_len(nrow(cb))) {\n"
	    "    v <- cb$field[i]\n"
	    "    if (!(v %in% names(d))) next\n"
	    "    x <- d[[v]]\n"
	    "    manquant <- x %in% codes_manquants\n"
	    "    vide <- x == \"\"\n"
	    "    choix <- decouper(cb$choices[i])\n"
	    "    if (length(choix$codes) > 0 && cb$type[i] != \"multi\") {\n"
	    "      m <- decouper(cb$missing_codes[i])\n"
	    "      x[vide] <- NA\n"
	    "      y <- factor(x, levels = c(choix$codes, m$codes), labels = c(choix$libelles, m$libelles))\n"
	    "    } else if (cb$value_type[i] == \"number\") {\n"
	    "      y <- suppressWarnings(as.numeric(ifelse(manquant | vide, NA, x)))\n"
	    "      if (any(manquant)) attr(y, \"codes_manquants\") <- ifelse(manquant, x, NA)\n"
	    "    } else if (cb$value_type[i] == \"date\") {\n"
	    "      y <- as.Date(ifelse(manquant | vide, NA, x))\n"
	    "      if (any(manquant)) attr(y, \"codes_manquants\") <- ifelse(manquant, x, NA)\n"
	    "    } else {\n"
	    "      y <- ifelse(vide, NA, x)\n"
	    "    }\n"
	    "    attr(y, \"label\") <- cb$label[i]\n"
	    "    d[[v]] <- y\n"
	    "  }\n"
	    "  recueil[[formulaire]] <- d\n"
	    "}\n"
	    "suppressWarnings(rm(formulaire, fichier, d, cb, i, v, x, y, m, manquant, vide, choix))\n"
	    "message(\"recueil : \", length(recueil), \" formulaire(s) lu(s) : \",\n"
	    "        paste(names(recueil), sapply(recueil, nrow), sep = \" \", collapse = \", \"))\n"
	    "if (file.exists(\"alerts.csv\")) {\n"
	    "  recueil$alertes <- lire_csv(\"alerts.csv\")\n"
	    "  recueil$alertes$acknowledged <- as.integer(recueil$alertes$acknowledged)\n"
	    "  message(\"recueil : \", nrow(recueil$alertes), \" alerte(s) lue(s)\")\n"
	    "}\n");
}

/* ------------------------------------------------------------ Stata */

/* A Stata compound-quoted string `"…"' of at most max bytes (whole UTF-8 characters), without
 * what Stata would expand inside it (` $ \) or control characters. */
static void stata_text(strbuf *o, const char *s, size_t max)
{
	char *clean = text_sanitize(s ? s : "", false);
	size_t n = strlen(clean);
	if (n > max) {
		n = max;
		while (n && ((unsigned char)clean[n] & 0xC0) == 0x80)
			n--;
	}
	strbuf_puts(o, "`\"");
	for (size_t i = 0; i < n; i++) {
		char c = clean[i];
		strbuf_putc(o, c == '`' || c == '$' || c == '\\' ? '\'' : c);
	}
	strbuf_puts(o, "\"'");
	free(clean);
}

static bool integer_codes(const choice_set *cs)
{
	if (!cs || !cs->numeric)
		return false;
	for (size_t i = 0; i < cs->n; i++)
		if (cs->items[i].num != floor(cs->items[i].num) || fabs(cs->items[i].num) > 2e9)
			return false;
	return true;
}

static void stata_missing_labels(strbuf *o, const field *fd)
{
	static const char *const ext[] = {".a", ".b", ".c"};
	for (size_t i = 0; i < 3; i++)
		if (fd->missing_allowed & all_missing[i]) {
			strbuf_printf(o, " %s ", ext[i]);
			stata_text(o, missing_code_label(all_missing[i]), 80);
		}
}

static void stata_field(strbuf *o, const field *fd)
{
	const char *id = fd->id;
	const char *vt = value_type(fd);
	if (strcmp(vt, "number") == 0) {
		strbuf_printf(o, "\trecueil_num %s\n", id);
		if (fd->type == FT_YESNO || integer_codes(fd->choices)) {
			strbuf_printf(o, "\tlabel define %s", id);
			if (fd->type == FT_YESNO)
				strbuf_puts(o, " 1 \"oui\" 0 \"non\"");
			else
				for (size_t i = 0; i < fd->choices->n; i++) {
					strbuf_printf(o, " %.0f ", fd->choices->items[i].num);
					stata_text(o, fd->choices->items[i].label.fr, 200);
				}
			stata_missing_labels(o, fd);
			strbuf_printf(o, ", replace\n\tlabel values %s %s\n", id, id);
		}
	} else if (strcmp(vt, "date") == 0) {
		strbuf_printf(o, "\trecueil_date %s\n", id);
	} else if (fd->type == FT_CHOICE && fd->choices) {
		/* Text codes: a labelled number in place of the text (1 = first code…). */
		strbuf_puts(o, "\tquietly generate long __c = .\n");
		for (size_t i = 0; i < fd->choices->n; i++) {
			strbuf_printf(o, "\tquietly replace __c = %zu if %s == ", i + 1, id);
			stata_text(o, fd->choices->items[i].code, 200);
			strbuf_putc(o, '\n');
		}
		strbuf_printf(o, "\trecueil_missing __c %s\n", id);
		strbuf_printf(o, "\tlabel define %s", id);
		for (size_t i = 0; i < fd->choices->n; i++) {
			strbuf_printf(o, " %zu ", i + 1);
			stata_text(o, fd->choices->items[i].label.fr, 200);
		}
		stata_missing_labels(o, fd);
		strbuf_printf(
		    o,
		    ", replace\n\tlabel values __c %s\n\torder __c, after(%s)\n\tdrop %s\n\trename __c %s\n",
		    id, id, id, id);
	}
	strbuf_printf(o, "\tlabel variable %s ", id);
	stata_text(o, fd->label.fr, 80);
	strbuf_putc(o, '\n');
}

void export_stata_do(strbuf *o, const formset *fs, const export_summary *sum)
{
	strbuf_puts(
	    o, "* lire_recueil.do - lit les fichiers CSV d'un export recueil dans Stata (14 ou plus)\n"
	       "* et applique les libelles du dictionnaire (codebook.csv) ; ecrit un fichier .dta par\n"
	       "* formulaire a cote des CSV.\n"
	       "* Usage : cd \"dossier ou l'archive a ete extraite\" puis : do lire_recueil.do\n"
	       "* Codes manquants : .a = .refus (refus de repondre), .b = .nsp (ne sait pas),\n"
	       "* .c = .non_demande. Un choix a codes textuels devient un nombre etiquete (1 = premier\n"
	       "* code du codebook). Les choix multiples restent du texte (codes separes par des espaces).\n"
	       "* Un pseudonyme n'est unique qu'au sein de sa structure : relier les formulaires par\n"
	       "* structure et pseudonym, par exemple : use audit.dta, clear puis\n"
	       "* merge m:1 structure pseudonym using patient.dta\n"
	       "* Les alertes cliniques (alerts.csv) vont dans alerts.dta.\n");
	strbuf_printf(o, "* Export %s, periode %s.\n\n", sum->export_id, sum->per->label);
	strbuf_puts(o, "version 14\nset more off\n\n"
	               "capture program drop recueil_missing\n"
	               "program define recueil_missing\n"
	               "\targs target source\n"
	               "\tquietly replace `target' = .a if `source' == \".refus\"\n"
	               "\tquietly replace `target' = .b if `source' == \".nsp\"\n"
	               "\tquietly replace `target' = .c if `source' == \".non_demande\"\n"
	               "end\n\n"
	               "capture program drop recueil_num\n"
	               "program define recueil_num\n"
	               "\tsyntax varlist\n"
	               "\tforeach v of local varlist {\n"
	               "\t\tquietly replace `v' = \".a\" if `v' == \".refus\"\n"
	               "\t\tquietly replace `v' = \".b\" if `v' == \".nsp\"\n"
	               "\t\tquietly replace `v' = \".c\" if `v' == \".non_demande\"\n"
	               "\t\tquietly destring `v', replace\n"
	               "\t}\n"
	               "end\n\n"
	               "capture program drop recueil_date\n"
	               "program define recueil_date\n"
	               "\tsyntax varlist\n"
	               "\tforeach v of local varlist {\n"
	               "\t\tquietly generate double __d = date(`v', \"YMD\")\n"
	               "\t\trecueil_missing __d `v'\n"
	               "\t\tformat __d %td\n"
	               "\t\torder __d, after(`v')\n"
	               "\t\tdrop `v'\n"
	               "\t\trename __d `v'\n"
	               "\t}\n"
	               "end\n");
	for (size_t k = 0; k < fs->n_forms; k++) {
		const form *f = fs->forms[k];
		strbuf_printf(o, "\n* ---- formulaire %s (version %d)\n", f->id, f->version);
		strbuf_printf(
		    o,
		    "import delimited using \"%s.csv\", varnames(1) stringcols(_all) encoding(\"utf-8\") "
		    "bindquote(strict) case(preserve) delimiters(\",\") clear\n",
		    f->id);
		strbuf_printf(o, "if _N == 0 {\n\tdisplay \"%s.csv : aucune ligne\"\n}\nelse {\n", f->id);
		strbuf_puts(o, "\trecueil_num form_version row_version\n\trecueil_date entry_date\n");
		strbuf_puts(o, "\tlabel variable structure \"Structure (code)\"\n"
		               "\tlabel variable entry_id \"Identifiant de la saisie\"\n"
		               "\tlabel variable pseudonym \"Pseudonyme du patient\"\n"
		               "\tlabel variable entry_date \"Date de la saisie\"\n"
		               "\tlabel variable form_version \"Version du formulaire\"\n"
		               "\tlabel variable entry_status \"Statut de la saisie\"\n"
		               "\tlabel variable row_version \"Version de la saisie\"\n"
		               "\tlabel variable updated_at \"Derniere modification (UTC)\"\n");
		for (size_t i = 0; i < f->n_fields; i++) {
			const field *fd = &f->fields[i];
			if (!export_field_included(fd))
				continue;
			if (strlen(fd->id) > 32) {
				strbuf_printf(o, "\t* %s : nom trop long pour Stata, laissé en texte\n",
				              fd->id);
				continue;
			}
			stata_field(o, fd);
		}
		strbuf_printf(o, "\tlabel data ");
		char *title = xasprintf("recueil %s, %s", f->id, sum->per->label);
		stata_text(o, title, 80);
		free(title);
		strbuf_printf(o, "\n\tsave \"%s.dta\", replace\n}\n", f->id);
	}
	strbuf_puts(o, "\n* ---- alertes cliniques\n"
	               "capture confirm file \"" EXPORT_ALERTS "\"\n"
	               "if _rc == 0 {\n"
	               "\timport delimited using \"" EXPORT_ALERTS "\", varnames(1) stringcols(_all) "
	               "encoding(\"utf-8\") bindquote(strict) case(preserve) delimiters(\",\") clear\n"
	               "\tif _N > 0 {\n"
	               "\t\tquietly destring acknowledged, replace\n"
	               "\t}\n"
	               "\tlabel variable structure \"Structure (code)\"\n"
	               "\tlabel variable entry_id \"Identifiant de la saisie\"\n"
	               "\tlabel variable rule \"Regle d'alerte\"\n"
	               "\tlabel variable level \"Niveau\"\n"
	               "\tlabel variable raised_at \"Levee le (UTC)\"\n"
	               "\tlabel variable acknowledged \"Prise en compte (0/1)\"\n"
	               "\tlabel variable acknowledged_at \"Prise en compte le (UTC)\"\n"
	               "\tsave \"alerts.dta\", replace\n"
	               "}\n");
}
