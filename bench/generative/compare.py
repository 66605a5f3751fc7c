"""dlgo's generative models against PyTorch, in one session (see README.md).

For each model, trains dlgo's (cmd/train -model M -val 0) and the same model
in PyTorch (torch_generative.py) on MNIST's 60,000 training images with
batches of 128 and Adam 0.001, and evaluates both on the 10,000 test images
after each number of epochs asked for: dlgo runs once per number of epochs,
PyTorch once, evaluating (untimed) after each. It prints a Markdown table of
the test figures and the median seconds per epoch, and with --json writes
every result.

Usage (from the repository's root; needs Go and Debian's python3-torch):
  /usr/bin/python3 bench/generative/compare.py --models autoencoder,vae --epochs 3,10
  /usr/bin/python3 bench/generative/compare.py --models conv-autoencoder,conv-vae --epochs 1
  /usr/bin/python3 bench/generative/compare.py --smoke     # 600 images, a minute
"""

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))


def run_dlgo(binary, model, epochs, data, limit, seed):
    with tempfile.TemporaryDirectory() as out:
        args = [binary, "-model", model, "-data", "mnist", "-mnist-dir", data, "-val", "0",
                "-epochs", str(epochs), "-seed", str(seed), "-out", out]
        if limit:
            args += ["-limit", str(limit)]
        subprocess.run(args, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, cwd=ROOT)
        with open(os.path.join(out, "metrics.json")) as f:
            metrics = json.load(f)
        with open(os.path.join(out, "history.csv")) as f:
            lines = f.read().split()
        header = lines[0].split(",")
        seconds = [float(row.split(",")[header.index("seconds")]) for row in lines[1:]]
    return {"impl": "dlgo", "model": model, "epochs": epochs, "epoch_seconds": seconds,
            "test": metrics["test"], "train_size": metrics["samples"]["train"]}


def run_torch(model, epochs, data, limit, seed, threads):
    args = ["/usr/bin/python3", os.path.join(HERE, "torch_generative.py"), "--data", data, "--model", model,
            "--epochs", str(max(epochs)), "--eval-at", ",".join(map(str, epochs)), "--seed", str(seed)]
    if limit:
        args += ["--limit", str(limit)]
    if threads:
        args += ["--threads", str(threads)]
    out = subprocess.run(args, check=True, capture_output=True, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def figure(test):
    """The figures of a test evaluation, as the README gives them."""
    if "kl_loss" in test:
        return (f"loss {test['loss']:.1f} (reconstruction {test['reconstruction_loss']:.1f} + "
                f"KL {test['kl_loss']:.2f}), mse {test['mse']:.4f}")
    return f"BCE {test['loss']:.4f}, mse {test['mse']:.4f}"


def main(argv):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--models", default="autoencoder,vae")
    p.add_argument("--epochs", default="3,10", help="numbers of epochs after which to compare, e.g. 3,10")
    p.add_argument("--data", default=os.path.expanduser("~/.cache/dlgo/mnist"), help="directory of the MNIST files")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--limit", type=int, default=0, help="use only the first N training and test images")
    p.add_argument("--torch-threads", type=int, default=0, help="torch.set_num_threads (0: PyTorch's default)")
    p.add_argument("--json", default="", help="write every result to this file")
    p.add_argument("--smoke", action="store_true", help="600 images, 1 epoch, the dense models")
    args = p.parse_args(argv)
    if args.smoke:
        args.limit, args.epochs = 600, "1"
    epochs = sorted({int(e) for e in args.epochs.split(",")})
    binary = os.path.join(tempfile.mkdtemp(), "train")
    subprocess.run(["go", "build", "-o", binary, "./cmd/train"], check=True, cwd=ROOT)
    results, rows = [], []
    for model in args.models.split(","):
        torch_result = run_torch(model, epochs, args.data, args.limit, args.seed, args.torch_threads)
        results.append(torch_result)
        for e in epochs:
            d = run_dlgo(binary, model, e, args.data, args.limit, args.seed)
            results.append(d)
            t = torch_result["test"][str(e)]
            ts, ds = statistics.median(torch_result["epoch_seconds"][:e]), statistics.median(d["epoch_seconds"])
            rows.append(f"| {model} | {e} | {figure(d['test'])} | {figure(t)} | {ds:.2f} | {ts:.2f} | {ds / ts:.2f} |")
    print("| model | epochs | dlgo test | PyTorch test | dlgo s/epoch | PyTorch s/epoch | dlgo ÷ PyTorch |")
    print("|---|--:|---|---|--:|--:|--:|")
    print("\n".join(rows))
    print(f"\n{os.cpu_count()} CPUs, {platform.platform()}, PyTorch {results[0].get('torch')} "
          f"({results[0].get('threads')} threads), training images {results[-1]['train_size']}")
    if args.json:
        with open(args.json, "w") as f:
            json.dump(results, f, indent=1)
    os.remove(binary)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
