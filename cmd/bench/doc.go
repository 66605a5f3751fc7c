// Command bench measures dlgo against PyTorch and scikit-learn on MNIST, on
// this machine, in one run:
//
//	go run ./cmd/bench                          # both models, every peer
//	go run ./cmd/bench -models mlp -peers pytorch-1t -json results.json
//	go run ./cmd/bench -smoke                   # a quick check of the setup
//	go run ./cmd/bench -scaling                 # how the cost grows with the work
//
// It prints a Markdown table, ready for the README, and with -json writes
// the raw figures.
//
// # What is compared
//
// The same models on the same data (the canonical MNIST IDX files, 60000
// training and 10000 test images, pixels scaled to [0, 1]), in float32,
// with the same loss (cross-entropy from the logits), optimiser (Adam, lr
// 0.001, betas 0.9 and 0.999, epsilon 1e-7), batch size (128) and epoch
// (one pass over all training images, shuffled anew each epoch, the last
// partial batch included):
//
//   - mlp: 784-128-64-10 with ReLU and no dropout in every implementation
//     (dlgo's NewMLP, a torch.nn.Sequential, sklearn's MLPClassifier);
//   - convnet: Keras' MNIST ConvNet, Conv 32 3×3 ReLU → MaxPool 2 → Conv 64
//     3×3 ReLU → MaxPool 2 → Flatten → Dropout 0.5 → Dense 10 (dlgo's
//     NewConvNet and a torch.nn.Sequential); scikit-learn has no ConvNet.
//
// The weight initialisations are each library's own. The implementations:
//
//   - dlgo: the library as a user calls it: trainers.Fit with a callback
//     recording each epoch's duration, Model.Logits for inference and
//     trainers.Evaluate for the accuracy;
//   - pytorch: bench/torch_mnist.py with PyTorch's default threads;
//   - pytorch-1t: the same with one thread everywhere (OMP_NUM_THREADS,
//     OPENBLAS_NUM_THREADS and MKL_NUM_THREADS set to 1 and
//     torch.set_num_threads(1));
//   - pytorch-nt: the same with torch.set_num_threads(N), N the number of
//     CPUs Go sees (PyTorch's default may be lower: it counts physical cores);
//   - sklearn: bench/sklearn_mlp.py, MLPClassifier with the same settings and
//     alpha 0, one partial_fit call per epoch, in float32 (sklearn ≥ 1.1
//     keeps float32 input in float32; its result says which dtype it used).
//
// The fastest configuration of any peer is "the peer" for training time;
// for throughput and memory dlgo is compared with PyTorch's best figure over
// its configurations.
//
// # How each figure is measured
//
//   - s/epoch: the median, over all epochs (the first included, in every
//     implementation), of the wall time of one epoch's training loop: the
//     shuffle, the gathering of the batches, forward, backward and the
//     optimiser step (and the running loss and accuracy, which dlgo's Fit
//     and the PyTorch loop both keep). Loading the data is not timed.
//     Defaults: 3 epochs for the MLP, 2 for the ConvNet.
//   - inference img/s: the 10000 test images divided by the best of
//     -infer-runs (default 3) timed passes over them in batches of
//     -infer-batch (default 1000), forward only: Model.Logits in dlgo
//     (which runs at most 256 samples per graph internally), eval mode under
//     torch.no_grad() in PyTorch, predict_proba in sklearn.
//   - peak RSS: every implementation and model runs in its own child process
//     (dlgo in a child of this binary, started with a hidden -worker flag),
//     and the peak is the child's maximum resident set size as the kernel
//     reports it when the child exits (getrusage). It includes the loaded
//     data set and, for Python, the interpreter and its libraries.
//   - test accuracy: on the 10000 test images after training.
//   - 1-image predict p50 / p99: the 50th and 99th percentiles of
//     -latency-calls (default 10000) predictions of one test image each, the
//     images in turn: Model.Predict in dlgo, the model in eval mode under
//     torch.no_grad() in PyTorch.
//   - FLOP/s ÷ GEMM peak: the training arithmetic of an epoch, counted as
//     three times the forward pass's multiply-adds of the dense and
//     convolution layers, two operations each, per image, divided by
//     s/epoch and by the GEMM peak: the fastest float32 product of two
//     2048×2048 matrices (-peak-n) measured at the start of the run, the
//     best of 10 after one untimed, by dlgo's internal/gemm (in a child with
//     the workers' GOMAXPROCS) and by each PyTorch configuration's torch.mm.
//
// The ratio table compares dlgo with the fastest peer for training time,
// and with PyTorch's best configuration for throughput, latency and memory,
// against the targets of issue 15 (dlgo ÷ fastest peer ≤ 0.7 for the MLP
// and ≤ 0.45 for the ConvNet, ≥ 2.5 times PyTorch's img/s, the ConvNet at
// half the GEMM peak or more).
//
// # The scaling mode
//
// With -scaling the benchmark measures instead how the cost grows with the
// work: the MLP and the ConvNet at batch sizes 32, 128 and 512, MLPs
// 784-w-w/2-10 of widths w 512 and 2048, and ConvNets of 16/32 and 64/128
// filters at batch 128, each trained by dlgo and by PyTorch (by default
// with its default threads and with one per CPU; -peers to change) for 3
// epochs on the first 12,800 training images (-epochs-mlp,
// -epochs-convnet, -train-limit). The table gives each configuration's
// training arithmetic per image, s/epoch (the median epoch scaled to
// 60,000 images) and FLOP/s ÷ GEMM peak of dlgo and of the fastest
// PyTorch configuration, and their ratio.
//
// Children run one at a time. The seeds are fixed (-seed, default 1) in
// every implementation. Threads are each library's defaults except where a
// configuration says otherwise; GOMAXPROCS is Go's default unless you set it
// in the environment, which the dlgo child inherits.
//
// # Requirements
//
// The MNIST files come from -mnist DIR, or else from dlgo's own loader,
// which puts them in os.UserCacheDir()/dlgo/mnist (from the Go module cache
// or a download). The peers need Python 3 with numpy, torch and scikit-learn
// at -python (default /usr/bin/python3; on Debian, apt-get install
// python3-torch python3-sklearn). Without them the benchmark says how to
// install them and reports dlgo alone. The scripts are found in bench/ of the
// repository (-scripts to say where).
package main
