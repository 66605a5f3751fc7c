// Package tabular reads tables as people write them — R's write.csv and
// write.table, pandas' to_csv, spreadsheets exported with semicolons and
// decimal commas, scikit-learn's bundled files — and turns them into data
// sets a model can train on.
//
// Read (or Load) detects the dialect and returns the raw cells. Prepare
// decides how each column is used (the target and its classes, number and
// category features, row names and identifiers left out) and reports every
// problem at once. Plan.Fit takes the statistics of the training rows
// (imputation values, one-hot vocabularies) into an Encoding, plain data
// that travels in the model file, and Encoding.Encode turns any table with
// those columns — a test file, rows to predict, JSON objects given to a
// server (FromRecords) — into features the same way.
package tabular
