/* cmd_demo.c — recueil demo: a synthetic database to try the program on, built from the forms
 * themselves (any form added in YAML gets demo data too), through the same validation and save
 * path as real entries. No real person: names are made of random syllables. */
#include <getopt.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli/cli.h"
#include "core/record.h"

static const char usage[] =
    "Usage : recueil demo [--patients N] [--seed S]\n"
    "Crée (si besoin) une base de démonstration, structure DEMO, et y ajoute N patients\n"
    "fictifs (60 par défaut) suivis sur quelques années, avec leurs questionnaires.\n";

/* splitmix64: small, seedable, reproducible across platforms. */
static uint64_t rng_state;
/* A second stream for the patients' information and opposition, so that adding them left the
 * entries of every seed as they were. */
static uint64_t rights_state;

static uint64_t splitmix(uint64_t *state)
{
	uint64_t z = (*state += 0x9E3779B97F4A7C15ULL);
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
	return z ^ (z >> 31);
}

static uint64_t rng_next(void)
{
	return splitmix(&rng_state);
}

static double rng_unit(void)
{
	return (double)(rng_next() >> 11) / 9007199254740992.0;
}

static long rng_range(long lo, long hi) /* inclusive */
{
	if (hi <= lo)
		return lo;
	return lo + (long)(rng_next() % (uint64_t)(hi - lo + 1));
}

static bool rng_chance(double p)
{
	return rng_unit() < p;
}

/* Triangular between lo and hi, peaking in the middle: plausible ages, durations, counts. */
static double rng_triangular(double lo, double hi)
{
	return lo + (hi - lo) * (rng_unit() + rng_unit()) / 2;
}

typedef struct {
	double severity; /* 0..1: pushes answers towards the higher codes */
	long inclusion;  /* day number */
	long end;        /* last day of follow-up */
} profile;

static const char *const syllables[] = {"ba",  "lo", "mi",  "ran", "tel", "vo", "su",  "dar", "ni", "que",
                                        "ber", "ta", "mon", "ri",  "gal", "fo", "che", "lin", "do", "za"};

static char *fake_name(bool capital_only)
{
	strbuf sb = STRBUF_INIT;
	strbuf_add(&sb, "", 0);
	int n = (int)rng_range(2, 3);
	for (int i = 0; i < n; i++)
		strbuf_puts(&sb, syllables[rng_range(0, 19)]);
	sb.s[0] = (char)(sb.s[0] - 'a' + 'A');
	(void)capital_only;
	return strbuf_take(&sb);
}

/* A choice index biased by the profile's severity: low severity favours the first codes. */
static size_t biased_index(size_t n, double severity)
{
	double u = rng_unit();
	double x = pow(u, 1.0 / (0.35 + 2.5 * severity)) * 0.999;
	if (rng_chance(0.15))
		x = rng_unit() * 0.999;
	return (size_t)(x * (double)n);
}

/* A few answers fixed by contract whose real distribution is known and matters for a realistic
 * demo (half of the patients are women; most contacts take place). Other fields get the
 * generic distributions below. */
static const struct {
	const char *field, *codes[4];
	int weights[4];
} known_mix[] = {
    {"sexe", {"F", "M", "X"}, {49, 48, 3}},
    {"statut", {"realise", "non_honore", "annule"}, {80, 14, 6}},
    /* Residence: mostly towns, a real share of rural areas and of priority neighbourhoods. */
    {"territoire", {"urbain_dense", "intermediaire", "rural", "rural_tres_peu_dense"}, {42, 31, 19, 8}},
    {"qpv", {"oui", "non", "ne_sait_pas"}, {21, 66, 13}},
};

static const char *known_answer(const field *fd)
{
	for (size_t k = 0; k < sizeof known_mix / sizeof *known_mix; k++) {
		if (strcmp(fd->id, known_mix[k].field) != 0)
			continue;
		int total = 0;
		for (int i = 0; i < 4; i++)
			total += known_mix[k].weights[i];
		long u = rng_range(0, total - 1);
		for (int i = 0; i < 4; i++) {
			if (u < known_mix[k].weights[i])
				return field_choice(fd, known_mix[k].codes[i]) ? known_mix[k].codes[i] : NULL;
			u -= known_mix[k].weights[i];
		}
	}
	return NULL;
}

/* An index with probability decreasing as 1/(i+1)^1.6: the first answers are the usual ones. */
static size_t decreasing_index(size_t n)
{
	double total = 0, w[64];
	size_t m = n < 64 ? n : 64;
	for (size_t i = 0; i < m; i++)
		total += w[i] = 1.0 / pow((double)i + 1, 1.6);
	double u = rng_unit() * total;
	for (size_t i = 0; i < m; i++) {
		if (u < w[i])
			return i;
		u -= w[i];
	}
	return m - 1;
}

static char *random_value(const field *fd, const profile *p, long entry_day)
{
	char buf[64];
	switch (fd->type) {
	case FT_YESNO:
		return xstrdup(rng_chance(0.25 + 0.5 * p->severity) ? "1" : "0");
	case FT_CHOICE: {
		/* Scores (numeric codes) follow the person's severity; categories (word codes) are
		 * listed most common first in the forms, so they get a decreasing distribution. */
		const char *known = known_answer(fd);
		if (known)
			return xstrdup(known);
		if (fd->choices->numeric)
			return xstrdup(fd->choices->items[biased_index(fd->choices->n, p->severity)].code);
		return xstrdup(fd->choices->items[decreasing_index(fd->choices->n)].code);
	}
	case FT_MULTI: {
		/* An exclusive answer ("aucune") drawn with others is dropped; drawn alone, it stays. */
		strbuf sb = STRBUF_INIT, alone = STRBUF_INIT;
		strbuf_add(&sb, "", 0);
		strbuf_add(&alone, "", 0);
		for (size_t i = 0; i < fd->choices->n; i++) {
			const choice *ch = &fd->choices->items[i];
			if (!rng_chance(i == 0 ? 0.7 : 0.25))
				continue;
			if (ch->exclusive && !alone.len)
				strbuf_puts(&alone, ch->code);
			else if (!ch->exclusive)
				strbuf_printf(&sb, "%s%s", sb.len ? " " : "", ch->code);
		}
		if (!sb.len) {
			strbuf_done(&sb);
			return strbuf_take(&alone);
		}
		strbuf_done(&alone);
		return strbuf_take(&sb);
	}
	case FT_INTEGER: {
		double lo = fd->has_min ? fd->min : 0, hi = fd->has_max ? fd->max : lo + 100;
		if (!fd->has_max && lo > 1800) /* a year: peak some decades before today */
			hi = lo + 85;
		snprintf(buf, sizeof buf, "%ld", (long)llround(rng_triangular(lo, hi)));
		return xstrdup(buf);
	}
	case FT_DECIMAL: {
		double lo = fd->has_min ? fd->min : 0, hi = fd->has_max ? fd->max : lo + 100;
		format_number(rng_triangular(lo, hi), fd->decimals >= 0 ? fd->decimals : 1, buf, sizeof buf);
		return xstrdup(buf);
	}
	case FT_DATE:
		date_format(rng_range(p->inclusion, entry_day), buf);
		return xstrdup(buf);
	case FT_TEXT:
		if (fd->identifier && !fd->pattern)
			return fake_name(true);
		return NULL;
	default:
		return NULL;
	}
}

/* Fill the record field by field, in order, so that show_if sees the answers before it. */
static void fill(record *r, const profile *p)
{
	record_compute(r);
	for (size_t i = 0; i < r->f->n_fields; i++) {
		const field *fd = &r->f->fields[i];
		if (fd->type == FT_CALCULATED || fd->type == FT_NOTE || r->vals[i].text)
			continue;
		if (!record_field_visible(r, i))
			continue;
		if (!fd->required && rng_chance(0.08))
			continue; /* some optional questions stay unanswered */
		if (fd->missing_allowed && rng_chance(0.01)) {
			record_set(r, i, ".nsp", NULL);
			continue;
		}
		/* A few tries: the value must also satisfy the field's rules. */
		for (int attempt = 0; attempt < 8; attempt++) {
			char *v = random_value(fd, p, r->date);
			if (!v)
				break;
			bool ok = record_set(r, i, v, NULL) && record_field_valid(r, i);
			free(v);
			if (ok)
				break;
			record_set(r, i, NULL, NULL);
		}
	}
	record_compute(r);
}

/* How many entries of a repeated form a patient gets over the follow-up. */
static int entries_for(const form *f, const profile *p)
{
	double years = (double)(p->end - p->inclusion) / 365.25 + 0.2;
	if (strcmp(f->id, "contact") == 0)
		return (int)rng_range(3, 4 + (long)(12 * years));
	if (strcmp(f->id, "sortie") == 0)
		return 0; /* decided by the caller */
	return (int)rng_range(1, 1 + (long)(1.2 * years));
}

static int save(session *ses, record *r, entry_meta *meta, size_t *count)
{
	char *why = NULL;
	entry_meta m = *meta;
	m.id = 0;
	int rc = store_entry_save(ses->db, r, &m, false, NULL, 0, ses->login, &why);
	if (rc) {
		cli_error("démo : %s", why);
		free(why);
		return rc;
	}
	(*count)++;
	return 0;
}

/* A Poisson draw of mean lambda (Knuth's method: lambda stays small here). */
static long rng_poisson(double lambda)
{
	double limit = exp(-lambda), prod = rng_unit();
	long k = 0;
	while (prod > limit) {
		prod *= rng_unit();
		k++;
	}
	return k;
}

/* Emergency visits and nights in hospital over 6 months: more for a severe profile, fewer as
 * the follow-up goes on (factor 1 at inclusion). */
static void hospital_answers(record *r, const profile *p, double factor)
{
	char buf[24];
	long urg = form_field_index(r->f, "urgences_6m"), nuits = form_field_index(r->f, "nuits_hopital_6m");
	if (urg >= 0) {
		snprintf(buf, sizeof buf, "%ld", rng_poisson((0.25 + 2.2 * p->severity) * factor));
		record_set(r, (size_t)urg, buf, NULL);
	}
	if (nuits >= 0) {
		long n = 0;
		if (rng_chance((0.08 + 0.35 * p->severity) * factor))
			n = rng_range(1, 3 + (long)(18 * p->severity));
		snprintf(buf, sizeof buf, "%ld", n);
		record_set(r, (size_t)nuits, buf, NULL);
	}
}

/* recours_hopital: asked at inclusion, then about every 6 months while followed. */
static int hospital_entries(session *ses, const form *f, const profile *p, record *pr, entry_meta *meta,
                            size_t *count)
{
	long mo = form_field_index(f, "moment");
	int rc = 0;
	for (long day = p->inclusion, k = 0; !rc && day <= p->end;
	     k++, day = p->inclusion + 182 * k + rng_range(-20, 20)) {
		record *r = record_new(ses->fs, f, day);
		r->patient = pr;
		if (mo >= 0)
			record_set(r, (size_t)mo, k ? "suivi" : "inclusion", NULL);
		/* The effect of the follow-up: down to about 55 % of the initial use after a year. */
		hospital_answers(r, p, k ? 0.55 + 0.45 * exp(-(double)k / 2) + 0.2 * (rng_unit() - 0.5) : 1);
		fill(r, p);
		rc = save(ses, r, meta, count);
		record_free(r);
	}
	return rc;
}

/* Most patients are informed on their inclusion day, about one in 16 never is, and about one
 * in 25 objects to the evaluation (and was informed). */
static int inform_or_oppose(session *ses, const entry_meta *meta, long inclusion)
{
	char day[11], *why = NULL;
	date_format(inclusion, day);
	uint64_t draw = splitmix(&rights_state) % 100;
	int rc = 0;
	if (draw < 4)
		rc = store_patient_oppose(ses->db, meta->patient_id, day, ses->login, &why);
	if (!rc && (draw < 4 || draw >= 10))
		rc = store_patient_inform(ses->db, meta->patient_id, day, ses->login, &why);
	if (rc) {
		cli_error("démo : %s", why);
		free(why);
	}
	return rc;
}

static int one_patient(session *ses, size_t *count)
{
	const form *pf = formset_form(ses->fs, "patient");
	long today = date_today();
	profile p = {.severity = rng_unit(), .inclusion = today - rng_range(20, 4 * 365)};
	p.end = today;
	bool leaves = rng_chance(0.2);
	if (leaves)
		p.end = rng_range(p.inclusion + 30 < today ? p.inclusion + 30 : today, today);
	entry_meta meta = {0};
	char *why = NULL;
	int rc = store_patient_create(ses->db, ses->login, meta.pseudonym, &meta.patient_id, &why);
	if (rc) {
		cli_error("démo : %s", why);
		free(why);
		return rc;
	}
	if ((rc = inform_or_oppose(ses, &meta, p.inclusion)))
		return rc;
	record *pr = record_new(ses->fs, pf, p.inclusion);
	long di = form_field_index(pf, "date_inclusion");
	if (di >= 0) {
		char buf[11];
		date_format(p.inclusion, buf);
		record_set(pr, (size_t)di, buf, NULL);
	}
	fill(pr, &p);
	if ((rc = save(ses, pr, &meta, count))) {
		record_free(pr);
		return rc;
	}
	for (size_t k = 0; !rc && k < ses->fs->n_forms; k++) {
		const form *f = ses->fs->forms[k];
		if (f == pf || f->scope == SCOPE_STRUCTURE)
			continue;
		if (strcmp(f->id, "recours_hopital") == 0) {
			rc = hospital_entries(ses, f, &p, pr, &meta, count);
			continue;
		}
		int n = f->cardinality == CARD_ONCE ? 1 : entries_for(f, &p);
		if (strcmp(f->id, "sortie") == 0)
			n = leaves;
		for (int e = 0; !rc && e < n; e++) {
			long day = strcmp(f->id, "sortie") == 0 ? p.end : rng_range(p.inclusion, p.end);
			record *r = record_new(ses->fs, f, day);
			r->patient = pr;
			fill(r, &p);
			rc = save(ses, r, &meta, count);
			record_free(r);
		}
	}
	record_free(pr);
	return rc;
}

/* Set field id of r to text when the form has it (the shipped team meeting form's answers). */
static void set_if(record *r, const char *id, const char *text)
{
	long i = form_field_index(r->f, id);
	if (i >= 0)
		record_set(r, (size_t)i, text, NULL);
}

/* A team meeting as microstructures hold them: an hour or two, the GP nearly always there with
 * the psychologist and the social worker, a nurse now and then, some ten patients discussed,
 * a partner invited one time in three. */
static void meeting_answers(record *r)
{
	static const struct {
		const char *code, *count;
		double p;
	} who[] = {
	    {"medecin", "nb_medecin", 0.97},
	    {"psychologue", "nb_psychologue", 0.85},
	    {"travailleur_social", "nb_travailleur_social", 0.8},
	    {"infirmier", "nb_infirmier", 0.25},
	    {"autre", "nb_autre", 0.1},
	};
	static const char *const partners[] = {"csapa",       "caarud",    "hopital",
	                                       "psychiatrie", "pharmacie", "social"};
	char buf[64];
	snprintf(buf, sizeof buf, "%ld", 15 * rng_range(4, 10));
	set_if(r, "duree", buf);
	strbuf sb = STRBUF_INIT;
	for (size_t i = 0; i < sizeof who / sizeof *who; i++)
		if (rng_chance(who[i].p))
			strbuf_printf(&sb, "%s%s", sb.len ? " " : "", who[i].code);
	set_if(r, "professions", sb.len ? strbuf_str(&sb) : "medecin");
	record_compute(r);
	for (size_t i = 0; i < sizeof who / sizeof *who; i++)
		set_if(r, who[i].count, rng_chance(0.8) ? "1" : "2");
	snprintf(buf, sizeof buf, "%ld", rng_range(3, 16));
	set_if(r, "nb_patients", buf);
	strbuf_reset(&sb);
	for (size_t i = 0; i < sizeof partners / sizeof *partners; i++)
		if (rng_chance(0.06))
			strbuf_printf(&sb, "%s%s", sb.len ? " " : "", partners[i]);
	set_if(r, "partenaires", sb.len ? strbuf_str(&sb) : "aucun");
	strbuf_done(&sb);
}

/* The entries of the structure's own forms (scope: structure) over the three years before this
 * month: one a month, a month skipped now and then (August more often), sometimes two. The team meeting gets
 * realistic answers; any other such form gets values drawn as for the patients' forms. */
static int structure_entries(session *ses, size_t *count)
{
	long today = date_today();
	int rc = 0;
	for (size_t k = 0; !rc && k < ses->fs->n_forms; k++) {
		const form *f = ses->fs->forms[k];
		if (f->scope != SCOPE_STRUCTURE)
			continue;
		char iso[11];
		date_format(today, iso);
		int y = atoi(iso) - 3, m = atoi(iso + 5);
		for (int mo = 0; !rc && mo < 36; mo++, m = m == 12 ? 1 : m + 1, y += m == 1) {
			/* The summer month is the one most often without a meeting. */
			int n = rng_chance(m == 8 ? 0.5 : 0.05) ? 0 : rng_chance(0.08) ? 2 : 1;
			long month_start = date_from_ymd(y, m, 1);
			for (int i = 0; !rc && i < n; i++) {
				long day = rng_range(month_start, month_start + 27);
				profile p = {.severity = rng_unit(), .inclusion = day, .end = day};
				record *r = record_new(ses->fs, f, day);
				record_apply_defaults(r);
				if (strcmp(f->id, "reunion") == 0)
					meeting_answers(r);
				fill(r, &p);
				entry_meta meta = {0};
				rc = save(ses, r, &meta, count);
				record_free(r);
			}
		}
	}
	return rc;
}

int cmd_demo(session *ses, int argc, char **argv)
{
	static const struct option opts[] = {
	    {"patients", required_argument, NULL, 'p'},
	    {"seed", required_argument, NULL, 's'},
	    {"help", no_argument, NULL, 'h'},
	    {0, 0, 0, 0},
	};
	long long patients = 60, seed = 1;
	int c;
	while ((c = cli_getopt(argc, argv, "h", opts)) != -1) {
		if (c == 'p' && parse_integer(optarg, &patients) && patients >= 0 && patients <= 1000000)
			continue;
		if (c == 's' && parse_integer(optarg, &seed))
			continue;
		if (c == 'h')
			return fputs(usage, stdout), 0;
		if (c == 'p' || c == 's')
			cli_error("--%s : nombre entier attendu, trouvé « %s »",
			          c == 'p' ? "patients" : "seed", optarg);
		return fputs(usage, stderr), EXIT_USAGE;
	}
	if (optind != argc)
		return fputs(usage, stderr), EXIT_USAGE;
	struct stat st;
	int rc = stat(ses->db_path, &st) == 0
	             ? cli_open(ses, PERM_EDIT_ENTRY)
	             : cli_create_database(ses, "DEMO", "Microstructure de démonstration", false);
	if (rc)
		return rc;
	if (!formset_form(ses->fs, "patient")) {
		cli_error("le dossier des formulaires n'a pas de formulaire « patient »");
		return EXIT_DATAERR;
	}
	rng_state = (uint64_t)seed;
	rights_state = (uint64_t)seed ^ 0x5DEECE66DULL;
	char *why = NULL;
	if ((rc = store_batch_begin(ses->db, &why))) {
		cli_error("%s", why);
		free(why);
		return rc;
	}
	size_t count = 0;
	for (long long i = 0; !rc && i < patients; i++)
		rc = one_patient(ses, &count);
	if (!rc && patients > 0)
		rc = structure_entries(ses, &count);
	int end = store_batch_end(ses->db, rc == 0, &why);
	if (end) {
		cli_error("%s", why);
		free(why);
		return end;
	}
	if (!rc)
		fprintf(stderr, "%lld patients fictifs et %zu entrées ajoutés à %s\n", patients, count,
		        ses->db_path);
	return rc;
}
