/* form_identity.c — what counts as identity in a set of forms: the fields marked identifier, and
 * every calculated field computed from one (a score is harmless, but `expr: nom` would carry the
 * name out under another field's id). */
#include "core/form.h"

typedef struct {
	const form *f, *patient;
	bool found;
} identity_refs;

/* Whether slot names an identity field: one of the form's own, or patient.<field>. */
static void note_ref(void *vctx, int slot)
{
	identity_refs *r = vctx;
	if (slot >= 0 && slot < SLOT_PATIENT_BASE)
		r->found |= (size_t)slot < r->f->n_fields && r->f->fields[slot].identifier;
	else if (slot >= SLOT_PATIENT_BASE && slot < SLOT_SEUIL_BASE && r->patient)
		r->found |= (size_t)(slot - SLOT_PATIENT_BASE) < r->patient->n_fields &&
		            r->patient->fields[slot - SLOT_PATIENT_BASE].identifier;
}

/* Mark the calculated fields of f computed from identity. */
static void close_form(form *f, const form *patient)
{
	/* calc_order puts dependencies first: one pass sees a chain of calculated fields. */
	for (size_t k = 0; k < f->n_calc; k++) {
		field *fd = &f->fields[f->calc_order[k]];
		if (fd->identifier || !fd->calc)
			continue;
		identity_refs r = {f, patient, false};
		expr_foreach_ref(fd->calc, note_ref, &r);
		fd->identifier = r.found;
	}
}

void formset_identity_closure(formset *fs)
{
	const form *patient = formset_form(fs, "patient");
	/* The patient form first: the others read its fields through patient.<field>. */
	for (size_t i = 0; i < fs->n_forms; i++)
		if (fs->forms[i] == patient)
			close_form(fs->forms[i], patient);
	for (size_t i = 0; i < fs->n_forms; i++)
		if (fs->forms[i] != patient)
			close_form(fs->forms[i], patient);
}
