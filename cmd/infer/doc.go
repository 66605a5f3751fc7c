// Infer predicts with a model saved by cmd/train (or Model.Save).
//
// Usage:
//
//	infer -model FILE -data INPUT [-json] [-out FILE] [-eval] [-hardest N] [-encode] [image flags]
//	infer -model FILE -generate N [-seed S] [-out FILE]
//
// Examples:
//
//	infer -model iris.dlgo -data iris.csv
//	infer -model mnist.dlgo -data digits/ -json -out digits.json
//	infer -model mnist.dlgo -data mnist-test -eval
//
// # Input
//
// -data names a CSV file, an image file (PNG, JPEG or GIF), a folder of
// images (every PNG, JPEG and GIF file in it, sorted by name) or the word
// mnist-test, the 10000 MNIST test images (looked for in -mnist-dir, then
// the user cache, then the Go module cache, then downloaded unless
// -offline; a file of that name is ./mnist-test).
//
// A model trained by cmd/train on a CSV table holds the table's encoding
// (see package tabular): the file is then read as training read its table
// (separator detected, missing values imputed, text columns one-hot
// encoded, a category not seen in training a warning and all zeros), and
// columns are matched by name, in any order, extra columns ignored. The
// target columns are optional and may have missing values; with -eval only
// the rows that have them are evaluated. -id COLUMN copies a column (an
// identifier) into the output beside each prediction. -model may name the
// run directory that holds model.dlgo.
//
// For other models, a CSV file's header must name the
// model's feature columns in the model's order (when the model records
// their names; otherwise only their number is checked). If the header also
// names the model's target column, the file is labelled: class labels must
// be among the model's classes and regression targets must be numbers. A
// model that does not name its target takes the column after its features,
// if there is one, as the target.
//
// Images go to a model of image input [C, H, W] (C is 1 for grayscale, 3
// for RGB), or to a model of 784 features trained on MNIST, as 28×28
// grayscale images. They are resized to H×W unless -resize=false, inverted
// to light ink on a dark background as -invert says, and centred as MNIST's
// digits were with -center, the default for models trained on MNIST.
//
// A model that does not name its classes has classes "0", "1", ...; one
// that does not name its regression targets has the target "y" (or "y1",
// "y2", ... for several).
//
// # Output
//
// Predictions go to standard output, or with -out to a file, written
// atomically (a temporary file renamed into place). There is one row per
// sample, identified by its 1-based data row for CSV and MNIST input, or by
// its file path for images.
//
// CSV output (the default) has the header
//
//	sample,predicted,p_<class>...[,true]        classification
//	sample,<target>...[,true_<target>...]       regression
//
// with probabilities written with 6 decimals and regression values with 6
// significant digits; the true columns appear when the input is labelled.
//
// JSON output (-json) is one object, with one prediction per line:
//
//	{
//	  "model": "<model name>",
//	  "task": "classification",
//	  "classes": ["<class>", ...],
//	  "predictions": [
//	    {"sample": 1, "predicted": "<class>", "probabilities": [0.1, ...], "true": "<class>"},
//	    ...
//	  ]
//	}
//
// For regression, "task" is "regression", "targets" lists the target names
// instead of "classes", and each prediction has "values" (one per target)
// instead of "predicted" and "probabilities", and "true" is an array of the
// true values. "sample" is a number (the row) or a string (the image path);
// "true" is absent for unlabelled input. Numbers are the float32 results,
// written in the shortest form that reads back exactly.
//
// # Evaluation
//
// With -eval, the input must be labelled, and infer prints to standard
// output how well the model does instead of the predictions (which are
// written only to -out, if given). For a classifier: the number of samples,
// the loss, per-class precision, recall, F1 and support, the accuracy, the
// macro-averaged F1 and the confusion matrix. For regression: the number of
// samples, the loss, MSE, MAE and R² (averaged over the targets). With
// -json, the same as one JSON object:
//
//	{
//	  "model": "<model name>",
//	  "task": "classification",
//	  "samples": 150,
//	  "metrics": {"accuracy": 0.96, "loss": 0.1},
//	  "report": {"classes": [...], "confusion": [[...]], "precision": [...],
//	             "recall": [...], "f1": [...], "support": [...],
//	             "accuracy": 0.96, "macro_f1": 0.95}
//	}
//
// where "metrics" holds "loss", "mse", "mae" and "r2" for regression, and
// "report" is absent.
//
// With -hardest N, only the N samples with the largest loss are written,
// worst first, with their loss in a last column (or a "loss" field): a
// classifier's or regressor's worst mistakes, which needs the targets.
//
// # Autoencoders
//
// A model that reconstructs its input (cmd/train's autoencoder,
// conv-autoencoder, vae and conv-vae) needs no targets. Infer writes one
// row per sample with its loss (the model's own: binary cross-entropy per
// pixel for an autoencoder, summed over the pixels for a VAE, whose code
// is then its mean, without the KL term) and its mse (the mean squared
// error per value), and the true label of a labelled image set such as
// mnist-test:
//
//	sample,loss,mse[,true]
//
// -json adds each sample's reconstruction; -out FILE.png draws the samples
// (at most 100) above their reconstructions instead. -hardest N keeps the
// N samples reconstructed worst, worst first: the unusual ones, for anomaly
// detection. -eval prints the loss (for a VAE also its reconstruction_loss
// and kl_loss, evaluated as training computes them, with seeded noise) and
// the mse.
//
// -encode writes each sample's latent code instead (a VAE's mean):
//
//	sample,z1,z2,...[,true]
//
// -generate N decodes N draws of a VAE's standard normal prior, seeded by
// -seed, with no -data: CSV rows of values, or with -out FILE.png a grid of
// images.
//
// # Diagnostics and exit codes
//
// What was loaded, how many samples and the time taken are logged to
// standard error, never to standard output. Infer exits with status 0 on
// success (and for -h), 1 on an error, printed to standard error after
// "infer: ", and 2 on a usage error such as an unknown flag or a missing
// -model or -data.
package main
