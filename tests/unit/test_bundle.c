/* test_bundle.c — the network's bundles of forms: the files of a directory and their digest,
 * the manifest written and parsed back (a digest that does not match its lines, a file named
 * twice or outside the directory refused), a directory's forms replaced (modes kept, files gone
 * removed, other files left alone), the zip written and opened against the coordination's key
 * (another key, an altered, added or missing file refused), and the report of what changes
 * between two sets of forms. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/form.h"
#include "core/forms_bundle.h"
#include "core/minisign.h"
#include "core/util.h"
#include "export/bundle.h"
#include "harness.h"

static char tmpdir[] = "/tmp/test_bundle.XXXXXX";

static char *path_in(const char *sub, const char *name)
{
	return xasprintf("%s/%s%s%s", tmpdir, sub, *name ? "/" : "", name);
}

static void write_text(const char *sub, const char *name, const char *text, mode_t mode)
{
	char *p = path_in(sub, name);
	FILE *f = fopen(p, "wb");
	if (!f) {
		perror(p);
		exit(2);
	}
	fputs(text, f);
	fclose(f);
	chmod(p, mode);
	free(p);
}

static bool exists(const char *sub, const char *name)
{
	char *p = path_in(sub, name);
	bool e = access(p, F_OK) == 0;
	free(p);
	return e;
}

/* ---------------------------------------------------------------- files, digest, manifest */

static void test_files_and_digest(void)
{
	bundle_files a = {0}, b = {0};
	bundle_files_add(&a, "patient.yaml", "form: patient\n", 14, NULL);
	bundle_files_add(&a, "audit.yaml", "form: audit\n", 12, NULL);
	CHECK(a.n == 2 && strcmp(a.v[0].name, "audit.yaml") == 0);
	bundle_files_add(&b, "audit.yaml", "form: audit\n", 12, NULL);
	bundle_files_add(&b, "patient.yaml", "form: patient\n", 14, NULL);
	char da[65], db[65];
	bundle_digest(&a, da);
	bundle_digest(&b, db);
	CHECK_STR(da, db);
	CHECK(strlen(da) == 64);
	bundle_files_done(&b);
	bundle_files_add(&b, "audit.yaml", "form: audit \n", 13, NULL);
	bundle_files_add(&b, "patient.yaml", "form: patient\n", 14, NULL);
	bundle_digest(&b, db);
	CHECK(strcmp(da, db) != 0);
	CHECK(bundle_name_valid("sante_mentale.yaml") && bundle_name_valid("Form-2.yaml"));
	CHECK(!bundle_name_valid("../audit.yaml") && !bundle_name_valid(".cache.yaml") &&
	      !bundle_name_valid("dir/audit.yaml") && !bundle_name_valid("audit.yml") &&
	      !bundle_name_valid("é.yaml"));
	bundle_files_done(&a);
	bundle_files_done(&b);
}

/* The first error of parsing text as a manifest ("" when it parses). Caller frees. */
static char *parse_error(const char *text)
{
	bundle_manifest m;
	char *why = NULL;
	int rc = bundle_manifest_parse(text, strlen(text), &m, &why);
	bundle_manifest_done(&m);
	if (!rc)
		return xstrdup("");
	return why ? why : xstrdup("?");
}

static void test_manifest(void)
{
	bundle_files fl = {0};
	bundle_files_add(&fl, "audit.yaml", "form: audit\n", 12, NULL);
	bundle_files_add(&fl, "reporting.yaml", "reporting: 1\n", 13, NULL);
	char *text = bundle_manifest_text(&fl, 7, "2026-11-22T10:00:00Z", "ARS-GE (Coordination\x1b[31m)");
	bundle_manifest m;
	char *why = NULL;
	CHECK(bundle_manifest_parse(text, strlen(text), &m, &why) == 0);
	CHECK(m.version == 7 && m.listed.n == 2);
	CHECK_STR(m.published_at, "2026-11-22T10:00:00Z");
	CHECK(m.published_by && !strchr(m.published_by, '\x1b'));
	char digest[65];
	bundle_digest(&fl, digest);
	CHECK_STR(m.digest, digest);
	CHECK(bundle_check_files(&m, &fl, &why) == 0);

	/* The files against the manifest: one altered, one added, one missing. */
	bundle_files other = {0};
	bundle_files_add(&other, "audit.yaml", "form: audit2\n", 13, NULL);
	bundle_files_add(&other, "reporting.yaml", "reporting: 1\n", 13, NULL);
	CHECK(bundle_check_files(&m, &other, &why) == EXIT_DATAERR);
	CHECK_STR(why, "paquet altéré : audit.yaml ne correspond pas au manifeste signé");
	free(why);
	why = NULL;
	bundle_files_done(&other);
	bundle_files_add(&other, "audit.yaml", "form: audit\n", 12, NULL);
	CHECK(bundle_check_files(&m, &other, &why) == EXIT_DATAERR);
	CHECK_STR(why, "paquet incomplet : reporting.yaml manque");
	free(why);
	why = NULL;
	bundle_files_add(&other, "reporting.yaml", "reporting: 1\n", 13, NULL);
	bundle_files_add(&other, "zz.yaml", "form: zz\n", 9, NULL);
	CHECK(bundle_check_files(&m, &other, &why) == EXIT_DATAERR);
	CHECK_STR(why, "paquet altéré : zz.yaml n'est pas dans le manifeste signé");
	free(why);
	bundle_files_done(&other);
	bundle_manifest_done(&m);

	/* A file line changed without its digest, a name outside the directory, a file twice. */
	char *e;
	strbuf sb = STRBUF_INIT;
	strbuf_puts(&sb, text);
	char *bytes = strstr(sb.s, "bytes=12");
	bytes[7] = '3';
	e = parse_error(sb.s);
	CHECK_STR(e, "manifeste du paquet : l'empreinte d'ensemble ne correspond pas aux fichiers listés");
	free(e);
	strbuf_done(&sb);
	e = parse_error("format: recueil-forms 1\nversion: 1\nfile: ../x.yaml bytes=1 "
	                "sha256=0000000000000000000000000000000000000000000000000000000000000000\n");
	CHECK_STR(e, "manifeste du paquet : ligne « file: » invalide");
	free(e);
	e = parse_error("format: recueil-forms 2\n");
	CHECK(strstr(e, "format inconnu") != NULL);
	free(e);
	e = parse_error("format: recueil-export 1\nexport_id: x\n");
	CHECK(strstr(e, "format inconnu") != NULL);
	free(e);
	e = parse_error("version: 1\n");
	CHECK(strstr(e, "pas un paquet de formulaires") != NULL);
	free(e);
	free(text);
	bundle_files_done(&fl);
}

/* ---------------------------------------------------------------- a directory's forms replaced */

static void test_dir_replace(void)
{
	char *dir = path_in("forms", "");
	mkdir(dir, 0750);
	write_text("forms", "a.yaml", "form: a\n", 0640);
	write_text("forms", "b.yaml", "form: b\n", 0644);
	write_text("forms", "notes.txt", "not a form\n", 0644);
	bundle_files fl = {0}, read = {0};
	char *why = NULL;
	CHECK(forms_dir_read(dir, &read, &why) == 0);
	CHECK(read.n == 2 && strcmp(read.v[1].name, "b.yaml") == 0 && read.v[1].size == 8);
	bundle_files_add(&fl, "a.yaml", "form: a2\n", 9, NULL);
	bundle_files_add(&fl, "c.yaml", "form: c\n", 8, NULL);
	CHECK(forms_dir_replace(dir, &fl, &why) == 0);
	CHECK(exists("forms", "a.yaml") && !exists("forms", "b.yaml") && exists("forms", "c.yaml"));
	CHECK(exists("forms", "notes.txt"));
	struct stat st;
	char *a = path_in("forms", "a.yaml"), *c = path_in("forms", "c.yaml");
	CHECK(stat(a, &st) == 0 && (st.st_mode & 0777) == 0640);
	CHECK(stat(c, &st) == 0 && (st.st_mode & 0777) == 0640); /* the directory's rw bits */
	char digest[65], want[65];
	bundle_digest(&fl, want);
	CHECK(forms_dir_digest(dir, digest, &why) == 0);
	CHECK_STR(digest, want);
	/* No temporary file is left behind. */
	char **names;
	size_t n;
	CHECK(formset_dir_files(dir, &names, &n, &why) && n == 2);
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
	/* Put back what was there. */
	CHECK(forms_dir_replace(dir, &read, &why) == 0);
	CHECK(forms_dir_digest(dir, digest, &why) == 0);
	bundle_digest(&read, want);
	CHECK_STR(digest, want);
	CHECK(!exists("forms", "c.yaml"));
	free(a);
	free(c);
	free(dir);
	bundle_files_done(&fl);
	bundle_files_done(&read);
}

/* ---------------------------------------------------------------- the zip */

/* Write a bundle at name whose manifest lists listed, holding files, signed with sk. */
static void write_bundle(const char *name, const bundle_files *listed, const bundle_files *files,
                         const minisign_seckey *sk)
{
	char *manifest = bundle_manifest_text(listed, 3, "2026-11-22T10:00:00Z", "ARS-GE");
	char *why = NULL;
	char *sig = minisign_sign(sk, manifest, strlen(manifest), NULL, &why);
	char *path = path_in("", name);
	CHECK(sig && bundle_write(path, files, manifest, sig, &why) == 0);
	if (why)
		fprintf(stderr, "%s\n", why);
	free(why);
	free(path);
	free(manifest);
	free(sig);
}

/* The message of opening name with pk ("" when it opens). Caller frees. */
static char *open_error(const char *name, const minisign_pubkey *pk)
{
	char *path = path_in("", name);
	bundle_manifest m;
	bundle_files files = {0};
	char *why = NULL;
	int rc = bundle_open(path, pk, &m, &files, &why);
	bundle_manifest_done(&m);
	bundle_files_done(&files);
	char *msg = xstrdup(rc ? why ? why + strlen(path) + 3 : "?" : "");
	free(why);
	free(path);
	return msg;
}

static void test_zip(void)
{
	char *why = NULL;
	minisign_seckey *sk = minisign_keygen(&why), *other = minisign_keygen(&why);
	CHECK(sk && other);
	if (!sk || !other)
		return;
	minisign_pubkey pk, other_pk;
	minisign_seckey_pubkey(sk, &pk);
	minisign_seckey_pubkey(other, &other_pk);
	bundle_files fl = {0}, altered = {0}, more = {0}, fewer = {0};
	bundle_files_add(&fl, "audit.yaml", "form: audit\n", 12, NULL);
	bundle_files_add(&fl, "patient.yaml", "form: patient\n", 14, NULL);
	bundle_files_add(&altered, "audit.yaml", "form: audiT\n", 12, NULL);
	bundle_files_add(&altered, "patient.yaml", "form: patient\n", 14, NULL);
	bundle_files_add(&more, "audit.yaml", "form: audit\n", 12, NULL);
	bundle_files_add(&more, "patient.yaml", "form: patient\n", 14, NULL);
	bundle_files_add(&more, "x.yaml", "form: x\n", 8, NULL);
	bundle_files_add(&fewer, "audit.yaml", "form: audit\n", 12, NULL);

	write_bundle("good.zip", &fl, &fl, sk);
	char *path = path_in("", "good.zip");
	bundle_manifest m;
	bundle_files got = {0};
	CHECK(bundle_open(path, &pk, &m, &got, &why) == 0);
	CHECK(m.version == 3 && got.n == 2 && got.v[1].size == 14 &&
	      memcmp(got.v[1].data, "form: patient\n", 14) == 0);
	bundle_manifest_done(&m);
	bundle_files_done(&got);
	CHECK(bundle_write(path, &fl, "x", "y", &why) == EXIT_CANTCREAT);
	free(why);
	why = NULL;
	free(path);

	char *e = open_error("good.zip", &other_pk);
	CHECK(str_starts(e, "paquet refusé : signature faite avec la clé "));
	free(e);
	write_bundle("altered.zip", &fl, &altered, sk);
	e = open_error("altered.zip", &pk);
	CHECK_STR(e, "paquet altéré : audit.yaml ne correspond pas au manifeste signé");
	free(e);
	write_bundle("more.zip", &fl, &more, sk);
	e = open_error("more.zip", &pk);
	CHECK_STR(e, "paquet altéré : x.yaml n'est pas dans le manifeste signé");
	free(e);
	write_bundle("fewer.zip", &fl, &fewer, sk);
	e = open_error("fewer.zip", &pk);
	CHECK_STR(e, "paquet incomplet : patient.yaml manque");
	free(e);
	write_text("", "notzip.zip", "PK nothing\n", 0644);
	e = open_error("notzip.zip", &pk);
	CHECK(str_starts(e, "ce n'est pas une archive zip lisible"));
	free(e);

	minisign_seckey_free(sk);
	minisign_seckey_free(other);
	bundle_files_done(&fl);
	bundle_files_done(&altered);
	bundle_files_done(&more);
	bundle_files_done(&fewer);
}

/* ---------------------------------------------------------------- what changes */

static formset *load_text(const char *sub, const char *form_text, const char *reporting_text)
{
	char *dir = path_in(sub, "");
	mkdir(dir, 0700);
	write_text(sub, "essai.yaml", form_text, 0644);
	write_text(sub, "reporting.yaml", reporting_text, 0644);
	char *errors = NULL;
	formset *fs = formset_load_dir(dir, &errors);
	if (!fs)
		fprintf(stderr, "%s", errors);
	free(errors);
	free(dir);
	return fs;
}

static void test_diff(void)
{
	static const char head[] = "form: essai\nversion: %d\ntitle: {fr: \"Essai\"}\nsections:\n"
	                           "  - title: {fr: \"S\"}\n    fields:\n";
	static const char rep[] =
	    "reporting: 1\nthresholds:\n  - {id: s, value: %s, label: {fr: \"S\"}, reference: R}\n";
	char *f1 =
	    xasprintf("%s%s", head,
	              "      - {id: a, type: integer, label: {fr: \"A\"}}\n"
	              "      - {id: b, type: text, label: {fr: \"B\"}}\n"
	              "      - {id: c, type: choice, label: {fr: \"C\"}, choices: [{value: x, label: X}, "
	              "{value: y, label: Y}]}\n"
	              "      - {id: t, type: calculated, label: {fr: \"T\"}, expr: \"a + seuil.s\"}\n");
	char *f2 =
	    xasprintf("%s%s", head,
	              "      - {id: a, type: integer, label: {fr: \"A bis\"}, required: true}\n"
	              "      - {id: c, type: choice, label: {fr: \"C\"}, choices: [{value: x, label: X}, "
	              "{value: z, label: Z}]}\n"
	              "      - {id: t, type: calculated, label: {fr: \"T\"}, expr: \"a * seuil.s\"}\n"
	              "      - {id: d, type: date, label: {fr: \"D\"}}\n");
	char *t1 = xasprintf(f1, 1), *t2 = xasprintf(f2, 2), *r1 = xasprintf(rep, "2"),
	     *r2 = xasprintf(rep, "2.5");
	formset *a = load_text("d1", t1, r1), *b = load_text("d2", t2, r2);
	CHECK(a && b);
	if (a && b) {
		strbuf out = STRBUF_INIT;
		forms_diff_counts n;
		formset_diff(a, b, &out, &n);
		CHECK_STR(
		    strbuf_str(&out),
		    "essai : version 1 → 2\n"
		    "  ~ a : libellé ou aide\n"
		    "  ~ a : règles (required) : s'appliquent aux saisies nouvelles ou modifiées\n"
		    "  ~ c : réponses (+ z, − y)\n"
		    "  ~ t : calcul « a + seuil.s » → « a * seuil.s » : recalculé pour les saisies déjà "
		    "faites et "
		    "dans les exports\n"
		    "  + d (date) : nouvelle question ; nouvelle colonne, vide pour les saisies déjà faites "
		    "; "
		    "nouvelle colonne des exports\n"
		    "  - b : n'est plus posée ni exportée ; sa colonne et ses valeurs restent dans la base\n"
		    "calendrier et seuils (reporting.yaml)\n"
		    "  ~ seuil s : 2 → 2.5 : les scores qui le lisent sont recalculés\n");
		CHECK(n.changes == 7 && n.refused == 0);
		strbuf_reset(&out);
		formset_diff(b, b, &out, &n);
		CHECK_STR(strbuf_str(&out), "Aucun changement.\n");
		CHECK(n.changes == 0);
		strbuf_done(&out);
	}
	/* A number that becomes text cannot keep its values. */
	char *f3 = xasprintf("%s%s", head, "      - {id: a, type: text, label: {fr: \"A\"}}\n");
	char *t3 = xasprintf(f3, 1);
	formset *c = load_text("d3", t3, r1);
	if (a && c) {
		strbuf out = STRBUF_INIT;
		forms_diff_counts n;
		formset_diff(a, c, &out, &n);
		CHECK(n.refused == 1);
		CHECK(strstr(strbuf_str(&out),
		             "  ! a : integer → text : refusé, les valeurs déjà enregistrées ne "
		             "pourraient pas être gardées") != NULL);
		strbuf_done(&out);
	}
	/* Handed to the patient, with their own wording of a question and of an answer. */
	char *f4 =
	    xasprintf("%sself: true\n%s", "form: essai\nversion: %d\ntitle: {fr: \"Essai\"}\n",
	              "sections:\n  - title: {fr: \"S\"}\n    fields:\n"
	              "      - {id: a, type: integer, label: {fr: \"A\"}}\n"
	              "      - {id: b, type: text, label: {fr: \"B\"}}\n"
	              "      - {id: c, type: choice, label: {fr: \"C\"}, label_patient: \"C ?\", "
	              "choices: [{value: x, label: X, label_patient: \"X, oui\"}, {value: y, label: Y}]}\n"
	              "      - {id: t, type: calculated, label: {fr: \"T\"}, expr: \"a + seuil.s\"}\n");
	char *t4 = xasprintf(f4, 1);
	formset *e = load_text("d4", t4, r1);
	CHECK(e != NULL);
	if (a && e) {
		strbuf out = STRBUF_INIT;
		forms_diff_counts n;
		formset_diff(a, e, &out, &n);
		CHECK_STR(strbuf_str(&out), "essai\n"
		                            "  ~ c : libellé ou aide\n"
		                            "  ~ c : réponses (libellés)\n"
		                            "  ~ self : le patient peut le remplir seul à l'écran "
		                            "(auto-questionnaire)\n");
		strbuf_done(&out);
	}
	formset_free(e);
	free(f4);
	free(t4);
	formset_free(a);
	formset_free(b);
	formset_free(c);
	free(f1);
	free(f2);
	free(f3);
	free(t1);
	free(t2);
	free(t3);
	free(r1);
	free(r2);
}

int main(void)
{
	if (!mkdtemp(tmpdir)) {
		perror("mkdtemp");
		return 2;
	}
	RUN(test_files_and_digest);
	RUN(test_manifest);
	RUN(test_dir_replace);
	RUN(test_zip);
	RUN(test_diff);
	char *cmd = xasprintf("rm -rf '%s'", tmpdir);
	if (system(cmd) != 0)
		fprintf(stderr, "%s : non supprimé\n", tmpdir);
	free(cmd);
	return harness_report();
}
