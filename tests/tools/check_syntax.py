"""check_syntax.py — lire_recueil.do (Stata) and lire_recueil.sps (SPSS) read against the
dictionary of the same export, without Stata or SPSS: every CSV the dictionary describes
(alerts.csv included) is read, every variable a command names exists, every column of every CSV
is read, in order, under a valid name; every variable label and
every value label is complete (French and English; a Stata label cut at 80 bytes has its whole
text in a note); text codes get the numbers the do-file documents.

Usage: python3 check_syntax.py EXPORT_DIR   (prints "ok ..." or one problem per line)
"""

import csv
import os
import re
import sys

MISSING_EN = {".refus": "refused", ".nsp": "does not know", ".non_demande": "not asked"}
STATA_EXT = {".refus": ".a", ".nsp": ".b", ".non_demande": ".c"}
SPSS_MISSING = {".refus": "-999991", ".nsp": "-999992", ".non_demande": "-999993"}


def fnv1a(text):
    h = 2166136261
    for b in text.encode("utf-8"):
        h ^= b
        h = (h * 16777619) & 0xFFFFFFFF
    return h


def pairs(text):
    if not text:
        return []
    return [tuple(p.split("=", 1)) for p in text.split(" | ")]


def norm(text):
    """A label as both files may write it: the dictionary's | is /, Stata's ` $ \\ are '."""
    return re.sub(r"[`$\\]", "'", text.replace("|", "/"))


def read_dictionary(folder):
    with open(os.path.join(folder, "codebook.csv"), encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    forms = {}
    for r in rows:
        forms.setdefault(r["form"], []).append(r)
    return forms


def labelled(r):
    """The (code, label fr, label en) of a column with labelled codes."""
    if r["value_type"] == "codes" or not r["choices"]:
        return []
    fr, en = pairs(r["choices"]), dict(pairs(r["choices_en"]))
    return [(code, label, en.get(code, label)) for code, label in fr]


def stata_number(code, r):
    if r["value_type"] == "text":
        return str(1 + fnv1a(code) % 999999999)
    return code


# ---------------------------------------------------------------- Stata

def stata_strings(text):
    return re.findall(r'`"(.*?)"\'', text)


def check_stata(path, forms, problems):
    lines = open(path, encoding="utf-8").read().split("\n")
    joined, buf = [], ""
    for line in lines:
        if line.endswith(" ///"):
            buf += line[:-4] + " "
            continue
        joined.append(buf + line)
        buf = ""
    form, cols, vars_, lang = None, [], {}, None
    defines, attached, varlabels, notes, codes = {}, {}, {}, {}, {}
    checked = 0
    read = set()

    def finish():
        nonlocal checked
        if form is None:
            return
        read.add(form)
        entries = forms.get(form, [])
        if [c[0] for c in cols] != [e["field"] for e in entries]:
            problems.append("do %s : colonnes lues %s, dictionnaire %s" % (
                form, len(cols), len(entries)))
        name_of = dict(cols)
        for e in entries:
            var = name_of.get(e["field"])
            if var is None:
                continue
            for lg, key in (("fr", "label"), ("en", "label_en")):
                want = norm(e[key] or e["label"])
                got = varlabels.get((lg, var))
                if got is None:
                    problems.append("do %s.%s : pas de libellé de variable (%s)" % (form, var, lg))
                elif got != want:
                    full = [n for n in notes.get(var, []) if n == (want if lg == "fr" else "[en] " + want)]
                    if not (len(got.encode()) <= 80 and want.startswith(got) and full):
                        problems.append("do %s.%s : libellé %s incomplet : %r" % (form, var, lg, got))
            values = labelled(e)
            if not values or (e["value_type"] == "decimal"):
                continue
            for lg, idx in (("fr", 1), ("en", 2)):
                name = attached.get((lg, var))
                if name is None or name not in defines:
                    problems.append("do %s.%s : pas de libellés de valeurs (%s)" % (form, var, lg))
                    continue
                got = dict(defines[name])
                for v in values:
                    num = stata_number(v[0], e)
                    if norm(v[idx]) != got.get(num):
                        problems.append("do %s.%s : %s=%s : %r au lieu de %r (%s)" % (
                            form, var, v[0], num, got.get(num), v[idx], lg))
                for code, label in pairs(e["missing_codes"]):
                    want = label if lg == "fr" else MISSING_EN[code]
                    if got.get(STATA_EXT[code]) != want:
                        problems.append("do %s.%s : code manquant %s sans libellé (%s)" % (form, var, code, lg))
                checked += 1
            if e["value_type"] == "text":
                want = {v[0]: stata_number(v[0], e) for v in values}
                if codes.get(var) != want:
                    problems.append("do %s.%s : numéros des codes %s, attendu %s" % (form, var, codes.get(var), want))

    for line in joined:
        s = line.strip()
        m = re.match(r"\* ---- (?:formulaire|fichier) (\w+) ", s)
        if m:
            finish()
            form, cols, vars_, lang = m.group(1), [], {}, "default"
            defines, attached, varlabels, notes, codes = {}, {}, {}, {}, {}
            continue
        if form is None or not s or s.startswith("*"):
            continue
        words = s.split()

        def need(var):
            if var not in vars_:
                problems.append("do %s : variable inconnue %s : %s" % (form, var, s[:80]))

        if words[0] == "recueil_col":
            i, name, var = int(words[1]), words[2], words[3]
            if i != len(cols) + 1:
                problems.append("do %s : colonne %d hors d'ordre" % (form, i))
            if not re.fullmatch(r"[A-Za-z][A-Za-z0-9_]{0,31}", var) or var in vars_:
                problems.append("do %s : nom Stata invalide ou en double : %s" % (form, var))
            cols.append((name, var))
            vars_[var] = True
        elif words[0] in ("recueil_num", "recueil_date", "recueil_heure", "recueil_fin"):
            need(words[1])
        elif s.startswith("quietly replace __n = "):
            m = re.match(r'quietly replace __n = (\d+) if (\w+) == `"(.*)"\'$', s)
            if not m:
                problems.append("do %s : ligne illisible : %s" % (form, s))
                continue
            need(m.group(2))
            codes.setdefault(m.group(2), {})[m.group(3)] = m.group(1)
        elif s.startswith("label define "):
            name = words[2]
            body = s[len("label define " + name):]
            defines[name] = re.findall(r'(\.?[\w.-]+) `"(.*?)"\'', body)
        elif s.startswith("label values "):
            need(words[2])
            attached[(lang, words[2])] = words[3]
        elif s.startswith("label variable "):
            need(words[2])
            texts = stata_strings(s)
            varlabels[(lang, words[2])] = texts[0] if texts else ""
        elif s.startswith("notes "):
            m = re.match(r"notes (\w+): (.*)$", s)
            if not m:
                problems.append("do %s : note illisible : %s" % (form, s))
                continue
            need(m.group(1))
            notes.setdefault(m.group(1), []).append(m.group(2))
        elif s.startswith("label language "):
            lang = "fr" if "fr" in words[2] else "en"
    finish()
    for name in forms:
        if name not in read:
            problems.append("do : %s.csv, décrit par le dictionnaire, n'est pas lu" % name)
    return checked


# ---------------------------------------------------------------- SPSS

def spss_commands(text):
    """The commands of a syntax file, each as one string (quoted pieces joined)."""
    out, cur, quote = [], "", False
    for line in text.split("\n"):
        if not cur.strip() and line.startswith("*"):
            cur = ""
            continue
        for ch in line:
            if ch == "'":
                quote = not quote
            cur += ch
        if not quote and cur.rstrip().endswith("."):
            out.append(cur.strip()[:-1])
            cur = ""
        else:
            cur += "\n"
    return out


def spss_string(text):
    """'a' + 'b' -> ab, '' -> '."""
    parts = re.findall(r"'((?:[^']|'')*)'", text)
    return "".join(p.replace("''", "'") for p in parts)


def check_spss(path, forms, problems):
    form, cols, vars_ = None, [], {}
    labels, attrs, values, checked = {}, {}, {}, 0
    read = set()

    def finish():
        nonlocal checked
        if form is None:
            return
        read.add(form)
        entries = forms.get(form, [])
        if len(cols) != len(entries):
            problems.append("sps %s : %d colonnes lues, %d au dictionnaire" % (form, len(cols), len(entries)))
        for e, var in zip(entries, cols):
            got = labels.get(var)
            want = e["label"]
            if got is None:
                problems.append("sps %s.%s : pas de libellé de variable" % (form, var))
            elif got != want and not (want.startswith(got) and attrs.get((var, "label_fr")) == want):
                problems.append("sps %s.%s : libellé incomplet %r" % (form, var, got))
            if attrs.get((var, "label_en")) != (e["label_en"] or e["label"]):
                problems.append("sps %s.%s : libellé anglais %r" % (form, var, attrs.get((var, "label_en"))))
            vals = labelled(e)
            if not vals:
                continue
            got = values.get(var)
            if got is None:
                problems.append("sps %s.%s : pas de libellés de valeurs" % (form, var))
                continue
            number = e["value_type"] in ("integer", "decimal")
            for code, fr, _ in vals:
                if got.get(code) != fr:
                    problems.append("sps %s.%s : %s : %r au lieu de %r" % (form, var, code, got.get(code), fr))
            for code, label in pairs(e["missing_codes"]):
                if got.get(SPSS_MISSING[code] if number else code) != label:
                    problems.append("sps %s.%s : code manquant %s sans libellé" % (form, var, code))
            checked += 1

    for cmd in spss_commands(open(path, encoding="utf-8").read()):
        head = cmd.split(None, 2)
        if cmd.startswith("GET DATA"):
            finish()
            m = re.search(r"/FILE='(\w+)\.csv'", cmd)
            form = m.group(1) if m else None
            cols, vars_, labels, attrs, values = [], {}, {}, {}, {}
            spec = cmd.split("/VARIABLES=", 1)[1].split()
            for name, fmt in zip(spec[0::2], spec[1::2]):
                if not re.fullmatch(r"[A-Za-z][A-Za-z0-9_]{0,63}", name) or not re.fullmatch(r"A\d+", fmt):
                    problems.append("sps %s : variable %s %s invalide" % (form, name, fmt))
                cols.append(name)
                vars_[name] = True
            continue
        if form is None:
            continue

        def need(var):
            if var not in vars_:
                problems.append("sps %s : variable inconnue %s : %s" % (form, var, cmd[:60]))

        if cmd.startswith(("RECODE ", "ALTER TYPE ", "FORMATS ", "MISSING VALUES ")):
            word = 2 if cmd.startswith(("ALTER TYPE", "MISSING VALUES")) else 1
            need(cmd.split()[word])
        elif cmd.startswith("VALUE LABELS "):
            var = cmd.split()[2]
            need(var)
            body = cmd.split(None, 3)[3]
            got = {}
            for m in re.finditer(r"^\s*('(?:[^']|'')*'|-?[\d.]+) ('(?:[^']|'')*'(?:\s*\+\s*'(?:[^']|'')*')*)", body, re.M):
                key = spss_string(m.group(1)) if m.group(1).startswith("'") else m.group(1)
                got[key] = spss_string(m.group(2))
            values[var] = got
        elif cmd.startswith("VARIABLE LABELS "):
            var = cmd.split()[2]
            need(var)
            labels[var] = spss_string(cmd.split(None, 3)[3])
        elif cmd.startswith("VARIABLE ATTRIBUTE "):
            m = re.match(r"VARIABLE ATTRIBUTE VARIABLES=(\w+) ATTRIBUTE=(.*)$", cmd, re.S)
            need(m.group(1))
            for a in re.finditer(r"(\w+)\(('(?:[^']|'')*'(?:\s*\+\s*'(?:[^']|'')*')*)\)", m.group(2)):
                attrs[(m.group(1), a.group(1))] = spss_string(a.group(2))
        elif head[0] in ("DATASET", "SAVE", "SET"):
            pass
        else:
            problems.append("sps %s : commande inattendue : %s" % (form, cmd[:60]))
    finish()
    for name in forms:
        if name not in read:
            problems.append("sps : %s.csv, décrit par le dictionnaire, n'est pas lu" % name)
    return checked


def main():
    folder = sys.argv[1]
    forms = read_dictionary(folder)
    problems = []
    n_do = check_stata(os.path.join(folder, "lire_recueil.do"), forms, problems)
    n_sps = check_spss(os.path.join(folder, "lire_recueil.sps"), forms, problems)
    if problems:
        print("\n".join(problems[:40]))
    else:
        print("ok : %d jeux de libellés Stata, %d SPSS" % (n_do, n_sps))


main()
