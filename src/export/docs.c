/* docs.c — LISEZMOI.txt, the recipient's notes on an export: what the archive holds, how to open
 * it, how its files read. */
#include <stdlib.h>

#include "core/util.h"
#include "export/export_internal.h"
#include "export/report.h"

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
	              "%-22s dictionnaire des variables : une ligne par colonne de chaque CSV\n"
	              "%-22s seuils en vigueur (reporting.yaml) : valeur, référence, champs concernés\n",
	              EXPORT_CODEBOOK, EXPORT_SEUILS);
	strbuf_printf(o, "%-22s ce fichier\n", EXPORT_README);
	strbuf_printf(o, "%-22s lecture dans R (R de base) : source(\"%s\")\n", EXPORT_R_SCRIPT,
	              EXPORT_R_SCRIPT);
	strbuf_printf(o, "%-22s lecture dans Python : import lire_recueil ; lire_recueil.lire(\".\")\n",
	              EXPORT_PYTHON);
	strbuf_printf(o, "%-22s lecture dans Stata (14 ou plus) : do %s\n", EXPORT_STATA_DO, EXPORT_STATA_DO);
	strbuf_printf(o, "%-22s lecture dans SPSS : INSERT FILE='%s'.\n", EXPORT_SPSS_SPS, EXPORT_SPSS_SPS);
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
	            "le couple (structure, pseudonym), la clé pour relier les fichiers entre eux (un\n"
	            "export régional porte plusieurs structures, où un même pseudonyme peut désigner\n"
	            "deux patients). Une alerte de alerts.csv se relie à sa saisie par (structure,\n"
	            "entry_id), et par elle à son patient.\n"
	            "Les fiches de la structure elle-même (réunions d'équipe, formulaires « scope:\n"
	            "structure ») ne concernent aucun patient : leur fichier n'a pas de colonne pseudonym.\n"
	            "Les valeurs sont des codes, pas des libellés (libellés dans codebook.csv). Un choix\n"
	            "multiple contient ses codes séparés par des espaces, et chacune de ses réponses a\n"
	            "aussi une colonne CHAMP___CODE : 1 cochée, 0 non cochée, vide sans réponse. Une\n"
	            "réponse manquante expliquée est écrite .refus (refus de répondre), .nsp (ne sait\n"
	            "pas) ou .non_demande ; une cellule vide signifie sans réponse, ou question non posée\n"
	            "(condition show_if du dictionnaire).\n"
	            "Le fichier patient.csv décrit chaque patient (sexe, année de naissance, date\n"
	            "d'inclusion…), quelle que soit la date de sa fiche. Aucun nom, prénom, téléphone ni\n"
	            "note libre n'est exporté.\n\n"
	            "Excel : ne pas double-cliquer (accents abîmés, codes convertis en dates). Utiliser\n"
	            "Données > À partir d'un fichier texte/CSV, Origine du fichier : 65001 Unicode (UTF-8),\n"
	            "Délimiteur : virgule, puis « Transformer les données » pour garder les codes en texte.\n"
	            "Python : csv.reader(open(f, encoding=\"utf-8\", newline=\"\")).\n\n");
	strbuf_puts(o,
	            "DICTIONNAIRE DES VARIABLES (codebook.csv)\n-----------------------------------------\n"
	            "Une ligne par colonne de chaque CSV, dans l'ordre des fichiers, colonnes communes\n"
	            "comprises, puis celles de alerts.csv (form alerts, sans form_version) : form,\n"
	            "form_version, field (la colonne), label et label_en (libellés), type (type du champ\n"
	            "dans le formulaire), value_type (integer, decimal, text, date, datetime ou codes : le\n"
	            "type de la colonne une fois lue), unit, min, max, decimals, required (réponse\n"
	            "obligatoire), identifier (identifie un patient, une saisie ou une structure), show_if\n"
	            "(condition pour poser la question ; fausse, ou portant sur une réponse manquante, la\n"
	            "question n'est pas posée), skipped_value (ce que compte la question non posée dans les\n"
	            "scores : les questions 2 à 8 de l'AUDIT comptent 0 quand la 1 vaut « Jamais », et\n"
	            "sont manquantes quand la 1 est une réponse manquante), expression (calcul d'un\n"
	            "score), choices et choices_en (code=libellé | …, catégories calculées comprises),\n"
	            "missing_codes, ordinal (échelle ordonnée : yes ou no), derived_from (le choix\n"
	            "multiple d'une colonne CHAMP___CODE).\n"
	            "seuils.csv donne la valeur de chaque seuil nommé seuil.<id> dans les expressions.\n"
	            "Les scripts lire_recueil.* typent chaque colonne d'après le dictionnaire (jamais\n"
	            "d'après les données), gardent les codes et ajoutent les libellés ; ils lisent aussi\n"
	            "alerts.csv (table alertes dans R et Python, alerts.dta, alerts.sav) ; leur en-tête\n"
	            "montre comment relier les tables par (structure, pseudonym).\n\n");
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
