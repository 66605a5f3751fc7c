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

Threads: PyTorch's defaults unless --threads N calls torch.set_num_threads(N).
OpenBLAS (which Debian's torch uses for matrix products) reads
OPENBLAS_NUM_THREADS from the environment; the JSON reports both.

Usage:
  python3 bench/torch_mnist.py --data DIR --model mlp [--epochs 3] [--threads 1]
  python3 bench/torch_mnist.py --smoke --data DIR --model mlp,convnet

--smoke trains on the first 512 training images for one epoch and infers
once on the first 256 test images: a quick check that everything works.
Needs numpy and torch only (no torchvision).
"""

import json
import os
import platform
import sys
import time

import numpy as np

sys.dont_write_bytecode = True  # no __pycache__/ in the repository
from mnist_idx import bench_parser, load_mnist, parse_bench_args  # noqa: E402  (the helper next to this script)

SMOKE_TRAIN, SMOKE_TEST = 512, 256


def parse_args(argv):
    p = bench_parser(__doc__, "mlp, convnet or both comma-separated")
    p.add_argument("--threads", type=int, default=0,
                   help="torch.set_num_threads(N) if N > 0; 0 keeps PyTorch's default")
    return parse_bench_args(p, argv, ("mlp", "convnet"))


def build_model(torch, name):
    nn = torch.nn
    if name == "mlp":
        return nn.Sequential(
            nn.Linear(784, 128), nn.ReLU(),
            nn.Linear(128, 64), nn.ReLU(),
            nn.Linear(64, 10),
        )
    return nn.Sequential(
        nn.Conv2d(1, 32, 3), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(32, 64, 3), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Dropout(0.5),
        nn.Linear(64 * 5 * 5, 10),
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
    model = build_model(torch, name)
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

    show = torch.__config__.show()
    return {
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


def main(argv):
    args = parse_args(argv)
    try:
        import torch
    except ImportError as e:
        print(f"torch_mnist.py: {e}; on Debian: apt-get install python3-torch", file=sys.stderr)
        return 3
    if args.threads > 0:
        torch.set_num_threads(args.threads)
    xtr, ytr = load_mnist(args.data, "train")
    xte, yte = load_mnist(args.data, "test")
    if args.smoke:
        xtr, ytr, xte, yte = xtr[:SMOKE_TRAIN], ytr[:SMOKE_TRAIN], xte[:SMOKE_TEST], yte[:SMOKE_TEST]
    data = ((xtr, ytr), (xte, yte))
    for name in args.models:
        print(json.dumps(bench(torch, args, name, data)), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
