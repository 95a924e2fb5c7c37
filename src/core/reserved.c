/* reserved.c — the one list of the names a form or a field may not take (reserved.h). Keep it
 * in step with the table of docs/forms.md ("Noms réservés"): test_reserved compares them, and
 * checks that every table of schema/ is here. */
#include "core/reserved.h"

#include <string.h>

#define F RESERVED_FORM
#define C RESERVED_FIELD

const reserved_name reserved_names[] = {
    {"active", C, "colonne de la table form_columns de la base"},
    {"added_at", C, "colonne de la table form_columns de la base"},
    {"alertes", F, "table des alertes (alerts.csv) dans les chargeurs R et Python des exports"},
    {"alerts", F, "table alerts de la base et fichier alerts.csv des exports"},
    {"audit_log", F, "table audit_log de la base"},
    {"calc_signature", C, "colonne de la table form_versions de la base"},
    {"codebook", F, "fichier codebook.csv des exports"},
    {"columns", F, "table form_columns de la base"},
    {"drafts", F, "table drafts de la base"},
    {"enrolled_structures", F, "table enrolled_structures de la base"},
    {"entries", F, "table entries de la base"},
    {"entries_new", F, "table de passage de la migration 014 de la base"},
    {"entry_confirmations", F, "table entry_confirmations de la base"},
    {"entry_date", C, "colonne commune des CSV exportés"},
    {"entry_id", C, "colonne commune des CSV exportés et des tables de formulaires"},
    {"entry_missing", F, "table entry_missing de la base"},
    {"entry_status", C, "colonne commune des CSV exportés"},
    {"export_log", F, "table export_log de la base"},
    {"exported", C, "colonne de la table form_columns de la base"},
    {"field", C, "colonne de la table form_columns de la base"},
    {"field_type", C, "colonne de la table form_columns de la base"},
    {"form", C, "colonne des tables form_columns et form_versions de la base"},
    {"form_version", C, "colonne commune des CSV exportés"},
    {"forms_bundles", F, "table forms_bundles de la base"},
    {"forms_previous", F, "table forms_previous de la base"},
    {"forms_trust", F, "table forms_trust de la base"},
    {"identifier", C, "colonne de la table form_columns de la base"},
    {"import_deleted", F, "table import_deleted de la base"},
    {"import_log", F, "table import_log de la base"},
    {"lire_recueil", F, "fichiers lire_recueil.R et lire_recueil.do des exports"},
    {"lisezmoi", F, "fichier LISEZMOI.txt des exports"},
    {"manifest", F, "fichier manifest.txt des exports"},
    {"oid", C, "autre nom du numéro de ligne dans SQLite"},
    {"patients", F, "table patients de la base"},
    {"patients_new", F, "table de passage de la migration 005 de la base"},
    {"pseudonym", C, "colonne commune des CSV exportés"},
    {"purge_pending", F, "table purge_pending de la base"},
    {"row_version", C, "colonne commune des CSV exportés"},
    {"rowid", C, "numéro de ligne des tables SQLite"},
    {"seen_at", C, "colonne de la table form_versions de la base"},
    {"settings", F, "table settings de la base"},
    {"seuils", F, "fichier seuils.csv des exports"},
    {"signing_key", F, "table signing_key de la base"},
    {"sql_type", C, "colonne de la table form_columns de la base"},
    {"structure", F | C, "table structure de la base et colonne commune des CSV exportés"},
    {"updated_at", C, "colonne commune des CSV exportés"},
    {"users", F, "table users de la base"},
    {"version", C, "colonne de la table form_versions de la base"},
    {"versions", F, "table form_versions de la base"},
};

const size_t reserved_count = sizeof reserved_names / sizeof reserved_names[0];

const reserved_name *reserved_lookup(const char *name, reserved_use use)
{
	for (size_t i = 0; i < reserved_count; i++)
		if ((reserved_names[i].uses & use) && strcmp(reserved_names[i].name, name) == 0)
			return &reserved_names[i];
	return NULL;
}
