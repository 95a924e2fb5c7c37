#!/usr/bin/env python3
"""Regenerate po/en.po from po/recueil.pot and the English texts below (run after xgettext:
xgettext --from-code=UTF-8 -k_ -kN_ -c"TRANSLATORS:" --no-wrap -o po/recueil.pot src/ui/*.c)."""
import re, sys, os

EN = {
"fr": "en",
"Terminal trop petit : %d×%d au minimum (actuellement %d×%d).": "Terminal too small: %d×%d at least (now %d×%d).",
"Agrandir la fenêtre ; rien n'est perdu.": "Enlarge the window; nothing is lost.",
"Aide": "Help", "cet écran d'aide": "this help screen", "Enregistrer": "Save",
"enregistrer l'entrée (demande confirmation si des réponses obligatoires manquent)": "save the entry (asks first when required answers are missing)",
"Explication": "Explain", "explication de la question, ses limites et sa règle": "explanation of the question, its limits and its rule",
"Manquant": "Missing",
"réponse manquante expliquée : refus, ne sait pas, non demandé (appuyer encore pour changer)": "explained missing answer: refused, does not know, not asked (press again to change)",
"Nouveau": "New", "nouveau patient (liste) ou nouvelle entrée (dossier)": "new patient (list) or new entry (file)",
"Nouvelle entrée": "New entry", "Patients": "Patients", "Brouillons": "Drafts",
"liste des patients, recherche en tapant": "patient list, search by typing",
"saisies interrompues gardées, à reprendre": "interrupted entries kept, to resume",
"Supprimer": "Delete", "supprimer le brouillon choisi": "delete the chosen draft", "Ouvrir": "Open",
"ouvrir ce qui est choisi, valider": "open the chosen item, confirm", "Suivant": "Next",
"champ suivant (la valeur est vérifiée en quittant le champ)": "next field (the value is checked when leaving the field)",
"Précédent": "Previous", "champ précédent": "previous field", "Monter": "Up",
"ligne ou champ précédent": "previous line or field", "Descendre": "Down", "ligne ou champ suivant": "next line or field",
"Gauche": "Left", "caractère précédent ; dans un choix : réponse précédente": "previous character; in a choice: previous answer",
"Droite": "Right", "caractère suivant ; dans un choix : réponse suivante": "next character; in a choice: next answer",
"Page précédente": "Previous page", "page ou section précédente": "previous page or section",
"Page suivante": "Next page", "page ou section suivante": "next page or section", "Début": "Start",
"début du texte ou de la liste": "start of the text or list", "Fin": "End", "fin du texte ou de la liste": "end of the text or list",
"Effacer avant": "Erase before", "effacer le caractère avant le curseur": "erase the character before the cursor",
"Effacer": "Erase", "effacer le caractère sous le curseur": "erase the character under the cursor",
"Vider": "Clear", "vider le champ": "clear the field", "Redessiner": "Redraw", "redessiner l'écran": "redraw the screen",
"Retour": "Back", "revenir à l'écran précédent ; dans une saisie : garder, enregistrer ou abandonner": "back to the previous screen; in a form: keep, save or discard",
"Quitter": "Quit", "quitter le programme (une saisie en cours est gardée en brouillon)": "leave the program (an open form is kept as a draft)",
"Accueil": "Home", "Liste des patients": "Patient list", "Dossier du patient": "Patient file",
"Saisie d'un formulaire": "Form entry", "Questions et choix": "Questions and choices",
"Toutes les actions ont une touche Ctrl (^) en plus de la touche de fonction.": "Every action has a Ctrl (^) key besides its function key.",
"Choix : taper le code ou le numéro de la réponse, ou ← → pour parcourir.": "Choice: type the code or the answer's number, or ← → to browse.",
"Oui/non : o ou n. Plusieurs réponses : le numéro coche ou décoche.": "Yes/no: y or n. Several answers: the number ticks or unticks.",
"Date : AAAA-MM-JJ ou JJ/MM/AAAA. Nombre : point ou virgule décimale.": "Date: YYYY-MM-DD or DD/MM/YYYY. Number: decimal point or comma.",
"Ce qui est tapé est gardé en brouillon et proposé au prochain démarrage.": "What is typed is kept as a draft and offered at the next start.",
"(nouveau)": "(new)", " — modification": " — edit", "recueil — saisies interrompues": "recueil — interrupted entries",
"Ces saisies n'ont pas été enregistrées : elles ont été gardées telles quelles.": "These entries were not saved: they were kept as they were.",
"Entrée : reprendre la saisie ; Suppr : supprimer ; Échap : plus tard.": "Enter: resume; Del: delete; Esc: later.",
"Aucune saisie interrompue.": "No interrupted entry.", "Supprimer le brouillon": "Delete the draft",
"Ce qui avait été tapé sera perdu. Supprimer ? (o : oui, n : non)": "What was typed will be lost. Delete? (o: yes, n: no)",
"refus de répondre": "refused to answer", "ne sait pas": "does not know", "non demandé": "not asked",
"oui": "yes", "non": "no", "brouillon non écrit : %s": "draft not written: %s",
"%s\nLa valeur est gardée avec une raison (Entrée) ; Échap pour la corriger.": "%s\nThe value is kept with a reason (Enter); Esc to correct it.",
"Valeur inhabituelle : raison de la confirmer": "Unusual value: reason to confirm it",
"date de l'entrée : AAAA-MM-JJ ou JJ/MM/AAAA attendu, trouvé « %s »": "entry date: YYYY-MM-DD or DD/MM/YYYY expected, found '%s'",
"date de l'entrée : %s est dans le futur": "entry date: %s is in the future",
"%s : pas de réponse manquante possible pour cette question": "%s: no missing answer possible for this question",
"%s : enregistré « %s », vous « %s »\n": "%s: saved '%s', yours '%s'\n",
"… et %zu autre(s) différence(s)\n": "… and %zu other difference(s)\n",
"Vos valeurs restent à l'écran et en brouillon ; rien n'a été écrasé.": "Your values stay on screen and as a draft; nothing was overwritten.",
"Conflit : l'entrée a été modifiée par quelqu'un d'autre": "Conflict: the entry was changed by someone else",
"non enregistré : %s": "not saved: %s", "complète": "complete", "incomplète": "incomplete",
"Patient %s créé ; fiche enregistrée (%s).": "Patient %s created; record saved (%s).",
"Entrée %.8s enregistrée (%s).": "Entry %.8s saved (%s).",
"%zu réponse(s) obligatoire(s) manquante(s) : %s%s\no : enregistrer l'entrée comme incomplète ; n : compléter maintenant": "%zu required answer(s) missing: %s%s\no: save the entry as incomplete; n: complete it now",
"Entrée incomplète": "Incomplete entry", "Date de l'entrée": "Entry date", "— (réponses manquantes)": "— (answers missing)",
"texte": "text", "nombre entier": "whole number", "nombre": "number", "date": "date", "oui/non": "yes/no",
"choix": "choice", "plusieurs choix": "several choices", "calculé": "calculated",
"Date de l'entrée (consultation, dépistage…) : AAAA-MM-JJ ou JJ/MM/AAAA.": "Date of the entry (visit, test…): YYYY-MM-DD or DD/MM/YYYY.",
" · obligatoire": " · required", "Date : AAAA-MM-JJ ou JJ/MM/AAAA.": "Date: YYYY-MM-DD or DD/MM/YYYY.",
"o : oui   n : non   (← → pour changer)": "y: yes   n: no   (← → to change)",
" entre %s et %s": " between %s and %s", " d'au moins %s": " of at least %s", " d'au plus %s": " of at most %s",
"Nombre entier": "Whole number", "Nombre (virgule ou point)": "Number (comma or point)", "Texte ; longueur": "Text; length",
"Texte libre.": "Free text.", "F4/^R : réponse manquante (%s%s%s)": "F4/^R: missing answer (%s%s%s)",
" · F3/^O : explication": " · F3/^O: explanation", "F3/^O : explication": "F3/^O: explanation",
"nouveau patient": "new patient", "Section %d/%zu : %s": "Section %d/%zu: %s", "  page %d/%d": "  page %d/%d",
"Tab/Entrée : suivant · Maj-Tab/↑ : précédent · PgDn/PgUp : page": "Tab/Enter: next · Shift-Tab/↑: previous · PgDn/PgUp: page",
"valeur inhabituelle : la corriger, ou la confirmer avec une raison": "unusual value: correct it, or confirm it with a reason",
"Saisie abandonnée.": "Entry discarded.",
"Saisie gardée en brouillon : elle sera proposée au prochain démarrage.": "Entry kept as a draft: it will be offered at the next start.",
"\nPosée si : %s": "\nAsked if: %s", "\nRègle : %s (%s)": "\nRule: %s (%s)", "\nÀ confirmer si faux : %s": "\nTo confirm when false: %s",
"Quitter la saisie": "Leave the form",
"g : garder en brouillon pour plus tard (Entrée)\ne : enregistrer maintenant\na : abandonner ce qui a été tapé\nÉchap : continuer la saisie": "g: keep as a draft for later (Enter)\ne: save now\na: discard what was typed\nEsc: go on typing",
"saisie réservée aux rôles saisie, coordination et admin": "data entry is for the saisie, coordination and admin roles",
"formulaire « %s » absent du dossier des formulaires": "form '%s' missing from the forms directory",
"Brouillon repris : tout ce qui avait été tapé est revenu.": "Draft resumed: everything that was typed is back.",
"recueil — aide": "recueil — help", "%d-%s le %s (dans %ld jours) : %s": "%d-%s on %s (in %ld days): %s",
"Structure : %s — %s": "Structure: %s — %s", "Utilisateur : %s, rôle %s": "User: %s, role %s", "Aujourd'hui : %s": "Today: %s",
"Prochaine échéance : %s": "Next deadline: %s", "Patients suivis : %ld": "Patients followed: %ld",
"Entrées incomplètes ou en brouillon : %ld": "Incomplete or draft entries: %ld",
"Dépistages VHC à faire (aucun depuis %ld mois) : %ld": "HCV screenings due (none for %ld months): %ld",
"Saisies interrompues à reprendre : %ld": "Interrupted entries to resume: %ld",
"Patients : chercher, ouvrir un dossier, créer un patient": "Patients: search, open a file, create a patient",
"Brouillons : reprendre une saisie interrompue": "Drafts: resume an interrupted entry", "Aide et touches": "Help and keys",
"brouillon": "draft", "Patient %s": "Patient %s", " · inclusion %s": " · included %s", "recueil — dossier %s": "recueil — file %s",
"Suivi (%zu entrées) : Entrée ouvre, F5 ou n ajoute": "Follow-up (%zu entries): Enter opens, F5 or n adds",
"Aucune entrée.": "No entry.", " (déjà rempli : modifier)": " (already filled: edit)",
"Nouvelle entrée : quel formulaire ?": "New entry: which form?", "recueil — patients": "recueil — patients",
"Chercher (%zu sur %zu) : ": "Search (%zu of %zu): ",
"Pseudonyme  Sexe  Naissance  Inclusion   Nom": "Pseudonym   Sex   Born       Included    Name",
"Pseudonyme  Sexe  Naissance  Inclusion": "Pseudonym   Sex   Born       Included",
"Aucun patient ne correspond.": "No patient matches.", "Aucun patient : F5 ou ^N pour en créer un.": "No patient: F5 or ^N to create one.",
"pas de terminal : l'interface plein écran demande un terminal (voir « recueil --help » pour les commandes)": "no terminal: the full-screen interface needs one (see 'recueil --help' for the commands)",
"ouverture du terminal impossible": "cannot open the terminal",
"terminal « %s » inconnu : essayer TERM=xterm ou TERM=vt100": "unknown terminal '%s': try TERM=xterm or TERM=vt100",
"URGENT": "URGENT", "ATTENTION": "ATTENTION", "INFO": "INFO", "Alertes": "Alerts",
"alertes cliniques en attente : dossier du patient, acquitter": "clinical alerts waiting: patient's file, acknowledge",
"Acquitter": "Acknowledge",
"acquitter l'alerte choisie : qui, quand, note facultative": "acknowledge the chosen alert: who, when, optional note",
"Alertes cliniques": "Clinical alerts", "levée le %.10s à %.5s par %s": "raised on %.10s at %.5s by %s",
"%s — %s\nPatient %s · %s · %s\nNote facultative, puis Entrée pour acquitter (qui et quand sont notés) ; Échap : annuler.": "%s — %s\nPatient %s · %s · %s\nOptional note, then Enter to acknowledge (who and when are recorded); Esc: cancel.",
"Acquitter l'alerte clinique": "Acknowledge the clinical alert", "alerte non acquittée : %s": "alert not acknowledged: %s",
"Alerte de %s acquittée par %s le %.10s à %.5s.": "Alert of %s acknowledged by %s on %.10s at %.5s.",
"recueil — alertes cliniques": "recueil — clinical alerts",
"Alertes cliniques en attente : %zu (dont %zu urgente)": "Clinical alerts waiting: %zu (%zu urgent)",
"Alertes cliniques en attente : %zu (dont %zu urgentes)": "Clinical alerts waiting: %zu (%zu urgent)",
"Alertes cliniques en attente : %zu": "Clinical alerts waiting: %zu",
"Entrée : ouvrir le dossier du patient ; F8 ou ^K : acquitter l'alerte.": "Enter: open the patient's file; F8 or ^K: acknowledge the alert.",
"Niveau": "Level", "Date": "Date", "Pseudonyme": "Pseudonym", "Formulaire": "Form", "Message": "Message",
"Aucune alerte clinique en attente.": "No clinical alert waiting.", "patient %s introuvable": "patient %s not found",
"Entrée %.8s enregistrée (%s) ; alerte clinique à acquitter (F8).": "Entry %.8s saved (%s); clinical alert to acknowledge (F8).",
"  (a : voir)": "  (a: view)", "Alertes cliniques : ouvrir le dossier concerné, acquitter": "Clinical alerts: open the file concerned, acknowledge",
"Alertes cliniques en attente (%zu) : F8 ou ^K acquitte l'alerte choisie": "Clinical alerts waiting (%zu): F8 or ^K acknowledges the chosen alert",
"Aucune alerte clinique en attente pour ce patient.": "No clinical alert waiting for this patient.",
}

def unq(s):
    return bytes(s[1:-1], 'utf-8').decode('unicode_escape').encode('latin-1').decode('utf-8')

def q(s):
    return '"' + s.replace('\\', '\\\\').replace('"', '\\"').replace('\n', '\\n') + '"'

here = os.path.dirname(os.path.abspath(__file__))
pot = open(os.path.join(here, 'recueil.pot'), encoding='utf-8').read()
out = ['# English texts of the recueil terminal interface.', '# Generated by po/make_en.py from po/recueil.pot.',
       'msgid ""', 'msgstr ""', '"Project-Id-Version: recueil\\n"', '"Language: en\\n"', '"PO-Revision-Date: 2026-03-02 00:00+0000\\n"', '"Last-Translator: recueil <recueil@localhost>\\n"', '"Language-Team: English\\n"',
       '"MIME-Version: 1.0\\n"', '"Content-Type: text/plain; charset=UTF-8\\n"', '"Content-Transfer-Encoding: 8bit\\n"', '']
missing = []
for block in pot.split('\n\n')[1:]:
    lines = block.strip().split('\n')
    comments = [l for l in lines if l.startswith('#')]
    msgid, cur = '', None
    for l in lines:
        if l.startswith('msgid '):
            cur = 'id'; msgid = unq(l[6:])
        elif l.startswith('msgstr'):
            cur = None
        elif l.startswith('"') and cur == 'id':
            msgid += unq(l)
    if msgid not in EN:
        missing.append(msgid); continue
    flags = [c for c in comments if c.startswith('#,')]
    out += flags + ['msgid ' + q(msgid), 'msgstr ' + q(EN[msgid]), '']
open(os.path.join(here, 'en.po'), 'w', encoding='utf-8').write('\n'.join(out))
if missing:
    print('untranslated:', *missing, sep='\n  ', file=sys.stderr)
