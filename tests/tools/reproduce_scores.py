"""reproduce_scores.py — what the evaluation team's statistician does on day one, with the
archive alone and the shipped Python loader: every stored AUDIT score and class, every EPICES
score and precarity flag recomputed from the items (skip rules and thresholds read from the
dictionary and seuils.csv), and the report's figures (AUDIT zones and classes, EPICES, patients
followed and, with --cascade, the HCV cascade) recomputed from the rows and compared with
`recueil report --format csv --no-mask` for the same period.

Usage: python3 reproduce_scores.py EXPORT_DIR REPORT_CSV FIRST LAST MODE [--cascade]
MODE: "pandas" (the loader must return DataFrames), "sans-pandas" (pandas made unimportable:
the loader must fall back to its own tables). Prints "ok ..." or one problem per line.
"""

import csv
import datetime
import math
import os
import sys
from decimal import Decimal

folder, report_csv, first, last, mode = sys.argv[1:6]
cascade = "--cascade" in sys.argv[6:]
if mode == "sans-pandas":
    sys.modules["pandas"] = None  # import pandas now raises ImportError
sys.path.insert(0, folder)
import lire_recueil  # noqa: E402

problems = []
tables = lire_recueil.lire(folder)
pandas_used = not isinstance(tables["audit"], lire_recueil.Table)
if pandas_used != (mode == "pandas"):
    problems.append("mode %s, mais le chargeur a rendu %s" % (mode, type(tables["audit"]).__name__))


def plain(value):
    """A value of either kind of table as a plain Python value (None when absent)."""
    if value is None:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    name = type(value).__name__
    if name in ("NAType", "NaTType"):
        return None
    if name == "Timestamp":
        return value.date() if value.tzinfo is None else value.to_pydatetime()
    if hasattr(value, "item") and not isinstance(value, (str, bytes)):
        return value.item()
    return value


def rows(form):
    t = tables.get(form)
    if t is None:
        return []
    if isinstance(t, lire_recueil.Table):
        return list(t)
    return [{k: plain(v) for k, v in r.items()} for r in t.to_dict("records")]


dico = {(e["form"], e["field"]): e for e in lire_recueil.dictionnaire(folder)}
seuil = {k: v["value"] for k, v in lire_recueil.seuils(folder).items()}
d_first = datetime.date.fromisoformat(first)
d_last = datetime.date.fromisoformat(last)
in_period = lambda r: d_first <= r["entry_date"] <= d_last  # noqa: E731


def shown(form, field, row):
    """Whether the question was asked: its show_if (a plain comparison) true on the row; None
    when the condition reads a missing answer (the question is not asked, and nobody knows
    whether it would have been: the dictionary's rule)."""
    rule = dico[(form, field)]["show_if"]
    if not rule:
        return True
    try:
        return bool(eval(rule.replace(" = ", " == "), {}, dict(row)))
    except TypeError:
        return None


def item(form, field, row):
    """An item as it counts in a score: its value, or its skipped_value when its show_if is
    false; missing when the show_if reads a missing answer (AUDIT q1 answered ".nsp")."""
    v = row[field]
    if v is None and row.get(field + ".manquant") is None and shown(form, field, row) is False:
        sv = dico[(form, field)]["skipped_value"]
        return float(sv) if sv else None
    return v


def total(values):
    return None if any(v is None for v in values) else sum(values)


# ---------------------------------------------------------------- AUDIT
sexe = {p["pseudonym"]: p["sexe"] for p in rows("patient")}
checked = skipped = missing = 0
for r in rows("audit"):
    q = {i: item("audit", "q%d" % i, r) for i in range(1, 11)}
    want = {
        "total": total([q[i] for i in range(1, 11)]),
        "audit_c": total([q[1], q[2], q[3]]),
        "dependance": total([q[4], q[5], q[6]]),
        "dommages": total([q[7], q[8], q[9], q[10]]),
    }
    for k, v in want.items():
        got = r[k]
        if (v is None) != (got is None) or (v is not None and abs(v - got) > 1e-9):
            problems.append("audit %s %s : %s stocké, %s recalculé" % (r["entry_id"][:8], k, got, v))
    t = want["total"]
    zone = None if t is None else "I" if t <= 7 else "II" if t <= 15 else "III" if t <= 19 else "IV"
    s = sexe.get(r["pseudonym"])
    cut = seuil["audit_mesusage_h"] if s == "M" else seuil["audit_mesusage_f"]
    classe = None if t is None else ("dependance_probable" if t >= seuil["audit_dependance"] else
                                     None if s is None else "mesusage" if t >= cut else "faible_risque")
    if r["zone_oms"] != zone or r["classe_fr"] != classe:
        problems.append("audit %s : zone %s/%s, classe %s/%s" % (r["entry_id"][:8], r["zone_oms"], zone,
                                                               r["classe_fr"], classe))
    checked += 1
    skipped += r["q1"] == 0
    missing += t is None
if not checked or not skipped or not missing:
    problems.append("AUDIT : %d lignes, %d avec questions 2 à 8 sautées, %d sans total : "
                    "données de test insuffisantes" % (checked, skipped, missing))

# ---------------------------------------------------------------- EPICES
COEF = ["10.06", "-11.83", "-8.28", "-8.28", "14.80", "-6.51", "-7.10", "-7.10", "-9.47", "-9.47", "-7.10"]
n_epices = 0
for r in rows("precarite"):
    items = [r["epices%d" % i] for i in range(1, 12)]
    want = None if None in items else Decimal("75.14") + sum(Decimal(c) * x for c, x in zip(COEF, items))
    got = r["epices_score"]
    if (want is None) != (got is None) or (want is not None and Decimal(repr(got)) != want):
        problems.append("precarite %s : EPICES %s stocké, %s recalculé" % (r["entry_id"][:8], got, want))
    if want is not None:
        n_epices += 1
        if r["precaire"] != int(float(want) >= seuil["epices_precarite"]):
            problems.append("precarite %s : precaire %s pour %s" % (r["entry_id"][:8], r["precaire"], want))
if not n_epices:
    problems.append("EPICES : aucun score dans l'archive")

# ---------------------------------------------------------------- the report's figures
structure = None
for line in open(os.path.join(folder, "manifest.txt"), encoding="utf-8"):
    if line.startswith("structure_code: "):
        structure = line.split(": ", 1)[1].strip()
report = {}
with open(report_csv, encoding="utf-8", newline="") as f:
    for r in csv.DictReader(f):
        if r["structure"] == structure:
            report[(r["indicateur"], r["categorie"])] = r["valeur"]


def expect(indicator, category, value, places=None):
    got = report.get((indicator, category))
    if got is None:
        problems.append("rapport : %s/%s absent" % (indicator, category))
        return
    if places is None:
        ok = got == str(value)
    else:
        ok = abs(float(got) - value) <= 0.5 * 10 ** -places + 1e-9
    if not ok:
        problems.append("rapport %s/%s : %s, recalculé depuis l'archive : %s" % (indicator, category, got, value))


def last_of_each_patient(form, keep):
    """Each patient's last entry of the period (by date, then the order of the file, which is
    the order of creation) among those keep accepts."""
    last_row = {}
    for r in rows(form):
        if in_period(r) and keep(r):
            if r["pseudonym"] not in last_row or r["entry_date"] >= last_row[r["pseudonym"]]["entry_date"]:
                last_row[r["pseudonym"]] = r
    return list(last_row.values())


audits = last_of_each_patient("audit", lambda r: r["zone_oms"] is not None)
expect("audit_zone_oms", "evalues", len(audits))
for z in ("I", "II", "III", "IV"):
    expect("audit_zone_oms", z, sum(r["zone_oms"] == z for r in audits))
for k in ("faible_risque", "mesusage", "dependance_probable"):
    expect("audit_classe_fr", k, sum(r["classe_fr"] == k for r in audits))
scores = [r["epices_score"] for r in last_of_each_patient("precarite", lambda r: r["epices_score"] is not None)]
expect("epices", "evalues", len(scores))
if scores:
    expect("epices", "score_moyen", sum(scores) / len(scores), 2)
    high = sum(s >= seuil["epices_precarite"] - 1e-9 for s in scores)
    expect("epices", "precaires", high)
    expect("epices", "part_precaires", 100.0 * high / len(scores), 1)
followed = {r["pseudonym"] for r in rows("contact") if in_period(r) and r["statut"] == "realise"}
expect("patients_suivis", "patients", len(followed))
steps = [0] * 7
if cascade:
    events = {}
    for r in rows("hcv"):
        if r["entry_date"] <= d_last:
            events.setdefault(r["pseudonym"], []).append(r)

    def test_of(r, kinds):
        return (r["evenement"] == "test" and r["virus"] == "vhc" and r["propose"] == "realise"
                and r["type_test"] in kinds)

    for p in followed:
        ev = events.get(p, [])
        flags = [
            any(test_of(r, ("trod", "serologie")) for r in ev),
            any(test_of(r, ("trod", "serologie")) and r["resultat"] == "positif" for r in ev),
            any(test_of(r, ("arn_qualitatif", "charge_virale")) and r["arn_resultat"] in ("detectable", "indetectable")
                for r in ev),
            any(test_of(r, ("arn_qualitatif", "charge_virale")) and r["arn_resultat"] == "detectable" for r in ev),
            any(r["evenement"] == "traitement" for r in ev),
            any(r["evenement"] == "traitement" and r["rvs12"] == "guerison" for r in ev),
        ]
        steps[0] += 1
        for k in range(6):
            if not all(flags[: k + 1]):
                break
            steps[k + 1] += 1
    for name, n in zip(("suivis", "depistes", "ac_positifs", "arn_testes", "arn_positifs", "traites", "gueris"),
                       steps):
        expect("cascade_vhc", name, n)
    if steps[6] == 0:
        problems.append("cascade : aucun patient guéri dans les données de test")

if problems:
    print("\n".join(problems[:30]))
else:
    print("ok : %d AUDIT, %d EPICES, cascade %s" % (checked, n_epices, steps if cascade else "non vérifiée"))
