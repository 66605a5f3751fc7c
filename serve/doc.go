// Package serve serves dlgo models over HTTP with the Open Inference
// Protocol (the KServe v2 REST protocol, which Triton and KServe speak), so
// that the clients written for those servers work with it unchanged.
//
// A Server is an http.Handler; mount it in your own mux, or run cmd/serve:
//
//	srv, err := serve.New(serve.Config{})
//	...
//	if err := srv.AddFile("mnist", "runs/mnist/model.dlgo"); err != nil { ... }
//	go srv.Watch(ctx, time.Second) // hot reload when the file is replaced
//	mux := http.NewServeMux()
//	mux.Handle("/v2/", srv)
//	mux.Handle("/metrics", srv)
//
// # Predicting
//
// A model has one input, "input", of datatype FP32 and shape
// [n, input shape...] (n samples; [n, 784] for an MLP on MNIST, [n, 1, 28, 28]
// for a ConvNet), with the data in row-major order, flat or nested:
//
//	POST /v2/models/mnist/infer
//	{"inputs": [{"name": "input", "datatype": "FP32", "shape": [1, 784], "data": [0, 0, ...]}]}
//
// The answer holds the model's outputs (all of them, or those the request
// lists in "outputs"):
//
//   - "logits" (FP32, [n, output shape...]): the model's values before its
//     output activation, as Model.Logits gives them;
//   - "probabilities" (FP32, [n, classes]) for a classifier, the class
//     probabilities as Model.Predict gives them (two columns, P(0) and
//     P(1), for a single sigmoid unit), or [n, labels] for a multi-label
//     model;
//   - "predictions" (FP32, [n, output shape...]) for a regression model;
//   - "class" (BYTES, [n]) for a classifier: the predicted class's name, or
//     its index in decimal when the model has no class names.
//
// For example:
//
//	{"model_name": "mnist", "model_version": "1", "outputs": [
//	  {"name": "logits", "datatype": "FP32", "shape": [1, 10], "data": [...]},
//	  {"name": "probabilities", "datatype": "FP32", "shape": [1, 10], "data": [...]},
//	  {"name": "class", "datatype": "BYTES", "shape": [1], "data": ["7"]}]}
//
// GET /v2/models/{name} describes the input and the outputs, and gives, in
// its "parameters", the model's task, loss, class names, feature names and
// target names.
//
// A model with named features (tabular data) also takes rows keyed by
// feature name, a dlgo extension of the protocol:
//
//	POST /v2/models/iris/rows
//	{"rows": [{"sepal_length": 5.1, "sepal_width": 3.5, "petal_length": 1.4, "petal_width": 0.2}]}
//	→ {"model_name": "iris", "rows": [{"class": "setosa", "probabilities": {"setosa": 0.97, ...}}]}
//
// A model trained on a table (cmd/train -data file.csv) takes its table's
// columns as they were (text categories, numbers, null for a missing
// value, listed as "columns" in the metadata), encoded as cmd/infer
// encodes them: categories one-hot, missing values imputed. An unseen
// category or a number column's text is encoded all the same and reported
// in the answer's "warnings" (which count rows from 1, as the tabular
// package words them; errors count them from 0). A multi-label model's rows also list their
// "labels", those of probability 1/2 or more. For other models every
// feature is a number.
//
// # Concurrency and batching
//
// Requests run in parallel: a model predicts with a bounded pool of
// inference graphs (see models.Model.Logits), on Config.Workers workers.
// Requests that wait for a worker are predicted together, up to
// Config.MaxBatch samples in one call, which raises throughput under load;
// a worker also waits up to Config.BatchWindow for the requests that have
// arrived but are still being parsed. A request that comes alone waits for
// nobody. Batching changes no answer: a sample's outputs do not depend on
// the batch it is predicted in (the models package's tests check it).
//
// # Errors
//
// Every error is the protocol's JSON, {"error": "message"}, with status 400
// for a malformed request (bad JSON, a wrong input name, datatype or
// shape, data that does not match the shape, an unknown output), 404 for
// an unknown model or endpoint, 405 for a wrong method, 413 for a body
// over Config.MaxBodyBytes or more than Config.MaxSamples samples, 503
// for a prediction that outlives Config.Timeout or a server that is
// closing, and 500 if a prediction fails; the server goes on serving.
//
// # Hot reload
//
// Reload (which Watch calls periodically) loads again the model files that
// changed, and switches each model to its new version between requests:
// none fails. A file that fails to load leaves the old version serving,
// and is logged.
//
// # Metrics
//
// GET /metrics serves Prometheus metrics: dlgo_requests_total and
// dlgo_request_errors_total (by model, endpoint and code),
// dlgo_request_duration_seconds (a histogram by model and endpoint),
// dlgo_requests_in_flight, dlgo_samples_total, dlgo_batch_samples (the
// samples of each prediction call, which shows the batching),
// dlgo_model_reloads_total and dlgo_model_loaded_timestamp_seconds, with
// Go's runtime and process metrics.
package serve
