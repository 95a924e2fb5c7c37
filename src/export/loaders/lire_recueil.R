# lire_recueil.R - lit les fichiers CSV d'un export recueil dans R (R de base, 3.5 ou plus,
# aucun paquet), avec le dictionnaire des variables (codebook.csv).
#
# Usage : setwd("dossier ou l'archive a ete extraite") ; source("lire_recueil.R")
#   cree la liste `recueil` : un data.frame par formulaire (recueil$audit, recueil$contact...)
#   et recueil$alertes (alerts.csv : les alertes cliniques des saisies, sans leur texte).
#   En anglais : recueil <- lire_recueil(".", langue = "en").
#
# Relier les tables : un patient est designe par (structure, pseudonym), jamais par pseudonym
# seul (un pseudonyme n'est unique que dans sa structure, et un export regional porte
# plusieurs structures) :
#   merge(recueil$audit, recueil$patient[, c("structure", "pseudonym", "sexe")],
#         by = c("structure", "pseudonym"))
# Une alerte se relie a sa saisie (et par elle a son patient) par (structure, entry_id) :
#   merge(recueil$alertes, recueil$audit[, c("structure", "entry_id", "pseudonym")],
#         by = c("structure", "entry_id"))
#
# Ce que contient chaque data.frame :
#  - chaque colonne a le type que lui donne le dictionnaire (colonne value_type), jamais celui
#    que les donnees suggerent : integer -> integer, decimal -> numeric, date -> Date,
#    datetime -> POSIXct (UTC), text et codes -> character. Deux exports de periodes
#    differentes donnent donc les memes types ;
#  - les codes restent des codes : q9 vaut 0, 2 ou 4 ; intervenant vaut "medecin" ;
#  - CHAMP.factor : les libelles, en facteur dont les niveaux sont toutes les reponses du
#    dictionnaire dans son ordre (meme celles absentes des donnees), ordonne quand l'echelle
#    l'est (colonne ordinal) ;
#  - un code manquant (.refus, .nsp, .non_demande) devient NA et sa raison est dans la colonne
#    CHAMP.manquant (facteur) ; une cellule vide est NA sans raison : sans reponse, ou question
#    non posee (condition show_if du dictionnaire, fausse ou portant sur une reponse manquante ;
#    skipped_value dit ce que la question compte alors dans les scores, par exemple 0 pour les
#    questions 2 a 8 de l'AUDIT) ;
#  - choix multiples : la colonne d'origine (codes separes par des espaces) et une colonne 0/1
#    par reponse, CHAMP___CODE (vide quand la question est sans reponse) ;
#  - attr(x, "label") : le libelle de chaque colonne ;
#  - attr(recueil, "dictionnaire") et attr(recueil, "seuils") : codebook.csv et seuils.csv
#    (les seuils en vigueur, avec leur valeur et leur reference).
# Une valeur qui ne se convertit pas dans le type du dictionnaire est signalee (warning) et
# laissee NA.

lire_recueil <- function(dossier = ".", langue = "fr") {
  lire <- function(nom) {
    utils::read.csv(file.path(dossier, nom), colClasses = "character",
                    na.strings = character(0), encoding = "UTF-8", fileEncoding = "UTF-8",
                    check.names = FALSE, stringsAsFactors = FALSE)
  }
  # "code=libelle | code=libelle" -> codes et libelles
  decouper <- function(texte) {
    if (is.na(texte) || texte == "") return(list(codes = character(0), libelles = character(0)))
    paires <- strsplit(texte, " | ", fixed = TRUE)[[1]]
    pos <- regexpr("=", paires, fixed = TRUE)
    list(codes = substr(paires, 1, pos - 1), libelles = substring(paires, pos + 1))
  }
  en <- identical(langue, "en")
  traduire <- function(fr, en_texte) ifelse(en & !is.na(en_texte) & en_texte != "", en_texte, fr)
  raisons_en <- c(".refus" = "refused", ".nsp" = "does not know", ".non_demande" = "not asked")

  dico <- lire("codebook.csv")
  if (!("derived_from" %in% names(dico)))
    stop("codebook.csv d'une version ancienne de recueil : utiliser le lire_recueil.R ",
         "de la meme archive", call. = FALSE)
  seuils <- NULL
  if (file.exists(file.path(dossier, "seuils.csv"))) {
    seuils <- lire("seuils.csv")
    seuils$value <- as.numeric(seuils$value)
  }

  resultat <- list()
  # Les tables portent le nom de leur formulaire ; alerts.csv (form "alerts" du dictionnaire,
  # nom qu'aucun formulaire ne peut prendre) devient recueil$alertes.
  for (formulaire in unique(dico$form)) {
    fichier <- paste0(formulaire, ".csv")
    if (!file.exists(file.path(dossier, fichier))) next
    brut <- lire(fichier)
    cb <- dico[dico$form == formulaire, , drop = FALSE]
    if (!identical(names(brut), cb$field))
      stop(fichier, " : colonnes differentes de celles du dictionnaire (codebook.csv)",
           call. = FALSE)
    d <- brut[, 0, drop = FALSE]
    for (i in seq_len(nrow(cb))) {
      v <- cb$field[i]
      x <- brut[[v]]
      m <- decouper(cb$missing_codes[i])
      manquant <- x %in% m$codes
      x[manquant | x == ""] <- NA
      type <- cb$value_type[i]
      y <- switch(type,
                  integer = suppressWarnings(as.integer(x)),
                  decimal = suppressWarnings(as.numeric(x)),
                  date = as.Date(x, format = "%Y-%m-%d"),
                  datetime = as.POSIXct(x, format = "%Y-%m-%dT%H:%M:%SZ", tz = "UTC"),
                  x)
      illisible <- !is.na(x) & is.na(y)
      if (any(illisible))
        warning(sprintf("%s, colonne %s : %d valeur(s) illisible(s) comme %s (par exemple \"%s\"), laissee(s) NA",
                        fichier, v, sum(illisible), type, x[illisible][1]), call. = FALSE)
      libelle <- traduire(cb$label[i], cb$label_en[i])
      attr(y, "label") <- libelle
      d[[v]] <- y
      choix <- decouper(traduire(cb$choices[i], cb$choices_en[i]))
      if (length(choix$codes) > 0 && type != "codes") {
        f <- factor(x, levels = choix$codes, labels = choix$libelles,
                    ordered = cb$ordinal[i] == "yes")
        attr(f, "label") <- libelle
        d[[paste0(v, ".factor")]] <- f
      }
      if (length(m$codes) > 0) {
        raisons <- if (en) unname(raisons_en[m$codes]) else m$libelles
        r <- factor(ifelse(manquant, brut[[v]], NA), levels = m$codes, labels = raisons)
        attr(r, "label") <- paste0(libelle, if (en) " (reason for the missing value)"
                                             else " (raison de la valeur manquante)")
        d[[paste0(v, ".manquant")]] <- r
      }
    }
    resultat[[if (formulaire == "alerts") "alertes" else formulaire]] <- d
  }
  attr(resultat, "dictionnaire") <- dico
  attr(resultat, "seuils") <- seuils
  resultat
}

if (file.exists("codebook.csv")) {
  recueil <- lire_recueil(".")
  message("recueil : ", length(recueil), " table(s) lue(s) : ",
          paste(names(recueil), sapply(recueil, nrow), sep = " ", collapse = ", "))
}
