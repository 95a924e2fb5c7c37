# check_r_loader.R - the shipped lire_recueil.R as a statistician uses it, on two exports whose
# data differ: every column has the same type in both (types come from the dictionary, not
# from the data); codes stay codes (AUDIT q9 is 0, 2 or 4), labels are ordered factors beside
# them; a missing code is NA with the reason its code has in the dictionary (exports are
# snapshots: the demo's own .nsp answers travel beside the test's .refus); the AUDIT items, skip rule applied from the
# dictionary, sum to the stored total; EPICES scores and the precarity flag are recomputed with
# the threshold of seuils.csv; each 0/1 column agrees with its multiple choice.
# Usage: Rscript check_r_loader.R EXPORT_DIR_1 EXPORT_DIR_2 ; prints "ok ..." or problems.

args <- commandArgs(trailingOnly = TRUE)
problemes <- character(0)
pb <- function(...) problemes <<- c(problemes, paste0(...))

lire <- function(dossier) {
  ancien <- setwd(dossier)
  on.exit(setwd(ancien))
  source("lire_recueil.R", local = TRUE)
  recueil
}
exports <- lapply(args[1:2], lire)
# The cells of audit.csv as written, to check the loaded values against.
bruts <- lapply(args[1:2], function(d)
  read.csv(file.path(d, "audit.csv"), colClasses = "character", na.strings = character(0),
           encoding = "UTF-8", fileEncoding = "UTF-8", check.names = FALSE))

# Types: identical in both exports, form by form, column by column.
types <- function(d) vapply(d, function(x) paste(c(class(x), typeof(x)), collapse = "/"), "")
for (f in intersect(names(exports[[1]]), names(exports[[2]]))) {
  a <- types(exports[[1]][[f]])
  b <- types(exports[[2]][[f]])
  if (!identical(a, b)) {
    diff <- names(a)[names(a) %in% names(b) & a != b[names(a)]]
    pb(f, " : types differents d'un export a l'autre : ", paste(head(c(diff, setdiff(names(a), names(b))), 5), collapse = ", "))
  }
}

sommes <- 0
sautes <- 0
refus <- 0
for (k in seq_along(exports)) {
  r <- exports[[k]]
  dico <- attr(r, "dictionnaire")
  seuils <- attr(r, "seuils")
  a <- r$audit
  # Codes kept, labels beside them.
  if (!all(a$q9 %in% c(0L, 2L, 4L, NA)) || !is.integer(a$q9))
    pb("audit q9 : codes autres que 0, 2, 4 : ", paste(unique(a$q9), collapse = " "))
  if (!is.ordered(a$q9.factor) || nlevels(a$q9.factor) != 3)
    pb("audit q9.factor : pas un facteur ordonne a 3 niveaux")
  if (!is.ordered(a$zone_oms.factor) || !identical(levels(a$zone_oms.factor)[1], "Zone I (0 à 7) : risque faible"))
    pb("audit zone_oms.factor : niveaux ", paste(levels(a$zone_oms.factor), collapse = " ; "))
  if (is.ordered(r$contact$intervenant.factor))
    pb("contact intervenant.factor : ordonne alors que les codes ne le sont pas")
  # Missing codes: NA, with the reason the dictionary gives their code beside.
  cellules <- bruts[[k]]$q10
  paires <- strsplit(strsplit(dico$missing_codes[dico$form == "audit" & dico$field == "q10"], " | ", fixed = TRUE)[[1]], "=", fixed = TRUE)
  raisons <- setNames(vapply(paires, `[`, "", 2), vapply(paires, `[`, "", 1))
  attendu <- unname(raisons[cellules])
  m <- !is.na(attendu)
  refus <- refus + sum(cellules == ".refus")
  if (length(cellules) != nrow(a) || any(!is.na(a$q10[m])) ||
      !identical(as.character(a$q10.manquant), attendu))
    pb("audit q10 : code manquant mal lu")
  # The AUDIT total from the items, skip rule from the dictionary.
  somme <- rep(0, nrow(a))
  for (q in paste0("q", 1:10)) {
    e <- dico[dico$form == "audit" & dico$field == q, ]
    x <- as.numeric(a[[q]])
    if (e$skipped_value != "") {
      pose <- with(a, eval(parse(text = e$show_if)))
      pose <- !is.na(pose) & pose # a condition on a missing answer is not true
      x[is.na(x) & is.na(a[[paste0(q, ".manquant")]]) & !pose] <- as.numeric(e$skipped_value)
    }
    somme <- somme + x
  }
  if (!identical(is.na(somme), is.na(a$total)) || any(somme != a$total, na.rm = TRUE))
    pb("audit : la somme des items differe du total stocke dans ",
       sum(xor(is.na(somme), is.na(a$total)) | (!is.na(somme) & somme != a$total), na.rm = TRUE), " ligne(s)")
  sommes <- sommes + sum(!is.na(somme))
  sautes <- sautes + sum(a$q1 == 0, na.rm = TRUE)
  # EPICES from the items, and the precarity flag from seuils.csv.
  p <- r$precarite
  coef <- c(10.06, -11.83, -8.28, -8.28, 14.80, -6.51, -7.10, -7.10, -9.47, -9.47, -7.10)
  items <- as.matrix(p[, paste0("epices", 1:11)])
  score <- round(75.14 + as.vector(items %*% coef), 2)
  if (any(abs(score - p$epices_score) > 1e-9, na.rm = TRUE) || !identical(is.na(score), is.na(p$epices_score)))
    pb("precarite : score EPICES recalcule different du score stocke")
  seuil <- seuils$value[seuils$id == "epices_precarite"]
  if (!identical(seuil, 30.17) || any(p$precaire != as.integer(p$epices_score >= seuil), na.rm = TRUE))
    pb("precarite : precaire ne suit pas le seuil de seuils.csv (", seuil, ")")
  # Each 0/1 column of a multiple choice agrees with it.
  pt <- r$patient
  for (code in c("addiction_produit", "addiction_sans_produit", "precarite", "sante_mentale")) {
    x <- pt[[paste0("motif_inclusion___", code)]]
    codes <- strsplit(ifelse(is.na(pt$motif_inclusion), "", pt$motif_inclusion), " ", fixed = TRUE)
    attendu <- ifelse(is.na(pt$motif_inclusion), NA, as.integer(vapply(codes, function(v) code %in% v, TRUE)))
    if (!identical(x, structure(as.integer(attendu), label = attr(x, "label"))))
      pb("patient motif_inclusion___", code, " : ne suit pas motif_inclusion")
  }
}
if (sautes == 0 || refus == 0 || sommes == 0)
  pb("donnees de test insuffisantes : ", sommes, " totaux, ", sautes, " sauts, ", refus, " refus")

if (length(problemes)) {
  cat(problemes, sep = "\n")
} else {
  cat("ok :", sommes, "totaux AUDIT refaits,", sautes, "sauts,", refus, "codes manquants\n")
}
