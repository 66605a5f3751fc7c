# Writes R's own data sets the way R users write them, each as a whole table
# and as a train/test split of it in the same dialect (seed 1, 80/20,
# stratified by class for a classification target).
#
#   Rscript bench/tables/make_r_tables.R OUTDIR
args <- commandArgs(trailingOnly = TRUE)
out <- if (length(args) > 0) args[1] else "bench/tables/out"
dir.create(out, showWarnings = FALSE, recursive = TRUE)

split_rows <- function(d, target, classify) {
  set.seed(1)
  n <- nrow(d)
  if (classify) {
    test <- unlist(lapply(split(seq_len(n), d[[target]]), function(i) i[sample.int(length(i), round(0.2 * length(i)))]))
  } else {
    test <- sample.int(n, round(0.2 * n))
  }
  test <- sort(test)
  list(train = setdiff(seq_len(n), test), test = test)
}

write_all <- function(d, name, target, classify, writer) {
  s <- split_rows(d, target, classify)
  writer(d, file.path(out, paste0(name, ".csv")))
  writer(d[s$train, , drop = FALSE], file.path(out, paste0(name, "-train.csv")))
  writer(d[s$test, , drop = FALSE], file.path(out, paste0(name, "-test.csv")))
}

# write.csv: quoted strings, row names in a first column with an empty name, NA.
write_all(iris, "r-iris", "Species", TRUE, function(d, f) write.csv(d, f))
write_all(airquality, "r-airquality", "Ozone", FALSE, function(d, f) write.csv(d, f))
write_all(infert, "r-infert", "case", TRUE, function(d, f) write.csv(d, f))
write_all(ChickWeight, "r-chickweight", "weight", FALSE, function(d, f) write.csv(d, f, row.names = FALSE))
# write.table: separated by spaces, the header one name short (row names).
write_all(mtcars, "r-mtcars", "mpg", FALSE, function(d, f) write.table(d, f))
# write.table with tabs.
write_all(PlantGrowth, "r-plantgrowth", "group", TRUE, function(d, f) write.table(d, f, sep = "\t"))
# write.csv2: semicolons and decimal commas, as spreadsheets in many languages.
write_all(ToothGrowth, "r-toothgrowth", "len", FALSE, function(d, f) write.csv2(d, f))
write_all(swiss, "r-swiss", "Fertility", FALSE, function(d, f) write.csv2(d, f))
write_all(warpbreaks, "r-warpbreaks", "breaks", FALSE, function(d, f) write.csv(d, f, row.names = FALSE))
write_all(quakes, "r-quakes", "mag", FALSE, function(d, f) write.csv(d, f))
