// Serve answers predictions of dlgo models over HTTP, with the Open
// Inference Protocol (KServe v2) that Triton and KServe clients speak.
//
// Usage:
//
//	serve -model FILE [-model NAME=FILE | -model DIR ...] [-addr 127.0.0.1:8080] [flags]
//
// Examples:
//
//	serve -model runs/mlp-mnist-20261127-124730/model.dlgo
//	serve -model mnist=mlp.dlgo -model iris=iris.dlgo -addr :8080
//	serve -model models/ -max-batch 128 -batch-window 2ms -log-json
//
// Each -model names a model file (served under its base name without
// .dlgo), NAME=FILE, or a directory whose .dlgo files are all served, and
// whose new files are served as they appear. A model file that is replaced
// (dlgo saves atomically, by renaming a complete file into place) is loaded
// again within -reload and served from the next request on; one that fails
// to load is logged, and the previous version goes on serving.
//
// The endpoints, the request and answer formats and the metrics are those
// of package serve. Requests run in parallel; requests that wait together
// are predicted in one call of up to -max-batch samples. Bad requests get
// the protocol's JSON error with status 400, 404, 405 or 413; a request
// that takes longer than -timeout gets 503.
//
// On SIGINT or SIGTERM the server stops accepting connections, finishes
// the requests in flight (for up to -shutdown-timeout) and exits 0. Request
// logs go to standard error, one line per request (JSON with -log-json).
package main
