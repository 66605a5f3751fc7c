// Command servebench measures dlgo's server against the same models served
// by FastAPI + uvicorn + PyTorch, with one load generator, in one run:
//
//	go run ./cmd/servebench                         # the whole comparison (a few minutes)
//	go run ./cmd/servebench -models mlp -concurrency 64 -samples 1 -duration 10s
//	go run ./cmd/servebench -peers=false            # dlgo alone
//
// It prints a Markdown table, ready for the README, and with -json writes
// the raw figures.
//
// # What is compared
//
// The MNIST MLP (784-128-64-10, ReLU) and the Keras MNIST ConvNet, trained
// with trainers.Fit for -epochs (default 1; 0 leaves random weights:
// serving speed does not depend on them) and saved as .dlgo files in -dir,
// where later runs find them. Both servers serve the same files:
//
//   - dlgo: package serve in a child process (this program with
//     -serve-child), as cmd/serve serves models, with its defaults
//     (batching of the requests that wait together, up to -max-batch
//     samples, with a -batch-window of 1 ms for the requests on their way)
//     and no request log;
//   - FastAPI+PyTorch, N workers: bench/torch_serve.py, which rebuilds each
//     model as a torch.nn.Sequential from the same file, answers the same
//     infer endpoint with the same outputs (logits, probabilities, class),
//     parses the body with json.loads and runs under uvicorn with N worker
//     processes (-peer-workers, default 1 and 2), each with one torch
//     thread. No access log.
//
// Before measuring, both servers answer the same 64 images, and their
// probabilities must agree to 1e-4 (the table shows the difference).
//
// # How it is measured
//
// For each model, request size (-samples, default 1 and 64 images per
// request) and concurrency (-concurrency, default 1, 8 and 64 clients),
// each server in turn gets the load: that many clients, each sending its
// next request as soon as it has the answer to the previous one (a closed
// loop), over keep-alive connections. A warm-up lasts -warmup (default 1 s)
// and until every client has had an answer; the measurement then lasts
// -duration (default 3 s) or five times the slowest warm-up request if that
// is longer. The requests are MNIST test images as v2 JSON, 16 different
// bodies in rotation, the same bytes for every server. Throughput is the
// requests answered with status 200 within the measurement divided by its
// duration; p50 and p99 are the nearest-rank quantiles of their latencies,
// from sending the request to reading the whole
// answer. Failed requests are counted apart. For dlgo, the table also gives
// the mean samples per prediction call during the load, from the server's
// dlgo_batch_samples metric: how much it batched.
//
// The load generator runs on the same machine as the servers and takes its
// share of the CPUs, the same for each server; the servers take turns at
// each configuration, so that a change in the machine's load affects them
// alike.
//
// # Requirements
//
// MNIST from dlgo's cache (datasets.LoadMNIST). For the peer,
// /usr/bin/python3 (-python) with numpy, torch, fastapi and uvicorn; on
// Debian, apt-get install python3-torch python3-fastapi python3-uvicorn.
// Without them the benchmark says so and measures dlgo alone.
package main
