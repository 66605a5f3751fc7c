"""PyTorch reference for dlgo's generative models (bench/generative/compare.py).

Trains one of dlgo's autoencoders on MNIST's 60,000 training images with
PyTorch on the CPU and prints one JSON line of results. The models are
cmd/train's, written in PyTorch:

  autoencoder       dense 784-128-32-128-784, ReLU, sigmoid output
  conv-autoencoder  Keras' "Convolutional autoencoder": Conv 32 3x3 ReLU,
                    MaxPool 2, Conv 32 3x3 ReLU, MaxPool 2, ConvTranspose 32
                    3x3 s2 ReLU, ConvTranspose 32 3x3 s2 ReLU, Conv 1 3x3
                    sigmoid, all "same" (padding 1, output padding 1)
  vae               dense 784-512 ReLU -> 2x2 (z_mean, z_log_var) -> sampling
                    -> 512 ReLU -> 784 sigmoid
  conv-vae          Keras' "Variational AutoEncoder": Conv 32 3x3 s2 ReLU,
                    Conv 64 3x3 s2 ReLU, Dense 16 ReLU, 2x2; decoder Dense
                    7*7*64 ReLU, ConvTranspose 64 s2, 32 s2 ReLU, 1 sigmoid

The losses are dlgo's, computed from the logits: binary cross-entropy per
pixel (the mean) for the autoencoders; for the VAEs the per-image sum of
the pixels' binary cross-entropies plus the KL divergence
-1/2 sum(1 + log var - mu^2 - var), both averaged over the batch.
Training: float32, Adam (lr 1e-3, betas 0.9/0.999, eps 1e-7 as dlgo's),
batches of 128, a fresh random order every epoch, the last partial batch
included. PyTorch's own weight initialisation.

What is timed (time.perf_counter): each epoch's training loop (the shuffle,
the batches, forward, backward, the Adam steps). After each epoch listed in
--eval-at, the 10,000 test images are evaluated, untimed, in batches of
1000: loss (the model's, with the VAE's sampling noise drawn from a
generator seeded with --seed, as PyTorch's VAE example samples when it
tests), its two parts for a VAE, and the mse per pixel of the sigmoid
outputs, with the VAE decoding its sampled codes.

Usage:
  /usr/bin/python3 bench/generative/torch_generative.py --data DIR --model vae --epochs 10 --eval-at 3,10
"""

import argparse
import json
import os
import platform
import sys
import time

import numpy as np

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from mnist_idx import load_mnist  # noqa: E402  (bench/mnist_idx.py)

MODELS = ("autoencoder", "conv-autoencoder", "vae", "conv-vae")


def build(torch, name):
    nn = torch.nn
    if name == "autoencoder":
        return nn.Sequential(nn.Flatten(), nn.Linear(784, 128), nn.ReLU(), nn.Linear(128, 32), nn.ReLU(),
                             nn.Linear(32, 128), nn.ReLU(), nn.Linear(128, 784)), None
    if name == "conv-autoencoder":
        return nn.Sequential(
            nn.Conv2d(1, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(32, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
            nn.ConvTranspose2d(32, 32, 3, stride=2, padding=1, output_padding=1), nn.ReLU(),
            nn.ConvTranspose2d(32, 32, 3, stride=2, padding=1, output_padding=1), nn.ReLU(),
            nn.Conv2d(32, 1, 3, padding=1)), None
    if name == "vae":
        enc = nn.Sequential(nn.Flatten(), nn.Linear(784, 512), nn.ReLU(), nn.Linear(512, 4))
        dec = nn.Sequential(nn.Linear(2, 512), nn.ReLU(), nn.Linear(512, 784))
        return enc, dec
    enc = nn.Sequential(
        nn.Conv2d(1, 32, 3, stride=2, padding=1), nn.ReLU(),
        nn.Conv2d(32, 64, 3, stride=2, padding=1), nn.ReLU(),
        nn.Flatten(), nn.Linear(64 * 7 * 7, 16), nn.ReLU(), nn.Linear(16, 4))
    dec = nn.Sequential(
        nn.Linear(2, 64 * 7 * 7), nn.ReLU(), nn.Unflatten(1, (64, 7, 7)),
        nn.ConvTranspose2d(64, 64, 3, stride=2, padding=1, output_padding=1), nn.ReLU(),
        nn.ConvTranspose2d(64, 32, 3, stride=2, padding=1, output_padding=1), nn.ReLU(),
        nn.ConvTranspose2d(32, 1, 3, padding=1))
    return enc, dec


def losses(torch, name, nets, x, gen):
    """The loss of a batch and its parts: (loss, reconstruction, kl, logits)."""
    F = torch.nn.functional
    enc, dec = nets
    if dec is None:
        logits = enc(x).reshape(x.shape)
        rec = F.binary_cross_entropy_with_logits(logits, x)
        return rec, rec, None, logits
    stats = enc(x)
    mu, logvar = stats[:, :2], stats[:, 2:]
    eps = torch.randn(mu.shape, generator=gen)
    z = mu + torch.exp(0.5 * logvar) * eps
    logits = dec(z).reshape(x.shape)
    rec = F.binary_cross_entropy_with_logits(logits, x, reduction="sum") / x.shape[0]
    kl = -0.5 * torch.sum(1 + logvar - mu * mu - logvar.exp()) / x.shape[0]
    return rec + kl, rec, kl, logits


def evaluate(torch, name, nets, x, seed):
    for n in nets:
        if n is not None:
            n.eval()
    gen = torch.Generator().manual_seed(seed)
    sums = {"loss": 0.0, "reconstruction_loss": 0.0, "kl_loss": 0.0, "mse": 0.0}
    with torch.no_grad():
        for i in range(0, len(x), 1000):
            xb = x[i:i + 1000]
            loss, rec, kl, logits = losses(torch, name, nets, xb, gen)
            sums["loss"] += loss.item() * len(xb)
            sums["reconstruction_loss"] += rec.item() * len(xb)
            if kl is not None:
                sums["kl_loss"] += kl.item() * len(xb)
            sums["mse"] += ((torch.sigmoid(logits) - xb) ** 2).mean().item() * len(xb)
    out = {k: v / len(x) for k, v in sums.items()}
    if nets[1] is None:
        del out["kl_loss"], out["reconstruction_loss"]
    return out


def main(argv):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--data", required=True, help="directory of the MNIST IDX files")
    p.add_argument("--model", required=True, choices=MODELS)
    p.add_argument("--epochs", type=int, default=1)
    p.add_argument("--eval-at", default="", help="epochs after which to evaluate the test set (default: the last)")
    p.add_argument("--batch-size", type=int, default=128)
    p.add_argument("--lr", type=float, default=1e-3)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--threads", type=int, default=0, help="torch.set_num_threads(N) if N > 0")
    p.add_argument("--limit", type=int, default=0, help="use only the first N training and test images")
    args = p.parse_args(argv)
    eval_at = sorted({int(e) for e in args.eval_at.split(",") if e} | {args.epochs})
    try:
        import torch
    except ImportError as e:
        print(f"torch_generative.py: {e}; on Debian: apt-get install python3-torch", file=sys.stderr)
        return 3
    if args.threads > 0:
        torch.set_num_threads(args.threads)
    xtr, _ = load_mnist(args.data, "train")
    xte, _ = load_mnist(args.data, "test")
    if args.limit > 0:
        xtr, xte = xtr[:args.limit], xte[:args.limit]
    x, xt = torch.from_numpy(np.ascontiguousarray(xtr)), torch.from_numpy(np.ascontiguousarray(xte))
    torch.manual_seed(args.seed)
    gen = torch.Generator().manual_seed(args.seed)
    nets = build(torch, args.model)
    params = [q for n in nets if n is not None for q in n.parameters()]
    opt = torch.optim.Adam(params, lr=args.lr, betas=(0.9, 0.999), eps=1e-7)
    epoch_seconds, train_loss, tests = [], [], {}
    for epoch in range(1, args.epochs + 1):
        for n in nets:
            if n is not None:
                n.train()
        t0 = time.perf_counter()
        perm = torch.randperm(len(x), generator=gen)
        total = 0.0
        for start in range(0, len(x), args.batch_size):
            xb = x[perm[start:start + args.batch_size]]
            loss, _, _, _ = losses(torch, args.model, nets, xb, gen)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            total += loss.item() * len(xb)
        epoch_seconds.append(time.perf_counter() - t0)
        train_loss.append(total / len(x))
        if epoch in eval_at:
            tests[str(epoch)] = evaluate(torch, args.model, nets, xt, args.seed)
    print(json.dumps({
        "impl": "pytorch", "model": args.model, "epochs": args.epochs, "batch_size": args.batch_size,
        "train_size": len(x), "test_size": len(xt), "epoch_seconds": epoch_seconds,
        "train_loss": train_loss, "test": tests, "parameters": sum(q.numel() for q in params),
        "threads": torch.get_num_threads(), "torch": torch.__version__, "python": platform.python_version(),
    }), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
