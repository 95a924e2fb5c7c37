"""lire_recueil.py - lit les fichiers CSV d'un export recueil dans Python (3.6 ou plus), avec
le dictionnaire des variables (codebook.csv) ; bibliotheque standard seule, pandas s'il est
installe.

Usage, dans le dossier ou l'archive a ete extraite (ou en donnant ce dossier) :

    import lire_recueil
    tables = lire_recueil.lire(".")          # {"audit": table, "contact": table, ...}
    tables = lire_recueil.lire(".", langue="en", pandas=False)

tables["alertes"] : alerts.csv, les alertes cliniques des saisies (sans leur texte).

Relier les tables : un patient est designe par (structure, pseudonym), jamais par pseudonym
seul (un pseudonyme n'est unique que dans sa structure, et un export regional porte plusieurs
structures) : avec pandas, tables["audit"].merge(tables["patient"][["structure", "pseudonym",
"sexe"]], on=["structure", "pseudonym"]) ; sans pandas, cle(ligne) = (structure, pseudonym)
indexe les patients. Une alerte se relie a sa saisie (et par elle a son patient) par
(structure, entry_id).

Chaque table est un pandas.DataFrame quand pandas est installe (pandas=None, par defaut, ou
True), sinon (ou avec pandas=False) une Table : une liste de dict, une par ligne, avec les
attributs colonnes, libelles et valeurs. Dans les deux cas :

 - chaque colonne a le type que lui donne le dictionnaire (value_type), jamais celui que les
   donnees suggerent : integer -> int (Int64 avec pandas), decimal -> float, date ->
   datetime.date (datetime64 avec pandas), datetime -> datetime.datetime UTC, text et codes ->
   str ; une valeur absente est None (NA, NaN ou NaT avec pandas) ;
 - les codes restent des codes : q9 vaut 0, 2 ou 4 ; intervenant vaut "medecin" ;
 - CHAMP.factor : le libelle de la reponse (Categorical avec pandas, ordonne quand l'echelle
   l'est, categories = toutes les reponses du dictionnaire) ;
 - un code manquant (.refus, .nsp, .non_demande) devient None et sa raison est dans
   CHAMP.manquant ; une cellule vide est None sans raison : sans reponse, ou question non
   posee (condition show_if du dictionnaire, fausse ou portant sur une reponse manquante ;
   skipped_value dit ce que la question compte alors dans les scores) ;
 - choix multiples : la colonne d'origine (codes separes par des espaces) et une colonne 0/1
   par reponse, CHAMP___CODE ;
 - libelles : table.libelles / df.attrs["libelles"] (colonne -> libelle) et table.valeurs /
   df.attrs["valeurs"] (colonne -> {code: libelle}).

dictionnaire(dossier) rend codebook.csv (liste de dict) et seuils(dossier) les seuils en
vigueur ({id: dict avec value en float, label, reference, used_by}).
Une valeur qui ne se convertit pas dans le type du dictionnaire est signalee (warnings) et
laissee vide.
"""

import csv
import datetime
import os
import warnings

__all__ = ["lire", "dictionnaire", "seuils", "cle", "Table"]

RAISONS_EN = {".refus": "refused", ".nsp": "does not know", ".non_demande": "not asked"}


class Table(list):
    """Les lignes d'un formulaire (un dict par ligne), sans pandas.

    colonnes : les noms des colonnes, dans l'ordre ; libelles : colonne -> libelle ;
    valeurs : colonne -> {code: libelle} ; types : colonne -> value_type du dictionnaire."""

    def __init__(self, nom, colonnes, lignes, libelles, valeurs, types):
        super().__init__(lignes)
        self.nom = nom
        self.colonnes = colonnes
        self.libelles = libelles
        self.valeurs = valeurs
        self.types = types

    def colonne(self, nom):
        """Les valeurs d'une colonne, dans l'ordre des lignes."""
        return [ligne[nom] for ligne in self]


def cle(ligne):
    """La cle d'un patient dans une ligne (dict) de n'importe quelle table : (structure,
    pseudonym). Un pseudonyme seul n'est unique que dans sa structure."""
    return (ligne["structure"], ligne["pseudonym"])


def _lire_csv(chemin):
    with open(chemin, encoding="utf-8", newline="") as f:
        lignes = list(csv.reader(f))
    if not lignes:
        raise ValueError("%s : fichier vide" % chemin)
    return lignes[0], lignes[1:]


def dictionnaire(dossier="."):
    """codebook.csv : une ligne (dict) par colonne de chaque CSV, dans l'ordre des fichiers."""
    entete, lignes = _lire_csv(os.path.join(dossier, "codebook.csv"))
    if "derived_from" not in entete:
        raise ValueError("codebook.csv d'une version ancienne de recueil : utiliser le "
                         "lire_recueil.py de la meme archive")
    return [dict(zip(entete, ligne)) for ligne in lignes]


def seuils(dossier="."):
    """seuils.csv : {id: {"value": float, "label", "label_en", "reference", "used_by"}}."""
    chemin = os.path.join(dossier, "seuils.csv")
    if not os.path.exists(chemin):
        return {}
    entete, lignes = _lire_csv(chemin)
    resultat = {}
    for ligne in lignes:
        s = dict(zip(entete, ligne))
        s["value"] = float(s["value"])
        resultat[s["id"]] = s
    return resultat


def _decouper(texte):
    """"code=libelle | code=libelle" -> [(code, libelle), ...]"""
    if not texte:
        return []
    paires = []
    for paire in texte.split(" | "):
        code, _, libelle = paire.partition("=")
        paires.append((code, libelle))
    return paires


def _date(texte):
    return datetime.date(int(texte[0:4]), int(texte[5:7]), int(texte[8:10])) \
        if len(texte) == 10 and texte[4] == "-" and texte[7] == "-" else None


def _horodatage(texte):
    return datetime.datetime.strptime(texte, "%Y-%m-%dT%H:%M:%SZ").replace(
        tzinfo=datetime.timezone.utc)


_CONVERSIONS = {"integer": int, "decimal": float, "date": _date, "datetime": _horodatage}


def _convertir(texte, type_, fichier, colonne, illisibles):
    fonction = _CONVERSIONS.get(type_)
    if fonction is None:
        return texte
    try:
        valeur = fonction(texte)
    except ValueError:
        valeur = None
    if valeur is None:
        illisibles.setdefault((fichier, colonne, type_), texte)
    return valeur


def _traduire(fr, en, anglais):
    return en if anglais and en else fr


def _colonnes(entrees, anglais):
    """Ce que le dictionnaire dit de chaque colonne d'un fichier, et les colonnes ajoutees."""
    colonnes = []
    for e in entrees:
        choix = _decouper(_traduire(e["choices"], e["choices_en"], anglais))
        manquants = _decouper(e["missing_codes"])
        if anglais:
            manquants = [(code, RAISONS_EN.get(code, libelle)) for code, libelle in manquants]
        colonnes.append({
            "nom": e["field"],
            "type": e["value_type"],
            "libelle": _traduire(e["label"], e["label_en"], anglais),
            "choix": choix if e["value_type"] != "codes" else [],
            "ordinal": e["ordinal"] == "yes",
            "manquants": manquants,
            "raisons": dict(manquants),
            "libelles_choix": dict(choix),
        })
    return colonnes


def _lignes(nom, fichier, colonnes, brut):
    """Les lignes typees (dict), avec CHAMP.factor et CHAMP.manquant."""
    illisibles = {}
    lignes = []
    for cellules in brut:
        ligne = {}
        for c, texte in zip(colonnes, cellules):
            raison = c["raisons"].get(texte)
            if raison is not None or texte == "":
                valeur = None
            else:
                valeur = _convertir(texte, c["type"], fichier, c["nom"], illisibles)
            ligne[c["nom"]] = valeur
            if c["choix"]:
                ligne[c["nom"] + ".factor"] = c["libelles_choix"].get(texte)
            if c["manquants"]:
                ligne[c["nom"] + ".manquant"] = raison
        lignes.append(ligne)
    for (f, colonne, type_), texte in sorted(illisibles.items()):
        warnings.warn("%s, colonne %s : valeur(s) illisible(s) comme %s (par exemple %r), "
                      "laissee(s) vide(s)" % (f, colonne, type_, texte))
    return lignes


def _noms(colonnes):
    noms = []
    for c in colonnes:
        noms.append(c["nom"])
        if c["choix"]:
            noms.append(c["nom"] + ".factor")
        if c["manquants"]:
            noms.append(c["nom"] + ".manquant")
    return noms


def _libelles(colonnes, anglais):
    libelles, valeurs = {}, {}
    suffixe = " (reason for the missing value)" if anglais else " (raison de la valeur manquante)"
    for c in colonnes:
        libelles[c["nom"]] = c["libelle"]
        if c["choix"]:
            libelles[c["nom"] + ".factor"] = c["libelle"]
            valeurs[c["nom"]] = c["libelles_choix"]
        if c["manquants"]:
            libelles[c["nom"] + ".manquant"] = c["libelle"] + suffixe
            valeurs[c["nom"] + ".manquant"] = c["raisons"]
    return libelles, valeurs


def _categories(paires):
    vues, resultat = set(), []
    for _, libelle in paires:
        if libelle not in vues:
            vues.add(libelle)
            resultat.append(libelle)
    return resultat


def _data_frame(pd, colonnes, lignes, libelles, valeurs):
    """Un DataFrame dont les types viennent du dictionnaire."""
    donnees = {}
    for c in colonnes:
        nom = c["nom"]
        v = [ligne[nom] for ligne in lignes]
        if c["type"] == "integer":
            donnees[nom] = pd.array(v, dtype="Int64")
        elif c["type"] == "decimal":
            donnees[nom] = pd.array([float("nan") if x is None else x for x in v], dtype="float64")
        elif c["type"] in ("date", "datetime"):
            donnees[nom] = pd.to_datetime(pd.Series(v, dtype="object"), utc=c["type"] == "datetime")
        else:
            donnees[nom] = pd.Series(v, dtype="object")
        if c["choix"]:
            donnees[nom + ".factor"] = pd.Categorical(
                [ligne[nom + ".factor"] for ligne in lignes],
                categories=_categories(c["choix"]), ordered=c["ordinal"])
        if c["manquants"]:
            donnees[nom + ".manquant"] = pd.Categorical(
                [ligne[nom + ".manquant"] for ligne in lignes],
                categories=_categories(c["manquants"]))
    df = pd.DataFrame(donnees, columns=_noms(colonnes))
    df.attrs["libelles"] = libelles
    df.attrs["valeurs"] = valeurs
    return df


def lire(dossier=".", langue="fr", pandas=None):
    """Lit chaque formulaire de l'export du dossier, et ses alertes : {formulaire: table,
    "alertes": table}.

    langue : "fr" ou "en" (libelles anglais quand le formulaire en a) ; pandas : None (s'il
    est installe), True (exige) ou False (jamais)."""
    pd = None
    if pandas is None or pandas:
        try:
            import pandas as pd
        except ImportError:
            if pandas:
                raise
            pd = None
    anglais = langue == "en"
    entrees = {}
    for e in dictionnaire(dossier):
        entrees.setdefault(e["form"], []).append(e)
    tables = {}
    for formulaire, liste in entrees.items():
        # alerts.csv (form "alerts" du dictionnaire, nom qu'aucun formulaire ne peut prendre)
        # devient la table "alertes".
        nom = "alertes" if formulaire == "alerts" else formulaire
        fichier = formulaire + ".csv"
        chemin = os.path.join(dossier, fichier)
        if not os.path.exists(chemin):
            continue
        entete, brut = _lire_csv(chemin)
        if entete != [e["field"] for e in liste]:
            raise ValueError("%s : colonnes differentes de celles du dictionnaire "
                             "(codebook.csv)" % fichier)
        colonnes = _colonnes(liste, anglais)
        lignes = _lignes(nom, fichier, colonnes, brut)
        libelles, valeurs = _libelles(colonnes, anglais)
        if pd is not None:
            tables[nom] = _data_frame(pd, colonnes, lignes, libelles, valeurs)
        else:
            types = {c["nom"]: c["type"] for c in colonnes}
            tables[nom] = Table(nom, _noms(colonnes), lignes, libelles, valeurs, types)
    return tables


if __name__ == "__main__":
    import sys
    for nom, table in lire(sys.argv[1] if len(sys.argv) > 1 else ".").items():
        print("%s : %d ligne(s)" % (nom, len(table)))
