"""PyTorch reference for dlgo's MNIST benchmark (go run ./cmd/bench).

Trains one or more of the benchmark's models on MNIST with PyTorch on the CPU
and prints one JSON line of results per model on stdout. The models and the
training are dlgo's, written in PyTorch:

  mlp      784-128-64-10, ReLU, no dropout (Linear, ReLU, Linear, ReLU, Linear)
  convnet  Keras' MNIST ConvNet: Conv 32 3x3 ReLU, MaxPool 2, Conv 64 3x3 ReLU,
           MaxPool 2, Flatten, Dropout 0.5, Linear 1600-10

Both are trained in float32 with cross-entropy from the logits
(F.cross_entropy), Adam (lr 1e-3, betas 0.9/0.999, eps 1e-7 as dlgo's), batches
of 128. An epoch is one pass over all training images in a fresh random order
(torch.randperm each epoch), the last partial batch included; like dlgo's
trainers.Fit it keeps the running loss and accuracy. PyTorch's own weight
initialisation is used.

What is timed (time.perf_counter):
  epoch_seconds  each epoch's training loop: the shuffle, the gathering of
                 the batches, forward, backward and the Adam steps. Loading
                 the data is not timed.
  infer_seconds  each of --infer-runs passes over the test images in batches
                 of --infer-batch, in eval mode under torch.no_grad(): the
                 forward passes only. images_per_second uses the best pass.
test_accuracy is computed from the last pass's logits.

  predict_seconds  with --latency-calls N, the 50th and 99th percentiles of
                 N calls of the model on one test image (eval mode, no_grad,
                 the images in turn): the latency of a single prediction.
test_accuracy is computed from the last pass's logits.

--hidden W1,W2,... sets the MLP's hidden widths (default 128,64) and
--filters F1,F2 the ConvNet's (default 32,64; the dense layer takes F2·5·5);
--train-limit N trains on the first N training images only.

--peak-only measures instead the float32 matrix product's speed: the best
of 10 timed torch.mm of two N×N matrices (--peak-n, default 2048) after one
untimed, printed as one JSON line {"impl", "config", "gemm_n",
"gemm_seconds", "gemm_gflops", "threads"}.

Threads: PyTorch's defaults unless --threads N calls torch.set_num_threads(N).
OpenBLAS (which Debian's torch uses for matrix products) reads
OPENBLAS_NUM_THREADS from the environment; the JSON reports both.

Usage:
  python3 bench/torch_mnist.py --data DIR --model mlp [--epochs 3] [--threads 1]
  python3 bench/torch_mnist.py --smoke --data DIR --model mlp,convnet
  python3 bench/torch_mnist.py --peak-only --data DIR --threads 2

--smoke trains on the first 512 training images for one epoch and infers
once on the first 256 test images: a quick check that everything works.
Needs numpy and torch only (no torchvision).
"""

import argparse
import json
import os
import platform
import sys
import time

import numpy as np

sys.dont_write_bytecode = True  # no __pycache__/ in the repository
from mnist_idx import bench_parser, load_mnist, parse_bench_args  # noqa: E402  (the helper next to this script)

SMOKE_TRAIN, SMOKE_TEST = 512, 256


def widths(s):
    """A comma-separated list of positive integers."""
    try:
        out = [int(v) for v in s.split(",")]
    except ValueError:
        out = []
    if not out or min(out) < 1:
        raise argparse.ArgumentTypeError(f"{s!r}: want positive integers, comma-separated")
    return out


def parse_args(argv):
    p = bench_parser(__doc__, "mlp, convnet or both comma-separated")
    p.add_argument("--threads", type=int, default=0,
                   help="torch.set_num_threads(N) if N > 0; 0 keeps PyTorch's default")
    p.add_argument("--hidden", type=widths, default=[128, 64], help="the MLP's hidden widths")
    p.add_argument("--filters", type=widths, default=[32, 64], help="the ConvNet's two filter counts")
    p.add_argument("--train-limit", type=int, default=0, help="train on the first N images only (0: all)")
    p.add_argument("--latency-calls", type=int, default=0, help="time N single-image predictions")
    p.add_argument("--peak-only", action="store_true", help="only measure the matrix product's speed")
    p.add_argument("--peak-n", type=int, default=2048, help="size of the matrices of --peak-only")
    args = parse_bench_args(p, argv, ("mlp", "convnet"))
    if len(args.filters) != 2:
        p.error("--filters takes two counts")
    if args.train_limit < 0 or args.latency_calls < 0 or args.peak_n < 1:
        p.error("--train-limit and --latency-calls must not be negative, --peak-n must be positive")
    return args


def build_model(torch, name, hidden=(128, 64), filters=(32, 64)):
    nn = torch.nn
    if name == "mlp":
        layers, width = [], 784
        for h in hidden:
            layers += [nn.Linear(width, h), nn.ReLU()]
            width = h
        return nn.Sequential(*layers, nn.Linear(width, 10))
    f1, f2 = filters
    return nn.Sequential(
        nn.Conv2d(1, f1, 3), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(f1, f2, 3), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Dropout(0.5),
        nn.Linear(f2 * 5 * 5, 10),
    )


def train_epoch(torch, model, opt, x, y, batch_size, gen):
    """One pass over (x, y) in a random order; returns (loss, accuracy)."""
    F = torch.nn.functional
    model.train()
    n = x.shape[0]
    perm = torch.randperm(n, generator=gen)
    loss_sum, correct = 0.0, 0
    for start in range(0, n, batch_size):
        idx = perm[start:start + batch_size]
        xb, yb = x[idx], y[idx]
        logits = model(xb)
        loss = F.cross_entropy(logits, yb)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        loss_sum += loss.item() * len(idx)
        correct += (logits.argmax(1) == yb).sum().item()
    return loss_sum / n, correct / n


def infer(torch, model, x, batch_size):
    """Forward passes over x in batches, in eval mode without gradients."""
    model.eval()
    with torch.no_grad():
        return torch.cat([model(x[i:i + batch_size]) for i in range(0, x.shape[0], batch_size)])


def latency(torch, model, x, calls):
    """The 50th and 99th percentiles of the time of calls single-image
    predictions, the images of x in turn."""
    model.eval()
    times = []
    with torch.no_grad():
        for i in range(calls):
            xi = x[i % len(x):i % len(x) + 1]
            t0 = time.perf_counter()
            model(xi)
            times.append(time.perf_counter() - t0)
    times.sort()
    return [times[(len(times) - 1) // 2], times[min(len(times) - 1, int(0.99 * len(times)))]]


def gemm_peak(torch, n, label):
    """The best speed of 10 float32 n×n matrix products, after one."""
    g = torch.Generator().manual_seed(1)
    a, b = torch.rand(n, n, generator=g), torch.rand(n, n, generator=g)
    torch.mm(a, b)
    seconds = []
    for _ in range(10):
        t0 = time.perf_counter()
        torch.mm(a, b)
        seconds.append(time.perf_counter() - t0)
    return {"impl": "pytorch", "config": label, "gemm_n": n, "gemm_seconds": seconds,
            "gemm_gflops": 2 * n ** 3 / min(seconds) / 1e9, "threads": torch.get_num_threads()}


def blas_threads():
    """OpenBLAS (or other BLAS) thread counts, if threadpoolctl is there."""
    try:
        from threadpoolctl import threadpool_info
    except ImportError:
        return None
    return [{"library": i.get("internal_api"), "threads": i.get("num_threads"),
             "version": i.get("version")} for i in threadpool_info()]


def config_line(show, key):
    for line in show.splitlines():
        line = line.strip().lstrip("- ")
        if line.startswith(key):
            return line[len(key):].strip(" :")
    return ""


def bench(torch, args, name, data):
    (xtr, ytr), (xte, yte) = data
    if name == "mlp":
        xtr, xte = xtr.reshape(len(xtr), -1), xte.reshape(len(xte), -1)
    x, y = torch.from_numpy(xtr), torch.from_numpy(ytr)
    xt, yt = torch.from_numpy(xte), torch.from_numpy(yte)

    torch.manual_seed(args.seed)
    gen = torch.Generator().manual_seed(args.seed)
    model = build_model(torch, name, args.hidden, args.filters)
    opt = torch.optim.Adam(model.parameters(), lr=args.lr, betas=(0.9, 0.999), eps=1e-7)

    epoch_seconds, losses, accuracies = [], [], []
    for _ in range(args.epochs):
        t0 = time.perf_counter()
        loss, acc = train_epoch(torch, model, opt, x, y, args.batch_size, gen)
        epoch_seconds.append(time.perf_counter() - t0)
        losses.append(loss)
        accuracies.append(acc)

    infer_seconds, logits = [], None
    for _ in range(args.infer_runs):
        t0 = time.perf_counter()
        logits = infer(torch, model, xt, args.infer_batch)
        infer_seconds.append(time.perf_counter() - t0)
    accuracy = (logits.argmax(1) == yt).double().mean().item()
    predict = latency(torch, model, xt, args.latency_calls) if args.latency_calls > 0 else None

    show = torch.__config__.show()
    result = {
        "impl": "pytorch",
        "config": args.label,
        "model": name,
        "dtype": str(next(model.parameters()).dtype).replace("torch.", ""),
        "epochs": args.epochs,
        "batch_size": args.batch_size,
        "train_size": len(x),
        "test_size": len(xt),
        "epoch_seconds": epoch_seconds,
        "train_loss": losses,
        "train_accuracy": accuracies,
        "infer_batch": args.infer_batch,
        "infer_seconds": infer_seconds,
        "images_per_second": len(xt) / min(infer_seconds),
        "test_accuracy": accuracy,
        "threads": torch.get_num_threads(),
        "info": {
            "python": platform.python_version(),
            "numpy": np.__version__,
            "torch": torch.__version__,
            "torch_threads": torch.get_num_threads(),
            "torch_interop_threads": torch.get_num_interop_threads(),
            "set_num_threads": args.threads,
            "env": {k: os.environ[k] for k in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")
                    if k in os.environ},
            "blas_threads": blas_threads(),
            "mkldnn": torch.backends.mkldnn.is_available(),
            "cpu_capability": config_line(show, "CPU capability usage"),
            "parameters": sum(p.numel() for p in model.parameters()),
            "config_show": show,
        },
    }
    if name == "mlp":
        result["hidden"] = args.hidden
    else:
        result["filters"] = args.filters
    if predict is not None:
        result["predict_calls"] = args.latency_calls
        result["predict_seconds"] = predict
    return result


def main(argv):
    args = parse_args(argv)
    try:
        import torch
    except ImportError as e:
        print(f"torch_mnist.py: {e}; on Debian: apt-get install python3-torch", file=sys.stderr)
        return 3
    if args.threads > 0:
        torch.set_num_threads(args.threads)
    if args.peak_only:
        print(json.dumps(gemm_peak(torch, args.peak_n, args.label)), flush=True)
        return 0
    xtr, ytr = load_mnist(args.data, "train")
    xte, yte = load_mnist(args.data, "test")
    if args.smoke:
        xtr, ytr, xte, yte = xtr[:SMOKE_TRAIN], ytr[:SMOKE_TRAIN], xte[:SMOKE_TEST], yte[:SMOKE_TEST]
    if args.train_limit > 0:
        xtr, ytr = xtr[:args.train_limit], ytr[:args.train_limit]
    data = ((xtr, ytr), (xte, yte))
    for name in args.models:
        print(json.dumps(bench(torch, args, name, data)), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
